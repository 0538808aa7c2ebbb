package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// Every environment variable the provider reads; cleared so that the machine's own settings
// cannot leak into a test.
var providerEnvVars = []string{
	envMchID, envMerchantSerialNumber, envPrivateKey, envPrivateKeyPath, envPublicKeyID, envPublicKey,
	envPublicKeyPath, envAPIv3Key, envEndpoint, envBackupEndpoint, envMaxRetries, envRequestTimeout, envRateLimit,
}

// attrsOfEnv lists the provider block attributes that an environment variable stands in for.
var attrsOfEnv = map[string][]string{
	envMchID: {"mchid"}, envMerchantSerialNumber: {"merchant_serial_number"}, envEndpoint: {"endpoint"},
	envPrivateKey: {"private_key", "private_key_path"}, envPrivateKeyPath: {"private_key", "private_key_path"},
	envPublicKeyID: {"wechatpay_public_key_id"},
	envPublicKey:   {"wechatpay_public_key", "wechatpay_public_key_path"}, envPublicKeyPath: {"wechatpay_public_key", "wechatpay_public_key_path"},
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func clearProviderEnv(t *testing.T) {
	for _, v := range providerEnvVars {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
}

func ecPrivateKeyPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// The provider reads every setting from its environment variable when the block is empty; this
// is how CI pipelines and `make demo` configure it.
func TestAccProvider_environmentVariables(t *testing.T) {
	clearProviderEnv(t)
	emu := newTestEmulator(t, authorizationSeed("CHANNEL_PARTNER"))
	merchantKey, err := os.ReadFile(emu.files.MerchantKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envMchID, emu.Keys().MchID)
	t.Setenv(envMerchantSerialNumber, emu.Keys().MerchantSerial)
	t.Setenv(envPrivateKey, string(merchantKey))
	t.Setenv(envPublicKeyID, emu.Keys().PublicKeyID)
	t.Setenv(envPublicKeyPath, emu.files.PublicKey)
	t.Setenv(envEndpoint, emu.URL)
	t.Setenv(envRateLimit, "200")
	t.Setenv(envMaxRetries, "2")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: authorizationStateConfig(`provider "wechatpay" {}`, "1900000109"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.wechatpay_merchant_authorization_state.m0",
					tfjsonpath.New("authorized"), knownvalue.Bool(true)),
			},
		}},
	})
}

