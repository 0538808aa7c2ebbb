package provider

import (
	"context"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Conversions between Terraform values and the Go values the client takes and returns.

// setStrings reads a set of strings; a null or unknown set gives nil.
func setStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	return out
}

// sortedSetStrings reads a set of strings in a stable order, so that the same set is always the
// same request body.
func sortedSetStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	out := setStrings(ctx, s, diags)
	slices.Sort(out)
	return out
}

// stringSet builds a set of strings; nil gives a null set.
func stringSet(ctx context.Context, values []string, diags *diag.Diagnostics) types.Set {
	if values == nil {
		return types.SetNull(types.StringType)
	}
	s, d := types.SetValueFrom(ctx, types.StringType, values)
	diags.Append(d...)
	return s
}

// knownStringSet builds a set of strings; nil gives an empty set.
func knownStringSet(ctx context.Context, values []string, diags *diag.Diagnostics) types.Set {
	if values == nil {
		values = []string{}
	}
	return stringSet(ctx, values, diags)
}

// stringMap builds a map of strings.
func stringMap(ctx context.Context, values map[string]string, diags *diag.Diagnostics) types.Map {
	m, d := types.MapValueFrom(ctx, types.StringType, values)
	diags.Append(d...)
	return m
}

// valueList builds a list of elements of elemType; nil gives an empty list, since an answer that
// holds none of something is known to hold none.
func valueList(elemType attr.Type, elems []attr.Value, diags *diag.Diagnostics) types.List {
	if elems == nil {
		elems = []attr.Value{}
	}
	l, d := types.ListValue(elemType, elems)
	diags.Append(d...)
	return l
}

// stringOrNull keeps a value WeChat Pay did not send null rather than an empty string.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// keepSpelling is the time WeChat Pay answered, or prior when that is the same instant spelled
// otherwise: WeChat Pay's examples write times with milliseconds (2015-05-20T13:29:35.120+08:00)
// and an answer may not, so a time copied into the state changes only when the time does.
func keepSpelling(prior types.String, answered string) types.String {
	if answered == "" {
		return types.StringNull()
	}
	if prior.IsNull() || prior.IsUnknown() || prior.ValueString() == answered {
		return types.StringValue(answered)
	}
	a, errA := time.Parse(time.RFC3339Nano, answered)
	b, errB := time.Parse(time.RFC3339Nano, prior.ValueString())
	if errA != nil || errB != nil {
		return types.StringValue(answered)
	}
	// A time spelled in whole seconds may be one spelled with milliseconds, cut.
	if a.Nanosecond() == 0 || b.Nanosecond() == 0 {
		a, b = a.Truncate(time.Second), b.Truncate(time.Second)
	}
	if a.Equal(b) {
		return prior
	}
	return types.StringValue(answered)
}
