package wxpay

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter bounds the time one call waits because answers asked for it (Retry-After), all
// its attempts together: error answers are not signed, so a bogus value must not park a call for
// hours. The ctx deadline applies too.
const maxRetryAfter = 2 * time.Minute

// retryDelay is the wait before the next attempt: the backoff, or the answer's Retry-After when
// longer. A Retry-After beyond what the call may still wait for such requests (maxRetryAfter),
// or a wait that leaves no time for another attempt before ctx's deadline, ends the call.
func (c *Client) retryDelay(ctx context.Context, cl *call, h host, attempt int, retryAfter time.Duration) (time.Duration, error) {
	d := c.backoff(attempt, retryAfter)
	asked := retryAfter > 0 && d == retryAfter // the answer's Retry-After, not the client's own backoff
	if asked && d > maxRetryAfter-cl.askedWait {
		return 0, &RetryWaitError{Wait: d, Left: maxRetryAfter - cl.askedWait, Host: h.name,
			Method: cl.req.Method, Path: cl.req.Path, Err: cl.lastErr}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		if asked {
			return 0, &RetryWaitError{Wait: d, Left: max(time.Until(dl), 0), ByDeadline: true, Host: h.name,
				Method: cl.req.Method, Path: cl.req.Path, Err: cl.lastErr}
		}
		return 0, cl.lastErr
	}
	if asked {
		cl.askedWait += d
	}
	return d, nil
}

// backoff is exponential with full jitter, so that many clients refused at
// once do not come back in lockstep. A server's Retry-After wins when longer;
// retryDelay bounds the time it may cost.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	ceiling := c.backoffMax
	if shift := attempt - 1; shift < 30 {
		if v := c.backoffBase << shift; v > 0 && v < ceiling {
			ceiling = v
		}
	}
	d := time.Duration(rand.Int64N(int64(ceiling) + 1))
	return max(d, retryAfter)
}

// parseRetryAfter reads a Retry-After header, in seconds or as an HTTP date; 0 when it is
// absent, malformed or past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// sleepCtx waits d, or less when ctx ends first (then it returns ctx's error).
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
