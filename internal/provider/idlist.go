package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// An id list is a list of strings that means a set: thousands of merchant ids, each once, in no
// particular order. It is a list and not a set because Terraform compares a set's elements pair
// by pair when it checks a provider's answer against the plan (minutes of CPU for 5000 ids on
// every create, refresh and change), and a list index by index. What makes the order not matter:
//
//   - uniqueIDs refuses a repeated id at plan time, naming the attribute;
//   - sameIDsKeepState plans the state's value when the configuration lists the same ids in
//     another order, so a reordering plans no change;
//   - the provider writes the ids in the order of the value it answers for (orderedLike): the
//     plan's after a change, the prior state's after a refresh, so Terraform finds exactly what
//     it planned and a refresh that finds the same members changes nothing. Ids that are new to
//     that value come last, sorted; an import, with nothing before it, writes them sorted.
//
// Terraform shows a change of the list as a list diff against the state, so a configuration that
// keeps its order gets a diff of just the ids added and removed.

// uniqueIDs refuses a list that holds an id more than once, in one pass.
func uniqueIDs() validator.List { return uniqueIDsValidator{} }

type uniqueIDsValidator struct{}

func (uniqueIDsValidator) Description(context.Context) string {
	return "each id at most once"
}

func (v uniqueIDsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (uniqueIDsValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	first := map[string]int{}
	for i, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		j, seen := first[s.ValueString()]
		if !seen {
			first[s.ValueString()] = i
			continue
		}
		resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Duplicate Merchant ID",
			fmt.Sprintf("%s lists merchant id %s twice, at index %d and at index %d. A merchant is a member "+
				"once: remove the repeated id. When the list joins several lists, wrap it in distinct(), "+
				"for example distinct(concat(var.a, var.b)).", req.Path, s.ValueString(), j, i))
	}
}

// sameIDsKeepState plans the state's list when the configuration holds the same ids in another
// order. Terraform accepts a planned value equal to the prior one in place of the configuration's
// (the provider says the two are the same), so the plan shows no change and the state keeps its
// order.
func sameIDsKeepState() planmodifier.List { return sameIDsKeepStateModifier{} }

type sameIDsKeepStateModifier struct{}

func (sameIDsKeepStateModifier) Description(context.Context) string {
	return "The order of the ids does not matter: the same ids in another order plan no change."
}

func (m sameIDsKeepStateModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sameIDsKeepStateModifier) PlanModifyList(_ context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if !req.PlanValue.Equal(req.StateValue) && sameIDs(req.PlanValue.Elements(), req.StateValue.Elements()) {
		resp.PlanValue = req.StateValue
	}
}

// sameIDs reports whether two lists of known strings hold the same ids the same number of times.
func sameIDs(a, b []attr.Value) bool {
	if len(a) != len(b) {
		return false
	}
	count := make(map[string]int, len(a))
	for _, e := range a {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			return false
		}
		count[s.ValueString()]++
	}
	for _, e := range b {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() || count[s.ValueString()] == 0 {
			return false
		}
		count[s.ValueString()]--
	}
	return true
}

// orderedLike returns each of ids once, those in like in like's order, then the others sorted.
func orderedLike(ids, like []string) []string {
	at := make(map[string]int, len(like))
	for i, id := range like {
		if _, ok := at[id]; !ok {
			at[id] = i
		}
	}
	var known, others []string
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, ok := at[id]; ok {
			known = append(known, id)
		} else {
			others = append(others, id)
		}
	}
	slices.SortFunc(known, func(a, b string) int { return at[a] - at[b] })
	slices.Sort(others)
	return append(known, others...)
}

// listStrings reads a list of strings; a null or unknown list gives nil.
func listStrings(ctx context.Context, l types.List, diags *diag.Diagnostics) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(l.ElementsAs(ctx, &out, false)...)
	return out
}

// idList builds a list of ids; nil gives an empty list.
func idList(ids []string) types.List {
	elems := make([]attr.Value, len(ids))
	for i, id := range ids {
		elems[i] = types.StringValue(id)
	}
	return types.ListValueMust(types.StringType, elems)
}
