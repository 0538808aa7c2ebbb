package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

const (
	partnershipAddr = "wechatpay_marketing_partnership.test"
	pathBuild       = "/v3/marketing/partnerships/build"
	pathTerminate   = "/v3/marketing/partnerships/terminate"
	pathList        = "/v3/marketing/partnerships"
	testAppID       = "wx4e1916a585d1f4e9"
)

var wxTimePattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`)

func partnershipConfig(providerBlock, partner, data string) string {
	return providerBlock + fmt.Sprintf(`
resource "wechatpay_marketing_partnership" "test" {
  partner         = %s
  authorized_data = %s
}
`, partner, data)
}

func appPartner(appid string) string { return fmt.Sprintf(`{ type = "APPID", appid = %q }`, appid) }

func busiStock(id string) string {
	return fmt.Sprintf(`{ business_type = "BUSIFAVOR_STOCK", stock_id = %q }`, id)
}

// emuAppPartner is the APPID partner testAppID, as the emulator knows it.
func emuAppPartner() emulator.Partner {
	return emulator.Partner{Type: "APPID", AppID: testAppID}
}

func emuBusiStock(id string) emulator.AuthorizedData {
	return emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: id}
}

// partnershipState asks the emulator what really exists.
func partnershipState(emu *testEmulator, p emulator.Partner, d emulator.AuthorizedData) string {
	got, ok := emu.Partnership(p, d)
	if !ok {
		return "absent"
	}
	return got.State
}

// terminateOutOfBand terminates an established partnership as the merchant platform would.
func terminateOutOfBand(t *testing.T, emu *testEmulator, p emulator.Partner, d emulator.AuthorizedData) {
	t.Helper()
	if !emu.TerminatePartnership(p, d) {
		t.Fatal("the emulator had no established partnership to terminate")
	}
}

func expectPartnershipState(emu *testEmulator, p emulator.Partner, d emulator.AuthorizedData, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := partnershipState(emu, p, d); got != want {
			return fmt.Errorf("emulator: partnership %v %v is %s, want %s", p, d, got, want)
		}
		return nil
	}
}

// Create, read, import, replace and destroy, each checked against the emulator.
func TestAccMarketingPartnership_basic(t *testing.T) {
	emu := newTestEmulator(t, emulator.Seed{})
	cfg := emu.merchantConfig(modePublicKey)
	first, second := emuBusiStock("98065001"), emuBusiStock("98065002")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			for _, d := range []emulator.AuthorizedData{first, second} {
				if got := partnershipState(emu, emuAppPartner(), d); got != "TERMINATED" {
					return fmt.Errorf("after destroy the partnership of stock %s is %s, want TERMINATED", d.StockID, got)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: partnershipConfig(cfg, appPartner(testAppID), busiStock("98065001")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnershipAddr, tfjsonpath.New("id"),
						knownvalue.StringExact("APPID:"+testAppID+":BUSIFAVOR_STOCK:98065001")),
					statecheck.ExpectKnownValue(partnershipAddr, tfjsonpath.New("state"), knownvalue.StringExact("ESTABLISHED")),
					statecheck.ExpectKnownValue(partnershipAddr, tfjsonpath.New("partner").AtMapKey("merchant_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(partnershipAddr, tfjsonpath.New("build_time"), knownvalue.StringRegexp(wxTimePattern)),
					statecheck.ExpectKnownValue(partnershipAddr, tfjsonpath.New("create_time"), knownvalue.StringRegexp(wxTimePattern)),
					statecheck.ExpectKnownValue(partnershipAddr, tfjsonpath.New("update_time"), knownvalue.StringRegexp(wxTimePattern)),
				},
				ConfigPlanChecks: actionThenEmpty(partnershipAddr, plancheck.ResourceActionCreate),
				Check: resource.ComposeTestCheckFunc(
					expectPartnershipState(emu, emuAppPartner(), first, "ESTABLISHED"),
					func(*terraform.State) error {
						if n := emu.CountApplied(http.MethodPost, pathBuild); n != 1 {
							return fmt.Errorf("%d builds applied, want 1", n)
						}
						return nil
					},
				),
			},
			{
				// Every refresh is exactly one filtered list call.
				PreConfig: emu.ClearCalls,
				Config:    partnershipConfig(cfg, appPartner(testAppID), busiStock("98065001")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					var lists int
					for _, c := range emu.Calls() {
						if c.Path != pathList {
							return fmt.Errorf("a refresh called %s %s", c.Method, c.Path)
						}
						if !strings.Contains(c.RawQuery, "partner=%7B") || !strings.Contains(c.RawQuery, "authorized_data=%7B") {
							return fmt.Errorf("list call without both filters: %q", c.RawQuery)
						}
						lists++
					}
					if lists == 0 {
						return fmt.Errorf("no list call")
					}
					return nil
				},
			},
			{
				ResourceName:      partnershipAddr,
				ImportState:       true,
				ImportStateId:     "APPID:" + testAppID + ":BUSIFAVOR_STOCK:98065001",
				ImportStateVerify: true,
			},
			{
				// No update call exists: a new stock replaces the partnership.
				Config:           partnershipConfig(cfg, appPartner(testAppID), busiStock("98065002")),
				ConfigPlanChecks: actionThenEmpty(partnershipAddr, plancheck.ResourceActionDestroyBeforeCreate),
				Check: resource.ComposeTestCheckFunc(
					expectPartnershipState(emu, emuAppPartner(), first, "TERMINATED"),
					expectPartnershipState(emu, emuAppPartner(), second, "ESTABLISHED"),
				),
			},
		},
	})
}

// A merchant partner, imported by id.
func TestAccMarketingPartnership_merchantImport(t *testing.T) {
	merchant := emulator.Partner{Type: "MERCHANT", MerchantID: "1900000109"}
	emu := newTestEmulator(t, emulator.Seed{Partnerships: []emulator.Partnership{
		{Partner: merchant, AuthorizedData: emuBusiStock("98065003")},
	}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: partnershipConfig(emu.merchantConfig(modePublicKey),
					`{ type = "MERCHANT", merchant_id = "1900000109" }`, busiStock("98065003")),
				ResourceName:       partnershipAddr,
				ImportState:        true,
				ImportStateId:      "MERCHANT:1900000109:BUSIFAVOR_STOCK:98065003",
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("%d states imported", len(states))
					}
					a := states[0].Attributes
					if a["partner.merchant_id"] != "1900000109" || a["state"] != "ESTABLISHED" || a["build_time"] == "" {
						return fmt.Errorf("imported %v", a)
					}
					if _, ok := a["partner.appid"]; ok && a["partner.appid"] != "" {
						return fmt.Errorf("imported an appid for a merchant partner: %v", a)
					}
					return nil
				},
			},
			{
				Config: partnershipConfig(emu.merchantConfig(modePublicKey),
					`{ type = "MERCHANT", merchant_id = "1900000109" }`, busiStock("98065003")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if n := emu.CountCalls(http.MethodPost, pathBuild); n != 0 {
						return fmt.Errorf("an imported partnership was built %d times", n)
					}
					return nil
				},
			},
			{
				ResourceName:  partnershipAddr,
				ImportState:   true,
				ImportStateId: "MERCHANT:wx123:BUSIFAVOR_STOCK:98065003",
				ExpectError:   regexp.MustCompile(`(?s)Invalid Import ID.*partner\.merchant_id.*8\s+to\s+15\s+digits`),
			},
		},
	})
}

// Terminated out of band, or gone entirely: the refresh drops it and the plan builds it again.
func TestAccMarketingPartnership_disappears(t *testing.T) {
	emu := newTestEmulator(t, emulator.Seed{})
	cfg := partnershipConfig(emu.merchantConfig(modePublicKey), appPartner(testAppID), busiStock("98065001"))
	p, d := emuAppPartner(), emuBusiStock("98065001")
	recreated := actionThenEmpty(partnershipAddr, plancheck.ResourceActionCreate)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig:        func() { terminateOutOfBand(t, emu, p, d) },
				Config:           cfg,
				ConfigPlanChecks: recreated,
				Check:            expectPartnershipState(emu, p, d, "ESTABLISHED"),
			},
			{
				// Nothing matches at all: the list call answers 404.
				PreConfig:        emu.Reset,
				Config:           cfg,
				ConfigPlanChecks: recreated,
				Check:            expectPartnershipState(emu, p, d, "ESTABLISHED"),
			},
		},
	})
	if n := emu.CountCalls(http.MethodPost, pathTerminate); n != 1 {
		t.Errorf("%d terminate calls, want only the destroy's", n)
	}
}

// A refresh of many partnerships reads them from pages of the whole list once the single
// lookups would cost more, and still finds the one terminated out of band.
func TestAccMarketingPartnership_refreshMany(t *testing.T) {
	const n = 60
	emu := newTestEmulator(t, emulator.Seed{})
	cfg := emu.merchantConfig(modePublicKey) + fmt.Sprintf(`
