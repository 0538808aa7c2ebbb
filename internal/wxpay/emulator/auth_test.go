package emulator

import (
	"context"
	"crypto/rsa"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/validators"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/downloader"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
)

const (
	testSub      = "1900000109"
	stateURI     = "/v3/apply4subject/applyment/merchants/" + testSub + "/state"
	goldPlanURI  = "/v3/goldplan/merchants/changegoldplanstatus"
	openGoldPlan = `{"sub_mchid":"1900000109","operation_type":"OPEN"}`
)

func seedBasics(t *testing.T, e *env) {
	t.Helper()
	err := e.srv.Seed(Seed{SubMerchants: []SubMerchant{
		{SubMchid: testSub, Name: "Test Shop", AuthorizeState: AuthorizeStateAuthorized},
		{SubMchid: "1900000110", Name: "Second Shop"},
		{SubMchid: "1900000666", Name: "Foreign Shop", Owner: "1900000999"},
	}})
	if err != nil {
		t.Fatal(err)
	}
}

func dropParam(name string) func(string) string {
	re := regexp.MustCompile(`,?` + name + `="[^"]*"`)
	return func(a string) string { return strings.Replace(re.ReplaceAllString(a, ""), "RSA2048 ,", "RSA2048 ", 1) }
}

func TestRequestVerificationRefusals(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	other := e.keys.PlatformKey
	cases := []struct {
		name           string
		method, uri    string
		body           string
		opts           []opt
		status         int
		code, issueHas string
	}{
		{"missing Authorization", "GET", stateURI, "", []opt{withAuthorization("")}, 401, "SIGN_ERROR", "missing"},
		{"wrong scheme", "GET", stateURI, "", []opt{withScheme("WECHATPAY2-SHA256-RSA")}, 401, "SIGN_ERROR", "scheme"},
		{"lowercase scheme", "GET", stateURI, "", []opt{withScheme("wechatpay2-sha256-rsa2048")}, 401, "SIGN_ERROR", "scheme"},
		{"missing serial_no", "GET", stateURI, "", []opt{withAuthEdit(dropParam("serial_no"))}, 401, "SIGN_ERROR", "serial_no"},
		{"missing nonce_str", "GET", stateURI, "", []opt{withAuthEdit(dropParam("nonce_str"))}, 401, "SIGN_ERROR", "nonce_str"},
		{"unquoted value", "GET", stateURI, "", []opt{withAuthEdit(func(a string) string { return strings.Replace(a, `mchid="1900000001"`, `mchid=1900000001`, 1) })}, 401, "SIGN_ERROR", "malformed"},
		{"unknown mchid", "GET", stateURI, "", []opt{withMchID("1900009999")}, 401, "SIGN_ERROR", "mchid"},
		{"unknown serial", "GET", stateURI, "", []opt{withSerial("7132D72A03E93CDDF8C03BBD1F37EEDF843B9AB1")}, 401, "SIGN_ERROR", "serial_no"},
		{"signed by another key", "GET", stateURI, "", []opt{withKey(other)}, 401, "SIGN_ERROR", "signature"},
		{"body altered after signing", "POST", goldPlanURI, openGoldPlan, []opt{withSignedBody(`{"sub_mchid":"1900000109","operation_type":"CLOSE"}`)}, 401, "SIGN_ERROR", "signature"},
		{"body re-marshalled after signing", "POST", goldPlanURI, openGoldPlan, []opt{withSignedBody("{\"sub_mchid\": \"1900000109\", \"operation_type\": \"OPEN\"}")}, 401, "SIGN_ERROR", "signature"},
		{"query altered", "GET", "/v3/marketing/partnerships?limit=10", "", []opt{withSignedURI("/v3/marketing/partnerships?limit=20")}, 401, "SIGN_ERROR", "signature"},
		{"signed without query", "GET", "/v3/marketing/partnerships?limit=10", "", []opt{withSignedURI("/v3/marketing/partnerships")}, 401, "SIGN_ERROR", "signature"},
		{"signed with trailing ?", "GET", stateURI, "", []opt{withSignedURI(stateURI + "?")}, 401, "SIGN_ERROR", "signature"},
		{"PATCH signed as POST", "PATCH", "/v3/goldplan/merchants/open-advertising-show", `{"sub_mchid":"1900000109"}`, []opt{withSignedMethod("POST")}, 401, "SIGN_ERROR", "signature"},
		{"timestamp 5 min old", "GET", stateURI, "", []opt{withClockSkew(-300 * time.Second)}, 401, "SIGN_ERROR", "timestamp"},
		{"timestamp 5 min ahead", "GET", stateURI, "", []opt{withClockSkew(302 * time.Second)}, 401, "SIGN_ERROR", "timestamp"},
		{"timestamp in milliseconds", "GET", stateURI, "", []opt{withAuthEdit(func(a string) string {
			return regexp.MustCompile(`timestamp="(\d+)"`).ReplaceAllString(a, `timestamp="${1}000"`)
		})}, 401, "SIGN_ERROR", "timestamp"},
		{"missing Accept", "GET", stateURI, "", []opt{withHeader("Accept", "")}, 400, "INVALID_REQUEST", "Accept"},
		{"Accept not JSON", "GET", stateURI, "", []opt{withHeader("Accept", "text/html")}, 400, "INVALID_REQUEST", "Accept"},
		{"missing User-Agent", "GET", stateURI, "", []opt{withHeader("User-Agent", "")}, 400, "INVALID_REQUEST", "User-Agent"},
		{"missing Content-Type with body", "POST", goldPlanURI, openGoldPlan, []opt{withHeader("Content-Type", "")}, 400, "INVALID_REQUEST", "Content-Type"},
		{"Content-Type not JSON", "POST", goldPlanURI, openGoldPlan, []opt{withHeader("Content-Type", "text/plain")}, 400, "INVALID_REQUEST", "Content-Type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.srv.ClearCalls()
			req := e.build(tc.method, tc.uri, tc.body, tc.opts...)
			a := e.send(req)
			if a.status != tc.status || a.code(t) != tc.code {
				t.Fatalf("want %d %s, got %d %s", tc.status, tc.code, a.status, a.body)
			}
			if a.header.Get("Request-ID") == "" {
				t.Error("refusal without Request-ID")
			}
			if a.header.Get("Wechatpay-Signature") != "" {
				t.Error("refusals must not be signed")
			}
			detail, _ := a.json(t)["detail"].(map[string]any)
			issue, _ := detail["issue"].(string)
			field, _ := detail["field"].(string)
			if !strings.Contains(issue+" "+field, tc.issueHas) {
				t.Errorf("detail %v does not name %q", detail, tc.issueHas)
			}
			if tc.code == "SIGN_ERROR" {
				if a.message(t) != "签名错误" || field != "Authorization" || detail["location"] != "header" {
					t.Errorf("SIGN_ERROR shape: %s", a.body)
				}
				if auth := req.Header.Get("Authorization"); auth != "" {
					if m := regexp.MustCompile(`signature="([^"]+)"`).FindStringSubmatch(auth); m != nil && strings.Contains(string(a.body), m[1]) {
						t.Error("the answer echoes the signature")
					}
				}
			}
			calls := e.srv.Calls()
			if len(calls) != 1 || calls[0].Status != tc.status || calls[0].Code != tc.code || calls[0].Applied {
				t.Errorf("call log: %+v", calls)
			}
		})
	}
	if got := e.srv.GoldPlan(testSub); got.Open() {
		t.Errorf("a refused call changed state: %+v", got)
	}
}

