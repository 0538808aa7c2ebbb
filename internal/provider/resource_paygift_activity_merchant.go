package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ resource.Resource                = &payGiftActivityMerchantResource{}
	_ resource.ResourceWithConfigure   = &payGiftActivityMerchantResource{}
	_ resource.ResourceWithImportState = &payGiftActivityMerchantResource{}
	_ resource.ResourceWithIdentity    = &payGiftActivityMerchantResource{}
	_ resource.ResourceWithModifyPlan  = &payGiftActivityMerchantResource{}
)

// NewPayGiftActivityMerchantResource manages one merchant's membership of a pay-gift activity,
// leaving the activity's other merchants alone.
func NewPayGiftActivityMerchantResource() resource.Resource {
	return &payGiftActivityMerchantResource{resourceBase{name: "paygift_activity_merchant"}}
}

type payGiftActivityMerchantResource struct {
	resourceBase
}

type payGiftActivityMerchantModel struct {
	ID             types.String   `tfsdk:"id"`
	ActivityID     types.String   `tfsdk:"activity_id"`
	MerchantID     types.String   `tfsdk:"merchant_id"`
	DeletionPolicy types.String   `tfsdk:"deletion_policy"`
	AdoptExisting  types.Bool     `tfsdk:"adopt_existing"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (r *payGiftActivityMerchantResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Makes one merchant issue a pay-gift (支付有礼) activity's coupons (发券商户号), leaving " +
			"the activity's other merchants alone, so that several configurations can each add their own merchant. " +
			"If the merchant is removed elsewhere, the next apply adds it again. Never use it on an activity whose " +
			"list `wechatpay_paygift_activity_merchants` manages: that resource would remove this merchant. The " +
			"merchants can change only while the activity is `ONGOING_ACT_STATUS`.",
		Attributes: map[string]schema.Attribute{
			"id": stableAttribute("`<activity_id>/<merchant_id>`."),
			"activity_id": identifyingAttribute(activityIDValidators(),
				activityIDDescription+" Changing it replaces the membership."),
			"merchant_id": identifyingAttribute(merchantIDValidators(),
				"Merchant id (商户号, "+merchantIDRule+") to add: a sub-merchant of the provider's "+
					"`mchid`, or the `mchid` itself. Changing it replaces the membership."),
			"deletion_policy": deletionPolicyAttribute("removes the merchant from the activity"),
			"adopt_existing":  adoptExistingAttribute("the merchant"),
		},
		Blocks: map[string]schema.Block{"timeouts": resourceTimeouts(ctx, timeouts.Opts{Create: true, Read: true, Delete: true}, defaultPayGiftChangeTimeout)},
	}
}

func (r *payGiftActivityMerchantResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = payGiftMembershipIdentitySchema()
}

// ModifyPlan refuses a membership that overlaps another resource of the configuration, and warns
// of every destroy and replacement: they remove the merchant from the activity.
func (r *payGiftActivityMerchantResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	state, plan, ok := planModels[payGiftActivityMerchantModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	if plan != nil && !plan.ActivityID.IsUnknown() && !plan.MerchantID.IsUnknown() {
		claimMembers(r.overlaps, &resp.Diagnostics, plan.ActivityID.ValueString(), plan.MerchantID.ValueString(), state != nil)
	}
	replaced := plan != nil && state != nil && (!plan.ActivityID.Equal(state.ActivityID) || !plan.MerchantID.Equal(state.MerchantID))
	if state != nil && (plan == nil || replaced) && !abandons(state.DeletionPolicy) {
		warnRemoval(&resp.Diagnostics, removal{
			summary: "Pay-Gift Activity Merchant Will Be Removed",
			does: fmt.Sprintf("the apply removes merchant %s from pay-gift activity %s: it stops issuing the activity's "+
				"coupons.", state.MerchantID.ValueString(), state.ActivityID.ValueString()),
			undone: "removing it",
		}, replaced)
	}
}

func (r *payGiftActivityMerchantResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan payGiftActivityMerchantModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultPayGiftChangeTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	activityID, merchantID := plan.ActivityID.ValueString(), plan.MerchantID.ValueString()
	plan.ID = types.StringValue(activityID + "/" + merchantID)
	_, err := r.client.FindActivityMember(ctx, activityID, merchantID)
	switch {
	case err == nil && plan.AdoptExisting.ValueBool():
		tflog.Info(ctx, "adopt_existing: the merchant is already a member, taken over as it is", map[string]any{"id": plan.ID.ValueString()})
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		setIdentity(ctx, resp.Identity, payGiftMembershipIdentityOf(activityID, merchantID), &resp.Diagnostics)
		return
	case err == nil:
		refuseExisting(&resp.Diagnostics, "Pay-Gift Activity Merchant Already Exists", fmt.Sprintf("The membership of "+
			"merchant %s in pay-gift activity %s", merchantID, activityID), typeActivityMerchant, plan.ID.ValueString())
		return
	case !wxpay.IsNotFound(err):
		addCallError(ctx, &resp.Diagnostics, "Unable to Add Pay-Gift Activity Merchant", err, payGiftHints...)
		return
	}

	added, refused, err := r.client.NewActivityMerchantsChange(activityID).Add(ctx, []string{merchantID})
	added, err = confirmWrite(err, added, func() ([]string, bool) {
		_, findErr := r.client.FindActivityMember(ctx, activityID, merchantID)
		return []string{merchantID}, findErr == nil
	}, untrustedWrite{
		summary: "Pay-Gift Activity Merchant Added Without a Trusted Answer",
		call:    "add",
		found:   fmt.Sprintf("merchant %s as a member of activity %s", merchantID, activityID),
	}, &resp.Diagnostics)
	if err != nil {
		addPayGiftCallError(ctx, &resp.Diagnostics, "Unable to Add Pay-Gift Activity Merchant", err)
		return
	}
	if len(added) == 0 {
		addRefusedError(&resp.Diagnostics, "Unable to Add Pay-Gift Activity Merchant", activityID, refused, "")
		return
	}

	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, payGiftMembershipIdentityOf(activityID, merchantID), &resp.Diagnostics)
}

func (r *payGiftActivityMerchantResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state payGiftActivityMerchantModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Before the call: the framework wants an identity even from a read that removes the resource.
	setIdentity(ctx, resp.Identity, payGiftMembershipIdentityOf(state.ActivityID.ValueString(), state.MerchantID.ValueString()), &resp.Diagnostics)
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	_, err := r.client.FindActivityMember(ctx, state.ActivityID.ValueString(), state.MerchantID.ValueString())
	if wxpay.IsNotFound(err) {
		// Gone elsewhere: the next plan adds it again.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, "Unable to Read Pay-Gift Activity Merchant", err, payGiftHints...)
		return
	}

	state.ID = types.StringValue(state.ActivityID.ValueString() + "/" + state.MerchantID.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	fillNewArguments(ctx, &resp.State, &resp.Diagnostics)
}

// Update records the arguments that call nothing (inPlaceArguments): every other argument
// replaces the resource.
func (r *payGiftActivityMerchantResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateWithoutCalls(ctx, req, resp)
	var state payGiftActivityMerchantModel
	resp.Diagnostics.Append(resp.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	setIdentity(ctx, resp.Identity, payGiftMembershipIdentityOf(state.ActivityID.ValueString(), state.MerchantID.ValueString()), &resp.Diagnostics)
}

func (r *payGiftActivityMerchantResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state payGiftActivityMerchantModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if abandons(state.DeletionPolicy) {
		abandon(ctx, "merchant "+state.MerchantID.ValueString()+" of pay-gift activity "+state.ActivityID.ValueString())
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultPayGiftChangeTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	activityID := state.ActivityID.ValueString()
	_, err := r.client.NewActivityMerchantsChange(activityID).Remove(ctx, []string{state.MerchantID.ValueString()})
	if err != nil && !wxpay.IsNotFound(err) {
		addPayGiftCallError(ctx, &resp.Diagnostics, "Unable to Remove Pay-Gift Activity Merchant", err)
	}
}

func (r *payGiftActivityMerchantResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil {
		if req.ID = identityImportID[payGiftMembershipIdentity](ctx, req.Identity, &resp.Diagnostics); resp.Diagnostics.HasError() {
			return
		}
	}
	format := importFormat{resourceType: "wechatpay_paygift_activity_merchant", format: "`<activity_id>/<merchant_id>`", sep: "/",
		example: "10028001/1900000109"}
	parts, ok := format.split(req.ID, 2, &resp.Diagnostics)
	if !ok || !format.valid(ctx, path.Root("activity_id"), parts[0], activityIDValidators(), &resp.Diagnostics) ||
		!format.valid(ctx, path.Root("merchant_id"), parts[1], merchantIDValidators(), &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("activity_id"), parts[0])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("merchant_id"), parts[1])...)
}
