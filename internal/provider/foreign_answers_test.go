package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// A 404 that does not come from WeChat Pay (a proxy, a gateway, a wrong endpoint) says nothing
// about an object: a refresh that gets one fails and keeps the object in the state, and a destroy
// that gets one fails and leaves the object where it is, for a later destroy to finish.

// proxyNotFoundKinds are the emulator's faults that answer 404 the way something other than
// WeChat Pay does: an HTML page, an empty body, JSON without code and message; none has a
// Request-ID.
var proxyNotFoundKinds = []string{emulator.FaultProxyHTML, emulator.FaultProxyEmpty, emulator.FaultProxyJSON}

// notWeChatPayAnswer matches the diagnostic for such an answer; Terraform wraps it at any space.
var notWeChatPayAnswer = regexp.MustCompile(`(?s)Host\s+127\.0\.0\.1:\d+\s+answered\s+HTTP\s+404\s+with\s+an\s+answer\s+that\s+is\s+not\s+a\s+WeChat\s+Pay\s+error`)

// proxyNotFoundSteps are the steps after one that created cfg: for each kind, a destroy whose
// deletes get it and a refresh whose reads get it, both failing; then a plan with the faults gone
// that must be empty, which it is only if neither dropped the objects from the state.
// stillThere checks the emulator, before each step, for what no failed destroy may remove.
func proxyNotFoundSteps(t *testing.T, emu *testEmulator, cfg string, read, del emulator.Fault, stillThere func() error) []resource.TestStep {
	inject := func(f emulator.Fault, kind string) func() {
		return func() {
			emu.ClearFaults()
			if err := stillThere(); err != nil {
				t.Error(err)
			}
			f.Kind = kind
			emu.InjectFault(f)
		}
	}
	var steps []resource.TestStep
	for _, kind := range proxyNotFoundKinds {
		steps = append(steps,
			resource.TestStep{PreConfig: inject(del, kind), Config: cfg, Destroy: true, ExpectError: notWeChatPayAnswer},
			resource.TestStep{PreConfig: inject(read, kind), RefreshState: true, ExpectError: notWeChatPayAnswer},
		)
	}
	return append(steps, resource.TestStep{
		PreConfig: func() {
			emu.ClearFaults()
			if err := stillThere(); err != nil {
				t.Error(err)
			}
		},
		Config:   cfg,
		PlanOnly: true,
	})
}

func TestAccMarketingPartnership_proxyNotFound(t *testing.T) {
	emu := newTestEmulator(t, emulator.Seed{})
	cfg := partnershipConfig(emu.providerConfig(modePublicKey), appPartner(testAppID), busiStock("98065001"))
	p, d := emuAppPartner(), emuBusiStock("98065001")
	established := func() error {
		if got := partnershipState(emu, p, d); got != "ESTABLISHED" {
			return fmt.Errorf("emulator: the partnership is %s, want ESTABLISHED", got)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectPartnershipState(emu, p, d, "TERMINATED"),
		Steps: append([]resource.TestStep{{Config: cfg}}, proxyNotFoundSteps(t, emu, cfg,
			emulator.Fault{Method: http.MethodGet, Path: pathList},
			emulator.Fault{Method: http.MethodPost, Path: pathTerminate},
			established)...),
	})
	if n := emu.CountApplied(http.MethodPost, pathTerminate); n != 1 {
		t.Errorf("%d terminates applied, want only the final destroy's", n)
	}
}

func TestAccPayGiftActivityMerchant_proxyNotFound(t *testing.T) {
	const listActivity = "10028002" // for the authoritative list, beside the single membership
	seed := payGiftSeed(0)
	seed.Activities = append(seed.Activities, emulator.Activity{ActivityID: listActivity, Status: "ONGOING_ACT_STATUS", Merchants: []string{}})
	emu := newTestEmulator(t, seed)
	cfg := memberConfig(emu, "1900000109") + fmt.Sprintf(`
resource "wechatpay_paygift_activity_merchants" "all" {
  activity_id  = %q
  merchant_ids = ["1900000110", "1900000111"]
}
`, listActivity)
	members := func() error {
		if err := membersAre(emu, "1900000109")(nil); err != nil {
			return err
		}
		if got := emu.ActivityMembers(listActivity); len(got) != 2 {
			return fmt.Errorf("emulator: activity %s has members %v, want 1900000110 and 1900000111", listActivity, got)
		}
		return nil
	}
	activities := "/v3/marketing/paygiftactivity/activities/"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if got := emu.ActivityMembers(listActivity); len(got) != 0 {
				return fmt.Errorf("activity %s still has members %v", listActivity, got)
			}
			return membersAre(emu)(nil)
		},
		Steps: append([]resource.TestStep{{Config: cfg}}, proxyNotFoundSteps(t, emu, cfg,
			emulator.Fault{Method: http.MethodGet, Path: activities},
			emulator.Fault{Method: http.MethodPost, Path: activities},
			members)...),
	})
}
