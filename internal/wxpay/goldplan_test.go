package wxpay_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

const goldSub = "1900000109"

// newGoldPlanEmulator starts an emulator holding the caller's own sub-merchant goldSub, a
// foreign one (1900000999) and a penalized one (1900000111), and a service provider's client.
func newGoldPlanEmulator(t *testing.T, mod func(*wxpay.Config)) (*emulator.Server, *wxpay.Client) {
	t.Helper()
	emu, c := emulatorClient(t, emulator.Seed{
		CallerRole: emulator.RoleServiceProvider,
		SubMerchants: []emulator.SubMerchant{
			{SubMchid: goldSub},
			{SubMchid: "1900000999", Owner: "1900088888"},
			{SubMchid: "1900000111", Penalized: true},
		},
	}, "", mod)
	return emu.Server, c
}

func TestGoldPlanCallsChangeTheEmulator(t *testing.T) {
	ctx := context.Background()
	type step func(c *wxpay.Client) error
	tests := []struct {
		name      string
		steps     []step
		want      emulator.GoldPlanState
		wantBody  string // body of the last call
		wantCalls []string
	}{
		{
			name: "open both scenes in one call",
			steps: []step{func(c *wxpay.Client) error {
				return c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPIAndMiniProgram)
			}},
			want:      emulator.GoldPlanState{OpenScenes: []string{"JSAPI", "MINIPROGRAM"}},
			wantBody:  `{"sub_mchid":"1900000109","operation_type":"OPEN","operation_pay_scene":"JSAPI_AND_MINIPROGRAM"}`,
			wantCalls: []string{"POST /v3/goldplan/merchants/changegoldplanstatus"},
		},
		{
			name: "empty scene is sent as JSAPI",
			steps: []step{func(c *wxpay.Client) error {
				return c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, "")
			}},
			want:      emulator.GoldPlanState{OpenScenes: []string{"JSAPI"}},
			wantBody:  `{"sub_mchid":"1900000109","operation_type":"OPEN","operation_pay_scene":"JSAPI"}`,
			wantCalls: []string{"POST /v3/goldplan/merchants/changegoldplanstatus"},
		},
		{
			name: "close one of two scenes",
			steps: []step{
				func(c *wxpay.Client) error {
					return c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPIAndMiniProgram)
				},
				func(c *wxpay.Client) error {
					return c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanClose, wxpay.PaySceneMiniProgram)
				},
			},
			want:     emulator.GoldPlanState{OpenScenes: []string{"JSAPI"}},
			wantBody: `{"sub_mchid":"1900000109","operation_type":"CLOSE","operation_pay_scene":"MINIPROGRAM"}`,
			wantCalls: []string{"POST /v3/goldplan/merchants/changegoldplanstatus",
				"POST /v3/goldplan/merchants/changegoldplanstatus"},
		},
		{
			name: "receipt page, ads with filters, then new filters",
			steps: []step{
				func(c *wxpay.Client) error {
					return c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI)
				},
				func(c *wxpay.Client) error { return c.ChangeCustomPageStatus(ctx, goldSub, wxpay.GoldPlanOpen) },
				func(c *wxpay.Client) error { return c.OpenAdvertisingShow(ctx, goldSub, []string{"CAR", "GAME"}) },
				func(c *wxpay.Client) error {
					return c.SetAdvertisingIndustryFilter(ctx, goldSub, []string{"FINANCE"})
				},
			},
			want: emulator.GoldPlanState{OpenScenes: []string{"JSAPI"}, CustomPageOpen: true, AdvertisingShown: true,
				IndustryFilters: []string{"FINANCE"}},
			wantBody: `{"sub_mchid":"1900000109","advertising_industry_filters":["FINANCE"]}`,
			wantCalls: []string{"POST /v3/goldplan/merchants/changegoldplanstatus",
				"POST /v3/goldplan/merchants/changecustompagestatus",
				"PATCH /v3/goldplan/merchants/open-advertising-show",
				"POST /v3/goldplan/merchants/set-advertising-industry-filter"},
		},
		{
			name: "ads without filters, then off",
			steps: []step{
				func(c *wxpay.Client) error {
					return c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI)
				},
				func(c *wxpay.Client) error { return c.OpenAdvertisingShow(ctx, goldSub, nil) },
				func(c *wxpay.Client) error { return c.CloseAdvertisingShow(ctx, goldSub) },
			},
			want:     emulator.GoldPlanState{OpenScenes: []string{"JSAPI"}},
			wantBody: `{"sub_mchid":"1900000109"}`,
			wantCalls: []string{"POST /v3/goldplan/merchants/changegoldplanstatus",
				"PATCH /v3/goldplan/merchants/open-advertising-show",
				"POST /v3/goldplan/merchants/close-advertising-show"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newGoldPlanEmulator(t, nil)
			for i, s := range tt.steps {
				if err := s(c); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			got := srv.GoldPlan(goldSub)
			if !slices.Equal(got.OpenScenes, tt.want.OpenScenes) || got.CustomPageOpen != tt.want.CustomPageOpen ||
				got.AdvertisingShown != tt.want.AdvertisingShown || !slices.Equal(got.IndustryFilters, tt.want.IndustryFilters) {
				t.Errorf("emulator state = %+v, want %+v", got, tt.want)
			}
			calls := srv.Calls()
			var seen []string
			for _, call := range calls {
				seen = append(seen, call.Method+" "+call.Path)
			}
			if !slices.Equal(seen, tt.wantCalls) {
				t.Errorf("calls = %q, want %q", seen, tt.wantCalls)
			}
			if last := calls[len(calls)-1]; last.Body != tt.wantBody {
				t.Errorf("last body = %s, want %s", last.Body, tt.wantBody)
			}
		})
	}
}

