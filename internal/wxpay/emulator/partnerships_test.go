package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

const (
	buildURI     = "/v3/marketing/partnerships/build"
	terminateURI = "/v3/marketing/partnerships/terminate"
	appPartner   = `{"partner":{"type":"APPID","appid":"wx4e1916a585d1f4e9"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"2433405"}}`
)

func idem(k string) opt { return withHeader("Idempotency-Key", k) }

func TestPartnershipValidation(t *testing.T) {
	e := newEnv(t).as(emulator.CallerMerchant)
	cases := []struct {
		name, key, body, messageHas string
	}{
		{"missing Idempotency-Key", "", appPartner, "Idempotency-Key"},
		{"Idempotency-Key with space", "build 1", appPartner, "Idempotency-Key"},
		{"Idempotency-Key of 49", strings.Repeat("k", 49), appPartner, "Idempotency-Key"},
		{"missing partner", "k1", `{"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"1"}}`, "partner"},
		{"APPID without appid", "k2", `{"partner":{"type":"APPID"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"1"}}`, "appid"},
		{"appid of 33", "k3", `{"partner":{"type":"APPID","appid":"` + strings.Repeat("w", 33) + `"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"1"}}`, "appid"},
		{"MERCHANT id of 7", "k4", `{"partner":{"type":"MERCHANT","merchant_id":"1234567"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"1"}}`, "merchant_id"},
		{"unknown partner type", "k5", `{"partner":{"type":"OPENID","appid":"wx1"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"1"}}`, "partner.type"},
		{"unknown business type", "k6", `{"partner":{"type":"APPID","appid":"wx1"},"authorized_data":{"business_type":"COUPON","stock_id":"1"}}`, "business_type"},
		{"stock_id of 21", "k7", `{"partner":{"type":"APPID","appid":"wx1"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"` + strings.Repeat("1", 21) + `"}}`, "stock_id"},
		{"FAVOR_STOCK to MERCHANT", "k8", `{"partner":{"type":"MERCHANT","merchant_id":"1900000109"},"authorized_data":{"business_type":"FAVOR_STOCK","stock_id":"1"}}`, "FAVOR_STOCK 不能授权给商户"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			a := e.fails(400, "PARAM_ERROR", "POST", buildURI, tc.body, idem(tc.key))
			if !strings.Contains(a.message(t), tc.messageHas) {
				t.Errorf("message %q does not name %q", a.message(t), tc.messageHas)
			}
		})
	}
	if n := len(e.srv.Snapshot().Partnerships); n != 0 {
		t.Errorf("%d partnerships after refusals", n)
	}
}

