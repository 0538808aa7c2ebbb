package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// A gold plan cannot be read back, so an import id carries the settings the user knows are in
// force; generated configuration then plans clean, and a bare import warns.
func TestAccGoldPlanImport_idCarriesSettings(t *testing.T) {
	clearProviderEnv(t)
	emu := newTestEmulator(t, deletionSeed())
	imports := `
import {
  to = wechatpay_goldplan_status.shop
  id = "1900000109:JSAPI,MINIPROGRAM"
}

import {
  to = wechatpay_goldplan_advertising.shop
  id = "1900000109:FINANCE,GAME"
}
`
	run := newCLIRun(t, emu.providerConfig(modePublicKey)+imports, nil)
	run.terraform("plan", "-input=false", "-generate-config-out=generated.tf")
	generated, err := os.ReadFile(filepath.Join(run.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`pay_scenes\s*=\s*\["JSAPI",\s*"MINIPROGRAM"\]`, `industry_filters\s*=\s*\["FINANCE",\s*"GAME"\]`} {
		if !regexp.MustCompile(want).Match(generated) {
			t.Errorf("generated configuration lacks %s:\n%s", want, generated)
		}
	}

	emu.ClearCalls()
	out, err := run.run([]string{"apply", "-auto-approve", "-input=false"})
	if err != nil || !strings.Contains(out, "2 imported, 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply of the generated configuration: %v\n%s", err, out)
	}
	if out, err := run.run([]string{"plan", "-input=false", "-detailed-exitcode"}); err != nil {
		t.Errorf("plan after the import is not clean: %v\n%s", err, out)
	}
	for _, c := range emu.Calls() {
		t.Errorf("importing called %s %s", c.Method, c.Path)
	}

	// A bare import records no settings, and says so.
	run.write(emu.providerConfig(modePublicKey) + `
resource "wechatpay_goldplan_status" "bare" {
  sub_mchid  = "1900000110"
  pay_scenes = ["JSAPI"]
}
`)
	out, err = run.run([]string{"import", "-input=false", "wechatpay_goldplan_status.bare", "1900000110"})
	if err != nil {
		t.Fatalf("bare import: %v\n%s", err, out)
	}
	expectWarnings(t, out, map[string][]string{"Gold Plan Settings Unknown After Import": {"sub-merchant 1900000110",
		"`pay_scenes`", "opens every scene", "`1900000110:JSAPI,MINIPROGRAM`", "-generate-config-out"}})

	// A wrong setting is refused with what a configuration holding it is told: the attribute and
	// the allowed values, and for an industry in the correct English, WeChat Pay's own spelling.
	run.write(emu.providerConfig(modePublicKey) + `
resource "wechatpay_goldplan_status" "bare" {
  sub_mchid  = "1900000110"
  pay_scenes = ["JSAPI"]
}

resource "wechatpay_goldplan_advertising" "bare" {
  sub_mchid        = "1900000110"
  industry_filters = ["FINANCE"]
}
`)
	out = run.terraformFails("import", "-input=false", "wechatpay_goldplan_status.bare", "1900000110:JSAPI,APP")
	if !regexp.MustCompile(`(?s)Invalid Import ID.*` + cliText("The import id's pay_scenes \"JSAPI,APP\" is not valid:") +
		`.*must\s+be\s+one\s+of.*"JSAPI"\s+"MINIPROGRAM".*"APP"`).MatchString(out) {
		t.Errorf("import with a wrong scene:\n%s", out)
	}
	out = run.terraformFails("import", "-input=false", "wechatpay_goldplan_advertising.bare", "1900000110:FINANCE,PHOTOGRAPHY")
	if !regexp.MustCompile(`(?s)Invalid Import ID.*` + cliText("The import id's industry_filters \"FINANCE,PHOTOGRAPHY\" "+
		"is not valid: WeChat Pay spells this industry \"POTOGRAPHY\", not \"PHOTOGRAPHY\": write \"POTOGRAPHY\"")).MatchString(out) {
		t.Errorf("import with an industry in the correct English:\n%s", out)
	}
}

// A change made in the merchant platform never shows in a plan; changing `reassert` re-sends the
// configured settings in place, closing nothing.
func TestAccGoldPlan_reassert(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	cfg := func(reassert string) string {
		return emu.providerConfig(modePublicKey) + fmt.Sprintf(`
resource "wechatpay_goldplan_status" "test" {
  sub_mchid  = %[1]q
  pay_scenes = ["JSAPI", "MINIPROGRAM"]
  reassert   = %[2]q
}

resource "wechatpay_goldplan_advertising" "test" {
  sub_mchid        = wechatpay_goldplan_status.test.sub_mchid
  industry_filters = ["FINANCE"]
  reassert         = %[2]q
}
`, gpSub, reassert)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("2026-11-01")},
			{
				// Closed in the merchant platform, more than a day ago: the plan cannot see it.
				PreConfig: func() {
					if err := emu.SetGoldPlan(emulator.GoldPlanState{SubMchid: gpSub}); err != nil {
						t.Fatal(err)
					}
					emu.AdvanceClock(25 * time.Hour)
					takeGoldPlanCalls(emu)
				},
				Config: cfg("2026-11-30"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(gpStatusAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(gpAdsAddr, plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					expectGoldPlan(emu, gpSub, openScenes("JSAPI", "MINIPROGRAM")),
					expectGoldPlan(emu, gpSub, func(g emulator.GoldPlanState) error {
						if !g.AdvertisingShown || !slices.Equal(g.IndustryFilters, []string{"FINANCE"}) {
							return fmt.Errorf("ads shown %v with filters %v, want shown with [FINANCE]", g.AdvertisingShown, g.IndustryFilters)
						}
						return nil
					}),
					func(*terraform.State) error {
						for _, c := range emu.Calls() {
							if strings.Contains(c.Body, `"CLOSE"`) || strings.Contains(c.Path, "close") {
								return fmt.Errorf("reasserting called %s %s %s", c.Method, c.Path, c.Body)
							}
						}
						return nil
					},
				),
			},
		},
	})
}

// An answer that could not be trusted does not send the user to `terraform plan`, which cannot
// show a gold plan: it says to apply again.
func TestAccGoldPlanStatus_untrustedAnswerAdvice(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	emu.InjectFault(emulator.Fault{Method: "POST", Path: "/v3/goldplan/merchants/changegoldplanstatus",
		Kind: emulator.FaultTamperSignature, Count: 1})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: emu.providerConfig(modePublicKey) + gpStatusHCL(gpSub),
			ExpectError: regexp.MustCompile(`(?s)Unable to Open Gold Plan.*could\s+not\s+be\s+trusted.*` +
				cliText("WeChat Pay has no way to read the gold plan back, so `terraform plan` cannot show it") +
				`.*Apply\s+again`),
		}},
	})
}