func TestRequestVerificationAccepts(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	reorder := func(a string) string {
		scheme, params, _ := strings.Cut(a, " ")
		parts := strings.Split(params, ",")
		for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
			parts[i], parts[j] = parts[j], parts[i]
		}
		return scheme + " " + strings.Join(parts, ", ")
	}
	cases := []struct {
		name   string
		method string
		uri    string
		body   string
		opts   []opt
	}{
		{"plain GET", "GET", stateURI, "", nil},
		{"fields in another order with spaces", "GET", stateURI, "", []opt{withAuthEdit(reorder)}},
		{"Accept */* as the SDK sends", "GET", stateURI, "", []opt{withHeader("Accept", "*/*")}},
		{"Accept list", "GET", stateURI, "", []opt{withHeader("Accept", "text/html, application/json;q=0.9")}},
		{"timestamp 298 s old", "GET", stateURI, "", []opt{withClockSkew(-298 * time.Second)}},
		{"lowercase serial", "GET", stateURI, "", []opt{withSerial(strings.ToLower(testKeys(t).MerchantSerial))}},
		{"Content-Type with charset", "POST", goldPlanURI, openGoldPlan, []opt{withHeader("Content-Type", "application/json; charset=utf-8")}},
		{"body with trailing newline as the SDK encodes", "POST", goldPlanURI, openGoldPlan + "\n", nil},
		{"GET with Content-Type and no body", "GET", stateURI, "", []opt{withHeader("Content-Type", "application/json")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.ok(tc.method, tc.uri, tc.body, tc.opts...)
		})
	}
}

