package emulator_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

func TestDialectTable(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range emulator.DialectTable() {
		if seen[d.Name] || len(d.Values) < 2 || d.About == "" {
			t.Errorf("dialect %q: duplicate, fewer than two values or undocumented", d.Name)
		}
		seen[d.Name] = true
	}
	if err := emulator.CheckDialects(emulator.DefaultDialects()); err != nil {
		t.Error(err)
	}
}

func TestCheckDialects(t *testing.T) {
	cases := []struct {
		name string
		set  map[string]string
		want []string // every one must appear in the error; none: no error
	}{
		{"empty", nil, nil},
		{"every non-default value", map[string]string{emulator.DialectRoles: "any", emulator.DialectTimeFormat: "millis", emulator.DialectPayGiftOffset: "page1"}, nil},
		{"unknown name lists the names", map[string]string{"paging": "item"}, []string{`unknown dialect "paging"`, emulator.DialectPayGiftOffset, emulator.DialectTimeFormat}},
		{"unknown value lists the values", map[string]string{emulator.DialectRoles: "loose"}, []string{`dialect roles: "loose" is not one of strict, any`}},
		{"every problem at once", map[string]string{emulator.DialectRoles: "", "x": "y"}, []string{"dialect roles", `unknown dialect "x"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := emulator.CheckDialects(tc.set)
			if (err != nil) != (len(tc.want) > 0) {
				t.Fatalf("err = %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	for _, bad := range []string{"roles", "=any", "roles=", "nope=1"} {
		if _, _, err := emulator.ParseDialect(bad); err == nil {
			t.Errorf("ParseDialect(%q) accepted", bad)
		}
	}
	if n, v, err := emulator.ParseDialect("paygift-limit=cap20"); err != nil || n != emulator.DialectPayGiftLimit || v != "cap20" {
		t.Errorf("ParseDialect = %q %q %v", n, v, err)
	}
}

// Dialects set at start-up survive Reset; those set later last until it.
func TestDialectsStartUpAndReset(t *testing.T) {
	e := newEnv(t, withDialects(map[string]string{emulator.DialectGoldPlanRepeat: "refused-already"}))
	if got := e.srv.ActiveDialects(); got[emulator.DialectGoldPlanRepeat] != "refused-already" || got[emulator.DialectRoles] != "strict" {
		t.Fatalf("start-up dialects %v", got)
	}
	e.srv.SetDialect(emulator.DialectTimeFormat, "millis")
	if err := e.srv.Seed(emulator.Seed{Dialects: map[string]string{emulator.DialectGoldPlanGating: "independent"}}); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.ActiveDialects(); got[emulator.DialectTimeFormat] != "millis" || got[emulator.DialectGoldPlanGating] != "independent" {
		t.Fatalf("dialects %v", got)
	}
	e.srv.Reset()
	want := emulator.DefaultDialects()
	want[emulator.DialectGoldPlanRepeat] = "refused-already"
	if got := e.srv.ActiveDialects(); !maps.Equal(got, want) {
		t.Errorf("after Reset %v, want %v", got, want)
	}
	// A bad seed changes nothing, dialects included.
	err := e.srv.Seed(emulator.Seed{Dialects: map[string]string{emulator.DialectTimeFormat: "millis", emulator.DialectRoles: "none"}, CallerRole: emulator.RoleMerchant})
	if err == nil || !strings.Contains(err.Error(), "strict, any") {
		t.Errorf("bad seed: %v", err)
	}
	if got := e.srv.ActiveDialects(); got[emulator.DialectTimeFormat] != "seconds" || e.srv.Snapshot().CallerRole != emulator.RoleChannelPartner {
		t.Errorf("a refused seed changed %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("New accepted an unknown dialect")
		}
	}()
	emulator.New(emulator.Options{Keys: emulatortest.Keys(t), Dialects: map[string]string{"nope": "x"}})
}

func TestDialectsControlAPI(t *testing.T) {
	e := newEnv(t, withDialects(map[string]string{emulator.DialectPayGiftLimit: "cap50"}))
	list := func() map[string]emulator.DialectInfo {
		t.Helper()
		status, body := e.control("GET", "/_emulator/dialects", "", nil)
		var infos []emulator.DialectInfo
		if status != 200 || json.Unmarshal(body, &infos) != nil {
			t.Fatalf("GET dialects: %d %s", status, body)
		}
		out := map[string]emulator.DialectInfo{}
		for _, d := range infos {
			out[d.Name] = d
		}
		return out
	}
	got := list()
	if n := len(emulator.DialectTable()); len(got) != n {
		t.Fatalf("%d dialects listed, want %d", len(got), n)
	}
	if d := got[emulator.DialectPayGiftLimit]; d.Value != "cap50" || d.Default != "honour" || d.StartUp != "cap50" ||
		!slices.Equal(d.Values, []string{"honour", "cap20", "cap50"}) || d.About == "" {
		t.Errorf("paygift-limit %+v", d)
	}

	status, body := e.control("POST", "/_emulator/dialects", `{"roles":"any","time-format":"millis"}`, nil)
	if status != 200 || !strings.Contains(string(body), `"value":"millis"`) {
		t.Fatalf("POST: %d %s", status, body)
	}
	if got := list(); got[emulator.DialectRoles].Value != "any" || got[emulator.DialectTimeFormat].Value != "millis" {
		t.Errorf("after POST %+v", got[emulator.DialectRoles])
	}
	refusals := []struct{ body, want string }{
		{`{"roles":"strict","page-size":"20"}`, emulator.DialectPayGiftLimit},
		{`{"roles":"loose"}`, "strict, any"},
		{`{}`, emulator.DialectRoles},
		{`["roles"]`, "body"},
	}
	for _, r := range refusals {
		status, body := e.control("POST", "/_emulator/dialects", r.body, nil)
		if status != 400 || !strings.Contains(string(body), r.want) {
			t.Errorf("POST %s: %d %s, want 400 naming %q", r.body, status, body, r.want)
		}
	}
	if got := list(); got[emulator.DialectRoles].Value != "any" {
		t.Error("a refused POST changed a dialect")
	}
	if status, _ := e.control("POST", "/_emulator/dialects", `{"roles":"strict"}`, map[string]string{"Content-Type": "text/plain"}); status != 415 {
		t.Errorf("text/plain POST: %d", status)
	}

	// The state and the call log show the dialects in force.
	status, body = e.control("GET", "/_emulator/state", "", nil)
	var st emulator.State
	if status != 200 || json.Unmarshal(body, &st) != nil || st.Dialects[emulator.DialectTimeFormat] != "millis" || len(st.Dialects) != len(emulator.DialectTable()) {
		t.Errorf("state dialects %v", st.Dialects)
	}
	status, body = e.control("GET", "/_emulator/calls", "", nil)
	var calls struct {
		Dialects map[string]string `json:"dialects"`
	}
	if status != 200 || json.Unmarshal(body, &calls) != nil || calls.Dialects[emulator.DialectRoles] != "any" {
		t.Errorf("call log dialects %s", body)
	}
	if status, _ := e.control("POST", "/_emulator/reset", "", nil); status != 204 {
		t.Fatal("reset")
	}
	if got := list(); got[emulator.DialectRoles].Value != "strict" || got[emulator.DialectPayGiftLimit].Value != "cap50" {
		t.Errorf("after reset roles=%s paygift-limit=%s", got[emulator.DialectRoles].Value, got[emulator.DialectPayGiftLimit].Value)
	}
}

var (
	secondsTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$`)
	millisTime  = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$`)
)

// timesIn collects every string that looks like a time anywhere in a JSON answer.
func timesIn(t *testing.T, body []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		case string:
			if strings.Contains(x, "+08:00") {
				out = append(out, x)
			}
		}
	}
	walk(v)
	return out
}

// Every time the emulator sends follows time-format; time.RFC3339 reads both.
func TestTimeFormatDialect(t *testing.T) {
	for _, format := range []string{"seconds", "millis"} {
		t.Run(format, func(t *testing.T) {
			e := newEnv(t, withDialects(map[string]string{emulator.DialectTimeFormat: format}))
			seedActivities(t, e)
			e.srv.AdvanceClock(123 * time.Millisecond)
			err := e.srv.Seed(emulator.Seed{Activities: []emulator.Activity{{ActivityID: actID, AvailablePeriods: &emulator.AvailablePeriods{
				AvailableTime: []emulator.TimeRange{{BeginTime: time.Now(), EndTime: time.Now().Add(time.Hour)}}}}}})
			if err != nil {
				t.Fatal(err)
			}
			e.srv.SetActivityStatus(actID, emulator.ActivityStopped)
			e.srv.SetActivityStatus(actID, emulator.ActivityOngoing)
			m := e.as(emulator.CallerMerchant)
			answers := [][]byte{
				e.ok("POST", addURI, addBody("t-1", "1900000110")).body,
				e.ok("POST", deleteURI, deleteBody("t-2", "1900000110")).body,
				e.ok("GET", actURI+"/merchants", "").body,
				e.ok("GET", actURI, "").body,
				e.ok("GET", "/v3/certificates", "").body,
				m.ok("POST", buildURI, appPartner, idem("t-3")).body,
				m.ok("GET", "/v3/marketing/partnerships", "").body,
				m.ok("POST", terminateURI, appPartner, idem("t-4")).body,
				m.ok("GET", "/v3/marketing/partnerships", "").body,
			}
			e.ok("POST", goldPlanURI, openGoldPlan)
			e.ok("POST", goldPlanURI, goldBody("CLOSE", ""))
			answers = append(answers, e.fails(400, "INVALID_REQUEST", "POST", goldPlanURI, openGoldPlan).body)
			want := secondsTime
			if format == "millis" {
				want = millisTime
			}
			n := 0
			for _, body := range answers {
				for _, ts := range timesIn(t, body) {
					n++
					if !want.MatchString(ts) {
						t.Errorf("time %q in %s", ts, body)
					}
					if _, err := time.Parse(time.RFC3339, ts); err != nil {
						t.Error(err)
					}
				}
			}
			// add, delete, 2 list, 9 detail (begin, end, 2 periods, pause, recovery, create, update),
			// 2 certificate, 3 build, 3+4 lists, 1 terminate, retry_after
			if n < 25 {
				t.Errorf("only %d times checked", n)
			}
		})
	}
}

// doc.go and the provider guide's emulator section list every dialect with its values, the
// default first, so that neither drifts from dialectTable.
func TestDialectsDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	guide, err := os.ReadFile(filepath.Join("..", "..", "..", "templates", "index.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range emulator.DialectTable() {
		if want := "//   - " + d.Name + " = " + strings.Join(d.Values, " | ") + "."; !strings.Contains(string(doc), want) {
			t.Errorf("doc.go lacks %q", want)
		}
		if want := "| `" + d.Name + "` | `" + strings.Join(d.Values, "`, `") + "` |"; !strings.Contains(string(guide), want) {
			t.Errorf("templates/index.md.tmpl lacks %q", want)
		}
	}
}
