package emulator_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/validators"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/downloader"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

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
		{"lowercase serial", "GET", stateURI, "", []opt{withSerial(strings.ToLower(emulatortest.Keys(t).MerchantSerial))}},
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
		wantSerial func(*emulator.Keys) string
		uri        string
	}{
		{"public key id", "", emulatortest.Keys(t).PublicKeyID, func(k *emulator.Keys) string { return k.PublicKeyID }, stateURI},
		{"platform serial", "", emulatortest.Keys(t).PlatformSerial, func(k *emulator.Keys) string { return k.PlatformSerial }, stateURI},
		{"absent, default public key", "", "", func(k *emulator.Keys) string { return k.PublicKeyID }, stateURI},
		{"unknown, default public key", "", "DEADBEEF", func(k *emulator.Keys) string { return k.PublicKeyID }, stateURI},
		{"absent, default certificate", emulator.ModeCertificate, "", func(k *emulator.Keys) string { return k.PlatformSerial }, stateURI},
		{"public key id beats certificate default", emulator.ModeCertificate, emulatortest.Keys(t).PublicKeyID, func(k *emulator.Keys) string { return k.PublicKeyID }, stateURI},
		{"certificate download without serial", "", "", func(k *emulator.Keys) string { return k.PlatformSerial }, "/v3/certificates"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *emulator.Options) { o.DefaultMode = tc.mode })
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
	if out.AuthorizeState != emulator.AuthorizeStateAuthorized {
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
	e.srv.InjectFault(emulator.Fault{Kind: emulator.FaultTamperSignature, Count: 1})
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
	k := emulatortest.Keys(t)
	if _, ok := k.PlatformCert.PublicKey.(*rsa.PublicKey); !ok {
		t.Fatal("platform certificate key is not RSA")
	}
	if got := emulator.CertSerial(k.PlatformCert); got != k.PlatformSerial || len(got) != 40 || strings.ToUpper(got) != got {
		t.Errorf("platform serial %q", got)
	}
	if !strings.HasPrefix(k.PublicKeyID, "PUB_KEY_ID_") || len(k.APIv3Key) != 32 {
		t.Errorf("public key id %q, APIv3 key length %d", k.PublicKeyID, len(k.APIv3Key))
	}
}

// The emulator stands in for WeChat Pay in every test, so its request checks must be as strict
// as the real thing: these fuzz targets check that it never accepts what a real server would
// refuse and never crashes on what a client sends.

// FuzzParseAuthorization: any header either parses into five non-empty fields or is refused
// with a reason; a header built from parsed fields parses back to the same fields whatever the
// field order.
func FuzzParseAuthorization(f *testing.F) {
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",signature="uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XmUgx9U6r5+w=="`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 signature="c2ln",serial_no="AB",timestamp="1",nonce_str="n",mchid="1"`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="n",timestamp="1",serial_no="AB",signature="c2ln"`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="n"`)
	f.Add(`Bearer abc`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 `)
	f.Add(``)
	f.Fuzz(func(t *testing.T, header string) {
		a, issue := emulator.ParseAuthorization(header)
		if issue != "" {
			// A refusal is one of the fixed reasons, so it can never echo a value of the header
			// (a signature above all); only a duplicated parameter's name is repeated.
			if !fixedAuthorizationIssue(issue) {
				t.Fatalf("refusal %q is not one of the fixed reasons", issue)
			}
			return
		}
		fields := []string{a.MchID, a.Nonce, a.Timestamp, a.Serial, a.Signature}
		for i, v := range fields {
			if v == "" {
				t.Fatalf("accepted %q with field %d empty", header, i)
			}
		}
		if !strings.HasPrefix(strings.TrimSpace(header), emulator.AuthScheme+" ") {
			t.Fatalf("accepted %q without the %s scheme", header, emulator.AuthScheme)
		}
		if strings.ContainsAny(strings.Join(fields, ""), `",`) {
			return // not expressible again in k="v" form
		}
		again := fmt.Sprintf(`%s signature="%s",serial_no="%s",timestamp="%s",nonce_str="%s",mchid="%s"`,
			emulator.AuthScheme, a.Signature, a.Serial, a.Timestamp, a.Nonce, a.MchID)
		b, issue := emulator.ParseAuthorization(again)
		if issue != "" || b != a {
			t.Fatalf("re-serialised header parsed differently: %+v / %q, want %+v", b, issue, a)
		}
	})
}

var fuzzNonceSeq atomic.Int64

