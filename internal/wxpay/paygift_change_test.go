package wxpay_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// A change sends at most 500 ids a call, each call with a request number of its own that shares
// the change's random part; another change draws another one.
func TestActivityMerchantsChangeChunksAndNumbers(t *testing.T) {
	srv, client := payGiftEnv(t, 1201)
	ctx := context.Background()
	change := client.NewActivityMerchantsChange(payGiftActivity)
	added, refused, err := change.Add(ctx, subMchids(0, 1201))
	if err != nil || len(refused) > 0 || !slices.Equal(added, subMchids(0, 1201)) {
		t.Fatalf("Add: %d added, refused %v, err %v", len(added), refused, err)
	}
	removed, err := change.Remove(ctx, subMchids(0, 600))
	if err != nil || !slices.Equal(removed, subMchids(0, 600)) {
		t.Fatalf("Remove: %d removed, err %v", len(removed), err)
	}
	if members := srv.ActivityMembers(payGiftActivity); !slices.Equal(members, subMchids(600, 1201)) {
		t.Errorf("%d members, want 601", len(members))
	}

	calls := srv.Calls()
	type sent struct {
		path string
		ids  int
	}
	var got []sent
	prefix, _, _ := strings.Cut(calls[0].RequestNo, "-add-")
	for i, c := range calls {
		got = append(got, sent{c.Path, strings.Count(c.Body, `"19001`)})
		kind := map[string]string{addPath: "add", deletePath: "del"}[c.Path]
		n := i
		if kind == "del" {
			n = i - 3
		}
		if want := prefix + "-" + kind + "-" + string(rune('0'+n)); c.RequestNo != want || !wxpay.ValidRequestNo(c.RequestNo) {
			t.Errorf("call %d has request number %q, want %q", i, c.RequestNo, want)
		}
	}
	want := []sent{{addPath, 500}, {addPath, 500}, {addPath, 201}, {deletePath, 500}, {deletePath, 100}}
	if !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}

	other := client.NewActivityMerchantsChange(payGiftActivity)
	if _, err := other.Remove(ctx, subMchids(600, 601)); err != nil {
		t.Fatal(err)
	}
	if last := srv.Calls()[len(calls)]; strings.HasPrefix(last.RequestNo, prefix) {
		t.Errorf("a second change reuses the first one's numbers: %q", last.RequestNo)
	}
}

