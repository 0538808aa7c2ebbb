package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

const merchantsAddr = "wechatpay_paygift_activity_merchants.test"

func merchantsConfig(emu *testEmulator, ids []string) string {
	return emu.providerConfig(modePublicKey) + fmt.Sprintf(`
resource "wechatpay_paygift_activity_merchants" "test" {
  activity_id  = %q
  merchant_ids = %s
}
`, testActivity, hclList(ids))
}

// expectMerchantIDs checks the ids in the state, in the order the state lists them.
func expectMerchantIDs(ids ...string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(merchantsAddr, tfjsonpath.New("merchant_ids"), stringListOf(ids...))
}

// The activity keeps no member that the destroyed resource managed.
func merchantsDestroyed(emu *testEmulator) func(*terraform.State) error {
	return membersAre(emu)
}

func TestAccPayGiftActivityMerchants_basic(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             merchantsDestroyed(emu),
		Steps: []resource.TestStep{
			{
				Config: merchantsConfig(emu, []string{"1900000109", "1900000110"}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(merchantsAddr, tfjsonpath.New("id"), knownvalue.StringExact(testActivity)),
					expectMerchantIDs("1900000109", "1900000110"),
				},
				ConfigPlanChecks: emptyAfterApply(),
				Check: resource.ComposeTestCheckFunc(
					membersAre(emu, "1900000109", "1900000110"),
					callsAre(emu, payGiftAddPath, 1),
				),
			},
			{
				PreConfig:         emu.ClearCalls,
				Config:            merchantsConfig(emu, []string{"1900000110", "1900000111", "1900000112"}),
				ConfigPlanChecks:  actionThenEmpty(merchantsAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{expectMerchantIDs("1900000110", "1900000111", "1900000112")},
				// Only the difference is sent: one add of 111 and 112, one delete of 109.
				Check: resource.ComposeTestCheckFunc(
					membersAre(emu, "1900000110", "1900000111", "1900000112"),
					callsAre(emu, payGiftAddPath, 1),
					callsAre(emu, payGiftDeletePath, 1),
					bodyOfOnly(emu, payGiftAddPath, `"merchant_id_list":["1900000111","1900000112"]`),
					bodyOfOnly(emu, payGiftDeletePath, `"merchant_id_list":["1900000109"]`),
				),
			},
			{
				ResourceName:      merchantsAddr,
				ImportState:       true,
				ImportStateId:     testActivity,
				ImportStateVerify: true,
			},
		},
	})
}

// bodyOfOnly checks the body of the only call to path.
func bodyOfOnly(emu *testEmulator, path, fragment string) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, c := range emu.Calls() {
			if c.Path == path && !regexp.MustCompile(regexp.QuoteMeta(fragment)).MatchString(c.Body) {
				return fmt.Errorf("%s body %s lacks %s", path, c.Body, fragment)
			}
		}
		return nil
	}
}

// The order of merchant_ids does not matter: the state keeps the order of the configuration it
// was applied from, the same ids in another order plan no change, and a change is made of just
// the ids added and removed.
func TestAccPayGiftActivityMerchants_order(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             merchantsDestroyed(emu),
		Steps: []resource.TestStep{
			{
				Config:            merchantsConfig(emu, []string{"1900000112", "1900000109", "1900000110"}),
				ConfigStateChecks: []statecheck.StateCheck{expectMerchantIDs("1900000112", "1900000109", "1900000110")},
				ConfigPlanChecks:  emptyAfterApply(),
			},
			{
				PreConfig:         emu.ClearCalls,
				Config:            merchantsConfig(emu, []string{"1900000110", "1900000112", "1900000109"}),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{expectMerchantIDs("1900000112", "1900000109", "1900000110")},
				Check:             callsAre(emu, payGiftAddPath, 0),
			},
			{
				PreConfig: emu.ClearCalls,
				Config:    merchantsConfig(emu, []string{"1900000111", "1900000110", "1900000109"}),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(merchantsAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(merchantsAddr, tfjsonpath.New("merchant_ids"),
							stringListOf("1900000111", "1900000110", "1900000109")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectMerchantIDs("1900000111", "1900000110", "1900000109")},
				Check: resource.ComposeTestCheckFunc(
					membersAre(emu, "1900000109", "1900000110", "1900000111"),
					bodyOfOnly(emu, payGiftAddPath, `"merchant_id_list":["1900000111"]`),
					bodyOfOnly(emu, payGiftDeletePath, `"merchant_id_list":["1900000112"]`),
				),
			},
		},
	})
}

