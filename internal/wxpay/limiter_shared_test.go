package wxpay

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// sharedQuotaRun is the outcome of simulating several provider processes that share one
// WeChat Pay quota, each learning it with its own adaptiveLimiter.
type sharedQuotaRun struct {
	elapsed      time.Duration // simulated time until every call was accepted or failed
	accepted     int
	refused      int
	failed       int             // calls refused more often than Client retries them
	mostRefusals int             // the most refusals one call met
	finished     []time.Duration // when each process had its last answer
}

// simulateSharedQuota runs in simulated time, in steps of 5 ms: procs processes, each with
// calls calls to one API and at most parallel of them under way (Terraform's -parallelism),
// against a server that accepts qps calls per second (burst ⌈qps⌉, as the emulator's limit)
// and refuses the rest as WeChat Pay does. Each process paces its calls as Client does: a
// token bucket at its limiter's rate and burst, an answer after latency recorded with the
// limiter as accepted or refused, and a refused call retried after a jittered backoff, at most
// DefaultMaxRetries+MaxRateLimitedRetries times. Nothing here reads the real clock: it tests the
// limiter's decisions, not the machine's speed.
func simulateSharedQuota(t *testing.T, seed uint64, procs, calls, parallel int, qps float64, latency time.Duration) sharedQuotaRun {
	t.Helper()
	const step = 5 * time.Millisecond
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	clock := func() time.Time { return now }
	server := rate.NewLimiter(rate.Limit(qps), int(math.Ceil(qps)))
	rnd := rand.New(rand.NewPCG(seed, 2))

	type call struct {
		refusals int
		readyAt  time.Time // when it may ask for a token (after a backoff)
		answerAt time.Time // zero while not sent
		refused  bool
	}
	type proc struct {
		lim      *adaptiveLimiter
		pace     *rate.Limiter
		left     int // calls not started
		running  []*call
		finished time.Time
	}
	ps := make([]*proc, procs)
	for i := range ps {
		ps[i] = &proc{lim: newAdaptiveLimiter(0, RateLimitCooldown, clock), pace: rate.NewLimiter(rate.Inf, 1), left: calls}
	}
	var run sharedQuotaRun
	for tick, done := 0, 0; done < procs; tick, now = tick+1, now.Add(step) {
		if now.Sub(start) > time.Hour {
			t.Fatalf("not done after an hour of simulated time: %+v", run)
		}
		done = 0
		for i := range ps {
			p := ps[(i+tick)%procs] // no process always first
			for p.left > 0 && len(p.running) < parallel {
				p.left--
				p.running = append(p.running, &call{readyAt: now})
			}
			kept := p.running[:0]
			for _, c := range p.running {
				switch {
				case !c.answerAt.IsZero() && !now.Before(c.answerAt): // the answer arrives
					c.answerAt = time.Time{}
					if !c.refused {
						p.lim.Accepted()
						run.accepted++
						continue
					}
					p.lim.Refused()
					run.refused++
					c.refusals++
					run.mostRefusals = max(run.mostRefusals, c.refusals)
					if c.refusals > DefaultMaxRetries+MaxRateLimitedRetries {
						run.failed++
						continue
					}
					// Forgiven refusals do not grow the backoff (see Client.do).
					c.readyAt = now.Add(time.Duration(rnd.Int64N(int64(DefaultBackoffBase) + 1)))
				case c.answerAt.IsZero() && !now.Before(c.readyAt): // waits for a token
					l := rate.Limit(p.lim.Limit())
					if math.IsInf(float64(l), 1) {
						l = rate.Inf // Limit says +Inf; rate.Limiter's Inf is the largest float
					}
					if l != p.pace.Limit() || p.lim.lim.Burst() != p.pace.Burst() {
						p.pace.SetLimitAt(now, l)
						p.pace.SetBurstAt(now, p.lim.lim.Burst())
					}
					if p.pace.AllowN(now, 1) {
						c.refused = !server.AllowN(now, 1)
						c.answerAt = now.Add(latency)
					}
				}
				kept = append(kept, c)
			}
			p.running = kept
			if p.left == 0 && len(p.running) == 0 {
				if p.finished.IsZero() {
					p.finished = now
				}
				done++
			}
		}
	}
	run.elapsed = now.Sub(start)
	for _, p := range ps {
		run.finished = append(run.finished, p.finished.Sub(start))
	}
	return run
}

// Several Terraform pipelines share one WeChat Pay quota (bench line 8): four provider
// processes, 1000 calls in all at parallelism 10 each, against one limit for all of them. Each
// learns the limit alone; together they must lose no call and take little more than the time
// the quota needs, also when some finish before others and leave their share unused.
func TestAdaptiveLimiterSharedQuota(t *testing.T) {
	for _, tc := range []struct {
		procs int
		qps   float64
	}{
		{1, 20},
		{2, 20},
		{4, 20},
		{4, 100},
		{4, 5}, // about a call per second each: the limiter's floor
	} {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%d processes, %g per second, seed %d", tc.procs, tc.qps, seed), func(t *testing.T) {
				calls := 1000 / tc.procs
				if tc.qps < 10 {
					calls = 200 / tc.procs
				}
				run := simulateSharedQuota(t, seed, tc.procs, calls, 10, tc.qps, 20*time.Millisecond)
				floor := time.Duration(float64(calls*tc.procs) / tc.qps * float64(time.Second))
				ratio := run.elapsed.Seconds() / floor.Seconds()
				t.Logf("%d accepted, %d refused (%.1f%%, at most %d for one call), %d failed; %s for a floor of %s "+
					"(%.2f×); the processes were done at %v", run.accepted, run.refused,
					100*float64(run.refused)/float64(run.accepted+run.refused), run.mostRefusals, run.failed,
					run.elapsed, floor, ratio, run.finished)
				if run.failed != 0 || run.accepted != calls*tc.procs {
					t.Errorf("%d calls failed and %d were accepted, want 0 and %d", run.failed, run.accepted, calls*tc.procs)
				}
				if ratio > 1.1 {
					t.Errorf("the calls took %.2f× the time the quota needs, want at most 1.1×", ratio)
				}
			})
		}
	}
}
