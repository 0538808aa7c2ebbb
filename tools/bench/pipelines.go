package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// Line 8: K pipelines sharing one WeChat Pay quota. K `terraform apply` processes start at once,
// each with a state of its own and n/K gold plan statuses of its own sub-merchants, against one
// emulator limit of Q requests/s on the gold plan's API. Each provider process learns the limit on
// its own (nothing is shared between them); the floor is what the limit allows for all of them
// together, n/Q.

// pipelineConfig is one pipeline's statuses: count of them, from sub-merchant from on.
func pipelineConfig(count, from int) string {
	return providerBlock + fmt.Sprintf(`
resource "wechatpay_goldplan_status" "bench" {
  count     = %d
  sub_mchid = format("1909%%06d", count.index + %d)
}
`, count, from)
}

func (b *bench) line8() error {
	k := b.pipelines
	each := b.n / k
	total := each * k
	dirs := make([]string, k)
	for i := range dirs {
		var err error
		if dirs[i], err = workspace(b.dir, fmt.Sprintf("line8-%d", i+1), pipelineConfig(each, i*each)); err != nil {
			return err
		}
	}
	if err := b.emu.fresh(emulator.Seed{CallerRole: emulator.RoleChannelPartner, SubMerchants: subMerchants(9, total)}); err != nil {
		return err
	}
	if err := b.emu.control(http.MethodPost, "/qps", map[string]any{"path_prefix": goldPlanStatusPath, "qps": b.qps}, nil); err != nil {
		return err
	}
	if err := b.emu.clearCalls(); err != nil {
		return err
	}
	b.step("line 8: %d applies at once, %d statuses each, one emulator limit of %g requests/s", k, each, b.qps)
	runs := make([]tfRun, k)
	errs := make([]error, k)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i], errs[i] = b.tf.run(dirs[i], "apply.log", applyArgs...)
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	calls, err := b.emu.calls()
	if err != nil {
		return err
	}
	open, err := b.openGoldPlans()
	if err != nil {
		return err
	}
	failed := total - open
	exitFailed := 0
	var firstErr error
	for _, e := range errs {
		if e != nil {
			exitFailed++
			firstErr = cmpErr(firstErr, e)
		}
	}
	n, refused, by := calls.count(http.MethodPost, goldPlanStatusPath)
	floor := time.Duration(float64(total) / b.qps * float64(time.Second))
	ratio := seconds(wall) / seconds(floor)
	b.add(row{key: "8", id: "8", what: fmt.Sprintf("%d applies at once, %d statuses each, one limit %g req/s", k, each, b.qps),
		floor: fmt.Sprintf("%d / %g", total, b.qps), goal: "≤ 1.15×",
		measured: dur(wall), floorValue: dur(floor), ratio: ratio, met: ratio <= 1.15})
	b.add(row{key: "8.failed", id: "8", what: "  failed resources", floor: "0", goal: "0",
		measured: strconv.Itoa(failed), ratio: math.NaN(), met: failed == 0 && exitFailed == 0})
	refusedPct := 100 * float64(refused) / float64(max(n, 1))
	b.add(row{key: "8.refused", id: "8", what: "  requests refused by the emulator", floor: "0", goal: "reported",
		measured: fmt.Sprintf("%d of %d (%.1f%%)", refused, n, refusedPct), ratio: math.NaN(), met: true})
	var each8 []string
	for i, r := range runs {
		each8 = append(each8, fmt.Sprintf("%s (exit %s)", dur(r.wall), errText(errs[i])))
	}
	b.detail("Line 8: %d terraform apply processes started together, separate states, %d statuses each; the "+
		"emulator allowed %g requests/s to the gold plan's API for all of them. They took %v; %d status calls, "+
		"refused: %s; API window %s (%.2f× the floor); each pipeline's calls, from the first call of all: %s. Each "+
		"process's limiter learns the shared limit on its own.%s",
		k, each, b.qps, each8, n, fmtCounts(by), dur(calls.span()), seconds(calls.span())/seconds(floor),
		pipelineCalls(calls, k, each), errNote(firstErr))
	if firstErr != nil {
		return firstErr
	}
	return nil
}

func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}

func errNote(err error) string {
	if err == nil {
		return ""
	}
	return " First failure: " + errText(err) + "."
}

