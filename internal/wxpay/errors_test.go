package wxpay

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestAPIErrors(t *testing.T) {
	tests := []struct {
		name                             string
		status                           int
		body                             string
		wantCode, wantMsg                string
		notFound, rateLimited, transient bool
	}{
		{"JSON with detail", 400, `{"code":"PARAM_ERROR","message":"参数错误: sub_mchid","detail":{"field":"sub_mchid"}}`, "PARAM_ERROR", "参数错误: sub_mchid", false, false, false},
		{"404 resource", 404, `{"code":"RESOURCE_NOT_EXISTS","message":"活动不存在"}`, "RESOURCE_NOT_EXISTS", "活动不存在", true, false, false},
		{"RESOURCE_NOT_EXISTS on another status", 400, `{"code":"RESOURCE_NOT_EXISTS","message":"x"}`, "RESOURCE_NOT_EXISTS", "x", false, false, false},
		{"429", 429, `{"code":"FREQUENCY_LIMITED","message":"频率超限"}`, "FREQUENCY_LIMITED", "频率超限", false, true, true},
		{"gold plan rate limit", 400, `{"code":"INVALID_REQUEST","message":"命中频率限制"}`, "INVALID_REQUEST", "命中频率限制", false, true, true},
		{"in progress", 403, `{"code":"RULE_LIMIT","message":"上一次修改还未完成"}`, "RULE_LIMIT", "上一次修改还未完成", false, false, true},
		{"JSON that does not decode", 502, `{"code":"SYSTEM_ERROR","message":1}`, "", `{"code":"SYSTEM_ERROR","message":1}`, false, false, true},
		{"HTML 502", 502, "<html>\n  <body>502   Bad Gateway</body>\n</html>", "", "<html> <body>502 Bad Gateway</body> </html>", false, false, true},
		{"empty 503", 503, "", "", "Service Unavailable", false, false, true},
		{"long text", 500, strings.Repeat("错", 300), "", strings.Repeat("错", 66) + "…", false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := parseAPIError(tt.status, http.Header{"Request-Id": {"REQ-1"}}, []byte(tt.body))
			ae.API, ae.Method, ae.Path, ae.Host, ae.Attempts = apiActivity, "POST", "/v3/x", "api.mch.weixin.qq.com", 2
			if ae.WellFormed != (tt.wantCode != "") {
				t.Errorf("WellFormed = %v", ae.WellFormed)
			}
			if ae.Code != tt.wantCode || ae.Message != tt.wantMsg {
				t.Fatalf("code %q message %q, want %q %q", ae.Code, ae.Message, tt.wantCode, tt.wantMsg)
			}
			var err error = ae
			wrapped := errors.Join(errors.New("context"), err)
			if IsNotFound(wrapped) != tt.notFound || IsRateLimited(wrapped) != tt.rateLimited || IsTransient(wrapped) != tt.transient {
				t.Errorf("notFound/rateLimited/transient = %v/%v/%v", IsNotFound(wrapped), IsRateLimited(wrapped), IsTransient(wrapped))
			}
			if tt.wantCode != "" && !HasCode(wrapped, tt.wantCode) {
				t.Error("HasCode false")
			}
			if !MessageContains(wrapped, tt.wantMsg) {
				t.Error("MessageContains false")
			}
			want, suffix := "wechatpay: POST /v3/x: "+strconv.Itoa(tt.status), "(Request-ID REQ-1, host api.mch.weixin.qq.com, attempts 2)"
			if !ae.WellFormed {
				want = "wechatpay: POST /v3/x: HTTP " + strconv.Itoa(tt.status) + " from host api.mch.weixin.qq.com is not a WeChat Pay error answer"
				suffix = "(Request-ID REQ-1, attempts 2)"
			}
			if !strings.HasPrefix(ae.Error(), want) || !strings.HasSuffix(ae.Error(), suffix) {
				t.Errorf("Error() = %q", ae.Error())
			}
		})
	}
	if IsNotFound(nil) || IsTransient(errors.New("x")) || HasCode(nil, "") || MessageContains(errors.New("命中频率限制"), "命中") {
		t.Error("helpers matched a non-APIError")
	}
	if got := parseAPIError(400, nil, []byte(`{"code":"PARAM_ERROR","message":"m","detail":{"a":1}}`)).Detail; string(got) != `{"a":1}` {
		t.Errorf("detail = %s", got)
	}
}

