package emulator_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

func TestControlAPILoopbackOnly(t *testing.T) {
	s := emulator.New(emulator.Options{Keys: emulatortest.Keys(t)})
	cases := []struct {
		remote string
		want   int
	}{
		{"127.0.0.1:40000", 200},
		{"127.8.9.10:40000", 200},
		{"[::1]:40000", 200},
		{"192.0.2.10:40000", 403},
		{"[2001:db8::1]:40000", 403},
		{"10.0.0.1:40000", 403},
	}
	for _, tc := range cases {
		t.Run(tc.remote, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/_emulator/state", nil)
			req.RemoteAddr, req.Host = tc.remote, "127.0.0.1:8787"
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			if w.Code != tc.want {
				t.Errorf("status %d, want %d: %s", w.Code, tc.want, w.Body)
			}
		})
	}
	// Nothing changes through a refused control call.
	req := httptest.NewRequest("POST", "/_emulator/caller-role", strings.NewReader(`{"role":"MERCHANT"}`))
	req.RemoteAddr, req.Host = "192.0.2.10:40000", "127.0.0.1:8787"
	req.Header.Set("Content-Type", "application/json")
	s.ServeHTTP(httptest.NewRecorder(), req)
	if s.Snapshot().CallerRole != emulator.RoleChannelPartner {
		t.Error("a non-loopback control call changed the caller role")
	}
}

// TestControlAPIRefusesWebPages covers what a web page in the user's browser can send to
// the emulator on loopback: simple cross-site requests (text/plain or form bodies, a foreign
// Origin) and DNS rebinding (a foreign Host). None of them may change anything.
func TestControlAPIRefusesWebPages(t *testing.T) {
	e := newEnv(t)
	const fault = `{"kind":"status","status":503}`
	const jsonType = "application/json"
	cases := []struct {
		name, method, path, host, origin, contentType, body string
		want                                                int
	}{
		{"text/plain from a foreign page", "POST", "/faults", "", "http://evil.example", "text/plain;charset=UTF-8", fault, 403},
		{"text/plain without Origin", "POST", "/faults", "", "", "text/plain;charset=UTF-8", fault, 415},
		{"form post", "POST", "/faults", "", "", "application/x-www-form-urlencoded", fault, 415},
		{"multipart post", "POST", "/faults", "", "", "multipart/form-data; boundary=x", fault, 415},
		{"bodiless write without a content type", "POST", "/reset", "", "", "", "", 415},
		{"delete without a content type", "DELETE", "/faults", "", "", "", "", 415},
		{"JSON from a foreign page", "POST", "/faults", "", "https://evil.example", jsonType, fault, 403},
		{"JSON from an opaque origin", "POST", "/faults", "", "null", jsonType, fault, 403},
		{"origin that starts like loopback", "POST", "/faults", "", "http://127.0.0.1.evil.example", jsonType, fault, 403},
		{"origin that starts like localhost", "POST", "/faults", "", "http://localhost.evil.example:8787", jsonType, fault, 403},
		{"read from a foreign page", "GET", "/state", "", "http://evil.example", "", "", 403},
		{"rebound host on a read", "GET", "/state", "evil.example", "", "", "", 403},
		{"rebound host on a write", "POST", "/faults", "evil.example:8787", "", jsonType, fault, 403},
		{"rebound reset", "POST", "/reset", "evil.example", "", jsonType, "", 403},
		{"host that starts like loopback", "GET", "/state", "127.0.0.1.evil.example", "", "", "", 403},
		{"host that starts like localhost", "GET", "/state", "localhost.evil.example", "", "", "", 403},

		{"JSON write", "POST", "/faults", "", "", jsonType, fault, 200},
		{"JSON write with charset", "POST", "/faults", "", "", "application/json; charset=utf-8", fault, 200},
		{"JSON write from a loopback page", "POST", "/faults", "", "http://localhost:3000", jsonType, fault, 200},
		{"host localhost", "GET", "/state", "localhost:8787", "", "", "", 200},
		{"host LOCALHOST", "GET", "/state", "LOCALHOST", "", "", "", 200},
		{"host elsewhere in 127/8", "GET", "/state", "127.3.4.5:1", "", "", "", 200},
		{"host IPv6 loopback", "GET", "/state", "[::1]:8787", "", "", "", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.srv.ClearFaults()
			e.srv.SetCallerRole(emulator.RoleMerchant) // a reset would bring back CHANNEL_PARTNER
			header := map[string]string{"Content-Type": tc.contentType, "Origin": tc.origin}
			if tc.host != "" {
				header["Host"] = tc.host
			}
			status, b := e.control(tc.method, "/_emulator"+tc.path, tc.body, header)
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, b)
			}
			if tc.want >= 400 {
				if !strings.Contains(string(b), `"error":`) {
					t.Errorf("refusal without an error text: %s", b)
				}
				if n := len(e.srv.Faults()); n != 0 || e.srv.Snapshot().CallerRole != emulator.RoleMerchant {
					t.Errorf("a refused call changed the emulator: %d faults, role %s", n, e.srv.Snapshot().CallerRole)
				}
			}
			if tc.want == 200 && tc.method == "POST" && len(e.srv.Faults()) != 1 {
				t.Errorf("faults %+v", e.srv.Faults())
			}
		})
	}
	// In-process, where a request can carry no Host at all (HTTP/1.0).
	req := httptest.NewRequest("GET", "/_emulator/state", nil)
	req.RemoteAddr, req.Host = "127.0.0.1:40000", ""
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	if w.Code != 403 {
		t.Errorf("no Host: status %d: %s", w.Code, w.Body)
	}
}

