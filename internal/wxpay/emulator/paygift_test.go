package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

const (
	actID     = "10028001"
	actURI    = "/v3/marketing/paygiftactivity/activities/" + actID
	addURI    = actURI + "/merchants/add"
	deleteURI = actURI + "/merchants/delete"
)

func seedActivities(t *testing.T, e *env) {
	t.Helper()
	seedBasics(t, e)
	err := e.srv.Seed(Seed{Activities: []Activity{
		{ActivityID: actID, Name: "Pay and win", Merchants: []string{testSub}},
		{ActivityID: "10028002", Name: "Someone else's", OwnerMchid: "1900000999"},
		{ActivityID: "10028003", Name: "Stopped", Status: "STOP_ACT_STATUS"},
	}})
	if err != nil {
		t.Fatal(err)
	}
}

func addBody(no string, ids ...string) string {
	b, _ := json.Marshal(map[string]any{"merchant_id_list": ids, "add_request_no": no})
	return string(b)
}

func deleteBody(no string, ids ...string) string {
	b, _ := json.Marshal(map[string]any{"merchant_id_list": ids, "delete_request_no": no})
	return string(b)
}

func TestPayGiftAddInvalidIDsAndReplay(t *testing.T) {
	e := newEnv(t)
	seedActivities(t, e)
	a := e.ok("POST", addURI, addBody("add-001", "1900000110", "1900000777", "1900000666", testSub))
	var out struct {
		ActivityID string            `json:"activity_id"`
		Invalid    []invalidMerchant `json:"invalid_merchant_id_list"`
		AddTime    string            `json:"add_time"`
	}
	if err := json.Unmarshal(a.body, &out); err != nil {
		t.Fatal(err)
	}
	want := []invalidMerchant{{"1900000777", "商户号不存在"}, {"1900000666", "商户号不属于该服务商"}}
	if out.ActivityID != actID || !slices.Equal(out.Invalid, want) || !strings.HasSuffix(out.AddTime, "+08:00") {
		t.Errorf("answer %s", a.body)
	}
	if got := e.srv.ActivityMembers(actID); !slices.Equal(got, []string{testSub, "1900000110"}) {
		t.Errorf("members %v", got)
	}

	// The same request number returns the first answer verbatim and changes nothing, even
	// with another list and after the activity stopped.
	e.srv.SetActivityStatus(actID, "STOP_ACT_STATUS")
	again := e.ok("POST", addURI, addBody("add-001", "1900000109"))
	if string(again.body) != string(a.body) {
		t.Errorf("replay answered %s, want %s", again.body, a.body)
	}
	if got := e.srv.ActivityMembers(actID); !slices.Equal(got, []string{testSub, "1900000110"}) {
		t.Errorf("members after replay %v", got)
	}
	if e.srv.CountCalls("POST", addURI) != 2 || e.srv.CountApplied("POST", addURI) != 1 {
		t.Errorf("calls %d applied %d", e.srv.CountCalls("POST", addURI), e.srv.CountApplied("POST", addURI))
	}
	calls := e.srv.Calls()
	if last := calls[len(calls)-1]; last.RequestNo != "add-001" || last.Applied {
		t.Errorf("replay logged as %+v", last)
	}

	// A new request number on a stopped activity is refused.
	if r := e.fails(403, "RULE_LIMIT", "POST", addURI, addBody("add-002", "1900000110")); r.message(t) != "活动不在运行中,不允许再进行修改" {
		t.Errorf("message %q", r.message(t))
	}
}

