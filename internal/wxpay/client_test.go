package wxpay

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDoSignsExactlyWhatIsSent(t *testing.T) {
	partner := `{"business_type":"BUSIFAVOR_STOCK","stock_id":"2433405"}`
	tests := []struct {
		name     string
		req      Request
		wantURI  string
		wantBody string
	}{
		{
			name:    "GET without query has no trailing question mark",
			req:     Request{Method: "GET", Path: "/v3/apply4subject/applyment/merchants/1900000109/state", Query: url.Values{}},
			wantURI: "/v3/apply4subject/applyment/merchants/1900000109/state",
		},
		{
			name:    "GET with a JSON object in the query",
			req:     Request{Method: "GET", Path: "/v3/marketing/partnerships", Query: url.Values{"limit": {"5"}, "offset": {"0"}, "authorized_data": {partner}}},
			wantURI: "/v3/marketing/partnerships?authorized_data=%7B%22business_type%22%3A%22BUSIFAVOR_STOCK%22%2C%22stock_id%22%3A%222433405%22%7D&limit=5&offset=0",
		},
		{
			name:    "escaped path segment",
			req:     Request{Method: "GET", Path: "/v3/apply4subject/applyment/merchants/" + url.PathEscape("19/00 1") + "/state"},
			wantURI: "/v3/apply4subject/applyment/merchants/19%2F00%201/state",
		},
		{
			name:     "POST body",
			req:      Request{Method: "POST", Path: "/v3/goldplan/merchants/changegoldplanstatus", Body: map[string]string{"sub_mchid": "1900000109", "operation_type": "OPEN"}},
			wantURI:  "/v3/goldplan/merchants/changegoldplanstatus",
			wantBody: `{"operation_type":"OPEN","sub_mchid":"1900000109"}`,
		},
		{
			name:     "PATCH body, lower-case method",
			req:      Request{Method: "patch", Path: "/v3/goldplan/merchants/open-advertising-show", Body: struct{ A []string }{[]string{"CAR"}}},
			wantURI:  "/v3/goldplan/merchants/open-advertising-show",
			wantBody: `{"A":["CAR"]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			if err := e.client.Do(context.Background(), tt.req, nil); err != nil {
				t.Fatal(err)
			}
			calls := e.fake.businessCalls()
			if len(calls) != 1 {
				t.Fatalf("%d calls, want 1", len(calls))
			}
			c := calls[0]
			if c.uri != tt.wantURI {
				t.Errorf("request URI = %q, want %q", c.uri, tt.wantURI)
			}
			if string(c.body) != tt.wantBody {
				t.Errorf("body = %q, want %q", c.body, tt.wantBody)
			}
			if !c.sigOK {
				t.Errorf("signature does not cover method %s, URI %q, body %q", c.method, c.uri, c.body)
			}
			if c.method != strings.ToUpper(tt.req.Method) {
				t.Errorf("method = %q", c.method)
			}
			wantHeaders := map[string]string{
				"Accept":           "application/json",
				"User-Agent":       "terraform-provider-wechatpay/1.2.3",
				"Wechatpay-Serial": testPubKeyID,
			}
			if tt.wantBody != "" {
				wantHeaders["Content-Type"] = "application/json"
			}
			for k, v := range wantHeaders {
				if got := c.header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.wantBody == "" && c.header.Get("Content-Type") != "" {
				t.Errorf("Content-Type %q sent without a body", c.header.Get("Content-Type"))
			}
			if len(c.nonce) != 32 {
				t.Errorf("nonce %q: want 32 characters", c.nonce)
			}
		})
	}
}

func TestDoRejectsBadPaths(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{"v3/no-slash", "/v3/x?limit=1", ""} {
		t.Run(p, func(t *testing.T) {
			if err := e.client.Do(context.Background(), Request{Method: "GET", Path: p}, nil); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if n := len(e.fake.allCalls()); n != 0 {
		t.Errorf("%d calls reached the server", n)
	}
}

func apiErr(status int, code, msg string) reply {
	return reply{status: status, body: `{"code":"` + code + `","message":"` + msg + `"}`}
}

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

func TestFailover(t *testing.T) {
	t.Run("5xx moves to backup, sticks, then fails back after the cool-down", func(t *testing.T) {
		e := newEnvWithBackup(t, nil)
		e.fake.setDown("primary", true)
		ctx := context.Background()
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,backup" {
			t.Fatalf("first call hosts = %s", got)
		}
		e.fake.setDown("primary", false)
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,backup,backup" {
			t.Fatalf("second call should stay on the backup: %s", got)
		}
		e.clock.Advance(DefaultFailbackAfter)
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,backup,backup,primary" {
			t.Fatalf("after the cool-down the client should be back on the primary: %s", got)
		}
	})
	t.Run("connection refused on primary", func(t *testing.T) {
		e := newEnvWithBackup(t, func(c *Config) { c.Endpoint = refusedURL(t) })
		if _, err := e.client.GetAuthorizeState(context.Background(), "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "backup" {
			t.Fatalf("hosts = %s", got)
		}
	})
	t.Run("per-attempt timeout moves to backup", func(t *testing.T) {
		e := newEnvWithBackup(t, func(c *Config) { c.RequestTimeout = 100 * time.Millisecond })
		e.fake.setScript(reply{block: true}, reply{})
		if _, err := e.client.GetAuthorizeState(context.Background(), "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,backup" {
			t.Fatalf("hosts = %s", got)
		}
	})
	t.Run("both hosts down: alternate and report the last error", func(t *testing.T) {
		e := newEnvWithBackup(t, func(c *Config) { c.MaxRetries = 3 })
		e.fake.setDown("primary", true)
		e.fake.setDown("backup", true)
		_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 503 || ae.Attempts != 4 || !IsTransient(err) {
			t.Fatalf("err = %v", err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,backup,primary,backup" {
			t.Fatalf("hosts = %s", got)
		}
	})
	t.Run("rate limit refusals do not fail over", func(t *testing.T) {
		e := newEnvWithBackup(t, nil)
		e.fake.setScript(apiErr(429, "FREQUENCY_LIMITED", "频率超限"), reply{})
		if _, err := e.client.GetAuthorizeState(context.Background(), "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,primary" {
			t.Fatalf("hosts = %s", got)
		}
	})
	t.Run("all attempts refused gives a NetworkError", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.Endpoint = refusedURL(t); c.MaxRetries = 1 })
		_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")
		var ne *NetworkError
		if !errors.As(err, &ne) || ne.Attempts != 2 || !IsTransient(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

// newEnvWithBackup is newEnv with failover to the fake's backup host.
func newEnvWithBackup(t *testing.T, mod func(*Config)) *testEnv {
	t.Helper()
	return newEnv(t, func(c *Config) {
		c.BackupEndpoint = useFakeBackup
		if mod != nil {
			mod(c)
		}
	})
}

func hosts(calls []seenCall) string {
	var s []string
	for _, c := range calls {
		s = append(s, c.host)
	}
	return strings.Join(s, ",")
}

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
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for i := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%5 == 0 {
					lim.Refused()
				}
				_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	})
}

func TestGetAuthorizeState(t *testing.T) {
	tests := []struct {
		name     string
		subMchid string
		script   []reply
		wantURI  string
		want     AuthorizeState
		wantErr  func(error) bool
	}{
		{name: "authorized", subMchid: "1900000109", wantURI: "/v3/apply4subject/applyment/merchants/1900000109/state", want: AuthorizeStateAuthorized},
		{name: "unauthorized", subMchid: "1900000110", script: []reply{{body: `{"authorize_state":"AUTHORIZE_STATE_UNAUTHORIZED"}`}},
			wantURI: "/v3/apply4subject/applyment/merchants/1900000110/state", want: AuthorizeStateUnauthorized},
		{name: "path escaped", subMchid: "a/b?c", wantURI: "/v3/apply4subject/applyment/merchants/a%2Fb%3Fc/state", want: AuthorizeStateAuthorized},
		{name: "not a channel partner", subMchid: "1900000109", script: []reply{apiErr(400, "PARAM_ERROR", "只能由从业机构或渠道商调用该接口")},
			wantURI: "/v3/apply4subject/applyment/merchants/1900000109/state",
			wantErr: func(err error) bool { return HasCode(err, "PARAM_ERROR") && MessageContains(err, "渠道商") }},
		// The state API documents no "does not exist" answer: a 404 is an error like any other.
		{name: "404", subMchid: "1900000109", script: []reply{apiErr(404, "RESOURCE_NOT_EXISTS", "不存在")},
			wantURI: "/v3/apply4subject/applyment/merchants/1900000109/state",
			wantErr: func(err error) bool { return HasCode(err, "RESOURCE_NOT_EXISTS") && !IsNotFound(err) }},
		{name: "answer without state", subMchid: "1900000109", script: []reply{{body: `{}`}},
			wantURI: "/v3/apply4subject/applyment/merchants/1900000109/state", wantErr: func(err error) bool { return err != nil }},
		{name: "empty sub_mchid", subMchid: "", wantErr: func(err error) bool { return err != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.fake.setScript(tt.script...)
			got, err := e.client.GetAuthorizeState(context.Background(), tt.subMchid)
			if tt.wantErr != nil {
				if !tt.wantErr(err) {
					t.Fatalf("err = %v", err)
				}
			} else if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			calls := e.fake.businessCalls()
			if tt.wantURI == "" {
				if len(calls) != 0 {
					t.Fatalf("%d calls made", len(calls))
				}
				return
			}
			if len(calls) != 1 || calls[0].uri != tt.wantURI || calls[0].method != "GET" || !calls[0].sigOK {
				t.Fatalf("calls = %+v", calls)
			}
		})
	}
}