resource "wechatpay_marketing_partnership" "many" {
  count           = %d
  partner         = { type = "APPID", appid = format("wxmany%%06d", count.index) }
  authorized_data = { business_type = "BUSIFAVOR_STOCK", stock_id = format("96%%06d", count.index) }
}
`, n)
	gone := emulator.Partner{Type: "APPID", AppID: "wxmany000007"}
	goneData := emuBusiStock("96000007")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					terminateOutOfBand(t, emu, gone, goneData)
					emu.ClearCalls()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("wechatpay_marketing_partnership.many[7]", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("wechatpay_marketing_partnership.many[8]", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("wechatpay_marketing_partnership.many[59]", plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					// Everything before the build: the plan's refresh (50 single lookups, the 2
					// pages of the listing, and a single lookup of the partnership the listing
					// shows terminated, unless Terraform refreshed that one among the first 50),
					// then the create's own check that the partnership does not exist yet.
					// Lookups run 10 at a time, so the log interleaves them: count, do not order.
					goneQuery := "%22appid%22%3A%22" + gone.AppID + "%22"
					var others, pages, goneLookups int
					for _, c := range emu.Calls() {
						if c.Path == pathBuild {
							break
						}
						switch {
						case c.Path != pathList:
							return fmt.Errorf("the refresh called %s %s", c.Method, c.Path)
						case !strings.Contains(c.RawQuery, "partner="):
							pages++
						case strings.Contains(c.RawQuery, goneQuery):
							goneLookups++
						default:
							others++
						}
					}
					if (others != 49 && others != 50) || pages != 2 || goneLookups != 2 {
						return fmt.Errorf("%d single lookups of the others, %d pages, %d lookups of the terminated one; "+
							"want 49 or 50, 2, 2", others, pages, goneLookups)
					}
					return nil
				},
			},
		},
	})
}

// A build whose answer is lost or cannot be trusted is applied once and managed: a lost answer
// is retried with the same Idempotency-Key, an untrusted one is not retried but looked up, rather
// than failing and leaving an unmanaged grant behind.
func TestAccMarketingPartnership_buildAnswerFaults(t *testing.T) {
	build := func(kind string, count int) emulator.Fault {
		return emulator.Fault{Method: http.MethodPost, Path: pathBuild, Kind: kind, Count: count, Status: http.StatusBadGateway}
	}
	cases := []struct {
		name   string
		faults []emulator.Fault
		calls  int // build calls, all with one Idempotency-Key
	}{
		{"lost answer", []emulator.Fault{build(emulator.FaultDropAfterApply, 1)}, 2},
		{"untrusted answer", []emulator.Fault{build(emulator.FaultTamperSignature, 1)}, 1},
		// Applied, then only a gateway's pages until the retries are used up: they cannot say
		// whether the first attempt reached WeChat Pay, so the create looks.
		{"lost answer, then a gateway's pages", []emulator.Fault{build(emulator.FaultDropAfterApply, 1),
			build(emulator.FaultProxyHTML, 0)}, 1 + defaultMaxRetries},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu := newTestEmulator(t, emulator.Seed{})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					PreConfig: func() {
						for _, f := range tc.faults {
							emu.InjectFault(f)
						}
					},
					Config: partnershipConfig(emu.merchantConfig(modePublicKey), appPartner(testAppID), busiStock("98065001")),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(partnershipAddr, tfjsonpath.New("state"), knownvalue.StringExact("ESTABLISHED")),
					},
					ConfigPlanChecks: emptyAfterApply(),
					Check: func(*terraform.State) error {
						// A call a gateway's page answers is never read, so it records no key.
						calls, keys := 0, []string{}
						for _, c := range emu.Calls() {
							if c.Path == pathBuild {
								calls++
								if c.RequestNo != "" {
									keys = append(keys, c.RequestNo)
								}
							}
						}
						if calls != tc.calls || len(keys) == 0 || len(slices.Compact(slices.Clone(keys))) != 1 {
							return fmt.Errorf("%d build calls carried Idempotency-Keys %q, want %d calls with one key", calls, keys, tc.calls)
						}
						if n := emu.CountApplied(http.MethodPost, pathBuild); n != 1 {
							return fmt.Errorf("%d builds applied, want 1", n)
						}
						return nil
					},
				}},
			})
		})
	}
}

// Combinations WeChat Pay would refuse are refused at plan time, naming the attribute.
func TestAccMarketingPartnership_invalidCombinations(t *testing.T) {
	emu := newTestEmulator(t, emulator.Seed{})
	cfg := emu.merchantConfig(modePublicKey)
	tests := []struct {
		partner, data string
		want          string
	}{
		{`{ type = "APPID" }`, busiStock("1"), `(?s)partner\.appid.*required when .?partner\.type.? is .?APPID`},
		{`{ type = "APPID", appid = "wx1", merchant_id = "19-00" }`, busiStock("1"),
			`(?s)partner\.merchant_id.*8 to 15 digits`},
		{`{ type = "MERCHANT" }`, busiStock("1"), `(?s)partner\.merchant_id.*required when`},
		{`{ type = "MERCHANT", merchant_id = "1900000109", appid = "wx1" }`, busiStock("1"),
			`(?s)partner\.appid.*must not be set when`},
		{`{ type = "MERCHANT", merchant_id = "1900000109" }`, `{ business_type = "FAVOR_STOCK", stock_id = "1" }`,
			`(?s)authorized_data\.business_type.*FAVOR_STOCK.*can only be granted`},
		{`{ type = "OPENID", appid = "wx1" }`, busiStock("1"), `(?s)partner\.type.*value must be one of`},
		{appPartner("wx" + fmt.Sprintf("%031d", 0)), busiStock("1"), `(?s)partner\.appid.*1 to 32`},
		{`{ type = "MERCHANT", merchant_id = "1234567" }`, busiStock("1"), `(?s)partner\.merchant_id.*8 to 15 digits`},
		{appPartner("wx1"), busiStock("123456789012345678901"), `(?s)authorized_data\.stock_id.*1 to 20`},
		{appPartner("wx:1"), busiStock("1"), `(?s)partner\.appid.*letters, digits`},
	}
	var steps []resource.TestStep
	for _, tt := range tests {
		// Terraform wraps the detail at any space.
		want := strings.ReplaceAll(tt.want, " ", `\s+`)
		steps = append(steps, resource.TestStep{
			Config:      partnershipConfig(cfg, tt.partner, tt.data),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
	for _, c := range emu.Calls() {
		if c.Path == pathBuild || c.Path == pathList {
			t.Errorf("a refused configuration reached WeChat Pay: %s %s", c.Method, c.Path)
		}
	}
}

// Delete of a partnership terminated between refresh and destroy succeeds; any other refusal
// is reported. The acceptance harness always refreshes first, so Delete is called directly.
func TestMarketingPartnershipDelete(t *testing.T) {
	tests := []struct {
		name      string
		fault     *emulator.Fault
		wantError string
	}{
		{name: "already terminated"},
		{name: "refused", fault: &emulator.Fault{Path: pathTerminate, Kind: emulator.FaultStatus,
			Status: http.StatusForbidden, Code: "NO_AUTH", Message: "商户未被授权"},
			wantError: "Unable to Terminate Marketing Partnership"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, d := emuAppPartner(), emuBusiStock("98065001")
			emu := newTestEmulator(t, emulator.Seed{Partnerships: []emulator.Partnership{
				{Partner: p, AuthorizedData: d, State: "TERMINATED"}}})
			if tt.fault != nil {
				emu.InjectFault(*tt.fault)
			}
			ctx := context.Background()
			r := &marketingPartnershipResource{resourceBase{client: partnershipTestClient(t, emu)}}
			var sresp fwresource.SchemaResponse
			r.Schema(ctx, fwresource.SchemaRequest{}, &sresp)
			state := tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)}
			var m marketingPartnershipModel
			m.Timeouts = timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
				"create": types.StringType, "read": types.StringType, "delete": types.StringType})}
			flattenPartnership(&m, &wxpay.Partnership{Partner: wxpay.Partner{Type: "APPID", AppID: testAppID},
				AuthorizedData: wxpay.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "98065001"},
				State:          "ESTABLISHED"})
			if diags := state.Set(ctx, &m); diags.HasError() {
				t.Fatal(diags)
			}
			var resp fwresource.DeleteResponse
			r.Delete(ctx, fwresource.DeleteRequest{State: state}, &resp)

			if n := emu.CountCalls(http.MethodPost, pathTerminate); n != 1 {
				t.Errorf("%d terminate calls, want 1", n)
			}
			switch {
			case tt.wantError == "" && resp.Diagnostics.HasError():
				t.Errorf("delete failed: %v", resp.Diagnostics)
			case tt.wantError != "" && (!resp.Diagnostics.HasError() || resp.Diagnostics.Errors()[0].Summary() != tt.wantError):
				t.Errorf("diagnostics %v, want %q", resp.Diagnostics, tt.wantError)
			}
		})
	}
}

func partnershipTestClient(t *testing.T, emu *testEmulator) *wxpay.Client {
	t.Helper()
	merchant, _ := emu.Keys().Caller(emulator.CallerMerchant) // the partnership pages' caller
	c, err := wxpay.New(wxpay.Config{
		MchID: merchant.MchID, MerchantSerialNumber: merchant.Serial, PrivateKey: merchant.Key,
		PublicKeyID: emu.Keys().PublicKeyID, PublicKey: &emu.Keys().PublicKeyModeKey.PublicKey,
		Endpoint: emu.URL, MaxRetries: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// An APPID partner may carry the merchant_id the build page's own example sends beside the appid:
// it is sent, echoed into the state, and neither drifts nor troubles an import; a partnership that
// WeChat Pay answers with a merchant_id the configuration leaves out plans no change either.
func TestAccMarketingPartnership_appidWithMerchantID(t *testing.T) {
	emu := newTestEmulator(t, emulator.Seed{Partnerships: []emulator.Partnership{{
		Partner:        emulator.Partner{Type: "APPID", AppID: testAppID, MerchantID: "2480029552"},
		AuthorizedData: emuBusiStock("98065009")}}})
	cfg := emu.merchantConfig(modePublicKey)
	withMerchant := fmt.Sprintf(`{ type = "APPID", appid = %q, merchant_id = "2480029552" }`, testAppID)
	both := partnershipConfig(cfg, withMerchant, busiStock("98065001")) + fmt.Sprintf(`
