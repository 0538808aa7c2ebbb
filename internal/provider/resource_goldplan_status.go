package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ resource.Resource                = &goldPlanStatusResource{}
	_ resource.ResourceWithConfigure   = &goldPlanStatusResource{}
	_ resource.ResourceWithImportState = &goldPlanStatusResource{}
	_ resource.ResourceWithModifyPlan  = &goldPlanStatusResource{}
)

// NewGoldPlanStatusResource opens a sub-merchant's gold plan (点金计划) for some pay scenes.
func NewGoldPlanStatusResource() resource.Resource {
	return &goldPlanStatusResource{resourceBase{name: "goldplan_status"}}
}

type goldPlanStatusResource struct {
	resourceBase
}

type goldPlanStatusModel struct {
	goldPlanModel
	PayScenes types.Set    `tfsdk:"pay_scenes"`
	Reassert  types.String `tfsdk:"reassert"`
}

func (r *goldPlanStatusResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = goldPlanSchema(ctx, "Opens the gold plan (点金计划) of a sub-merchant for the configured pay scenes; "+
		"destroying it closes them. WeChat Pay has no call that reads the gold plan back, so changes made in the "+
		"merchant platform cannot be seen, and a closed scene cannot be reopened for 24 hours.",
		"Sub-merchant id (特约商户号), "+mchIDRule+", of one of the service provider's sub-merchants. Changing it "+
			"closes the gold plan of the old sub-merchant and opens the new one's.",
		map[string]schema.Attribute{
			"pay_scenes": schema.SetAttribute{
				MarkdownDescription: "Pay scenes the gold plan is open for: `JSAPI` (official account payment, JSAPI " +
					"支付) and/or `MINIPROGRAM` (mini program payment, 小程序支付). At least one; default `[\"JSAPI\"]`. " +
					"Adding a scene opens it, removing one closes it, in place.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default: setdefault.StaticValue(types.SetValueMust(types.StringType,
					[]attr.Value{types.StringValue(string(wxpay.PaySceneJSAPI))})),
				Validators: payScenesValidators(),
			},
			"deletion_policy": deletionPolicyAttribute("closes the gold plan for the scenes in `pay_scenes`, which " +
				"WeChat Pay then refuses to reopen for 24 hours"),
			"reassert": reassertAttribute("opens every scene of `pay_scenes`"),
		})
}

// ModifyPlan warns of every destroy and replacement: it closes the gold plan, which then stays
// closed for 24 hours.
func (r *goldPlanStatusResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	state, plan, removes, ok := planGoldPlan[goldPlanStatusModel](ctx, &r.resourceBase, req, &resp.Diagnostics)
	if ok && removes {
		warnRemoval(&resp.Diagnostics, goldPlanStatusRemoval(ctx, *state), plan != nil)
	}
}

// goldPlanStatusRemoval is what destroying the gold plan of state costs.
func goldPlanStatusRemoval(ctx context.Context, state goldPlanStatusModel) removal {
	var diags diag.Diagnostics
	scenes := "every pay scene"
	if s := payScenes(ctx, state.PayScenes, &diags); len(s) > 0 {
		scenes = sceneNames(s) + " payments"
	}
	return removal{
		summary: "Gold Plan Will Be Closed",
		does: fmt.Sprintf("the apply closes the gold plan (点金计划) of sub-merchant %s for %s, and WeChat Pay refuses "+
			"to reopen a closed scene for 24 hours: the merchant loses at least a day of gold plan ad revenue, even "+
			"if it is opened again right away.", state.SubMchid.ValueString(), scenes),
		undone: "closing it",
	}
}