// providerBadInputs is the provider section of the bad input catalog (bad_input_test.go):
// Configure reports every problem it can find without a network call, one diagnostic each,
// naming the attribute and its environment variable.
func providerBadInputs(t *testing.T, emu *testEmulator) []badInput {
	good := map[string]string{
		"mchid":                     emu.Keys().MchID,
		"merchant_serial_number":    emu.Keys().MerchantSerial,
		"private_key_path":          emu.files.MerchantKey,
		"wechatpay_public_key_id":   emu.Keys().PublicKeyID,
		"wechatpay_public_key_path": emu.files.PublicKey,
		"endpoint":                  emu.URL,
	}
	notPEM := keyFile(t, "not.pem", "this is not a key")
	keyPEM, pubPEM := readFile(t, emu.files.MerchantKey), readFile(t, emu.files.PublicKey)
	ecKey := keyFile(t, "ec.pem", ecPrivateKeyPEM(t))

	cases := []struct {
		name    string
		change  map[string]string // "" removes the attribute
		env     map[string]string
		wantErr string
	}{
		{"missing mchid", map[string]string{"mchid": ""}, nil, `(?s)Missing WeChat Pay Credential.*mchid.*WECHATPAY_MCHID`},
		{"missing serial", map[string]string{"merchant_serial_number": ""}, nil, `(?s)merchant_serial_number.*WECHATPAY_MERCHANT_SERIAL_NUMBER`},
		{"missing private key", map[string]string{"private_key_path": ""}, nil, `(?s)private key.*WECHATPAY_PRIVATE_KEY`},
		{"private key not PEM", map[string]string{"private_key_path": notPEM}, nil, `(?s)Invalid Merchant Private Key.*private_key_path`},
		{"private key not RSA", map[string]string{"private_key_path": ecKey}, nil, `(?s)Invalid Merchant Private Key.*RSA`},
		{"private key file missing", map[string]string{"private_key_path": "/nonexistent/apiclient_key.pem"}, nil, `(?s)Unreadable Key File.*private_key_path`},
		{"public key id without prefix", map[string]string{"wechatpay_public_key_id": "0114232134912410000000000000"}, nil, `(?s)Invalid WeChat Pay Public Key ID.*wechatpay_public_key_id.*starts\s+with\s+PUB_KEY_ID_`},
		{"public key not PEM", map[string]string{"wechatpay_public_key_path": notPEM}, nil, `(?s)Invalid WeChat Pay Public Key.*wechatpay_public_key_path`},
		{"public key id without key", map[string]string{"wechatpay_public_key_path": ""}, nil, `(?s)Incomplete WeChat Pay Public Key.*WECHATPAY_PUBLIC_KEY`},
		{"public key without id", map[string]string{"wechatpay_public_key_id": ""}, nil, `(?s)Incomplete WeChat Pay Public Key.*PUB_KEY_ID_`},
		{"apiv3 key too short", map[string]string{"apiv3_key": "short"}, nil, `(?s)Invalid APIv3 Key.*32 bytes.*WECHATPAY_APIV3_KEY`},
		{"no verification mode", map[string]string{"wechatpay_public_key_id": "", "wechatpay_public_key_path": ""}, nil, `(?s)No Way to Verify.*apiv3_key`},
		{"plain http to a remote host", map[string]string{"endpoint": "http://api.mch.weixin.qq.com"}, nil, `(?s)Invalid WeChat Pay Endpoint.*loopback`},
		{"backup endpoint not https", map[string]string{"backup_endpoint": "ftp://example.com"}, nil, `(?s)Invalid WeChat Pay Endpoint.*backup_endpoint`},
		{"bad request timeout", map[string]string{"request_timeout": "soon"}, nil, `(?s)Invalid Request Timeout.*request_timeout`},
		{"both private key forms", map[string]string{"private_key": "x"}, nil, `(?s)private_key.*private_key_path`},

		{"apiv3 key too long", map[string]string{"apiv3_key": strings.Repeat("k", 33)}, nil, `(?s)apiv3_key.*32 bytes|32 bytes.*apiv3_key`},
		{"private key is the public key", map[string]string{"private_key_path": emu.files.PublicKey}, nil, `(?s)Invalid Merchant Private Key.*private_key_path.*apiclient_key`},
		{"public key is a private key", map[string]string{"wechatpay_public_key_path": emu.files.MerchantKey}, nil, `(?s)Invalid WeChat Pay Public Key.*wechatpay_public_key_path.*pub_key.pem`},
		{"both public key forms", map[string]string{"wechatpay_public_key": "x"}, nil, `(?s)wechatpay_public_key.*wechatpay_public_key_path`},
		{"endpoint with a path", map[string]string{"endpoint": emu.URL + "/v3"}, nil, `(?s)endpoint.*must\s+not\s+contain\s+a\s+path`},
		{"endpoint with user info", map[string]string{"endpoint": "https://user:secret@api.mch.weixin.qq.com"}, nil, `(?s)endpoint.*must\s+not\s+contain\s+user\s+information`},
		{"plain http backup to a remote host", map[string]string{"backup_endpoint": "http://api2.mch.weixin.qq.com"}, nil, `(?s)backup_endpoint.*loopback|loopback.*backup_endpoint`},
		{"request timeout too short", map[string]string{"request_timeout": "10ms"}, nil, `(?s)request_timeout.*1s to 10m`},
		{"request timeout too long", map[string]string{"request_timeout": "1h"}, nil, `(?s)request_timeout.*1s to 10m`},
		{"mchid too long", map[string]string{"mchid": strings.Repeat("1", 33)}, nil, `(?s)Invalid Merchant ID.*mchid.*8\s+to\s+32\s+digits;\s+this\s+one\s+has\s+33`},

		// The identities go into request headers: their shape is checked in the block and in the
		// environment alike, without repeating the value.
		{"mchid letters", map[string]string{"mchid": "abc"}, nil, `(?s)Invalid Merchant ID.*mchid.*8\s+to\s+32\s+digits`},
		{"mchid with a quote", map[string]string{"mchid": `1900000001",serial_no="X`}, nil, `(?s)Invalid Merchant ID.*mchid.*character\s+11\s+is\s+'"'`},
		{"mchid from the environment with CR LF", nil, map[string]string{envMchID: "1900000001\r\n"}, `(?s)Invalid Merchant ID.*mchid.*WECHATPAY_MCHID.*character\s+11\s+is\s+'\\r'`},
		{"mchid from the environment not digits", nil, map[string]string{envMchID: "abc"}, `(?s)Invalid Merchant ID.*WECHATPAY_MCHID.*8\s+to\s+32\s+digits`},
		{"serial 39 hex digits", map[string]string{"merchant_serial_number": emu.Keys().MerchantSerial[:39]}, nil, `(?s)Invalid Merchant Certificate Serial Number.*merchant_serial_number.*40\s+hex\s+digits;\s+this\s+one\s+has\s+39`},
		{"serial with a quote", map[string]string{"merchant_serial_number": emu.Keys().MerchantSerial[:39] + `"`}, nil, `(?s)Invalid Merchant Certificate Serial Number.*character\s+40\s+is\s+'"'`},
		{"serial from the environment with LF", nil, map[string]string{envMerchantSerialNumber: emu.Keys().MerchantSerial + "\n"}, `(?s)Invalid Merchant Certificate Serial Number.*WECHATPAY_MERCHANT_SERIAL_NUMBER.*'\\n'`},
		{"public key id with a quote", map[string]string{"wechatpay_public_key_id": emu.Keys().PublicKeyID + `"`}, nil, `(?s)Invalid WeChat Pay Public Key ID.*wechatpay_public_key_id.*'"'`},
		{"public key id from the environment is a certificate serial", nil, map[string]string{envPublicKeyID: emu.Keys().MerchantSerial}, `(?s)Invalid WeChat Pay Public Key ID.*WECHATPAY_PUBLIC_KEY_ID.*certificate\s+serial.*apiv3_key`},

		// Key text where a path belongs is refused without reading (or printing) it, and the same
		// pair of environment variables is refused as the same pair in the block is.
		{"private key path holds the key", map[string]string{"private_key_path": keyPEM}, nil, `(?s)Key Text in a Key Path Setting.*private_key_path.*private_key.*WECHATPAY_PRIVATE_KEY`},
		{"public key path from the environment holds the key", nil, map[string]string{envPublicKeyPath: pubPEM}, `(?s)Key Text in a Key Path Setting.*WECHATPAY_PUBLIC_KEY_PATH.*wechatpay_public_key.*WECHATPAY_PUBLIC_KEY`},
		{"both private key environment variables", nil, map[string]string{envPrivateKey: keyPEM, envPrivateKeyPath: emu.files.MerchantKey}, `(?s)Conflicting Merchant Private Key Settings.*WECHATPAY_PRIVATE_KEY.*WECHATPAY_PRIVATE_KEY_PATH`},
		{"both public key environment variables", nil, map[string]string{envPublicKey: pubPEM, envPublicKeyPath: emu.files.PublicKey}, `(?s)Conflicting WeChat Pay Public Key Settings.*WECHATPAY_PUBLIC_KEY.*WECHATPAY_PUBLIC_KEY_PATH`},
		{"max retries from the environment not a number", nil, map[string]string{envMaxRetries: "many"}, `(?s)max_retries.*WECHATPAY_MAX_RETRIES.*0 to 20`},
		{"rate limit from the environment out of range", nil, map[string]string{envRateLimit: "5000"}, `(?s)rate_limit.*WECHATPAY_RATE_LIMIT.*0.1 to 1000`},
		{"request timeout from the environment", nil, map[string]string{envRequestTimeout: "forever"}, `(?s)request_timeout.*WECHATPAY_REQUEST_TIMEOUT|WECHATPAY_REQUEST_TIMEOUT.*request_timeout`},
		{"endpoint from the environment in clear text", nil, map[string]string{envEndpoint: "http://example.com"}, `(?s)endpoint.*loopback.*WECHATPAY_ENDPOINT`},
		{"apiv3 key from the environment too short", map[string]string{"wechatpay_public_key_id": "", "wechatpay_public_key_path": ""},
			map[string]string{envAPIv3Key: "short"}, `(?s)APIv3 key must be exactly 32 bytes.*WECHATPAY_APIV3_KEY`},
	}
	var out []badInput
	for _, tc := range cases {
		attrs := map[string]string{}
		for k, v := range good {
			attrs[k] = v
		}
		for k, v := range tc.change {
			if v == "" {
				delete(attrs, k)
			} else {
				attrs[k] = v
			}
		}
		// Environment cases test the fallback: the block must not set what the variable sets.
		for env := range tc.env {
			for _, attr := range attrsOfEnv[env] {
				delete(attrs, attr)
			}
		}
		keys := make([]string, 0, len(attrs))
		for k := range attrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString("provider \"wechatpay\" {\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s = %q\n", k, attrs[k])
		}
		b.WriteString("}\n")
		out = append(out, badInput{
			name:    "provider/" + tc.name,
			config:  authorizationStateConfig(b.String(), "1900000109"),
			env:     tc.env,
			wantErr: tc.wantErr,
		})
	}
	return out
}

