package provider

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

// The dialect matrix: for every value of every emulator dialect (emulator/doc.go, "Dialects"), the
// resources whose calls it touches go through create, a refresh that finds no change, drift made
// out of band, import, a lost answer followed by the retry, and destroy, with Terraform driving the
// provider against an emulator speaking that dialect. Each family has one scenario, shared by the
// dialects that touch it; a dialect's own expectations (an error that must say something, a call
// that must or must not happen) are in the scenario, keyed on the dialect's value.
//
// The matrix runs on one CLI: WECHATPAY_SKIP_DIALECT_MATRIX (set by the GNUmakefile for Terraform
// 1.16 and OpenTofu) skips it, as the provider's behaviour here does not depend on the CLI.

type dialectScenario func(t *testing.T, dialects map[string]string)

// dialectMatrix names, per dialect, the scenarios of the families its calls belong to.
var dialectMatrix = map[string][]dialectScenario{
	emulator.DialectPayGiftUnknownActivity:   {payGiftDialectScenario},
	emulator.DialectRequestNoReuse:           {payGiftDialectScenario},
	emulator.DialectPayGiftOffset:            {payGiftDialectScenario},
	emulator.DialectPayGiftLimit:             {payGiftDialectScenario},
	emulator.DialectPartnershipListEmpty:     {partnershipDialectScenario},
	emulator.DialectPartnershipTerminateGone: {partnershipDialectScenario},
	emulator.DialectGoldPlanGating:           {goldPlanDialectScenario},
	emulator.DialectGoldPlanDefaultOpenClose: {goldPlanDefaultOpenScenario},
	emulator.DialectGoldPlanReopen:           {goldPlanDialectScenario},
	emulator.DialectGoldPlanRepeat:           {goldPlanDialectScenario},
	emulator.DialectApply4SubjectUnknown:     {authorizationDialectScenario},
	emulator.DialectRoles:                    {payGiftDialectScenario, partnershipDialectScenario, goldPlanDialectScenario},
	emulator.DialectErrorTexts:               {payGiftDialectScenario, goldPlanDialectScenario},
	emulator.DialectTimeFormat:               {partnershipDialectScenario, goldPlanDialectScenario},
}

// dialectCompanions are set beside a dialect so that its values matter: the offset readings differ
// only once the list takes more than one page.
var dialectCompanions = map[string]map[string]string{
	emulator.DialectPayGiftOffset: {emulator.DialectPayGiftLimit: "cap20"},
}

func TestAccDialects(t *testing.T) {
	if os.Getenv("WECHATPAY_SKIP_DIALECT_MATRIX") != "" {
		t.Skip("WECHATPAY_SKIP_DIALECT_MATRIX is set: the dialect matrix runs on one CLI only")
	}
	srv := emulator.New(emulator.Options{Keys: emulatortest.Keys(t)})
	defer srv.Close()
	covered := 0
	for _, d := range srv.Dialects() {
		scenarios, ok := dialectMatrix[d.Name]
		if !ok {
			t.Errorf("dialect %s has no scenario in dialectMatrix", d.Name)
			continue
		}
		for _, value := range d.Values {
			for i, run := range scenarios {
				covered++
				dialects := map[string]string{d.Name: value}
				for k, v := range dialectCompanions[d.Name] {
					dialects[k] = v
				}
				t.Run(fmt.Sprintf("%s=%s/%d", d.Name, value, i), func(t *testing.T) {
					run(t, dialects)
				})
			}
		}
	}
	if covered == 0 {
		t.Fatal("no dialect ran")
	}
}

// dialectEmulator starts an emulator speaking the dialects from its start, so that Reset keeps them.
func dialectEmulator(t *testing.T, seed emulator.Seed, dialects map[string]string, opts ...emulatortest.Option) *testEmulator {
	t.Helper()
	opts = append(opts, emulatortest.WithOptions(func(o *emulator.Options) { o.Dialects = dialects }))
	return newTestEmulator(t, seed, opts...)
}

// --- pay-gift: the member list of an activity ---------------------------------------------------

