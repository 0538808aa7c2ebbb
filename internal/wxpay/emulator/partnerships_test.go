package emulator

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	buildURI     = "/v3/marketing/partnerships/build"
	terminateURI = "/v3/marketing/partnerships/terminate"
	appPartner   = `{"partner":{"type":"APPID","appid":"wx4e1916a585d1f4e9"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"2433405"}}`
)

func idem(k string) opt { return withHeader("Idempotency-Key", k) }

func TestPartnershipValidation(t *testing.T) {
	e := newEnv(t).as(CallerMerchant)
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
	e := newEnv(t).as(CallerMerchant)
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
	if a := e.fails(400, "INVALID_REQUEST", "POST", terminateURI, appPartner, idem("term_002")); a.message(t) != "合作关系不存在或已终止" {
		t.Errorf("terminating a terminated one: %s", a.body)
	}
	e.fails(400, "PARAM_ERROR", "POST", terminateURI, appPartner)

	e.srv.AdvanceClock(time.Hour)
	rebuilt := e.ok("POST", buildURI, appPartner, idem("build_003")).json(t)
	if rebuilt["state"] != "ESTABLISHED" || rebuilt["build_time"] == m["build_time"] || rebuilt["create_time"] != m["create_time"] {
		t.Errorf("rebuild %v (first %v)", rebuilt, m)
	}

	partner, data := Partner{Type: "APPID", AppID: "wx4e1916a585d1f4e9"}, AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "2433405"}
	if !e.srv.TerminatePartnership(partner, data) || e.srv.TerminatePartnership(partner, data) {
		t.Error("TerminatePartnership should succeed once")
	}
	if p, ok := e.srv.Partnership(partner, data); !ok || p.State != PartnershipTerminated {
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
	e := newEnv(t).as(CallerMerchant)
	err := e.srv.Seed(Seed{Partnerships: []Partnership{
		{Partner: Partner{Type: "APPID", AppID: "wx1"}, AuthorizedData: AuthorizedData{BusinessType: "FAVOR_STOCK", StockID: "s1"}, OwnerMchid: CallerMerchant},
		{Partner: Partner{Type: "APPID", AppID: "wx1"}, AuthorizedData: AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "s2"}, State: PartnershipTerminated, OwnerMchid: e.caller.MchID},
		{Partner: Partner{Type: "MERCHANT", MerchantID: "1900000109"}, AuthorizedData: AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "s3"}, OwnerMchid: CallerMerchant},
		// The default caller's: never in the merchant's list.
		{Partner: Partner{Type: "APPID", AppID: "wx1"}, AuthorizedData: AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "s4"}},
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
					Partner       Partner        `json:"partner"`
					Authorized    AuthorizedData `json:"authorized_data"`
					BuildTime     string         `json:"build_time"`
					TerminateTime string         `json:"terminate_time"`
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
