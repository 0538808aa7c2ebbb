package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ resource.Resource                = &goldPlanAdvertisingResource{}
	_ resource.ResourceWithConfigure   = &goldPlanAdvertisingResource{}
	_ resource.ResourceWithImportState = &goldPlanAdvertisingResource{}
	_ resource.ResourceWithModifyPlan  = &goldPlanAdvertisingResource{}
)

// NewGoldPlanAdvertisingResource shows ads on a sub-merchant's payment result page, keeping
// some industries out.
func NewGoldPlanAdvertisingResource() resource.Resource {
	return &goldPlanAdvertisingResource{resourceBase{name: "goldplan_advertising"}}
}

type goldPlanAdvertisingResource struct {
	resourceBase
}

type goldPlanAdvertisingModel struct {
	goldPlanModel
	IndustryFilters types.Set    `tfsdk:"industry_filters"`
	Reassert        types.String `tfsdk:"reassert"`
}

func (r *goldPlanAdvertisingResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = goldPlanSchema(ctx, "Shows gold plan ads on a sub-merchant's payment result page, optionally "+
		"keeping up to three industries out of them; destroying it stops the ads. The gold plan must be open, so "+
		"make this resource come after `wechatpay_goldplan_status`. Industry filters can be replaced but never "+
		"cleared through the API. WeChat Pay has no call that reads any of this back.",
		openGoldPlanSubMchid("stops the old sub-merchant's ads and shows the new one's."),
		map[string]schema.Attribute{
			"industry_filters": schema.SetAttribute{
				MarkdownDescription: "Industries whose ads are never shown to this sub-merchant's payers (" +
					"advertising_industry_filters): 1 to 3 of " + quotedList(wxpay.AdvertisingIndustries) + " " +
					"(the misspellings are WeChat Pay's own). Changing them replaces the previous set in place. " +
					"Once set, they cannot be removed through the API: removing the attribute is refused at plan " +
					"time; clear them in the merchant platform (商户平台) instead.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  industryFiltersValidators(),
			},
			"deletion_policy": deletionPolicyAttribute("stops the ads (the industry filters stay as they are)"),
			"reassert":        reassertAttribute("shows the ads with `industry_filters`"),
		})
}

// ModifyPlan warns of every destroy and replacement, which stop the ads, and refuses to drop
// the filters of an existing resource: the API can replace them but not clear them, and ignoring
// the change would leave state and WeChat Pay disagreeing.
func (r *goldPlanAdvertisingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	state, plan, removes, ok := planGoldPlan[goldPlanAdvertisingModel](ctx, &r.resourceBase, req, &resp.Diagnostics)
	if !ok || state == nil {
		return
	}
	replaced := plan != nil && !plan.SubMchid.Equal(state.SubMchid)
	if removes {
		warnRemoval(&resp.Diagnostics, removal{
			summary: "Gold Plan Ads Will Stop",
			does: fmt.Sprintf("the apply stops the gold plan ads of sub-merchant %s: its payment result page shows no "+
				"ads, and earns no ad revenue, until they are shown again.", state.SubMchid.ValueString()),
			undone: "stopping them",
		}, replaced)
	}
	// A new sub-merchant is a new resource: there is nothing to clear.
	if plan == nil || replaced {
		return
	}
	if plan.IndustryFilters.IsNull() && len(state.IndustryFilters.Elements()) > 0 {
		resp.Diagnostics.AddAttributeError(path.Root("industry_filters"), "Industry Filters Cannot Be Cleared",
			fmt.Sprintf("WeChat Pay can replace the industry filters of sub-merchant %s but has no call that clears "+
				"them, so removing `industry_filters` cannot be applied. Either keep 1 to 3 industries in "+
				"`industry_filters`, or clear them in the merchant platform (商户平台 → 点金计划), then remove this "+
				"resource from the state (`terraform state rm`) and import it again.", state.SubMchid.ValueString()))
	}
}

