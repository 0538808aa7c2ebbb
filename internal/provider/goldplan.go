package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// Shared by the three gold plan (点金计划) resources: their error advice, the 24-hour rule,
// import by sub_mchid.

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

// defaultOpenAdvice explains a CLOSE refused for the service provider's 默认开通点金计划 switch.
const defaultOpenAdvice = "The service provider has turned on the switch that opens the gold plan by default " +
	"(默认开通点金计划): the gold plan of every sub-merchant taking JSAPI payments stays open and cannot be closed one " +
	"by one. To stop managing it here without closing it, set `close_on_destroy = false` on the " +
	"`wechatpay_goldplan_status` resource and apply before destroying it, or remove it from the state (a `removed` " +
	"block, or `terraform state rm`), and keep `JSAPI` in `pay_scenes` while the switch is on. To close it, turn the switch off in the " +
	"service provider platform (服务商平台 → 点金计划) first, then apply again."

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
	addCallError(ctx, diags, summary, err, hints...)
}

// importSubMchid starts the state of a gold plan resource imported by its sub_mchid. Nothing can
// be read back from WeChat Pay, so the rest stays null until the next apply asserts it.
func importSubMchid(ctx context.Context, resourceType string, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	format := importFormat{resourceType: resourceType, format: "the sub-merchant id (特约商户号)", example: "1900000109"}
	if !format.valid(ctx, path.Root("sub_mchid"), req.ID, subMchidValidators(), &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("sub_mchid"), req.ID)...)
}