// line9 applies and then plans b.large gold plan statuses, each after terraform_data of the same
// count in a workspace of its own, back to back. The provider's peak RSS over both is line 7's
// second figure.
func (b *bench) line9() error {
	n := b.large
	data, err := workspace(b.dir, "line9-data", fmt.Sprintf("resource \"terraform_data\" \"bench\" {\n  count = %d\n}\n", n))
	if err != nil {
		return err
	}
	dir, err := workspace(b.dir, "line9", goldPlanConfig(n, 10))
	if err != nil {
		return err
	}
	b.step("line 9: apply %d terraform_data, then %d wechatpay_goldplan_status", n, n)
	dataApply, err := b.tf.run(data, "apply.log", applyArgs...)
	if err != nil {
		return err
	}
	apply := b.onEmulator(dir, "apply.log", func() error {
		return b.emu.fresh(emulator.Seed{CallerRole: emulator.RoleChannelPartner, SubMerchants: subMerchants(10, n)})
	}, applyArgs...)
	if apply.err != nil {
		return apply.err
	}
	b.step("line 9: plan %d terraform_data, then %d wechatpay_goldplan_status", n, n)
	dataPlan, err := b.tf.run(data, "plan.log", planArgs...)
	if err != nil {
		return err
	}
	plan := b.planNoChanges(dir, "plan.log")
	if plan.err != nil {
		return plan.err
	}
	applyRatio := seconds(apply.run.wall) / seconds(dataApply.wall)
	planRatio := seconds(plan.run.wall) / seconds(dataPlan.wall)
	b.add(row{key: "9.apply", id: "9", what: fmt.Sprintf("apply %d goldplan_status", n),
		floor: fmt.Sprintf("%d terraform_data apply", n), goal: "≤ 1.2×",
		measured: dur(apply.run.wall), floorValue: dur(dataApply.wall), ratio: applyRatio, met: applyRatio <= 1.2})
	b.add(row{key: "9.plan", id: "9", what: fmt.Sprintf("  plan %d goldplan_status", n),
		floor: fmt.Sprintf("%d terraform_data plan", n), goal: "≤ 1.2×",
		measured: dur(plan.run.wall), floorValue: dur(dataPlan.wall), ratio: planRatio, met: planRatio <= 1.2})
	rss := float64(max(apply.run.providerRSS, plan.run.providerRSS)) / (1 << 20)
	b.add(row{key: "7.9", id: "7", what: "peak RSS of the provider during line 9", floor: "—", goal: "< 100 MiB",
		measured: fmt.Sprintf("%.1f MiB", rss), ratio: math.NaN(), met: rss > 0 && rss < 100})
	calls, _, _ := apply.calls.count(http.MethodPost, goldPlanStatusPath)
	b.detail("Line 9: the apply of %d statuses made %d status calls (API window %s); CPU: Terraform with the "+
		"provider %s (the provider %s), emulator %s; terraform_data apply %s. The plan made %d calls; CPU: "+
		"Terraform with the provider %s (the provider %s); terraform_data plan %s. Peak RSS of the provider: apply "+
		"%.1f MiB, plan %.1f MiB.", n, calls, dur(apply.calls.span()), dur(apply.run.totalCPU),
		dur(apply.run.providerCPU), dur(apply.emuCPU), dur(dataApply.totalCPU), plan.calls.Total,
		dur(plan.run.totalCPU), dur(plan.run.providerCPU), dur(dataPlan.totalCPU),
		float64(apply.run.providerRSS)/(1<<20), float64(plan.run.providerRSS)/(1<<20))
	return nil
}

// pipelineCalls says, for each pipeline, when its status calls came (from the first call of all)
// and how many were refused: whether the pipelines shared the limit evenly.
func pipelineCalls(calls callLog, k, each int) string {
	type span struct {
		first, last    time.Time
		count, refused int
	}
	spans := make([]span, k)
	var start time.Time
	for _, c := range calls.Calls {
		if c.Path != goldPlanStatusPath {
			continue
		}
		var body struct {
			SubMchid string `json:"sub_mchid"`
		}
		if json.Unmarshal([]byte(c.Body), &body) != nil || len(body.SubMchid) != 10 {
			continue
		}
		i, err := strconv.Atoi(body.SubMchid[4:])
		if err != nil || i/each >= k {
			continue
		}
		s := &spans[i/each]
		if s.count == 0 || c.Time.Before(s.first) {
			s.first = c.Time
		}
		if c.Time.After(s.last) {
			s.last = c.Time
		}
		s.count++
		if c.Status != http.StatusOK && c.Status != http.StatusNoContent {
			s.refused++
		}
		if start.IsZero() || c.Time.Before(start) {
			start = c.Time
		}
	}
	var out []string
	for i, s := range spans {
		if s.count == 0 {
			out = append(out, fmt.Sprintf("%d: none", i+1))
			continue
		}
		out = append(out, fmt.Sprintf("%d: %d calls (%d refused) %.1f–%.1fs", i+1, s.count, s.refused,
			seconds(s.first.Sub(start)), seconds(s.last.Sub(start))))
	}
	return strings.Join(out, "; ")
}
