package wxpay

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// rateLimits are a Client's limits: the configured cap on all calls together, and an adaptive
// limiter per API. WeChat Pay limits each API of a merchant on its own, so a refusal by one API
// slows down only the calls to that API: an apply that hits the gold plan's limit keeps
// refreshing partnerships at full pace.
type rateLimits struct {
	total  *rate.Limiter // nil without a cap
	newAPI func() *adaptiveLimiter

	mu     sync.RWMutex
	perAPI map[string]*adaptiveLimiter
}

func newRateLimits(perSecond float64, cooldown time.Duration, now func() time.Time) *rateLimits {
	r := &rateLimits{
		newAPI: func() *adaptiveLimiter { return newAdaptiveLimiter(perSecond, cooldown, now) },
		perAPI: map[string]*adaptiveLimiter{},
	}
	if perSecond > 0 {
		r.total = rate.NewLimiter(rate.Limit(perSecond), burstFor(rate.Limit(perSecond)))
	}
	return r
}

// forAPI is the adaptive limiter of one API, made on its first call. After that, finding it
// takes only a read lock, which calls in flight share.
func (r *rateLimits) forAPI(api string) *adaptiveLimiter {
	r.mu.RLock()
	a := r.perAPI[api]
	r.mu.RUnlock()
	if a != nil {
		return a
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if a = r.perAPI[api]; a == nil {
		a = r.newAPI()
		r.perAPI[api] = a
	}
	return a
}

// wait blocks for a token of the API's limiter, then for one of the cap, or fails at once when
// ctx's deadline comes before the tokens would.
func (r *rateLimits) wait(ctx context.Context, api *adaptiveLimiter) error {
	if err := api.Wait(ctx); err != nil {
		return err
	}
	if r.total == nil {
		return nil
	}
	return r.total.Wait(ctx)
}

// adaptiveLimiter is the token bucket of the calls to one API. Without a configured cap it lets
// calls through as fast as they come: WeChat Pay's limits are per API and merchant and not
// published, so any fixed guess is too slow for some and too fast for others. When the server
// refuses a call for going too fast, the bucket drops just under the rate the server accepted over
// the last second, with a burst of one; refusals within a second of that are the same excess. After
// a quiet cool-down the rate rises a step per second up to the cap, each step twice the last, so
// that quota another client stopped using (another pipeline on the same merchant finished) or a
// limit that was lifted is taken up in seconds, not minutes; the next refusal ends the climb.
// Several processes that share one quota each settle just under their share of it this way.
// mu guards the bookkeeping and is never held while waiting.
type adaptiveLimiter struct {
	lim      *rate.Limiter
	base     rate.Limit // the configured cap; rate.Inf for none
	cooldown time.Duration
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error

	slowed atomic.Bool
	mu     sync.Mutex
	// lastDown is the last slow-down; lastUp the last probing step.
	lastDown, lastUp time.Time
	// probes counts the probing steps since the last slow-down: each step is twice the last.
	probes int
	// answers holds the latest answers: when, and whether the server took the call.
	answers  [answerWindow]answerMark
	nAnswers int
}

type answerMark struct {
	at       time.Time
	accepted bool
}

const (
	minSlowedRate = rate.Limit(1)
	// loneRefusalRate is how far a refusal slows an API down when nothing was accepted within
	// the last second to measure a rate by. Error answers are not signed: one refusal, which
	// anything on the way can send, must not bring an API down to a crawl. A further refusal
	// while slowed halves the rate, down to minSlowedRate.
	loneRefusalRate = rate.Limit(5)
	// slowDownFactor keeps the slowed rate a little under what the server accepted, so that
	// jitter in the spacing of calls does not hit the limit again at once.
	slowDownFactor = 0.95
	// The first probing step after the cool-down raises the rate by probeStep-1 of it, at least
	// probeMinStep, so that a low rate recovers in seconds; each further step is twice the last.
	probeStep    = 1.05
	probeMinStep = rate.Limit(1)
	// unlimitedAbove is where probing without a cap stops and the limit is lifted again.
	unlimitedAbove = rate.Limit(1000)
	// answerWindow bounds how many answers the estimates look back on: a second's worth at
	// any rate where they matter.
	answerWindow = 1024
)

// newAdaptiveLimiter caps the rate at perSecond, or leaves it uncapped for 0.
func newAdaptiveLimiter(perSecond float64, cooldown time.Duration, now func() time.Time) *adaptiveLimiter {
	base := rate.Inf
	if perSecond > 0 {
		base = rate.Limit(perSecond)
	}
	return &adaptiveLimiter{
		lim:      rate.NewLimiter(base, burstFor(base)),
		base:     base,
		cooldown: cooldown,
		now:      now,
		sleep:    sleepCtx,
	}
}

func burstFor(l rate.Limit) int {
	if l == rate.Inf {
		return 1 // ignored by rate.Limiter while the limit is infinite
	}
	return max(1, int(math.Ceil(float64(l))))
}

// waitSlice is the longest a waiting call sleeps before it looks at the limit again.
const waitSlice = 200 * time.Millisecond

// Wait blocks until a token is there and takes it, or fails when ctx ends first. It does not
// reserve a turn: a call that reserved one while the rate was low (1 call/s, ten calls waiting:
// the last one 10 s out) would keep it after the rate rose again, when a probing step or another
// process's finishing makes room. Waiting calls look at the bucket at least every waitSlice
// instead, and the first to find a token takes it.
func (a *adaptiveLimiter) Wait(ctx context.Context) error {
	for {
		a.maybeProbe()
		if a.lim.Allow() {
			return nil
		}
		d := waitSlice
		if l := a.lim.Limit(); l > 0 {
			need := time.Duration((1 - a.lim.Tokens()) / float64(l) * float64(time.Second))
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < need {
				return errors.New("the next request would be sent after the operation's deadline")
			}
			d = min(max(need, time.Millisecond), waitSlice)
		}
		if err := a.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// Accepted records an answer that was not a rate-limit refusal: the server took the call
// within its limit, whatever the answer said.
func (a *adaptiveLimiter) Accepted() { a.record(true) }

func (a *adaptiveLimiter) record(accepted bool) {
	now := a.now()
	a.mu.Lock()
	a.recordLocked(now, accepted)
	a.mu.Unlock()
}

func (a *adaptiveLimiter) recordLocked(now time.Time, accepted bool) {
	a.answers[a.nAnswers%answerWindow] = answerMark{at: now, accepted: accepted}
	a.nAnswers++
}

// Refused records a rate-limit refusal and slows the bucket down to just under the rate the
// server accepted over the last second (or the current rate, when that is lower), or to half
// the current rate when nothing was accepted lately (at first, to loneRefusalRate); it
// (re)starts the cool-down.
func (a *adaptiveLimiter) Refused() {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.recordLocked(now, false)
	if a.slowed.Load() && now.Sub(a.lastDown) < time.Second {
		return // the same excess: calls that were already in flight
	}
	accepted, answered := a.answersSince(now.Add(-time.Second))
	cur := a.lim.Limit()
	var next rate.Limit
	switch {
	case accepted > 0:
		next = min(rate.Limit(accepted), cur) * slowDownFactor
	case cur != rate.Inf:
		next = cur / 2
	default:
		next = max(rate.Limit(answered)/2, loneRefusalRate)
	}
	next = min(max(next, minSlowedRate), a.base)
	a.setLocked(next, 1)
	a.lastDown, a.lastUp = now, now
	a.probes = 0
	a.slowed.Store(true)
}

// answersSince counts the recorded answers at or after t, and how many of them were accepted.
func (a *adaptiveLimiter) answersSince(t time.Time) (accepted, answered int) {
	for i := 1; i <= min(a.nAnswers, answerWindow); i++ {
		m := a.answers[(a.nAnswers-i)%answerWindow]
		if m.at.Before(t) {
			break
		}
		answered++
		if m.accepted {
			accepted++
		}
	}
	return accepted, answered
}

// maybeProbe raises a slowed rate one step per second once the cool-down since the last
// slow-down has passed, each step twice the one before, and lifts the slow-down when the cap is
// reached.
func (a *adaptiveLimiter) maybeProbe() {
	if !a.slowed.Load() {
		return
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.slowed.Load() || now.Sub(a.lastDown) < a.cooldown || now.Sub(a.lastUp) < time.Second {
		return
	}
	cur := a.lim.Limit()
	next := cur + max(cur*(probeStep-1), probeMinStep)*rate.Limit(uint64(1)<<min(a.probes, 20))
	a.probes++
	if next >= a.base || (a.base == rate.Inf && next >= unlimitedAbove) {
		a.setLocked(a.base, burstFor(a.base))
		a.slowed.Store(false)
		return
	}
	a.setLocked(next, 1)
	a.lastUp = now
}

// setLocked changes the bucket; rate.Limiter keeps its own (real) time for tokens, the
// injected clock only drives the cool-down.
func (a *adaptiveLimiter) setLocked(l rate.Limit, burst int) {
	a.lim.SetLimit(l)
	a.lim.SetBurst(burst)
}

// Limit is the rate currently applied (+Inf without a cap), for tests and logs.
func (a *adaptiveLimiter) Limit() float64 {
	a.maybeProbe()
	if l := a.lim.Limit(); l != rate.Inf {
		return float64(l)
	}
	return math.Inf(1)
}
