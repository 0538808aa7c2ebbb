package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ resource.Resource                = &goldPlanCustomPageResource{}
	_ resource.ResourceWithConfigure   = &goldPlanCustomPageResource{}
	_ resource.ResourceWithImportState = &goldPlanCustomPageResource{}
	_ resource.ResourceWithModifyPlan  = &goldPlanCustomPageResource{}
)

// NewGoldPlanCustomPageResource opens a sub-merchant's merchant receipt page (商家小票).
func NewGoldPlanCustomPageResource() resource.Resource {
	return &goldPlanCustomPageResource{resourceBase{name: "goldplan_custom_page"}}
}

type goldPlanCustomPageResource struct {
	resourceBase
}

type goldPlanCustomPageModel struct {
	ID             types.String   `tfsdk:"id"`
	SubMchid       types.String   `tfsdk:"sub_mchid"`
	DeletionPolicy types.String   `tfsdk:"deletion_policy"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (r *goldPlanCustomPageResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Opens the merchant receipt page (商家小票) of a sub-merchant's gold plan; destroying it " +
			"closes the page. The page needs the receipt link configured by the service provider and shows only " +
			"while the gold plan is open, so make this resource come after `wechatpay_goldplan_status` " +
			"(reference its `sub_mchid` or use `depends_on`). WeChat Pay has no call that reads the page back.",
		Attributes: map[string]schema.Attribute{
			"id": stableAttribute("The sub-merchant id, same as `sub_mchid`."),
			"sub_mchid": identifyingAttribute(subMchidValidators(),
				"Sub-merchant id (特约商户号), "+mchIDRule+", whose gold plan is open. Usually "+
					"`wechatpay_goldplan_status.<name>.sub_mchid`, which also orders the calls. Changing it closes "+
					"the old sub-merchant's page and opens the new one's."),
			"deletion_policy": deletionPolicyAttribute("closes the receipt page"),
		},
		Blocks: map[string]schema.Block{"timeouts": resourceTimeouts(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}, defaultGoldPlanTimeout)},
	}
}

// ModifyPlan warns of every destroy and replacement: it closes the receipt page.
func (r *goldPlanCustomPageResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	state, plan, ok := planModels[goldPlanCustomPageModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	if plan != nil && !plan.SubMchid.IsUnknown() {
		claimGoldPlan(r.overlaps, &resp.Diagnostics, "wechatpay_goldplan_custom_page", plan.SubMchid.ValueString(), state != nil)
	}
	if state != nil && (plan == nil || !plan.SubMchid.Equal(state.SubMchid)) && !abandons(state.DeletionPolicy) {
		warnRemoval(&resp.Diagnostics, removal{
			summary: "Gold Plan Receipt Page Will Be Closed",
			does: fmt.Sprintf("the apply closes the merchant receipt page (商家小票) of sub-merchant %s: payers no longer "+
				"see it after paying until it is opened again.", state.SubMchid.ValueString()),
			undone: "closing it",
		}, plan != nil)
	}
}

func (r *goldPlanCustomPageResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan goldPlanCustomPageModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultGoldPlanTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	if err := r.client.ChangeCustomPageStatus(ctx, plan.SubMchid.ValueString(), wxpay.GoldPlanOpen); err != nil {
		addGoldPlanError(ctx, &resp.Diagnostics, "Unable to Open Gold Plan Receipt Page", err)
		return
	}
	plan.ID = plan.SubMchid
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read keeps the state as it is: WeChat Pay has no call that reads the receipt page back.
func (r *goldPlanCustomPageResource) Read(ctx context.Context, _ resource.ReadRequest, resp *resource.ReadResponse) {
	fillNewArguments(ctx, &resp.State, &resp.Diagnostics)
}

// Update records the arguments that call nothing (inPlaceArguments): every other argument
// replaces the resource.
func (r *goldPlanCustomPageResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateWithoutCalls(ctx, req, resp)
}

func (r *goldPlanCustomPageResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state goldPlanCustomPageModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if abandons(state.DeletionPolicy) {
		abandon(ctx, "receipt page of sub-merchant "+state.SubMchid.ValueString())
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultGoldPlanTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	sub := state.SubMchid.ValueString()
	err := r.client.ChangeCustomPageStatus(ctx, sub, wxpay.GoldPlanClose)
	switch {
	case err == nil:
	case wxpay.IsGoldPlanNotOpen(err):
		// The gold plan was closed first (no ordering, or closed in the merchant platform).
		// The page cannot show without it, and keeping the resource would block the destroy
		// for at least 24 hours, so it goes with a warning.
		resp.Diagnostics.AddWarning("Receipt Page Left As It Was",
			fmt.Sprintf("The gold plan of sub-merchant %s is already closed, and WeChat Pay refuses to change its "+
				"receipt page while it is. The page does not show while the gold plan is closed; it was removed "+
				"from the Terraform state. If the gold plan is opened again, the page may show again: to avoid "+
				"this, make this resource depend on `wechatpay_goldplan_status` so that it is destroyed first.", sub))
	default:
		addGoldPlanError(ctx, &resp.Diagnostics, "Unable to Close Gold Plan Receipt Page", err)
	}
}

func (r *goldPlanCustomPageResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importSubMchid(ctx, "wechatpay_goldplan_custom_page", nil, req, resp)
}
