package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

// TestRouting pins what the emulator answers for paths and methods it does not serve, and
// that routing never rewrites the request URI that signatures cover.
func TestRouting(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	cases := []struct {
		name, method, uri string
		unsigned          bool
		status            int
		code              string // "" for an answer without a JSON body (HEAD)
		logged            bool   // the call goes through the /v3 checks and into the call log
	}{
		{"unknown API path", "GET", "/v3/nope", false, 404, "NOT_FOUND", true},
		{"unknown API path, unsigned", "GET", "/v3/nope", true, 401, "SIGN_ERROR", true},
		{"API root", "GET", "/v3/", false, 404, "NOT_FOUND", true},
		{"known path, other method", "POST", "/v3/certificates", false, 405, "METHOD_NOT_ALLOWED", true},
		{"known path, other method, unsigned", "POST", "/v3/certificates", true, 401, "SIGN_ERROR", true},
		{"PATCH path called with POST", "POST", adsOpenURI, false, 405, "METHOD_NOT_ALLOWED", true},
		{"GET path called with HEAD", "HEAD", "/v3/certificates", false, 405, "", true},
		{"wildcard path, other method", "DELETE", stateURI, false, 405, "METHOD_NOT_ALLOWED", true},
		{"trailing slash", "GET", "/v3/marketing/partnerships/", false, 404, "NOT_FOUND", true},
		{"empty wildcard", "GET", "/v3/apply4subject/applyment/merchants//state", false, 404, "NOT_FOUND", true},
		{"dot-dot as a wildcard", "GET", "/v3/apply4subject/applyment/merchants/../state", false, 404, "NOT_FOUND", true},
		{"dot as a wildcard", "GET", "/v3/apply4subject/applyment/merchants/./state", false, 404, "NOT_FOUND", true},
		{"dot-dot to another route", "GET", "/v3/goldplan/../certificates", false, 404, "NOT_FOUND", true},
		{"encoded slash in a wildcard", "GET", "/v3/apply4subject/applyment/merchants/19%2F00/state", false, 404, "NOT_FOUND", true},
		{"encoded letter in a literal segment", "GET", "/v3/apply4subject/applyment/merchants/" + testSub + "/st%61te", false, 200, "", true},
		{"encoded digit in a wildcard", "GET", "/v3/apply4subject/applyment/merchants/%31900000109/state", false, 200, "", true},
		{"query in the signed URI", "GET", "/v3/marketing/paygiftactivity/activities/404/merchants?offset=0&limit=5", false, 404, "RESOURCE_NOT_EXISTS", true},
		{"outside the API", "GET", "/nope", true, 404, "NOT_FOUND", false},
		{"API prefix without slash", "GET", "/v3", true, 404, "NOT_FOUND", false},
		{"double slash before the API", "GET", "//v3/certificates", true, 404, "NOT_FOUND", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.srv.CountCalls("", "")
			var opts []opt
			if tc.unsigned {
				opts = append(opts, withAuthorization(""))
			}
			req := e.build(tc.method, tc.uri, "", opts...)
			if got := req.URL.RequestURI(); got != tc.uri {
				t.Fatalf("the test would send %q, not %q", got, tc.uri)
			}
			a := e.send(req)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			if tc.code != "" && a.code(t) != tc.code {
				t.Errorf("code %q, want %q: %s", a.code(t), tc.code, a.body)
			}
			if tc.status == 200 {
				if err := verifyAnswer(e.keys, a); err != nil {
					t.Error(err)
				}
			}
			if a.header.Get("Request-ID") == "" {
				t.Error("answer without Request-ID")
			}
			if logged := e.srv.CountCalls("", "") > before; logged != tc.logged {
				t.Errorf("logged %v, want %v", logged, tc.logged)
			}
		})
	}
}

func TestControlRouting(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		method, path string
		status       int
	}{
		{"GET", "/_emulator", 404},
		{"GET", "/_emulator/", 404},
		{"GET", "/_emulator/nope", 404},
		{"GET", "/_emulator/../_emulator/state", 404},
		{"GET", "/_emulator//state", 404},
		{"GET", "/_emulator/goldplan/", 404},
		{"GET", "/_emulator/goldplan/1900000109", 200},
		{"DELETE", "/_emulator/faults/x", 400},
		{"DELETE", "/_emulator/faults/7", 200},
		{"PUT", "/_emulator/state", 405},
		{"GET", "/_emulator/reset", 405},
		{"HEAD", "/_emulator/faults/7", 405},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			e.t = t
			status, b := e.control(tc.method, tc.path, "", nil)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, b)
			}
			if tc.status >= 400 && tc.method != "HEAD" && !strings.Contains(string(b), `"error":`) {
				t.Errorf("refusal without an error text: %s", b)
			}
		})
	}
}

