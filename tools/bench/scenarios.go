package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

const (
	goldPlanStatusPath = "/v3/goldplan/merchants/changegoldplanstatus"
	partnershipsPath   = "/v3/marketing/partnerships"
	benchActivityID    = "10028001"
	activityPath       = "/v3/marketing/paygiftactivity/activities/" + benchActivityID
)

// bench holds what every scenario shares.
type bench struct {
	root, work string
	tf         *tfRunner
	emu        *emulatorProc
	n          int           // resources in lines 1-4
	members    int           // merchants in line 5
	qps        float64       // emulator limit in line 3
	latency    time.Duration // emulator latency in line 2
	benchtime  string        // go test -benchtime for line 6
	rounds     int           // paired plan rounds in line 4

	rows    []row
	details []string // paragraphs for BENCHMARKS.md

	nullDir   string // the null_resource workspace
	nullApply tfRun
	goldPlan1 scenarioRun
}

// scenarioRun is one Terraform run against the emulator.
type scenarioRun struct {
	run    tfRun
	calls  callLog
	emuCPU time.Duration
	err    error
}

const providerBlock = `terraform {
  required_providers {
    wechatpay = { source = "wxpay-tf/wechatpay" }
  }
}

provider "wechatpay" {}
`

// subMchid names the i-th sub-merchant seeded for a scenario; prefix keeps scenarios apart.
func subMchid(prefix, i int) string { return fmt.Sprintf("19%02d%06d", prefix, i) }

func subMerchants(prefix, n int) []emulator.SubMerchant {
	out := make([]emulator.SubMerchant, n)
	for i := range out {
		out[i] = emulator.SubMerchant{SubMchid: subMchid(prefix, i), Name: "bench", AuthorizeState: emulator.AuthorizeStateAuthorized}
	}
	return out
}

// onEmulator resets and seeds the emulator, lets prepare add faults or limits, then runs
// Terraform and collects the emulator's call log and CPU time for exactly that run.
func (b *bench) onEmulator(dir, logName string, prepare func() error, args ...string) scenarioRun {
	var s scenarioRun
	if prepare != nil {
		if s.err = prepare(); s.err != nil {
			return s
		}
	}
	if s.err = b.emu.clearCalls(); s.err != nil {
		return s
	}
	cpu0 := b.emu.cpu()
	s.run, s.err = b.tf.run(dir, logName, args...)
	s.emuCPU = b.emu.cpu() - cpu0
	calls, err := b.emu.calls()
	if err != nil && s.err == nil {
		s.err = err
	}
	s.calls = calls
	return s
}

var applyArgs = []string{"apply", "-auto-approve", "-input=false", "-no-color"}
var planArgs = []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}

// planNoChanges runs a refreshing plan and accepts only "no changes" (exit 0).
func (b *bench) planNoChanges(dir, logName string) scenarioRun {
	s := b.onEmulator(dir, logName, nil, planArgs...)
	return s
}

// The floor of lines 1 and 4: the same Terraform doing the same number of resources with a
// provider that makes no calls at all. runNull applies them; line 4 plans them.
func (b *bench) runNull() error {
	main := fmt.Sprintf(`terraform {
  required_providers {
    null = { source = "hashicorp/null" }
  }
}

resource "null_resource" "bench" {
  count = %d
}
`, b.n)
	dir, err := workspace(b.work, "null", main)
	if err != nil {
		return err
	}
	b.nullDir = dir
	step("null provider: apply %d null_resource", b.n)
	b.nullApply, err = b.tf.run(dir, "apply.log", applyArgs...)
	return err
}

func goldPlanConfig(n, prefix int) string {
	return providerBlock + fmt.Sprintf(`
resource "wechatpay_goldplan_status" "bench" {
  count     = %d
  sub_mchid = format("19%02d%%06d", count.index)
}
`, n, prefix)
}