func (r *goldPlanAdvertisingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan goldPlanAdvertisingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultGoldPlanTimeout, &resp.Diagnostics)
	defer cancel()
	filters := sortedSetStrings(ctx, plan.IndustryFilters, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	if err := r.client.OpenAdvertisingShow(ctx, plan.SubMchid.ValueString(), filters); err != nil {
		addGoldPlanError(ctx, &resp.Diagnostics, "Unable to Show Gold Plan Ads", err)
		return
	}
	plan.ID = plan.SubMchid
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read keeps the state as it is: WeChat Pay has no call that reads the ads settings back.
func (r *goldPlanAdvertisingResource) Read(ctx context.Context, _ resource.ReadRequest, resp *resource.ReadResponse) {
	fillNewArguments(ctx, &resp.State, &resp.Diagnostics)
}

func (r *goldPlanAdvertisingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state goldPlanAdvertisingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, defaultGoldPlanTimeout, &resp.Diagnostics)
	defer cancel()
	filters := sortedSetStrings(ctx, plan.IndustryFilters, &resp.Diagnostics)
	imported, diags := req.Private.GetKey(ctx, privateImported)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	sub := plan.SubMchid.ValueString()
	var err error
	switch {
	case !plan.Reassert.Equal(state.Reassert):
		// Re-sent: showing the ads sets the filters too.
		err = r.client.OpenAdvertisingShow(ctx, sub, filters)
	case plan.IndustryFilters.Equal(state.IndustryFilters):
		// Only timeouts or deletion_policy changed.
	case len(imported) > 0:
		// Whether the ads are shown is unknown after an import: showing them sets the filters too.
		err = r.client.OpenAdvertisingShow(ctx, sub, filters)
	case len(filters) > 0:
		err = r.client.SetAdvertisingIndustryFilter(ctx, sub, filters)
	default:
		// ModifyPlan refuses this plan; reaching here means a bug, not a reason to pretend.
		resp.Diagnostics.AddAttributeError(path.Root("industry_filters"), "Industry Filters Cannot Be Cleared",
			"WeChat Pay has no call that clears industry filters; keep 1 to 3 in `industry_filters`.")
	}
	if err != nil {
		addGoldPlanError(ctx, &resp.Diagnostics, "Unable to Set Gold Plan Ads Industry Filters", err)
	}
	if resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, nil)...)
	plan.ID = plan.SubMchid
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *goldPlanAdvertisingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state goldPlanAdvertisingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if abandons(state.DeletionPolicy) {
		abandon(ctx, "gold plan ads of sub-merchant "+state.SubMchid.ValueString())
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultGoldPlanTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	sub := state.SubMchid.ValueString()
	err := r.client.CloseAdvertisingShow(ctx, sub)
	addGoldPlanCloseError(ctx, &resp.Diagnostics, "Unable to Stop Gold Plan Ads", err,
		"Gold Plan Ads Left As They Were",
		fmt.Sprintf("The gold plan of sub-merchant %s is already closed, and WeChat Pay refuses to stop its ads "+
			"while it is. No ads show while the gold plan is closed; the resource was removed from the "+
			"Terraform state. If the gold plan is opened again, the ads may show again: to avoid this, make "+
			"this resource depend on `wechatpay_goldplan_status` so that it is destroyed first.", sub))
}

func (r *goldPlanAdvertisingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importSubMchid(ctx, "wechatpay_goldplan_advertising", &goldPlanImportSettings{
		attribute: "industry_filters",
		example:   "FINANCE,GAME",
		unknown: "The state says no filters, and WeChat Pay keeps whatever filters are set; the next apply sends " +
			"the configured `industry_filters`, if any.",
	}, req, resp)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, []byte("true"))...)
}

// privateImported marks an imported advertising resource: its next change re-asserts that the
// ads are shown, not only the filters.
const privateImported = "imported"

func quotedList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}
