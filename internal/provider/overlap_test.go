package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// Resources that manage the same object are refused in the plan; a create that meets an object
// that already exists is refused unless adopt_existing is set.

func listOf(name string, ids ...string) string {
	return fmt.Sprintf(`
resource "wechatpay_paygift_activity_merchants" %q {
  activity_id  = %q
  merchant_ids = %s
}
`, name, testActivity, hclList(ids))
}

func memberOf(name, id, extra string) string {
	return fmt.Sprintf(`
resource "wechatpay_paygift_activity_merchant" %q {
  activity_id = %q
  merchant_id = %q
  %s
}
`, name, testActivity, id, extra)
}

// noChanges checks that nothing was changed at WeChat Pay since the last ClearCalls.
func noChanges(emu *testEmulator) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, c := range emu.Calls() {
			if c.Method != "GET" {
				return fmt.Errorf("called %s %s", c.Method, c.Path)
			}
		}
		return nil
	}
}

func TestAccOverlap_refusedInThePlan(t *testing.T) {
	cases := []struct {
		name, config string
		want         string
	}{
		{"list and membership of one activity", listOf("all", "1900000109", "1900000110") + memberOf("one", "1900000111", ""),
			"`wechatpay_paygift_activity_merchant` for merchant 1900000111 of activity 10028001.*" +
				"`wechatpay_paygift_activity_merchants` of activity 10028001|" +
				"`wechatpay_paygift_activity_merchants` of activity 10028001.*" +
				"`wechatpay_paygift_activity_merchant` for merchant 1900000111 of activity 10028001"},
		{"two memberships of one merchant", memberOf("a", "1900000111", "") + memberOf("b", "1900000111", ""),
			"`wechatpay_paygift_activity_merchant` for merchant 1900000111 of activity 10028001.*" +
				"`wechatpay_paygift_activity_merchant` for merchant 1900000111 of activity 10028001.*" +
				"Keep one resource for each merchant"},
		{"two lists of one activity", listOf("a", "1900000109") + listOf("b", "1900000110"),
			"`wechatpay_paygift_activity_merchants` of activity 10028001.*" +
				"`wechatpay_paygift_activity_merchants` of activity 10028001.*Keep one list for each activity"},
		{"two gold plans of one sub-merchant", `
resource "wechatpay_goldplan_status" "a" {
  sub_mchid  = "1900000109"
  pay_scenes = ["JSAPI"]
}

resource "wechatpay_goldplan_status" "b" {
  sub_mchid  = "1900000109"
  pay_scenes = ["MINIPROGRAM"]
}
`, "`wechatpay_goldplan_status` of sub-merchant 1900000109.*`wechatpay_goldplan_status` of sub-merchant " +
			"1900000109.*Keep one `wechatpay_goldplan_status` for each sub-merchant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu := newTestEmulator(t, payGiftSeed(0))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: emu.providerConfig(modePublicKey) + tc.config,
					ExpectError: regexp.MustCompile(`(?s)Error: Resources Overlap.*(` +
						strings.ReplaceAll(tc.want, " ", `\s+`) + `).*` + cliText("`removed` block")),
				}},
			})
			if err := noChanges(emu)(nil); err != nil {
				t.Error(err)
			}
		})
	}
}

