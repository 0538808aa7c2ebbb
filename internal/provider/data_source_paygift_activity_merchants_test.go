package provider

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccPayGiftActivityMerchantsDataSource_basic(t *testing.T) {
	emu := newTestEmulator(t, payGiftFleetSeed(149))
	const addr = "data.wechatpay_paygift_activity_merchants.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig(modePublicKey) + `
data "wechatpay_paygift_activity_merchants" "test" {
  activity_id = "` + testActivity + `"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(testActivity)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("merchant_ids"), knownvalue.SetSizeExact(150)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("merchants"), knownvalue.ListSizeExact(150)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("merchants").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"merchant_id":   knownvalue.StringExact("1900000109"),
						"merchant_name": knownvalue.StringExact("Blue Cafe"),
						"create_time":   knownvalue.StringRegexp(wxTimePattern),
						"update_time":   knownvalue.StringRegexp(wxTimePattern),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("merchants").AtSliceIndex(149).AtMapKey("merchant_id"),
						knownvalue.StringExact(bulkMerchant(148))),
				},
				// Every read is the two pages of 100 and nothing else.
				Check: func(*terraform.State) error {
					offsets := map[string]int{}
					for _, c := range emu.Calls() {
						if c.Method != http.MethodGet || c.Path != payGiftListPath {
							t.Errorf("the data source called %s %s", c.Method, c.Path)
							continue
						}
						q, _ := url.ParseQuery(c.RawQuery)
						if q.Get("limit") != "100" {
							t.Errorf("a page of %s, want 100", q.Get("limit"))
						}
						offsets[q.Get("offset")]++
					}
					if len(offsets) != 2 || offsets["0"] == 0 || offsets["0"] != offsets["100"] {
						t.Errorf("pages read by offset: %v, want as many of offset 0 as of 100", offsets)
					}
					return nil
				},
			},
			{
				Config: emu.providerConfig(modePublicKey) + `
data "wechatpay_paygift_activity_merchants" "test" {
  activity_id = "10029999"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Unable to Read Pay-Gift Activity Merchants.*knows no activity`),
			},
		},
	})
}
