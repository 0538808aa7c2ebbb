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
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestValidateEndpoint(t *testing.T) {
	tests := []struct {
		raw     string
		wantErr string // "" = valid
	}{
		{"https://api.mch.weixin.qq.com", ""},
		{"https://api2.mch.weixin.qq.com/", ""},
		{"https://proxy.example.com:8443", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://127.1.2.3", ""},
		{"http://[::1]:9000", ""},
		{"http://localhost:8080", ""},
		{"http://LOCALHOST", ""},
		{"http://api.mch.weixin.qq.com", "only allowed for loopback"},
		{"http://10.0.0.1:8080", "only allowed for loopback"},
		{"http://128.0.0.1", "only allowed for loopback"},
		{"http://localhost.example.com", "only allowed for loopback"},
		{"ftp://127.0.0.1", "must use https"},
		{"api.mch.weixin.qq.com", "has no host"},
		{"https://", "has no host"},
		{"https://api.mch.weixin.qq.com/v3", "must not contain a path"},
		{"https://api.mch.weixin.qq.com/?a=1", "must not contain a path"},
		{"https://api.mch.weixin.qq.com/#x", "must not contain a path"},
		{"https://user:secret@api.mch.weixin.qq.com", "user information"},
		{"", "empty"},
		{"://bad", "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			err := ValidateEndpoint(tt.raw)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
			if tt.raw != "" && !strings.Contains(err.Error(), "https://") {
				t.Errorf("error %q does not show the fix", err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q echoes a password", err)
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	rsaKey := testPrivateKey(t, "merchant_key.pem")
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))
	pubPEM := readTestdata(t, "platform_pubkey_mode_pub.pem")
	privPEM := readTestdata(t, "merchant_key.pem")
	garbledPriv := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("not DER")}))
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}))

	privTests := []struct {
		name, in, wantErr string
	}{
		{"PKCS#8", privPEM, ""},
		{"PKCS#8 with surrounding whitespace", "\n  " + privPEM + "\n", ""},
		{"PKCS#1", pkcs1, ""},
		{"not PEM", "hello", "no PEM block"},
		{"public key instead", pubPEM, "got a PUBLIC KEY"},
		{"certificate instead", certPEM, "CERTIFICATE"},
		{"garbled DER", garbledPriv, "not a valid PKCS#8"},
		{"EC key block", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1}})), `unexpected PEM block "EC PRIVATE KEY"`},
		// A mangled header line is not repeated: it could hold key text.
		{"key text in the header", string(pem.EncodeToMemory(&pem.Block{Type: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", Bytes: []byte{1}})), "unexpected PEM block type;"},
	}
	for _, tt := range privTests {
		t.Run("private/"+tt.name, func(t *testing.T) {
			k, err := ParsePrivateKey(tt.in)
			if tt.wantErr == "" {
				if err != nil || k == nil || k.N.Cmp(rsaKey.N) != 0 {
					t.Fatalf("got %v, %v", k != nil, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	pubTests := []struct {
		name, in, wantErr string
	}{
		{"PKIX", pubPEM, ""},
		{"not PEM", "", "no PEM block"},
		{"private key instead", privPEM, "got a PRIVATE KEY"},
		{"certificate instead", certPEM, "CERTIFICATE"},
	}
	for _, tt := range pubTests {
		t.Run("public/"+tt.name, func(t *testing.T) {
			k, err := ParsePublicKey(tt.in)
			if tt.wantErr == "" {
				if err != nil || k == nil {
					t.Fatalf("got %v, %v", k, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "MII") {
				t.Errorf("error %q contains key material", err)
			}
		})
	}
}

func TestNewChecksConfig(t *testing.T) {
	key := testPrivateKey(t, "merchant_key.pem")
	pub := &key.PublicKey
	base := func() Config {
		return Config{MchID: testMchID, MerchantSerialNumber: testMerchantSN, PrivateKey: key, PublicKeyID: testPubKeyID, PublicKey: pub}
	}
	tests := []struct {
		name       string
		mod        func(*Config)
		wantErr    string
		wantBackup string // host name of the backup, "" = none
	}{
		{name: "defaults fail over to api2", mod: func(*Config) {}, wantBackup: "api2.mch.weixin.qq.com"},
		{name: "custom endpoint has no backup by default", mod: func(c *Config) { c.Endpoint = "http://127.0.0.1:1" }},
		{name: "NoBackup", mod: func(c *Config) { c.BackupEndpoint = NoBackup }},
		{name: "backup equal to endpoint", mod: func(c *Config) { c.BackupEndpoint = DefaultEndpoint + "/" }},
		{name: "explicit backup", mod: func(c *Config) { c.Endpoint, c.BackupEndpoint = "http://127.0.0.1:1", "http://127.0.0.1:2" }, wantBackup: "127.0.0.1:2"},
		{name: "certificate mode only", mod: certMode, wantBackup: "api2.mch.weixin.qq.com"},
		{name: "missing mchid", mod: func(c *Config) { c.MchID = "" }, wantErr: "mchid"},
		{name: "missing serial", mod: func(c *Config) { c.MerchantSerialNumber = " " }, wantErr: "serial"},
		{name: "mchid with letters", mod: func(c *Config) { c.MchID = "abc" }, wantErr: "mchid: a merchant id is 8 to 32 digits"},
		{name: "mchid with a quote", mod: func(c *Config) { c.MchID = `1900000001",serial_no="X` }, wantErr: `character 11 is '"'`},
		{name: "mchid with CR LF", mod: func(c *Config) { c.MchID = "1900000001\r\nX-Injected: 1" }, wantErr: `character 11 is '\r'`},
		{name: "serial with a quote", mod: func(c *Config) { c.MerchantSerialNumber = `3775B6A45ACD588826D15E583A95F5DD5E2F1B8"` }, wantErr: "40 hex digits"},
		{name: "serial too short", mod: func(c *Config) { c.MerchantSerialNumber = "3775B6A45ACD" }, wantErr: "has 12"},
		{name: "serial with LF", mod: func(c *Config) { c.MerchantSerialNumber = "3775B6A45ACD588826D15E583A95F5DD5E2F1B8\n" }, wantErr: `'\n'`},
		{name: "public key id without prefix", mod: func(c *Config) { c.PublicKeyID = "0114232134912410000000000000" }, wantErr: "public key ID: a WeChat Pay public key id starts with PUB_KEY_ID_"},
		{name: "public key id with CR", mod: func(c *Config) { c.PublicKeyID = "PUB_KEY_ID_0114\r" }, wantErr: `'\r'`},
		{name: "missing key", mod: func(c *Config) { c.PrivateKey = nil }, wantErr: "private key"},
		{name: "key id without key", mod: func(c *Config) { c.PublicKey = nil }, wantErr: "together"},
		{name: "no verification mode", mod: func(c *Config) { c.PublicKeyID, c.PublicKey = "", nil }, wantErr: "no way to verify"},
		{name: "short APIv3 key", mod: func(c *Config) { c.APIv3Key = "short-secret" }, wantErr: "32 bytes"},
		{name: "plain http endpoint", mod: func(c *Config) { c.Endpoint = "http://example.com" }, wantErr: "loopback"},
		{name: "bad backup", mod: func(c *Config) { c.BackupEndpoint = "http://example.com" }, wantErr: "backup endpoint"},
		{name: "negative rate", mod: func(c *Config) { c.RateLimit = -1 }, wantErr: "rate limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base()
			tt.mod(&cfg)
			c, err := New(cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "short-secret") {
					t.Errorf("error %q contains the APIv3 key", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if c.backup != nil {
				got = c.backup.name
			}
			if got != tt.wantBackup {
				t.Errorf("backup = %q, want %q", got, tt.wantBackup)
			}
		})
	}
	t.Run("defaults", func(t *testing.T) {
		c, err := New(base())
		if err != nil {
			t.Fatal(err)
		}
		if c.maxRetries != DefaultMaxRetries || c.requestTimeout != DefaultRequestTimeout || c.limits.total != nil || !math.IsInf(c.limits.forAPI(authorizeStateAPI).Limit(), 1) ||
			c.failbackAfter != DefaultFailbackAfter || c.certRefresh != DefaultCertRefreshInterval || c.userAgent != "terraform-provider-wechatpay/dev" {
			t.Errorf("defaults not applied: %+v", c)
		}
		tr, ok := c.hc.Transport.(*http.Transport)
		if !ok || tr.MaxIdleConnsPerHost < 32 {
			t.Errorf("transport not tuned for keep-alive: %+v", c.hc.Transport)
		}
	})
}

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