func (b *bench) goldPlanApply(name string, prefix int, prepare func() error) (scenarioRun, error) {
	dir, err := workspace(b.work, name, goldPlanConfig(b.n, prefix))
	if err != nil {
		return scenarioRun{}, err
	}
	seed := emulator.Seed{CallerRole: emulator.RoleChannelPartner, SubMerchants: subMerchants(prefix, b.n)}
	s := b.onEmulator(dir, "apply.log", func() error {
		if err := b.emu.fresh(seed); err != nil {
			return err
		}
		if prepare != nil {
			return prepare()
		}
		return nil
	}, applyArgs...)
	return s, nil
}

// openGoldPlans counts the sub-merchants whose gold plan the emulator has open.
func (b *bench) openGoldPlans() (int, error) {
	var st emulator.State
	if err := b.emu.control(http.MethodGet, "/state", nil, &st); err != nil {
		return 0, err
	}
	n := 0
	for _, g := range st.GoldPlans {
		if g.Open() {
			n++
		}
	}
	return n, nil
}

// line1 runs in rounds like line 4: in each, the null provider's apply and then this one, each
// into a fresh state, back to back; the goal is judged on the median of the rounds' ratios.
// Line 2 compares itself with the median null_resource apply, and line E with the pace of the
// median round.
func (b *bench) line1() error {
	var runs []scenarioRun
	var nulls []tfRun
	var ratios []float64
	for r := range b.rounds {
		step("line 1: apply %d null_resource, then %d wechatpay_goldplan_status (round %d of %d)", b.n, b.n, r+1, b.rounds)
		if err := b.runNull(); err != nil {
			return err
		}
		s, err := b.goldPlanApply("line1", 1, nil)
		if err != nil {
			return err
		}
		if s.err != nil {
			return s.err
		}
		runs, nulls = append(runs, s), append(nulls, b.nullApply)
		ratios = append(ratios, seconds(s.run.wall)/seconds(b.nullApply.wall))
	}
	mid := medianIndex(ratios)
	s := runs[mid]
	b.goldPlan1 = s
	b.nullApply = nulls[medianIndex(wallSeconds(nulls))]
	ratio := ratios[mid]
	b.add(row{id: "1", what: fmt.Sprintf("apply %d goldplan_status, latency 0", b.n),
		measured: dur(s.run.wall), floor: dur(nulls[mid].wall) + " (null_resource apply)", ratio: ratio,
		goal: "≤ 1.5×", met: ratio <= 1.5})
	var pairs []string
	peak := int64(0)
	for i := range runs {
		pairs = append(pairs, fmt.Sprintf("%s / %s = %.2f×", dur(runs[i].run.wall), dur(nulls[i].wall), ratios[i]))
		peak = max(peak, runs[i].run.providerRSS)
	}
	calls, _, _ := s.calls.count(http.MethodPost, goldPlanStatusPath)
	b.detail("Line 1: the median of %d rounds of a null_resource apply and this apply back to back (%s); the "+
		"figures shown are the median round's. It made %d status calls for %d resources; API window (first to last "+
		"call) %s. CPU: Terraform with the provider %s (the provider %s), emulator %s; null_resource apply: "+
		"Terraform with the null provider %s. CPU time depends less on what else the machine runs: its ratio, the "+
		"emulator included, is %.2f×.", b.rounds, strings.Join(pairs, ", "), calls, b.n, dur(s.calls.span()),
		dur(s.run.totalCPU), dur(s.run.providerCPU), dur(s.emuCPU), dur(nulls[mid].totalCPU),
		seconds(s.run.totalCPU+s.emuCPU)/seconds(nulls[mid].totalCPU))

	rss := float64(peak) / (1 << 20)
	b.add(row{id: "7", what: "peak RSS of the provider during line 1", measured: fmt.Sprintf("%.1f MiB", rss),
		floor: "—", ratio: math.NaN(), goal: "< 100 MiB", met: rss > 0 && rss < 100})
	return nil
}

