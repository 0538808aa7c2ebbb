package wxpay

import (
	"errors"
	"strings"
)

// Reason is what a WeChat Pay error answer says went wrong, for the answers a caller can act on.
// WeChat Pay gives many cases one code (INVALID_REQUEST above all) and tells them apart only in
// the message, whose wording differs between its documentation and its servers. ReasonOf keys on
// the code first and the message second, and files every known spelling of a case under one
// Reason, so that callers decide on the Reason and never match message text.
type Reason string

// Reasons any API may give.
const (
	ReasonSignatureRefused  Reason = "signature-refused"   // 401 SIGN_ERROR: mchid, serial or key wrong
	ReasonUnknownSerial     Reason = "unknown-serial"      // PARAM_ERROR about the request's Wechatpay-Serial
	ReasonNoAuth            Reason = "no-auth"             // 403 NO_AUTH: the caller may not call this or touch this object
	ReasonMerchantNotExists Reason = "merchant-not-exists" // MCH_NOT_EXISTS
	ReasonResourceNotExists Reason = "resource-not-exists" // RESOURCE_NOT_EXISTS
	ReasonRateLimited       Reason = "rate-limited"        // FREQUENCY_LIMITED, or the gold plan's 400 命中频率限制
	ReasonSystemError       Reason = "system-error"        // SYSTEM_ERROR
)

// Reasons of the merchant authorization state (apply4subject) call.
const (
	// ReasonChannelPartnersOnly: only channel partners and licensed institutions may call it.
	ReasonChannelPartnersOnly Reason = "channel-partners-only"
)

// Reasons of the gold plan (点金计划) calls, all 400 INVALID_REQUEST but MCH_NOT_EXISTS.
const (
	ReasonNotServiceProvider     Reason = "not-service-provider"      // 调用方不是服务商
	ReasonProviderGoldPlanClosed Reason = "provider-gold-plan-closed" // 服务商未开通点金计划
	ReasonProviderPenalized      Reason = "provider-penalized"        // 服务商处于处罚中 / 被处罚中
	ReasonSubMerchantPenalized   Reason = "sub-merchant-penalized"    // 特约商户处于处罚中 / 被处罚中
	ReasonNotSubMerchant         Reason = "not-sub-merchant"          // 不是该服务商的特约商户
	ReasonGoldPlanNotOpen        Reason = "gold-plan-not-open"        // 特约商户未开通点金计划
	ReasonNoReceiptLink          Reason = "no-receipt-link"           // 未配置商家小票链接
	ReasonReopenTooSoon          Reason = "reopen-too-soon"           // the 24-hour rule after a CLOSE
	ReasonOperationFailed        Reason = "operation-failed"          // 操作失败
	// ReasonDefaultOpen: a CLOSE refused because the service provider's 默认开通点金计划 switch
	// keeps the gold plan of every sub-merchant with JSAPI payments open ("不可单个关闭", the
	// development guide). The API's answer is not documented: the code is 400 INVALID_REQUEST or
	// 403 NO_AUTH, the message names the switch (默认开通).
	ReasonDefaultOpen Reason = "default-open"
)

// Reasons of the pay-gift (支付有礼) calls.
const (
	ReasonActivityNotRunning Reason = "activity-not-running" // 403 RULE_LIMIT: changes only while ONGOING_ACT_STATUS
	ReasonChangeInProgress   Reason = "change-in-progress"   // 403 RULE_LIMIT 上一次修改还未完成 (transient)
	ReasonConcurrentChange   Reason = "concurrent-change"    // 403 RULE_LIMIT 并发修改 (transient)
	ReasonActivityNotExists  Reason = "activity-not-exists"  // 400 INVALID_REQUEST 查询活动详情结果为空
)

// Reasons of the marketing partnership (委托营销) calls.
const (
	ReasonFavorStockToMerchant Reason = "favor-stock-to-merchant" // a FAVOR_STOCK granted to a MERCHANT partner
	ReasonAppIDMismatch        Reason = "appid-mchid-not-match"   // APPID_MCHID_NOT_MATCH
	// ReasonStockIDRequired: the list call refused without a stock id, which its page can be
	// read as requiring ("授权业务类别为券批次时必填").
	ReasonStockIDRequired Reason = "stock-id-required"
)

// reasonAnswer is one spelling of a Reason: the answer's code, and a part of its message where
// the code alone is ambiguous ("" = any message).
type reasonAnswer struct {
	code, message string
	reason        Reason
}

