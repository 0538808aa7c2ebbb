package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

const gpStatusAddr = "wechatpay_goldplan_status.test"

func expectPayScenes(scenes ...string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(gpStatusAddr, tfjsonpath.New("pay_scenes"), stringSetOf(scenes...))
}

// gpDestroyed checks that destroying made exactly the given calls and left the gold plan closed.
func gpDestroyed(emu *testEmulator, sub string, calls ...string) resource.TestCheckFunc {
	return expectGoldPlanAfter(emu, sub, openScenes(), calls...)
}

func TestAccGoldPlanStatus_basic(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	p := emu.providerConfig(modePublicKey)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             gpDestroyed(emu, gpSub, gpStatusCall(gpSub, "CLOSE", "MINIPROGRAM")),
		Steps: []resource.TestStep{
			{
				// pay_scenes defaults to JSAPI.
				Config: p + gpStatusHCL(gpSub),
				Check:  expectGoldPlanAfter(emu, gpSub, openScenes("JSAPI"), gpStatusCall(gpSub, "OPEN", "JSAPI")),
				ConfigStateChecks: []statecheck.StateCheck{
					expectPayScenes("JSAPI"),
					statecheck.ExpectKnownValue(gpStatusAddr, tfjsonpath.New("id"), knownvalue.StringExact(gpSub)),
				},
				ConfigPlanChecks: emptyAfterApply(),
			},
			{
				// Adding a scene opens only that scene, in place.
				Config:            p + gpStatusHCL(gpSub, "JSAPI", "MINIPROGRAM"),
				ConfigPlanChecks:  actionThenEmpty(gpStatusAddr, plancheck.ResourceActionUpdate),
				Check:             expectGoldPlanAfter(emu, gpSub, openScenes("JSAPI", "MINIPROGRAM"), gpStatusCall(gpSub, "OPEN", "MINIPROGRAM")),
				ConfigStateChecks: []statecheck.StateCheck{expectPayScenes("JSAPI", "MINIPROGRAM")},
			},
			{
				// Removing a scene closes only that scene.
				Config: p + gpStatusHCL(gpSub, "MINIPROGRAM"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(gpStatusAddr, plancheck.ResourceActionUpdate)},
				},
				Check:             expectGoldPlanAfter(emu, gpSub, openScenes("MINIPROGRAM"), gpStatusCall(gpSub, "CLOSE", "JSAPI")),
				ConfigStateChecks: []statecheck.StateCheck{expectPayScenes("MINIPROGRAM")},
			},
			{
				ResourceName:      gpStatusAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// Nothing can be read back: an import knows only the sub-merchant.
				ImportStateVerifyIgnore: []string{"pay_scenes"},
			},
		},
	})
}

// Both scenes go in one call each way, and swapping scenes opens the new one before closing
// the old one.
func TestAccGoldPlanStatus_sceneDiff(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	p := emu.providerConfig(modePublicKey)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             gpDestroyed(emu, gpSub, gpStatusCall(gpSub, "CLOSE", "JSAPI_AND_MINIPROGRAM")),
		Steps: []resource.TestStep{
			{
				Config: p + gpStatusHCL(gpSub, "MINIPROGRAM", "JSAPI"),
				Check:  expectGoldPlanAfter(emu, gpSub, openScenes("JSAPI", "MINIPROGRAM"), gpStatusCall(gpSub, "OPEN", "JSAPI_AND_MINIPROGRAM")),
			},
			{
				Config: p + gpStatusHCL(gpSub, "JSAPI"),
				Check:  expectGoldPlanAfter(emu, gpSub, openScenes("JSAPI"), gpStatusCall(gpSub, "CLOSE", "MINIPROGRAM")),
			},
			{
				PreConfig: func() { emu.AdvanceClock(25 * time.Hour) },
				Config:    p + gpStatusHCL(gpSub, "MINIPROGRAM"),
				Check:     expectGoldPlanAfter(emu, gpSub, openScenes("MINIPROGRAM"), gpStatusCall(gpSub, "OPEN", "MINIPROGRAM"), gpStatusCall(gpSub, "CLOSE", "JSAPI")),
			},
			{
				PreConfig:        func() { emu.AdvanceClock(25 * time.Hour) },
				Config:           p + gpStatusHCL(gpSub, "JSAPI", "MINIPROGRAM"),
				Check:            expectGoldPlanAfter(emu, gpSub, openScenes("JSAPI", "MINIPROGRAM"), gpStatusCall(gpSub, "OPEN", "JSAPI")),
				ConfigPlanChecks: emptyAfterApply(),
			},
		},
	})
}

