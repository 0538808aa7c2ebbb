package emulator_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/services/giftactivity"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
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
	err := e.srv.Seed(emulator.Seed{Activities: []emulator.Activity{
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

// invalidMerchant is one entry of invalid_merchant_id_list in an add answer.
type invalidMerchant struct {
	Mchid         string `json:"mchid"`
	InvalidReason string `json:"invalid_reason"`
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
	e.refused(refusal{403, "RULE_LIMIT", "活动不在运行中,不允许再进行修改"}, "POST", addURI, addBody("add-002", "1900000110"))
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
		if err := e.srv.Seed(emulator.Seed{SubMerchants: []emulator.SubMerchant{{SubMchid: id, Name: "Shop " + id}}}); err != nil {
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
		if m["activity_id"] != actID || m["activity_status"] != emulator.ActivityOngoing || base["activity_name"] != "Pay and win" ||
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
	if err := e.srv.Seed(emulator.Seed{Activities: []emulator.Activity{{ActivityID: "10028001", OwnerMchid: "1900000001"}}}); err != nil {
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

// An unknown or removed activity is answered as paygift-unknown-activity says, by every call.
func TestPayGiftUnknownActivityDialect(t *testing.T) {
	calls := []struct{ name, method, suffix, body string }{
		{"add", "POST", "/merchants/add", addBody("u-1", testSub)},
		{"delete", "POST", "/merchants/delete", deleteBody("u-2", testSub)},
		{"list", "GET", "/merchants?offset=0&limit=10", ""},
		{"detail", "GET", "", ""},
	}
	want := map[string]refusal{
		"404":            {404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"},
		"404/wild":       {404, "RESOURCE_NOT_EXISTS", "活动不存在"},
		"400-documented": {400, "INVALID_REQUEST", "查询活动详情结果为空,请确认活动ID是否正确"},
	}
	for key, w := range want {
		mode, texts, _ := strings.Cut(key, "/")
		if texts == "" {
			texts = "docs"
		}
		for _, how := range []string{"unknown", "removed"} {
			t.Run(key+"/"+how, func(t *testing.T) {
				e := newEnv(t, withDialects(map[string]string{emulator.DialectPayGiftUnknownActivity: mode, emulator.DialectErrorTexts: texts}))
				seedActivities(t, e)
				id := "404404"
				if how == "removed" {
					id = actID
					status, body := e.control("DELETE", "/_emulator/activities/"+actID, "", nil)
					if status != 200 || !strings.Contains(string(body), `"removed":true`) {
						t.Fatalf("remove: %d %s", status, body)
					}
					if e.srv.ActivityMembers(actID) != nil || e.srv.RemoveActivity(actID) {
						t.Fatal("the activity is still there")
					}
				}
				for _, c := range calls {
					uri := "/v3/marketing/paygiftactivity/activities/" + id + c.suffix
					e.refused(w, c.method, uri, c.body)
				}
			})
		}
	}
}

// A request number used before is, by request-no-reuse: replayed, rejected, or a new request.
// The member is changed back out of band in between, so that the three readings differ.
func TestRequestNoReuseDialect(t *testing.T) {
	for _, mode := range []string{"replay", "reject", "new"} {
		for _, add := range []bool{true, false} {
			kind := map[bool]string{true: "add", false: "delete"}[add]
			t.Run(mode+"/"+kind, func(t *testing.T) {
				e := newEnv(t, withDialects(map[string]string{emulator.DialectRequestNoReuse: mode}))
				seedActivities(t, e) // testSub is a member
				uri, body, member := addURI, addBody("no-1", "1900000110"), "1900000110"
				undo := func() { e.srv.RemoveActivityMember(actID, member) }
				if !add {
					uri, body, member = deleteURI, deleteBody("no-1", testSub), testSub
					undo = func() { e.srv.AddActivityMember(actID, member) }
				}
				first := e.ok("POST", uri, body)
				undo()
				e.srv.AdvanceClock(time.Second)
				a := e.do("POST", uri, body)
				isMember := slices.Contains(e.srv.ActivityMembers(actID), member)
				applied := e.srv.CountApplied("POST", uri)
				switch mode {
				case "replay":
					if a.status != 200 || string(a.body) != string(first.body) || isMember != !add || applied != 1 {
						t.Errorf("replay: %d %s, member %v, applied %d", a.status, a.body, isMember, applied)
					}
				case "reject":
					if a.status != 400 || a.code(t) != "INVALID_REQUEST" || !strings.Contains(a.message(t), "单据号已使用") || isMember != !add || applied != 1 {
						t.Errorf("reject: %d %s, member %v, applied %d", a.status, a.body, isMember, applied)
					}
				case "new":
					if a.status != 200 || string(a.body) == string(first.body) || isMember != add || applied != 2 {
						t.Errorf("new: %d %s, member %v, applied %d", a.status, a.body, isMember, applied)
					}
				}
			})
		}
	}
}

// The merchant list's offset counts items (item), pages from 0 (page0) or pages from 1 (page1),
// and its page holds what the caller asks (honour) or at most 20 or 50 (the server echoes its
// own limit).
func TestPayGiftPagingDialects(t *testing.T) {
	const members = 45
	ids := []string{testSub}
	var subs []emulator.SubMerchant
	for i := 1; i < members; i++ {
		id := fmt.Sprintf("19200000%02d", i)
		ids = append(ids, id)
		subs = append(subs, emulator.SubMerchant{SubMchid: id})
	}
	queries := []struct{ offset, limit int }{{0, 10}, {1, 10}, {2, 20}, {0, 100}, {1, 30}, {4, 10}, {9, 5}, {50, 20}}
	caps := map[string]int{"honour": 100, "cap20": 20, "cap50": 50}
	for _, offsetMode := range []string{"item", "page0", "page1"} {
		for _, limitMode := range []string{"honour", "cap20", "cap50"} {
			t.Run(offsetMode+"/"+limitMode, func(t *testing.T) {
				e := newEnv(t, withDialects(map[string]string{emulator.DialectPayGiftOffset: offsetMode, emulator.DialectPayGiftLimit: limitMode}))
				seedActivities(t, e)
				if err := e.srv.Seed(emulator.Seed{SubMerchants: subs}); err != nil {
					t.Fatal(err)
				}
				e.ok("POST", addURI, addBody("bulk", ids[1:]...))
				for _, q := range queries {
					size := min(q.limit, caps[limitMode])
					skip := map[string]int{"item": q.offset, "page0": q.offset * size, "page1": (q.offset - 1) * size}[offsetMode]
					uri := fmt.Sprintf("%s/merchants?offset=%d&limit=%d", actURI, q.offset, q.limit)
					if skip < 0 {
						if a := e.fails(400, "PARAM_ERROR", "GET", uri, ""); !strings.Contains(a.message(t), "offset") {
							t.Errorf("%s: %s", uri, a.body)
						}
						continue
					}
					want := ids[min(skip, members):min(skip+size, members)]
					var out struct {
						Data []struct {
							Mchid string `json:"mchid"`
						} `json:"data"`
						TotalCount int `json:"total_count"`
						Offset     int `json:"offset"`
						Limit      int `json:"limit"`
					}
					if err := json.Unmarshal(e.ok("GET", uri, "").body, &out); err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, d := range out.Data {
						got = append(got, d.Mchid)
					}
					if !slices.Equal(got, want) && len(got)+len(want) > 0 {
						t.Errorf("%s: %v, want %v", uri, got, want)
					}
					if out.TotalCount != members || out.Offset != q.offset || out.Limit != size {
						t.Errorf("%s: total_count %d offset %d limit %d, want %d %d %d", uri, out.TotalCount, out.Offset, out.Limit, members, q.offset, size)
					}
				}
			})
		}
	}
	// Two readings spelled out, so that the table above does not only agree with itself.
	e := newEnv(t, withDialects(map[string]string{emulator.DialectPayGiftOffset: "page1", emulator.DialectPayGiftLimit: "cap20"}))
	seedActivities(t, e)
	if err := e.srv.Seed(emulator.Seed{SubMerchants: subs}); err != nil {
		t.Fatal(err)
	}
	e.ok("POST", addURI, addBody("bulk", ids[1:]...))
	m := e.ok("GET", actURI+"/merchants?offset=2&limit=100", "").json(t)
	if data, _ := m["data"].([]any); len(data) != 20 || m["limit"] != float64(20) || data[0].(map[string]any)["mchid"] != ids[20] {
		t.Errorf("page 2 of 20: %v", m)
	}
}

// The activity details carry every field the official SDK's model requires, seeded or not,
// and what a platform team checks before changing members.
func TestActivityDetailShape(t *testing.T) {
	e := newEnv(t)
	seedActivities(t, e)
	begin := time.Date(2025, 3, 1, 10, 0, 0, 0, emulator.CST)
	err := e.srv.Seed(emulator.Seed{Activities: []emulator.Activity{{ActivityID: "10028009", Name: "Seeded", SecondTitle: "满100送20",
		MerchantLogoURL: "https://example.com/logo.png", BeginTime: begin, EndTime: begin.AddDate(0, 1, 0),
		DeliveryPurpose: "JUMP_MINI_APP", MiniProgramsAppID: "wx1234567890", MiniProgramsPath: "/pages/index",
		AvailablePeriods: &emulator.AvailablePeriods{AvailableTime: []emulator.TimeRange{{BeginTime: begin, EndTime: begin.Add(time.Hour)}},
			AvailableDayTime: []emulator.DayTimeRange{{BeginDayTime: "110000", EndDayTime: "135959"}}},
		AwardSendRule: &emulator.AwardSendRule{FullSendRule: &emulator.FullSendRule{TransactionAmountMinimum: 10000, SendContent: "GIFT_PACKAGE",
			AwardType: "BUSIFAVOR", MerchantOption: "MANUAL_INPUT_MERCHANT",
			AwardList: []emulator.Award{{StockID: "1212", OriginalImageURL: "https://example.com/a.png", ThumbnailURL: "https://example.com/t.png"}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetActivityStatus("10028009", emulator.ActivityStopped)
	e.srv.AdvanceClock(time.Hour)
	e.srv.SetActivityStatus("10028009", emulator.ActivityOngoing)
	for _, id := range []string{actID, "10028009"} {
		a := e.ok("GET", "/v3/marketing/paygiftactivity/activities/"+id, "")
		var sdk giftactivity.GetActDetailResponse
		if err := json.Unmarshal(a.body, &sdk); err != nil {
			t.Fatal(err)
		}
		// The SDK's MarshalJSON refuses a model missing a required field, at every level.
		if _, err := json.Marshal(sdk); err != nil {
			t.Fatalf("%s: %v in %s", id, err, a.body)
		}
		if *sdk.ActivityBaseInfo.ActivitySecondTitle == "" || *sdk.ActivityBaseInfo.MerchantLogoUrl == "" ||
			len(sdk.AwardSendRule.FullSendRule.AwardList) == 0 {
			t.Errorf("%s: empty details %s", id, a.body)
		}
	}
	var sdk giftactivity.GetActDetailResponse
	if err := json.Unmarshal(e.ok("GET", "/v3/marketing/paygiftactivity/activities/10028009", "").body, &sdk); err != nil {
		t.Fatal(err)
	}
	base, rule := sdk.ActivityBaseInfo, sdk.AwardSendRule.FullSendRule
	if *base.ActivitySecondTitle != "满100送20" || *base.MerchantLogoUrl != "https://example.com/logo.png" ||
		string(*base.DeliveryPurpose) != "JUMP_MINI_APP" || *base.MiniProgramsPath != "/pages/index" ||
		*base.BeginTime != "2025-03-01T10:00:00+08:00" || *base.EndTime != "2025-04-01T10:00:00+08:00" ||
		*base.AvailablePeriods.AvailableDayTime[0].EndDayTime != "135959" || *base.AvailablePeriods.AvailableTime[0].EndTime != "2025-03-01T11:00:00+08:00" ||
		*rule.TransactionAmountMinimum != 10000 || *rule.AwardList[0].StockId != "1212" {
		t.Errorf("seeded details not answered: %+v %+v", base, rule)
	}
	pause, _ := time.Parse(time.RFC3339, *sdk.PauseTime)
	recovery, _ := time.Parse(time.RFC3339, *sdk.RecoveryTime)
	if recovery.Sub(pause) != time.Hour {
		t.Errorf("pause %s recovery %s", *sdk.PauseTime, *sdk.RecoveryTime)
	}
	if err := e.srv.Seed(emulator.Seed{Activities: []emulator.Activity{{ActivityID: "x", DeliveryPurpose: "JUMP_MINI_APP"}}}); err == nil {
		t.Error("JUMP_MINI_APP without a mini program accepted")
	}
}

func TestActivityNotRunningTexts(t *testing.T) {
	for texts, want := range map[string]string{"docs": "活动不在运行中,不允许再进行修改", "wild": "活动当前状态不允许修改: STOP_ACT_STATUS"} {
		e := newEnv(t, withDialects(map[string]string{emulator.DialectErrorTexts: texts}))
		seedActivities(t, e)
		e.refused(refusal{403, "RULE_LIMIT", want}, "POST", "/v3/marketing/paygiftactivity/activities/10028003/merchants/add", addBody("s-1", testSub))
	}
}
