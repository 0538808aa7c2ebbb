package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// A change of `timeouts` alone, on a resource whose every other argument replaces it, is an
// in-place update that records the new timeouts (else the plan after the apply would not be
// empty) and calls nothing that writes.
func TestAccTimeouts_onlyTimeoutsChange(t *testing.T) {
	cases := []struct {
		name   string
		seed   emulator.Seed
		addr   string
		config func(timeouts string) string // the resource, with timeouts as its last lines
	}{
		{"goldplan_custom_page", goldPlanSeed(), gpPageAddr, func(timeouts string) string {
			return gpStatusHCL(gpSub) + fmt.Sprintf(`
resource "wechatpay_goldplan_custom_page" "test" {
  sub_mchid = wechatpay_goldplan_status.test.sub_mchid
%s}
`, timeouts)
		}},
		{"paygift_activity_merchant", payGiftSeed(0), memberAddr("1900000109"), func(timeouts string) string {
			return fmt.Sprintf(`
resource "wechatpay_paygift_activity_merchant" "m1900000109" {
  activity_id = %q
  merchant_id = "1900000109"
%s}
`, testActivity, timeouts)
		}},
		{"marketing_partnership", emulator.Seed{}, partnershipAddr, func(timeouts string) string {
			return fmt.Sprintf(`
resource "wechatpay_marketing_partnership" "test" {
  partner         = %s
  authorized_data = %s
%s}
`, appPartner(testAppID), busiStock("98065001"), timeouts)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu := newTestEmulator(t, tc.seed)
			p := emu.providerConfig(modePublicKey)
			if tc.addr == partnershipAddr {
				p = emu.merchantConfig(modePublicKey) // the partnership pages' caller
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: p + tc.config("")},
					{
						PreConfig: emu.ClearCalls,
						Config: p + tc.config(`  timeouts {
    create = "3m"
    delete = "4m"
  }`+"\n"),
						ConfigPlanChecks: actionThenEmpty(tc.addr, plancheck.ResourceActionUpdate),
						Check: func(*terraform.State) error {
							for _, c := range emu.Calls() {
								if c.Method != http.MethodGet {
									return fmt.Errorf("a change of timeouts called %s %s", c.Method, c.Path)
								}
							}
							return nil
						},
					},
				},
			})
		})
	}
}

// `timeouts` is written as a block, as in HashiCorp's AWS and Google providers, and a timeout too
// short for the operation stops it with an error that names `timeouts`.
func TestAccTimeouts_blockForm(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	emu.InjectFault(emulator.Fault{Method: "POST", Path: payGiftAddPath, Kind: emulator.FaultLatency, Latency: 3 * time.Second})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: emu.providerConfig(modePublicKey) + memberOf("m", "1900000109", `timeouts {
    create = "1s"
  }`),
			ExpectError: regexp.MustCompile(`(?s)Unable to Add Pay-Gift Activity Merchant.*timeouts`),
		}},
	})
}