// WeChat Pay refuses to reopen a scene within 24 hours of closing it. The error says so and
// when to retry, the state keeps what is really open, and the same apply works a day later.
func TestAccGoldPlanStatus_reopenWithin24Hours(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	p := emu.providerConfig(modePublicKey)
	both := p + gpStatusHCL(gpSub, "JSAPI", "MINIPROGRAM")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             gpDestroyed(emu, gpSub, gpStatusCall(gpSub, "CLOSE", "JSAPI_AND_MINIPROGRAM")),
		Steps: []resource.TestStep{
			{Config: both, Check: expectGoldPlanCalls(emu, gpStatusCall(gpSub, "OPEN", "JSAPI_AND_MINIPROGRAM"))},
			{
				Config: p + gpStatusHCL(gpSub, "MINIPROGRAM"),
				Check:  expectGoldPlanCalls(emu, gpStatusCall(gpSub, "CLOSE", "JSAPI")),
			},
			{
				PreConfig:   func() { emu.AdvanceClock(23 * time.Hour) },
				Config:      both,
				ExpectError: regexp.MustCompile(`(?s)Unable to Open Gold Plan.*within 24 hours of closing.*opened again at\s+20\d\d-.*INVALID_REQUEST.*Request-ID`),
			},
			{
				// The refusal changed nothing, and the state still lacks JSAPI: the plan adds it
				// again and, a day after the close, the same apply succeeds with one call.
				PreConfig: func() {
					if got := takeGoldPlanCalls(emu); len(got) != 1 || got[0] != gpStatusCall(gpSub, "OPEN", "JSAPI") {
						t.Errorf("refused step made calls %q", got)
					}
					if g := emu.GoldPlan(gpSub); len(g.OpenScenes) != 1 {
						t.Errorf("the refused reopen changed the gold plan: %+v", g)
					}
					emu.AdvanceClock(time.Hour)
				},
				Config: both,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(gpStatusAddr, plancheck.ResourceActionUpdate)},
				},
				Check: expectGoldPlanAfter(emu, gpSub, openScenes("JSAPI", "MINIPROGRAM"), gpStatusCall(gpSub, "OPEN", "JSAPI")),
			},
		},
	})
}

// The retry time in the error is the one WeChat Pay gave.
func TestAccGoldPlanStatus_reopenNamesRetryTime(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	closedAt := emu.Now().Add(-2 * time.Hour)
	if err := emu.SetGoldPlan(emulator.GoldPlanState{SubMchid: gpSub, ClosedAt: map[string]time.Time{"JSAPI": closedAt}}); err != nil {
		t.Fatal(err)
	}
	want := closedAt.Add(24 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      emu.providerConfig(modePublicKey) + gpStatusHCL(gpSub),
			ExpectError: regexp.MustCompile(`opened again at\s+` + regexp.QuoteMeta(want)),
		}},
	})
	if emu.GoldPlan(gpSub).Open() {
		t.Error("the refused create opened the gold plan")
	}
}