func TestPayGiftDelete(t *testing.T) {
	e := newEnv(t)
	seedActivities(t, e)
	e.ok("POST", addURI, addBody("add-1", "1900000110"))
	a := e.ok("POST", deleteURI, deleteBody("del|1_*-x", testSub, "1900000777"))
	m := a.json(t)
	if m["activity_id"] != actID || !strings.HasSuffix(fmt.Sprint(m["delete_time"]), "+08:00") {
		t.Errorf("answer %s", a.body)
	}
	if got := e.srv.ActivityMembers(actID); !slices.Equal(got, []string{"1900000110"}) {
		t.Errorf("members %v", got)
	}
	// Deleting non-members only is a success that changes nothing.
	e.ok("POST", deleteURI, deleteBody("del-2", testSub))
	if n := e.srv.CountApplied("POST", deleteURI); n != 1 {
		t.Errorf("applied %d", n)
	}
	// Add and delete numbers live apart: "del-2" as an add number is new.
	e.ok("POST", addURI, addBody("del-2", testSub))
	if got := e.srv.ActivityMembers(actID); !slices.Contains(got, testSub) {
		t.Errorf("members %v", got)
	}
}

func TestPayGiftErrors(t *testing.T) {
	e := newEnv(t)
	seedActivities(t, e)
	many := make([]string, 501)
	for i := range many {
		many[i] = fmt.Sprintf("19%08d", i)
	}
	cases := []struct {
		name, uri, body     string
		status              int
		code, message       string
		messageContainsOnly bool
	}{
		{"unknown activity", "/v3/marketing/paygiftactivity/activities/99999/merchants/add", addBody("n1", testSub), 404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用", false},
		{"foreign activity", "/v3/marketing/paygiftactivity/activities/10028002/merchants/add", addBody("n2", testSub), 403, "NO_AUTH", "无权限操作该活动", false},
		{"stopped activity", "/v3/marketing/paygiftactivity/activities/10028003/merchants/delete", deleteBody("n3", testSub), 403, "RULE_LIMIT", "活动不在运行中,不允许再进行修改", false},
		{"empty list", addURI, addBody("n4"), 400, "PARAM_ERROR", "merchant_id_list", true},
		{"501 ids", addURI, addBody("n5", many...), 400, "PARAM_ERROR", "merchant_id_list", true},
		{"id of 7 chars", addURI, addBody("n6", "1234567"), 400, "PARAM_ERROR", "merchant_id_list", true},
		{"id of 16 chars", addURI, addBody("n7", "1234567890123456"), 400, "PARAM_ERROR", "merchant_id_list", true},
		{"missing add_request_no", addURI, addBody("", testSub), 400, "PARAM_ERROR", "add_request_no", true},
		{"add_request_no of 129 chars", addURI, addBody(strings.Repeat("a", 129), testSub), 400, "PARAM_ERROR", "add_request_no", true},
		{"delete_request_no with #", deleteURI, deleteBody("del#1", testSub), 400, "PARAM_ERROR", "delete_request_no", true},
		{"delete_request_no of 129 chars", deleteURI, deleteBody(strings.Repeat("b", 129), testSub), 400, "PARAM_ERROR", "delete_request_no", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			a := e.fails(tc.status, tc.code, "POST", tc.uri, tc.body)
			if tc.messageContainsOnly && !strings.Contains(a.message(t), tc.message) ||
				!tc.messageContainsOnly && a.message(t) != tc.message {
				t.Errorf("message %q, want %q", a.message(t), tc.message)
			}
		})
	}
	if e.srv.CountApplied("", "") != 0 {
		t.Error("a refused call was applied")
	}
	// 500 ids of 8 and 15 characters are within the limits.
	ok := many[:500]
	ok[0] = "123456789012345"
	e.ok("POST", addURI, addBody("n-500", ok...))
}