func (b *bench) line2() error {
	step("line 2: the same with %s emulator latency", b.latency)
	s, err := b.goldPlanApply("line2", 2, func() error {
		return b.emu.control(http.MethodPost, "/faults", map[string]any{
			"kind": emulator.FaultLatency, "path": "/v3/goldplan/", "latency": b.latency.String()}, nil)
	})
	if err != nil {
		return err
	}
	if s.err != nil {
		return s.err
	}
	floor := time.Duration(b.n) * b.latency / 10
	ratio := seconds(s.run.wall) / seconds(floor)
	calls, _, _ := s.calls.count(http.MethodPost, goldPlanStatusPath)
	b.add(row{id: "2", what: fmt.Sprintf("same, +%s latency, parallelism 10", b.latency),
		measured: dur(s.run.wall), floor: fmt.Sprintf("%s (%d × %s / 10)", dur(floor), b.n, b.latency), ratio: ratio,
		goal: "≤ 1.2×", met: ratio <= 1.2})
	window := s.calls.span()
	b.detail("Line 2: API window (first to last call) %s against the %s floor (%.2f×), about %.1f calls in flight "+
		"on average out of Terraform's 10. Terraform itself needs %s to apply %d null_resource, more than this floor: "+
		"against that, line 2 is %.2f×. CPU: provider %s, emulator %s.", dur(window), dur(floor),
		seconds(window)/seconds(floor), float64(calls)*seconds(b.latency)/max(seconds(window), 1e-9),
		dur(b.nullApply.wall), b.n, seconds(s.run.wall)/seconds(max(floor, b.nullApply.wall)),
		dur(s.run.providerCPU), dur(s.emuCPU))
	return nil
}

func (b *bench) line3() error {
	step("line 3: the same under an emulator limit of %g requests/s", b.qps)
	s, err := b.goldPlanApply("line3", 3, func() error {
		return b.emu.control(http.MethodPost, "/qps", map[string]any{"path_prefix": goldPlanStatusPath, "qps": b.qps}, nil)
	})
	if err != nil {
		return err
	}
	open, err := b.openGoldPlans()
	if err != nil {
		return err
	}
	failed := b.n - open
	calls, refused, by := s.calls.count(http.MethodPost, goldPlanStatusPath)
	floor := time.Duration(float64(b.n) / b.qps * float64(time.Second))
	ratio := seconds(s.run.wall) / seconds(floor)
	refusedPct := 100 * float64(refused) / float64(max(calls, 1))
	b.add(row{id: "3", what: fmt.Sprintf("same, emulator limit %g req/s", b.qps), measured: dur(s.run.wall),
		floor: fmt.Sprintf("%s (%d / %g)", dur(floor), b.n, b.qps), ratio: ratio, goal: "≤ 1.15×", met: ratio <= 1.15})
	b.add(row{id: "3", what: "  failed resources", measured: strconv.Itoa(failed), floor: "0", ratio: math.NaN(),
		goal: "0", met: failed == 0 && s.err == nil})
	b.add(row{id: "3", what: "  requests refused by the emulator", measured: fmt.Sprintf("%d of %d (%.1f%%)", refused, calls, refusedPct),
		floor: "0", ratio: math.NaN(), goal: "≤ 5%", met: refusedPct <= 5})
	b.detail("Line 3: %d status calls, refused: %s; API window %s, %.2f× the floor: the rest is Terraform's own "+
		"work before the first call and after the last; terraform exit: %s.", calls, fmtCounts(by),
		dur(s.calls.span()), seconds(s.calls.span())/seconds(floor), errText(s.err))
	return nil
}

func partnershipConfig(n int) string {
	return providerBlock + fmt.Sprintf(`
resource "wechatpay_marketing_partnership" "bench" {
  count = %d
  partner = {
    type  = "APPID"
    appid = format("wxbench%%06d", count.index)
  }
  authorized_data = {
    business_type = "BUSIFAVOR_STOCK"
    stock_id      = format("98%%06d", count.index)
  }
}
`, n)
}

