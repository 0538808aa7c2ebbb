package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

const (
	authorized   = "AUTHORIZE_STATE_AUTHORIZED"
	unauthorized = "AUTHORIZE_STATE_UNAUTHORIZED"
)

func authorizationSeed(role string) emulator.Seed {
	return emulator.Seed{
		CallerRole: role,
		SubMerchants: []emulator.SubMerchant{
			{SubMchid: "1900000109", AuthorizeState: authorized},
			{SubMchid: "1900000110", AuthorizeState: unauthorized},
			{SubMchid: "1900000999", Owner: "1900088888", AuthorizeState: authorized},
		},
	}
}

func authorizationStateConfig(providerBlock string, subMchids ...string) string {
	cfg := providerBlock
	for i, id := range subMchids {
		cfg += fmt.Sprintf(`
data "wechatpay_merchant_authorization_state" "m%d" {
  sub_mchid = %q
}
`, i, id)
	}
	return cfg
}

func expectAuthorization(name, state string, isAuthorized bool) []statecheck.StateCheck {
	addr := "data.wechatpay_merchant_authorization_state." + name
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("authorize_state"), knownvalue.StringExact(state)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("authorized"), knownvalue.Bool(isAuthorized)),
	}
}

// Every verification mode reads the same truth from the emulator.
func TestAccMerchantAuthorizationStateDataSource_modes(t *testing.T) {
	for _, mode := range []string{modePublicKey, modeCertificate, modeBoth} {
		t.Run(mode, func(t *testing.T) {
			emu := newTestEmulator(t, authorizationSeed("CHANNEL_PARTNER"))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: authorizationStateConfig(emu.providerConfig(mode), "1900000109", "1900000110"),
					ConfigStateChecks: append(append(
						expectAuthorization("m0", authorized, true),
						expectAuthorization("m1", unauthorized, false)...),
						statecheck.ExpectKnownValue("data.wechatpay_merchant_authorization_state.m0",
							tfjsonpath.New("id"), knownvalue.StringExact("1900000109")),
					),
				}},
			})
			if got := emu.CountCalls("GET", "/v3/apply4subject/applyment/merchants/1900000109/state"); got == 0 {
				t.Errorf("the emulator saw no authorization state call for 1900000109")
			}
			// With both configured, the client names the public key in Wechatpay-Serial, so
			// WeChat Pay signs with it and no certificate download is needed.
			if downloads := emu.CountCalls("GET", "/v3/certificates"); (mode == modeCertificate) != (downloads > 0) {
				t.Errorf("mode %s downloaded the platform certificates %d times", mode, downloads)
			}
		})
	}
}

// A state can go back from authorized to unauthorized; the next plan reads the new truth.
func TestAccMerchantAuthorizationStateDataSource_stateChanges(t *testing.T) {
	emu := newTestEmulator(t, authorizationSeed("CHANNEL_PARTNER"))
	cfg := authorizationStateConfig(emu.providerConfig(modePublicKey), "1900000109")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: expectAuthorization("m0", authorized, true)},
			{
				PreConfig:         func() { emu.SetAuthorizeState("1900000109", unauthorized) },
				Config:            cfg,
				ConfigStateChecks: expectAuthorization("m0", unauthorized, false),
			},
		},
	})
}

func TestAccMerchantAuthorizationStateDataSource_errors(t *testing.T) {
	cases := []struct {
		name, role, subMchid string
		want                 *regexp.Regexp
	}{
		{"ordinary service provider", "SERVICE_PROVIDER", "1900000109",
			regexp.MustCompile(`(?s)Only channel partners.*PARAM_ERROR.*Request-ID`)},
		{"merchant of another provider", "CHANNEL_PARTNER", "1900000999",
			regexp.MustCompile(`(?s)not\s+permitted.*1900000999.*sub-merchant\s+of\s+.mchid.*NO_AUTH`)},
		{"unknown merchant", "CHANNEL_PARTNER", "1900077777",
			regexp.MustCompile(`(?s)does\s+not\s+know\s+sub-merchant\s+1900077777.*INVALID_REQUEST`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := authorizationSeed(tc.role)
			seed.Dialects = map[string]string{emulator.DialectRoles: "strict"} // the role check is under test
			emu := newTestEmulator(t, seed)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      authorizationStateConfig(emu.providerConfig(modePublicKey), tc.subMchid),
					ExpectError: tc.want,
				}},
			})
		})
	}
}

// A malformed merchant id is refused before any call is made.
func TestAccMerchantAuthorizationStateDataSource_invalidSubMchid(t *testing.T) {
	emu := newTestEmulator(t, authorizationSeed("CHANNEL_PARTNER"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      authorizationStateConfig(emu.providerConfig(modePublicKey), "19-00"),
			ExpectError: regexp.MustCompile(`(?s)sub_mchid.*8 to 32 digits`),
		}},
	})
	if n := len(emu.Calls()); n != 0 {
		t.Errorf("the emulator saw %d calls for an invalid id, want 0", n)
	}
}
