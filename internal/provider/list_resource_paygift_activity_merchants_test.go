package provider

import (
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// The whole list is one result holding every member; an activity without members gives none.
func TestAccPayGiftActivityMerchantsList_query(t *testing.T) {
	seed := payGiftFleetSeed(149)
	seed.Activities = append(seed.Activities, emulator.Activity{ActivityID: "10028002", Merchants: []string{}})
	emu := newTestEmulator(t, seed)
	all := []knownvalue.Check{knownvalue.StringExact("1900000109")}
	for _, id := range bulkMerchants(149) {
		all = append(all, knownvalue.StringExact(id))
	}
	byActivity := queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"activity_id": knownvalue.StringExact(testActivity)})
	const members = "wechatpay_paygift_activity_merchants"
	resource.Test(t, queryTestCase(emu.providerConfig(modePublicKey),
		resource.TestStep{
			PreConfig: emu.ClearCalls,
			Query:     true,
			Config: payGiftListHCL(members, "fleet", testActivity, "include_resource = true") +
				payGiftListHCL(members, "empty", "10028002", "include_resource = true"),
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("wechatpay_paygift_activity_merchants.fleet", 1),
				querycheck.ExpectLength("wechatpay_paygift_activity_merchants.empty", 0),
				querycheck.ExpectIdentity("wechatpay_paygift_activity_merchants.fleet",
					map[string]knownvalue.Check{"activity_id": knownvalue.StringExact(testActivity)}),
				querycheck.ExpectResourceDisplayName("wechatpay_paygift_activity_merchants.fleet", byActivity,
					knownvalue.StringExact("activity "+testActivity+": 150 merchants")),
				querycheck.ExpectResourceKnownValues("wechatpay_paygift_activity_merchants.fleet", byActivity,
					[]querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(testActivity)},
						{Path: tfjsonpath.New("merchant_ids"), KnownValue: knownvalue.ListExact(all)},
					}),
			},
		},
		resource.TestStep{
			// Two pages for the 150 members, one for the activity without any.
			PreConfig: func() {
				if n := emu.CountCalls(http.MethodGet, ""); n != 3 {
					t.Errorf("%d calls, want 3 list calls", n)
				}
			},
			Config: emu.providerConfig(modePublicKey),
		},
	))
}
