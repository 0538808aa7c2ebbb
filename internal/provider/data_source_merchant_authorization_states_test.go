package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

const statesAddr = "data.wechatpay_merchant_authorization_states.all"

// fiftyMerchants seeds 50 sub-merchants of the caller, every third one unauthorized, and
// returns their ids.
func fiftyMerchants() (emulator.Seed, []string) {
	seed := emulator.Seed{CallerRole: "CHANNEL_PARTNER"}
	var ids []string
	for i := range 50 {
		id := fmt.Sprint(1900000200 + i)
		state := authorized
		if i%3 == 0 {
			state = unauthorized
		}
		seed.SubMerchants = append(seed.SubMerchants, emulator.SubMerchant{SubMchid: id, AuthorizeState: state})
		ids = append(ids, id)
	}
	return seed, ids
}

func statesConfig(providerBlock string, ids []string) string {
	return providerBlock + fmt.Sprintf(`
data "wechatpay_merchant_authorization_states" "all" {
  sub_mchids  = %s
  concurrency = 4
}
`, hclList(ids))
}

func TestAccMerchantAuthorizationStatesDataSource_fifty(t *testing.T) {
	seed, ids := fiftyMerchants()
	emu := newTestEmulator(t, seed)
	states := map[string]knownvalue.Check{}
	var yes, no []string
	for i, id := range ids {
		if i%3 == 0 {
			states[id] = knownvalue.StringExact(unauthorized)
			no = append(no, id)
		} else {
			states[id] = knownvalue.StringExact(authorized)
			yes = append(yes, id)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: statesConfig(emu.providerConfig(modePublicKey), ids),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(statesAddr, tfjsonpath.New("states"), knownvalue.MapExact(states)),
				statecheck.ExpectKnownValue(statesAddr, tfjsonpath.New("authorized"), stringSetOf(yes...)),
				statecheck.ExpectKnownValue(statesAddr, tfjsonpath.New("unauthorized"), stringSetOf(no...)),
			},
			// Each read asks about every merchant once.
			Check: func(*terraform.State) error {
				first := emu.CountCalls(http.MethodGet, "/v3/apply4subject/applyment/merchants/"+ids[0]+"/state")
				if first == 0 {
					return fmt.Errorf("no call for %s", ids[0])
				}
				for _, id := range ids {
					if n := emu.CountCalls(http.MethodGet, "/v3/apply4subject/applyment/merchants/"+id+"/state"); n != first {
						return fmt.Errorf("%s was asked %d times, %s %d times", id, n, ids[0], first)
					}
				}
				if total := len(emu.Calls()); total != first*len(ids) {
					return fmt.Errorf("%d calls, want %d", total, first*len(ids))
				}
				return nil
			},
		}},
	})
}

// One merchant of the fifty belongs to another provider: the read fails and names it, and only it.
func TestAccMerchantAuthorizationStatesDataSource_oneFails(t *testing.T) {
	seed, ids := fiftyMerchants()
	foreign := ids[37]
	seed.SubMerchants[37].Owner = "1900088888"
	emu := newTestEmulator(t, seed)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      statesConfig(emu.providerConfig(modePublicKey), ids),
			ExpectError: regexp.MustCompile(`(?s)Sub-Merchant ` + foreign + `.*NO_AUTH`),
		}},
	})
	// The other merchants were still asked, so every failing one could be named.
	for _, id := range ids {
		if emu.CountCalls(http.MethodGet, "/v3/apply4subject/applyment/merchants/"+id+"/state") == 0 {
			t.Errorf("%s was never asked", id)
		}
	}
}