func TestPayGiftListAndActivity(t *testing.T) {
	e := newEnv(t)
	seedActivities(t, e)
	ids := []string{testSub}
	for i := 0; i < 12; i++ {
		id := fmt.Sprintf("19100000%02d", i)
		ids = append(ids, id)
		if err := e.srv.Seed(Seed{SubMerchants: []SubMerchant{{SubMchid: id, Name: "Shop " + id}}}); err != nil {
			t.Fatal(err)
		}
	}
	e.ok("POST", addURI, addBody("bulk", ids[1:]...))
	cases := []struct {
		name   string
		query  string
		code   string
		offset int
		limit  int
		first  string
		n      int
	}{
		{"defaults", "", "", 0, 10, testSub, 10},
		{"page two", "?offset=10&limit=10", "", 10, 10, ids[10], 3},
		{"limit 1 offset 1", "?offset=1&limit=1", "", 1, 1, ids[1], 1},
		{"limit 100", "?limit=100", "", 0, 100, testSub, 13},
		{"beyond the end", "?offset=50", "", 50, 10, "", 0},
		{"limit 0", "?limit=0", "PARAM_ERROR", 0, 0, "", 0},
		{"limit 101", "?limit=101", "PARAM_ERROR", 0, 0, "", 0},
		{"negative offset", "?offset=-1", "PARAM_ERROR", 0, 0, "", 0},
		{"offset not a number", "?offset=x", "PARAM_ERROR", 0, 0, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			uri := actURI + "/merchants" + tc.query
			if tc.code != "" {
				e.fails(400, tc.code, "GET", uri, "")
				return
			}
			var out struct {
				Data []struct {
					Mchid        string `json:"mchid"`
					MerchantName string `json:"merchant_name"`
					CreateTime   string `json:"create_time"`
				} `json:"data"`
				TotalCount int    `json:"total_count"`
				Offset     int    `json:"offset"`
				Limit      int    `json:"limit"`
				ActivityID string `json:"activity_id"`
			}
			a := e.ok("GET", uri, "")
			if err := json.Unmarshal(a.body, &out); err != nil {
				t.Fatal(err)
			}
			if out.TotalCount != 13 || out.Offset != tc.offset || out.Limit != tc.limit || out.ActivityID != actID || len(out.Data) != tc.n {
				t.Fatalf("answer %s", a.body)
			}
			if tc.n > 0 && (out.Data[0].Mchid != tc.first || out.Data[0].MerchantName == "" || !strings.HasSuffix(out.Data[0].CreateTime, "+08:00")) {
				t.Errorf("first item %+v, want %s", out.Data[0], tc.first)
			}
		})
	}

	t.Run("activity details", func(t *testing.T) {
		e.t = t
		m := e.ok("GET", actURI, "").json(t)
		base, _ := m["activity_base_info"].(map[string]any)
		if m["activity_id"] != actID || m["activity_status"] != ActivityOngoing || base["activity_name"] != "Pay and win" ||
			m["creator_merchant_id"] != e.keys.MchID || m["belong_merchant_id"] != e.keys.MchID {
			t.Errorf("activity %v", m)
		}
		e.fails(404, "RESOURCE_NOT_EXISTS", "GET", "/v3/marketing/paygiftactivity/activities/404404", "")
		e.fails(403, "NO_AUTH", "GET", "/v3/marketing/paygiftactivity/activities/10028002", "")
		e.srv.SetActivityStatus(actID, "TERMINATE_ACT_STATUS")
		if got := e.ok("GET", actURI, "").json(t)["activity_status"]; got != "TERMINATE_ACT_STATUS" {
			t.Errorf("status after drift %v", got)
		}
	})
}

// The activity details spell the creator and owner as WeChat Pay's SDK does
// (creator_merchant_id, belong_merchant_id); clients decode exactly these names.
func TestPayGiftActivityDetailFieldNames(t *testing.T) {
	e := newEnv(t)
	if err := e.srv.Seed(Seed{Activities: []Activity{{ActivityID: "10028001", OwnerMchid: "1900000001"}}}); err != nil {
		t.Fatal(err)
	}
	got := e.ok("GET", "/v3/marketing/paygiftactivity/activities/10028001", "").json(t)
	for _, field := range []string{"creator_merchant_id", "belong_merchant_id"} {
		if got[field] != "1900000001" {
			t.Errorf("%s = %v, want 1900000001 (answer %v)", field, got[field], got)
		}
	}
	for _, wrong := range []string{"creator_merchant", "belong_merchant"} {
		if _, ok := got[wrong]; ok {
			t.Errorf("answer carries %s, which WeChat Pay does not send", wrong)
		}
	}
}