// Add returns the ids that became members and the ids refused, and a call that fails stops the
// change with what was done before it.
func TestActivityMerchantsChangeReportsWhatWasDone(t *testing.T) {
	var adds atomic.Int32
	srv, client := payGiftEnvBehind(t, 700, func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == addPath && adds.Add(1) == 2 {
				w.Header().Set("Request-ID", "REQ-SECOND-ADD")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"code":"PARAM_ERROR","message":"参数错误"}`))
				return
			}
			emu.ServeHTTP(w, r)
		})
	})
	ids := append([]string{"1900777777"}, subMchids(0, 700)...)
	added, refused, err := client.NewActivityMerchantsChange(payGiftActivity).Add(context.Background(), ids)
	if !wxpay.HasCode(err, "PARAM_ERROR") {
		t.Fatalf("err = %v, want the second call's PARAM_ERROR", err)
	}
	if !slices.Equal(added, subMchids(0, 499)) {
		t.Errorf("added %d ids, want the 499 valid ones of the first call", len(added))
	}
	if len(refused) != 1 || refused[0].Mchid != "1900777777" || refused[0].Reason() != wxpay.ReasonMerchantNotExists {
		t.Errorf("refused = %v", refused)
	}
	if members := srv.ActivityMembers(payGiftActivity); !slices.Equal(members, added) {
		t.Errorf("%d members, want the %d added", len(members), len(added))
	}
}

// A change refused for the activity's status reads the activity once and names its status; other
// refusals are returned as they came.
func TestActivityMerchantsChangeNotRunning(t *testing.T) {
	activityPath := "/v3/marketing/paygiftactivity/activities/" + payGiftActivity
	tests := []struct {
		name       string
		setup      func(*emulator.Server)
		wantStatus string // "" = no ActivityNotRunningError
		wantGets   int
	}{
		{"stopped activity", func(s *emulator.Server) { s.SetActivityStatus(payGiftActivity, "STOP_ACT_STATUS") }, "STOP_ACT_STATUS", 1},
		{"rule refusal while ongoing", func(s *emulator.Server) {
			s.InjectFault(emulator.Fault{Path: deletePath, Kind: emulator.FaultStatus, Status: http.StatusForbidden,
				Code: "RULE_LIMIT", Message: "其他规则限制"})
		}, "", 1},
		{"change in progress on every attempt", func(s *emulator.Server) {
			s.InjectFault(emulator.Fault{Path: deletePath, Kind: emulator.FaultStatus, Status: http.StatusForbidden,
				Code: "RULE_LIMIT", Message: "上一次修改还未完成"})
		}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, client := payGiftEnv(t, 1)
			srv.AddActivityMember(payGiftActivity, subMchid(0))
			tt.setup(srv)
			removed, err := client.NewActivityMerchantsChange(payGiftActivity).Remove(context.Background(), subMchids(0, 1))
			if len(removed) != 0 || !wxpay.HasCode(err, "RULE_LIMIT") {
				t.Fatalf("removed %v, err %v, want nothing removed and the RULE_LIMIT refusal", removed, err)
			}
			var notRunning *wxpay.ActivityNotRunningError
			if got := errors.As(err, &notRunning); got != (tt.wantStatus != "") ||
				(got && (notRunning.Status != tt.wantStatus || notRunning.ActivityID != payGiftActivity)) {
				t.Errorf("err = %#v, want an ActivityNotRunningError with status %q: %v", err, tt.wantStatus, got)
			}
			if n := srv.CountCalls("GET", activityPath); n != tt.wantGets {
				t.Errorf("%d activity reads, want %d", n, tt.wantGets)
			}
		})
	}
}

// The client's retry of a call whose answer was lost sends the same request number and body.
func TestActivityMerchantsChangeRetryIsTheSameRequest(t *testing.T) {
	srv, client := payGiftEnv(t, 2)
	srv.InjectFault(emulator.Fault{Method: "POST", Path: addPath, Kind: emulator.FaultDropAfterApply, Count: 1})
	added, _, err := client.NewActivityMerchantsChange(payGiftActivity).Add(context.Background(), subMchids(0, 2))
	if err != nil || !slices.Equal(added, subMchids(0, 2)) {
		t.Fatalf("added %v, err %v", added, err)
	}
	calls := srv.Calls()
	if len(calls) != 2 || calls[1].RequestNo != calls[0].RequestNo || calls[1].Body != calls[0].Body {
		t.Fatalf("calls = %+v, want the dropped one and its retry, alike", calls)
	}
	if n := srv.CountApplied("POST", addPath); n != 1 {
		t.Errorf("the add was applied %d times, want 1", n)
	}
}

// After a lost answer, a retry of the same request number is answered as the first time
// (replay), refused as a repeat (reject) or applied again (new): under each the change is done
// once, the ids WeChat Pay refuses are still reported with its reason, and nothing fails.
func TestActivityMerchantsChangeRetryUnderEveryRequestNoReading(t *testing.T) {
	for _, reading := range []string{"replay", "reject", "new"} {
		t.Run(reading, func(t *testing.T) {
			srv, client := payGiftEnv(t, 3)
			srv.SetDialect(emulator.DialectRequestNoReuse, reading)
			srv.InjectFault(emulator.Fault{Method: "POST", Path: addPath, Kind: emulator.FaultDropAfterApply, Count: 1})
			ids := append(subMchids(0, 2), "1900999999") // the last is another provider's
			added, refused, err := client.NewActivityMerchantsChange(payGiftActivity).Add(context.Background(), ids)
			if err != nil || !slices.Equal(added, subMchids(0, 2)) {
				t.Fatalf("added %v, err %v; want %v", added, err, subMchids(0, 2))
			}
			if len(refused) != 1 || refused[0].Mchid != "1900999999" || refused[0].InvalidReason == "" {
				t.Errorf("refused %v, want 1900999999 with WeChat Pay's reason", refused)
			}
			if n := srv.CountApplied("POST", addPath); n != 1 {
				t.Errorf("the add was applied %d times, want 1", n)
			}

			srv.InjectFault(emulator.Fault{Method: "POST", Path: deletePath, Kind: emulator.FaultDropAfterApply, Count: 1})
			removed, err := client.NewActivityMerchantsChange(payGiftActivity).Remove(context.Background(), subMchids(0, 2))
			if err != nil || !slices.Equal(removed, subMchids(0, 2)) {
				t.Fatalf("removed %v, err %v", removed, err)
			}
			if n := srv.CountApplied("POST", deletePath); n != 1 {
				t.Errorf("the delete was applied %d times, want 1", n)
			}
			if m := srv.ActivityMembers(payGiftActivity); len(m) != 0 {
				t.Errorf("members %v left", m)
			}
		})
	}
}

// A refusal of a call that was sent once is WeChat Pay's answer to that call, not a repeat: it is
// reported as it came, without reading the list.
func TestActivityMerchantsChangeFirstRefusalIsAnError(t *testing.T) {
	srv, client := payGiftEnv(t, 1)
	srv.InjectFault(emulator.Fault{Method: "POST", Path: addPath, Kind: emulator.FaultStatus, Status: 400,
		Code: "INVALID_REQUEST", Message: "请求业务单据号已使用,请勿重复提交", Count: 1})
	_, _, err := client.NewActivityMerchantsChange(payGiftActivity).Add(context.Background(), subMchids(0, 1))
	if !wxpay.HasCode(err, "INVALID_REQUEST") {
		t.Fatalf("err = %v, want the refusal", err)
	}
	if n := srv.CountCalls("GET", listPath); n != 0 {
		t.Errorf("%d list calls after a refusal of a call sent once, want 0", n)
	}
}
