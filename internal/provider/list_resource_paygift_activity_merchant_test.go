package provider

import (
	"net/http"
	"regexp"
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

func memberIdentity(merchantID string) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{
		"activity_id": knownvalue.StringExact(testActivity),
		"merchant_id": knownvalue.StringExact(merchantID),
	}
}

func TestAccPayGiftActivityMerchantList_query(t *testing.T) {
	emu := newTestEmulator(t, payGiftFleetSeed(149))
	listCalls := func() int { return emu.CountCalls(http.MethodGet, payGiftListPath) }
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   queryVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: emu.providerConfig(modePublicKey)},
			{
				PreConfig: emu.ClearCalls,
				Query:     true,
				Config: `
list "wechatpay_paygift_activity_merchant" "all" {
  provider         = wechatpay
  include_resource = true
  limit            = 1000
  config {
    activity_id = "` + testActivity + `"
  }
}
`,
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
			{
				// The whole list is two pages of 100; the default limit of 100 stops after the first.
				PreConfig: func() {
					if n := listCalls(); n != 2 {
						t.Errorf("the query of 150 members made %d list calls, want 2", n)
					}
					emu.ClearCalls()
				},
				Query: true,
				Config: `
list "wechatpay_paygift_activity_merchant" "first" {
  provider = wechatpay
  config {
    activity_id = "` + testActivity + `"
  }
}
list "wechatpay_paygift_activity_merchant" "few" {
  provider = wechatpay
  limit    = 3
  config {
    activity_id = "` + testActivity + `"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("wechatpay_paygift_activity_merchant.first", 100),
					querycheck.ExpectLength("wechatpay_paygift_activity_merchant.few", 3),
				},
			},
			{
				PreConfig: func() {
					if n := listCalls(); n != 2 {
						t.Errorf("two queries within the first page made %d list calls, want 2", n)
					}
				},
				Query: true,
				Config: `
list "wechatpay_paygift_activity_merchant" "unknown" {
  provider = wechatpay
  config {
    activity_id = "10029999"
  }
}
`,
				ExpectError: regexp.MustCompile(`(?s)Unable to List Pay-Gift Activity Merchants.*knows no activity`),
			},
		},
	})
}
