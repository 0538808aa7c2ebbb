package emulator_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

const (
	customPageURI = "/v3/goldplan/merchants/changecustompagestatus"
	filterURI     = "/v3/goldplan/merchants/set-advertising-industry-filter"
	adsOpenURI    = "/v3/goldplan/merchants/open-advertising-show"
	adsCloseURI   = "/v3/goldplan/merchants/close-advertising-show"
)

func goldBody(op, scene string) string {
	if scene == "" {
		return fmt.Sprintf(`{"sub_mchid":%q,"operation_type":%q}`, testSub, op)
	}
	return fmt.Sprintf(`{"sub_mchid":%q,"operation_type":%q,"operation_pay_scene":%q}`, testSub, op, scene)
}

func filterBody(filters ...string) string {
	q := make([]string, len(filters))
	for i, f := range filters {
		q[i] = fmt.Sprintf("%q", f)
	}
	return fmt.Sprintf(`{"sub_mchid":%q,"advertising_industry_filters":[%s]}`, testSub, strings.Join(q, ","))
}

func TestGoldPlanScenesAndReopenRule(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	steps := []struct {
		name        string
		body        string
		advance     time.Duration
		wantStatus  int
		wantMessage string
		wantOpen    []string
		wantApplied bool
	}{
		{"open defaults to JSAPI", goldBody("OPEN", ""), 0, 200, "", []string{"JSAPI"}, true},
		{"open again is a no-op", goldBody("OPEN", "JSAPI"), 0, 200, "", []string{"JSAPI"}, false},
		{"open both adds the mini program", goldBody("OPEN", "JSAPI_AND_MINIPROGRAM"), 0, 200, "", []string{"JSAPI", "MINIPROGRAM"}, true},
		{"close JSAPI", goldBody("CLOSE", "JSAPI"), 0, 200, "", []string{"MINIPROGRAM"}, true},
		{"close JSAPI again is a no-op", goldBody("CLOSE", ""), 0, 200, "", []string{"MINIPROGRAM"}, false},
		{"reopen at once refused", goldBody("OPEN", "JSAPI"), 0, 400, "关闭点金计划后24小时内不可重新开通", []string{"MINIPROGRAM"}, false},
		{"reopen both refused too", goldBody("OPEN", "JSAPI_AND_MINIPROGRAM"), 0, 400, "关闭点金计划后24小时内不可重新开通", []string{"MINIPROGRAM"}, false},
		{"reopen 1 s before 24 h refused", goldBody("OPEN", "JSAPI"), 24*time.Hour - time.Second, 400, "关闭点金计划后24小时内不可重新开通", []string{"MINIPROGRAM"}, false},
		{"reopen at 24 h", goldBody("OPEN", "JSAPI"), time.Second, 200, "", []string{"JSAPI", "MINIPROGRAM"}, true},
		{"close both", goldBody("CLOSE", "JSAPI_AND_MINIPROGRAM"), 0, 200, "", []string{}, true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			e.t = t
			e.srv.AdvanceClock(st.advance)
			e.srv.ClearCalls()
			a := e.do("POST", goldPlanURI, st.body)
			if a.status != st.wantStatus {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			if st.wantStatus == 200 {
				if err := verifyAnswer(e.keys, a); err != nil {
					t.Fatal(err)
				}
				if a.json(t)["sub_mchid"] != testSub {
					t.Errorf("answer %s", a.body)
				}
			} else {
				if a.code(t) != "INVALID_REQUEST" || a.message(t) != st.wantMessage {
					t.Fatalf("answer %s", a.body)
				}
				retry, _ := a.json(t)["detail"].(map[string]any)["retry_after"].(string)
				at, err := time.Parse(time.RFC3339, retry)
				if err != nil || !strings.HasSuffix(retry, "+08:00") || !at.After(e.srv.Now()) {
					t.Errorf("retry_after %q (now %v)", retry, e.srv.Now())
				}
			}
			if got := e.srv.GoldPlan(testSub).OpenScenes; !slices.Equal(got, st.wantOpen) {
				t.Errorf("open scenes %v, want %v", got, st.wantOpen)
			}
			if got := e.srv.CountApplied("POST", goldPlanURI); got != b2i(st.wantApplied) {
				t.Errorf("applied %d", got)
			}
		})
	}
	if closed := e.srv.GoldPlan(testSub).ClosedAt; closed["JSAPI"].IsZero() || closed["MINIPROGRAM"].IsZero() {
		t.Errorf("closed_at not recorded: %v", closed)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestGoldPlanGate checks the refusals every gold plan call shares, their texts under both
// error-texts values.
func TestGoldPlanGate(t *testing.T) {
	cases := []struct {
		name    string
		seed    emulator.Seed
		sub     string
		status  int
		code    string
		message string
		wild    string // the message under error-texts=wild, when it differs
	}{
		{"service provider allowed", emulator.Seed{CallerRole: emulator.RoleServiceProvider}, testSub, 200, "", "", ""},
		{"institution refused", emulator.Seed{CallerRole: emulator.RoleInstitution}, testSub, 400, "INVALID_REQUEST", "调用方不是服务商", ""},
		{"merchant refused", emulator.Seed{CallerRole: emulator.RoleMerchant}, testSub, 400, "INVALID_REQUEST", "调用方不是服务商", ""},
		{"provider without gold plan", emulator.Seed{GoldPlanEnabled: ptr(false)}, testSub, 400, "INVALID_REQUEST", "服务商未开通点金计划", ""},
		{"provider penalized", emulator.Seed{ProviderPenalized: ptr(true)}, testSub, 400, "INVALID_REQUEST", "服务商被处罚中", "服务商处于处罚中"},
		{"sub-merchant penalized", emulator.Seed{SubMerchants: []emulator.SubMerchant{{SubMchid: testSub, Penalized: true}}}, testSub, 400, "INVALID_REQUEST", "特约商户被处罚中", "特约商户处于处罚中"},
		{"sub-merchant of another provider", emulator.Seed{}, "1900000666", 400, "INVALID_REQUEST", "特约商户不存在或不是该服务商的特约商户", ""},
		{"sub-merchant unknown", emulator.Seed{}, "1900000777", 400, "MCH_NOT_EXISTS", "特约商户号不存在", "商户号不存在"},
	}
	for _, texts := range []string{"docs", "wild"} {
		for _, tc := range cases {
			t.Run(texts+"/"+tc.name, func(t *testing.T) {
				e := newEnv(t, withDialects(map[string]string{emulator.DialectErrorTexts: texts}))
				seedBasics(t, e)
				if err := e.srv.Seed(tc.seed); err != nil {
					t.Fatal(err)
				}
				body := fmt.Sprintf(`{"sub_mchid":%q,"operation_type":"OPEN"}`, tc.sub)
				if tc.status == 200 {
					e.ok("POST", goldPlanURI, body)
					return
				}
				want := tc.message
				if texts == "wild" && tc.wild != "" {
					want = tc.wild
				}
				a := e.fails(tc.status, tc.code, "POST", goldPlanURI, body)
				if a.message(t) != want {
					t.Errorf("message %q, want %q", a.message(t), want)
				}
				if e.srv.CountApplied("", "") != 0 {
					t.Error("a refused call was applied")
				}
			})
		}
	}
}

// The receipt page, ads and filters need the gold plan open (gated) or not (independent).
func TestGoldPlanGatingDialect(t *testing.T) {
	closeAds := `{"sub_mchid":"1900000109"}`
	steps := []struct {
		name              string
		from              emulator.GoldPlanState
		method, uri, body string
		want              func(emulator.GoldPlanState) bool
	}{
		{"close the page", emulator.GoldPlanState{CustomPageOpen: true}, "POST", customPageURI, goldBody("CLOSE", ""),
			func(g emulator.GoldPlanState) bool { return !g.CustomPageOpen }},
		{"close the ads", emulator.GoldPlanState{AdvertisingShown: true}, "POST", adsCloseURI, closeAds,
			func(g emulator.GoldPlanState) bool { return !g.AdvertisingShown }},
		{"open the page", emulator.GoldPlanState{}, "POST", customPageURI, goldBody("OPEN", ""),
			func(g emulator.GoldPlanState) bool { return g.CustomPageOpen }},
		{"set filters", emulator.GoldPlanState{}, "POST", filterURI, filterBody("FOOD"),
			func(g emulator.GoldPlanState) bool { return slices.Equal(g.IndustryFilters, []string{"FOOD"}) }},
		{"open the ads", emulator.GoldPlanState{}, "PATCH", adsOpenURI, filterBody("CAR"),
			func(g emulator.GoldPlanState) bool {
				return g.AdvertisingShown && slices.Equal(g.IndustryFilters, []string{"CAR"})
			}},
	}
	for _, gating := range []string{"gated", "independent"} {
		for _, st := range steps {
			t.Run(gating+"/"+st.name, func(t *testing.T) {
				e := newEnv(t, withDialects(map[string]string{emulator.DialectGoldPlanGating: gating}))
				seedBasics(t, e)
				st.from.SubMchid = testSub
				if err := e.srv.SetGoldPlan(st.from); err != nil {
					t.Fatal(err)
				}
				a := e.do(st.method, st.uri, st.body)
				changed := st.want(e.srv.GoldPlan(testSub))
				if gating == "gated" && (a.status != 400 || a.message(t) != "特约商户未开通点金计划" || changed) {
					t.Errorf("with the gold plan closed: %d %s, changed %v", a.status, a.body, changed)
				}
				if gating == "independent" && (a.status/100 != 2 || !changed || e.srv.GoldPlan(testSub).Open()) {
					t.Errorf("with the gold plan closed: %d %s, changed %v", a.status, a.body, changed)
				}
			})
		}
	}
	t.Run("independent/receipt link still needed", func(t *testing.T) {
		e := newEnv(t, withDialects(map[string]string{emulator.DialectGoldPlanGating: "independent"}))
		seedBasics(t, e)
		if err := e.srv.Seed(emulator.Seed{ReceiptLinkConfigured: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		e.refused(refusal{400, "INVALID_REQUEST", "未配置商家小票链接"}, "POST", customPageURI, goldBody("OPEN", ""))
	})
}

// An OPEN of what is open or a CLOSE of what is closed changes nothing: a success
// (noop-success) or a refusal saying so (refused-already).
func TestGoldPlanRepeatDialect(t *testing.T) {
	closeAds := `{"sub_mchid":"1900000109"}`
	steps := []struct {
		name, method, uri, body string
		repeat                  string // the refusal under refused-already; "" when the call changes something
	}{
		{"open", "POST", goldPlanURI, goldBody("OPEN", ""), ""},
		{"open again", "POST", goldPlanURI, goldBody("OPEN", "JSAPI"), "特约商户已开通点金计划"},
		{"open both adds the mini program", "POST", goldPlanURI, goldBody("OPEN", "JSAPI_AND_MINIPROGRAM"), ""},
		{"page open", "POST", customPageURI, goldBody("OPEN", ""), ""},
		{"page open again", "POST", customPageURI, goldBody("OPEN", ""), "商家小票已开通"},
		{"ads open", "PATCH", adsOpenURI, filterBody("FOOD"), ""},
		{"ads open again", "PATCH", adsOpenURI, filterBody("FOOD"), "广告展示已开通"},
		{"ads open with other filters", "PATCH", adsOpenURI, filterBody("CAR"), ""},
		{"ads close", "POST", adsCloseURI, closeAds, ""},
		{"ads close again", "POST", adsCloseURI, closeAds, "广告展示已关闭"},
		{"page close", "POST", customPageURI, goldBody("CLOSE", ""), ""},
		{"page close again", "POST", customPageURI, goldBody("CLOSE", ""), "商家小票已关闭"},
		{"close both", "POST", goldPlanURI, goldBody("CLOSE", "JSAPI_AND_MINIPROGRAM"), ""},
		{"close again", "POST", goldPlanURI, goldBody("CLOSE", "MINIPROGRAM"), "特约商户已关闭点金计划"},
	}
	for _, mode := range []string{"noop-success", "refused-already"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, withDialects(map[string]string{emulator.DialectGoldPlanRepeat: mode}))
			seedBasics(t, e)
			for _, st := range steps {
				before := e.srv.GoldPlan(testSub)
				a := e.do(st.method, st.uri, st.body)
				calls := e.srv.Calls()
				applied := calls[len(calls)-1].Applied
				switch {
				case st.repeat == "":
					if a.status/100 != 2 || !applied {
						t.Errorf("%s: %d %s, applied %v", st.name, a.status, a.body, applied)
					}
				case mode == "noop-success":
					if a.status/100 != 2 || applied {
						t.Errorf("%s: %d %s, applied %v", st.name, a.status, a.body, applied)
					}
				default:
					if a.status != 400 || a.code(t) != "INVALID_REQUEST" || a.message(t) != st.repeat || applied {
						t.Errorf("%s: %d %s, want 400 INVALID_REQUEST %q", st.name, a.status, a.body, st.repeat)
					}
				}
				if after := e.srv.GoldPlan(testSub); st.repeat != "" && !reflectEqual(before, after) {
					t.Errorf("%s changed %+v to %+v", st.name, before, after)
				}
			}
		})
	}
}

func reflectEqual(a, b emulator.GoldPlanState) bool {
	return slices.Equal(a.OpenScenes, b.OpenScenes) && a.CustomPageOpen == b.CustomPageOpen &&
		a.AdvertisingShown == b.AdvertisingShown && slices.Equal(a.IndustryFilters, b.IndustryFilters) && len(a.ClosedAt) == len(b.ClosedAt)
}

// The 24-hour rule after a CLOSE: per scene with retry_after (per-scene), for every scene of
// the merchant (per-merchant), or per scene without detail (no-detail).
func TestGoldPlanReopenDialect(t *testing.T) {
	type step struct {
		advance time.Duration
		body    string
		ok      map[string]bool // by dialect value
	}
	all := map[string]bool{"per-scene": true, "per-merchant": true, "no-detail": true}
	none := map[string]bool{}
	steps := []step{
		{0, goldBody("OPEN", "JSAPI"), all},
		{0, goldBody("CLOSE", "JSAPI"), all},
		{time.Hour, goldBody("OPEN", "MINIPROGRAM"), map[string]bool{"per-scene": true, "no-detail": true}},
		{0, goldBody("OPEN", "JSAPI"), none},
		{23*time.Hour - time.Second, goldBody("OPEN", "JSAPI_AND_MINIPROGRAM"), none},
		{time.Second, goldBody("OPEN", "JSAPI_AND_MINIPROGRAM"), all},
	}
	for _, mode := range []string{"per-scene", "per-merchant", "no-detail"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, withDialects(map[string]string{emulator.DialectGoldPlanReopen: mode}))
			seedBasics(t, e)
			start := e.srv.Now()
			for i, st := range steps {
				e.srv.AdvanceClock(st.advance)
				a := e.do("POST", goldPlanURI, st.body)
				if st.ok[mode] {
					if a.status != 200 {
						t.Errorf("step %d: %d %s", i, a.status, a.body)
					}
					continue
				}
				if a.status != 400 || a.code(t) != "INVALID_REQUEST" || a.message(t) != "关闭点金计划后24小时内不可重新开通" {
					t.Fatalf("step %d: %d %s", i, a.status, a.body)
				}
				detail, hasDetail := a.json(t)["detail"].(map[string]any)
				if mode == "no-detail" {
					if hasDetail {
						t.Errorf("step %d: detail %v", i, detail)
					}
					continue
				}
				at, err := time.Parse(time.RFC3339, fmt.Sprint(detail["retry_after"]))
				if err != nil || !at.Equal(start.Add(24*time.Hour).Truncate(time.Second)) {
					t.Errorf("step %d: retry_after %v, want %v (%v)", i, detail["retry_after"], start.Add(24*time.Hour), err)
				}
			}
			if got := e.srv.GoldPlan(testSub).OpenScenes; !slices.Equal(got, []string{emulator.SceneJSAPI, emulator.SceneMiniProgram}) {
				t.Errorf("open scenes %v", got)
			}
		})
	}
}

