package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// Shared by the three gold plan (点金计划) resources: the attributes they all have, the plan
// warning of a removal, their error advice, the 24-hour rule, import by sub_mchid.

// goldPlanModel holds the attributes every gold plan resource has; each resource's model embeds it.
type goldPlanModel struct {
	ID             types.String   `tfsdk:"id"`
	SubMchid       types.String   `tfsdk:"sub_mchid"`
	DeletionPolicy types.String   `tfsdk:"deletion_policy"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

// goldPlanResourceModel is a pointer to the model of a gold plan resource, which embeds
// goldPlanModel and so has its goldPlan method.
type goldPlanResourceModel[M any] interface {
	*M
	goldPlan() *goldPlanModel
}

func (m *goldPlanModel) goldPlan() *goldPlanModel { return m }

// goldPlanSchema is the schema of a gold plan resource: its description and own attributes, and
// the `id`, `sub_mchid` (described by subMchid) and `timeouts` of every gold plan resource.
func goldPlanSchema(ctx context.Context, description, subMchid string, attributes map[string]schema.Attribute) schema.Schema {
	attributes["id"] = stableAttribute("The sub-merchant id, same as `sub_mchid`.")
	attributes["sub_mchid"] = identifyingAttribute(subMchidValidators(), subMchid)
	return schema.Schema{
		MarkdownDescription: description,
		Attributes:          attributes,
		Blocks: map[string]schema.Block{"timeouts": resourceTimeouts(ctx,
			timeouts.Opts{Create: true, Update: true, Delete: true}, defaultGoldPlanTimeout)},
	}
}

// openGoldPlanSubMchid describes `sub_mchid` of a resource that needs the gold plan open;
// changing says what a change of it does.
func openGoldPlanSubMchid(changing string) string {
	return "Sub-merchant id (特约商户号), " + mchIDRule + ", whose gold plan is open. Usually " +
		"`wechatpay_goldplan_status.<name>.sub_mchid`, which also orders the calls. Changing it " + changing
}

// planGoldPlan starts the ModifyPlan of a gold plan resource: it reads the prior and the planned
// state (nil for a create's prior state and for a destroy's plan, as planModels), claims the
// planned sub-merchant (claimGoldPlan), and says whether the plan removes what the resource set
// at WeChat Pay: a destroy or a replacement, unless `deletion_policy` abandons it. ok is false
// after a diagnostic.
func planGoldPlan[M any, P goldPlanResourceModel[M]](ctx context.Context, r *resourceBase, req resource.ModifyPlanRequest, diags *diag.Diagnostics) (state, plan P, removes, ok bool) {
	state, plan, ok = planModels[M](ctx, req, diags)
	if !ok {
		return nil, nil, false, false
	}
	if plan != nil && !plan.goldPlan().SubMchid.IsUnknown() {
		claimGoldPlan(r.overlaps, diags, "wechatpay_"+r.name, plan.goldPlan().SubMchid.ValueString(), state != nil)
	}
	removes = state != nil && (plan == nil || !plan.goldPlan().SubMchid.Equal(state.goldPlan().SubMchid)) &&
		!abandons(state.goldPlan().DeletionPolicy)
	return state, plan, removes, true
}

// goldPlanHints explain every business answer the gold plan calls are known to give.
var goldPlanHints = []hint{
	{reasonUntrusted,
		"If the call changes something, it may have been applied, and WeChat Pay has no way to read the gold plan " +
			"back, so `terraform plan` cannot show it. Apply again: the provider sends the wanted settings again, " +
			"which is safe, since setting a gold plan state twice changes nothing."},
	{wxpay.ReasonNotServiceProvider,
		"Only service providers (服务商) and channel partners (渠道商) can manage a sub-merchant's gold plan; " +
			"the merchant configured in the provider (`mchid`) is neither. Configure the provider with the " +
			"service provider's credentials."},
	{wxpay.ReasonProviderGoldPlanClosed,
		"The service provider itself has not opened the gold plan (点金计划). Open it in the service provider " +
			"platform (服务商平台 → 产品中心 → 点金计划), then apply again."},
	{wxpay.ReasonProviderPenalized, providerPenalizedAdvice},
	{wxpay.ReasonSubMerchantPenalized, subMerchantPenalizedAdvice},
	{wxpay.ReasonNotSubMerchant,
		"The sub-merchant is not one of this service provider's sub-merchants (特约商户). Check `sub_mchid`, and " +
			"that the provider is configured with the credentials of the service provider that onboarded it."},
	{wxpay.ReasonGoldPlanNotOpen,
		"The gold plan of this sub-merchant is not open, and the receipt page and the ads can only be changed " +
			"while it is. Manage it with `wechatpay_goldplan_status` and make this resource come after it: set " +
			"`sub_mchid = wechatpay_goldplan_status.<name>.sub_mchid` or add `depends_on`."},
	{wxpay.ReasonNoReceiptLink,
		"The service provider has not configured the merchant receipt link (商家小票链接) the receipt page " +
			"shows. Configure it in the service provider platform (服务商平台 → 点金计划 → 商家小票管理), then apply " +
			"again."},
	{wxpay.ReasonReopenTooSoon, reopenAdvice(time.Time{})},
	{wxpay.ReasonRateLimited,
		"WeChat Pay kept refusing the call for the gold plan rate limit after all retries. Lower `rate_limit`, " +
			"raise `max_retries`, or run with less parallelism (`terraform apply -parallelism=N`)."},
	{wxpay.ReasonOperationFailed,
		"WeChat Pay could not carry out the operation (操作失败). This is usually temporary: apply again later."},
	{wxpay.ReasonDefaultOpenSwitch, defaultOpenAdvice},
	{wxpay.ReasonMerchantNotExists,
		"WeChat Pay does not know this sub-merchant id. Check `sub_mchid` for typos: it must be a sub-merchant " +
			"(特约商户) already onboarded under this service provider."},
}

const (
	providerPenalizedAdvice = "The service provider is under a WeChat Pay penalty (处罚), which blocks gold plan " +
		"changes. Resolve it in the service provider platform (服务商平台), then apply again."
	subMerchantPenalizedAdvice = "The sub-merchant is under a WeChat Pay penalty (处罚), which blocks gold plan " +
		"changes. The sub-merchant has to resolve it in its merchant platform (商户平台); apply again afterwards."
)

// defaultOpenAdvice answers a CLOSE refused for the 默认开通点金计划 switch. Without it a destroy
// would fail on every apply; the ways out leave the gold plan open, as the switch wants it.
const defaultOpenAdvice = "The service provider has turned on the default-open switch (默认开通点金计划) in the " +
	"service provider platform: every sub-merchant that takes JSAPI payments has the gold plan open, and WeChat " +
	"Pay refuses to close it one by one (不可单个关闭), so this close will keep failing. To stop managing the gold " +
	"plan and leave it open, set `deletion_policy = \"ABANDON\"` on this resource, apply, then destroy it or " +
	"delete it from the configuration; or remove it with a `removed` block and `lifecycle { destroy = false }` " +
	"(Terraform 1.7 and later). To manage it while the switch is on, keep `JSAPI` in `pay_scenes`. To close it, " +
	"turn the switch off first (服务商平台 → 产品中心 → 点金计划), then apply again."

// reopenAdvice explains the 24-hour rule, with the time WeChat Pay gave when it gave one. The docs
// say only that a closed gold plan reopens after 24 hours: not whether the rule holds for the
// closed scene or for the whole sub-merchant, nor that the answer says when.
func reopenAdvice(retryAfter time.Time) string {
	when := "WeChat Pay's answer does not say when it can be opened again: 24 hours after the last close, which " +
		"the provider cannot read back (it may have been made in the merchant platform). Apply again after that."
	if !retryAfter.IsZero() {
		when = "WeChat Pay says it can be opened again at " + retryAfter.Format(time.RFC3339) + ": apply again after that."
	}
	return "WeChat Pay refuses to open the gold plan within 24 hours of closing it (关闭点金计划后24小时内不可重新开通), " +
		"and it may hold back every pay scene of the sub-merchant after one scene was closed, not only that scene. " +
		when + " Nothing was opened, and the Terraform state still says what is really open."
}

// addGoldPlanError reports a failed gold plan call; for the 24-hour refusal the advice names the
// time WeChat Pay gave.
func addGoldPlanError(ctx context.Context, diags *diag.Diagnostics, summary string, err error) {
	hints := goldPlanHints
	if at, refused := wxpay.GoldPlanRetryAfter(err); refused {
		hints = append([]hint{{wxpay.ReasonReopenTooSoon, reopenAdvice(at)}}, goldPlanHints...)
	}
	diags.AddError(summary, callErrorDetail(ctx, err, hints))
}

// addGoldPlanCloseError reports a failed close of a gold plan setting (the receipt page, the ads)
// in a destroy. WeChat Pay refuses to change a setting while the gold plan is closed (closed
// first for want of ordering, or in the merchant platform); the setting does not show then, and
// keeping the resource would block the destroy for at least 24 hours, so for that refusal the
// resource goes with the warning leftSummary, leftDetail.
func addGoldPlanCloseError(ctx context.Context, diags *diag.Diagnostics, summary string, err error, leftSummary, leftDetail string) {
	switch {
	case err == nil:
	case wxpay.IsGoldPlanNotOpen(err):
		diags.AddWarning(leftSummary, leftDetail)
	default:
		addGoldPlanError(ctx, diags, summary, err)
	}
}

// goldPlanImportSettings is what an import id of a gold plan resource may carry after the
// sub-merchant, since WeChat Pay cannot be asked: `<sub_mchid>:<value>,<value>` sets attribute,
// checked with the attribute's own validators.
type goldPlanImportSettings struct {
	attribute string // pay_scenes, industry_filters
	example   string // an example of the list
	unknown   string // what the next apply does when the list is left out
}

// importSubMchid starts the state of a gold plan resource imported by its sub_mchid and, when the
// id carries them, the settings the user knows are in force. Nothing can be read back from WeChat
// Pay, so a bare import warns that the settings are unknown until the next apply asserts them.
func importSubMchid(ctx context.Context, resourceType string, settings *goldPlanImportSettings, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	format := importFormat{resourceType: resourceType, format: "the sub-merchant id (特约商户号)", example: "1900000109"}
	if settings != nil {
		format.format = fmt.Sprintf("the sub-merchant id (特约商户号), then optionally `:` and the `%s` in force, "+
			"comma-separated", settings.attribute)
		format.example = "1900000109:" + settings.example
	}
	sub, list, carried := strings.Cut(req.ID, ":")
	if !format.valid(ctx, path.Root("sub_mchid"), sub, subMchidValidators(), &resp.Diagnostics) {
		return
	}
	if carried && settings == nil {
		resp.Diagnostics.AddError(invalidImportID, fmt.Sprintf("Import this resource by %s, for example `%s`; got %q.",
			format.format, format.command(), req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), sub)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("sub_mchid"), sub)...)
	if settings == nil {
		return
	}
	if !carried {
		resp.Diagnostics.AddWarning("Gold Plan Settings Unknown After Import", fmt.Sprintf("WeChat Pay has no call "+
			"that reads a gold plan back, so the import recorded sub-merchant %s and not its `%s`. %s To record the "+
			"settings you know are in force instead, import with them in the id, for example `%s:%s`; "+
			"`terraform plan -generate-config-out` then writes them and the next plan is clean.",
			sub, settings.attribute, settings.unknown, sub, settings.example))
		return
	}
	var validators []validator.Set
	if a, ok := resp.State.Schema.GetAttributes()[settings.attribute].(interface{ SetValidators() []validator.Set }); ok {
		validators = a.SetValidators()
	}
	set, ok := format.validSet(ctx, path.Root(settings.attribute), list, validators, &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(settings.attribute), set)...)
}