func TestPartnershipLifecycle(t *testing.T) {
	e := newEnv(t).as(emulator.CallerMerchant)
	// The official example sends merchant_id beside an APPID partner, and its answer echoes it.
	first := e.ok("POST", buildURI, `{"partner":{"type":"APPID","appid":"wx4e1916a585d1f4e9","merchant_id":"2480029552"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"2433405"}}`, idem("build_001"))
	m := first.json(t)
	buildTime, ok := m["build_time"].(string)
	if m["state"] != "ESTABLISHED" || !ok || !strings.HasSuffix(buildTime, "+08:00") || m["create_time"] == nil || m["update_time"] == nil {
		t.Fatalf("build answer %s", first.body)
	}
	if p, ok := m["partner"].(map[string]any); !ok || p["appid"] != "wx4e1916a585d1f4e9" || p["merchant_id"] != "2480029552" {
		t.Errorf("partner %v", p)
	}

	e.srv.AdvanceClock(time.Hour)
	replay := e.ok("POST", buildURI, appPartner, idem("build_001"))
	if string(replay.body) != string(first.body) {
		t.Errorf("replay %s, want %s", replay.body, first.body)
	}
	existing := e.ok("POST", buildURI, appPartner, idem("build_002"))
	if existing.json(t)["build_time"] != m["build_time"] || existing.json(t)["state"] != "ESTABLISHED" {
		t.Errorf("building an established one: %s", existing.body)
	}
	if n := e.srv.CountApplied("POST", buildURI); n != 1 {
		t.Errorf("applied %d builds, want 1", n)
	}

	term := e.ok("POST", terminateURI, appPartner, idem("term_001"))
	if tt, ok := term.json(t)["terminate_time"].(string); !ok || !strings.HasSuffix(tt, "+08:00") {
		t.Errorf("terminate answer %s", term.body)
	}
	if again := e.ok("POST", terminateURI, appPartner, idem("term_001")); string(again.body) != string(term.body) {
		t.Errorf("terminate replay %s", again.body)
	}
	e.refused(refusal{400, "INVALID_REQUEST", "合作关系不存在或已终止"}, "POST", terminateURI, appPartner, idem("term_002"))
	e.fails(400, "PARAM_ERROR", "POST", terminateURI, appPartner)

	e.srv.AdvanceClock(time.Hour)
	rebuilt := e.ok("POST", buildURI, appPartner, idem("build_003")).json(t)
	if rebuilt["state"] != "ESTABLISHED" || rebuilt["build_time"] == m["build_time"] || rebuilt["create_time"] != m["create_time"] {
		t.Errorf("rebuild %v (first %v)", rebuilt, m)
	}

	partner, data := emulator.Partner{Type: "APPID", AppID: "wx4e1916a585d1f4e9"}, emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "2433405"}
	if !e.srv.TerminatePartnership(partner, data) || e.srv.TerminatePartnership(partner, data) {
		t.Error("TerminatePartnership should succeed once")
	}
	if p, ok := e.srv.Partnership(partner, data); !ok || p.State != emulator.PartnershipTerminated {
		t.Errorf("partnership %+v", p)
	}
}

func listURI(limit, offset, partner, data string) string {
	q := url.Values{}
	if limit != "" {
		q.Set("limit", limit)
	}
	if offset != "" {
		q.Set("offset", offset)
	}
	if partner != "" {
		q.Set("partner", partner)
	}
	if data != "" {
		q.Set("authorized_data", data)
	}
	if len(q) == 0 {
		return "/v3/marketing/partnerships"
	}
	return "/v3/marketing/partnerships?" + q.Encode()
}