// payGiftDialectScenario manages 23 members, so that a server capping pages at 20 pages them.
func payGiftDialectScenario(t *testing.T, dialects map[string]string) {
	emu := dialectEmulator(t, payGiftSeed(30), dialects)
	members := bulkMerchants(23)
	fewer := members[:21]
	lostAdd := emulator.Fault{Method: "POST", Path: payGiftAddPath, Kind: emulator.FaultDropAfterApply, Count: 1}
	lostDelete := emulator.Fault{Method: "POST", Path: payGiftDeletePath, Kind: emulator.FaultDropAfterApply, Count: 1}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             membersAre(emu),
		Steps: []resource.TestStep{
			{
				// Create, its add answer lost: the retry settles it, each member there once.
				PreConfig:         func() { emu.InjectFault(lostAdd) },
				Config:            merchantsConfig(emu, members),
				Check:             resource.ComposeTestCheckFunc(membersAre(emu, members...), faultSpent(emu, payGiftAddPath)),
				ConfigStateChecks: []statecheck.StateCheck{expectMerchantIDs(members...)},
				// The refresh reads the whole list, however it is paged: no change.
				ConfigPlanChecks: emptyAfterApply(),
			},
			{
				// Drift: a member removed out of band is added back.
				PreConfig:        func() { emu.RemoveActivityMember(testActivity, members[22]) },
				Config:           merchantsConfig(emu, members),
				ConfigPlanChecks: actionThenEmpty(merchantsAddr, plancheck.ResourceActionUpdate),
				Check:            membersAre(emu, members...),
			},
			{
				// A removal whose answer is lost: deleted once, and the plan is empty after.
				PreConfig:        func() { emu.InjectFault(lostDelete) },
				Config:           merchantsConfig(emu, fewer),
				Check:            resource.ComposeTestCheckFunc(membersAre(emu, fewer...), faultSpent(emu, payGiftDeletePath)),
				ConfigPlanChecks: emptyAfterApply(),
			},
			{
				ResourceName:      merchantsAddr,
				ImportState:       true,
				ImportStateId:     testActivity,
				ImportStateVerify: true,
			},
			{
				// The activity removed out of band: the refresh drops the resource, and plans it anew.
				PreConfig:          func() { emu.RemoveActivity(testActivity) },
				Config:             merchantsConfig(emu, fewer),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// faultSpent checks that the one-shot fault on path was met, so the step did test a lost answer.
func faultSpent(emu *testEmulator, path string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, c := range emu.Calls() {
			if c.Path == path && c.Fault != "" {
				return nil
			}
		}
		return fmt.Errorf("no call to %s met the injected fault", path)
	}
}

// --- marketing partnerships ----------------------------------------------------------------------

func partnershipDialectScenario(t *testing.T, dialects map[string]string) {
	p, d := emuAppPartner(), emuBusiStock("98065001")
	// terminateFirst makes the next terminate call one of a partnership already terminated, as if
	// it were terminated out of band between the refresh and the destroy.
	var emu *testEmulator
	var terminateFirst sync.Once
	raceTerminate := false
	emu = dialectEmulator(t, emulator.Seed{}, dialects, emulatortest.WithHandler(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if raceTerminate && r.URL.Path == pathTerminate {
				terminateFirst.Do(func() { emu.TerminatePartnership(p, d) })
			}
			next.ServeHTTP(w, r)
		})
	}))
	cfg := partnershipConfig(emu.merchantConfig(modePublicKey), appPartner(testAppID), busiStock("98065001"))
	empty := emu.merchantConfig(modePublicKey)
	timeFormat := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$`)
	if dialects[emulator.DialectTimeFormat] == "millis" {
		timeFormat = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$`)
	}
	established := expectPartnershipState(emu, p, d, "ESTABLISHED")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Import of a partnership that does not exist: nothing matches the list.
				Config:        cfg,
				ResourceName:  partnershipAddr,
				ImportState:   true,
				ImportStateId: "APPID:" + testAppID + ":BUSIFAVOR_STOCK:98065001",
				ExpectError:   regexp.MustCompile(`(?i)Cannot\s+import\s+non-existent|not\s+found|does\s+not\s+exist`),
			},
			{
				// Create, its answer lost: the retry is answered by the first build.
				PreConfig: func() {
					emu.InjectFault(emulator.Fault{Path: pathBuild, Kind: emulator.FaultDropAfterApply, Count: 1})
				},
				Config: cfg,
				Check:  resource.ComposeTestCheckFunc(established, faultSpent(emu, pathBuild)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnershipAddr, tfjsonpath.New("build_time"), knownvalue.StringRegexp(timeFormat)),
				},
				ConfigPlanChecks: emptyAfterApply(),
			},
			{
				ResourceName:      partnershipAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// Drift: terminated out of band, built again.
				PreConfig:        func() { emu.TerminatePartnership(p, d) },
				Config:           cfg,
				ConfigPlanChecks: actionThenEmpty(partnershipAddr, plancheck.ResourceActionCreate),
				Check:            established,
			},
			{
				// Nothing of the caller's left at all: the refresh drops it, the apply builds it again.
				PreConfig:        emu.Reset,
				Config:           cfg,
				ConfigPlanChecks: actionThenEmpty(partnershipAddr, plancheck.ResourceActionCreate),
				Check:            established,
			},
			{
				// Destroy of a grant terminated out of band after the refresh: it succeeds.
				PreConfig: func() { raceTerminate = true },
				Config:    empty,
				Check: func(*terraform.State) error {
					if got := emu.CountCalls(http.MethodPost, pathTerminate); got < 1 {
						return fmt.Errorf("%d terminate calls, want the destroy's", got)
					}
					return expectPartnershipState(emu, p, d, "TERMINATED")(nil)
				},
			},
		},
	})
}

