package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// Sub-merchants of the gold plan tests: two of the caller's own, one under penalty and one of
// another provider.
const (
	gpSub       = "1900000109"
	gpOtherSub  = "1900000110"
	gpPenalized = "1900000111"
	gpForeign   = "1900000999"
	gpUnknown   = "1900077777"
)

func goldPlanSeed() emulator.Seed {
	return emulator.Seed{
		CallerRole: emulator.RoleServiceProvider,
		SubMerchants: []emulator.SubMerchant{
			{SubMchid: gpSub},
			{SubMchid: gpOtherSub},
			{SubMchid: gpPenalized, Penalized: true},
			{SubMchid: gpForeign, Owner: "1900088888"},
		},
	}
}

// The receipt page and the ads need an open gold plan: without one each is refused with advice
// on ordering it after wechatpay_goldplan_status, and nothing changes.
func TestAccGoldPlan_goldPlanNotOpen(t *testing.T) {
	cases := []struct {
		resourceType, summary string
		changed               func(emulator.GoldPlanState) bool
	}{
		{"wechatpay_goldplan_custom_page", "Unable to Open Gold Plan Receipt Page",
			func(g emulator.GoldPlanState) bool { return g.CustomPageOpen }},
		{"wechatpay_goldplan_advertising", "Unable to Show Gold Plan Ads",
			func(g emulator.GoldPlanState) bool { return g.AdvertisingShown }},
	}
	for _, tc := range cases {
		t.Run(tc.resourceType, func(t *testing.T) {
			emu := newTestEmulator(t, goldPlanSeed())
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: emu.providerConfig(modePublicKey) + fmt.Sprintf("resource %q \"test\" {\n  sub_mchid = %q\n}\n",
						tc.resourceType, gpSub),
					ExpectError: regexp.MustCompile(`(?s)` + tc.summary + `.*gold\s+plan\s+of\s+this\s+sub-merchant\s+is\s+not\s+open` +
						`.*wechatpay_goldplan_status.*depends_on.*特约商户未开通点金计划.*Request-ID`),
				}},
			})
			if tc.changed(emu.GoldPlan(gpSub)) {
				t.Errorf("the refused call changed the gold plan: %+v", emu.GoldPlan(gpSub))
			}
		})
	}
}

// The calls as the emulator logs them, "METHOD last-path-segment body", so a test states the
// exact requests a step must make.
func gpStatusCall(sub, op, scene string) string {
	return fmt.Sprintf(`POST changegoldplanstatus {"sub_mchid":%q,"operation_type":%q,"operation_pay_scene":%q}`, sub, op, scene)
}

func gpPageCall(sub, op string) string {
	return fmt.Sprintf(`POST changecustompagestatus {"sub_mchid":%q,"operation_type":%q}`, sub, op)
}

func gpShowAdsCall(sub string, filters ...string) string {
	return `PATCH open-advertising-show ` + gpAdsBody(sub, filters)
}

func gpSetFiltersCall(sub string, filters ...string) string {
	return `POST set-advertising-industry-filter ` + gpAdsBody(sub, filters)
}

func gpCloseAdsCall(sub string) string { return `POST close-advertising-show ` + gpAdsBody(sub, nil) }

func gpAdsBody(sub string, filters []string) string {
	if len(filters) == 0 {
		return fmt.Sprintf(`{"sub_mchid":%q}`, sub)
	}
	return fmt.Sprintf(`{"sub_mchid":%q,"advertising_industry_filters":["%s"]}`, sub, strings.Join(filters, `","`))
}

// takeGoldPlanCalls returns the gold plan calls made since the last take and forgets them.
func takeGoldPlanCalls(emu *testEmulator) []string {
	var out []string
	for _, c := range emu.Calls() {
		if strings.HasPrefix(c.Path, "/v3/goldplan/") {
			out = append(out, c.Method+" "+c.Path[strings.LastIndex(c.Path, "/")+1:]+" "+c.Body)
		}
	}
	emu.ClearCalls()
	return out
}

// expectGoldPlanCalls checks that the step made exactly these calls, in this order.
func expectGoldPlanCalls(emu *testEmulator, want ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		if got := takeGoldPlanCalls(emu); !slices.Equal(got, want) {
			return fmt.Errorf("gold plan calls:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		return nil
	}
}

// expectGoldPlan checks what WeChat Pay (the emulator) really holds for a sub-merchant.
func expectGoldPlan(emu *testEmulator, sub string, check func(emulator.GoldPlanState) error) func(*terraform.State) error {
	return func(*terraform.State) error {
		if err := check(emu.GoldPlan(sub)); err != nil {
			return fmt.Errorf("emulator gold plan of %s: %w (state %+v)", sub, err, emu.GoldPlan(sub))
		}
		return nil
	}
}

// expectGoldPlanAfter checks that the step made exactly calls, in this order, and left the gold
// plan of sub as check wants it.
func expectGoldPlanAfter(emu *testEmulator, sub string, check func(emulator.GoldPlanState) error, calls ...string) resource.TestCheckFunc {
	return resource.ComposeTestCheckFunc(expectGoldPlanCalls(emu, calls...), expectGoldPlan(emu, sub, check))
}

func openScenes(want ...string) func(emulator.GoldPlanState) error {
	return func(g emulator.GoldPlanState) error {
		if !slices.Equal(g.OpenScenes, want) {
			return fmt.Errorf("open scenes %v, want %v", g.OpenScenes, want)
		}
		return nil
	}
}

// gpStatusHCL is wechatpay_goldplan_status.test for sub; scenes nil leaves pay_scenes out.
func gpStatusHCL(sub string, scenes ...string) string {
	attr := ""
	if scenes != nil {
		attr = "\n  pay_scenes = " + hclList(scenes)
	}
	return fmt.Sprintf(`
resource "wechatpay_goldplan_status" "test" {
  sub_mchid = %q%s
}
`, sub, attr)
}
