package provider

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// Errors that answers not signed by WeChat Pay lead to say what happened and what to do.
func TestCallErrorDetailUnsignedAnswers(t *testing.T) {
	refusal := &wxpay.APIError{StatusCode: 429, Code: "FREQUENCY_LIMITED", Message: "频率超限", RequestID: "REQ-1",
		WellFormed: true, Host: "api.mch.weixin.qq.com", Method: "GET", Path: "/v3/x", Attempts: 1}
	proxy := &wxpay.APIError{StatusCode: 404, Message: "<html>404 Not Found</html>", Host: "proxy.example:443",
		Method: "GET", Path: "/v3/marketing/partnerships", Attempts: 1}
	tests := []struct {
		name string
		err  error
		want []string
		not  []string
	}{
		{"Retry-After past the deadline",
			&wxpay.RetryWaitError{Wait: 90 * time.Second, Left: 40 * time.Second, ByDeadline: true, Host: refusal.Host, Err: refusal},
			[]string{"WeChat Pay asked to wait 90 s (Retry-After)", "Only 40 s were left", "Raise the resource's `timeouts`",
				"HTTP 429 FREQUENCY_LIMITED", "Request-ID: REQ-1"},
			[]string{"after all retries"}},
		{"Retry-After past the client's limit",
			&wxpay.RetryWaitError{Wait: time.Hour, Left: 2 * time.Minute, Host: refusal.Host, Err: refusal},
			[]string{"asked to wait 3600 s", "at most 2 minutes in all", "Apply again later"}, nil},
		{"Retry-After from a proxy",
			&wxpay.RetryWaitError{Wait: time.Hour, Left: 2 * time.Minute, Host: proxy.Host, Err: proxy},
			[]string{"Host proxy.example:443 asked to wait 3600 s", "not a WeChat Pay error answer"}, []string{"WeChat Pay asked"}},
		{"a 404 that is not WeChat Pay's", proxy,
			[]string{"Host proxy.example:443 answered HTTP 404", "not a WeChat Pay error", "never taken as deleted", "`endpoint`"},
			[]string{"WeChat Pay answered"}},
		{"a certificate that does not verify",
			&wxpay.NetworkError{Host: "api.mch.weixin.qq.com", Method: "GET", Path: "/v3/x", Attempts: 1,
				Err: &wxpay.CertificateError{Host: "api.mch.weixin.qq.com", Err: x509.UnknownAuthorityError{}}},
			[]string{"TLS certificate of api.mch.weixin.qq.com could not be verified", "not retried", "do not turn certificate checks off"},
			[]string{"try again"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := callErrorDetail(context.Background(), errors.Join(errors.New("wrapped"), tt.err), payGiftHints)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("detail does not say %q:\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("detail says %q:\n%s", n, got)
				}
			}
		})
	}
}

// Every hint names a Reason and no list names one twice: a second hint for a Reason is never shown.
func TestHintsNameEachReasonOnce(t *testing.T) {
	for name, hints := range map[string][]hint{"common": knownAnswers, "gold plan": goldPlanHints,
		"pay-gift": payGiftHints, "partnership": partnershipHints} {
		seen := map[wxpay.Reason]bool{}
		for _, h := range hints {
			if h.reason == "" || seen[h.reason] {
				t.Errorf("%s hints: reason %q is empty or given twice", name, h.reason)
			}
			seen[h.reason] = true
		}
	}
}

// The advice follows the Reason the client reads, whichever way WeChat Pay spells the message,
// and the API family's advice comes before the common one.
func TestCallErrorDetailAdvice(t *testing.T) {
	answer := func(code, message string) error {
		return &wxpay.APIError{StatusCode: 400, Code: code, Message: message, RequestID: "REQ-1", WellFormed: true,
			Host: "api.mch.weixin.qq.com", Method: "POST", Path: "/v3/x", Attempts: 1}
	}
	tests := []struct {
		name  string
		err   error
		hints []hint
		want  string
	}{
		{"penalty as documented", answer("INVALID_REQUEST", "特约商户被处罚中"), goldPlanHints, subMerchantPenalizedAdvice},
		{"penalty as served", answer("INVALID_REQUEST", "特约商户处于处罚中"), goldPlanHints, subMerchantPenalizedAdvice},
		{"unknown activity, 404", answer("RESOURCE_NOT_EXISTS", "资源不存在或无可用"), payGiftHints, unknownActivityAdvice},
		{"unknown activity, 400", answer("INVALID_REQUEST", "查询活动详情结果为空,请确认活动ID是否正确"), payGiftHints, unknownActivityAdvice},
		{"family before common", answer("NO_AUTH", "无权限"), payGiftHints, "only the activity's owner"},
		{"common without family", answer("NO_AUTH", "无权限"), nil, "lacks the permission"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := callErrorDetail(context.Background(), tt.err, tt.hints)
			if !strings.Contains(got, tt.want) || !strings.Contains(got, "Request-ID: REQ-1") {
				t.Errorf("detail does not say %q with the answer's facts:\n%s", tt.want, got)
			}
		})
	}
}
