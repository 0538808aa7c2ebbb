package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// idSetType is a set of strings for lists of thousands of ids (an activity's merchants). To
// Terraform and to users it is an ordinary set of strings; it only checks duplicates, compares
// and answers semantic equality in one pass over a map, where terraform-plugin-framework v1.19
// compares every pair of elements: minutes of CPU per apply for 5000 merchants. A read that finds
// the set changed still walks every pair, since that walk does not ask the type.
//
// Go back to types.Set once a framework release fixes both
// https://github.com/hashicorp/terraform-plugin-framework/issues/1314 (the semantic equality
// walk) and https://github.com/hashicorp/terraform-plugin-framework/issues/1322 (the duplicate
// check and SetValue.Equal).
type idSetType struct {
	basetypes.SetType
}

var (
	_ basetypes.SetTypable                    = idSetType{}
	_ basetypes.SetValuableWithSemanticEquals = idSetValue{}
)

func newIDSetType() idSetType { return idSetType{basetypes.SetType{ElemType: types.StringType}} }

func (t idSetType) Equal(o attr.Type) bool {
	other, ok := o.(idSetType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t idSetType) String() string { return "idSetType" }

func (t idSetType) ValueType(ctx context.Context) attr.Value {
	return idSetValue{SetValue: basetypes.NewSetNull(types.StringType)}
}

func (t idSetType) ValueFromSet(_ context.Context, in basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return idSetValue{SetValue: in}, nil
}

func (t idSetType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	set, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return idSetValue{SetValue: set}, nil
}

// Validate refuses duplicate elements, as basetypes.SetType does, with one pass over a map.
func (t idSetType) Validate(_ context.Context, in tftypes.Value, p path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if in.Type() == nil || !in.IsKnown() || in.IsNull() {
		return diags
	}
	var elems []tftypes.Value
	if err := in.As(&elems); err != nil {
		diags.AddAttributeError(p, "Set Type Validation Error",
			"An unexpected error was encountered trying to validate a set of ids. This is a bug in the provider; "+
				"please report it.\n\n"+err.Error())
		return diags
	}
	seen := make(map[string]bool, len(elems))
	for _, e := range elems {
		var s string
		if !e.IsFullyKnown() || e.IsNull() || e.As(&s) != nil {
			continue
		}
		if seen[s] {
			diags.AddAttributeError(p, "Duplicate Set Element", fmt.Sprintf("This attribute contains duplicate values of: %q", s))
		}
		seen[s] = true
	}
	return diags
}

// idSetValue is a value of idSetType.
type idSetValue struct {
	basetypes.SetValue
}

func (v idSetValue) Type(context.Context) attr.Type { return newIDSetType() }

// Equal compares as sets of strings, in one pass.
func (v idSetValue) Equal(o attr.Value) bool {
	other, ok := o.(idSetValue)
	if !ok {
		return false
	}
	if v.IsNull() || v.IsUnknown() || other.IsNull() || other.IsUnknown() {
		return v.IsNull() == other.IsNull() && v.IsUnknown() == other.IsUnknown()
	}
	return sameStrings(v.SetValue, other.SetValue)
}

// SetSemanticEquals keeps the prior value when both hold the same ids, so that the framework
// skips its pairwise walk over the elements.
func (v idSetValue) SetSemanticEquals(_ context.Context, prior basetypes.SetValuable) (bool, diag.Diagnostics) {
	p, ok := prior.(idSetValue)
	if !ok {
		return false, nil
	}
	return sameStrings(v.SetValue, p.SetValue), nil
}

// sameStrings reports whether two known sets of strings hold the same elements.
func sameStrings(a, b basetypes.SetValue) bool {
	ae, be := a.Elements(), b.Elements()
	if len(ae) != len(be) {
		return false
	}
	in := make(map[string]bool, len(ae))
	for _, e := range ae {
		s, ok := e.(basetypes.StringValue)
		if !ok || s.IsNull() || s.IsUnknown() {
			return false
		}
		in[s.ValueString()] = true
	}
	for _, e := range be {
		s, ok := e.(basetypes.StringValue)
		if !ok || s.IsNull() || s.IsUnknown() || !in[s.ValueString()] {
			return false
		}
	}
	return true
}
