package wxpay

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRetries(t *testing.T) {
	tests := []struct {
		name         string
		maxRetries   int
		script       []reply
		wantAttempts int
		wantCode     string // "" = success
	}{
		{"5xx then success", 0, []reply{apiErr(500, "SYSTEM_ERROR", "系统错误"), {}}, 2, ""},
		{"502 non-JSON then success", 0, []reply{{status: 502, body: "<html>bad gateway</html>"}}, 2, ""},
		{"429 then success", 0, []reply{apiErr(429, "FREQUENCY_LIMITED", "频率超限"), {}}, 2, ""},
		{"gold plan rate limit then success", 0, []reply{apiErr(400, "INVALID_REQUEST", "命中频率限制"), {}}, 2, ""},
		{"change in progress then success", 0, []reply{apiErr(403, "RULE_LIMIT", "上一次修改还未完成"), {}}, 2, ""},
		{"concurrent change twice then success", 0, []reply{apiErr(403, "RULE_LIMIT", "并发修改"), apiErr(403, "RULE_LIMIT", "并发修改"), {}}, 3, ""},
		{"PARAM_ERROR is final", 0, []reply{apiErr(400, "PARAM_ERROR", "参数错误: sub_mchid"), {}}, 1, "PARAM_ERROR"},
		{"other INVALID_REQUEST is final", 0, []reply{apiErr(400, "INVALID_REQUEST", "服务商未开通点金计划")}, 1, "INVALID_REQUEST"},
		{"RULE_LIMIT activity status is final", 0, []reply{apiErr(403, "RULE_LIMIT", "活动当前状态不允许修改: STOP_ACT_STATUS")}, 1, "RULE_LIMIT"},
		{"SIGN_ERROR is final", 0, []reply{apiErr(401, "SIGN_ERROR", "签名错误")}, 1, "SIGN_ERROR"},
		{"404 is final", 0, []reply{apiErr(404, "RESOURCE_NOT_EXISTS", "活动不存在")}, 1, "RESOURCE_NOT_EXISTS"},
		{"bounded by MaxRetries", 2, []reply{apiErr(500, "SYSTEM_ERROR", "a"), apiErr(500, "SYSTEM_ERROR", "b"), apiErr(500, "SYSTEM_ERROR", "c"), {}}, 3, "SYSTEM_ERROR"},
		{"negative MaxRetries means one attempt", -1, []reply{apiErr(500, "SYSTEM_ERROR", "a"), {}}, 1, "SYSTEM_ERROR"},
		// A refusal for going too fast means WeChat Pay did nothing: it is retried beyond
		// MaxRetries, up to MaxRateLimitedRetries more, unless retries are off.
		{"rate-limit refusals beyond MaxRetries", 2, append(repeat(apiErr(429, "FREQUENCY_LIMITED", "频率超限"), 5), reply{}), 6, ""},
		{"gold plan rate limit beyond MaxRetries", 1, append(repeat(apiErr(400, "INVALID_REQUEST", "命中频率限制"), 4), reply{}), 5, ""},
		{"rate-limit refusals bounded too", 1, append(repeat(apiErr(429, "FREQUENCY_LIMITED", "频率超限"), MaxRateLimitedRetries+2), reply{}),
			MaxRateLimitedRetries + 2, "FREQUENCY_LIMITED"},
		{"rate-limit refusal with retries off", -1, []reply{apiErr(429, "FREQUENCY_LIMITED", "频率超限"), {}}, 1, "FREQUENCY_LIMITED"},
		{"default MaxRetries is 4", 0, []reply{apiErr(503, "SYSTEM_ERROR", "1"), apiErr(503, "SYSTEM_ERROR", "2"), apiErr(503, "SYSTEM_ERROR", "3"), apiErr(503, "SYSTEM_ERROR", "4"), apiErr(503, "SYSTEM_ERROR", "5"), {}}, 5, "SYSTEM_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.MaxRetries = tt.maxRetries })
			e.fake.setScript(tt.script...)
			body := map[string]any{"sub_mchid": "1900000109", "operation_type": "OPEN"}
			req := Request{Method: "POST", Path: "/v3/goldplan/merchants/changegoldplanstatus", Body: body,
				Header: http.Header{"Idempotency-Key": {"key-1"}}}
			var out struct {
				State string `json:"authorize_state"`
			}
			err := e.client.Do(context.Background(), req, &out)
			calls := e.fake.businessCalls()
			if len(calls) != tt.wantAttempts {
				t.Errorf("%d attempts, want %d", len(calls), tt.wantAttempts)
			}
			if got := len(e.sleeps.get()); got != tt.wantAttempts-1 {
				t.Errorf("%d backoff sleeps, want %d", got, tt.wantAttempts-1)
			}
			if tt.wantCode == "" {
				if err != nil || out.State != "AUTHORIZE_STATE_AUTHORIZED" {
					t.Fatalf("err %v, out %+v", err, out)
				}
			} else {
				var ae *APIError
				if !errors.As(err, &ae) || ae.Code != tt.wantCode || ae.Attempts != tt.wantAttempts {
					t.Fatalf("err = %v, want %s after %d attempts", err, tt.wantCode, tt.wantAttempts)
				}
			}
			// Each attempt is a new request with the same business content.
			nonces, sigs := map[string]bool{}, map[string]bool{}
			for i, c := range calls {
				if !c.sigOK {
					t.Errorf("attempt %d: bad signature", i+1)
				}
				if string(c.body) != string(calls[0].body) {
					t.Errorf("attempt %d body %q differs from %q", i+1, c.body, calls[0].body)
				}
				if c.header.Get("Idempotency-Key") != "key-1" {
					t.Errorf("attempt %d lost the Idempotency-Key", i+1)
				}
				nonces[c.nonce], sigs[c.signature] = true, true
			}
			if len(nonces) != len(calls) || len(sigs) != len(calls) {
				t.Errorf("nonces/signatures reused across %d attempts: %d/%d distinct", len(calls), len(nonces), len(sigs))
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.BackoffMax = time.Millisecond })
	r := apiErr(429, "FREQUENCY_LIMITED", "频率超限")
	r.header = map[string]string{"Retry-After": "3"}
	e.fake.setScript(r, reply{})
	if err := e.client.Do(context.Background(), Request{Method: "GET", Path: "/v3/x"}, nil); err != nil {
		t.Fatal(err)
	}
	if d := e.sleeps.get(); len(d) != 1 || d[0] != 3*time.Second {
		t.Errorf("sleeps = %v, want [3s]", d)
	}
}

func TestRetriesStopBeforeTheDeadline(t *testing.T) {
	e := newEnv(t, nil)
	r := apiErr(503, "SYSTEM_ERROR", "busy")
	r.header = map[string]string{"Retry-After": "30"}
	e.fake.setScript(r, reply{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := e.client.Do(ctx, Request{Method: "GET", Path: "/v3/x"}, nil)
	if !HasCode(err, "SYSTEM_ERROR") {
		t.Fatalf("err = %v, want the last answer", err)
	}
	if n := len(e.fake.businessCalls()); n != 1 {
		t.Errorf("%d attempts, want 1: a 30 s wait cannot fit in 10 s", n)
	}
	if d := e.sleeps.get(); len(d) != 0 {
		t.Errorf("slept %v past the deadline", d)
	}
}

func TestBackoffFullJitterBounds(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.BackoffBase, c.BackoffMax = 200*time.Millisecond, 10*time.Second })
	for attempt, ceiling := range map[int]time.Duration{1: 200 * time.Millisecond, 2: 400 * time.Millisecond, 4: 1600 * time.Millisecond, 7: 10 * time.Second, 40: 10 * time.Second} {
		var maxSeen time.Duration
		for range 500 {
			d := e.client.backoff(attempt, 0)
			if d < 0 || d > ceiling {
				t.Fatalf("attempt %d: %v outside [0, %v]", attempt, d, ceiling)
			}
			maxSeen = max(maxSeen, d)
		}
		if maxSeen < ceiling/2 {
			t.Errorf("attempt %d: largest of 500 delays %v, jitter does not span up to %v", attempt, maxSeen, ceiling)
		}
	}
}

func repeat(r reply, n int) []reply {
	out := make([]reply, n)
	for i := range out {
		out[i] = r
	}
	return out
}

func retryAfter(r reply, seconds string) reply {
	r.header = map[string]string{"Retry-After": seconds}
	return r
}

// Error answers are not signed: what they ask for (Retry-After) is honoured only within the
// time the call has, and the client says so when it gives up for it.
func TestRetryAfterIsBounded(t *testing.T) {
	refused := apiErr(429, "FREQUENCY_LIMITED", "频率超限")
	t.Run("longer than the deadline leaves", func(t *testing.T) {
		e := newEnv(t, nil)
		e.fake.setScript(retryAfter(refused, "90"), reply{})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := e.client.GetAuthorizeState(ctx, "1900000109")
		var we *RetryWaitError
		if !errors.As(err, &we) || !we.ByDeadline || we.Wait != 90*time.Second {
			t.Fatalf("err = %v, want a RetryWaitError for the deadline", err)
		}
		msg := err.Error()
		for _, want := range []string{"WeChat Pay asked to wait 90 s (Retry-After)", "exceeds the time left for this operation (",
			"raise the resource's timeouts or try later", "FREQUENCY_LIMITED"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not say %q", msg, want)
			}
		}
		if !HasCode(err, "FREQUENCY_LIMITED") || !IsRateLimited(err) {
			t.Errorf("the last answer is not reachable through the error: %v", err)
		}
		if n := len(e.fake.businessCalls()); n != 1 || len(e.sleeps.get()) != 0 {
			t.Errorf("%d calls and waits %v, want 1 call and no wait", n, e.sleeps.get())
		}
	})
	t.Run("all the waits of one call together", func(t *testing.T) {
		e := newEnv(t, nil)
		e.fake.setScript(retryAfter(refused, "100"), retryAfter(refused, "100"), reply{})
		_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")
		var we *RetryWaitError
		if !errors.As(err, &we) || we.ByDeadline || we.Left != maxRetryAfter-100*time.Second {
			t.Fatalf("err = %v, want a RetryWaitError for the client's limit", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "asked to wait 100 s (Retry-After)") || !strings.Contains(msg, "(20 s of 120 s)") {
			t.Errorf("error %q", msg)
		}
		var total time.Duration
		for _, d := range e.sleeps.get() {
			total += d
		}
		if total > maxRetryAfter {
			t.Errorf("waited %v in all for one call, more than %v", total, maxRetryAfter)
		}
		if n := len(e.fake.businessCalls()); n != 2 {
			t.Errorf("%d calls, want 2", n)
		}
	})
	t.Run("an hour", func(t *testing.T) {
		e := newEnv(t, nil)
		e.fake.setScript(withoutRequestID(retryAfter(refused, "3600")), reply{})
		_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")
		host := strings.TrimPrefix(e.primary.URL, "http://")
		if err == nil || !strings.Contains(err.Error(), "host "+host+" asked to wait 3600 s (Retry-After)") {
			t.Fatalf("err = %v, want the host named as the one asking", err)
		}
		if n := len(e.sleeps.get()); n != 0 {
			t.Errorf("waited %v", e.sleeps.get())
		}
	})
	t.Run("within bounds it is honoured", func(t *testing.T) {
		e := newEnv(t, nil)
		e.fake.setScript(retryAfter(refused, "3"), reply{})
		if _, err := e.client.GetAuthorizeState(context.Background(), "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := e.sleeps.get(); len(got) != 1 || got[0] != 3*time.Second {
			t.Errorf("waits %v, want the 3 s asked for", got)
		}
	})
}

// One refusal, which anything on the way can send, does little to the adaptive limit; an answer
// that is not WeChat Pay's does nothing.
func TestRateLimitRefusalsAreBounded(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		reply reply
		want  float64
	}{
		{"HTML 429 from a proxy", withoutRequestID(reply{status: 429, body: "<html><body>429 Too Many Requests</body></html>"}), math.Inf(1)},
		{"WeChat Pay JSON without Request-ID", withoutRequestID(apiErr(429, "FREQUENCY_LIMITED", "频率超限")), math.Inf(1)},
		{"a lone WeChat Pay refusal", apiErr(429, "FREQUENCY_LIMITED", "频率超限"), float64(loneRefusalRate)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.RateLimit = 0 })
			e.fake.setScript(tc.reply, reply{})
			if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
				t.Fatal(err)
			}
			if got := e.client.limits.forAPI(authorizeStateAPI).Limit(); got != tc.want {
				t.Errorf("limit after the refusal = %v, want %v", got, tc.want)
			}
			if n := len(e.fake.businessCalls()); n != 2 {
				t.Errorf("%d calls, want the refused one retried", n)
			}
		})
	}
}