// Import knows only the sub-merchant; the next apply re-asserts the configured scenes with one
// call, and scenes outside the configuration are left alone.
func TestAccGoldPlanStatus_importReasserts(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	// Opened in the merchant platform; JSAPI was closed there, out of Terraform's sight.
	if err := emu.SetGoldPlan(emulator.GoldPlanState{SubMchid: gpSub, OpenScenes: []string{"MINIPROGRAM"}}); err != nil {
		t.Fatal(err)
	}
	cfg := emu.providerConfig(modePublicKey) + gpStatusHCL(gpSub)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// Destroy closes the scenes the resource manages, no more.
		CheckDestroy: expectGoldPlanAfter(emu, gpSub, openScenes("MINIPROGRAM"), gpStatusCall(gpSub, "CLOSE", "JSAPI")),
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ResourceName:       gpStatusAddr,
				ImportState:        true,
				ImportStateId:      gpSub,
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].ID != gpSub || states[0].Attributes["sub_mchid"] != gpSub {
						return fmt.Errorf("imported %+v", states)
					}
					return expectGoldPlanCalls(emu)(nil)
				},
			},
			{
				Config:            cfg,
				ConfigPlanChecks:  actionThenEmpty(gpStatusAddr, plancheck.ResourceActionUpdate),
				Check:             expectGoldPlanAfter(emu, gpSub, openScenes("JSAPI", "MINIPROGRAM"), gpStatusCall(gpSub, "OPEN", "JSAPI")),
				ConfigStateChecks: []statecheck.StateCheck{expectPayScenes("JSAPI")},
			},
		},
	})
}

func TestAccGoldPlanStatus_importInvalidID(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	cfg := emu.providerConfig(modePublicKey) + gpStatusHCL(gpSub)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg, ResourceName: gpStatusAddr, ImportState: true, ImportStateId: "merchant-109",
			ExpectError: regexp.MustCompile(`(?s)Invalid Import ID.*sub_mchid.*8\s+to\s+32\s+digits`),
		}},
	})
}

// Changes made in the merchant platform cannot be seen: the plan stays empty and no call is made.
func TestAccGoldPlanStatus_driftIsInvisible(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	cfg := emu.providerConfig(modePublicKey) + gpStatusHCL(gpSub)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: expectGoldPlanCalls(emu, gpStatusCall(gpSub, "OPEN", "JSAPI"))},
			{
				PreConfig: func() {
					if err := emu.SetGoldPlan(emulator.GoldPlanState{SubMchid: gpSub}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            expectGoldPlanCalls(emu),
			},
		},
	})
}

// Changing sub_mchid replaces the resource: the old merchant is closed, the new one opened.
func TestAccGoldPlanStatus_replace(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	p := emu.providerConfig(modePublicKey)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             gpDestroyed(emu, gpOtherSub, gpStatusCall(gpOtherSub, "CLOSE", "JSAPI")),
		Steps: []resource.TestStep{
			{Config: p + gpStatusHCL(gpSub), Check: expectGoldPlanCalls(emu, gpStatusCall(gpSub, "OPEN", "JSAPI"))},
			{
				Config: p + gpStatusHCL(gpOtherSub),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(gpStatusAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeTestCheckFunc(
					expectGoldPlanCalls(emu, gpStatusCall(gpSub, "CLOSE", "JSAPI"), gpStatusCall(gpOtherSub, "OPEN", "JSAPI")),
					expectGoldPlan(emu, gpSub, openScenes()),
					expectGoldPlan(emu, gpOtherSub, openScenes("JSAPI")),
				),
			},
		},
	})
}

