package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func memberConfig(emu *testEmulator, merchantIDs ...string) string {
	cfg := emu.providerConfig(modePublicKey)
	for _, id := range merchantIDs {
		cfg += fmt.Sprintf(`
resource "wechatpay_paygift_activity_merchant" "m%s" {
  activity_id = %q
  merchant_id = %q
}
`, id, testActivity, id)
	}
	return cfg
}

func memberAddr(id string) string { return "wechatpay_paygift_activity_merchant.m" + id }

// Each membership adds only its own merchant and removes only its own merchant; members added
// elsewhere are left alone.
func TestAccPayGiftActivityMerchant_basic(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	emu.AddActivityMember(testActivity, "1900000113") // someone else's
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             membersAre(emu, "1900000113"),
		Steps: []resource.TestStep{
			{
				Config: memberConfig(emu, "1900000109", "1900000110"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(memberAddr("1900000109"), tfjsonpath.New("id"),
						knownvalue.StringExact(testActivity+"/1900000109")),
				},
				ConfigPlanChecks: emptyAfterApply(),
				Check: resource.ComposeTestCheckFunc(
					membersAre(emu, "1900000109", "1900000110", "1900000113"),
					callsAre(emu, payGiftAddPath, 2),
					distinctRequestNumbers(emu, payGiftAddPath, 2),
				),
			},
			{
				// Changing the merchant replaces the membership: 110 leaves, 111 joins.
				PreConfig: emu.ClearCalls,
				Config:    memberConfig(emu, "1900000109", "1900000111"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(memberAddr("1900000110"), plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(memberAddr("1900000111"), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(memberAddr("1900000109"), plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeTestCheckFunc(
					membersAre(emu, "1900000109", "1900000111", "1900000113"),
					callsAre(emu, payGiftDeletePath, 1),
				),
			},
			{
				ResourceName:      memberAddr("1900000109"),
				ImportState:       true,
				ImportStateId:     testActivity + "/1900000109",
				ImportStateVerify: true,
			},
		},
	})
}

// A member removed elsewhere is noticed on refresh and added again.
func TestAccPayGiftActivityMerchant_disappears(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	cfg := memberConfig(emu, "1900000109")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             membersAre(emu),
		Steps: []resource.TestStep{
			{Config: cfg, Check: membersAre(emu, "1900000109")},
			{
				PreConfig:        func() { emu.RemoveActivityMember(testActivity, "1900000109") },
				Config:           cfg,
				ConfigPlanChecks: actionThenEmpty(memberAddr("1900000109"), plancheck.ResourceActionCreate),
				Check:            membersAre(emu, "1900000109"),
			},
		},
	})
}

// A refresh of many memberships of one activity reads its member list once, plus once more to
// confirm the one removed elsewhere, rather than once per membership. The create that adds the
// removed one back reads it the same way first.
func TestAccPayGiftActivityMerchant_refreshMany(t *testing.T) {
	ids := bulkMerchants(30)
	emu := newTestEmulator(t, payGiftSeed(len(ids)))
	cfg := memberConfig(emu, ids...)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: membersAre(emu, ids...)},
			{
				PreConfig: func() {
					emu.RemoveActivityMember(testActivity, ids[7])
					emu.ClearCalls()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(memberAddr(ids[7]), plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(memberAddr(ids[8]), plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					var lists int
					for _, c := range emu.Calls() {
						if c.Path == payGiftAddPath {
							break // the plan's refresh is everything before the add
						}
						if c.Path != payGiftListPath {
							return fmt.Errorf("the refresh called %s %s", c.Method, c.Path)
						}
						lists++
					}
					// The plan's refresh reads twice; the apply, another run, reads twice more before
					// the create, to make sure the membership does not already exist.
					if lists != 4 {
						return fmt.Errorf("the refresh of %d memberships and the create's check made %d list calls, "+
							"want 2 + 2", len(ids), lists)
					}
					return membersAre(emu, ids...)(nil)
				},
			},
		},
	})
}

func TestAccPayGiftActivityMerchant_errors(t *testing.T) {
	cases := []struct {
		name, merchant, status string
		want                   *regexp.Regexp
	}{
		{"foreign merchant", foreignMerchant, "",
			regexp.MustCompile(`(?s)Unable to Add Pay-Gift Activity Merchant.*` + foreignMerchant + `: 商户号不属于该服务商`)},
		{"unknown merchant", unknownMerchant, "",
			regexp.MustCompile(`(?s)` + unknownMerchant + `: 商户号不存在`)},
		{"activity over", "1900000109", "OVER_TIME_ACT_STATUS",
			regexp.MustCompile(`(?s)Activity 10028001 is OVER_TIME_ACT_STATUS, not ONGOING_ACT_STATUS`)},
		{"malformed merchant id", "19000x", "",
			regexp.MustCompile(`(?s)merchant_id.*8\s+to\s+15\s+digits`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu := newTestEmulator(t, payGiftSeed(0))
			if tc.status != "" {
				emu.SetActivityStatus(testActivity, tc.status)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: memberConfig(emu, tc.merchant), ExpectError: tc.want}},
			})
			if m := emu.ActivityMembers(testActivity); len(m) != 0 {
				t.Errorf("members = %v, want none", m)
			}
		})
	}
}

func TestAccPayGiftActivityMerchant_importErrors(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	cases := []struct{ id, want string }{
		{"10028001", `<activity_id>/<merchant_id>`},
		{"10028001/1900000109/x", `<activity_id>/<merchant_id>`},
		// Not a member: nothing to import.
		{"10028001/1900000109", `(?i)cannot import non-existent remote object`},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:        memberConfig(emu, "1900000109"),
					ResourceName:  memberAddr("1900000109"),
					ImportState:   true,
					ImportStateId: tc.id,
					ExpectError:   regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
