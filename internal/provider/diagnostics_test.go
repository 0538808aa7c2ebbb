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
