package provider

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

const gpAdsAddr = "wechatpay_goldplan_advertising.test"

// gpAdsHCL is the ads after the gold plan of gpSub; filters nil leaves industry_filters out.
func gpAdsHCL(filters []string) string {
	attr := ""
	if filters != nil {
		attr = "\n  industry_filters = " + hclList(filters)
	}
	return gpStatusHCL(gpSub) + fmt.Sprintf(`
resource "wechatpay_goldplan_advertising" "test" {
  sub_mchid = wechatpay_goldplan_status.test.sub_mchid%s
}
`, attr)
}

func adsShown(want bool, filters ...string) func(emulator.GoldPlanState) error {
	return func(g emulator.GoldPlanState) error {
		if g.AdvertisingShown != want || !slices.Equal(g.IndustryFilters, filters) {
			return fmt.Errorf("ads shown %v with filters %v, want %v with %v", g.AdvertisingShown, g.IndustryFilters, want, filters)
		}
		return nil
	}
}

func expectFilters(filters ...string) statecheck.StateCheck {
	if filters == nil {
		return statecheck.ExpectKnownValue(gpAdsAddr, tfjsonpath.New("industry_filters"), knownvalue.Null())
	}
	return statecheck.ExpectKnownValue(gpAdsAddr, tfjsonpath.New("industry_filters"), stringSetOf(filters...))
}

func TestAccGoldPlanAdvertising_basic(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	p := emu.providerConfig(modePublicKey)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// The filters stay behind: WeChat Pay cannot clear them.
		CheckDestroy: expectGoldPlanAfter(emu, gpSub, adsShown(false, "FINANCE"), gpCloseAdsCall(gpSub), gpStatusCall(gpSub, "CLOSE", "JSAPI")),
		Steps: []resource.TestStep{
			{
				// One call shows the ads with the filters, in a stable order.
				Config: p + gpAdsHCL([]string{"GAME", "CAR"}),
				Check:  expectGoldPlanAfter(emu, gpSub, adsShown(true, "CAR", "GAME"), gpStatusCall(gpSub, "OPEN", "JSAPI"), gpShowAdsCall(gpSub, "CAR", "GAME")),
				ConfigStateChecks: []statecheck.StateCheck{
					expectFilters("CAR", "GAME"),
					statecheck.ExpectKnownValue(gpAdsAddr, tfjsonpath.New("id"), knownvalue.StringExact(gpSub)),
				},
				ConfigPlanChecks: emptyAfterApply(),
			},
			{
				// New filters replace the old set in place.
				Config:            p + gpAdsHCL([]string{"FINANCE"}),
				ConfigPlanChecks:  actionThenEmpty(gpAdsAddr, plancheck.ResourceActionUpdate),
				Check:             expectGoldPlanAfter(emu, gpSub, adsShown(true, "FINANCE"), gpSetFiltersCall(gpSub, "FINANCE")),
				ConfigStateChecks: []statecheck.StateCheck{expectFilters("FINANCE")},
			},
			{
				ResourceName:            gpAdsAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"industry_filters"},
			},
		},
	})
}

// Ads without filters; filters added later are set; removing them again is refused at plan
// time, before any call.
func TestAccGoldPlanAdvertising_filtersCannotBeCleared(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	p := emu.providerConfig(modePublicKey)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            p + gpAdsHCL(nil),
				Check:             expectGoldPlanAfter(emu, gpSub, adsShown(true), gpStatusCall(gpSub, "OPEN", "JSAPI"), gpShowAdsCall(gpSub)),
				ConfigStateChecks: []statecheck.StateCheck{expectFilters()},
			},
			{
				Config: p + gpAdsHCL([]string{"LAW", "SOFTWARE", "ESTATE"}),
				Check:  expectGoldPlanAfter(emu, gpSub, adsShown(true, "ESTATE", "LAW", "SOFTWARE"), gpSetFiltersCall(gpSub, "ESTATE", "LAW", "SOFTWARE")),
			},
			{
				Config:      p + gpAdsHCL(nil),
				ExpectError: regexp.MustCompile(`(?s)Industry Filters Cannot Be Cleared.*merchant platform`),
			},
			{
				// The refusal made no call and changed nothing.
				PreConfig: func() {
					if got := takeGoldPlanCalls(emu); len(got) != 0 {
						t.Errorf("the refused plan made calls %q", got)
					}
				},
				Config:           p + gpAdsHCL([]string{"LAW", "SOFTWARE", "ESTATE"}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            expectGoldPlan(emu, gpSub, adsShown(true, "ESTATE", "LAW", "SOFTWARE")),
			},
		},
	})
}

// Filters are checked at plan time: 1 to 3 of the 36 values.
func TestAccGoldPlanAdvertising_filterLimits(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	p := emu.providerConfig(modePublicKey)
	cases := []struct {
		filters []string
		want    string
	}{
		{[]string{"CAR", "GAME", "LAW", "FOOD"}, `(?s)industry_filters.*at least 1 elements and at most 3`},
		{[]string{}, `(?s)industry_filters.*at least 1 elements and at most 3`},
		{[]string{"PHOTOGRAPHY"}, `(?s)industry_filters.*"PHOTOGRAPHY".*WeChat\s+Pay\s+spells\s+this\s+industry\s+"POTOGRAPHY"`},
		{[]string{"CAR", "BUSINESS"}, `(?s)industry_filters.*WeChat\s+Pay\s+spells\s+this\s+industry\s+"BUSSINESS"`},
		{[]string{"CARS"}, `(?s)industry_filters.*"CARS"\s+is\s+not\s+one\s+of\s+WeChat\s+Pay.s\s+advertising\s+industries`},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{Config: p + gpAdsHCL(tc.filters), ExpectError: regexp.MustCompile(tc.want)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
	if n := len(emu.Calls()); n != 0 {
		t.Errorf("%d calls for invalid filters, want 0", n)
	}
}

// After an import nothing is known about the ads; the first change shows them and sets the
// filters in one call.
func TestAccGoldPlanAdvertising_importReasserts(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	if err := emu.SetGoldPlan(emulator.GoldPlanState{SubMchid: gpSub, OpenScenes: []string{"JSAPI"}}); err != nil {
		t.Fatal(err)
	}
	cfg := emu.providerConfig(modePublicKey) + fmt.Sprintf(`
resource "wechatpay_goldplan_advertising" "test" {
  sub_mchid        = %q
  industry_filters = ["CAR"]
}
`, gpSub)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectGoldPlanAfter(emu, gpSub, adsShown(false, "GAME"), gpCloseAdsCall(gpSub)),
		Steps: []resource.TestStep{
			{
				Config: cfg, ResourceName: gpAdsAddr, ImportState: true, ImportStateId: gpSub, ImportStatePersist: true,
				ImportStateCheck: func([]*terraform.InstanceState) error { return expectGoldPlanCalls(emu)(nil) },
			},
			{
				Config:           cfg,
				ConfigPlanChecks: actionThenEmpty(gpAdsAddr, plancheck.ResourceActionUpdate),
				Check:            expectGoldPlanAfter(emu, gpSub, adsShown(true, "CAR"), gpShowAdsCall(gpSub, "CAR")),
			},
			{
				// Once re-asserted, filter changes use the filter call again.
				Config: emu.providerConfig(modePublicKey) + fmt.Sprintf(`
resource "wechatpay_goldplan_advertising" "test" {
  sub_mchid        = %q
  industry_filters = ["GAME"]
}
`, gpSub),
				Check: expectGoldPlanCalls(emu, gpSetFiltersCall(gpSub, "GAME")),
			},
		},
	})
}
