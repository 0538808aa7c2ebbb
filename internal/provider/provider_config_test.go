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
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Every environment variable the provider reads; cleared so that the machine's own settings
// cannot leak into a test.
var providerEnvVars = []string{
	envMchID, envMerchantSerialNumber, envPrivateKey, envPrivateKeyPath, envPublicKeyID, envPublicKey,
	envPublicKeyPath, envAPIv3Key, envEndpoint, envBackupEndpoint, envMaxRetries, envRequestTimeout, envRateLimit,
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
	t.Setenv(envMchID, emu.keys.MchID)
	t.Setenv(envMerchantSerialNumber, emu.keys.MerchantSerial)
	t.Setenv(envPrivateKey, string(merchantKey))
	t.Setenv(envPublicKeyID, emu.keys.PublicKeyID)
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

// Configure reports every problem it can find without a network call, one diagnostic each,
// naming the attribute and its environment variable.
func TestAccProvider_invalidConfiguration(t *testing.T) {
	clearProviderEnv(t)
	emu := newTestEmulator(t, authorizationSeed("CHANNEL_PARTNER"))
	good := map[string]string{
		"mchid":                     emu.keys.MchID,
		"merchant_serial_number":    emu.keys.MerchantSerial,
		"private_key_path":          emu.files.MerchantKey,
		"wechatpay_public_key_id":   emu.keys.PublicKeyID,
		"wechatpay_public_key_path": emu.files.PublicKey,
		"endpoint":                  emu.URL,
	}
	notPEM := keyFile(t, "not.pem", "this is not a key")
	ecKey := keyFile(t, "ec.pem", ecPrivateKeyPEM(t))

	cases := []struct {
		name    string
		change  map[string]string // "" removes the attribute
		wantErr string
	}{
		{"missing mchid", map[string]string{"mchid": ""}, `(?s)Missing WeChat Pay Credential.*mchid.*WECHATPAY_MCHID`},
		{"missing serial", map[string]string{"merchant_serial_number": ""}, `(?s)merchant_serial_number.*WECHATPAY_MERCHANT_SERIAL_NUMBER`},
		{"missing private key", map[string]string{"private_key_path": ""}, `(?s)private key.*WECHATPAY_PRIVATE_KEY`},
		{"private key not PEM", map[string]string{"private_key_path": notPEM}, `(?s)Invalid Merchant Private Key.*private_key_path`},
		{"private key not RSA", map[string]string{"private_key_path": ecKey}, `(?s)Invalid Merchant Private Key.*RSA`},
		{"private key file missing", map[string]string{"private_key_path": "/nonexistent/apiclient_key.pem"}, `(?s)Unreadable Key File.*private_key_path`},
		{"public key id without prefix", map[string]string{"wechatpay_public_key_id": "0114232134912410000000000000"}, `(?s)must start with.*PUB_KEY_ID_`},
		{"public key not PEM", map[string]string{"wechatpay_public_key_path": notPEM}, `(?s)Invalid WeChat Pay Public Key.*wechatpay_public_key_path`},
		{"public key id without key", map[string]string{"wechatpay_public_key_path": ""}, `(?s)Incomplete WeChat Pay Public Key.*WECHATPAY_PUBLIC_KEY`},
		{"public key without id", map[string]string{"wechatpay_public_key_id": ""}, `(?s)Incomplete WeChat Pay Public Key.*PUB_KEY_ID_`},
		{"apiv3 key too short", map[string]string{"apiv3_key": "short"}, `(?s)Invalid APIv3 Key.*32 bytes.*WECHATPAY_APIV3_KEY`},
		{"no verification mode", map[string]string{"wechatpay_public_key_id": "", "wechatpay_public_key_path": ""}, `(?s)No Way to Verify.*apiv3_key`},
		{"plain http to a remote host", map[string]string{"endpoint": "http://api.mch.weixin.qq.com"}, `(?s)Invalid WeChat Pay Endpoint.*loopback`},
		{"backup endpoint not https", map[string]string{"backup_endpoint": "ftp://example.com"}, `(?s)Invalid WeChat Pay Endpoint.*backup_endpoint`},
		{"bad request timeout", map[string]string{"request_timeout": "soon"}, `(?s)Invalid Request Timeout.*request_timeout`},
		{"both private key forms", map[string]string{"private_key": "x"}, `(?s)private_key.*private_key_path`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
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
			var b strings.Builder
			b.WriteString("provider \"wechatpay\" {\n")
			for k, v := range attrs {
				fmt.Fprintf(&b, "  %s = %q\n", k, v)
			}
			b.WriteString("}\n")
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      authorizationStateConfig(b.String(), "1900000109"),
					ExpectError: regexp.MustCompile(tc.wantErr),
				}},
			})
		})
	}
	if n := len(emu.Calls()); n != 0 {
		t.Errorf("invalid configurations reached the emulator %d times, want 0", n)
	}
}