func (b *bench) line4() error {
	dir, err := workspace(b.work, "line4", partnershipConfig(b.n))
	if err != nil {
		return err
	}
	step("line 4: apply %d wechatpay_marketing_partnership (setup)", b.n)
	setup := b.onEmulator(dir, "apply.log", func() error {
		return b.emu.fresh(emulator.Seed{CallerRole: emulator.RoleChannelPartner})
	}, applyArgs...)
	if setup.err != nil {
		return setup.err
	}
	// A plan takes a few seconds, in which the load of a shared machine can change a lot: the
	// plans run in pairs, the null provider's and this one's back to back, and the goal is
	// judged on the median of the pairs' ratios.
	var ratios []float64
	var ours, nulls []time.Duration
	var first scenarioRun
	maxCalls := 0
	for r := range b.rounds {
		step("line 4: plan (refresh) %d null_resource, then %d partnerships (round %d of %d)", b.n, b.n, r+1, b.rounds)
		np, err := b.tf.run(b.nullDir, fmt.Sprintf("plan-%d.log", r+1), planArgs...)
		if err != nil {
			return err
		}
		s := b.planNoChanges(dir, fmt.Sprintf("plan-%d.log", r+1))
		if s.err != nil {
			return s.err
		}
		if r == 0 {
			first = s
		}
		maxCalls = max(maxCalls, s.calls.Total)
		ours, nulls = append(ours, s.run.wall), append(nulls, np.wall)
		ratios = append(ratios, seconds(s.run.wall)/seconds(np.wall))
	}
	lists, refused, _ := first.calls.count(http.MethodGet, partnershipsPath)
	reqRatio := float64(maxCalls) / float64(b.n)
	b.add(row{id: "4", what: fmt.Sprintf("plan (refresh) %d partnerships: requests", b.n),
		measured: strconv.Itoa(maxCalls), floor: strconv.Itoa(b.n), ratio: reqRatio, goal: "≤ 1.05×", met: reqRatio <= 1.05})
	tRatio := median(ratios)
	b.add(row{id: "4", what: "  plan time", measured: dur(medianDur(ours)), floor: dur(medianDur(nulls)) + " (null_resource plan)",
		ratio: tRatio, goal: "≤ 1.5×", met: tRatio <= 1.5})
	builds, _, _ := setup.calls.count(http.MethodPost, partnershipsPath+"/build")
	var pairs []string
	for i := range ratios {
		pairs = append(pairs, fmt.Sprintf("%s / %s = %.2f×", dur(ours[i]), dur(nulls[i]), ratios[i]))
	}
	b.detail("Line 4: each plan made at most %d requests (the first: %d list calls, %d refused; API window %s). "+
		"Plan time is the median of %d rounds of a null_resource plan and this plan back to back: %s; the "+
		"figures shown are the medians of each column. CPU in the first round: Terraform with the provider %s "+
		"(the provider %s), emulator %s. Setup apply: %d builds in %s.", maxCalls, lists, refused, dur(first.calls.span()),
		b.rounds, strings.Join(pairs, ", "), dur(first.run.totalCPU), dur(first.run.providerCPU), dur(first.emuCPU),
		builds, dur(setup.run.wall))
	return nil
}

// membersConfig takes the ids from a variable: Terraform's range() stops at 1024 values.
const membersConfig = providerBlock + `
variable "merchant_ids" {
  type = set(string)
}

resource "wechatpay_paygift_activity_merchants" "bench" {
  activity_id  = "` + benchActivityID + `"
  merchant_ids = var.merchant_ids
}
`

// writeMembers writes terraform.tfvars.json with merchants from..from+n-1.
func writeMembers(dir string, from, n int) error {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = subMchid(5, from+i)
	}
	b, err := json.Marshal(map[string]any{"merchant_ids": ids})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "terraform.tfvars.json"), b, 0o644)
}