func TestNonceReuseRefused(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	e.ok("GET", stateURI, "", withNonce("SAMENONCE0123456789abcdefghijklm"))
	a := e.fails(401, "SIGN_ERROR", "GET", stateURI, "", withNonce("SAMENONCE0123456789abcdefghijklm"))
	if !strings.Contains(string(a.body), "nonce") {
		t.Errorf("detail should name the nonce: %s", a.body)
	}
	// A nonce whose request failed the signature check is not burnt.
	e.fails(401, "SIGN_ERROR", "GET", stateURI, "", withNonce("OTHERNONCE"), withKey(e.keys.PlatformKey))
	e.ok("GET", stateURI, "", withNonce("OTHERNONCE"))
}

func TestAnswerSignedWithRequestedKey(t *testing.T) {
	cases := []struct {
		name       string
		mode       string
		serial     string
		wantSerial func(*Keys) string
		uri        string
	}{
		{"public key id", "", testKeys(t).PublicKeyID, func(k *Keys) string { return k.PublicKeyID }, stateURI},
		{"platform serial", "", testKeys(t).PlatformSerial, func(k *Keys) string { return k.PlatformSerial }, stateURI},
		{"absent, default public key", "", "", func(k *Keys) string { return k.PublicKeyID }, stateURI},
		{"unknown, default public key", "", "DEADBEEF", func(k *Keys) string { return k.PublicKeyID }, stateURI},
		{"absent, default certificate", ModeCertificate, "", func(k *Keys) string { return k.PlatformSerial }, stateURI},
		{"public key id beats certificate default", ModeCertificate, testKeys(t).PublicKeyID, func(k *Keys) string { return k.PublicKeyID }, stateURI},
		{"certificate download without serial", "", "", func(k *Keys) string { return k.PlatformSerial }, "/v3/certificates"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) { o.DefaultMode = tc.mode })
			seedBasics(t, e)
			a := e.ok("GET", tc.uri, "", withWechatpaySerial(tc.serial))
			if got, want := a.header.Get("Wechatpay-Serial"), tc.wantSerial(e.keys); got != want {
				t.Errorf("Wechatpay-Serial %q, want %q", got, want)
			}
		})
	}
}

func TestNoContentAnswersAreSigned(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	e.ok("POST", goldPlanURI, openGoldPlan)
	a := e.ok("POST", "/v3/goldplan/merchants/close-advertising-show", `{"sub_mchid":"1900000109"}`)
	if a.status != http.StatusNoContent || len(a.body) != 0 {
		t.Fatalf("want a signed empty 204, got %d %q", a.status, a.body)
	}
}

// rewriteHost sends every request to the test server whatever host the SDK asked for: the
// SDK's certificate downloader is hard-wired to api.mch.weixin.qq.com.
type rewriteHost struct {
	target *url.URL
	base   http.RoundTripper
}

func (rt rewriteHost) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rt.target.Scheme, rt.target.Host, ""
	return rt.base.RoundTrip(r)
}

