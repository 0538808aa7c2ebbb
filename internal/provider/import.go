package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// importFormat is the import id of one resource type. ImportState checks every part of an id with
// the validators its attribute has in a configuration: import must not store an id that no
// configuration could hold, and that would then be sent to WeChat Pay. Every refusal is one
// "Invalid Import ID" error that shows a valid `terraform import` command.
type importFormat struct {
	resourceType string // wechatpay_…
	format       string // the parts as a user writes them, e.g. `<activity_id>/<merchant_id>`
	sep          string // between the parts of an id of more than one
	example      string // a valid id
}

const invalidImportID = "Invalid Import ID"

func (f importFormat) command() string {
	return "terraform import " + f.resourceType + ".example " + f.example
}

// split returns the n parts of id, or reports the format.
func (f importFormat) split(id string, n int, diags *diag.Diagnostics) ([]string, bool) {
	parts := strings.Split(id, f.sep)
	if len(parts) != n {
		diags.AddError(invalidImportID, fmt.Sprintf("Import this resource by %s, for example `%s`; got %q.",
			f.format, f.command(), id))
		return nil, false
	}
	return parts, true
}

// valid checks the part of an import id that becomes attr.
func (f importFormat) valid(ctx context.Context, attr path.Path, value string, validators []validator.String, diags *diag.Diagnostics) bool {
	for _, v := range validators {
		var resp validator.StringResponse
		v.ValidateString(ctx, validator.StringRequest{Path: attr, PathExpression: attr.Expression(),
			ConfigValue: types.StringValue(value)}, &resp)
		if resp.Diagnostics.HasError() {
			f.refuse(attr, value, resp.Diagnostics.Errors()[0].Detail(), diags)
			return false
		}
	}
	return true
}

// validSet checks the comma-separated list of an import id that becomes the set attr, and
// returns the set. A value named twice is refused, not merged as a set would: the id records
// what the user says is in force, which cannot be read back, and a repeat in typed text is
// almost surely a typo for another value that merging would hide.
func (f importFormat) validSet(ctx context.Context, attr path.Path, list string, validators []validator.Set, diags *diag.Diagnostics) (types.Set, bool) {
	values := strings.Split(list, ",")
	for i, v := range values {
		if slices.Contains(values[:i], v) {
			f.refuse(attr, list, fmt.Sprintf("it names %q twice; name each value once", v), diags)
			return types.Set{}, false
		}
	}
	set, d := types.SetValueFrom(ctx, types.StringType, values)
	diags.Append(d...)
	if d.HasError() {
		return types.Set{}, false
	}
	for _, v := range validators {
		var resp validator.SetResponse
		v.ValidateSet(ctx, validator.SetRequest{Path: attr, PathExpression: attr.Expression(), ConfigValue: set}, &resp)
		if resp.Diagnostics.HasError() {
			f.refuse(attr, list, resp.Diagnostics.Errors()[0].Detail(), diags)
			return types.Set{}, false
		}
	}
	return set, true
}

// refuse reports the part of an import id that becomes attr, with what a configuration holding
// it would be told.
func (f importFormat) refuse(attr path.Path, value, detail string, diags *diag.Diagnostics) {
	diags.AddError(invalidImportID, fmt.Sprintf("The import id's %s %q is not valid: %s. For example: `%s`.",
		attr, value, strings.TrimSuffix(detail, "."), f.command()))
}