func TestGoldPlanReopenWithin24Hours(t *testing.T) {
	ctx := context.Background()
	srv, c := newGoldPlanEmulator(t, nil)
	if err := c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanClose, wxpay.PaySceneJSAPI); err != nil {
		t.Fatal(err)
	}
	closedAt := srv.GoldPlan(goldSub).ClosedAt["JSAPI"]
	srv.AdvanceClock(23 * time.Hour)
	err := c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI)
	retryAfter, refused := wxpay.GoldPlanRetryAfter(err)
	if !refused {
		t.Fatalf("reopen after 23h: err = %v, want the 24-hour refusal", err)
	}
	if !retryAfter.Equal(closedAt.Add(24 * time.Hour).Truncate(time.Second)) {
		t.Errorf("retry_after = %v, want %v", retryAfter, closedAt.Add(24*time.Hour))
	}
	if wxpay.IsTransient(err) {
		t.Error("the 24-hour refusal must not be retried by the client")
	}
	if n := srv.CountCalls("POST", "/v3/goldplan/merchants/changegoldplanstatus"); n != 3 {
		t.Errorf("%d status calls, want 3 (the refusal is final, not retried)", n)
	}
	if srv.GoldPlan(goldSub).Open() {
		t.Error("the refused reopen opened the gold plan")
	}

	// MINIPROGRAM was never closed, so the rule does not hold it back.
	if err := c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneMiniProgram); err != nil {
		t.Fatalf("open another scene: %v", err)
	}
	srv.AdvanceClock(time.Hour)
	if err := c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI); err != nil {
		t.Fatalf("reopen after 24h: %v", err)
	}
	if got := srv.GoldPlan(goldSub).OpenScenes; !slices.Equal(got, []string{"JSAPI", "MINIPROGRAM"}) {
		t.Errorf("open scenes = %v", got)
	}
}

func TestGoldPlanRetryAfterOnOtherErrors(t *testing.T) {
	for _, err := range []error{nil, context.Canceled, &wxpay.APIError{StatusCode: 400, Code: "INVALID_REQUEST", Message: "服务商未开通点金计划"}} {
		if _, refused := wxpay.GoldPlanRetryAfter(err); refused {
			t.Errorf("GoldPlanRetryAfter(%v) reports a 24-hour refusal", err)
		}
	}
	// An answer without detail is still the refusal, only without a time.
	at, refused := wxpay.GoldPlanRetryAfter(&wxpay.APIError{StatusCode: 400, Code: "INVALID_REQUEST", Message: "关闭点金计划后24小时内不可重新开通"})
	if !refused || !at.IsZero() {
		t.Errorf("without detail: %v, %v", at, refused)
	}
}