// TestNoSecretsInErrors drives the client into many failures and checks that
// no error text carries key material, the APIv3 key, the Authorization
// header or any signature that crossed the wire.
func TestNoSecretsInErrors(t *testing.T) {
	ctx := context.Background()
	var errs []error
	var fakes []*fake

	e := newEnv(t, func(c *Config) { c.MaxRetries = 1 })
	fakes = append(fakes, e.fake)
	e.fake.setScript(
		reply{status: 401, body: `{"code":"SIGN_ERROR","message":"签名错误","detail":{"field":"Authorization","issue":"bad signature"}}`},
		reply{after: func(h http.Header, b *string) { *b = `{"x":1}` }},
		reply{after: func(h http.Header, _ *string) {
			h.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/"+h.Get("Wechatpay-Signature"))
		}},
		reply{tsOffset: -1000},
		apiErr(500, "SYSTEM_ERROR", "a"), apiErr(500, "SYSTEM_ERROR", "b"),
	)
	for range 5 {
		_, err := e.client.GetAuthorizeState(ctx, "1900000109")
		errs = append(errs, err)
	}
	ce, _ := certEnv(t, false, func(c *Config) { c.APIv3Key = "WrongKeyForTests0123456789abcdef" })
	fakes = append(fakes, ce.fake)
	_, err := ce.client.GetAuthorizeState(ctx, "1900000109")
	errs = append(errs, err)
	ne := newEnv(t, func(c *Config) { c.Endpoint = refusedURL(t); c.MaxRetries = -1 })
	_, err = ne.client.GetAuthorizeState(ctx, "1900000109")
	errs = append(errs, err)

	// The SDK's message for a non-RSA public key embeds the whole PEM.
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, err = ParsePublicKey(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: mustPKIX(t, &ec.PublicKey)})))
	errs = append(errs, err)
	_, err = ParsePrivateKey(strings.Replace(readTestdata(t, "merchant_key.pem"), "MII", "MIX", 1))
	errs = append(errs, err)

	forbidden := []string{testAPIv3Key, "WrongKeyForTests", "WECHATPAY2-SHA256-RSA2048", "signature=", "BEGIN", "MII"}
	for _, f := range fakes {
		f.mu.Lock()
		for _, s := range f.signatures {
			if s != "" {
				forbidden = append(forbidden, s, s[:24])
			}
		}
		f.mu.Unlock()
	}
	d := e.client.pubKey.N.Bytes()
	forbidden = append(forbidden, base64.StdEncoding.EncodeToString(d)[:24])
	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		for _, f := range forbidden {
			if strings.Contains(err.Error(), f) {
				t.Errorf("case %d: error %q contains secret %.30q", i, err, f)
			}
		}
	}
}