func (b *bench) line5() error {
	dir, err := workspace(b.work, "line5", membersConfig)
	if err != nil {
		return err
	}
	if err := writeMembers(dir, 0, b.members); err != nil {
		return err
	}
	const changed = 10 // 5 merchants out, 5 in
	seed := emulator.Seed{CallerRole: emulator.RoleChannelPartner, SubMerchants: subMerchants(5, b.members+changed/2),
		Activities: []emulator.Activity{{ActivityID: benchActivityID, Name: "bench", Status: emulator.ActivityOngoing, Merchants: []string{}}}}
	page := wxpay.ActivityMerchantsPageLimit
	perChange := wxpay.MaxActivityMerchantsPerChange

	step("line 5: create the membership of %d merchants", b.members)
	create := b.onEmulator(dir, "create.log", func() error { return b.emu.fresh(seed) }, applyArgs...)
	if create.err != nil {
		return create.err
	}
	adds, _, _ := create.calls.count(http.MethodPost, activityPath+"/merchants/add")
	wantAdds := ceilDiv(b.members, perChange)
	b.add(row{id: "5", what: fmt.Sprintf("membership of %d: create (add calls)", b.members), measured: strconv.Itoa(adds),
		floor: fmt.Sprintf("%d (⌈%d/%d⌉)", wantAdds, b.members, perChange), ratio: float64(adds) / float64(wantAdds),
		goal: "= floor", met: adds == wantAdds && create.calls.Total == wantAdds})

	step("line 5: refresh (plan)")
	refresh := b.planNoChanges(dir, "plan.log")
	if refresh.err != nil {
		return refresh.err
	}
	lists, _, _ := refresh.calls.count(http.MethodGet, activityPath+"/merchants")
	wantLists := ceilDiv(b.members, page)
	b.add(row{id: "5", what: "  refresh (list calls)", measured: strconv.Itoa(lists),
		floor: fmt.Sprintf("%d (⌈%d/%d⌉)", wantLists, b.members, page), ratio: float64(lists) / float64(wantLists),
		goal: "= floor", met: lists == wantLists && refresh.calls.Total == wantLists})

	step("line 5: change %d merchants", changed)
	if err := writeMembers(dir, changed/2, b.members); err != nil {
		return err
	}
	change := b.onEmulator(dir, "change.log", nil, applyArgs...)
	if change.err != nil {
		return change.err
	}
	writes := 0
	for _, c := range change.calls.Calls {
		if c.Method == http.MethodPost {
			writes++
		}
	}
	b.add(row{id: "5", what: fmt.Sprintf("  change %d (write calls)", changed), measured: strconv.Itoa(writes),
		floor: "2 (1 add, 1 delete)", ratio: float64(writes) / 2, goal: "= floor", met: writes == 2})
	b.detail("Line 5: create made %d calls in %s (provider CPU %s); refresh %d calls in %s (provider CPU %s); the "+
		"change apply made %d writes and %d calls in all (its refresh included) in %s (provider CPU %s).",
		create.calls.Total, dur(create.run.wall), dur(create.run.providerCPU), refresh.calls.Total,
		dur(refresh.run.wall), dur(refresh.run.providerCPU), writes, change.calls.Total, dur(change.run.wall),
		dur(change.run.providerCPU))
	return nil
}

// lineM is not in the scale issue's table: it measures the cause the issue names "per-resource
// list scans that grow with N" where one existed, the single pay-gift membership, whose refresh
// reads the activity's whole member list. Before the shared reading, a plan of N memberships
// made N × ⌈N/100⌉ list calls.
func (b *bench) lineM() error {
	cfg := providerBlock + fmt.Sprintf(`
resource "wechatpay_paygift_activity_merchant" "bench" {
  count       = %d
  activity_id = "%s"
  merchant_id = format("1906%%06d", count.index)
}
`, b.n, benchActivityID)
	dir, err := workspace(b.work, "lineM", cfg)
	if err != nil {
		return err
	}
	seed := emulator.Seed{CallerRole: emulator.RoleChannelPartner, SubMerchants: subMerchants(6, b.n),
		Activities: []emulator.Activity{{ActivityID: benchActivityID, Name: "bench", Status: emulator.ActivityOngoing, Merchants: []string{}}}}
	step("line M: apply %d wechatpay_paygift_activity_merchant (setup)", b.n)
	setup := b.onEmulator(dir, "apply.log", func() error { return b.emu.fresh(seed) }, applyArgs...)
	if setup.err != nil {
		return setup.err
	}
	step("line M: plan (refresh) %d single memberships", b.n)
	s := b.planNoChanges(dir, "plan.log")
	if s.err != nil {
		return s.err
	}
	lists, _, _ := s.calls.count(http.MethodGet, activityPath+"/merchants")
	floor := ceilDiv(b.n, wxpay.ActivityMerchantsPageLimit)
	b.add(row{id: "M", what: fmt.Sprintf("plan (refresh) %d single memberships: list calls", b.n), measured: strconv.Itoa(lists),
		floor: fmt.Sprintf("%d (⌈%d/%d⌉; %d before)", floor, b.n, wxpay.ActivityMerchantsPageLimit, b.n*floor),
		ratio: float64(lists) / float64(floor), goal: "= floor", met: lists == floor && s.calls.Total == floor})
	b.detail("Line M (not in the issue): the plan of %d single memberships of one activity made %d calls in %s "+
		"(provider CPU %s); the setup apply made %d add calls in %s.", b.n, s.calls.Total, dur(s.run.wall),
		dur(s.run.providerCPU), setup.calls.Total, dur(setup.run.wall))
	return nil
}

