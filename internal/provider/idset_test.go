package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestIDSetComparesAsASetOfStrings(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	abc := idSet(ctx, []string{"a", "b", "c"}, &diags)
	tests := []struct {
		name  string
		other idSetValue
		want  bool
	}{
		{"same ids in another order", idSet(ctx, []string{"c", "a", "b"}, &diags), true},
		{"one id different", idSet(ctx, []string{"a", "b", "d"}, &diags), false},
		{"one id fewer", idSet(ctx, []string{"a", "b"}, &diags), false},
		{"empty", idSet(ctx, []string{}, &diags), false},
		{"null", idSetValue{SetValue: basetypes.NewSetNull(types.StringType)}, false},
		{"unknown", idSetValue{SetValue: basetypes.NewSetUnknown(types.StringType)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := abc.Equal(tt.other); got != tt.want {
				t.Errorf("Equal = %v, want %v", got, tt.want)
			}
			// Semantic equality must never hide a real difference: it keeps the prior value.
			if got, _ := abc.SetSemanticEquals(ctx, tt.other); got != tt.want {
				t.Errorf("SetSemanticEquals = %v, want %v", got, tt.want)
			}
		})
	}
	if diags.HasError() {
		t.Fatal(diags)
	}
	if abc.Equal(abc.SetValue) {
		t.Error("equal to a plain types.Set: the framework would mix the two types")
	}
	if null := (idSetValue{SetValue: types.SetNull(types.StringType)}); !null.Equal(idSetValue{SetValue: types.SetNull(types.StringType)}) {
		t.Error("two null id sets differ")
	}
}

func TestIDSetValidateRefusesDuplicates(t *testing.T) {
	typ := tftypes.Set{ElementType: tftypes.String}
	tests := []struct {
		name     string
		elems    []string
		wantDups int
	}{
		{"unique", []string{"1900000109", "1900000110"}, 0},
		{"one duplicate", []string{"1900000109", "1900000110", "1900000109"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var vals []tftypes.Value
			for _, e := range tt.elems {
				vals = append(vals, tftypes.NewValue(tftypes.String, e))
			}
			diags := newIDSetType().Validate(context.Background(), tftypes.NewValue(typ, vals), path.Root("merchant_ids"))
			if got := diags.ErrorsCount(); got != tt.wantDups {
				t.Errorf("%d errors, want %d: %v", got, tt.wantDups, diags)
			}
		})
	}
	if d := newIDSetType().Validate(context.Background(), tftypes.NewValue(typ, tftypes.UnknownValue), path.Root("x")); d.HasError() {
		t.Errorf("unknown set refused: %v", d)
	}
}