// Every known business refusal becomes a diagnostic saying what to do, with WeChat Pay's code,
// message and Request-ID, and nothing is opened.
func TestAccGoldPlanStatus_businessErrors(t *testing.T) {
	no := false
	yes := true
	cases := []struct {
		name string
		seed emulator.Seed
		sub  string
		want string
	}{
		{"unknown merchant", emulator.Seed{}, gpUnknown, `does not know this sub-merchant.*MCH_NOT_EXISTS`},
		{"another provider's merchant", emulator.Seed{}, gpForeign, `not one of this service provider's sub-merchants.*INVALID_REQUEST`},
		{"merchant under penalty", emulator.Seed{}, gpPenalized, `sub-merchant is under a WeChat Pay penalty.*特约商户被处罚中`},
		{"provider under penalty", emulator.Seed{ProviderPenalized: &yes}, gpSub, `service provider is under a WeChat Pay penalty.*服务商被处罚中`},
		{"provider without gold plan", emulator.Seed{GoldPlanEnabled: &no}, gpSub, `has not opened the gold plan.*服务商未开通点金计划`},
		{"caller not a service provider", emulator.Seed{CallerRole: emulator.RoleMerchant, Dialects: map[string]string{emulator.DialectRoles: "strict"}}, gpSub, `Only service providers.*调用方不是服务商`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu := newTestEmulator(t, goldPlanSeed())
			if err := emu.Seed(tc.seed); err != nil {
				t.Fatal(err)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      emu.providerConfig(modePublicKey) + gpStatusHCL(tc.sub),
					ExpectError: regexp.MustCompile(`(?s)Unable to Open Gold Plan.*` + tc.want + `.*Request-ID: \S+`),
				}},
			})
			if emu.GoldPlan(tc.sub).Open() {
				t.Error("a refused open opened the gold plan")
			}
		})
	}
}

// The gold plan rate limit ("命中频率限制") is retried by the client and never reaches the user.
func TestAccGoldPlanStatus_rateLimitRetried(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	emu.InjectFault(emulator.Fault{Path: "/v3/goldplan/", Kind: "status", Status: 400, Code: "INVALID_REQUEST",
		Message: "命中频率限制", Count: 2})
	path := "/v3/goldplan/merchants/changegoldplanstatus"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: emu.providerConfig(modePublicKey) + gpStatusHCL(gpSub),
			Check: func(*terraform.State) error {
				if calls, applied := emu.CountCalls("POST", path), emu.CountApplied("POST", path); calls != 3 || applied != 1 {
					return fmt.Errorf("%d calls, %d applied; want 3 attempts of which 1 applied", calls, applied)
				}
				return expectGoldPlan(emu, gpSub, openScenes("JSAPI"))(nil)
			},
		}},
	})
}

func TestAccGoldPlanStatus_invalidScenes(t *testing.T) {
	emu := newTestEmulator(t, goldPlanSeed())
	p := emu.providerConfig(modePublicKey)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: p + gpStatusHCL(gpSub, "APP"), ExpectError: regexp.MustCompile(`(?s)pay_scenes.*JSAPI.*MINIPROGRAM`)},
			{Config: p + gpStatusHCL(gpSub, []string{}...), ExpectError: regexp.MustCompile(`(?s)pay_scenes.*at least 1`)},
		},
	})
	if n := len(emu.Calls()); n != 0 {
		t.Errorf("%d calls for an invalid configuration, want 0", n)
	}
}

// A replacement closes the old sub-merchant first; the plan warns about the 24-hour rule unless
// deletion_policy is ABANDON. (terraform-plugin-testing cannot see warnings, so ModifyPlan is
// called directly; TestAccDeletionPolicy_destroyIsAnnouncedAndCanBeDeclined drives the CLI.)
func TestGoldPlanStatusModifyPlanWarnsOnReplace(t *testing.T) {
	ctx := context.Background()
	r := NewGoldPlanStatusResource().(*goldPlanStatusResource)
	var sch fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &sch)
	typ, ok := sch.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("schema type is %T, want an object", sch.Schema.Type().TerraformType(ctx))
	}
	value := func(sub, policy string) tftypes.Value {
		values := map[string]tftypes.Value{
			"id":              tftypes.NewValue(tftypes.String, sub),
			"sub_mchid":       tftypes.NewValue(tftypes.String, sub),
			"pay_scenes":      tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{tftypes.NewValue(tftypes.String, "JSAPI")}),
			"deletion_policy": tftypes.NewValue(tftypes.String, policy),
		}
		for name, t := range typ.AttributeTypes {
			if _, ok := values[name]; !ok {
				values[name] = tftypes.NewValue(t, nil) // timeouts, reassert
			}
		}
		return tftypes.NewValue(typ, values)
	}
	cases := []struct {
		name     string
		from, to string
		policy   string
		warn     bool
	}{
		{"same merchant", gpSub, gpSub, deletionPolicyDelete, false},
		{"other merchant", gpSub, gpOtherSub, deletionPolicyDelete, true},
		{"other merchant, abandoned", gpSub, gpOtherSub, deletionPolicyAbandon, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := fwresource.ModifyPlanRequest{
				State: tfsdk.State{Schema: sch.Schema, Raw: value(tc.from, tc.policy)},
				Plan:  tfsdk.Plan{Schema: sch.Schema, Raw: value(tc.to, tc.policy)},
			}
			resp := fwresource.ModifyPlanResponse{Plan: req.Plan}
			r.ModifyPlan(ctx, req, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			warnings := resp.Diagnostics.Warnings()
			if got := len(warnings) > 0; got != tc.warn {
				t.Fatalf("warnings %v, want a warning: %v", warnings, tc.warn)
			}
			if tc.warn && !strings.Contains(warnings[0].Detail(), "24 hours") {
				t.Errorf("warning does not explain the 24-hour rule: %s", warnings[0].Detail())
			}
		})
	}
}

