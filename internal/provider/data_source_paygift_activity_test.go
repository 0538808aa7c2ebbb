package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

const activityAddr = "data.wechatpay_paygift_activity.test"

func activityConfig(emu *testEmulator, activityID string) string {
	return emu.providerConfig(modePublicKey) + fmt.Sprintf(`
data "wechatpay_paygift_activity" "test" {
  activity_id = %q
}
`, activityID)
}

func TestAccPayGiftActivityDataSource_basic(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	cfg := activityConfig(emu, testActivity)
	nonEmpty := knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("id"), knownvalue.StringExact(testActivity)),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("activity_name"), knownvalue.StringExact("Spring pay-gift")),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("activity_status"), knownvalue.StringExact("ONGOING_ACT_STATUS")),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("ongoing"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("activity_type"), knownvalue.StringExact("FULL_SEND_ACT_TYPE")),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("creator_merchant_id"), knownvalue.StringExact(emulatortest.MchID)),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("belong_merchant_id"), knownvalue.StringExact(emulatortest.MchID)),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("begin_time"), nonEmpty),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("end_time"), nonEmpty),
					// The answer's full shape (emulator defaults where the seed is silent).
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("activity_second_title"), knownvalue.StringExact("支付后领取商家券")),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("delivery_purpose"), knownvalue.StringExact("OFF_LINE_PAY")),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("pause_time"), knownvalue.Null()),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("recovery_time"), knownvalue.Null()),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("available_times"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("award_rules"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"rule":                       knownvalue.StringExact("full_send_rule"),
							"transaction_amount_minimum": knownvalue.Int64Exact(100),
							"send_content":               knownvalue.StringExact("SINGLE_COUPON"),
							"award_type":                 knownvalue.StringExact("BUSIFAVOR"),
							"merchant_option":            knownvalue.StringExact("MANUAL_INPUT_MERCHANT"),
							"stock_ids":                  knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("98" + testActivity)}),
						}),
					})),
				},
			},
			{
				// Seeded details are answered and exposed as they are.
				PreConfig: func() {
					if err := emu.Seed(emulator.Seed{Activities: []emulator.Activity{{ActivityID: testActivity,
						SecondTitle: "满10元送券", DeliveryPurpose: "JUMP_MINI_APP", MiniProgramsAppID: "wx1234567890abcdef", MiniProgramsPath: "/pages/index",
						AvailablePeriods: &emulator.AvailablePeriods{AvailableDayTime: []emulator.DayTimeRange{
							{BeginDayTime: "110000", EndDayTime: "135959"}}},
					}}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("activity_second_title"), knownvalue.StringExact("满10元送券")),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("delivery_purpose"), knownvalue.StringExact("JUMP_MINI_APP")),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("available_day_times"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"begin": knownvalue.StringExact("110000"), "end": knownvalue.StringExact("135959")}),
					})),
				},
			},
			{
				PreConfig: func() { emu.SetActivityStatus(testActivity, "STOP_ACT_STATUS") },
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("activity_status"), knownvalue.StringExact("STOP_ACT_STATUS")),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("ongoing"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("pause_time"), nonEmpty),
				},
			},
			{
				PreConfig: func() { emu.SetActivityStatus(testActivity, "ONGOING_ACT_STATUS") },
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(activityAddr, tfjsonpath.New("recovery_time"), nonEmpty),
				},
			},
		},
	})
}

// The data source guards a membership change in a precondition, as the example on the
// membership's page shows (the file itself is run): with the activity stopped, the plan fails
// before any change is sent; once it runs again, the merchant joins.
func TestAccPayGiftActivityDataSource_precondition(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	emu.SetActivityStatus(testActivity, "TERMINATE_ACT_STATUS")
	cfg := emu.providerConfig(modePublicKey) + example(t, "resources/wechatpay_paygift_activity_merchant/resource.tf")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      cfg,
				ExpectError: regexp.MustCompile(`Activity ` + testActivity + ` is TERMINATE_ACT_STATUS: its merchants\s+cannot\s+change`),
			},
			{
				PreConfig: func() {
					if err := membersAre(emu)(nil); err != nil {
						t.Errorf("the refused plan changed the activity: %v", err)
					}
					emu.SetActivityStatus(testActivity, "ONGOING_ACT_STATUS")
				},
				Config: cfg,
				Check:  membersAre(emu, "1900000109"),
			},
		},
	})
}

func TestAccPayGiftActivityDataSource_errors(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	if err := emu.Seed(emulator.Seed{Activities: []emulator.Activity{{ActivityID: "10028002", OwnerMchid: "1900088888"}}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ id, want string }{
		{"10029999", `(?s)knows no activity.*RESOURCE_NOT_EXISTS`},
		{"10028002", `(?s)belongs to another merchant.*NO_AUTH`},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: activityConfig(emu, tc.id), ExpectError: regexp.MustCompile(tc.want)}},
			})
		})
	}
}
