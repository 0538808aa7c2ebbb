package provider

import (
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

const gpPageAddr = "wechatpay_goldplan_custom_page.test"

// gpPageHCL is the receipt page after the gold plan, ordered by referencing its sub_mchid.
func gpPageHCL(sub string) string {
	return gpStatusHCL(sub) + `
resource "wechatpay_goldplan_custom_page" "test" {
  sub_mchid = wechatpay_goldplan_status.test.sub_mchid
}
`
}

func pageOpen(want bool) func(emulator.GoldPlanState) error {
	return func(g emulator.GoldPlanState) error {
		if g.CustomPageOpen != want {
			return fmt.Errorf("receipt page open = %v, want %v", g.CustomPageOpen, want)
		}
		return nil
	}
}

func TestAccGoldPlanCustomPage_basic(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	cfg := emu.providerConfig(modePublicKey) + gpPageHCL(gpSub)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// The reference orders destroy too: the page closes before the gold plan.
		CheckDestroy: resource.ComposeTestCheckFunc(
			expectGoldPlanCalls(emu, gpPageCall(gpSub, "CLOSE"), gpStatusCall(gpSub, "CLOSE", "JSAPI")),
			expectGoldPlan(emu, gpSub, pageOpen(false)),
			expectGoldPlan(emu, gpSub, openScenes()),
		),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  expectGoldPlanAfter(emu, gpSub, pageOpen(true), gpStatusCall(gpSub, "OPEN", "JSAPI"), gpPageCall(gpSub, "OPEN")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(gpPageAddr, tfjsonpath.New("id"), knownvalue.StringExact(gpSub)),
				},
				ConfigPlanChecks: emptyAfterApply(),
			},
			{
				ResourceName:      gpPageAddr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateCheck: func([]*terraform.InstanceState) error {
					return expectGoldPlanCalls(emu)(nil)
				},
			},
		},
	})
}

// Without a receipt link the open is refused with advice on where to configure it.
func TestAccGoldPlanCustomPage_noReceiptLink(t *testing.T) {
	no := false
	emu := newTestEmulator(t, goldPlanSeed())
	if err := emu.Seed(emulator.Seed{ReceiptLinkConfigured: &no}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: emu.providerConfig(modePublicKey) + gpPageHCL(gpSub),
			ExpectError: regexp.MustCompile(`(?s)Unable to Open Gold Plan Receipt Page.*receipt link.*` +
				`服务商平台.*未配置商家小票链接.*Request-ID`),
		}},
	})
	if emu.GoldPlan(gpSub).CustomPageOpen {
		t.Error("the refused open opened the receipt page")
	}
}

// When the gold plan was closed behind Terraform's back, destroying the page cannot close it;
// it leaves with a warning instead of blocking the destroy for a day.
func TestAccGoldPlanCustomPage_destroyAfterGoldPlanClosed(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	p := emu.providerConfig(modePublicKey)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: p + gpPageHCL(gpSub)},
			{
				PreConfig: func() {
					takeGoldPlanCalls(emu)
					err := emu.SetGoldPlan(emulator.GoldPlanState{SubMchid: gpSub, CustomPageOpen: true})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: p + gpStatusHCL(gpSub),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(gpPageAddr, plancheck.ResourceActionDestroy)},
				},
				Check: resource.ComposeTestCheckFunc(
					expectGoldPlanCalls(emu, gpPageCall(gpSub, "CLOSE")),
					func(s *terraform.State) error {
						if _, ok := s.RootModule().Resources[gpPageAddr]; ok {
							return errors.New("the page is still in the state")
						}
						return nil
					},
				),
			},
		},
	})
}