func TestPartnershipList(t *testing.T) {
	e := newEnv(t).as(emulator.CallerMerchant)
	err := e.srv.Seed(emulator.Seed{Partnerships: []emulator.Partnership{
		{Partner: emulator.Partner{Type: "APPID", AppID: "wx1"}, AuthorizedData: emulator.AuthorizedData{BusinessType: "FAVOR_STOCK", StockID: "s1"}, OwnerMchid: emulator.CallerMerchant},
		{Partner: emulator.Partner{Type: "APPID", AppID: "wx1"}, AuthorizedData: emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "s2"}, State: emulator.PartnershipTerminated, OwnerMchid: e.caller.MchID},
		{Partner: emulator.Partner{Type: "MERCHANT", MerchantID: "1900000109"}, AuthorizedData: emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "s3"}, OwnerMchid: emulator.CallerMerchant},
		// The default caller's: never in the merchant's list.
		{Partner: emulator.Partner{Type: "APPID", AppID: "wx1"}, AuthorizedData: emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "s4"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		uri        string
		status     int
		code       string
		n          int
		total      int // -1: absent
		terminated int
	}{
		{"all", listURI("", "", "", ""), 200, "", 3, 3, 1},
		{"by appid", listURI("10", "0", `{"type":"APPID","appid":"wx1"}`, ""), 200, "", 2, 2, 1},
		{"by appid and stock", listURI("", "", `{"type":"APPID","appid":"wx1"}`, `{"business_type":"FAVOR_STOCK","stock_id":"s1"}`), 200, "", 1, 1, 0},
		{"by merchant", listURI("", "", `{"type":"MERCHANT","merchant_id":"1900000109"}`, ""), 200, "", 1, 1, 0},
		{"second page has no total_count", listURI("1", "1", `{"type":"APPID","appid":"wx1"}`, ""), 200, "", 1, -1, 1},
		{"limit 50", listURI("50", "", "", ""), 200, "", 3, 3, 1},
		{"no match", listURI("", "", `{"type":"APPID","appid":"wx-none"}`, ""), 404, "RESOURCE_NOT_EXISTS", 0, 0, 0},
		{"limit 51", listURI("51", "", "", ""), 400, "PARAM_ERROR", 0, 0, 0},
		{"limit 0", listURI("0", "", "", ""), 400, "PARAM_ERROR", 0, 0, 0},
		{"partner not JSON", listURI("", "", `{type:APPID}`, ""), 400, "PARAM_ERROR", 0, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			if tc.status != 200 {
				a := e.fails(tc.status, tc.code, "GET", tc.uri, "")
				if tc.status == 404 && a.message(t) != "资源不存在或无可用" {
					t.Errorf("message %q", a.message(t))
				}
				return
			}
			a := e.ok("GET", tc.uri, "")
			var out struct {
				Data []struct {
					Partner       emulator.Partner        `json:"partner"`
					Authorized    emulator.AuthorizedData `json:"authorized_data"`
					BuildTime     string                  `json:"build_time"`
					TerminateTime string                  `json:"terminate_time"`
				} `json:"data"`
				TotalCount *int `json:"total_count"`
			}
			if err := json.Unmarshal(a.body, &out); err != nil {
				t.Fatal(err)
			}
			if len(out.Data) != tc.n {
				t.Fatalf("%d items, want %d: %s", len(out.Data), tc.n, a.body)
			}
			if (tc.total < 0) != (out.TotalCount == nil) || out.TotalCount != nil && *out.TotalCount != tc.total {
				t.Errorf("total_count %v, want %d", out.TotalCount, tc.total)
			}
			terminated := 0
			for _, d := range out.Data {
				if d.TerminateTime != "" {
					terminated++
				}
				if d.BuildTime == "" {
					t.Errorf("item without build_time: %+v", d)
				}
			}
			if terminated != tc.terminated {
				t.Errorf("%d terminated items, want %d", terminated, tc.terminated)
			}
		})
	}
}

// The partnership list when nothing matches: 404 (the emulator's guess), 400, or an empty 200.
func TestPartnershipListEmptyDialect(t *testing.T) {
	cases := map[string]refusal{
		"404":                 {404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"},
		"400-invalid-request": {400, "INVALID_REQUEST", "请求参数符合参数格式,但不符合业务规则"},
		"empty-200":           {200, "", ""},
	}
	for mode, want := range cases {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, withDialects(map[string]string{emulator.DialectPartnershipListEmpty: mode})).as(emulator.CallerMerchant)
			for _, uri := range []string{"/v3/marketing/partnerships", listURI("5", "0", `{"type":"APPID","appid":"wx-none"}`, "")} {
				if want.status != 200 {
					e.refused(want, "GET", uri, "")
					continue
				}
				var out struct {
					Data       []any `json:"data"`
					TotalCount *int  `json:"total_count"`
					Limit      int   `json:"limit"`
				}
				if err := json.Unmarshal(e.ok("GET", uri, "").body, &out); err != nil || out.Data == nil || len(out.Data) != 0 ||
					out.TotalCount == nil || *out.TotalCount != 0 || out.Limit == 0 {
					t.Errorf("%s: %+v (%v)", uri, out, err)
				}
			}
			// A match is listed under every value.
			e.ok("POST", buildURI, appPartner, idem("b-1"))
			if n := len(e.ok("GET", "/v3/marketing/partnerships", "").json(t)["data"].([]any)); n != 1 {
				t.Errorf("%d listed", n)
			}
		})
	}
}