// A repeated id is refused before anything is called, naming the attribute and the fix.
func TestAccPayGiftActivityMerchants_duplicateID(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      merchantsConfig(emu, []string{"1900000109", "1900000110", "1900000109"}),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Duplicate Merchant ID.*merchant_ids\s+lists\s+merchant\s+id\s+1900000109\s+twice.*distinct\(\)`),
		}},
	})
	if n := len(emu.Calls()); n != 0 {
		t.Errorf("%d calls, want none", n)
	}
}

// Members added or removed elsewhere show up in the plan and the next apply undoes them.
func TestAccPayGiftActivityMerchants_drift(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	ids := []string{"1900000112", "1900000110", "1900000109"}
	cfg := merchantsConfig(emu, ids)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             merchantsDestroyed(emu),
		Steps: []resource.TestStep{
			{Config: cfg, Check: membersAre(emu, ids...)},
			{
				PreConfig: func() {
					emu.AddActivityMember(testActivity, "1900000113")
					emu.RemoveActivityMember(testActivity, "1900000109")
				},
				// A refresh keeps the order of the state and lists the newcomers last, so that
				// the plan's diff shows only what changed.
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(merchantsAddr, "merchant_ids.#", "3"),
					resource.TestCheckResourceAttr(merchantsAddr, "merchant_ids.0", "1900000112"),
					resource.TestCheckResourceAttr(merchantsAddr, "merchant_ids.1", "1900000110"),
					resource.TestCheckResourceAttr(merchantsAddr, "merchant_ids.2", "1900000113"),
				),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(merchantsAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(merchantsAddr, tfjsonpath.New("merchant_ids"), stringListOf(ids...)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectMerchantIDs(ids...)},
				Check:             membersAre(emu, ids...),
			},
		},
	})
}

// Import adopts whatever the activity has, sorted; a configuration listing the same ids in
// another order plans no change.
func TestAccPayGiftActivityMerchants_import(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	emu.AddActivityMember(testActivity, "1900000111")
	emu.AddActivityMember(testActivity, "1900000109")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:             merchantsConfig(emu, []string{"1900000111", "1900000109"}),
				ResourceName:       merchantsAddr,
				ImportState:        true,
				ImportStateId:      testActivity,
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].ID != testActivity || states[0].Attributes["merchant_ids.#"] != "2" ||
						states[0].Attributes["merchant_ids.0"] != "1900000109" || states[0].Attributes["merchant_ids.1"] != "1900000111" {
						return fmt.Errorf("imported %+v, want merchant_ids [1900000109, 1900000111]", states)
					}
					return nil
				},
			},
			{
				Config:            merchantsConfig(emu, []string{"1900000111", "1900000109"}),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{expectMerchantIDs("1900000109", "1900000111")},
			},
			{
				Config: emu.providerConfig(modePublicKey) + `
resource "wechatpay_paygift_activity_merchants" "bad" {
  activity_id  = "10028001"
  merchant_ids = ["1900000109"]
}`,
				ResourceName:  "wechatpay_paygift_activity_merchants.bad",
				ImportState:   true,
				ImportStateId: "99999999",
				ExpectError:   regexp.MustCompile(`(?i)cannot import non-existent remote object`),
			},
		},
	})
}

// More than 500 ids go out in chunks of at most 500, each with its own request number; a
// refresh reads every page at 100 a page.
func TestAccPayGiftActivityMerchants_chunking(t *testing.T) {
	const n = 1001
	emu := newTestEmulator(t, payGiftSeed(n))
	all := bulkMerchants(n)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			merchantsDestroyed(emu),
			// Since the update: its 2 deletes of 501 ids, then destroy's 1 of the last 500.
			callsAre(emu, payGiftDeletePath, 3),
			distinctRequestNumbers(emu, payGiftDeletePath, 3),
		),
		Steps: []resource.TestStep{
			{
				Config: merchantsConfig(emu, all),
				Check: resource.ComposeTestCheckFunc(
					membersAre(emu, all...),
					callsAre(emu, payGiftAddPath, 3), // 500 + 500 + 1
					distinctRequestNumbers(emu, payGiftAddPath, 3),
				),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(merchantsAddr,
					tfjsonpath.New("merchant_ids"), knownvalue.ListSizeExact(n))},
			},
			{
				PreConfig:        emu.ClearCalls,
				Config:           merchantsConfig(emu, all[501:]),
				ConfigPlanChecks: actionThenEmpty(merchantsAddr, plancheck.ResourceActionUpdate),
				Check: resource.ComposeTestCheckFunc(
					membersAre(emu, all[501:]...),
					callsAre(emu, payGiftDeletePath, 2), // 500 + 1
					callsAre(emu, payGiftAddPath, 0),
					distinctRequestNumbers(emu, payGiftDeletePath, 2),
					refreshesReadPages(emu, 11), // ceil(1001/100)
				),
			},
		},
	})
}

// refreshesReadPages checks that every refresh since the last ClearCalls read the list in
// pages pages of the largest size.
func refreshesReadPages(emu *testEmulator, pages int) func(*terraform.State) error {
	return func(*terraform.State) error {
		n := 0
		for _, c := range emu.Calls() {
			if c.Path != payGiftListPath {
				continue
			}
			n++
			if !regexp.MustCompile(`(^|&)limit=100(&|$)`).MatchString(c.RawQuery) {
				return fmt.Errorf("a page was read with %q, want limit=100", c.RawQuery)
			}
		}
		if n == 0 || n%pages != 0 {
			return fmt.Errorf("%d list calls, want a multiple of %d pages", n, pages)
		}
		return nil
	}
}

// distinctRequestNumbers checks that each call to path carried its own valid request number.
func distinctRequestNumbers(emu *testEmulator, path string, want int) func(*terraform.State) error {
	valid := regexp.MustCompile(`^[A-Za-z0-9|_*-]{1,128}$`)
	return func(*terraform.State) error {
		seen := map[string]bool{}
		for _, c := range emu.Calls() {
			if c.Path != path {
				continue
			}
			if !valid.MatchString(c.RequestNo) {
				return fmt.Errorf("request number %q is outside [1,128] A-Za-z0-9|_*-", c.RequestNo)
			}
			seen[c.RequestNo] = true
		}
		if len(seen) != want {
			return fmt.Errorf("%d distinct request numbers on %s, want %d", len(seen), path, want)
		}
		return nil
	}
}

// Ids WeChat Pay refuses fail the apply with each id and its reason; the ids that did become
// members are kept, so the next plan shows only what is still missing.
func TestAccPayGiftActivityMerchants_invalidIDs(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	withBad := []string{"1900000109", "1900000110", foreignMerchant, unknownMerchant}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             merchantsDestroyed(emu),
		Steps: []resource.TestStep{
			{Config: merchantsConfig(emu, []string{"1900000109"})},
			{
				Config: merchantsConfig(emu, withBad),
				ExpectError: regexp.MustCompile(`(?s)Unable to Update Pay-Gift Activity Merchants.*refused 2 merchant.*` +
					unknownMerchant + `: 商户号不存在.*\(Request-ID [0-9A-F]+\).*` + foreignMerchant + `: 商户号不属于该服务商`),
				Check: membersAre(emu, "1900000109", "1900000110"),
			},
			{
				// The state records 109 and 110: with the bad ids gone the plan is empty.
				Config:           merchantsConfig(emu, []string{"1900000109", "1900000110"}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            membersAre(emu, "1900000109", "1900000110"),
			},
		},
	})
}

// A create that is partly refused records nothing, so nothing is tainted: after the refused id
// is fixed, the next apply is a create that takes over the members already added and adds only
// the missing one. It never removes a member that should stay (a tainted resource would be
// replaced: every member removed, then added back).
func TestAccPayGiftActivityMerchants_invalidIDsOnCreate(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             merchantsDestroyed(emu),
		Steps: []resource.TestStep{
			{
				Config: merchantsConfig(emu, []string{"1900000109", "1900000110", foreignMerchant}),
				ExpectError: regexp.MustCompile(`(?s)Unable to Add Pay-Gift Activity Merchants.*` + foreignMerchant +
					`: 商户号不属于该服务商.*` + cliText(`2 merchant id(s) that were added (1900000109, 1900000110) stay `+
					`members`) + `.*` + cliText(`Nothing is recorded in the Terraform state, so nothing is tainted`) +
					`.*` + cliText(`adds only the missing ones; it removes no member`)),
			},
			{
				PreConfig: func() {
					if err := membersAre(emu, "1900000109", "1900000110")(nil); err != nil {
						t.Error(err)
					}
					emu.ClearCalls()
				},
				Config:           merchantsConfig(emu, []string{"1900000109", "1900000110", "1900000111"}),
				ConfigPlanChecks: actionThenEmpty(merchantsAddr, plancheck.ResourceActionCreate),
				Check: resource.ComposeTestCheckFunc(
					membersAre(emu, "1900000109", "1900000110", "1900000111"),
					callsAre(emu, payGiftDeletePath, 0),
					callsAre(emu, payGiftAddPath, 1),
					bodyOfOnly(emu, payGiftAddPath, `"merchant_id_list":["1900000111"]`),
				),
			},
		},
	})
}

// An activity that is not running cannot change: the error names its status, and the final
// RULE_LIMIT is not retried.
func TestAccPayGiftActivityMerchants_activityNotRunning(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	emu.SetActivityStatus(testActivity, "STOP_ACT_STATUS")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: merchantsConfig(emu, []string{"1900000109"}),
			ExpectError: regexp.MustCompile(`(?s)Activity 10028001 is STOP_ACT_STATUS, not ONGOING_ACT_STATUS.*` +
				`terraform state rm.*RULE_LIMIT: 活动不在运行中,不允许再进行修改`),
		}},
	})
	if n := emu.CountCalls("POST", payGiftAddPath); n != 1 {
		t.Errorf("%d add calls, want 1: a stopped activity is not retried", n)
	}
	if m := emu.ActivityMembers(testActivity); len(m) != 0 {
		t.Errorf("members = %v", m)
	}
}

// An answer lost after the emulator applied an add: the client retries with the same request
// number, the emulator replays the first answer, and the members are there exactly once.
func TestAccPayGiftActivityMerchants_retryAfterLostAnswer(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	emu.InjectFault(emulator.Fault{Method: "POST", Path: payGiftAddPath, Kind: emulator.FaultDropAfterApply, Count: 1})
	emu.InjectFault(emulator.Fault{Method: "POST", Path: payGiftDeletePath, Kind: emulator.FaultStatus, Status: 403,
		Code: "RULE_LIMIT", Message: "上一次修改还未完成,请稍后重试", Count: 1})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			merchantsDestroyed(emu),
			// The in-progress refusal of the first delete was retried.
			callsAre(emu, payGiftDeletePath, 2),
		),
		Steps: []resource.TestStep{{
			Config: merchantsConfig(emu, []string{"1900000109", "1900000110"}),
			Check: resource.ComposeTestCheckFunc(
				membersAre(emu, "1900000109", "1900000110"),
				func(*terraform.State) error {
					var adds []emulator.Call
					for _, c := range emu.Calls() {
						if c.Path == payGiftAddPath {
							adds = append(adds, c)
						}
					}
					if len(adds) != 2 || adds[0].Fault != emulator.FaultDropAfterApply {
						return fmt.Errorf("add calls %+v, want the dropped one and its retry", adds)
					}
					if adds[0].RequestNo == "" || adds[1].RequestNo != adds[0].RequestNo || adds[1].Body != adds[0].Body {
						return fmt.Errorf("retry sent %q %s after %q %s", adds[1].RequestNo, adds[1].Body, adds[0].RequestNo, adds[0].Body)
					}
					if n := emu.CountApplied("POST", payGiftAddPath); n != 1 {
						return fmt.Errorf("the add was applied %d times, want 1", n)
					}
					return nil
				},
			),
		}},
	})
}

// cliText is a regexp for text as the Terraform CLI prints it, wrapped at any space.
func cliText(s string) string {
	return strings.ReplaceAll(regexp.QuoteMeta(s), " ", `\s+`)
}
