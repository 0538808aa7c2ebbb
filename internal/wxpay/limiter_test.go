package wxpay

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	t.Run("the cap is shared by all APIs", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.RateLimit = 1 })
		if _, err := e.client.GetAuthorizeState(context.Background(), "1900000109"); err != nil {
			t.Fatal(err)
		}
		// The bucket is empty now; the next token is ~1 s away, which does not fit in these
		// deadlines, so rate.Limiter refuses at once, for the same API and for another.
		for name, call := range map[string]func(ctx context.Context) error{
			"same API": func(ctx context.Context) error {
				_, err := e.client.GetAuthorizeState(ctx, "1900000110")
				return err
			},
			"another API": func(ctx context.Context) error {
				return e.client.ChangeCustomPageStatus(ctx, "1900000109", GoldPlanOpen)
			},
		} {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			err := call(ctx)
			cancel()
			var ne *NetworkError
			if !errors.As(err, &ne) || !strings.Contains(err.Error(), "rate limit") {
				t.Errorf("%s: err = %v, want a client-side rate limit error", name, err)
			}
		}
		if n := len(e.fake.businessCalls()); n != 1 {
			t.Errorf("%d calls reached the server, want 1", n)
		}
	})
	t.Run("a refusal slows only its API", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.RateLimit = 0 })
		e.fake.setScript(apiErr(400, "INVALID_REQUEST", "命中频率限制"), reply{})
		ctx := context.Background()
		if err := e.client.ChangeCustomPageStatus(ctx, "1900000109", GoldPlanOpen); err != nil {
			t.Fatal(err)
		}
		// Nothing was accepted before the refusal, so there is no rate to go by: the gold plan API
		// is slowed to the rate for a lone refusal.
		if got := e.client.limits.forAPI("POST " + pathCustomPageStatus).Limit(); got != float64(loneRefusalRate) {
			t.Fatalf("gold plan limit = %v, want %v", got, loneRefusalRate)
		}
		// Another API keeps its pace: ten calls within half a second, which the gold plan's
		// 5 calls/s would not allow.
		ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		for i := range 10 {
			if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
				t.Fatalf("call %d to another API: %v", i+1, err)
			}
		}
		if got := e.client.limits.forAPI(authorizeStateAPI).Limit(); !math.IsInf(got, 1) {
			t.Errorf("authorization state limit = %v, want none", got)
		}
		// Calls to the same API with other ids in the path share their API's limiter.
		if _, err := e.client.GetAuthorizeState(ctx, "1900000110"); err != nil {
			t.Fatal(err)
		}
		if n := len(e.client.limits.perAPI); n != 2 {
			t.Errorf("%d limiters, want 2 (one per API)", n)
		}
	})
	t.Run("slowed to what the server accepted, probed back up after the cool-down", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.RateLimit = 100 })
		lim := e.client.limits.forAPI("POST " + pathCustomPageStatus)
		// Five calls go through, the sixth is refused for going too fast, then its retry passes.
		e.fake.setScript(reply{}, reply{}, reply{}, reply{}, reply{}, apiErr(400, "INVALID_REQUEST", "命中频率限制"), reply{})
		ctx := context.Background()
		for range 6 {
			if err := e.client.Do(ctx, Request{Method: "POST", Path: "/v3/goldplan/merchants/changecustompagestatus", Body: map[string]string{}}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := lim.Limit(), 5*slowDownFactor; got != want {
			t.Fatalf("limit after refusal = %v, want %v (just under the 5 calls/s accepted)", got, want)
		}
		if b := lim.lim.Burst(); b != 1 {
			t.Errorf("burst while slowed = %d, want 1 (evenly spaced calls)", b)
		}
		// Calls already in flight are refused for the same excess: no second slow-down.
		lim.Refused()
		if got := lim.Limit(); got != 5*slowDownFactor {
			t.Fatalf("limit after a refusal within a second = %v, want it unchanged", got)
		}
		// A refusal a second later, with nothing accepted since, halves the rate, down to a floor.
		e.clock.Advance(1500 * time.Millisecond)
		lim.Refused()
		if got, want := lim.Limit(), 5*slowDownFactor/2; got != want {
			t.Fatalf("limit after a later refusal = %v, want half of it, %v", got, want)
		}
		for range 3 {
			e.clock.Advance(1500 * time.Millisecond)
			lim.Refused()
		}
		if got := lim.Limit(); got != float64(minSlowedRate) {
			t.Fatalf("limit after more refusals = %v, want the floor %v", got, minSlowedRate)
		}
		e.clock.Advance(RateLimitCooldown - time.Second)
		if got := lim.Limit(); got != float64(minSlowedRate) {
			t.Fatalf("probed before the cool-down: %v", got)
		}
		e.clock.Advance(time.Second)
		if got, want := lim.Limit(), float64(minSlowedRate+probeMinStep); got != want {
			t.Fatalf("limit after the cool-down = %v, want one probing step %v", got, want)
		}
		if got := lim.Limit(); got != float64(minSlowedRate+probeMinStep) {
			t.Fatalf("probed twice within a second: %v", got)
		}
		steps := 0
		for lim.Limit() < 100 && steps < 1000 {
			e.clock.Advance(time.Second)
			steps++
		}
		if got := lim.Limit(); got != 100 || steps > 100 {
			t.Fatalf("limit %v after %d more seconds, want the cap 100 within 100 s", got, steps)
		}
		if b := lim.lim.Burst(); b != 100 {
			t.Errorf("burst back at the cap = %d, want 100", b)
		}
	})
	t.Run("each probing step twice the last, until a refusal", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.RateLimit = 0 })
		lim := e.client.limits.forAPI("POST " + pathCustomPageStatus)
		for range 4 {
			lim.Accepted()
		}
		lim.Refused() // 4 accepted in the last second: 3.8/s
		e.clock.Advance(RateLimitCooldown)
		var got []float64
		for range 4 {
			got = append(got, math.Round(lim.Limit()*100)/100)
			e.clock.Advance(time.Second)
		}
		// 3.8, then +1 (5% is less), +2, +4: quota another pipeline left is taken up in seconds.
		if want := []float64{4.8, 6.8, 10.8, 18.8}; !slices.Equal(got, want) {
			t.Fatalf("limits a second apart = %v, want %v", got, want)
		}
		// A refusal ends the climb (nothing was accepted in the last second: half the rate), and
		// the next climb starts with a small step again.
		lim.Refused()
		e.clock.Advance(RateLimitCooldown)
		if got, want := lim.Limit(), 18.8/2+1; math.Abs(got-want) > 1e-9 {
			t.Fatalf("limit after a refusal and the cool-down = %v, want a small step from half the rate: %v", got, want)
		}
	})
	t.Run("a waiting call follows the limit as it rises", func(t *testing.T) {
		lim := newAdaptiveLimiter(0, RateLimitCooldown, time.Now)
		lim.mu.Lock()
		lim.setLocked(0.1, 1) // a call every 10 s
		lim.mu.Unlock()
		if !lim.lim.Allow() {
			t.Fatal("no first token")
		}
		// The next token is 10 s away. While the call waits, the rate rises (a probing step,
		// another pipeline done): the call goes at the new rate, not at a turn it took before.
		var slept []time.Duration
		lim.sleep = func(ctx context.Context, d time.Duration) error {
			slept = append(slept, d)
			if len(slept) == 1 {
				lim.mu.Lock()
				lim.setLocked(1000, 1)
				lim.mu.Unlock()
				return nil
			}
			return sleepCtx(ctx, d)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := lim.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if len(slept) == 0 || slept[0] != waitSlice {
			t.Fatalf("waits %v, want a first wait of %v (a look at the limit at least that often)", slept, waitSlice)
		}
		var after time.Duration
		for _, d := range slept[1:] {
			after += d
		}
		if after > 10*time.Millisecond {
			t.Errorf("waited %v more after the rate rose to 1000/s, want a token within a few ms (waits %v)", after, slept)
		}
		// A deadline before the next token fails at once, as rate.Limiter's Wait does.
		lim.mu.Lock()
		lim.setLocked(0.1, 1)
		lim.mu.Unlock()
		_ = lim.lim.Allow()
		slept = nil
		lim.sleep = func(context.Context, time.Duration) error { slept = append(slept, 0); return nil }
		short, cancel2 := context.WithTimeout(context.Background(), time.Second)
		defer cancel2()
		if err := lim.Wait(short); err == nil || !strings.Contains(err.Error(), "deadline") || len(slept) != 0 {
			t.Errorf("err = %v after %d waits, want a deadline error at once", err, len(slept))
		}
	})
	t.Run("without a cap until the server refuses", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.RateLimit = 0 })
		lim := e.client.limits.forAPI("POST " + pathCustomPageStatus)
		if got := lim.Limit(); !math.IsInf(got, 1) {
			t.Fatalf("limit = %v, want none", got)
		}
		for range 39 {
			lim.Accepted()
		}
		lim.Refused()
		// 39 accepted and one refused in the last second: just under 39/s.
		if got, want := lim.Limit(), 39*slowDownFactor; got != want {
			t.Fatalf("limit after refusal = %v, want %v", got, want)
		}
		e.clock.Advance(RateLimitCooldown)
		for range 200 {
			e.clock.Advance(time.Second)
			if math.IsInf(lim.Limit(), 1) {
				return
			}
		}
		t.Fatalf("limit still %v after 200 s of probing, want it lifted", lim.Limit())
	})
	t.Run("concurrent calls", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.RateLimit = 1e6 })
		lim := e.client.limits.forAPI(authorizeStateAPI)
		// Answers to slow down to: the calls below must not crawl at the 1/s floor.
		for range 100 {
			lim.Accepted()
		}
		inParallel(t, 32, func(i int) error {
			if i%5 == 0 {
				lim.Refused()
			}
			_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")
			return err
		})
	})
}