// uniqueNonces fails when any nonce reached the emulator twice: WeChat Pay refuses a replayed
// nonce, so a client that reused one (on a retry, or across goroutines) would fail at random.
func uniqueNonces(emu *testEmulator) error {
	seen := map[string]int{}
	for _, c := range emu.Calls() {
		if c.Nonce == "" {
			continue
		}
		if prev, ok := seen[c.Nonce]; ok {
			return fmt.Errorf("nonce %q sent twice (calls %d and %d)", c.Nonce, prev, c.Seq)
		}
		seen[c.Nonce] = c.Seq
	}
	if len(seen) == 0 {
		return fmt.Errorf("no signed calls in the log")
	}
	return nil
}

const goldPlanStatusPath = "/v3/goldplan/merchants/changegoldplanstatus"

// TestAccConcurrency_fiftyResourcesUnderRateLimit applies and destroys 50 gold plan resources
// with Terraform running 50 operations at once while the emulator holds gold plan calls to
// 10/s (refusing the rest with 400 命中频率限制). Every sub-merchant must end up open, then
// closed, with exactly one applied change each way, and no nonce may ever repeat.
func TestAccConcurrency_fiftyResourcesUnderRateLimit(t *testing.T) {
	const n = 50
	seed := emulator.Seed{CallerRole: emulator.RoleServiceProvider}
	var ids []string
	for i := range n {
		id := fmt.Sprintf("19001%05d", i)
		ids = append(ids, id)
		seed.SubMerchants = append(seed.SubMerchants, emulator.SubMerchant{SubMchid: id})
	}
	emu := newTestEmulator(t, seed)
	emu.SetQPSLimit("/v3/goldplan/", 10)
	// Real backoff proportions, shortened: the test is about staying correct while refused.
	withClientConfig(t, func(c *wxpay.Config) { c.BackoffBase, c.BackoffMax = 20*time.Millisecond, 500*time.Millisecond })
	t.Setenv("TF_CLI_ARGS_apply", "-parallelism=50")
	t.Setenv("TF_CLI_ARGS_destroy", "-parallelism=50")

	providerBlock := strings.Replace(emu.providerConfig(modePublicKey), "rate_limit             = 500",
		"rate_limit             = 200\n  max_retries            = 20", 1)
	if !strings.Contains(providerBlock, "max_retries") {
		t.Fatal("provider block template changed: rate_limit line not found")
	}
	config := providerBlock + fmt.Sprintf(`
locals {
  sub_mchids = %s
}

resource "wechatpay_goldplan_status" "g" {
  count     = length(local.sub_mchids)
  sub_mchid = local.sub_mchids[count.index]
}
`, hclList(ids))

	allOpen := func(*terraform.State) error {
		for _, sm := range seed.SubMerchants {
			if g := emu.GoldPlan(sm.SubMchid); strings.Join(g.OpenScenes, ",") != "JSAPI" {
				return fmt.Errorf("sub-merchant %s open scenes %v, want [JSAPI]", sm.SubMchid, g.OpenScenes)
			}
		}
		if got := emu.CountApplied("POST", goldPlanStatusPath); got != n {
			return fmt.Errorf("%d applied opens, want exactly %d", got, n)
		}
		refused := 0
		for _, c := range emu.Calls() {
			if c.Code == "INVALID_REQUEST" {
				refused++
			}
		}
		if refused == 0 {
			return fmt.Errorf("the emulator's rate limit never refused a call: the test did not run under pressure")
		}
		t.Logf("%d calls, %d refused by the rate limit", len(emu.Calls()), refused)
		return uniqueNonces(emu)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, Check: allOpen}},
		CheckDestroy: func(*terraform.State) error {
			for _, sm := range seed.SubMerchants {
				if g := emu.GoldPlan(sm.SubMchid); g.Open() {
					return fmt.Errorf("sub-merchant %s still open in %v after destroy", sm.SubMchid, g.OpenScenes)
				}
			}
			if got := emu.CountApplied("POST", goldPlanStatusPath); got != 2*n {
				return fmt.Errorf("%d applied changes after destroy, want exactly %d", got, 2*n)
			}
			return uniqueNonces(emu)
		},
	})
}

