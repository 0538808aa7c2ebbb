package main

import (
	"cmp"
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
	engines    []engine
	timeBin    string // the plugin floor's provider binary
	emu        *emulatorProc
	n          int           // resources in lines 1-4
	members    int           // merchants in line 5
	qps        float64       // emulator limit in line 3
	latency    time.Duration // emulator latency in line 2
	benchtime  string        // go test -benchtime for line 6
	rounds     int           // paired rounds in lines 1, 2 and 4
	pipelines  int           // concurrent applies in line 8
	large      int           // statuses in line 9

	rows    []row
	details []detail
	pace    float64 // the fastest engine's line 1 calls per second, for line E

	// The engine the lines run on now, with its folder and what its floors measured.
	engine    string // Terraform version; "" while lines without Terraform run
	dir       string
	tf        *tfRunner
	floorData string // the terraform_data workspace
	floorTime string // the time_static workspace
	dataApply tfRun  // the median terraform_data apply
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

// step prints what comes next, with the engine it runs on.
func (b *bench) step(format string, args ...any) {
	if b.engine != "" {
		format = "Terraform " + b.engine + ", " + format
	}
	step(format, args...)
}

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

// The floors of lines 1, 2 and 4: the same Terraform doing the same number of resources that make
// no call at all. terraform_data is built into Terraform, so it costs what Terraform itself
// spends per resource, the floor below any provider; time_static is a resource of HashiCorp's
// time provider, a terraform-plugin-framework plugin like this one whose resource does no I/O,
// so it adds the cost of a plugin: the gRPC calls and the framework's handling of them (with
// the SDK's TRACE logs off, as this provider has them; see quietPlugin).
// applyFloors applies both into fresh states; line 4 plans them.
func (b *bench) applyFloors() (data, tm tfRun, err error) {
	if b.floorData, err = workspace(b.dir, "floor-data", fmt.Sprintf(`resource "terraform_data" "bench" {
  count = %d
}
`, b.n)); err != nil {
		return data, tm, err
	}
	if b.floorTime, err = workspace(b.dir, "floor-time", fmt.Sprintf(`terraform {
  required_providers {
    time = { source = "hashicorp/time" }
  }
}

resource "time_static" "bench" {
  count = %d
}
`, b.n)); err != nil {
		return data, tm, err
	}
	b.step("apply %d terraform_data, then %d time_static", b.n, b.n)
	if data, err = b.tf.run(b.floorData, "apply.log", applyArgs...); err != nil {
		return data, tm, err
	}
	tm, err = b.tf.runEnv(b.floorTime, "apply.log", quietPlugin, applyArgs...)
	b.dataApply = data
	return data, tm, err
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
	dir, err := workspace(b.dir, name, goldPlanConfig(b.n, prefix))
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

// line1 runs in rounds like line 4: in each, the floors' applies and then this one, each into a
// fresh state, back to back; the goal is judged on the median of the rounds' ratios. Line 2
// compares itself with the median terraform_data apply, and line E with the pace of the median
// round.
func (b *bench) line1() error {
	var runs []scenarioRun
	var datas, times []tfRun
	var ratios []float64
	for r := range b.rounds {
		b.step("line 1: apply %d terraform_data, %d time_static, then %d wechatpay_goldplan_status (round %d of %d)",
			b.n, b.n, b.n, r+1, b.rounds)
		data, tm, err := b.applyFloors()
		if err != nil {
			return err
		}
		s, err := b.goldPlanApply("line1", 1, nil)
		if err != nil {
			return err
		}
		if s.err != nil {
			return s.err
		}
		runs, datas, times = append(runs, s), append(datas, data), append(times, tm)
		ratios = append(ratios, seconds(s.run.wall)/seconds(data.wall))
	}
	mid := medianIndex(ratios)
	s := runs[mid]
	if span := s.calls.span(); span > 0 {
		b.pace = max(b.pace, float64(s.calls.Total)/seconds(span))
	}
	b.dataApply = datas[medianIndex(wallSeconds(datas))]
	b.add(row{key: "1", id: "1", what: fmt.Sprintf("apply %d goldplan_status, latency 0", b.n),
		floor: fmt.Sprintf("%d terraform_data apply", b.n), goal: "≤ 1.2×",
		measured: dur(s.run.wall), floorValue: dur(datas[mid].wall), ratio: ratios[mid], met: ratios[mid] <= 1.2})
	b.add(row{key: "1.plugin", id: "1", what: "  the same against the plugin floor",
		floor: fmt.Sprintf("%d time_static apply", b.n), goal: "reported",
		measured: dur(s.run.wall), floorValue: dur(times[mid].wall), ratio: seconds(s.run.wall) / seconds(times[mid].wall), met: true})
	var rounds []string
	peak := int64(0)
	for i := range runs {
		rounds = append(rounds, fmt.Sprintf("%s / %s / %s", dur(runs[i].run.wall), dur(datas[i].wall), dur(times[i].wall)))
		peak = max(peak, runs[i].run.providerRSS)
	}
	calls, _, _ := s.calls.count(http.MethodPost, goldPlanStatusPath)
	b.detail("Line 1: the median of %d rounds of a terraform_data apply, a time_static apply and this apply back "+
		"to back (this / terraform_data / time_static: %s); the figures shown are those of the median round by "+
		"the ratio to terraform_data. It made %d status calls for %d resources; API window (first to "+
		"last call) %s. CPU: Terraform with the provider %s (the provider %s), emulator %s; terraform_data apply %s; "+
		"time_static apply, Terraform with the time provider, %s. CPU time depends less on what else the machine "+
		"runs: its ratio to terraform_data, the emulator included, is %.2f×.", b.rounds, strings.Join(rounds, ", "),
		calls, b.n, dur(s.calls.span()), dur(s.run.totalCPU), dur(s.run.providerCPU), dur(s.emuCPU),
		dur(datas[mid].totalCPU), dur(times[mid].totalCPU), seconds(s.run.totalCPU+s.emuCPU)/seconds(datas[mid].totalCPU))

	rss := float64(peak) / (1 << 20)
	b.add(row{key: "7", id: "7", what: "peak RSS of the provider during line 1", floor: "—", goal: "< 100 MiB",
		measured: fmt.Sprintf("%.1f MiB", rss), ratio: math.NaN(), met: rss > 0 && rss < 100})
	return nil
}

// line2 measures what the latency itself adds, which is what the provider controls: in each round
// an apply at latency 0 and one with the emulator's latency on the gold plan's API, back to back,
// each into a fresh state. Their difference is judged against n × latency / 10, what the latency
// costs at Terraform's parallelism of 10; the goal is judged on the median round. (Compared with
// the whole apply, the floor would be below what Terraform alone needs for n resources.)
func (b *bench) line2() error {
	var diffs []time.Duration
	var zeros, slows []scenarioRun
	for r := range b.rounds {
		b.step("line 2: apply %d statuses at latency 0, then with %s latency (round %d of %d)", b.n, b.latency, r+1, b.rounds)
		zero, err := b.goldPlanApply("line2-zero", 2, nil)
		if err != nil {
			return err
		}
		if zero.err != nil {
			return zero.err
		}
		slow, err := b.goldPlanApply("line2", 2, func() error {
			return b.emu.control(http.MethodPost, "/faults", map[string]any{
				"kind": emulator.FaultLatency, "path": "/v3/goldplan/", "latency": b.latency.String()}, nil)
		})
		if err != nil {
			return err
		}
		if slow.err != nil {
			return slow.err
		}
		zeros, slows = append(zeros, zero), append(slows, slow)
		diffs = append(diffs, slow.run.wall-zero.run.wall)
	}
	mid := medianIndex(durSeconds(diffs))
	zero, slow, diff := zeros[mid], slows[mid], diffs[mid]
	floor := time.Duration(b.n) * b.latency / 10
	ratio := seconds(diff) / seconds(floor)
	b.add(row{key: "2.latency", id: "2", what: fmt.Sprintf("the cost of %s latency, parallelism 10", b.latency),
		floor: fmt.Sprintf("%d × %s / 10", b.n, b.latency), goal: "≤ 1.2×",
		measured: dur(diff), floorValue: dur(floor), ratio: ratio, met: ratio <= 1.2})
	var rounds []string
	for i := range diffs {
		rounds = append(rounds, fmt.Sprintf("%s − %s = %s", dur(slows[i].run.wall), dur(zeros[i].run.wall), dur(diffs[i])))
	}
	calls, _, _ := slow.calls.count(http.MethodPost, goldPlanStatusPath)
	window := slow.calls.span()
	b.detail("Line 2: the median of %d rounds of an apply of %d statuses with %s latency less one at latency 0, "+
		"back to back (%s). With latency the API window (first to last call) was %s against the floor's %s (%.2f×), "+
		"about %.1f calls in flight on average out of Terraform's 10; at latency 0 it was %s. CPU: provider %s with "+
		"latency, %s without.", b.rounds, b.n, b.latency, strings.Join(rounds, ", "), dur(window), dur(floor),
		seconds(window)/seconds(floor), float64(calls)*seconds(b.latency)/max(seconds(window), 1e-9),
		dur(zero.calls.span()), dur(slow.run.providerCPU), dur(zero.run.providerCPU))
	return nil
}

func (b *bench) line3() error {
	b.step("line 3: the same under an emulator limit of %g requests/s", b.qps)
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
	b.add(row{key: "3", id: "3", what: fmt.Sprintf("same, emulator limit %g req/s", b.qps),
		floor: fmt.Sprintf("%d / %g", b.n, b.qps), goal: "≤ 1.15×",
		measured: dur(s.run.wall), floorValue: dur(floor), ratio: ratio, met: ratio <= 1.15})
	b.add(row{key: "3.failed", id: "3", what: "  failed resources", floor: "0", goal: "0",
		measured: strconv.Itoa(failed), ratio: math.NaN(), met: failed == 0 && s.err == nil})
	b.add(row{key: "3.refused", id: "3", what: "  requests refused by the emulator", floor: "0", goal: "≤ 5%",
		measured: fmt.Sprintf("%d of %d (%.1f%%)", refused, calls, refusedPct), ratio: math.NaN(), met: refusedPct <= 5})
	b.detail("Line 3: %d status calls, refused: %s; API window %s, %.2f× the floor: the rest is Terraform's own "+
		"work before the first call and after the last; terraform exit: %s.", calls, fmtCounts(by),
		dur(s.calls.span()), seconds(s.calls.span())/seconds(floor), errText(s.err))
	return nil
}

// partnershipConfig manages n partnerships through the provider alias of the ordinary merchant
// that owns the stocks (partnerships are an ordinary merchant's calls; see the guide
// "Credentials per resource family").
func (b *bench) partnershipConfig(n int) string {
	return providerBlock + b.emu.callerProvider(emulator.CallerMerchant) + fmt.Sprintf(`
resource "wechatpay_marketing_partnership" "bench" {
  provider = wechatpay.merchant
  count    = %d
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
	dir, err := workspace(b.dir, "line4", b.partnershipConfig(b.n))
	if err != nil {
		return err
	}
	b.step("line 4: apply %d wechatpay_marketing_partnership (setup)", b.n)
	setup := b.onEmulator(dir, "apply.log", func() error {
		return b.emu.fresh(emulator.Seed{CallerRole: emulator.RoleChannelPartner})
	}, applyArgs...)
	if setup.err != nil {
		return setup.err
	}
	// A plan takes a few seconds, in which the load of a shared machine can change a lot: the
	// plans run in rounds, the floors' and this one's back to back, and the goal is judged on the
	// median of the rounds' ratios.
	var ratios, plugin []float64
	var ours, datas, times []time.Duration
	var first scenarioRun
	maxCalls := 0
	for r := range b.rounds {
		b.step("line 4: plan (refresh) %d terraform_data, %d time_static, then %d partnerships (round %d of %d)",
			b.n, b.n, b.n, r+1, b.rounds)
		dp, err := b.tf.run(b.floorData, fmt.Sprintf("plan-%d.log", r+1), planArgs...)
		if err != nil {
			return err
		}
		tp, err := b.tf.runEnv(b.floorTime, fmt.Sprintf("plan-%d.log", r+1), quietPlugin, planArgs...)
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
		ours, datas, times = append(ours, s.run.wall), append(datas, dp.wall), append(times, tp.wall)
		ratios = append(ratios, seconds(s.run.wall)/seconds(dp.wall))
		plugin = append(plugin, seconds(s.run.wall)/seconds(tp.wall))
	}
	lists, refused, _ := first.calls.count(http.MethodGet, partnershipsPath)
	reqRatio := float64(maxCalls) / float64(b.n)
	b.add(row{key: "4.requests", id: "4", what: fmt.Sprintf("plan (refresh) %d partnerships: requests", b.n),
		floor: fmt.Sprintf("%d (one each)", b.n), goal: "≤ 0.1×",
		measured: strconv.Itoa(maxCalls), floorValue: strconv.Itoa(b.n), ratio: reqRatio, met: reqRatio <= 0.1})
	b.add(row{key: "4.time", id: "4", what: "  plan time", floor: fmt.Sprintf("%d terraform_data plan", b.n), goal: "≤ 1.3×",
		measured: dur(medianDur(ours)), floorValue: dur(medianDur(datas)), ratio: median(ratios), met: median(ratios) <= 1.3})
	b.add(row{key: "4.plugin", id: "4", what: "  plan time against the plugin floor", floor: fmt.Sprintf("%d time_static plan", b.n),
		goal: "reported", measured: dur(medianDur(ours)), floorValue: dur(medianDur(times)), ratio: median(plugin), met: true})
	builds, _, _ := setup.calls.count(http.MethodPost, partnershipsPath+"/build")
	var rounds []string
	for i := range ratios {
		rounds = append(rounds, fmt.Sprintf("%s / %s / %s", dur(ours[i]), dur(datas[i]), dur(times[i])))
	}
	b.detail("Line 4: each plan made at most %d requests (the first: %d list calls, %d refused; API window %s). "+
		"Plan time is the median of %d rounds of a terraform_data plan, a time_static plan and this plan back to "+
		"back (this / terraform_data / time_static: %s); the figures shown are the medians of each column, the "+
		"ratios the medians of the rounds'. CPU in the first round: Terraform with the provider %s (the provider "+
		"%s), emulator %s. Setup apply: %d builds in %s.", maxCalls, lists, refused, dur(first.calls.span()),
		b.rounds, strings.Join(rounds, ", "), dur(first.run.totalCPU), dur(first.run.providerCPU), dur(first.emuCPU),
		builds, dur(setup.run.wall))
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
	dir, err := workspace(b.dir, "lineM", cfg)
	if err != nil {
		return err
	}
	seed := emulator.Seed{CallerRole: emulator.RoleChannelPartner, SubMerchants: subMerchants(6, b.n),
		Activities: []emulator.Activity{{ActivityID: benchActivityID, Name: "bench", Status: emulator.ActivityOngoing, Merchants: []string{}}}}
	b.step("line M: apply %d wechatpay_paygift_activity_merchant (setup)", b.n)
	setup := b.onEmulator(dir, "apply.log", func() error { return b.emu.fresh(seed) }, applyArgs...)
	if setup.err != nil {
		return setup.err
	}
	b.step("line M: plan (refresh) %d single memberships", b.n)
	s := b.planNoChanges(dir, "plan.log")
	if s.err != nil {
		return s.err
	}
	lists, _, _ := s.calls.count(http.MethodGet, activityPath+"/merchants")
	floor := ceilDiv(b.n, wxpay.ActivityMerchantsPageLimit)
	b.add(row{key: "M", id: "M", what: fmt.Sprintf("plan (refresh) %d single memberships: list calls", b.n),
		floor: fmt.Sprintf("⌈%d/%d⌉ (a reading each: %d)", b.n, wxpay.ActivityMerchantsPageLimit, b.n*floor), goal: "= floor",
		measured: strconv.Itoa(lists), floorValue: strconv.Itoa(floor), ratio: float64(lists) / float64(floor),
		met: lists == floor && s.calls.Total == floor})
	// The same setup again, with the latency of line 2 on the add and delete calls: the creates
	// whose adds wait for a call under way travel together (WeChat Pay is rarely as fast as the
	// emulator).
	slowDir, err := workspace(b.dir, "lineM-latency", cfg)
	if err != nil {
		return err
	}
	b.step("line M: apply %d wechatpay_paygift_activity_merchant with %s latency on the adds", b.n, b.latency)
	slow := b.onEmulator(slowDir, "apply.log", func() error {
		if err := b.emu.fresh(seed); err != nil {
			return err
		}
		return b.emu.control(http.MethodPost, "/faults", map[string]any{
			"kind": emulator.FaultLatency, "path": activityPath + "/merchants/", "latency": b.latency.String()}, nil)
	}, applyArgs...)
	if slow.err != nil {
		return slow.err
	}
	b.detail("Line M (not in the issue): the plan of %d single memberships of one activity made %d calls in %s "+
		"(provider CPU %s); the setup apply made %s; with %s latency on the adds, %s.", b.n, s.calls.Total,
		dur(s.run.wall), dur(s.run.providerCPU), setupCalls(setup), b.latency, setupCalls(slow))
	return nil
}

// setupCalls describes the calls of line M's setup apply.
func setupCalls(setup scenarioRun) string {
	adds, refused, _ := setup.calls.count(http.MethodPost, activityPath+"/merchants/add")
	pages, _, _ := setup.calls.count(http.MethodGet, activityPath+"/merchants")
	return fmt.Sprintf("%d calls in %s: %d add calls (%d refused), %d list pages and %d others", setup.calls.Total,
		dur(setup.run.wall), adds, refused, pages, setup.calls.Total-adds-pages)
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
	cfg := goldPlanConfig(gold, 8) + strings.TrimPrefix(b.partnershipConfig(b.n), providerBlock)
	dir, err := workspace(b.dir, "lineL", cfg)
	if err != nil {
		return err
	}
	seed := emulator.Seed{CallerRole: emulator.RoleChannelPartner, SubMerchants: subMerchants(8, gold)}
	b.step("line L: apply %d wechatpay_goldplan_status (limit %g requests/s) and %d partnerships", gold, qps, b.n)
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
	b.add(row{key: "L", id: "L", what: fmt.Sprintf("apply %d goldplan_status, limit %g req/s, and %d partnerships", gold, qps, b.n),
		floor: fmt.Sprintf("%d / %g", gold, qps), goal: "reported",
		measured: dur(s.run.wall), floorValue: dur(floor), ratio: ratio, met: true})
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
	b.step("line 6: go test -bench (signed call vs the SDK's core.Client), %d rounds", rounds)
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
	b.add(row{key: "6", id: "6", what: "signed call + verified answer, CPU per call", floor: "the SDK's core.Client", goal: "≤ 1.1×",
		measured: fmt.Sprintf("%.2f ms", median(ours)/1e6), floorValue: fmt.Sprintf("%.2f ms", median(sdk)/1e6),
		ratio: ratio, met: ratio <= 1.1})
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

func durSeconds(v []time.Duration) []float64 {
	out := make([]float64, len(v))
	for i, d := range v {
		out[i] = seconds(d)
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
