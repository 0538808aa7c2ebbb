package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccMarketingPartnershipsDataSource_basic(t *testing.T) {
	emu := newTestEmulator(t, grantsFleetSeed(100))
	grants := tfjsonpath.New("partnerships")
	addr := func(name string) string { return "data.wechatpay_marketing_partnerships." + name }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// The refused filters come first: the test's final destroy runs with the last configuration.
		Steps: []resource.TestStep{
			{
				Config: emu.merchantConfig(modePublicKey) + `
data "wechatpay_marketing_partnerships" "contradiction" {
  partner_type  = "MERCHANT"
  partner_appid = "wxfleet000042"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Contradictory Partnership Filter.*partner_appid.*only matches .APPID.`),
			},
			{
				Config: emu.merchantConfig(modePublicKey) + `
data "wechatpay_marketing_partnerships" "both_ids" {
  partner_appid       = "wxfleet000042"
  partner_merchant_id = "1900000109"
}
`,
				ExpectError: regexp.MustCompile(`(?s)partner_merchant_id.*cannot be specified when.*partner_appid|partner_appid.*cannot be specified when.*partner_merchant_id`),
			},
			{
				Config: emu.merchantConfig(modePublicKey) + `
data "wechatpay_marketing_partnerships" "all" {}

data "wechatpay_marketing_partnerships" "with_terminated" {
  include_terminated = true
}

data "wechatpay_marketing_partnerships" "merchants" {
  partner_type = "MERCHANT"
}

data "wechatpay_marketing_partnerships" "one" {
  business_type = "BUSIFAVOR_STOCK"
  partner_appid = "wxfleet000042"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					// 90 established grants to apps, 20 to merchants, 10 WeChat Pay coupons; 10 terminated.
					statecheck.ExpectKnownValue(addr("all"), grants, knownvalue.ListSizeExact(120)),
					statecheck.ExpectKnownValue(addr("with_terminated"), grants, knownvalue.ListSizeExact(130)),
					statecheck.ExpectKnownValue(addr("merchants"), grants, knownvalue.ListSizeExact(20)),
					statecheck.ExpectKnownValue(addr("one"), grants, knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id": knownvalue.StringExact("APPID:wxfleet000042:BUSIFAVOR_STOCK:97000042"),
							"partner": knownvalue.ObjectExact(map[string]knownvalue.Check{
								"type": knownvalue.StringExact("APPID"), "appid": knownvalue.StringExact("wxfleet000042"),
								"merchant_id": knownvalue.Null(),
							}),
							"authorized_data": knownvalue.ObjectExact(map[string]knownvalue.Check{
								"business_type": knownvalue.StringExact("BUSIFAVOR_STOCK"), "stock_id": knownvalue.StringExact("97000042"),
							}),
							"state":          knownvalue.StringExact("ESTABLISHED"),
							"build_time":     knownvalue.StringRegexp(wxTimePattern),
							"terminate_time": knownvalue.Null(),
							"create_time":    knownvalue.StringRegexp(wxTimePattern),
							"update_time":    knownvalue.StringRegexp(wxTimePattern),
						}),
					})),
					// WeChat Pay coupons are listed first: the tenth merchant coupon grant to an app
					// is the twentieth, terminated.
					statecheck.ExpectKnownValue(addr("with_terminated"), grants.AtSliceIndex(19).AtMapKey("id"),
						knownvalue.StringExact("APPID:wxfleet000009:BUSIFAVOR_STOCK:97000009")),
					statecheck.ExpectKnownValue(addr("with_terminated"), grants.AtSliceIndex(19).AtMapKey("state"),
						knownvalue.StringExact("TERMINATED")),
					statecheck.ExpectKnownValue(addr("with_terminated"), grants.AtSliceIndex(19).AtMapKey("terminate_time"),
						knownvalue.StringRegexp(wxTimePattern)),
				},
			},
		},
	})
}