// A key set in the provider block wins over the environment as a whole, in either form: a
// variable left in a CI job (here unusable ones, and both of a pair) never overrides an explicit
// configuration, and is not even read.
func TestAccProvider_blockKeyWinsOverEnvironment(t *testing.T) {
	clearProviderEnv(t)
	emu := newTestEmulator(t, authorizationSeed("CHANNEL_PARTNER"))
	t.Setenv(envPrivateKey, "not a key")
	t.Setenv(envPrivateKeyPath, "/nonexistent/apiclient_key.pem")
	t.Setenv(envPublicKey, "not a key either")
	t.Setenv(envPublicKeyPath, "/nonexistent/pub_key.pem")

	pathBlock := emu.providerConfig(modePublicKey) // private_key_path and wechatpay_public_key_path
	textBlock := fmt.Sprintf(`
provider "wechatpay" {
  mchid                   = %q
  merchant_serial_number  = %q
  private_key             = %q
  wechatpay_public_key_id = %q
  wechatpay_public_key    = %q
  endpoint                = %q
}
`, emu.Keys().MchID, emu.Keys().MerchantSerial, readFile(t, emu.files.MerchantKey), emu.Keys().PublicKeyID,
		readFile(t, emu.files.PublicKey), emu.URL)
	for name, block := range map[string]string{"paths in the block": pathBlock, "text in the block": textBlock} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: authorizationStateConfig(block, "1900000109"),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.wechatpay_merchant_authorization_state.m0",
							tfjsonpath.New("authorized"), knownvalue.Bool(true)),
					},
				}},
			})
		})
	}
}