// Gold plan answers its rate limit with 400 INVALID_REQUEST "命中频率限制"; the client retries
// it like any rate limit, so callers never see it.
func TestGoldPlanRateLimitIsRetried(t *testing.T) {
	ctx := context.Background()
	t.Run("injected", func(t *testing.T) {
		srv, c := newGoldPlanEmulator(t, nil)
		srv.InjectFault(emulator.Fault{Path: "/v3/goldplan/", Kind: "status", Status: 400, Code: "INVALID_REQUEST",
			Message: "命中频率限制", Count: 2})
		if err := c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI); err != nil {
			t.Fatal(err)
		}
		path := "/v3/goldplan/merchants/changegoldplanstatus"
		if calls, applied := srv.CountCalls("POST", path), srv.CountApplied("POST", path); calls != 3 || applied != 1 {
			t.Errorf("calls %d, applied %d; want 3 and 1", calls, applied)
		}
	})
	t.Run("emulator QPS limit", func(t *testing.T) {
		srv, c := newGoldPlanEmulator(t, func(cfg *wxpay.Config) {
			cfg.BackoffBase, cfg.BackoffMax, cfg.MaxRetries = 20*time.Millisecond, 200*time.Millisecond, 10
		})
		if err := c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI); err != nil {
			t.Fatal(err)
		}
		// A limit low enough that the sequential calls outrun it even when the race detector
		// slows each one down: at 20/s they no longer did under -race.
		srv.SetQPSLimit("/v3/goldplan/", 5)
		filters := [][]string{{"CAR"}, {"GAME"}}
		const n = 12
		for i := range n {
			if err := c.SetAdvertisingIndustryFilter(ctx, goldSub, filters[i%2]); err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		path := "/v3/goldplan/merchants/set-advertising-industry-filter"
		if applied := srv.CountApplied("POST", path); applied != n {
			t.Errorf("%d filter changes applied, want %d", applied, n)
		}
		limited := 0
		for _, call := range srv.Calls() {
			if call.Path == path && call.Code == "INVALID_REQUEST" {
				limited++
			}
		}
		if limited == 0 {
			t.Error("the emulator never refused a call: the test did not exercise the rate limit")
		}
	})
}

func TestGoldPlanBusinessErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		seed     emulator.Seed
		sub      string
		call     func(c *wxpay.Client, sub string) error
		code     string
		contains string
	}{
		{"unknown merchant", emulator.Seed{}, "1900077777", openJSAPI, "MCH_NOT_EXISTS", "商户号不存在"},
		{"foreign merchant", emulator.Seed{}, "1900000999", openJSAPI, "INVALID_REQUEST", "不是该服务商的特约商户"},
		{"penalized merchant", emulator.Seed{}, "1900000111", openJSAPI, "INVALID_REQUEST", "特约商户被处罚中"},
		{"penalized provider", emulator.Seed{ProviderPenalized: ptr(true)}, goldSub, openJSAPI, "INVALID_REQUEST", "服务商被处罚中"},
		{"provider without gold plan", emulator.Seed{GoldPlanEnabled: ptr(false)}, goldSub, openJSAPI, "INVALID_REQUEST", "服务商未开通点金计划"},
		{"caller is a merchant", emulator.Seed{CallerRole: emulator.RoleMerchant, Dialects: map[string]string{emulator.DialectRoles: "strict"}}, goldSub, openJSAPI, "INVALID_REQUEST", "调用方不是服务商"},
		{"receipt page before gold plan", emulator.Seed{}, goldSub, func(c *wxpay.Client, sub string) error {
			return c.ChangeCustomPageStatus(ctx, sub, wxpay.GoldPlanOpen)
		}, "INVALID_REQUEST", "特约商户未开通点金计划"},
		{"receipt page without receipt link", emulator.Seed{ReceiptLinkConfigured: ptr(false)}, goldSub, func(c *wxpay.Client, sub string) error {
			if err := openJSAPI(c, sub); err != nil {
				return err
			}
			return c.ChangeCustomPageStatus(ctx, sub, wxpay.GoldPlanOpen)
		}, "INVALID_REQUEST", "未配置商家小票链接"},
		{"ads before gold plan", emulator.Seed{}, goldSub, func(c *wxpay.Client, sub string) error {
			return c.OpenAdvertisingShow(ctx, sub, []string{"CAR"})
		}, "INVALID_REQUEST", "特约商户未开通点金计划"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newGoldPlanEmulator(t, nil)
			if err := srv.Seed(tt.seed); err != nil {
				t.Fatal(err)
			}
			err := tt.call(c, tt.sub)
			if !wxpay.HasCode(err, tt.code) || !wxpay.MessageContains(err, tt.contains) {
				t.Fatalf("err = %v, want %s %q", err, tt.code, tt.contains)
			}
			if wxpay.IsTransient(err) {
				t.Errorf("business error %v is treated as transient", err)
			}
			if st := srv.GoldPlan(tt.sub); st.CustomPageOpen || st.AdvertisingShown {
				t.Errorf("a refused call changed state: %+v", st)
			}
		})
	}
}

