package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ resource.Resource                = &payGiftActivityMerchantsResource{}
	_ resource.ResourceWithConfigure   = &payGiftActivityMerchantsResource{}
	_ resource.ResourceWithImportState = &payGiftActivityMerchantsResource{}
	_ resource.ResourceWithIdentity    = &payGiftActivityMerchantsResource{}
	_ resource.ResourceWithModifyPlan  = &payGiftActivityMerchantsResource{}
)

// NewPayGiftActivityMerchantsResource manages the complete list of merchants issuing a pay-gift
// activity's coupons (发券商户号).
func NewPayGiftActivityMerchantsResource() resource.Resource {
	return &payGiftActivityMerchantsResource{resourceBase{name: "paygift_activity_merchants"}}
}

type payGiftActivityMerchantsResource struct {
	resourceBase
}

type payGiftActivityMerchantsModel struct {
	ID             types.String   `tfsdk:"id"`
	ActivityID     types.String   `tfsdk:"activity_id"`
	MerchantIDs    types.List     `tfsdk:"merchant_ids"`
	DeletionPolicy types.String   `tfsdk:"deletion_policy"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (r *payGiftActivityMerchantsResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		// Version 1: merchant_ids is a list (it was a set); UpgradeState converts older states.
		Version: 1,
		MarkdownDescription: "Manages the **complete** list of merchants that issue a pay-gift (支付有礼) activity's " +
			"coupons (发券商户号). It is authoritative: merchants added to the activity anywhere else show up as drift " +
			"and are removed on the next apply. To add one merchant without owning the whole list, use " +
			"`wechatpay_paygift_activity_merchant` instead; never manage the same activity with both. The merchants " +
			"can change only while the activity is `ONGOING_ACT_STATUS`.",
		Attributes: map[string]schema.Attribute{
			"id": stableAttribute("The activity id, same as `activity_id`."),
			"activity_id": identifyingAttribute(activityIDValidators(),
				activityIDDescription+" Changing it moves the list to another activity (replacement)."),
			"merchant_ids": schema.ListAttribute{
				MarkdownDescription: "Every merchant id (商户号, " + merchantIDRule + ") that issues the activity's coupons; at " +
					"least one, each once. Each must be a sub-merchant of the provider's `mchid` (or the `mchid` itself). " +
					"The order does not matter: the same ids in another order plan no change, and a change is shown in " +
					"the order of the configuration. More than 500 are sent in several calls of at most 500. Ids WeChat " +
					"Pay refuses fail the apply with each id and its reason, and are not recorded in the state.",
				Required:    true,
				ElementType: types.StringType,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(merchantIDValidators()...),
					uniqueIDs(),
				},
				PlanModifiers: []planmodifier.List{sameIDsKeepState()},
			},
			"deletion_policy": deletionPolicyAttribute("removes every merchant in `merchant_ids` from the activity"),
		},
		Blocks: map[string]schema.Block{"timeouts": resourceTimeouts(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}, defaultPayGiftChangeTimeout)},
	}
}

func (r *payGiftActivityMerchantsResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = payGiftMembersIdentitySchema()
}

// ModifyPlan refuses a list that overlaps another resource of the configuration, and warns of
// every destroy and replacement: they remove every merchant of the list.
func (r *payGiftActivityMerchantsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	state, plan, ok := planModels[payGiftActivityMerchantsModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	if plan != nil && !plan.ActivityID.IsUnknown() {
		claimMembers(r.overlaps, &resp.Diagnostics, plan.ActivityID.ValueString(), "", state != nil)
	}
	if state != nil && (plan == nil || !plan.ActivityID.Equal(state.ActivityID)) && !abandons(state.DeletionPolicy) {
		ids := slices.Sorted(slices.Values(listStrings(ctx, state.MerchantIDs, &resp.Diagnostics)))
		warnRemoval(&resp.Diagnostics, removal{
			summary: "Pay-Gift Activity Merchants Will Be Removed",
			does: fmt.Sprintf("the apply removes the %d merchant(s) of this list (%s) from pay-gift activity %s: they "+
				"stop issuing its coupons.", len(ids), someIDs(ids), state.ActivityID.ValueString()),
			undone: "removing them",
		}, plan != nil)
	}
}

func (r *payGiftActivityMerchantsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan payGiftActivityMerchantsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultPayGiftChangeTimeout, &resp.Diagnostics)
	defer cancel()
	wanted := listStrings(ctx, plan.MerchantIDs, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	activityID := plan.ActivityID.ValueString()
	// Members already there (from a create that failed part-way, or added elsewhere) are taken
	// over, not added again: see failedCreate.
	present, err := listMemberIDs(ctx, r.client, activityID)
	if err != nil && !wxpay.IsNotFound(err) {
		addCallError(ctx, &resp.Diagnostics, "Unable to Add Pay-Gift Activity Merchants", err, payGiftHints...)
		return
	}
	added, refused, err := r.client.NewActivityMerchantsChange(activityID).Add(ctx, minus(wanted, present))
	if err != nil || len(refused) > 0 {
		failedCreate(ctx, &resp.Diagnostics, activityID, added, refused, err)
		return
	}

	// Every id is a member now. Members outside the list show up in the next plan, to be removed.
	plan.ID = plan.ActivityID
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, payGiftMembersIdentityOf(activityID), &resp.Diagnostics)
}

// failedCreate reports a create that added only some of the list, and records nothing. Terraform
// marks a resource whose create failed as tainted and replaces it on the next apply, removing
// every member it recorded before adding them back: the merchants would stop issuing coupons for
// the length of that apply. With nothing recorded, the next apply creates the resource again,
// finds the members this one added and adds only the missing ones; no member is removed.
func failedCreate(ctx context.Context, diags *diag.Diagnostics, activityID string, added []string, refused []wxpay.InvalidMerchant, err error) {
	slices.Sort(added)
	kept := "No merchant was added."
	if len(added) > 0 {
		kept = fmt.Sprintf("The %d merchant id(s) that were added (%s) stay members of the activity.", len(added),
			someIDs(added))
	}
	next := kept + " Nothing is recorded in the Terraform state, so nothing is tainted: the next apply creates this " +
		"resource again, takes over the ids that are already members and adds only the missing ones; it removes no " +
		"member. If you remove the resource from the configuration instead, the ids added stay in the activity until " +
		"you remove them in the merchant platform or import the list (`terraform import` with the activity id) and " +
		"destroy it."
	if err != nil {
		var d diag.Diagnostics
		addPayGiftCallError(ctx, &d, "Unable to Add Pay-Gift Activity Merchants", err)
		for _, e := range d.Errors() {
			diags.AddError(e.Summary(), e.Detail()+"\n\n"+next)
		}
		return
	}
	addRefusedError(diags, "Unable to Add Pay-Gift Activity Merchants", activityID, refused, next)
}

func (r *payGiftActivityMerchantsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state payGiftActivityMerchantsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Before the call: the framework wants an identity even from a read that removes the resource.
	setIdentity(ctx, resp.Identity, payGiftMembersIdentityOf(state.ActivityID.ValueString()), &resp.Diagnostics)
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	prior := listStrings(ctx, state.MerchantIDs, &resp.Diagnostics)
	members, err := listMemberIDs(ctx, r.client, state.ActivityID.ValueString())
	if wxpay.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, "Unable to Read Pay-Gift Activity Merchants", err, payGiftHints...)
		return
	}

	state.ID = state.ActivityID
	state.MerchantIDs = idList(orderedLike(members, prior))
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	fillNewArguments(ctx, &resp.State, &resp.Diagnostics)
}

func (r *payGiftActivityMerchantsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state payGiftActivityMerchantsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, defaultPayGiftChangeTimeout, &resp.Diagnostics)
	defer cancel()
	wanted := listStrings(ctx, plan.MerchantIDs, &resp.Diagnostics)
	current := listStrings(ctx, state.MerchantIDs, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	activityID := plan.ActivityID.ValueString()
	// Add first, so the activity never has fewer merchants than both lists share.
	change := r.client.NewActivityMerchantsChange(activityID)
	added, refused, err := change.Add(ctx, minus(wanted, current))
	var removed []string
	if err == nil {
		removed, err = change.Remove(ctx, minus(current, wanted))
	}

	plan.ID = plan.ActivityID
	plan.MerchantIDs = idList(orderedLike(minus(slices.Concat(current, added), removed), wanted))
	if err != nil {
		addPayGiftCallError(ctx, &resp.Diagnostics, "Unable to Update Pay-Gift Activity Merchants", err)
	}
	if len(refused) > 0 {
		addRefusedError(&resp.Diagnostics, "Unable to Update Pay-Gift Activity Merchants", activityID, refused,
			"The other changes were made and are recorded in the state.")
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, payGiftMembersIdentityOf(activityID), &resp.Diagnostics)
}

func (r *payGiftActivityMerchantsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state payGiftActivityMerchantsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if abandons(state.DeletionPolicy) {
		abandon(ctx, "merchant list of pay-gift activity "+state.ActivityID.ValueString())
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultPayGiftChangeTimeout, &resp.Diagnostics)
	defer cancel()
	current := listStrings(ctx, state.MerchantIDs, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || len(current) == 0 {
		return
	}

	activityID := state.ActivityID.ValueString()
	removed, err := r.client.NewActivityMerchantsChange(activityID).Remove(ctx, slices.Sorted(slices.Values(current)))
	if wxpay.IsNotFound(err) {
		return
	}
	if err != nil {
		// Keep in the state only the members still there, so a new destroy finishes the job.
		state.MerchantIDs = idList(orderedLike(minus(current, removed), current))
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		addPayGiftCallError(ctx, &resp.Diagnostics, "Unable to Remove Pay-Gift Activity Merchants", err)
	}
}

func (r *payGiftActivityMerchantsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil {
		if req.ID = identityImportID[payGiftMembersIdentity](ctx, req.Identity, &resp.Diagnostics); resp.Diagnostics.HasError() {
			return
		}
	}
	format := importFormat{resourceType: "wechatpay_paygift_activity_merchants", format: "the activity id (活动Id)", example: "10028001"}
	if !format.valid(ctx, path.Root("activity_id"), req.ID, activityIDValidators(), &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("activity_id"), req.ID)...)
}

var _ resource.ResourceWithUpgradeState = &payGiftActivityMerchantsResource{}

// UpgradeState converts a state written before merchant_ids became a list (schema version 0,
// where it was a set) by listing the same ids, sorted. The next refresh keeps that order and the
// configuration's order plans no change.
func (r *payGiftActivityMerchantsResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: &schema.Schema{Attributes: map[string]schema.Attribute{
				"id":           schema.StringAttribute{Computed: true},
				"activity_id":  schema.StringAttribute{Required: true},
				"merchant_ids": schema.SetAttribute{Required: true, ElementType: types.StringType},
				"timeouts":     timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
			}},
			StateUpgrader: upgradeMerchantsFromSet,
		},
	}
}

func upgradeMerchantsFromSet(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	var prior struct {
		ID          types.String   `tfsdk:"id"`
		ActivityID  types.String   `tfsdk:"activity_id"`
		MerchantIDs types.Set      `tfsdk:"merchant_ids"`
		Timeouts    timeouts.Value `tfsdk:"timeouts"`
	}
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ids := types.ListNull(types.StringType)
	if !prior.MerchantIDs.IsNull() {
		ids = idList(sortedSetStrings(ctx, prior.MerchantIDs, &resp.Diagnostics))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, payGiftActivityMerchantsModel{
		ID: prior.ID, ActivityID: prior.ActivityID, MerchantIDs: ids, Timeouts: prior.Timeouts,
	})...)
}
