package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
)

// TestPolicy_noVerificationSwitch: no provider setting can weaken answer verification or
// transport security. The client has no such knob either (wxpay.TestPolicyVerificationHasNoOffSwitch);
// this keeps one from appearing in the provider's schema, and keeps every secret Sensitive.
func TestPolicy_noVerificationSwitch(t *testing.T) {
	var resp provider.SchemaResponse
	New("test")().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	switchOff := regexp.MustCompile(`(?i)skip|insecure|verif|unsafe|trust|tls|disable`)
	for name, attr := range resp.Schema.Attributes {
		if switchOff.MatchString(name) {
			t.Errorf("provider attribute %q looks like a way to weaken verification", name)
		}
		sa, ok := attr.(schema.StringAttribute)
		if !ok {
			continue
		}
		if secret := name == "private_key" || name == "apiv3_key"; secret && !sa.Sensitive {
			t.Errorf("provider attribute %q holds a secret but is not Sensitive", name)
		}
	}
	if len(resp.Schema.Attributes) == 0 {
		t.Fatal("empty provider schema")
	}
}
