package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// `terraform query` and list resources came with Terraform 1.14; OpenTofu 1.12 has neither.
var queryVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// payGiftFleetSeed is payGiftSeed with n more sub-merchants, all of them members of the test
// activity, the first one with a name.
func payGiftFleetSeed(n int) emulator.Seed {
	seed := payGiftSeed(n)
	seed.SubMerchants[0].Name = "Blue Cafe"
	seed.Activities[0].Merchants = append([]string{"1900000109"}, bulkMerchants(n)...)
	return seed
}

// queryTestCase is a test of `terraform query` (Terraform 1.14 and later): a step that applies
// providerBlock alone, then steps.
func queryTestCase(providerBlock string, steps ...resource.TestStep) resource.TestCase {
	return resource.TestCase{
		TerraformVersionChecks:   queryVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    append([]resource.TestStep{{Config: providerBlock}}, steps...),
	}
}

// payGiftListHCL is a list block of the pay-gift list resource typ over an activity, with attrs,
// one a line, before its config block.
func payGiftListHCL(typ, name, activityID string, attrs ...string) string {
	var lines strings.Builder
	for _, a := range attrs {
		lines.WriteString("\n  " + a)
	}
	return fmt.Sprintf(`
list %q %q {
  provider = wechatpay%s
  config {
    activity_id = %q
  }
}
`, typ, name, lines.String(), activityID)
}

func memberIdentity(merchantID string) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{
		"activity_id": knownvalue.StringExact(testActivity),
		"merchant_id": knownvalue.StringExact(merchantID),
	}
}

func TestAccPayGiftActivityMerchantList_query(t *testing.T) {
	emu := newTestEmulator(t, payGiftFleetSeed(149))
	listCalls := func() int { return emu.CountCalls(http.MethodGet, payGiftListPath) }
	const member = "wechatpay_paygift_activity_merchant"
	resource.Test(t, queryTestCase(emu.providerConfig(modePublicKey),
		resource.TestStep{
			PreConfig: emu.ClearCalls,
			Query:     true,
			Config:    payGiftListHCL(member, "all", testActivity, "include_resource = true", "limit = 1000"),
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("wechatpay_paygift_activity_merchant.all", 150),
				querycheck.ExpectIdentity("wechatpay_paygift_activity_merchant.all", memberIdentity("1900000109")),
				querycheck.ExpectIdentity("wechatpay_paygift_activity_merchant.all", memberIdentity(bulkMerchant(148))),
				querycheck.ExpectResourceDisplayName("wechatpay_paygift_activity_merchant.all",
					queryfilter.ByResourceIdentity(memberIdentity("1900000109")), knownvalue.StringExact("1900000109 Blue Cafe")),
				querycheck.ExpectResourceKnownValues("wechatpay_paygift_activity_merchant.all",
					queryfilter.ByResourceIdentity(memberIdentity("1900000109")), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(testActivity + "/1900000109")},
						{Path: tfjsonpath.New("activity_id"), KnownValue: knownvalue.StringExact(testActivity)},
						{Path: tfjsonpath.New("merchant_id"), KnownValue: knownvalue.StringExact("1900000109")},
						{Path: tfjsonpath.New("timeouts"), KnownValue: knownvalue.Null()},
					}),
			},
		},
		resource.TestStep{
			// The whole list is two pages of 100; the default limit of 100 stops after the first.
			PreConfig: func() {
				if n := listCalls(); n != 2 {
					t.Errorf("the query of 150 members made %d list calls, want 2", n)
				}
				emu.ClearCalls()
			},
			Query:  true,
			Config: payGiftListHCL(member, "first", testActivity) + payGiftListHCL(member, "few", testActivity, "limit = 3"),
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("wechatpay_paygift_activity_merchant.first", 100),
				querycheck.ExpectLength("wechatpay_paygift_activity_merchant.few", 3),
			},
		},
		resource.TestStep{
			PreConfig: func() {
				if n := listCalls(); n != 2 {
					t.Errorf("two queries within the first page made %d list calls, want 2", n)
				}
			},
			Query:       true,
			Config:      payGiftListHCL(member, "unknown", "10029999"),
			ExpectError: regexp.MustCompile(`(?s)Unable to List Pay-Gift Activity Merchants.*knows no activity`),
		},
	))
}
