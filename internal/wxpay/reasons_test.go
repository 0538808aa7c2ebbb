package wxpay

import (
	"errors"
	"fmt"
	"testing"
)

// Every spelling of a Reason is read as that Reason: none is shadowed by an earlier row.
func TestReasonOfEverySpelling(t *testing.T) {
	for _, r := range reasonAnswers {
		msg := r.message
		if msg == "" {
			msg = "任意"
		}
		err := fmt.Errorf("wrapped: %w", &APIError{StatusCode: 400, Code: r.code, Message: "前缀 " + msg + " 后缀", API: r.api})
		if got := ReasonOf(err); got != r.reason {
			t.Errorf("%s %q is read as %q, want %q", r.code, msg, got, r.reason)
		}
	}
}

// The code decides first, then the message; several spellings of one case are one Reason.
func TestReasonOf(t *testing.T) {
	tests := []struct {
		name          string
		code, message string
		want          Reason
	}{
		{"documented penalty wording", "INVALID_REQUEST", "服务商被处罚中", ReasonProviderPenalized},
		{"server penalty wording", "INVALID_REQUEST", "服务商处于处罚中", ReasonProviderPenalized},
		{"sub-merchant penalty, documented", "INVALID_REQUEST", "特约商户被处罚中", ReasonSubMerchantPenalized},
		{"sub-merchant penalty, server", "INVALID_REQUEST", "特约商户处于处罚中", ReasonSubMerchantPenalized},
		{"provider's gold plan", "INVALID_REQUEST", "服务商未开通点金计划", ReasonProviderGoldPlanClosed},
		{"sub-merchant's gold plan", "INVALID_REQUEST", "特约商户未开通点金计划", ReasonGoldPlanNotOpen},
		{"activity status, emulator", "RULE_LIMIT", "活动当前状态不允许修改: STOP_ACT_STATUS", ReasonActivityNotRunning},
		{"activity status, docs", "RULE_LIMIT", "活动不在运行中，不允许修改", ReasonActivityNotRunning},
		{"change in progress wins", "RULE_LIMIT", "活动当前状态不允许修改，上一次修改还未完成", ReasonChangeInProgress},
		{"gold plan rate limit", "INVALID_REQUEST", "命中频率限制", ReasonRateLimited},
		{"429 rate limit", "FREQUENCY_LIMITED", "频率超限", ReasonRateLimited},
		{"reopen", "INVALID_REQUEST", "关闭点金计划后24小时内不可重新开通", ReasonReopenTooSoon},
		{"unknown activity, 400", "INVALID_REQUEST", "查询活动详情结果为空,请确认活动ID是否正确", ReasonActivityNotExists},
		{"unknown activity, 404", "RESOURCE_NOT_EXISTS", "资源不存在或无可用", ReasonResourceNotExists},
		{"default-open switch, 400", "INVALID_REQUEST", "服务商已开启默认开通点金计划,特约商户不可单个关闭", ReasonDefaultOpenSwitch},
		{"default-open switch, 403", "NO_AUTH", "服务商已开启默认开通点金计划,无权单个关闭特约商户的点金计划", ReasonDefaultOpenSwitch},
		{"other NO_AUTH", "NO_AUTH", "商户未被授权", ReasonNoAuth},
		{"message under another code", "PARAM_ERROR", "特约商户未开通点金计划", ""},
		{"code without its message", "INVALID_REQUEST", "参数错误", ""},
		{"unknown code", "SOMETHING_NEW", "命中频率限制", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := errors.Join(errors.New("context"), &APIError{StatusCode: 400, Code: tt.code, Message: tt.message})
			if got := ReasonOf(err); got != tt.want {
				t.Errorf("ReasonOf(%s %q) = %q, want %q", tt.code, tt.message, got, tt.want)
			}
		})
	}
	// The authorization state API's refusals of a sub_mchid, and those of other APIs.
	for _, tt := range []struct {
		api, code, message string
		want               Reason
	}{
		{authorizeStateAPI, "INVALID_REQUEST", "无效请求", ReasonSubMerchantUnknown},
		{authorizeStateAPI, "PARAM_ERROR", "参数错误", ReasonSubMerchantUnknown},
		{authorizeStateAPI, "PARAM_ERROR", "只能由从业机构或渠道商调用该接口", ReasonChannelPartnersOnly},
		{authorizeStateAPI, "NO_AUTH", "商户权限异常", ReasonNoAuth},
		{apiActivityMerchants, "INVALID_REQUEST", "无效请求", ""},
		{apiActivityMerchants, "PARAM_ERROR", "参数错误", ""},
	} {
		if got := ReasonOf(&APIError{StatusCode: 400, Code: tt.code, Message: tt.message, API: tt.api}); got != tt.want {
			t.Errorf("ReasonOf(%s: %s %q) = %q, want %q", tt.api, tt.code, tt.message, got, tt.want)
		}
	}
	if ReasonOf(nil) != "" || ReasonOf(errors.New("SIGN_ERROR")) != "" || ReasonOf(&VerificationError{Reason: "x"}) != "" {
		t.Error("ReasonOf read a Reason from an error without an answer")
	}
}

func TestIsGoldPlanNotOpen(t *testing.T) {
	if !IsGoldPlanNotOpen(&APIError{StatusCode: 400, Code: "INVALID_REQUEST", Message: "特约商户未开通点金计划"}) {
		t.Error("the sub-merchant's closed gold plan is not recognised")
	}
	if IsGoldPlanNotOpen(&APIError{StatusCode: 400, Code: "INVALID_REQUEST", Message: "服务商未开通点金计划"}) {
		t.Error("the service provider's closed gold plan is taken for the sub-merchant's")
	}
}

func TestInvalidMerchantReason(t *testing.T) {
	for reason, want := range map[string]Reason{
		"商户号不存在":     ReasonMerchantNotExists,
		"商户号不属于该服务商": ReasonNotSubMerchant,
		"其他原因":       "",
	} {
		if got := (InvalidMerchant{Mchid: "1900000109", InvalidReason: reason}).Reason(); got != want {
			t.Errorf("%q is read as %q, want %q", reason, got, want)
		}
	}
}