// --- gold plan -------------------------------------------------------------------------------------

func goldPlanDialectScenario(t *testing.T, dialects map[string]string) {
	emu := dialectEmulator(t, goldPlanSeed(), dialects)
	p := emu.providerConfig(modePublicKey)
	statusPath := "/v3/goldplan/merchants/changegoldplanstatus"
	pagePath := "/v3/goldplan/merchants/changecustompagestatus"
	reopenErr := `(?s)Unable to Open Gold Plan.*within\s+24\s+hours.*can\s+be\s+opened\s+again\s+at\s+\d{4}-`
	if dialects[emulator.DialectGoldPlanReopen] == "no-detail" {
		reopenErr = `(?s)Unable to Open Gold Plan.*within\s+24\s+hours.*does\s+not\s+say\s+when`
	}
	pageAlone := p + `
resource "wechatpay_goldplan_custom_page" "alone" {
  sub_mchid = "` + gpOtherSub + `"
}
`
	steps := []resource.TestStep{
		{
			// The penalty refusal is explained whichever spelling WeChat Pay uses.
			Config:      p + gpStatusHCL(gpPenalized),
			ExpectError: regexp.MustCompile(`(?s)Unable to Open Gold Plan.*sub-merchant\s+is\s+under\s+a\s+WeChat\s+Pay\s+penalty`),
		},
		{
			// Create, the OPEN's answer lost and the receipt page's first call failing with 操作失败:
			// both retried; a repeated OPEN refused as already open is success.
			PreConfig: func() {
				emu.InjectFault(emulator.Fault{Path: statusPath, Kind: emulator.FaultDropAfterApply, Count: 1})
				emu.InjectFault(emulator.Fault{Path: pagePath, Kind: emulator.FaultOperationFailed, Count: 1})
			},
			Config: p + gpPageHCL(gpSub),
			Check: resource.ComposeTestCheckFunc(faultSpent(emu, statusPath), faultSpent(emu, pagePath),
				expectGoldPlan(emu, gpSub, func(g emulator.GoldPlanState) error {
					if err := openScenes("JSAPI")(g); err != nil {
						return err
					}
					return pageOpen(true)(g)
				})),
			ConfigPlanChecks: emptyAfterApply(),
		},
		{
			ResourceName:            gpStatusAddr,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"pay_scenes"},
		},
		{
			// JSAPI closed for MINIPROGRAM; then JSAPI asked back within 24 hours: refused, saying when
			// where WeChat Pay said, and nothing changed.
			Config: p + gpStatusHCL(gpSub, "MINIPROGRAM"),
			Check:  expectGoldPlan(emu, gpSub, openScenes("MINIPROGRAM")),
		},
		{
			Config:      p + gpStatusHCL(gpSub, "JSAPI", "MINIPROGRAM"),
			ExpectError: regexp.MustCompile(reopenErr),
		},
		{
			// The state still says what is open: no change planned against the configuration it holds.
			Config: p + gpStatusHCL(gpSub, "MINIPROGRAM"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: expectGoldPlan(emu, gpSub, openScenes("MINIPROGRAM")),
		},
		{
			// Destroy, the CLOSE's answer lost: the retry, refused as already closed or not, is success.
			PreConfig: func() {
				emu.InjectFault(emulator.Fault{Path: statusPath, Kind: emulator.FaultDropAfterApply, Count: 1})
			},
			Config: p,
			Check:  resource.ComposeTestCheckFunc(faultSpent(emu, statusPath), expectGoldPlan(emu, gpSub, openScenes())),
		},
	}
	// The receipt page of a sub-merchant whose gold plan is closed: refused with advice where WeChat
	// Pay gates it, opened where it does not.
	if dialects[emulator.DialectGoldPlanGating] == "independent" {
		steps = append(steps, resource.TestStep{
			Config: pageAlone,
			Check:  expectGoldPlan(emu, gpOtherSub, pageOpen(true)),
		})
	} else {
		steps = append(steps, resource.TestStep{
			Config:      pageAlone,
			ExpectError: regexp.MustCompile(`(?s)Unable to Open Gold Plan Receipt Page.*wechatpay_goldplan_status`),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

// goldPlanDefaultOpenScenario: the service provider's 默认开通点金计划 switch keeps the JSAPI gold
// plan open. The destroy is refused with advice naming the switch and deletion_policy; with
// deletion_policy = "ABANDON" the destroy leaves the gold plan open and succeeds.
func goldPlanDefaultOpenScenario(t *testing.T, dialects map[string]string) {
	seed := goldPlanSeed()
	on := true
	seed.GoldPlanDefaultOpen = &on
	emu := dialectEmulator(t, seed, dialects)
	p := emu.providerConfig(modePublicKey)
	keepOpen := strings.Replace(gpStatusHCL(gpSub), "sub_mchid", "deletion_policy = \"ABANDON\"\n  sub_mchid", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: p + gpStatusHCL(gpSub),
				Check:  expectGoldPlan(emu, gpSub, openScenes("JSAPI")),
			},
			{
				ResourceName:            gpStatusAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"pay_scenes"},
			},
			{
				Config: p,
				ExpectError: regexp.MustCompile(`(?s)Unable to Close Gold Plan.*默认开通点金计划.*service\s+provider\s+platform.*` +
					`deletion_policy\s+=\s+"ABANDON"`),
			},
			{
				// Setting it changes nothing at WeChat Pay.
				PreConfig: emu.ClearCalls,
				Config:    p + keepOpen,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(gpStatusAddr, plancheck.ResourceActionUpdate)},
				},
				Check: expectGoldPlanCalls(emu),
			},
			{
				Config: p,
				Check:  resource.ComposeTestCheckFunc(expectGoldPlanCalls(emu), expectGoldPlan(emu, gpSub, openScenes("JSAPI"))),
			},
		},
	})
}

// --- authorization state -------------------------------------------------------------------------

// authorizationDialectScenario reads the state of a sub_mchid WeChat Pay does not know: the error
// says so whichever of the page's codes answers it.
func authorizationDialectScenario(t *testing.T, dialects map[string]string) {
	emu := dialectEmulator(t, emulator.Seed{}, dialects)
	want := `(?s)WeChat\s+Pay\s+does\s+not\s+know\s+sub-merchant\s+1900077777.*Request-ID:\s+\w+`
	if dialects[emulator.DialectApply4SubjectUnknown] == "403-no-auth" {
		want = `(?s)not\s+permitted.*sub_mchid.\s+1900077777.*Request-ID:\s+\w+`
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: emu.providerConfig(modePublicKey) + `
data "wechatpay_merchant_authorization_state" "test" {
  sub_mchid = "1900077777"
}
`,
			ExpectError: regexp.MustCompile(want),
		}},
	})
}