// A service provider with the 默认开通点金计划 switch on: its sub-merchants with JSAPI
// payments have the gold plan open and cannot close it one by one.
func TestGoldPlanDefaultOpenSwitch(t *testing.T) {
	refusals := map[string]struct {
		status int
		code   string
	}{"400-invalid-request": {400, "INVALID_REQUEST"}, "403-no-auth": {403, "NO_AUTH"}}
	for mode, want := range refusals {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, withDialects(map[string]string{emulator.DialectGoldPlanDefaultOpenClose: mode}))
			sp := e.as(emulator.CallerServiceProvider)
			err := e.srv.Seed(emulator.Seed{
				Callers: []emulator.CallerSeed{{Name: emulator.CallerServiceProvider, GoldPlanDefaultOpen: ptr(true)}},
				SubMerchants: []emulator.SubMerchant{
					{SubMchid: "1900000201", Owner: emulator.CallerServiceProvider},
					{SubMchid: "1900000202", Owner: emulator.CallerServiceProvider, JSAPIPayments: ptr(false)},
					{SubMchid: testSub}, // the default caller's: its switch is off
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if g := e.srv.GoldPlan("1900000201"); !slices.Equal(g.OpenScenes, []string{emulator.SceneJSAPI}) {
				t.Fatalf("opened by default: %v", g.OpenScenes)
			}
			if e.srv.GoldPlan("1900000202").Open() || e.srv.GoldPlan(testSub).Open() {
				t.Fatal("opened without JSAPI payments or without the switch")
			}
			body := func(sub, op, scene string) string {
				return fmt.Sprintf(`{"sub_mchid":%q,"operation_type":%q,"operation_pay_scene":%q}`, sub, op, scene)
			}
			for _, scene := range []string{emulator.SceneJSAPI, "JSAPI_AND_MINIPROGRAM"} {
				a := sp.do("POST", goldPlanURI, body("1900000201", "CLOSE", scene))
				if a.status != want.status || a.code(t) != want.code || !strings.Contains(a.message(t), "默认开通点金计划") {
					t.Errorf("CLOSE %s: %d %s", scene, a.status, a.body)
				}
			}
			if !e.srv.GoldPlan("1900000201").Open() {
				t.Error("a refused CLOSE closed the gold plan")
			}
			sp.ok("POST", goldPlanURI, body("1900000201", "OPEN", "JSAPI_AND_MINIPROGRAM"))
			sp.ok("POST", goldPlanURI, body("1900000201", "CLOSE", emulator.SceneMiniProgram))
			sp.ok("POST", customPageURI, `{"sub_mchid":"1900000201","operation_type":"OPEN"}`)
			sp.ok("POST", goldPlanURI, body("1900000202", "OPEN", emulator.SceneJSAPI))
			sp.ok("POST", goldPlanURI, body("1900000202", "CLOSE", emulator.SceneJSAPI))
			e.ok("POST", goldPlanURI, body(testSub, "OPEN", emulator.SceneJSAPI))
			e.ok("POST", goldPlanURI, body(testSub, "CLOSE", emulator.SceneJSAPI))
			// A sub-merchant that arrives later is opened too; turning the switch off frees them.
			if err := e.srv.Seed(emulator.Seed{SubMerchants: []emulator.SubMerchant{{SubMchid: "1900000203", Owner: emulator.CallerServiceProvider}}}); err != nil {
				t.Fatal(err)
			}
			if !e.srv.GoldPlan("1900000203").Open() {
				t.Error("a later sub-merchant was not opened by default")
			}
			if err := e.srv.Seed(emulator.Seed{Callers: []emulator.CallerSeed{{Name: emulator.CallerServiceProvider, GoldPlanDefaultOpen: ptr(false)}}}); err != nil {
				t.Fatal(err)
			}
			sp.ok("POST", goldPlanURI, body("1900000201", "CLOSE", emulator.SceneJSAPI))
			if e.srv.GoldPlan("1900000201").Open() || !e.srv.GoldPlan("1900000203").Open() {
				t.Error("switch off: CLOSE did not close, or the switch closed what it had opened")
			}
		})
	}
}