// reasonAnswers lists every spelling of every Reason; the first match wins, so a spelling that
// another one's message contains comes first. WeChat Pay's documentation and its servers spell
// the penalty messages differently (被处罚中 / 处于处罚中): both are listed.
var reasonAnswers = []reasonAnswer{
	{"SIGN_ERROR", "", ReasonSignatureRefused},
	{"PARAM_ERROR", "只能由从业机构或渠道商调用该接口", ReasonChannelPartnersOnly},
	{"PARAM_ERROR", "Wechatpay-Serial", ReasonUnknownSerial},
	{"PARAM_ERROR", "FAVOR_STOCK 不能授权给商户", ReasonFavorStockToMerchant},
	{"PARAM_ERROR", "stock_id", ReasonStockIDRequired},
	{"INVALID_REQUEST", "默认开通", ReasonDefaultOpen},
	{"NO_AUTH", "默认开通", ReasonDefaultOpen},
	{"NO_AUTH", "", ReasonNoAuth},
	{"MCH_NOT_EXISTS", "", ReasonMerchantNotExists},
	{"RESOURCE_NOT_EXISTS", "", ReasonResourceNotExists},
	{"APPID_MCHID_NOT_MATCH", "", ReasonAppIDMismatch},
	{"FREQUENCY_LIMITED", "", ReasonRateLimited},
	{"SYSTEM_ERROR", "", ReasonSystemError},

	{"INVALID_REQUEST", "调用方不是服务商", ReasonNotServiceProvider},
	{"INVALID_REQUEST", "服务商未开通点金计划", ReasonProviderGoldPlanClosed},
	{"INVALID_REQUEST", "服务商处于处罚中", ReasonProviderPenalized},
	{"INVALID_REQUEST", "服务商被处罚中", ReasonProviderPenalized},
	{"INVALID_REQUEST", "特约商户处于处罚中", ReasonSubMerchantPenalized},
	{"INVALID_REQUEST", "特约商户被处罚中", ReasonSubMerchantPenalized},
	{"INVALID_REQUEST", "不是该服务商的特约商户", ReasonNotSubMerchant},
	{"INVALID_REQUEST", "特约商户未开通点金计划", ReasonGoldPlanNotOpen},
	{"INVALID_REQUEST", "未配置商家小票链接", ReasonNoReceiptLink},
	{"INVALID_REQUEST", "24小时", ReasonReopenTooSoon},
	{"INVALID_REQUEST", "命中频率限制", ReasonRateLimited},
	{"INVALID_REQUEST", "操作失败", ReasonOperationFailed},
	{"INVALID_REQUEST", "查询活动详情结果为空", ReasonActivityNotExists},

	// The transient ones first: an answer that says a change is in progress is retried,
	// whatever else it says.
	{"RULE_LIMIT", "上一次修改还未完成", ReasonChangeInProgress},
	{"RULE_LIMIT", "并发修改", ReasonConcurrentChange},
	{"RULE_LIMIT", "活动当前状态不允许修改", ReasonActivityNotRunning},
	{"RULE_LIMIT", "活动不在运行中", ReasonActivityNotRunning},
}

// ReasonOf returns the Reason of the WeChat Pay error answer in err's chain, or "" when err holds
// no error answer or one no Reason describes. It reads any error answer, well-formed or not (see
// APIError): it names what an answer says, for advice; a decision that drops an object from the
// state is IsNotFound's, which trusts only well-formed answers.
func ReasonOf(err error) Reason {
	var ae *APIError
	if !errors.As(err, &ae) {
		return ""
	}
	return ae.reason()
}

func (e *APIError) reason() Reason {
	for _, r := range reasonAnswers {
		if e.Code == r.code && strings.Contains(e.Message, r.message) {
			return r.reason
		}
	}
	return ""
}

// IsGoldPlanNotOpen reports whether err is WeChat Pay refusing a receipt page or ads change
// because the sub-merchant's gold plan is not open.
func IsGoldPlanNotOpen(err error) bool { return ReasonOf(err) == ReasonGoldPlanNotOpen }

// Reason classifies why WeChat Pay refused to add this merchant to an activity:
// ReasonMerchantNotExists (商户号不存在), ReasonNotSubMerchant (商户号不属于该服务商), or "".
func (m InvalidMerchant) Reason() Reason {
	switch {
	case strings.Contains(m.InvalidReason, "不存在"):
		return ReasonMerchantNotExists
	case strings.Contains(m.InvalidReason, "不属于"):
		return ReasonNotSubMerchant
	}
	return ""
}
