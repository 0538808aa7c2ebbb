package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// badInput is one configuration the provider must refuse before calling WeChat Pay, with an
// error that names the attribute and says what is allowed.
type badInput struct {
	name    string
	config  string
	env     map[string]string
	wantErr string
}

// refused builds a resource or data source case: the error must name attr and match allowed
// (in either order; Terraform wraps long lines, so allowed should not rely on single spaces).
func refused(name, block, attr, allowed string) badInput {
	a, w := regexp.QuoteMeta(attr), allowed
	return badInput{name: name, config: block, wantErr: fmt.Sprintf(`(?s)(%s.*(%s)|(%s).*%s)`, a, w, w, a)}
}

// resourceBadInputs covers every resource and data source attribute's limits, enums and
// combinations.
func resourceBadInputs() []badInput {
	status := func(attrs string) string {
		return "resource \"wechatpay_goldplan_status\" \"x\" {\n" + attrs + "\n}\n"
	}
	page := func(attrs string) string {
		return "resource \"wechatpay_goldplan_custom_page\" \"x\" {\n" + attrs + "\n}\n"
	}
	ads := func(attrs string) string {
		return "resource \"wechatpay_goldplan_advertising\" \"x\" {\n" + attrs + "\n}\n"
	}
	member := func(activity, merchant string) string {
		return fmt.Sprintf("resource \"wechatpay_paygift_activity_merchant\" \"x\" {\n  activity_id = %q\n  merchant_id = %q\n}\n", activity, merchant)
	}
	members := func(activity, merchants string) string {
		return fmt.Sprintf("resource \"wechatpay_paygift_activity_merchants\" \"x\" {\n  activity_id  = %q\n  merchant_ids = %s\n}\n", activity, merchants)
	}
	partnership := func(partner, data string) string {
		return fmt.Sprintf("resource \"wechatpay_marketing_partnership\" \"x\" {\n  partner         = %s\n  authorized_data = %s\n}\n", partner, data)
	}
	const (
		okPartner = `{ type = "APPID", appid = "wx4e1916a585d1f4e9" }`
		okData    = `{ business_type = "BUSIFAVOR_STOCK", stock_id = "98065001" }`
		subDigits = `8\s+to\s+32\s+digits`
		merchant  = `8\s+to\s+15\s+digits`
		activity  = `activity\s+id|between\s+1\s+and\s+20`
	)
	industries := `["E_COMMERCE", "FOOD", "CAR", "GAME"]`
	return []badInput{
		refused("goldplan_status/sub_mchid letters", status(`sub_mchid = "abc"`), "sub_mchid", subDigits),
		refused("goldplan_status/sub_mchid 7 digits", status(`sub_mchid = "1234567"`), "sub_mchid", subDigits),
		refused("goldplan_status/sub_mchid 33 digits", status(`sub_mchid = "`+strings.Repeat("1", 33)+`"`), "sub_mchid", subDigits),
		refused("goldplan_status/sub_mchid empty", status(`sub_mchid = ""`), "sub_mchid", subDigits),
		refused("goldplan_status/sub_mchid with spaces", status(`sub_mchid = " 1900000109"`), "sub_mchid", subDigits),
		refused("goldplan_status/sub_mchid missing", status(`pay_scenes = ["JSAPI"]`), "sub_mchid", `required`),
		refused("goldplan_status/pay_scenes empty", status("sub_mchid = \"1900000109\"\n  pay_scenes = []"), "pay_scenes", `at\s+least\s+1`),
		refused("goldplan_status/pay_scenes unknown scene", status("sub_mchid = \"1900000109\"\n  pay_scenes = [\"APP\"]"), "pay_scenes", `JSAPI.*MINIPROGRAM`),
		refused("goldplan_status/pay_scenes lower case", status("sub_mchid = \"1900000109\"\n  pay_scenes = [\"jsapi\"]"), "pay_scenes", `JSAPI.*MINIPROGRAM`),
		// The timeouts library's own message names the value and the units, not the attribute.
		refused("goldplan_status/timeouts not a duration", status("sub_mchid = \"1900000109\"\n  timeouts { create = \"soon\" }"), "Time Duration", `"soon".*units`),
		refused("goldplan_status/unknown attribute", status("sub_mchid = \"1900000109\"\n  scenes = [\"JSAPI\"]"), "scenes", `not\s+expected|Unsupported\s+argument`),

		refused("goldplan_custom_page/sub_mchid letters", page(`sub_mchid = "merchant"`), "sub_mchid", subDigits),
		refused("goldplan_custom_page/sub_mchid missing", page(``), "sub_mchid", `required`),
		refused("goldplan_custom_page/sub_mchid too long", page(`sub_mchid = "`+strings.Repeat("9", 40)+`"`), "sub_mchid", subDigits),

		refused("goldplan_advertising/sub_mchid letters", ads(`sub_mchid = "x1900000109"`), "sub_mchid", subDigits),
		refused("goldplan_advertising/four filters", ads("sub_mchid = \"1900000109\"\n  industry_filters = "+industries), "industry_filters", `at\s+least\s+1\s+elements\s+and\s+at\s+most\s+3`),
		refused("goldplan_advertising/unknown industry", ads("sub_mchid = \"1900000109\"\n  industry_filters = [\"CASINO\"]"), "industry_filters", `E_COMMERCE`),
		refused("goldplan_advertising/empty filters", ads("sub_mchid = \"1900000109\"\n  industry_filters = []"), "industry_filters", `at\s+least\s+1\s+elements\s+and\s+at\s+most\s+3`),
		refused("goldplan_advertising/industry lower case", ads("sub_mchid = \"1900000109\"\n  industry_filters = [\"food\"]"), "industry_filters", `FOOD`),
		refused("goldplan_advertising/industry in English spelling", ads("sub_mchid = \"1900000109\"\n  industry_filters = [\"PHOTOGRAPHY\"]"), "industry_filters", `spells\s+this\s+industry\s+"POTOGRAPHY"`),

		refused("paygift_activity_merchant/activity_id empty", member("", "1900000109"), "activity_id", activity),
		refused("paygift_activity_merchant/activity_id with a space", member("1002 8001", "1900000109"), "activity_id", activity),
		refused("paygift_activity_merchant/activity_id too long", member(strings.Repeat("1", 21), "1900000109"), "activity_id", activity),
		refused("paygift_activity_merchant/activity_id path", member("10028001/merchants", "1900000109"), "activity_id", activity),
		refused("paygift_activity_merchant/merchant_id letters", member("10028001", "abcdefghij"), "merchant_id", merchant),
		refused("paygift_activity_merchant/merchant_id 7 digits", member("10028001", "1234567"), "merchant_id", merchant),
		refused("paygift_activity_merchant/merchant_id 16 digits", member("10028001", strings.Repeat("1", 16)), "merchant_id", merchant),

		refused("paygift_activity_merchants/activity_id letters and dots", members("1002.8001", `["1900000109"]`), "activity_id", activity),
		refused("paygift_activity_merchants/empty list", members("10028001", `[]`), "merchant_ids", `at\s+least\s+1`),
		refused("paygift_activity_merchants/one bad merchant", members("10028001", `["1900000109", "19000001x9"]`), "merchant_ids", merchant),
		refused("paygift_activity_merchants/short merchant", members("10028001", `["190000"]`), "merchant_ids", merchant),
		refused("paygift_activity_merchants/repeated merchant", members("10028001", `["1900000109", "1900000110", "1900000109"]`), "merchant_ids", `twice.*distinct`),
		refused("paygift_activity_merchants/merchant_ids missing", "resource \"wechatpay_paygift_activity_merchants\" \"x\" {\n  activity_id = \"10028001\"\n}\n", "merchant_ids", `required`),

		refused("marketing_partnership/unknown partner type", partnership(`{ type = "OPENID", appid = "wx4e1916a585d1f4e9" }`, okData), "partner.type", `APPID.*MERCHANT`),
		refused("marketing_partnership/lower case partner type", partnership(`{ type = "appid", appid = "wx4e1916a585d1f4e9" }`, okData), "partner.type", `APPID.*MERCHANT`),
		refused("marketing_partnership/APPID without appid", partnership(`{ type = "APPID" }`, okData), "partner.appid", `required`),
		refused("marketing_partnership/APPID with a malformed merchant_id", partnership(`{ type = "APPID", appid = "wx4e1916a585d1f4e9", merchant_id = "19-00" }`, okData), "partner.merchant_id", `8\s+to\s+15\s+digits`),
		refused("marketing_partnership/MERCHANT without merchant_id", partnership(`{ type = "MERCHANT" }`, okData), "partner.merchant_id", `required`),
		refused("marketing_partnership/MERCHANT with appid", partnership(`{ type = "MERCHANT", merchant_id = "1900000109", appid = "wx4e1916a585d1f4e9" }`, okData), "partner.appid", `must\s+not\s+be\s+set`),
		refused("marketing_partnership/FAVOR_STOCK to a merchant", partnership(`{ type = "MERCHANT", merchant_id = "1900000109" }`, `{ business_type = "FAVOR_STOCK", stock_id = "98065001" }`), "business_type", `APPID`),
		refused("marketing_partnership/unknown business type", partnership(okPartner, `{ business_type = "COUPON", stock_id = "98065001" }`), "authorized_data.business_type", `FAVOR_STOCK.*BUSIFAVOR_STOCK|BUSIFAVOR_STOCK.*FAVOR_STOCK`),
		refused("marketing_partnership/stock_id empty", partnership(okPartner, `{ business_type = "BUSIFAVOR_STOCK", stock_id = "" }`), "authorized_data.stock_id", `stock`),
		refused("marketing_partnership/stock_id too long", partnership(okPartner, `{ business_type = "BUSIFAVOR_STOCK", stock_id = "`+strings.Repeat("9", 21)+`" }`), "authorized_data.stock_id", `stock`),
		refused("marketing_partnership/stock_id with a slash", partnership(okPartner, `{ business_type = "BUSIFAVOR_STOCK", stock_id = "98/065001" }`), "authorized_data.stock_id", `stock`),
		refused("marketing_partnership/appid with spaces", partnership(`{ type = "APPID", appid = "wx4e19 16a585d1f4e9" }`, okData), "partner.appid", `app`),
		refused("marketing_partnership/appid too long", partnership(`{ type = "APPID", appid = "wx`+strings.Repeat("a", 32)+`" }`, okData), "partner.appid", `app`),
		refused("marketing_partnership/merchant_id 7 digits", partnership(`{ type = "MERCHANT", merchant_id = "1234567" }`, okData), "partner.merchant_id", `8\s+to\s+15|digits`),
		refused("marketing_partnership/partner missing", "resource \"wechatpay_marketing_partnership\" \"x\" {\n  authorized_data = "+okData+"\n}\n", "partner", `required`),
		refused("marketing_partnership/authorized_data missing", "resource \"wechatpay_marketing_partnership\" \"x\" {\n  partner = "+okPartner+"\n}\n", "authorized_data", `required`),
		refused("marketing_partnership/partner without type", partnership(`{ appid = "wx4e1916a585d1f4e9" }`, okData), "type", `required`),

		refused("merchant_authorization_state/sub_mchid letters", "data \"wechatpay_merchant_authorization_state\" \"x\" {\n  sub_mchid = \"abc\"\n}\n", "sub_mchid", subDigits),
		refused("merchant_authorization_state/sub_mchid missing", "data \"wechatpay_merchant_authorization_state\" \"x\" {\n}\n", "sub_mchid", `required`),
		refused("merchant_authorization_states/one bad id", "data \"wechatpay_merchant_authorization_states\" \"x\" {\n  sub_mchids = [\"1900000109\", \"19000\"]\n}\n", "sub_mchids", subDigits),
		refused("merchant_authorization_states/concurrency 0", "data \"wechatpay_merchant_authorization_states\" \"x\" {\n  sub_mchids  = [\"1900000109\"]\n  concurrency = 0\n}\n", "concurrency", `between\s+1\s+and\s+32`),
		refused("merchant_authorization_states/concurrency 33", "data \"wechatpay_merchant_authorization_states\" \"x\" {\n  sub_mchids  = [\"1900000109\"]\n  concurrency = 33\n}\n", "concurrency", `between\s+1\s+and\s+32`),
		refused("paygift_activity/activity_id with a query", "data \"wechatpay_paygift_activity\" \"x\" {\n  activity_id = \"10028001?x=1\"\n}\n", "activity_id", activity),
		refused("paygift_activity/activity_id missing", "data \"wechatpay_paygift_activity\" \"x\" {\n}\n", "activity_id", `required`),
	}
}

// TestAccBadInput_catalog walks the whole catalog: every configuration is refused at validate,
// plan or configure time, with an error naming the attribute and what is allowed, and none of
// them reaches WeChat Pay.
func TestAccBadInput_catalog(t *testing.T) {
	clearProviderEnv(t)
	emu := newTestEmulator(t, authorizationSeed("CHANNEL_PARTNER"))
	providerBlock := emu.providerConfig(modePublicKey)
	catalog := providerBadInputs(t, emu)
	for _, c := range resourceBadInputs() {
		c.config = providerBlock + c.config
		catalog = append(catalog, c)
	}
	if len(catalog) < 60 {
		t.Fatalf("the catalog holds %d configurations, want at least 60", len(catalog))
	}
	seen := map[string]bool{}
	for _, c := range catalog {
		if seen[c.name] {
			t.Fatalf("catalog name %q used twice", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      c.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.wantErr),
				}},
			})
		})
	}
	if n := len(emu.Calls()); n != 0 {
		t.Errorf("invalid configurations reached the emulator %d times, want 0", n)
	}
}