// Credentials that are well formed but wrong are blamed on the setting that can be wrong:
// WeChat Pay answers SIGN_ERROR alike for a wrong merchant, serial or key, so
// the advice starts with `mchid`; an answer signed with another WeChat Pay public key names the
// configured id, also when platform certificates are configured beside it; WeChat Pay's own
// refusal of the Wechatpay-Serial header points at the public key id.
func TestAccProvider_wrongCredentialsAreNamed(t *testing.T) {
	clearProviderEnv(t)
	const wrongKeyID = "PUB_KEY_ID_0119000000012024000000000000000002"
	cases := []struct {
		name    string
		config  func(emu *testEmulator) string
		fault   *emulator.Fault
		wantErr string
	}{
		{"another merchant's id", func(emu *testEmulator) string {
			return strings.Replace(emu.providerConfig(modePublicKey), fmt.Sprintf("%q", emu.Keys().MchID), `"1900000002"`, 1)
		}, nil, `(?s)check\s+that\s+.mchid.\s+is\s+the\s+merchant\s+id.*merchant_serial_number.*clock.*SIGN_ERROR`},
		{"another public key id beside the APIv3 key", func(emu *testEmulator) string {
			return strings.Replace(emu.providerConfig(modeBoth), emu.Keys().PublicKeyID, wrongKeyID, 1)
		}, nil, `(?s)could\s+not\s+be\s+trusted.*signed\s+with\s+WeChat\s+Pay\s+public\s+key\s+"PUB_KEY_ID_\d+",\s+but\s+the\s+configured\s+public\s+key\s+ID\s+is\s+"` + wrongKeyID + `";\s+check\s+the\s+public\s+key\s+ID`},
		{"another public key id alone", func(emu *testEmulator) string {
			return strings.Replace(emu.providerConfig(modePublicKey), emu.Keys().PublicKeyID, wrongKeyID, 1)
		}, nil, `(?s)could\s+not\s+be\s+trusted.*but\s+the\s+configured\s+public\s+key\s+ID\s+is\s+"` + wrongKeyID + `"`},
		{"Wechatpay-Serial refused", func(emu *testEmulator) string { return emu.providerConfig(modePublicKey) },
			&emulator.Fault{Kind: emulator.FaultStatus, Status: 400, Code: "PARAM_ERROR", Message: "平台证书序列号Wechatpay-Serial错误"},
			`(?s)Wechatpay-Serial\s+header.*wechatpay_public_key_id.*PARAM_ERROR`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu := newTestEmulator(t, authorizationSeed("CHANNEL_PARTNER"))
			if tc.fault != nil {
				emu.InjectFault(*tc.fault)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      authorizationStateConfig(tc.config(emu), "1900000109"),
					ExpectError: regexp.MustCompile(tc.wantErr),
				}},
			})
		})
	}
}

func TestDurationText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second: "1s", 30 * time.Second: "30s", 90 * time.Second: "1m30s", 10 * time.Minute: "10m",
		time.Hour: "1h", 90 * time.Minute: "1h30m",
	} {
		if got := durationText(d); got != want {
			t.Errorf("durationText(%v) = %q, want %q", d, got, want)
		}
	}
}
