package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// Actions came with Terraform 1.14; OpenTofu 1.12 has none.
var actionVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// gpShopHCL is the example on the action's page, examples/actions/wechatpay_goldplan_reapply:
// gpSub's whole gold plan and the action that re-sends it. The tests run the file users copy.
func gpShopHCL(t *testing.T) string {
	t.Helper()
	hcl := example(t, "actions/wechatpay_goldplan_reapply/action.tf")
	if !strings.Contains(hcl, `sub_mchid  = "`+gpSub+`"`) {
		t.Fatalf("the example no longer manages sub-merchant %s, which the emulator is seeded with:\n%s", gpSub, hcl)
	}
	return hcl
}

// reapplyTestHCL is the action "test" for gpSub, with body as the rest of its config block.
func reapplyTestHCL(body string) string {
	return `
action "wechatpay_goldplan_reapply" "test" {
  config {
    sub_mchid = "` + gpSub + `"
` + body + `
  }
}
`
}

// actionTriggerHCL is a terraform_data resource, with attrs before its lifecycle block, that
// invokes the reapply action named action whenever it is created.
func actionTriggerHCL(name, action, attrs string) string {
	return fmt.Sprintf(`
resource "terraform_data" %q {%s
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.wechatpay_goldplan_reapply.%s]
    }
  }
}
`, name, attrs, action)
}

// configured is the gold plan the example (gpShopHCL) asks for.
func configured(g emulator.GoldPlanState) error {
	if !slices.Equal(g.OpenScenes, []string{"JSAPI", "MINIPROGRAM"}) || !g.CustomPageOpen || !g.AdvertisingShown ||
		!slices.Equal(g.IndustryFilters, []string{"FINANCE", "GAME"}) {
		return fmt.Errorf("not as configured")
	}
	return nil
}

// Someone changes the gold plan in the merchant platform: a plan cannot see it, and the action
// puts the configuration back in place, without closing anything, without changing the state.
func TestAccGoldPlanReapply_invoke(t *testing.T) {
	skipBelow(t, 1, 14)
	clearProviderEnv(t)
	emu := newTestEmulator(t, goldPlanSeed())
	c := newCLI(t, emu.providerConfig(modePublicKey)+gpShopHCL(t))
	c.run([]string{"apply", "-auto-approve", "-input=false"})
	if err := expectGoldPlan(emu, gpSub, configured)(nil); err != nil {
		t.Fatal(err)
	}
	state := c.read("terraform.tfstate")

	// Drift: mini program payments closed, receipt page off, other filters.
	if err := emu.SetGoldPlan(emulator.GoldPlanState{SubMchid: gpSub, OpenScenes: []string{"JSAPI"},
		AdvertisingShown: true, IndustryFilters: []string{"CAR"}}); err != nil {
		t.Fatal(err)
	}
	out, _ := c.run([]string{"plan", "-input=false", "-detailed-exitcode"}, 0, 2)
	if !strings.Contains(out, "No changes.") {
		t.Fatalf("the plan was expected not to see the drift (WeChat Pay cannot read a gold plan back):\n%s", tail(out, 40))
	}

	for round := 1; round <= 2; round++ {
		emu.ClearCalls()
		out, _ = c.run([]string{"apply", "-auto-approve", "-input=false", "-invoke=action.wechatpay_goldplan_reapply.shop"})
		if !strings.Contains(out, "Actions: 1 invoked.") || !strings.Contains(out, "Resources: 0 added, 0 changed, 0 destroyed.") {
			t.Fatalf("round %d: apply -invoke:\n%s", round, tail(out, 30))
		}
		for _, progress := range []string{"opened the gold plan for JSAPI and MINIPROGRAM", "opened the receipt page",
			"showed the ads without FINANCE, GAME"} {
			if !strings.Contains(out, "Sub-merchant "+gpSub+": "+progress+".") {
				t.Errorf("round %d: no progress message %q:\n%s", round, progress, tail(out, 30))
			}
		}
		// Exactly these calls, in this order; never a CLOSE of the gold plan.
		if err := expectGoldPlanCalls(emu, gpStatusCall(gpSub, "OPEN", "JSAPI_AND_MINIPROGRAM"), gpPageCall(gpSub, "OPEN"),
			gpShowAdsCall(gpSub, "FINANCE", "GAME"))(nil); err != nil {
			t.Errorf("round %d: %v", round, err)
		}
		if err := expectGoldPlan(emu, gpSub, configured)(nil); err != nil {
			t.Errorf("round %d: %v", round, err)
		}
	}
	if c.read("terraform.tfstate") != state {
		t.Error("invoking the action changed the Terraform state")
	}
}