func TestGoldPlanParamErrors(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	cases := []struct {
		name, uri, body, code string
	}{
		{"bad operation_type", goldPlanURI, `{"sub_mchid":"1900000109","operation_type":"ENABLE"}`, "PARAM_ERROR"},
		{"bad scene", goldPlanURI, `{"sub_mchid":"1900000109","operation_type":"OPEN","operation_pay_scene":"APP"}`, "PARAM_ERROR"},
		{"missing sub_mchid", goldPlanURI, `{"operation_type":"OPEN"}`, "PARAM_ERROR"},
		{"sub_mchid too long", goldPlanURI, `{"sub_mchid":"` + strings.Repeat("1", 33) + `","operation_type":"OPEN"}`, "PARAM_ERROR"},
		{"wrong JSON type", goldPlanURI, `{"sub_mchid":1900000109,"operation_type":"OPEN"}`, "PARAM_ERROR"},
		{"invalid JSON", goldPlanURI, `{"sub_mchid":`, "INVALID_REQUEST"},
		{"custom page bad operation", customPageURI, `{"sub_mchid":"1900000109","operation_type":"ON"}`, "PARAM_ERROR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.fails(400, tc.code, "POST", tc.uri, tc.body)
		})
	}
}

func TestCustomPage(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	e.fails(400, "INVALID_REQUEST", "POST", customPageURI, goldBody("OPEN", ""))
	if a := e.do("POST", customPageURI, goldBody("OPEN", "")); a.message(t) != "特约商户未开通点金计划" {
		t.Errorf("without gold plan: %s", a.body)
	}
	e.ok("POST", goldPlanURI, goldBody("OPEN", "MINIPROGRAM"))
	if err := e.srv.Seed(emulator.Seed{ReceiptLinkConfigured: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	e.refused(refusal{400, "INVALID_REQUEST", "未配置商家小票链接"}, "POST", customPageURI, goldBody("OPEN", ""))
	if err := e.srv.Seed(emulator.Seed{ReceiptLinkConfigured: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	e.ok("POST", customPageURI, goldBody("OPEN", ""))
	if !e.srv.GoldPlan(testSub).CustomPageOpen {
		t.Fatal("custom page not open")
	}
	e.ok("POST", customPageURI, goldBody("OPEN", ""))
	if n := e.srv.CountApplied("POST", customPageURI); n != 1 {
		t.Errorf("applied %d, want 1 (second OPEN is a no-op)", n)
	}
	e.ok("POST", customPageURI, goldBody("CLOSE", ""))
	e.ok("POST", goldPlanURI, goldBody("CLOSE", "MINIPROGRAM"))
	// Closing an already closed page works even once the gold plan is closed.
	e.ok("POST", customPageURI, goldBody("CLOSE", ""))
	if e.srv.GoldPlan(testSub).CustomPageOpen {
		t.Error("custom page still open")
	}
}

func TestIndustryFiltersAndAds(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	e.refused(refusal{400, "INVALID_REQUEST", "特约商户未开通点金计划"}, "POST", filterURI, filterBody("FOOD"))
	e.ok("POST", goldPlanURI, goldBody("OPEN", ""))
	steps := []struct {
		name   string
		method string
		uri    string
		body   string
		code   string // "" = success
		want   []string
		ads    bool
	}{
		{"set none refused", "POST", filterURI, filterBody(), "PARAM_ERROR", []string{}, false},
		{"set four refused", "POST", filterURI, filterBody("FOOD", "CAR", "GAME", "LAW"), "PARAM_ERROR", []string{}, false},
		{"set unknown refused", "POST", filterURI, filterBody("PHOTOGRAPHY"), "PARAM_ERROR", []string{}, false},
		{"set duplicate refused", "POST", filterURI, filterBody("FOOD", "FOOD"), "PARAM_ERROR", []string{}, false},
		{"official misspellings accepted", "POST", filterURI, filterBody("POTOGRAPHY", "BUSSINESS", "INDUSTY"), "", []string{"POTOGRAPHY", "BUSSINESS", "INDUSTY"}, false},
		{"set replaces", "POST", filterURI, filterBody("FOOD"), "", []string{"FOOD"}, false},
		{"open ads with four refused", "PATCH", adsOpenURI, filterBody("FOOD", "CAR", "GAME", "LAW"), "PARAM_ERROR", []string{"FOOD"}, false},
		{"open ads without filters keeps them", "PATCH", adsOpenURI, `{"sub_mchid":"1900000109"}`, "", []string{"FOOD"}, true},
		{"open ads with empty list keeps them", "PATCH", adsOpenURI, filterBody(), "", []string{"FOOD"}, true},
		{"open ads with filters replaces", "PATCH", adsOpenURI, filterBody("CAR", "GAME"), "", []string{"CAR", "GAME"}, true},
		{"open ads by POST is the wrong method", "POST", adsOpenURI, filterBody("CAR"), "METHOD_NOT_ALLOWED", []string{"CAR", "GAME"}, true},
		{"close ads keeps filters", "POST", adsCloseURI, `{"sub_mchid":"1900000109"}`, "", []string{"CAR", "GAME"}, false},
		{"close ads again is a no-op", "POST", adsCloseURI, `{"sub_mchid":"1900000109"}`, "", []string{"CAR", "GAME"}, false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			e.t = t
			if st.code == "" {
				a := e.ok(st.method, st.uri, st.body)
				if a.status != 204 {
					t.Errorf("status %d, want 204", a.status)
				}
			} else {
				a := e.do(st.method, st.uri, st.body)
				if a.code(t) != st.code {
					t.Fatalf("want %s, got %d %s", st.code, a.status, a.body)
				}
			}
			g := e.srv.GoldPlan(testSub)
			if !slices.Equal(g.IndustryFilters, st.want) || g.AdvertisingShown != st.ads {
				t.Errorf("filters %v ads %v, want %v %v", g.IndustryFilters, g.AdvertisingShown, st.want, st.ads)
			}
		})
	}
	if len(emulator.IndustryFilters()) != 36 {
		t.Errorf("%d industries, want 36", len(emulator.IndustryFilters()))
	}
}

func TestAdsNeedGoldPlan(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	e.refused(refusal{400, "INVALID_REQUEST", "特约商户未开通点金计划"}, "PATCH", adsOpenURI, `{"sub_mchid":"1900000109"}`)
	// Closing ads that are not shown is fine whatever the gold plan state.
	e.ok("POST", adsCloseURI, `{"sub_mchid":"1900000109"}`)
	if err := e.srv.SetGoldPlan(emulator.GoldPlanState{SubMchid: testSub, AdvertisingShown: true}); err != nil {
		t.Fatal(err)
	}
	e.refused(refusal{400, "INVALID_REQUEST", "特约商户未开通点金计划"}, "POST", adsCloseURI, `{"sub_mchid":"1900000109"}`)
}