func (r *goldPlanStatusResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan goldPlanStatusModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultGoldPlanTimeout, &resp.Diagnostics)
	defer cancel()
	scenes := payScenes(ctx, plan.PayScenes, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	if err := r.changeScenes(ctx, plan.SubMchid.ValueString(), wxpay.GoldPlanOpen, scenes); err != nil {
		addGoldPlanError(ctx, &resp.Diagnostics, "Unable to Open Gold Plan", err)
		return
	}
	plan.ID = plan.SubMchid
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read keeps the state as it is: WeChat Pay has no call that reads a gold plan back.
func (r *goldPlanStatusResource) Read(ctx context.Context, _ resource.ReadRequest, resp *resource.ReadResponse) {
	fillNewArguments(ctx, &resp.State, &resp.Diagnostics)
}

// Update opens the added scenes before closing the removed ones, so that a refused open
// (the 24-hour rule) leaves everything as it was, and the gold plan is never closed in
// every scene on the way from one scene to the other.
func (r *goldPlanStatusResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state goldPlanStatusModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, defaultGoldPlanTimeout, &resp.Diagnostics)
	defer cancel()
	want := payScenes(ctx, plan.PayScenes, &resp.Diagnostics)
	// After an import nothing is known to be open: every configured scene is opened again.
	had := payScenes(ctx, state.PayScenes, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	sub := plan.SubMchid.ValueString()
	added, removed := sceneDiff(had, want)
	if !plan.Reassert.Equal(state.Reassert) {
		added = want // re-sent: opening an open scene changes nothing
	}
	if err := r.changeScenes(ctx, sub, wxpay.GoldPlanOpen, added); err != nil {
		addGoldPlanError(ctx, &resp.Diagnostics, "Unable to Open Gold Plan", err)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	if err := r.changeScenes(ctx, sub, wxpay.GoldPlanClose, removed); err != nil {
		addGoldPlanError(ctx, &resp.Diagnostics, "Unable to Close Gold Plan", err)
		// The added scenes are open now; the removed ones are still managed here so the next
		// apply closes them.
		state.PayScenes = sceneSet(ctx, append(had, added...), &resp.Diagnostics)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	plan.ID = plan.SubMchid
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *goldPlanStatusResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state goldPlanStatusModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if abandons(state.DeletionPolicy) {
		abandon(ctx, "gold plan of sub-merchant "+state.SubMchid.ValueString())
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultGoldPlanTimeout, &resp.Diagnostics)
	defer cancel()
	scenes := payScenes(ctx, state.PayScenes, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// Imported and never applied: which scenes are open is unknown, so close both.
	if len(scenes) == 0 {
		scenes = []wxpay.PayScene{wxpay.PaySceneJSAPI, wxpay.PaySceneMiniProgram}
	}

	if err := r.changeScenes(ctx, state.SubMchid.ValueString(), wxpay.GoldPlanClose, scenes); err != nil {
		addGoldPlanError(ctx, &resp.Diagnostics, "Unable to Close Gold Plan", err)
	}
}

func (r *goldPlanStatusResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importSubMchid(ctx, "wechatpay_goldplan_status", &goldPlanImportSettings{
		attribute: "pay_scenes",
		example:   "JSAPI,MINIPROGRAM",
		unknown:   "The next apply opens every scene of the configured `pay_scenes` again (one call).",
	}, req, resp)
}

// changeScenes opens or closes scenes in one call; no scenes means no call.
func (r *goldPlanStatusResource) changeScenes(ctx context.Context, sub string, op wxpay.GoldPlanOperation, scenes []wxpay.PayScene) error {
	if len(scenes) == 0 {
		return nil
	}
	scene, ok := wxpay.PaySceneFor(scenes)
	if !ok {
		return fmt.Errorf("pay scenes %v cannot be sent to WeChat Pay", scenes)
	}
	return r.client.ChangeGoldPlanStatus(ctx, sub, op, scene)
}

func payScenes(ctx context.Context, s types.Set, diags *diag.Diagnostics) []wxpay.PayScene {
	var out []wxpay.PayScene
	for _, v := range setStrings(ctx, s, diags) {
		out = append(out, wxpay.PayScene(v))
	}
	return out
}

func sceneSet(ctx context.Context, scenes []wxpay.PayScene, diags *diag.Diagnostics) types.Set {
	var out []string
	for _, s := range scenes {
		if !slices.Contains(out, string(s)) {
			out = append(out, string(s))
		}
	}
	slices.Sort(out)
	return stringSet(ctx, out, diags)
}

// sceneDiff says which scenes to open and which to close to get from had to want.
func sceneDiff(had, want []wxpay.PayScene) (added, removed []wxpay.PayScene) {
	for _, s := range want {
		if !slices.Contains(had, s) {
			added = append(added, s)
		}
	}
	for _, s := range had {
		if !slices.Contains(want, s) {
			removed = append(removed, s)
		}
	}
	return added, removed
}