// FuzzRouting: whatever the request line, the emulator answers with JSON itself and never
// redirects (a redirect would make a client re-send a signed call to another URI).
func FuzzRouting(f *testing.F) {
	for _, seed := range []string{"/v3/../x", "//v3/", "/v3", "/v3/", "/_emulator", "/_emulator/../v3/certificates",
		"/v3/a/./b", "/%2e%2e/v3/certificates", "/v3/marketing/partnerships/", "/v3/certificates?x=1", "/a//b",
		"/_emulator/goldplan/", "/_emulator/faults/1/", "/v3/apply4subject/applyment/merchants/%2F/state"} {
		f.Add("GET", seed)
		f.Add("POST", seed)
	}
	s := emulator.New(emulator.Options{Keys: emulatortest.Keys(f)})
	f.Fuzz(func(t *testing.T, method, uri string) {
		if method == "" || method == "CONNECT" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") {
			return
		}
		u, err := url.ParseRequestURI(uri)
		if err != nil || u.RequestURI() != uri || u.Host != "" {
			return
		}
		req := &http.Request{Method: method, URL: u, RequestURI: uri, Header: http.Header{}, Host: "127.0.0.1:8787",
			RemoteAddr: "127.0.0.1:40000", Body: http.NoBody}
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code >= 300 && w.Code < 400 {
			t.Fatalf("%s %s: redirect %d to %q", method, uri, w.Code, w.Header().Get("Location"))
		}
		if ct := w.Header().Get("Content-Type"); w.Code != http.StatusNoContent && method != "HEAD" && !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s %s: %d with Content-Type %q: %s", method, uri, w.Code, ct, w.Body)
		}
	})
}

// TestConcurrentCalls runs many signed calls at once; with -race it also checks locking.
func TestConcurrentCalls(t *testing.T) {
	e := newEnv(t)
	seedActivities(t, e)
	const n = 60
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "19200000" + strconv.Itoa(10+i)
	}
	subs := make([]emulator.SubMerchant, n)
	for i, id := range ids {
		subs[i] = emulator.SubMerchant{SubMchid: id}
	}
	if err := e.srv.Seed(emulator.Seed{SubMerchants: subs}); err != nil {
		t.Fatal(err)
	}
	reqs := make([]*http.Request, 0, 3*n)
	for i := 0; i < n; i++ {
		reqs = append(reqs,
			e.build("POST", addURI, addBody("c-"+strconv.Itoa(i), ids[i])),
			e.build("GET", stateURI, ""),
			e.build("POST", goldPlanURI, openGoldPlan))
	}
	var wg sync.WaitGroup
	statuses := make([]int, len(reqs))
	for i, req := range reqs {
		wg.Add(1)
		go func(i int, req *http.Request) {
			defer wg.Done()
			resp, err := e.http.Client().Do(req)
			if err != nil {
				return
			}
			a := answer{status: resp.StatusCode, header: resp.Header, body: readAll(t, resp)}
			if verifyAnswer(e.keys, a) == nil {
				statuses[i] = a.status
			}
		}(i, req)
	}
	wg.Wait()
	for i, s := range statuses {
		if s != 200 {
			t.Errorf("request %d (%s %s): status %d", i, reqs[i].Method, reqs[i].URL.Path, s)
		}
	}
	if got := len(e.srv.ActivityMembers(actID)); got != n+1 {
		t.Errorf("%d members, want %d", got, n+1)
	}
	if e.srv.CountApplied("POST", goldPlanURI) != 1 || e.srv.CountCalls("", "") != 3*n {
		t.Errorf("applied opens %d, calls %d", e.srv.CountApplied("POST", goldPlanURI), e.srv.CountCalls("", ""))
	}
}

func BenchmarkAuthorizeState(b *testing.B) {
	k := emulatortest.Keys(b)
	s := emulator.New(emulator.Options{Keys: k})
	if err := s.Seed(emulator.Seed{SubMerchants: []emulator.SubMerchant{{SubMchid: testSub}}}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		// Signing the request costs as much as the emulator's own work; what matters is that
		// the emulator adds no key parsing or other per-call setup.
		w := httptest.NewRecorder()
		s.ServeHTTP(w, signedRequest(b, k, "GET", stateURI, ""))
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