func TestControlAPIRoutes(t *testing.T) {
	e := newEnv(t)
	steps := []struct {
		name, method, path, body string
		status                   int
		check                    func(t *testing.T, body []byte)
	}{
		{"seed", "POST", "/seed", `{"caller_role":"SERVICE_PROVIDER","receipt_link_configured":false,
			"sub_merchants":[{"sub_mchid":"1900000109","name":"Shop","authorize_state":"AUTHORIZE_STATE_AUTHORIZED"}],
			"activities":[{"activity_id":"10028001","name":"Act","merchants":["1900000109"]}],
			"partnerships":[{"partner":{"type":"APPID","appid":"wx1"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"s1"},"state":"ESTABLISHED"}]}`, 204,
			func(t *testing.T, _ []byte) {
				st := e.srv.Snapshot()
				if st.CallerRole != emulator.RoleServiceProvider || st.ReceiptLinkConfigured || !st.GoldPlanEnabled || len(st.SubMerchants) != 1 ||
					len(st.Activities) != 1 || len(st.Partnerships) != 1 {
					t.Errorf("state %+v", st)
				}
			}},
		{"seed refuses nonsense", "POST", "/seed", `{"caller_role":"KING"}`, 400, nil},
		{"seed refuses bad JSON", "POST", "/seed", `{`, 400, nil},
		{"state", "GET", "/state", "", 200, func(t *testing.T, b []byte) {
			var st emulator.State
			if err := json.Unmarshal(b, &st); err != nil || st.MchID != e.keys.MchID || len(st.SubMerchants) != 1 {
				t.Errorf("state %s (%v)", b, err)
			}
		}},
		{"caller role", "POST", "/caller-role", `{"role":"INSTITUTION"}`, 204, func(t *testing.T, _ []byte) {
			if e.srv.Snapshot().CallerRole != emulator.RoleInstitution {
				t.Error("role not set")
			}
		}},
		{"caller role refuses unknown", "POST", "/caller-role", `{"role":""}`, 400, nil},
		{"authorize state", "POST", "/authorize-state", `{"sub_mchid":"1900000109","authorize_state":"AUTHORIZE_STATE_UNAUTHORIZED"}`, 204, func(t *testing.T, _ []byte) {
			if e.srv.Snapshot().SubMerchants[0].AuthorizeState != emulator.AuthorizeStateUnauthorized {
				t.Error("authorize state not set")
			}
		}},
		{"activity status", "POST", "/activity-status", `{"activity_id":"10028001","status":"STOP_ACT_STATUS"}`, 204, func(t *testing.T, _ []byte) {
			if e.srv.Snapshot().Activities[0].Status != "STOP_ACT_STATUS" {
				t.Error("status not set")
			}
		}},
		{"add member", "POST", "/activity-members", `{"activity_id":"10028001","mchid":"1900000110"}`, 204, func(t *testing.T, _ []byte) {
			if got := e.srv.ActivityMembers("10028001"); len(got) != 2 {
				t.Errorf("members %v", got)
			}
		}},
		{"remove member", "DELETE", "/activity-members", `{"activity_id":"10028001","mchid":"1900000109"}`, 204, func(t *testing.T, _ []byte) {
			if got := e.srv.ActivityMembers("10028001"); len(got) != 1 || got[0] != "1900000110" {
				t.Errorf("members %v", got)
			}
		}},
		{"terminate partnership", "POST", "/partnerships/terminate", `{"partner":{"type":"APPID","appid":"wx1"},"authorized_data":{"business_type":"BUSIFAVOR_STOCK","stock_id":"s1"}}`, 200, func(t *testing.T, b []byte) {
			if !strings.Contains(string(b), `"terminated":true`) || e.srv.Snapshot().Partnerships[0].State != emulator.PartnershipTerminated {
				t.Errorf("answer %s", b)
			}
		}},
		{"set gold plan", "PUT", "/goldplan", `{"sub_mchid":"1900000109","open_scenes":["MINIPROGRAM"],"advertising_industry_filters":["FOOD"]}`, 204, nil},
		{"set gold plan refuses unknown filter", "PUT", "/goldplan", `{"sub_mchid":"1900000109","advertising_industry_filters":["PHOTOGRAPHY"]}`, 400, nil},
		{"get gold plan", "GET", "/goldplan/1900000109", "", 200, func(t *testing.T, b []byte) {
			var g emulator.GoldPlanState
			if err := json.Unmarshal(b, &g); err != nil || len(g.OpenScenes) != 1 || g.OpenScenes[0] != "MINIPROGRAM" || g.IndustryFilters[0] != "FOOD" {
				t.Errorf("gold plan %s", b)
			}
		}},
		{"advance clock", "POST", "/clock/advance", `{"duration":"25h"}`, 200, func(t *testing.T, _ []byte) {
			if d := time.Until(e.srv.Now()); d < 24*time.Hour {
				t.Errorf("clock ahead by %v", d)
			}
		}},
		{"add fault", "POST", "/faults", `{"kind":"latency","latency":"5ms","path":"/v3/goldplan/","count":3}`, 200, func(t *testing.T, b []byte) {
			fs := e.srv.Faults()
			if !strings.Contains(string(b), `"id":`) || len(fs) != 1 || fs[0].Fault.Latency != 5*time.Millisecond || fs[0].Remaining != 3 {
				t.Errorf("answer %s, faults %+v", b, fs)
			}
		}},
		{"list faults", "GET", "/faults", "", 200, func(t *testing.T, b []byte) {
			if !strings.Contains(string(b), `"latency":"5ms"`) {
				t.Errorf("faults %s", b)
			}
		}},
		{"refuse bad fault", "POST", "/faults", `{"kind":"meteor"}`, 400, nil},
		{"clear faults", "DELETE", "/faults", "", 204, func(t *testing.T, _ []byte) {
			if len(e.srv.Faults()) != 0 {
				t.Error("faults left")
			}
		}},
		{"set qps", "POST", "/qps", `{"path_prefix":"/v3/goldplan/","qps":5}`, 204, func(t *testing.T, _ []byte) {
			if e.srv.QPSLimits()["/v3/goldplan/"] != 5 {
				t.Errorf("limits %v", e.srv.QPSLimits())
			}
		}},
		{"calls", "GET", "/calls", "", 200, func(t *testing.T, b []byte) {
			var out struct {
				Calls    []emulator.Call        `json:"calls"`
				Counters []emulator.CallCounter `json:"counters"`
				Total    int                    `json:"total"`
			}
			if err := json.Unmarshal(b, &out); err != nil || out.Calls == nil || out.Total != 0 {
				t.Errorf("calls %s", b)
			}
		}},
		{"clear calls", "DELETE", "/calls", "", 204, nil},
		{"unknown route", "GET", "/nope", "", 404, nil},
		{"reset", "POST", "/reset", "", 204, func(t *testing.T, _ []byte) {
			st := e.srv.Snapshot()
			if st.CallerRole != emulator.RoleChannelPartner || len(st.SubMerchants) != 0 || len(e.srv.QPSLimits()) != 0 || time.Until(e.srv.Now()) > time.Hour {
				t.Errorf("after reset %+v", st)
			}
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			e.t = t
			status, body := e.control(st.method, "/_emulator"+st.path, st.body, nil)
			if status != st.status {
				t.Fatalf("status %d, want %d: %s", status, st.status, body)
			}
			if st.check != nil {
				st.check(t, body)
			}
		})
	}
	// Control calls are not WeChat Pay calls: they stay out of the call log.
	if n := e.srv.CountCalls("", ""); n != 0 {
		t.Errorf("%d control calls logged", n)
	}
}