// The action can run from an action_trigger too: here whenever a token resource is replaced.
func TestAccGoldPlanReapply_trigger(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	// The action's config names the status and the ads but not the receipt page, so the trigger
	// waits for all three: the action must re-send a gold plan already applied, never race it.
	cfg := func(token string) string {
		return emu.providerConfig(modePublicKey) + gpShopHCL(t) + actionTriggerHCL("reapply", "shop", `
  triggers_replace = "`+token+`"
  depends_on       = [wechatpay_goldplan_custom_page.shop, wechatpay_goldplan_advertising.shop]`)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg("1"),
				Check:  expectGoldPlan(emu, gpSub, configured),
			},
			{
				PreConfig: func() {
					if err := emu.SetGoldPlan(emulator.GoldPlanState{SubMchid: gpSub, OpenScenes: []string{"JSAPI"}}); err != nil {
						t.Fatal(err)
					}
					emu.ClearCalls()
				},
				Config: cfg("2"),
				Check: resource.ComposeTestCheckFunc(
					expectGoldPlanCalls(emu, gpStatusCall(gpSub, "OPEN", "JSAPI_AND_MINIPROGRAM"), gpPageCall(gpSub, "OPEN"),
						gpShowAdsCall(gpSub, "FINANCE", "GAME")),
					expectGoldPlan(emu, gpSub, configured),
				),
			},
		},
	})
}

// What the action would refuse to do, refused at plan time; and the settings it is not given are
// left alone.
func TestAccGoldPlanReapply_config(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	// Each step runs the action once: it replaces the resource that triggers it.
	step := 0
	action := func(body string) string {
		step++
		return emu.providerConfig(modePublicKey) + reapplyTestHCL(body) +
			actionTriggerHCL("run", "test", "\n  triggers_replace = "+fmt.Sprint(step))
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: action(""), ExpectError: regexp.MustCompile(`Nothing to Reapply`)},
			{
				Config:      action(`    advertising = false` + "\n" + `    industry_filters = ["CAR"]`),
				ExpectError: regexp.MustCompile(`(?s)Industry Filters Without Ads.*advertising = true`),
			},
			{
				Config:      action(`    pay_scenes = ["JSAPI", "H5"]`),
				ExpectError: regexp.MustCompile(`(?s)pay_scenes.*JSAPI.*MINIPROGRAM`),
			},
			{
				// Only the filters: nothing is opened, the ads are not switched on or off.
				PreConfig: func() {
					if err := emu.SetGoldPlan(emulator.GoldPlanState{SubMchid: gpSub, OpenScenes: []string{"JSAPI"},
						AdvertisingShown: true, IndustryFilters: []string{"CAR"}}); err != nil {
						t.Fatal(err)
					}
					emu.ClearCalls()
				},
				Config: action(`    industry_filters = ["GAME"]`),
				Check: resource.ComposeTestCheckFunc(
					expectGoldPlanCalls(emu, gpSetFiltersCall(gpSub, "GAME")),
					expectGoldPlan(emu, gpSub, adsShown(true, "GAME")),
				),
			},
			{
				// Stopping the ads and closing the receipt page are settings too; the gold plan
				// itself is never closed.
				PreConfig: emu.ClearCalls,
				Config:    action(`    custom_page = false` + "\n" + `    advertising = false`),
				Check: resource.ComposeTestCheckFunc(
					expectGoldPlanCalls(emu, gpPageCall(gpSub, "CLOSE"), gpCloseAdsCall(gpSub)),
					expectGoldPlan(emu, gpSub, openScenes("JSAPI")),
				),
			},
		},
	})
}

// A refusal stops the action and says what was already re-sent.
func TestAccGoldPlanReapply_partial(t *testing.T) {
	seed := goldPlanSeed()
	receipt := false
	seed.ReceiptLinkConfigured = &receipt
	emu := newTestEmulator(t, seed)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: emu.providerConfig(modePublicKey) + reapplyTestHCL(`    pay_scenes  = ["MINIPROGRAM"]
    custom_page = true
    advertising = true`) + actionTriggerHCL("run", "test", ""),
			ExpectError: regexp.MustCompile(`(?s)Unable to Open Gold Plan Receipt Page.*receipt link.*Gold Plan Reapplied in Part.*` +
				`opened the gold plan for MINIPROGRAM\s+before it stopped`),
		}, {
			PreConfig: func() {
				g := emu.GoldPlan(gpSub)
				if !slices.Equal(g.OpenScenes, []string{"MINIPROGRAM"}) || g.CustomPageOpen || g.AdvertisingShown {
					t.Errorf("gold plan %+v, want only MINIPROGRAM open, the receipt page and the ads untouched", g)
				}
			},
			Config: emu.providerConfig(modePublicKey),
		}},
	})
}