func mustPKIX(t *testing.T, k any) []byte {
	b, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// notFoundShapes are 404 answers to "does the object exist?". Only the first is WeChat Pay's
// well-formed answer; the others come from a proxy, a gateway or a wrong endpoint.
var notFoundShapes = []struct {
	name       string
	reply      reply
	wellFormed bool
}{
	{"WeChat Pay RESOURCE_NOT_EXISTS", apiErr(404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), true},
	{"HTML page", withoutRequestID(reply{status: 404,
		body: "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body><center><h1>404 Not Found</h1></center></body>\r\n</html>"}), false},
	{"HTML page with a Request-ID", reply{status: 404, body: "<html><body>404 Not Found</body></html>"}, false},
	{"empty body", withoutRequestID(reply{status: 404}), false},
	{"JSON without code", withoutRequestID(reply{status: 404, body: `{"error":"Not Found","status":404}`}), false},
	{"WeChat Pay JSON without Request-ID", withoutRequestID(apiErr(404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用")), false},
}

var (
	nfPartner = Partner{Type: PartnerTypeAppID, AppID: "wx4e1916a585d1f4e9"}
	nfData    = AuthorizedData{BusinessType: BusinessTypeBusifavorStock, StockID: "98065001"}
)

// Every call whose callers drop an object or finish a delete on "not found" decides it from a
// well-formed WeChat Pay answer only; any other 404 is an error that names the host and status.
func TestNotFoundOnlyFromWellFormedAnswers(t *testing.T) {
	calls := []struct {
		name string
		// call makes the call; gone is what it concluded: the object does not exist.
		call func(ctx context.Context, c *Client) (gone bool, err error)
	}{
		{"ListPartnerships", func(ctx context.Context, c *Client) (bool, error) {
			page, err := c.ListPartnerships(ctx, PartnershipFilter{Partner: &nfPartner, AuthorizedData: &nfData})
			return err == nil && page.NoMatch, err
		}},
		{"FindPartnership", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.FindPartnership(ctx, nfPartner, nfData)
			return IsNotFound(err), err
		}},
		{"LookupPartnership", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.LookupPartnership(ctx, nfPartner, nfData)
			return IsNotFound(err), err
		}},
		{"TerminatePartnership", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.TerminatePartnership(ctx, "tfterminate-1", nfPartner, nfData)
			return IsNotFound(err), err
		}},
		{"FindActivityMember", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.FindActivityMember(ctx, "10028001", "1900000109")
			return IsNotFound(err), err
		}},
		{"ListAllActivityMerchants", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.ListAllActivityMerchants(ctx, "10028001")
			return IsNotFound(err), err
		}},
		{"EachActivityMerchant", func(ctx context.Context, c *Client) (bool, error) {
			err := c.EachActivityMerchant(ctx, "10028001", func(ActivityMerchant) bool { return true })
			return IsNotFound(err), err
		}},
		{"ListAllPartnerships", func(ctx context.Context, c *Client) (bool, error) {
			all, err := c.ListAllPartnerships(ctx, PartnershipFilter{AuthorizedData: &nfData})
			return err == nil && len(all) == 0, err
		}},
		{"GetActivity", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.GetActivity(ctx, "10028001")
			return IsNotFound(err), err
		}},
		{"AddActivityMerchants", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.AddActivityMerchants(ctx, "10028001", []string{"1900000109"}, "tf-add-0")
			return IsNotFound(err), err
		}},
		{"DeleteActivityMerchants", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.DeleteActivityMerchants(ctx, "10028001", []string{"1900000109"}, "tf-del-0")
			return IsNotFound(err), err
		}},
	}
	for _, shape := range notFoundShapes {
		for _, tc := range calls {
			t.Run(shape.name+"/"+tc.name, func(t *testing.T) {
				e := newEnv(t, nil)
				e.fake.setScript(shape.reply)
				gone, err := tc.call(context.Background(), e.client)
				if gone != shape.wellFormed {
					t.Fatalf("gone = %v (err %v), want %v", gone, err, shape.wellFormed)
				}
				if shape.wellFormed {
					return
				}
				if err == nil {
					t.Fatal("no error: an answer that is not WeChat Pay's must not decide anything")
				}
				host := strings.TrimPrefix(e.primary.URL, "http://")
				if msg := err.Error(); !strings.Contains(msg, "HTTP 404 from host "+host) || !strings.Contains(msg, "not a WeChat Pay error answer") {
					t.Errorf("error %q does not name the host and status, or what is wrong with the answer", msg)
				}
				var ae *APIError
				if !errors.As(err, &ae) || ae.WellFormed {
					t.Errorf("err = %#v, want an APIError that is not well-formed", err)
				}
			})
		}
	}
}