// Arguments WeChat Pay would refuse are refused before anything is sent.
func TestGoldPlanArgumentChecks(t *testing.T) {
	ctx := context.Background()
	srv, c := newGoldPlanEmulator(t, nil)
	tests := []struct {
		name string
		call func() error
	}{
		{"no sub_mchid", func() error { return c.ChangeGoldPlanStatus(ctx, "", wxpay.GoldPlanOpen, "") }},
		{"bad operation", func() error { return c.ChangeGoldPlanStatus(ctx, goldSub, "TOGGLE", "") }},
		{"bad scene", func() error { return c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, "APP") }},
		{"bad page operation", func() error { return c.ChangeCustomPageStatus(ctx, goldSub, "") }},
		{"no filters to set", func() error { return c.SetAdvertisingIndustryFilter(ctx, goldSub, nil) }},
		{"four filters", func() error {
			return c.SetAdvertisingIndustryFilter(ctx, goldSub, []string{"CAR", "GAME", "LAW", "FOOD"})
		}},
		{"unknown filter", func() error { return c.OpenAdvertisingShow(ctx, goldSub, []string{"PHOTOGRAPHY"}) }},
		{"repeated filter", func() error { return c.OpenAdvertisingShow(ctx, goldSub, []string{"CAR", "CAR"}) }},
		{"close ads without sub_mchid", func() error { return c.CloseAdvertisingShow(ctx, "") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("%d calls reached the emulator, want 0", n)
	}
}

func TestPaySceneFor(t *testing.T) {
	tests := []struct {
		in   []wxpay.PayScene
		want wxpay.PayScene
		ok   bool
	}{
		{[]wxpay.PayScene{"JSAPI"}, "JSAPI", true},
		{[]wxpay.PayScene{"MINIPROGRAM"}, "MINIPROGRAM", true},
		{[]wxpay.PayScene{"MINIPROGRAM", "JSAPI"}, "JSAPI_AND_MINIPROGRAM", true},
		{[]wxpay.PayScene{"JSAPI_AND_MINIPROGRAM"}, "JSAPI_AND_MINIPROGRAM", true},
		{nil, "", false},
		{[]wxpay.PayScene{"APP"}, "", false},
	}
	for _, tt := range tests {
		got, ok := wxpay.PaySceneFor(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("PaySceneFor(%v) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func openJSAPI(c *wxpay.Client, sub string) error {
	return c.ChangeGoldPlanStatus(context.Background(), sub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI)
}

func ptr[T any](v T) *T { return &v }

// The gold plan page's "400 INVALID_REQUEST 操作失败" means retry later: the client retries it,
// in both spellings, and the call succeeds once WeChat Pay carries it out.
func TestGoldPlanOperationFailedIsRetried(t *testing.T) {
	for _, texts := range []string{"docs", "wild"} {
		t.Run(texts, func(t *testing.T) {
			srv, c := newGoldPlanEmulator(t, nil)
			srv.SetDialect(emulator.DialectErrorTexts, texts)
			srv.InjectFault(emulator.Fault{Path: "/v3/goldplan/", Kind: emulator.FaultOperationFailed, Count: 1})
			if err := c.ChangeGoldPlanStatus(context.Background(), goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI); err != nil {
				t.Fatalf("open: %v, want the 操作失败 answer retried", err)
			}
			status := "/v3/goldplan/merchants/changegoldplanstatus"
			if calls, applied := srv.CountCalls("POST", status), srv.CountApplied("POST", status); calls != 2 || applied != 1 {
				t.Errorf("%d calls, %d applied; want 2 and 1", calls, applied)
			}
		})
	}
	// Only the gold plan page documents it as retry-later.
	err := &wxpay.APIError{StatusCode: 400, Code: "INVALID_REQUEST", Message: "操作失败", WellFormed: true,
		Path: "/v3/marketing/partnerships/build"}
	if wxpay.IsTransient(err) {
		t.Error("操作失败 from another API is retried")
	}
}

// Under goldplan-repeat=refused-already WeChat Pay refuses a write that changes nothing; the
// client takes "already open / closed" as done, for the gold plan, the receipt page and the
// ads, and still sets the filters of an ads call refused as already shown.
func TestGoldPlanRepeatRefusedAlready(t *testing.T) {
	ctx := context.Background()
	srv, c := newGoldPlanEmulator(t, nil)
	srv.SetDialect(emulator.DialectGoldPlanRepeat, "refused-already")
	steps := []struct {
		name string
		call func() error
	}{
		{"open", func() error { return c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI) }},
		{"open again", func() error { return c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI) }},
		{"open page", func() error { return c.ChangeCustomPageStatus(ctx, goldSub, wxpay.GoldPlanOpen) }},
		{"open page again", func() error { return c.ChangeCustomPageStatus(ctx, goldSub, wxpay.GoldPlanOpen) }},
		{"show ads", func() error { return c.OpenAdvertisingShow(ctx, goldSub, []string{"CAR"}) }},
		{"show ads again, other filters", func() error { return c.OpenAdvertisingShow(ctx, goldSub, []string{"GAME"}) }},
		{"stop ads", func() error { return c.CloseAdvertisingShow(ctx, goldSub) }},
		{"stop ads again", func() error { return c.CloseAdvertisingShow(ctx, goldSub) }},
		{"close page", func() error { return c.ChangeCustomPageStatus(ctx, goldSub, wxpay.GoldPlanClose) }},
		{"close page again", func() error { return c.ChangeCustomPageStatus(ctx, goldSub, wxpay.GoldPlanClose) }},
		{"close", func() error { return c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanClose, wxpay.PaySceneJSAPI) }},
		{"close again", func() error { return c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanClose, wxpay.PaySceneJSAPI) }},
	}
	for _, s := range steps {
		if err := s.call(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if s.name == "show ads again, other filters" {
			if got := srv.GoldPlan(goldSub).IndustryFilters; !slices.Equal(got, []string{"GAME"}) {
				t.Errorf("filters %v after an ads call refused as already shown, want [GAME]", got)
			}
		}
	}
	if refused := srv.CountCalls("", "") - srv.CountApplied("", ""); refused != 5 {
		t.Errorf("%d calls refused as repeats, want 5 (the second of each pair)", refused)
	}
}

// The 24-hour refusal reads retry_after with or without milliseconds, and says it was refused
// when the answer gives no time (goldplan-reopen=no-detail).
func TestGoldPlanRetryAfterInEveryDialect(t *testing.T) {
	for _, tc := range []struct{ reopen, times string }{
		{"per-scene", "seconds"}, {"per-scene", "millis"}, {"per-merchant", "millis"}, {"no-detail", "seconds"},
	} {
		t.Run(tc.reopen+"/"+tc.times, func(t *testing.T) {
			ctx := context.Background()
			srv, c := newGoldPlanEmulator(t, nil)
			srv.SetDialects(map[string]string{emulator.DialectGoldPlanReopen: tc.reopen, emulator.DialectTimeFormat: tc.times})
			if err := c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI); err != nil {
				t.Fatal(err)
			}
			if err := c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanClose, wxpay.PaySceneJSAPI); err != nil {
				t.Fatal(err)
			}
			closedAt := srv.GoldPlan(goldSub).ClosedAt["JSAPI"]
			scene := wxpay.PaySceneJSAPI
			if tc.reopen == "per-merchant" {
				scene = wxpay.PaySceneMiniProgram // never closed, held back all the same
			}
			at, refused := wxpay.GoldPlanRetryAfter(c.ChangeGoldPlanStatus(ctx, goldSub, wxpay.GoldPlanOpen, scene))
			if !refused {
				t.Fatal("not refused")
			}
			want := closedAt.Add(24 * time.Hour).Truncate(time.Second)
			if tc.times == "millis" {
				want = closedAt.Add(24 * time.Hour).Truncate(time.Millisecond)
			}
			if tc.reopen == "no-detail" {
				want = time.Time{}
			}
			if !at.Equal(want) {
				t.Errorf("retry_after %v, want %v", at, want)
			}
		})
	}
}