// With the service provider's 默认开通点金计划 switch on, WeChat Pay refuses to close the gold plan
// of one sub-merchant, under either reading of its answer. The destroy fails with an error that
// names the switch and the ways out, instead of failing the same way forever; deletion_policy =
// "ABANDON" then lets the destroy leave the gold plan open, as the switch wants it.
func TestAccGoldPlanStatus_defaultOpenSwitch(t *testing.T) {
	for _, answer := range []string{"400-invalid-request", "403-no-auth"} {
		t.Run(answer, func(t *testing.T) {
			seed := goldPlanSeed()
			on := true
			seed.GoldPlanDefaultOpen = &on
			emu := newTestEmulator(t, seed)
			emu.SetDialect(emulator.DialectGoldPlanDefaultOpenClose, answer)
			p := emu.providerConfig(modePublicKey)
			refused := regexp.MustCompile(`(?s)Unable to Close Gold Plan.*default-open\s+switch\s+\(默认开通点金计划\).*` +
				`deletion_policy\s+=\s+"ABANDON".*` + "`removed`" + `\s+block.*destroy\s+=\s+false.*keep\s+` + "`JSAPI`" +
				`.*turn\s+the\s+switch\s+off.*默认开通点金计划.*Request-ID`)
			abandoned := p + fmt.Sprintf(`
resource "wechatpay_goldplan_status" "test" {
  sub_mchid       = %q
  pay_scenes      = ["JSAPI", "MINIPROGRAM"]
  deletion_policy = "ABANDON"
}
`, gpSub)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy: resource.ComposeTestCheckFunc(
					// The abandoning destroy called nothing and left both scenes open.
					expectGoldPlanAfter(emu, gpSub, openScenes("JSAPI", "MINIPROGRAM")),
				),
				Steps: []resource.TestStep{
					{Config: p + gpStatusHCL(gpSub), Check: expectGoldPlan(emu, gpSub, openScenes("JSAPI"))},
					{Config: p + gpStatusHCL(gpSub), Destroy: true, ExpectError: refused},
					{
						// Closing JSAPI in place is refused the same way; MINIPROGRAM, which the
						// switch does not hold open, was opened first and stays managed.
						PreConfig:   func() { takeGoldPlanCalls(emu) },
						Config:      p + gpStatusHCL(gpSub, "MINIPROGRAM"),
						ExpectError: refused,
					},
					{
						PreConfig: func() { takeGoldPlanCalls(emu) },
						Config:    abandoned,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(gpStatusAddr, plancheck.ResourceActionUpdate)},
						},
						ConfigStateChecks: []statecheck.StateCheck{expectPayScenes("JSAPI", "MINIPROGRAM")},
						Check:             expectGoldPlanAfter(emu, gpSub, openScenes("JSAPI", "MINIPROGRAM")),
					},
				},
			})
		})
	}
}