// "Gone" is decided per API, from the answers its documentation gives.
func TestNotFoundPerAPI(t *testing.T) {
	wellFormed := func(api string, status int, code, message string) *APIError {
		ae := parseAPIError(status, http.Header{"Request-Id": {"REQ-1"}},
			[]byte(`{"code":"`+code+`","message":"`+message+`"}`))
		ae.API = api
		return ae
	}
	tests := []struct {
		name string
		err  *APIError
		want bool
	}{
		{"pay-gift list 404", wellFormed(apiActivityMerchants, 404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), true},
		{"pay-gift delete 404", wellFormed(apiActivityMerchantsDelete, 404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), true},
		{"partnership list 404", wellFormed(apiPartnerships, 404, "RESOURCE_NOT_EXISTS", "合作关系不存在"), true},
		{"pay-gift activity unknown as the delete page documents it", wellFormed(apiActivityMerchantsDelete, 400, "INVALID_REQUEST", "查询活动详情结果为空,请确认活动ID是否正确"), true},
		{"pay-gift list, unknown activity as documented", wellFormed(apiActivityMerchants, 400, "INVALID_REQUEST", "查询活动详情结果为空,请确认活动ID是否正确"), true},
		{"pay-gift add, another 400", wellFormed(apiActivityMerchantsAdd, 400, "INVALID_REQUEST", "请求业务单据号已使用,请勿重复提交"), false},
		{"the documented pay-gift 400 on a gold plan call", wellFormed("POST "+pathGoldPlanStatus, 400, "INVALID_REQUEST", "查询活动详情结果为空,请确认活动ID是否正确"), false},
		{"partnership list, nothing matches as a business refusal", wellFormed(apiPartnerships, 400, "INVALID_REQUEST", "请求参数符合参数格式,但不符合业务规则"), true},
		{"partnership list, another 400", wellFormed(apiPartnerships, 400, "INVALID_REQUEST", "HTTP 请求不符合微信支付 APIv3 接口规则"), false},
		{"terminate 404", wellFormed(apiPartnershipTerminate, 404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), true},
		// Terminate refusals are confirmed by a read (TerminatePartnership), never by their text.
		{"terminate refused with a text saying terminated", wellFormed(apiPartnershipTerminate, 400, "INVALID_REQUEST", "合作关系不存在或已终止"), false},
		{"another terminate refusal", wellFormed(apiPartnershipTerminate, 400, "INVALID_REQUEST", "请求参数符合参数格式,但不符合业务规则"), false},
		{"RESOURCE_NOT_EXISTS with another status", wellFormed(apiActivityMerchants, 400, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), false},
		{"another code on a 404", wellFormed(apiActivityMerchants, 404, "NOT_FOUND", "请求的资源不存在"), false},
		{"an API that documents no such answer", wellFormed(authorizeStateAPI, 404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), false},
		{"a gold plan call", wellFormed("POST "+pathGoldPlanStatus, 404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsNotFound(tt.err); got != tt.want {
				t.Errorf("IsNotFound = %v, want %v", got, tt.want)
			}
		})
	}
	if !IsNotFound(fmt.Errorf("wrapped: %w", &NotFoundError{Object: "x", Reason: "y"})) {
		t.Error("IsNotFound is false for the client's own NotFoundError")
	}
}

func TestIsUntrustedAnswer(t *testing.T) {
	refusal := &APIError{StatusCode: 400, Code: "RULE_LIMIT", Message: "活动未开始", WellFormed: true}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"no answer after retries", &NetworkError{Host: "h", Err: errors.New("connection reset")}, true},
		{"signature did not verify", &VerificationError{Reason: "signature does not match"}, true},
		{"answer not the expected JSON", fmt.Errorf("wechatpay: POST /v3/x: answer is not the expected JSON"), true},
		{"caller's deadline", context.DeadlineExceeded, true},
		{"error answer", refusal, false},
		{"error answer from a proxy", &APIError{StatusCode: 502, Message: "Bad Gateway"}, true},
		{"error answer asking to wait too long", &RetryWaitError{Err: refusal}, false},
		{"refusal while the activity is not running", &ActivityNotRunningError{Err: refusal}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsUntrustedAnswer(fmt.Errorf("wrapped: %w", tt.err)); tt.err != nil && got != tt.want {
				t.Errorf("IsUntrustedAnswer(wrapped %v) = %v, want %v", tt.err, got, tt.want)
			}
			if got := IsUntrustedAnswer(tt.err); got != tt.want {
				t.Errorf("IsUntrustedAnswer(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