// Terminating a partnership already terminated (here out of band): the emulator's invented
// 400, the page's generic 400, or an idempotent 200 with the first terminate_time.
func TestPartnershipTerminateAgainDialect(t *testing.T) {
	cases := map[string]refusal{
		"400-invented":        {400, "INVALID_REQUEST", "合作关系不存在或已终止"},
		"400-invalid-request": {400, "INVALID_REQUEST", "请求参数符合参数格式,但不符合业务规则"},
		"200":                 {200, "", ""},
	}
	other := `{"partner":{"type":"APPID","appid":"wx-never"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"1"}}`
	for mode, want := range cases {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, withDialects(map[string]string{emulator.DialectPartnershipTerminateGone: mode})).as(emulator.CallerMerchant)
			e.ok("POST", buildURI, appPartner, idem("b-1"))
			partner, data := emulator.Partner{Type: "APPID", AppID: "wx4e1916a585d1f4e9"}, emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "2433405"}
			status, body := e.control("POST", "/_emulator/partnerships/terminate",
				`{"partner":{"type":"APPID","appid":"wx4e1916a585d1f4e9"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"2433405"}}`, nil)
			if status != 200 || !strings.Contains(string(body), `"terminated":true`) {
				t.Fatalf("out-of-band terminate: %d %s", status, body)
			}
			p, _ := e.srv.Partnership(partner, data)
			e.srv.AdvanceClock(time.Hour)
			if want.status == 200 {
				a := e.ok("POST", terminateURI, appPartner, idem("t-1"))
				if at, err := time.Parse(time.RFC3339, a.json(t)["terminate_time"].(string)); err != nil || !at.Equal(p.TerminateTime.Truncate(time.Second)) {
					t.Errorf("terminate_time %s, want %v", a.body, p.TerminateTime)
				}
				// One never built is not there to terminate.
				e.fails(404, "RESOURCE_NOT_EXISTS", "POST", terminateURI, other, idem("t-2"))
			} else {
				for i, body := range []string{appPartner, other} {
					e.refused(want, "POST", terminateURI, body, idem(fmt.Sprintf("t-%d", i)))
				}
			}
			if q, _ := e.srv.Partnership(partner, data); q.State != emulator.PartnershipTerminated || !q.UpdateTime.Equal(p.UpdateTime) || e.srv.CountApplied("POST", terminateURI) != 0 {
				t.Errorf("a terminate of a terminated partnership changed it: %+v", q)
			}
		})
	}
}

// The build page's example sends merchant_id beside an APPID partner and echoes it; the list
// shows it too, and it is no part of the partnership's identity.
func TestPartnershipAppIDWithMerchantID(t *testing.T) {
	e := newEnv(t).as(emulator.CallerMerchant)
	withMerchant := `{"partner":{"type":"APPID","appid":"wx4e1916a585d1f4e9","merchant_id":"2480029552"},"authorized_data":{"business_type":"FAVOR_STOCK","stock_id":"2433405"}}`
	built := e.ok("POST", buildURI, withMerchant, idem("b-1")).json(t)
	if p := built["partner"].(map[string]any); p["merchant_id"] != "2480029552" || p["type"] != "APPID" {
		t.Errorf("build answer %v", built)
	}
	listed := e.ok("GET", listURI("", "", `{"type":"APPID","appid":"wx4e1916a585d1f4e9"}`, ""), "").json(t)
	if item := listed["data"].([]any)[0].(map[string]any); item["partner"].(map[string]any)["merchant_id"] != "2480029552" {
		t.Errorf("list %v", listed)
	}
	// The same app and stock without merchant_id is the same partnership.
	e.ok("POST", terminateURI, `{"partner":{"type":"APPID","appid":"wx4e1916a585d1f4e9"},"authorized_data":{"business_type":"FAVOR_STOCK","stock_id":"2433405"}}`, idem("t-1"))
	if n := len(e.srv.Snapshot().Partnerships); n != 1 {
		t.Errorf("%d partnerships", n)
	}
	e.fails(400, "PARAM_ERROR", "POST", buildURI, `{"partner":{"type":"APPID","appid":"wx1","merchant_id":"123"},"authorized_data":{"business_type":"FAVOR_STOCK","stock_id":"1"}}`, idem("b-2"))
}
