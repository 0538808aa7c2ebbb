package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// What a destroy costs a merchant. Every resource whose destroy changes something at WeChat Pay
// has `deletion_policy` (deletionPolicyAttribute) and warns in the plan of every destroy and
// replacement it would carry out: a gold plan closed is closed for 24 hours, a member list
// emptied stops the coupons, and `terraform plan` otherwise says only "1 to destroy".

const (
	deletionPolicyDelete  = "DELETE"
	deletionPolicyAbandon = "ABANDON"
)

// abandons reports whether a resource's deletion_policy leaves WeChat Pay alone on destroy. A
// state written before the attribute existed holds null, which is the default, DELETE.
func abandons(policy types.String) bool {
	return policy.ValueString() == deletionPolicyAbandon
}

// abandon is Delete under ABANDON: nothing is called, and Terraform drops the resource.
func abandon(ctx context.Context, what string) {
	tflog.Info(ctx, "deletion_policy is ABANDON: removed from the Terraform state only, WeChat Pay left as it is",
		map[string]any{"object": what})
}

// removal is what destroying one object does at WeChat Pay, in the words of a plan warning.
type removal struct {
	summary string // Title Case, e.g. "Gold Plan Will Be Closed"
	does    string // a sentence: what the apply does and what it costs
	undone  string // the verb phrase for "without …", e.g. "closing it"
}

// warnRemoval adds the plan warning for destroying or replacing an object. A replacement is told
// apart because a `moved` block cannot help there.
func warnRemoval(diags *diag.Diagnostics, r removal, replaced bool) {
	if replaced {
		diags.AddWarning(r.summary, fmt.Sprintf("This change replaces the resource: %s To keep it as it is at WeChat "+
			"Pay, set `deletion_policy = %q` and apply that before this change; the replacement then leaves it "+
			"alone, and no longer manages it.", r.does, deletionPolicyAbandon))
		return
	}
	diags.AddWarning(r.summary, fmt.Sprintf("This plan destroys the resource: %s If the resource was only renamed or "+
		"moved (another name, `for_each` key, `count` index or module), add a `moved` block from the old address to "+
		"the new one instead, and nothing is called. To stop managing it without %s, remove it with a `removed` "+
		"block and `lifecycle { destroy = false }` (Terraform 1.7 and later), or set `deletion_policy = %q` and "+
		"apply that before destroying.", r.does, r.undone, deletionPolicyAbandon))
}

// planModels reads a plan's prior state and planned state: nil for a create's prior state and
// for a destroy's plan. ok is false after a diagnostic.
func planModels[M any](ctx context.Context, req resource.ModifyPlanRequest, diags *diag.Diagnostics) (state, plan *M, ok bool) {
	if !req.State.Raw.IsNull() {
		state = new(M)
		diags.Append(req.State.Get(ctx, state)...)
	}
	if !req.Plan.Raw.IsNull() {
		plan = new(M)
		diags.Append(req.Plan.Get(ctx, plan)...)
	}
	return state, plan, !diags.HasError()
}

// newArgumentDefaults are the arguments added after resources were first created, with their
// defaults. A state written before one existed, or by an import, holds null for it.
var newArgumentDefaults = map[string]attr.Value{
	"deletion_policy": types.StringValue(deletionPolicyDelete),
	"adopt_existing":  types.BoolValue(false),
}

// fillNewArguments gives those arguments their defaults in a state that holds null for them, so
// that such a state plans no change. Read calls it on the state it returns.
func fillNewArguments(ctx context.Context, st *tfsdk.State, diags *diag.Diagnostics) {
	for name, def := range newArgumentDefaults {
		if !hasAttribute(ctx, st.Schema, name) {
			continue
		}
		var v attr.Value
		diags.Append(st.GetAttribute(ctx, path.Root(name), &v)...)
		if v != nil && v.IsNull() {
			diags.Append(st.SetAttribute(ctx, path.Root(name), def)...)
		}
	}
}

// hasAttribute reports whether a schema has a top-level attribute or block of that name.
func hasAttribute(ctx context.Context, s interface {
	TypeAtPath(context.Context, path.Path) (attr.Type, diag.Diagnostics)
}, name string) bool {
	_, diags := s.TypeAtPath(ctx, path.Root(name))
	return !diags.HasError()
}
