package wxpay

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// adaptiveLimiter is one token bucket shared by every call of a Client. When
// the server refuses a call for going too fast, the configured rate is not
// what the server accepts right now, so the bucket is slowed (halved, at
// least 1/s) for a cool-down and then restored. rate.Limiter does its own
// locking; mu only guards the slow-down bookkeeping and is never held while
// waiting for a token.
type adaptiveLimiter struct {
	lim      *rate.Limiter
	base     rate.Limit
	cooldown time.Duration
	now      func() time.Time

	slowed atomic.Bool // fast path: skip the mutex while nothing is slowed
	mu     sync.Mutex
	until  time.Time
}

const minSlowedRate = rate.Limit(1)

func newAdaptiveLimiter(perSecond float64, cooldown time.Duration, now func() time.Time) *adaptiveLimiter {
	l := rate.Limit(perSecond)
	return &adaptiveLimiter{
		lim:      rate.NewLimiter(l, burstFor(l)),
		base:     l,
		cooldown: cooldown,
		now:      now,
	}
}

func burstFor(l rate.Limit) int {
	return max(1, int(math.Ceil(float64(l))))
}

// Wait blocks for a token, or fails at once when ctx's deadline comes before
// the token would.
func (a *adaptiveLimiter) Wait(ctx context.Context) error {
	a.maybeRestore()
	return a.lim.Wait(ctx)
}

// Refused halves the current rate and (re)starts the cool-down.
func (a *adaptiveLimiter) Refused() {
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := a.lim.Limit()
	next := max(cur/2, minSlowedRate)
	if next > a.base {
		next = a.base
	}
	a.lim.SetLimit(next)
	a.lim.SetBurst(burstFor(next))
	a.until = a.now().Add(a.cooldown)
	a.slowed.Store(true)
}

func (a *adaptiveLimiter) maybeRestore() {
	if !a.slowed.Load() {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.slowed.Load() || a.now().Before(a.until) {
		return
	}
	a.lim.SetLimit(a.base)
	a.lim.SetBurst(burstFor(a.base))
	a.slowed.Store(false)
}

// Limit is the rate currently applied, for tests and logs.
func (a *adaptiveLimiter) Limit() float64 {
	a.maybeRestore()
	return float64(a.lim.Limit())
}
