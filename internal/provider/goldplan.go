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
	{wxpay.ReasonDefaultOpen, defaultOpenAdvice},
	{wxpay.ReasonRateLimited,
		"WeChat Pay kept refusing the call for the gold plan rate limit after all retries. Lower `rate_limit`, " +
			"raise `max_retries`, or run with less parallelism (`terraform apply -parallelism=N`)."},
	{wxpay.ReasonOperationFailed,
		"WeChat Pay could not carry out the operation (操作失败). This is usually temporary: apply again later."},
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

// reopenAdvice explains the 24-hour rule, with the time WeChat Pay gave when it gave one.
func reopenAdvice(retryAfter time.Time) string {
	when := "24 hours after it was closed"
	if !retryAfter.IsZero() {
		when = "at " + retryAfter.Format(time.RFC3339) + " (24 hours after it was closed)"
	}
	return "WeChat Pay does not reopen a gold plan scene within 24 hours of closing it (关闭点金计划后24小时内不可重新开通). " +
		"It can be opened again " + when + ": run `terraform apply` again after that. Nothing was opened, and the " +
		"Terraform state still says what is really open."
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
