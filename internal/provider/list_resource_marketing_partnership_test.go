package provider

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// grantsFleetSeed holds apps merchant coupon grants to apps wxfleet000000…, of which every
// tenth is terminated, 20 to merchants and 10 WeChat Pay coupon grants to apps.
func grantsFleetSeed(apps int) emulator.Seed {
	var seed emulator.Seed
	for i := range apps {
		p := emulator.Partnership{Partner: emulator.Partner{Type: "APPID", AppID: fmt.Sprintf("wxfleet%06d", i)},
			AuthorizedData: emuBusiStock(fmt.Sprintf("97%06d", i))}
		if i%10 == 9 {
			p.State = "TERMINATED"
		}
		seed.Partnerships = append(seed.Partnerships, p)
	}
	for i := range 20 {
		seed.Partnerships = append(seed.Partnerships, emulator.Partnership{
			Partner: emulator.Partner{Type: "MERCHANT", MerchantID: fmt.Sprintf("19200%05d", i)}, AuthorizedData: emuBusiStock(fmt.Sprintf("95%06d", i))})
	}
	for i := range 10 {
		seed.Partnerships = append(seed.Partnerships, emulator.Partnership{
			Partner:        emulator.Partner{Type: "APPID", AppID: fmt.Sprintf("wxfavor%06d", i)},
			AuthorizedData: emulator.AuthorizedData{BusinessType: "FAVOR_STOCK", StockID: fmt.Sprintf("96%06d", i)}})
	}
	return seed
}

func grantIdentity(partnerType, partnerID, businessType, stockID string) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{
		"partner_type": knownvalue.StringExact(partnerType), "partner_id": knownvalue.StringExact(partnerID),
		"business_type": knownvalue.StringExact(businessType), "stock_id": knownvalue.StringExact(stockID),
	}
}

func TestAccMarketingPartnershipList_query(t *testing.T) {
	emu := newTestEmulator(t, grantsFleetSeed(100))
	first := grantIdentity("APPID", "wxfleet000000", "BUSIFAVOR_STOCK", "97000000")
	terminated := grantIdentity("APPID", "wxfleet000009", "BUSIFAVOR_STOCK", "97000009")
	list := func(name, config string) string {
		return fmt.Sprintf(`
list "wechatpay_marketing_partnership" %q {
  provider         = wechatpay
  include_resource = true
  limit            = 1000
  config {
%s
  }
}
`, name, config)
	}
	resource.Test(t, queryTestCase(emu.merchantConfig(modePublicKey),
		resource.TestStep{
			PreConfig: emu.ClearCalls,
			Query:     true,
			Config: list("all", "") + list("with_terminated", "include_terminated = true") +
				list("merchants", `partner_type = "MERCHANT"`) + list("favor", `business_type = "FAVOR_STOCK"`) +
				list("one_app", `partner_appid = "wxfleet000042"`) + list("one_stock", `stock_id = "95000003"`),
			QueryResultChecks: []querycheck.QueryResultCheck{
				// 90 established to apps, 20 to merchants, 10 WeChat Pay coupons.
				querycheck.ExpectLength("wechatpay_marketing_partnership.all", 120),
				querycheck.ExpectLength("wechatpay_marketing_partnership.with_terminated", 130),
				querycheck.ExpectLength("wechatpay_marketing_partnership.merchants", 20),
				querycheck.ExpectLength("wechatpay_marketing_partnership.favor", 10),
				querycheck.ExpectLength("wechatpay_marketing_partnership.one_app", 1),
				querycheck.ExpectLength("wechatpay_marketing_partnership.one_stock", 1),
				querycheck.ExpectIdentity("wechatpay_marketing_partnership.all", first),
				querycheck.ExpectNoIdentity("wechatpay_marketing_partnership.all", terminated),
				querycheck.ExpectIdentity("wechatpay_marketing_partnership.with_terminated", terminated),
				querycheck.ExpectIdentity("wechatpay_marketing_partnership.one_stock",
					grantIdentity("MERCHANT", "1920000003", "BUSIFAVOR_STOCK", "95000003")),
				querycheck.ExpectResourceDisplayName("wechatpay_marketing_partnership.with_terminated", queryfilter.ByResourceIdentity(terminated),
					knownvalue.StringExact("BUSIFAVOR_STOCK 97000009 to APPID wxfleet000009 (TERMINATED)")),
				querycheck.ExpectResourceKnownValues("wechatpay_marketing_partnership.all", queryfilter.ByResourceIdentity(first),
					[]querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact("APPID:wxfleet000000:BUSIFAVOR_STOCK:97000000")},
						{Path: tfjsonpath.New("partner"), KnownValue: knownvalue.ObjectExact(map[string]knownvalue.Check{
							"type": knownvalue.StringExact("APPID"), "appid": knownvalue.StringExact("wxfleet000000"), "merchant_id": knownvalue.Null()})},
						{Path: tfjsonpath.New("authorized_data"), KnownValue: knownvalue.ObjectExact(map[string]knownvalue.Check{
							"business_type": knownvalue.StringExact("BUSIFAVOR_STOCK"), "stock_id": knownvalue.StringExact("97000000")})},
						{Path: tfjsonpath.New("state"), KnownValue: knownvalue.StringExact("ESTABLISHED")},
						{Path: tfjsonpath.New("build_time"), KnownValue: knownvalue.StringRegexp(wxTimePattern)},
					}),
			},
		},
		resource.TestStep{
			// Each listing is ⌈n/50⌉ calls per business type it covers: all and with_terminated
			// read 1 page of FAVOR_STOCK and 3 of BUSIFAVOR_STOCK (120 grants), favor 1 page of
			// FAVOR_STOCK; a merchant filter reads merchant coupons only; the others a page of each.
			PreConfig: func() {
				pages := map[string]int{}
				for _, c := range emu.Calls() {
					if c.Method != http.MethodGet || c.Path != pathList {
						t.Errorf("the queries called %s %s", c.Method, c.Path)
						continue
					}
					q, _ := url.ParseQuery(c.RawQuery)
					pages[q.Get("authorized_data")+" "+q.Get("partner")]++
				}
				want := map[string]int{
					`{"business_type":"FAVOR_STOCK"} `:                                             3,
					`{"business_type":"BUSIFAVOR_STOCK"} `:                                         6,
					`{"business_type":"BUSIFAVOR_STOCK"} {"type":"MERCHANT"}`:                      1,
					`{"business_type":"FAVOR_STOCK"} {"type":"APPID","appid":"wxfleet000042"}`:     1,
					`{"business_type":"BUSIFAVOR_STOCK"} {"type":"APPID","appid":"wxfleet000042"}`: 1,
					`{"business_type":"FAVOR_STOCK","stock_id":"95000003"} `:                       1,
					`{"business_type":"BUSIFAVOR_STOCK","stock_id":"95000003"} `:                   1,
				}
				if fmt.Sprint(pages) != fmt.Sprint(want) {
					t.Errorf("list calls by filter:\n%v\nwant\n%v", pages, want)
				}
			},
			Query:       true,
			Config:      list("contradiction", `partner_type = "APPID"`+"\n"+`partner_merchant_id = "1900000109"`),
			ExpectError: regexp.MustCompile(`(?s)Contradictory Partnership Filter.*partner_merchant_id.*only matches .MERCHANT.`),
		},
	))
}