// lineL is not in the scale issue's table either: it measures the cause "one limiter for all
// APIs". One apply creates N/5 gold plan statuses, which the emulator limits to Q/4 requests/s,
// beside N partnerships, which WeChat Pay limits on their own. Its floor is the gold plan's
// (N/5)/(Q/4), in which Terraform could apply the partnerships too; in practice the resources
// waiting for the gold plan's limit hold Terraform's parallelism slots, so most partnerships
// come after them. It has no goal of its own: it shows whether a refusal by one API slows the
// calls to another (one limiter for all APIs made the partnerships climb back from the gold
// plan's pace).
func (b *bench) lineL() error {
	gold, qps := b.n/5, b.qps/4
	cfg := goldPlanConfig(gold, 8) + strings.TrimPrefix(partnershipConfig(b.n), providerBlock)
	dir, err := workspace(b.work, "lineL", cfg)
	if err != nil {
		return err
	}
	seed := emulator.Seed{CallerRole: emulator.RoleChannelPartner, SubMerchants: subMerchants(8, gold)}
	step("line L: apply %d wechatpay_goldplan_status (limit %g requests/s) and %d partnerships", gold, qps, b.n)
	s := b.onEmulator(dir, "apply.log", func() error {
		if err := b.emu.fresh(seed); err != nil {
			return err
		}
		return b.emu.control(http.MethodPost, "/qps", map[string]any{"path_prefix": goldPlanStatusPath, "qps": qps}, nil)
	}, applyArgs...)
	if s.err != nil {
		return s.err
	}
	golds, goldRefused, _ := s.calls.count(http.MethodPost, goldPlanStatusPath)
	builds, buildsRefused, _ := s.calls.count(http.MethodPost, partnershipsPath+"/build")
	floor := time.Duration(float64(gold) / qps * float64(time.Second))
	ratio := seconds(s.run.wall) / seconds(floor)
	b.add(row{id: "L", what: fmt.Sprintf("apply %d goldplan_status, limit %g req/s, and %d partnerships", gold, qps, b.n),
		measured: dur(s.run.wall), floor: fmt.Sprintf("%s (%d / %g)", dur(floor), gold, qps), ratio: ratio,
		goal: "reported", met: true})
	b.detail("Line L (not in the issue): one apply of %d gold plan statuses under the emulator's limit of %g/s on "+
		"their API and %d partnerships: %d status calls (%d refused) in a window of %s, %d builds (%d refused) in a "+
		"window of %s; provider CPU %s, emulator %s.", gold, qps, b.n, golds, goldRefused,
		dur(s.calls.window(http.MethodPost, goldPlanStatusPath)), builds, buildsRefused,
		dur(s.calls.window(http.MethodPost, partnershipsPath+"/build")), dur(s.run.providerCPU), dur(s.emuCPU))
	return nil
}

var benchLine = regexp.MustCompile(`^(Benchmark\w+?)(?:-\d+)?\s+\d+\s+(\d+(?:\.\d+)?) ns/op\s+(\d+(?:\.\d+)?) cpu-ns/op`)