resource "wechatpay_marketing_partnership" "echoed" {
  partner         = %s
  authorized_data = %s
}
`, appPartner(testAppID), busiStock("98065009"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The echoed one is imported: WeChat Pay knows it with its merchant_id.
				Config:        both,
				ResourceName:  "wechatpay_marketing_partnership.echoed",
				ImportState:   true,
				ImportStateId: "APPID:" + testAppID + ":BUSIFAVOR_STOCK:98065009",
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if got := states[0].Attributes["partner.merchant_id"]; got != "2480029552" {
						return fmt.Errorf("imported merchant_id %q, want the echoed 2480029552", got)
					}
					return nil
				},
				ImportStatePersist: true,
			},
			{
				Config: both,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(partnershipAddr, tfjsonpath.New("partner").AtMapKey("merchant_id"),
						knownvalue.StringExact("2480029552")),
					statecheck.ExpectKnownValue("wechatpay_marketing_partnership.echoed",
						tfjsonpath.New("partner").AtMapKey("merchant_id"), knownvalue.StringExact("2480029552")),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(partnershipAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("wechatpay_marketing_partnership.echoed", plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					p, ok := emu.Partnership(emuAppPartner(), emuBusiStock("98065001"))
					if !ok || p.Partner.MerchantID != "2480029552" {
						return fmt.Errorf("the emulator holds %+v, want the merchant_id sent", p)
					}
					return nil
				},
			},
			{
				ResourceName:      partnershipAddr,
				ImportState:       true,
				ImportStateId:     "APPID:" + testAppID + ":BUSIFAVOR_STOCK:98065001",
				ImportStateVerify: true,
			},
			{
				// Another merchant_id is another partner: the partnership is built again with it.
				Config: strings.Replace(both, "2480029552", "2480029553", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(partnershipAddr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectResourceAction("wechatpay_marketing_partnership.echoed", plancheck.ResourceActionNoop),
					},
				},
			},
		},
	})
}