func TestOfficialSDKPublicKeyMode(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	ctx := context.Background()
	client, err := core.NewClient(ctx,
		option.WithWechatPayPublicKeyAuthCipher(e.keys.MchID, e.keys.MerchantSerial, e.keys.MerchantKey,
			e.keys.PublicKeyID, &e.keys.PublicKeyModeKey.PublicKey),
		option.WithHTTPClient(e.http.Client()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Get(ctx, e.http.URL+stateURI)
	if err != nil {
		t.Fatalf("the SDK refused the emulator or the emulator refused the SDK: %v", err)
	}
	var out struct {
		AuthorizeState string `json:"authorize_state"`
	}
	if err := core.UnMarshalResponse(res.Response, &out); err != nil {
		t.Fatal(err)
	}
	if out.AuthorizeState != AuthorizeStateAuthorized {
		t.Errorf("authorize_state %q", out.AuthorizeState)
	}
	// A body-carrying call through the SDK: its encoder adds a trailing newline, signed and sent.
	if _, err := client.Post(ctx, e.http.URL+goldPlanURI, map[string]string{"sub_mchid": testSub, "operation_type": "OPEN"}); err != nil {
		t.Fatalf("SDK POST: %v", err)
	}
	if !e.srv.GoldPlan(testSub).Open() {
		t.Error("the SDK's POST did not open the gold plan")
	}
	// And the SDK's validator really checks: a tampered answer must fail it.
	e.srv.InjectFault(Fault{Kind: FaultTamperSignature, Count: 1})
	if _, err := client.Get(ctx, e.http.URL+stateURI); err == nil {
		t.Error("the SDK accepted a tampered signature")
	}
}

func TestOfficialSDKCertificateMode(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	ctx := context.Background()
	target, _ := url.Parse(e.http.URL)
	hc := &http.Client{Transport: rewriteHost{target: target, base: e.http.Client().Transport}}
	bootstrap, err := core.NewClient(ctx,
		option.WithMerchantCredential(e.keys.MchID, e.keys.MerchantSerial, e.keys.MerchantKey),
		option.WithoutValidator(), option.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	d, err := downloader.NewCertificateDownloaderWithClient(ctx, bootstrap, e.keys.APIv3Key)
	if err != nil {
		t.Fatalf("certificate download: %v", err)
	}
	cert, ok := d.Get(ctx, e.keys.PlatformSerial)
	if !ok || !cert.Equal(e.keys.PlatformCert) {
		t.Fatalf("downloaded certificates %v do not hold the platform certificate", d.GetAll(ctx))
	}
	// The certificates answer itself verifies with the certificate it carries.
	res, err := bootstrap.Get(ctx, "https://api.mch.weixin.qq.com/v3/certificates")
	if err != nil {
		t.Fatal(err)
	}
	v := validators.NewWechatPayResponseValidator(verifiers.NewSHA256WithRSAVerifier(d))
	if err := v.Validate(ctx, res.Response); err != nil {
		t.Fatalf("certificates answer: %v", err)
	}
	// A client in certificate mode gets answers signed by the downloaded certificate.
	client, err := core.NewClient(ctx,
		option.WithMerchantCredential(e.keys.MchID, e.keys.MerchantSerial, e.keys.MerchantKey),
		option.WithVerifier(verifiers.NewSHA256WithRSAVerifier(d)), option.WithHTTPClient(e.http.Client()))
	if err != nil {
		t.Fatal(err)
	}
	res, err = client.Get(ctx, e.http.URL+stateURI)
	if err != nil {
		t.Fatalf("certificate-mode call: %v", err)
	}
	if got := res.Response.Header.Get("Wechatpay-Serial"); got != e.keys.PlatformSerial {
		t.Errorf("answer signed by %q, want the platform certificate", got)
	}
	// A wrong APIv3 key cannot decrypt the certificates.
	if _, err := downloader.NewCertificateDownloaderWithClient(ctx, bootstrap, strings.Repeat("x", 32)); err == nil {
		t.Error("decrypted the certificates with a wrong APIv3 key")
	}
}

func TestKeysFromSDKLoaders(t *testing.T) {
	k := testKeys(t)
	if _, ok := k.PlatformCert.PublicKey.(*rsa.PublicKey); !ok {
		t.Fatal("platform certificate key is not RSA")
	}
	if got := certSerial(k.PlatformCert); got != k.PlatformSerial || len(got) != 40 || strings.ToUpper(got) != got {
		t.Errorf("platform serial %q", got)
	}
	if !strings.HasPrefix(k.PublicKeyID, "PUB_KEY_ID_") || len(k.APIv3Key) != 32 {
		t.Errorf("public key id %q, APIv3 key length %d", k.PublicKeyID, len(k.APIv3Key))
	}
}