// FuzzVerifyRequest signs a request correctly, then lets the fuzzer change one thing that was
// signed (method, URI, body, timestamp, mchid, serial or signature). The emulator must accept the
// request exactly when nothing changed, and refuse the same request a second time (nonce
// replay).
func FuzzVerifyRequest(f *testing.F) {
	f.Add("GET", "/v3/apply4subject/applyment/merchants/1900000109/state", "", uint8(0), "", int64(0))
	f.Add("POST", "/v3/goldplan/merchants/changegoldplanstatus", `{"sub_mchid":"1900000109","operation_type":"OPEN"}`, uint8(1), "POST", int64(0))
	f.Add("GET", "/v3/marketing/partnerships?limit=10&offset=0", "", uint8(2), "/v3/marketing/partnerships?offset=0&limit=10", int64(0))
	f.Add("POST", "/v3/marketing/paygiftactivity/activities/1/merchants/add", `{"a":1}`, uint8(3), `{"a":2}`, int64(0))
	f.Add("GET", "/v3/x", "", uint8(4), "", int64(-301))
	f.Add("GET", "/v3/x", "", uint8(4), "", int64(299))
	f.Add("GET", "/v3/x", "", uint8(5), "1900000002", int64(0))
	f.Add("GET", "/v3/x", "", uint8(6), "0000", int64(0))
	f.Add("GET", "/v3/x", "", uint8(7), "WECHATPAY/SIGNTEST/AAAA", int64(0))
	f.Add("PATCH", "/v3/goldplan/merchants/open-advertising-show", "{}", uint8(3), "{} ", int64(0))

	f.Fuzz(func(t *testing.T, method, uri, body string, change uint8, changed string, tsOffset int64) {
		if method == "" || strings.ContainsAny(method, " \t\r\n") {
			return
		}
		u, err := url.ParseRequestURI(uri)
		if err != nil || u.RequestURI() != uri {
			return // only request lines net/http would put on the wire unchanged
		}
		keys := emulatortest.Keys(t)
		s := emulator.New(emulator.Options{Keys: keys})
		defer s.Close()

		signed := struct{ method, uri, body, mchid, serial string }{method, uri, body, keys.MchID, keys.MerchantSerial}
		sent := signed
		tsOffset %= 3600
		ts := strconv.FormatInt(time.Now().Unix()+tsOffset, 10)
		nonce := "fz" + strconv.FormatInt(fuzzNonceSeq.Add(1), 36) + hex.EncodeToString([]byte(changed))[:min(16, 2*len(changed))]
		sum := sha256.Sum256([]byte(signed.method + "\n" + signed.uri + "\n" + ts + "\n" + nonce + "\n" + signed.body + "\n"))
		raw, err := rsa.SignPKCS1v15(nil, keys.MerchantKey, crypto.SHA256, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig := base64.StdEncoding.EncodeToString(raw)

		change %= 8
		switch change {
		case 1:
			sent.method = changed
		case 2:
			sent.uri = changed
		case 3:
			sent.body = changed
		case 5:
			sent.mchid = changed
		case 6:
			sent.serial = changed
		case 7:
			sig = changed
		}
		if change == 1 && (sent.method == "" || strings.ContainsAny(sent.method, " \t\r\n")) {
			return
		}
		su, err := url.ParseRequestURI(sent.uri)
		if err != nil || su.RequestURI() != sent.uri {
			return
		}
		if strings.ContainsAny(sent.mchid+sent.serial+sig, `",`) {
			return // the header itself would not parse; FuzzParseAuthorization covers that
		}
		req := &http.Request{Method: sent.method, URL: su, Header: http.Header{}}
		req.Header.Set("Authorization", fmt.Sprintf(`%s mchid="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"`,
			emulator.AuthScheme, sent.mchid, nonce, ts, sent.serial, sig))

		// Serials are hex: WeChat Pay compares them case-insensitively, and they are not signed.
		if strings.EqualFold(sent.serial, signed.serial) {
			sent.serial = signed.serial
		}
		unchanged := sent == signed && sig == base64.StdEncoding.EncodeToString(raw)
		inWindow := tsOffset > -signWindowSeconds+2 && tsOffset < signWindowSeconds-2
		outOfWindow := tsOffset <= -signWindowSeconds-2 || tsOffset >= signWindowSeconds+2
		status, refused := s.VerifyRequest(req, []byte(sent.body))
		switch {
		case !refused && !unchanged:
			t.Fatalf("accepted a request whose %s no longer matches its signature", changeNames[change])
		case !refused && outOfWindow:
			t.Fatalf("accepted a request timestamped %d s away", tsOffset)
		case refused && unchanged && inWindow:
			t.Fatalf("refused a correctly signed request: status %d", status)
		case refused && status != http.StatusUnauthorized:
			t.Fatalf("refusal with status %d, want 401 SIGN_ERROR", status)
		}
		if !refused {
			if _, again := s.VerifyRequest(req, []byte(sent.body)); !again {
				t.Fatal("accepted the same nonce twice")
			}
		}
	})
}

const signWindowSeconds = int64(emulator.SignWindow / time.Second)

var changeNames = [...]string{"nothing", "method", "URI", "body", "timestamp", "mchid", "serial", "signature"}

func fixedAuthorizationIssue(issue string) bool {
	fixed := []string{
		"Authorization header is missing",
		"authorization scheme must be " + emulator.AuthScheme,
		"malformed Authorization parameters: expected k=\"v\" pairs",
	}
	for _, name := range []string{"mchid", "nonce_str", "timestamp", "serial_no", "signature"} {
		fixed = append(fixed, "Authorization parameter "+name+" is missing")
	}
	return slices.Contains(fixed, issue) || strings.HasPrefix(issue, "duplicate Authorization parameter ")
}
