package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

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

// goldPlanCustomPageModel has nothing beyond what every gold plan resource has.
type goldPlanCustomPageModel struct {
	goldPlanModel
}

func (r *goldPlanCustomPageResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = goldPlanSchema(ctx, "Opens the merchant receipt page (商家小票) of a sub-merchant's gold plan; "+
		"destroying it closes the page. The page needs the receipt link configured by the service provider and "+
		"shows only while the gold plan is open, so make this resource come after `wechatpay_goldplan_status` "+
		"(reference its `sub_mchid` or use `depends_on`). WeChat Pay has no call that reads the page back.",
		openGoldPlanSubMchid("closes the old sub-merchant's page and opens the new one's."),
		map[string]schema.Attribute{
			"deletion_policy": deletionPolicyAttribute("closes the receipt page"),
		})
}

// ModifyPlan warns of every destroy and replacement: it closes the receipt page.
func (r *goldPlanCustomPageResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	state, plan, removes, ok := planGoldPlan[goldPlanCustomPageModel](ctx, &r.resourceBase, req, &resp.Diagnostics)
	if ok && removes {
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
	addGoldPlanCloseError(ctx, &resp.Diagnostics, "Unable to Close Gold Plan Receipt Page", err,
		"Receipt Page Left As It Was",
		fmt.Sprintf("The gold plan of sub-merchant %s is already closed, and WeChat Pay refuses to change its "+
			"receipt page while it is. The page does not show while the gold plan is closed; it was removed "+
			"from the Terraform state. If the gold plan is opened again, the page may show again: to avoid "+
			"this, make this resource depend on `wechatpay_goldplan_status` so that it is destroyed first.", sub))
}

func (r *goldPlanCustomPageResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importSubMchid(ctx, "wechatpay_goldplan_custom_page", nil, req, resp)
}
