package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ action.Action                   = &goldPlanReapplyAction{}
	_ action.ActionWithConfigure      = &goldPlanReapplyAction{}
	_ action.ActionWithValidateConfig = &goldPlanReapplyAction{}
)

// NewGoldPlanReapplyAction sends a sub-merchant's gold plan settings to WeChat Pay again, in
// place. WeChat Pay cannot read a gold plan back, so a change made in the merchant platform is
// invisible to a plan; the only other way to put the configuration back, replacing the
// resources, closes the gold plan first, and a closed scene stays closed for 24 hours. This
// action never closes the gold plan: it opens the configured scenes and sets the receipt page
// and the ads as configured, each call one that sets a state and may be repeated.
func NewGoldPlanReapplyAction() action.Action {
	return &goldPlanReapplyAction{}
}

type goldPlanReapplyAction struct {
	client *wxpay.Client
}

type goldPlanReapplyModel struct {
	SubMchid        types.String `tfsdk:"sub_mchid"`
	PayScenes       types.Set    `tfsdk:"pay_scenes"`
	CustomPage      types.Bool   `tfsdk:"custom_page"`
	Advertising     types.Bool   `tfsdk:"advertising"`
	IndustryFilters types.Set    `tfsdk:"industry_filters"`
}

func (a *goldPlanReapplyAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_goldplan_reapply"
}

func (a *goldPlanReapplyAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Sends a sub-merchant's gold plan (点金计划) settings to WeChat Pay again, in place, for " +
			"Terraform 1.14 and later (`terraform apply -invoke=action.wechatpay_goldplan_reapply.<name>`, or an " +
			"`action_trigger`). WeChat Pay has no call that reads a gold plan back, so a change made in the merchant " +
			"platform never shows in a plan; replacing the resources to put it back would close the gold plan first, " +
			"and a closed scene cannot be reopened for 24 hours. This action never closes the gold plan: it opens " +
			"`pay_scenes`, then sets the receipt page and the ads as given. Each call sets a state, so running the " +
			"action again is harmless. Settings left out are not touched. It changes no Terraform state.",
		Attributes: map[string]schema.Attribute{
			"sub_mchid": schema.StringAttribute{
				MarkdownDescription: "Sub-merchant id (特约商户号), 8 to 32 digits. Usually " +
					"`wechatpay_goldplan_status.<name>.sub_mchid`.",
				Required:   true,
				Validators: subMchidValidators(),
			},
			"pay_scenes": schema.SetAttribute{
				MarkdownDescription: "Pay scenes to open again: `JSAPI` and/or `MINIPROGRAM`, in one call. Usually " +
					"`wechatpay_goldplan_status.<name>.pay_scenes`. Scenes left out are not closed.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  payScenesValidators(),
			},
			"custom_page": schema.BoolAttribute{
				MarkdownDescription: "`true` opens the merchant receipt page (商家小票) again, `false` closes it; unset " +
					"leaves it alone. `true` when the configuration has a `wechatpay_goldplan_custom_page`.",
				Optional: true,
			},
			"advertising": schema.BoolAttribute{
				MarkdownDescription: "`true` shows the gold plan ads again (with `industry_filters` when given), " +
					"`false` stops them; unset leaves them alone. `true` when the configuration has a " +
					"`wechatpay_goldplan_advertising`.",
				Optional: true,
			},
			"industry_filters": schema.SetAttribute{
				MarkdownDescription: "1 to 3 industries to keep out of the ads, sent again (they replace the current " +
					"ones). Usually `wechatpay_goldplan_advertising.<name>.industry_filters`. Not with " +
					"`advertising = false`.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  industryFiltersValidators(),
			},
		},
	}
}

