package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// A time in the state keeps its spelling while WeChat Pay answers the same instant, with or
// without milliseconds; another instant, or a first answer, is taken as answered.
func TestKeepSpelling(t *testing.T) {
	const (
		seconds = "2015-05-20T13:29:35+08:00"
		millis  = "2015-05-20T13:29:35.120+08:00"
		utc     = "2015-05-20T05:29:35Z"
		later   = "2015-05-20T13:29:36+08:00"
	)
	tests := []struct {
		name           string
		prior          types.String
		answered, want string
		wantNull       bool
	}{
		{"first answer", types.StringNull(), millis, millis, false},
		{"unknown before", types.StringUnknown(), seconds, seconds, false},
		{"same spelling", types.StringValue(seconds), seconds, seconds, false},
		{"milliseconds cut", types.StringValue(millis), seconds, millis, false},
		{"milliseconds added", types.StringValue(seconds), millis, seconds, false},
		{"another zone, same instant", types.StringValue(seconds), utc, seconds, false},
		{"another instant", types.StringValue(seconds), later, later, false},
		{"other milliseconds", types.StringValue(millis), "2015-05-20T13:29:35.121+08:00", "2015-05-20T13:29:35.121+08:00", false},
		{"unparsable prior", types.StringValue("yesterday"), seconds, seconds, false},
		{"nothing answered", types.StringValue(seconds), "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := keepSpelling(tt.prior, tt.answered)
			if tt.wantNull {
				if !got.IsNull() {
					t.Fatalf("keepSpelling(%v, %q) = %v, want null", tt.prior, tt.answered, got)
				}
				return
			}
			if got.ValueString() != tt.want {
				t.Errorf("keepSpelling(%v, %q) = %q, want %q", tt.prior, tt.answered, got.ValueString(), tt.want)
			}
		})
	}
}