// The use case: a precondition refuses to configure merchants that have not confirmed yet.
func TestAccMerchantAuthorizationStatesDataSource_precondition(t *testing.T) {
	emu := newTestEmulator(t, authorizationSeed("CHANNEL_PARTNER"))
	config := func(ids ...string) string {
		return emu.providerConfig(modePublicKey) + fmt.Sprintf(`
locals {
  merchants = %s
}

data "wechatpay_merchant_authorization_states" "all" {
  sub_mchids = local.merchants
}

# count rather than for_each: the test framework's state shim cannot address string keys.
resource "terraform_data" "merchant" {
  count = length(local.merchants)
  input = local.merchants[count.index]
  lifecycle {
    precondition {
      condition     = contains(data.wechatpay_merchant_authorization_states.all.authorized, local.merchants[count.index])
      error_message = "Sub-merchant ${local.merchants[count.index]} has not confirmed its account opening yet."
    }
  }
}
`, hclList(ids))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("1900000109"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(statesAddr, tfjsonpath.New("authorized"), stringSetOf("1900000109")),
					statecheck.ExpectKnownValue(statesAddr, tfjsonpath.New("unauthorized"), stringSetOf()),
				},
			},
			{
				Config:      config("1900000109", "1900000110"),
				ExpectError: regexp.MustCompile(`Sub-merchant 1900000110 has not confirmed`),
			},
		},
	})
}

func TestForEachLimited(t *testing.T) {
	const n, limit = 20, 3
	var inFlight, maxInFlight atomic.Int32
	started := make(chan int)
	release := make(chan struct{})
	boom := errors.New("boom")
	done := make(chan []error)
	go func() {
		done <- forEachLimited(context.Background(), n, limit, func(_ context.Context, i int) error {
			cur := inFlight.Add(1)
			for {
				m := maxInFlight.Load()
				if cur <= m || maxInFlight.CompareAndSwap(m, cur) {
					break
				}
			}
			started <- i
			<-release
			inFlight.Add(-1)
			if i == 7 {
				return boom
			}
			return nil
		})
	}()
	// Hold the first `limit` calls so the bound is reached, then let one go per start.
	for range limit {
		<-started
	}
	for range n - limit {
		release <- struct{}{}
		<-started
	}
	for range limit {
		release <- struct{}{}
	}
	errs := <-done
	if got := maxInFlight.Load(); got != limit {
		t.Errorf("at most %d calls were in flight at once, want %d", got, limit)
	}
	for i, err := range errs {
		if (i == 7) != (err != nil) {
			t.Errorf("errs[%d] = %v", i, err)
		}
	}
}

// Each failed sub-merchant is named on its own element of sub_mchids up to maxReportedFailures;
// the rest are counted in one more error, so a bad run over thousands stays readable.
func TestAddAuthorizationFailures(t *testing.T) {
	for _, failed := range []int{0, 1, maxReportedFailures, maxReportedFailures + 3} {
		t.Run(fmt.Sprint(failed, " failed"), func(t *testing.T) {
			ids := make([]string, failed+2)
			errs := make([]error, len(ids))
			for i := range ids {
				ids[i] = fmt.Sprint(1900000300 + i)
				if i < failed {
					errs[i] = errors.New("connection reset")
				}
			}
			var diags diag.Diagnostics
			if got := addAuthorizationFailures(context.Background(), ids, errs, &diags); got != (failed > 0) {
				t.Errorf("reported a failure: %t, want %t", got, failed > 0)
			}
			named, counted := 0, 0
			for _, d := range diags.Errors() {
				if dp, ok := d.(diag.DiagnosticWithPath); ok {
					want := path.Root("sub_mchids").AtSetValue(types.StringValue(ids[named]))
					if !dp.Path().Equal(want) || !strings.Contains(d.Detail(), "Sub-merchant "+ids[named]) {
						t.Errorf("error %d is on %s (%q), want %s", named, dp.Path(), d.Detail(), want)
					}
					named++
					continue
				}
				counted++
				if want := fmt.Sprintf("%d more sub-merchants could not be read (%d of %d in all)",
					failed-maxReportedFailures, failed, len(ids)); !strings.Contains(d.Detail(), want) {
					t.Errorf("summary %q does not say %q", d.Detail(), want)
				}
			}
			if wantNamed := min(failed, maxReportedFailures); named != wantNamed {
				t.Errorf("%d sub-merchants named, want %d", named, wantNamed)
			}
			if wantCounted := failed > maxReportedFailures; (counted == 1) != wantCounted || counted > 1 {
				t.Errorf("%d summary errors, want one: %t", counted, wantCounted)
			}
		})
	}
}