// line6 compiles the wxpay tests once and runs the two benchmarks alternately, so that load
// from elsewhere on the machine falls on both alike.
func (b *bench) line6() error {
	const rounds = 9
	step("line 6: go test -bench (signed call vs the SDK's core.Client), %d rounds", rounds)
	testBin := filepath.Join(b.work, "wxpay.test")
	build := exec.Command("go", "test", "-c", "-o", testBin, "./internal/wxpay/")
	build.Dir = b.root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go test -c: %v\n%s", err, tail(string(out), 30))
	}
	wall := map[string][]float64{}
	cpu := map[string][]float64{}
	var all strings.Builder
	for round := range rounds {
		order := []string{"BenchmarkSignedCall", "BenchmarkSDKCoreClient"}
		if round%2 == 1 {
			slices.Reverse(order) // neither always goes first
		}
		for _, name := range order {
			cmd := exec.Command(testBin, "-test.run", "^$", "-test.bench", "^"+name+"$", "-test.benchtime", b.benchtime)
			cmd.Dir = filepath.Join(b.root, "internal", "wxpay")
			out, err := cmd.CombinedOutput()
			all.Write(out)
			if err != nil {
				return fmt.Errorf("%s: %v\n%s", name, err, tail(string(out), 30))
			}
			for _, line := range strings.Split(string(out), "\n") {
				if m := benchLine.FindStringSubmatch(line); m != nil {
					w, _ := strconv.ParseFloat(m[2], 64)
					c, _ := strconv.ParseFloat(m[3], 64)
					wall[m[1]] = append(wall[m[1]], w)
					cpu[m[1]] = append(cpu[m[1]], c)
				}
			}
		}
	}
	_ = os.WriteFile(filepath.Join(b.work, "gobench.txt"), []byte(all.String()), 0o644)
	// Each round runs the two back to back, so load from elsewhere on the machine (cache and
	// core sharing slow the RSA arithmetic that is most of the work) falls on both alike: the
	// median of the rounds' ratios is steadier than a ratio of medians or minimums.
	ours, sdk := cpu["BenchmarkSignedCall"], cpu["BenchmarkSDKCoreClient"]
	if len(ours) != rounds || len(sdk) != rounds {
		return fmt.Errorf("the benchmarks printed %d and %d cpu-ns/op lines, want %d each:\n%s", len(ours), len(sdk),
			rounds, tail(all.String(), 30))
	}
	ratios := make([]float64, rounds)
	for i := range ratios {
		ratios[i] = ours[i] / sdk[i]
	}
	ratio := median(ratios)
	b.add(row{id: "6", what: "signed call + verified answer, CPU per call", measured: fmt.Sprintf("%.2f ms", median(ours)/1e6),
		floor: fmt.Sprintf("%.2f ms (SDK core.Client)", median(sdk)/1e6), ratio: ratio, goal: "≤ 1.1×", met: ratio <= 1.1})
	slices.Sort(ratios)
	b.detail("Line 6: %d rounds of the two benchmarks back to back, -benchtime %s each; the ratio is the median "+
		"of the rounds' ratios (from %.2f× to %.2f×), the figures the medians of CPU per call. CPU counts the whole "+
		"process, client and in-process emulator (which signs every answer: about half of it). Median wall per "+
		"call: %.2f ms (client) vs %.2f ms (SDK).", rounds, b.benchtime, ratios[0], ratios[rounds-1],
		median(wall["BenchmarkSignedCall"])/1e6, median(wall["BenchmarkSDKCoreClient"])/1e6)
	return nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// medianIndex is the index of the median of v (the lower one for an even count).
func medianIndex(v []float64) int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	return idx[(len(v)-1)/2]
}

func wallSeconds(runs []tfRun) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = seconds(r.wall)
	}
	return out
}

func medianDur(v []time.Duration) time.Duration {
	f := make([]float64, len(v))
	for i, d := range v {
		f[i] = float64(d)
	}
	return time.Duration(median(f))
}

func fmtCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%d × %s", v, k))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func errText(err error) string {
	if err == nil {
		return "0"
	}
	return strings.SplitN(err.Error(), "\n", 2)[0]
}