func (a *goldPlanReapplyAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses at plan time an action that would send nothing, and filters for ads
// it would stop.
func (a *goldPlanReapplyAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m goldPlanReapplyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.PayScenes.IsNull() && m.CustomPage.IsNull() && m.Advertising.IsNull() && m.IndustryFilters.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("sub_mchid"), "Nothing to Reapply",
			"Set at least one of `pay_scenes`, `custom_page`, `advertising` or `industry_filters`: the action sends "+
				"only the settings it is given.")
	}
	if !m.IndustryFilters.IsNull() && !m.Advertising.IsNull() && !m.Advertising.IsUnknown() && !m.Advertising.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("industry_filters"), "Industry Filters Without Ads",
			"`industry_filters` are sent with the ads, but `advertising = false` stops them. Remove `industry_filters`, "+
				"or set `advertising = true`.")
	}
}

func (a *goldPlanReapplyAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m goldPlanReapplyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	scenes := payScenes(ctx, m.PayScenes, &resp.Diagnostics)
	filters := sortedSetStrings(ctx, m.IndustryFilters, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, defaultGoldPlanTimeout)
	defer cancel()

	sub := m.SubMchid.ValueString()
	var done []string
	// In this order: the receipt page and the ads can only change while the gold plan is open.
	steps := []struct {
		skip    bool
		summary string
		what    string
		call    func() error
	}{
		{len(scenes) == 0, "Unable to Open Gold Plan", fmt.Sprintf("opened the gold plan for %s", sceneNames(scenes)), func() error {
			scene, _ := wxpay.PaySceneFor(scenes)
			return a.client.ChangeGoldPlanStatus(ctx, sub, wxpay.GoldPlanOpen, scene)
		}},
		{m.CustomPage.IsNull() || !m.CustomPage.ValueBool(), "Unable to Open Gold Plan Receipt Page", "opened the receipt page", func() error {
			return a.client.ChangeCustomPageStatus(ctx, sub, wxpay.GoldPlanOpen)
		}},
		{m.CustomPage.IsNull() || m.CustomPage.ValueBool(), "Unable to Close Gold Plan Receipt Page", "closed the receipt page", func() error {
			return a.client.ChangeCustomPageStatus(ctx, sub, wxpay.GoldPlanClose)
		}},
		{m.Advertising.IsNull() || !m.Advertising.ValueBool(), "Unable to Show Gold Plan Ads", adsShownWithout(filters), func() error {
			return a.client.OpenAdvertisingShow(ctx, sub, filters)
		}},
		{m.Advertising.IsNull() || m.Advertising.ValueBool(), "Unable to Stop Gold Plan Ads", "stopped the ads", func() error {
			return a.client.CloseAdvertisingShow(ctx, sub)
		}},
		{!m.Advertising.IsNull() || len(filters) == 0, "Unable to Set Gold Plan Ads Industry Filters",
			"set the ads industry filters to " + strings.Join(filters, ", "), func() error {
				return a.client.SetAdvertisingIndustryFilter(ctx, sub, filters)
			}},
	}
	for _, s := range steps {
		if s.skip {
			continue
		}
		if err := s.call(); err != nil {
			addGoldPlanError(ctx, &resp.Diagnostics, s.summary, err)
			resp.Diagnostics.AddError("Gold Plan Reapplied in Part", fmt.Sprintf("For sub-merchant %s the action %s "+
				"before it stopped. Every call sets a state, so invoking the action again once the error above is "+
				"resolved is safe.", sub, orNothing(done)))
			return
		}
		done = append(done, s.what)
		resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf("Sub-merchant %s: %s.", sub, s.what)})
	}
}

func sceneNames(scenes []wxpay.PayScene) string {
	names := make([]string, len(scenes))
	for i, s := range scenes {
		names[i] = string(s)
	}
	return strings.Join(names, " and ")
}

func adsShownWithout(filters []string) string {
	if len(filters) == 0 {
		return "showed the ads"
	}
	return "showed the ads without " + strings.Join(filters, ", ")
}

func orNothing(done []string) string {
	if len(done) == 0 {
		return "sent nothing"
	}
	return strings.Join(done, ", ")
}