// A membership added next to one in the state that manages the same merchant is caught at its
// create, before anything is called, and the first one is left alone. A replacement of one
// resource (planned twice in a run) is not an overlap.
func TestAccOverlap_secondMembershipAndReplacement(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	one := emu.providerConfig(modePublicKey) + memberOf("a", "1900000112", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: one, Check: membersAre(emu, "1900000112")},
			{
				PreConfig: emu.ClearCalls,
				Config:    one + memberOf("b", "1900000112", ""),
				ExpectError: regexp.MustCompile(`(?s)Error: Pay-Gift Activity Merchant Already Exists.*` +
					cliText(`The membership of merchant 1900000112 in pay-gift activity 10028001 already exists`) +
					`.*` + cliText(`id = "10028001/1900000112"`) + `.*adopt_existing = true`),
				Check: resource.ComposeTestCheckFunc(membersAre(emu, "1900000112"), noChanges(emu)),
			},
			{
				// Tainted: replaced, not refused as an overlap with itself.
				Config: one,
				Taint:  []string{"wechatpay_paygift_activity_merchant.a"},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("wechatpay_paygift_activity_merchant.a", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: membersAre(emu, "1900000112"),
			},
			{
				// A list replaced for another activity is not an overlap with itself either.
				Config: emu.providerConfig(modePublicKey) + listOf("l", "1900000109"),
				Check:  membersAre(emu, "1900000109"),
			},
			{
				Config: emu.providerConfig(modePublicKey) + listOf("l", "1900000109"),
				Taint:  []string{"wechatpay_paygift_activity_merchants.l"},
				Check:  membersAre(emu, "1900000109"),
			},
		},
	})
}

// A membership that exists at WeChat Pay is refused on create with the way to import it, and
// taken over without a call under adopt_existing = true.
func TestAccPayGiftActivityMerchant_alreadyExists(t *testing.T) {
	seed := payGiftSeed(0)
	seed.Activities[0].Merchants = []string{"1900000113"}
	emu := newTestEmulator(t, seed)
	addr := "wechatpay_paygift_activity_merchant.m"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             membersAre(emu),
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig(modePublicKey) + memberOf("m", "1900000113", ""),
				ExpectError: regexp.MustCompile(`(?s)Error: Pay-Gift Activity Merchant Already Exists.*` +
					cliText(`terraform import wechatpay_paygift_activity_merchant.<name> 10028001/1900000113`) +
					`.*adopt_existing = true`),
				Check: resource.ComposeTestCheckFunc(membersAre(emu, "1900000113"), noChanges(emu)),
			},
			{
				PreConfig: emu.ClearCalls,
				Config:    emu.providerConfig(modePublicKey) + memberOf("m", "1900000113", "adopt_existing = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("10028001/1900000113")),
				},
				ConfigPlanChecks: emptyAfterApply(),
				Check:            resource.ComposeTestCheckFunc(membersAre(emu, "1900000113"), noChanges(emu)),
			},
			{
				// Turning it off again is an in-place change that calls nothing.
				PreConfig: emu.ClearCalls,
				Config:    emu.providerConfig(modePublicKey) + memberOf("m", "1900000113", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: noChanges(emu),
			},
		},
	})
}

// An established partnership is refused on create with the way to import it, and taken over
// under adopt_existing = true (the build then answers the existing one).
func TestAccMarketingPartnership_alreadyExists(t *testing.T) {
	emu := newTestEmulator(t, emulator.Seed{Partnerships: []emulator.Partnership{
		{Partner: emuAppPartner(), AuthorizedData: emuBusiStock("98065001")},
	}})
	cfg := func(extra string) string {
		return emu.merchantConfig(modePublicKey) + fmt.Sprintf(`
resource "wechatpay_marketing_partnership" "test" {
  partner         = %s
  authorized_data = %s
  %s
}
`, appPartner(testAppID), busiStock("98065001"), extra)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg(""),
				ExpectError: regexp.MustCompile(`(?s)Error: Marketing Partnership Already Exists.*` +
					cliText(`id = "APPID:`+testAppID+`:BUSIFAVOR_STOCK:98065001"`) + `.*adopt_existing = true`),
				Check: noChanges(emu),
			},
			{
				PreConfig: emu.ClearCalls,
				Config:    cfg("adopt_existing = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnershipAddr, tfjsonpath.New("state"), knownvalue.StringExact("ESTABLISHED")),
				},
				ConfigPlanChecks: emptyAfterApply(),
				Check: resource.ComposeTestCheckFunc(
					expectPartnershipState(emu, emuAppPartner(), emuBusiStock("98065001"), "ESTABLISHED"),
				),
			},
		},
	})
}
