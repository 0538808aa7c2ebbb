package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// withClientConfig changes the client configuration of every provider Configure during one test.
func withClientConfig(t *testing.T, mod func(*wxpay.Config)) {
	prev := testClientConfig
	testClientConfig = mod
	t.Cleanup(func() { testClientConfig = prev })
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
		ids = append(ids, fmt.Sprintf("%q", id))
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
  sub_mchids = [%s]
}

resource "wechatpay_goldplan_status" "g" {
  count     = length(local.sub_mchids)
  sub_mchid = local.sub_mchids[count.index]
}
`, strings.Join(ids, ", "))

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
