package wxpay_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

const payGiftActivity = "10028001"

// payGiftEnv starts an emulator holding one ongoing activity owned by the caller and the given
// number of the caller's sub-merchants (1900100000, 1900100001, …), plus a client for it.
func payGiftEnv(t *testing.T, subMerchants int) (*emulator.Server, *wxpay.Client) {
	t.Helper()
	return payGiftEnvBehind(t, subMerchants, nil)
}

// payGiftEnvBehind is payGiftEnv with the emulator behind front, which may answer a call itself.
func payGiftEnvBehind(t *testing.T, subMerchants int, front func(emu http.Handler) http.Handler) (*emulator.Server, *wxpay.Client) {
	t.Helper()
	seed := emulator.Seed{
		SubMerchants: []emulator.SubMerchant{{SubMchid: "1900999999", Owner: "1900088888"}},
		Activities:   []emulator.Activity{{ActivityID: payGiftActivity, Name: "Spring pay-gift", Status: "ONGOING_ACT_STATUS"}},
	}
	for i := range subMerchants {
		seed.SubMerchants = append(seed.SubMerchants, emulator.SubMerchant{SubMchid: subMchid(i)})
	}
	var opts []emulatortest.Option
	if front != nil {
		opts = append(opts, emulatortest.WithHandler(front))
	}
	emu, c := emulatorClient(t, seed, "", nil, opts...)
	return emu.Server, c
}

// payGiftClient is a new client of srv, as a new Terraform run makes one: it knows nothing yet.
func payGiftClient(t *testing.T, srv *emulator.Server) *wxpay.Client {
	t.Helper()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return payGiftClientAt(t, srv.Keys(), hs.URL)
}

func payGiftClientAt(t *testing.T, keys *emulator.Keys, url string) *wxpay.Client {
	t.Helper()
	client, err := wxpay.New(clientConfig(t, keys, "", url))
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func subMchid(i int) string { return fmt.Sprintf("19001%05d", i) }

func subMchids(from, to int) []string {
	var ids []string
	for i := from; i < to; i++ {
		ids = append(ids, subMchid(i))
	}
	return ids
}

const (
	addPath    = "/v3/marketing/paygiftactivity/activities/" + payGiftActivity + "/merchants/add"
	deletePath = "/v3/marketing/paygiftactivity/activities/" + payGiftActivity + "/merchants/delete"
	listPath   = "/v3/marketing/paygiftactivity/activities/" + payGiftActivity + "/merchants"
)

func TestAddActivityMerchantsReportsInvalidIDs(t *testing.T) {
	srv, client := payGiftEnv(t, 3)
	ids := append(subMchids(0, 3), "1900999999", "1900777777")
	got, err := client.AddActivityMerchants(context.Background(), payGiftActivity, ids, "tf-test-add-0")
	if err != nil {
		t.Fatal(err)
	}
	// Each refusal keeps the answer's Request-ID, which WeChat Pay support asks for.
	requestID := ""
	if len(got.InvalidMerchants) > 0 {
		requestID = got.InvalidMerchants[0].RequestID
	}
	if requestID == "" {
		t.Error("the refusals carry no Request-ID")
	}
	want := []wxpay.InvalidMerchant{{Mchid: "1900999999", InvalidReason: "商户号不属于该服务商", RequestID: requestID},
		{Mchid: "1900777777", InvalidReason: "商户号不存在", RequestID: requestID}}
	if !slices.Equal(got.InvalidMerchants, want) {
		t.Errorf("invalid merchants = %v, want %v", got.InvalidMerchants, want)
	}
	if got.ActivityID != payGiftActivity || got.AddTime == "" {
		t.Errorf("answer = %+v", got)
	}
	if members := srv.ActivityMembers(payGiftActivity); !slices.Equal(members, subMchids(0, 3)) {
		t.Errorf("members = %v, want %v", members, subMchids(0, 3))
	}
}

func TestListAllActivityMerchantsReadsEveryPageAtTheLargestSize(t *testing.T) {
	tests := []struct {
		members, wantCalls int
	}{
		{0, 1}, {1, 1}, {100, 1}, {101, 2}, {250, 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d members", tt.members), func(t *testing.T) {
			srv, client := payGiftEnv(t, tt.members)
			for _, id := range subMchids(0, tt.members) {
				srv.AddActivityMember(payGiftActivity, id)
			}
			got, err := client.ListAllActivityMerchants(context.Background(), payGiftActivity)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range got {
				ids = append(ids, m.Mchid)
			}
			if !slices.Equal(ids, subMchids(0, tt.members)) {
				t.Errorf("listed %d merchants, want %d", len(ids), tt.members)
			}
			if n := srv.CountCalls("GET", listPath); n != tt.wantCalls {
				t.Errorf("%d list calls, want %d", n, tt.wantCalls)
			}
			for _, c := range srv.Calls() {
				if !strings.Contains(c.RawQuery, "limit=100") {
					t.Errorf("page asked with %q, want limit=100", c.RawQuery)
				}
			}
		})
	}
}

// An answer lost after the add was applied is retried with the same body, so WeChat Pay
// recognises the request number, replays its first answer and applies nothing twice.
func TestAddActivityMerchantsRetryReusesTheRequestNumber(t *testing.T) {
	srv, client := payGiftEnv(t, 2)
	srv.InjectFault(emulator.Fault{Method: "POST", Path: addPath, Kind: emulator.FaultDropAfterApply, Count: 1})
	got, err := client.AddActivityMerchants(context.Background(), payGiftActivity, subMchids(0, 2), "tf-retry-add-0")
	if err != nil {
		t.Fatalf("the retry after a lost answer failed: %v", err)
	}
	if len(got.InvalidMerchants) != 0 {
		t.Errorf("invalid merchants = %v", got.InvalidMerchants)
	}
	calls := srv.Calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls, want the dropped one and its retry", len(calls))
	}
	if calls[0].RequestNo != "tf-retry-add-0" || calls[1].RequestNo != calls[0].RequestNo || calls[1].Body != calls[0].Body {
		t.Errorf("retry sent request number %q body %s, first %q body %s", calls[1].RequestNo, calls[1].Body, calls[0].RequestNo, calls[0].Body)
	}
	if n := srv.CountApplied("POST", addPath); n != 1 {
		t.Errorf("the add was applied %d times, want 1", n)
	}
	if members := srv.ActivityMembers(payGiftActivity); !slices.Equal(members, subMchids(0, 2)) {
		t.Errorf("members = %v", members)
	}
}

func TestAddDeleteActivityMerchantsErrors(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(*emulator.Server)
		call      func(*wxpay.Client) error
		wantCalls int
		check     func(*testing.T, error)
	}{
		{
			name: "change in progress is retried",
			setup: func(s *emulator.Server) {
				s.InjectFault(emulator.Fault{Path: addPath, Kind: emulator.FaultStatus, Status: http.StatusForbidden,
					Code: "RULE_LIMIT", Message: "上一次修改还未完成,请稍后重试", Count: 2})
			},
			call: func(c *wxpay.Client) error {
				_, err := c.AddActivityMerchants(context.Background(), payGiftActivity, subMchids(0, 1), "tf-a-0")
				return err
			},
			wantCalls: 3,
			check: func(t *testing.T, err error) {
				if err != nil {
					t.Errorf("err = %v, want success after the retries", err)
				}
			},
		},
		{
			name:  "stopped activity is final",
			setup: func(s *emulator.Server) { s.SetActivityStatus(payGiftActivity, "STOP_ACT_STATUS") },
			call: func(c *wxpay.Client) error {
				_, err := c.DeleteActivityMerchants(context.Background(), payGiftActivity, subMchids(0, 1), "tf-d-0")
				return err
			},
			wantCalls: 1,
			check: func(t *testing.T, err error) {
				if !wxpay.HasCode(err, "RULE_LIMIT") || !wxpay.MessageContains(err, "活动不在运行中") || wxpay.IsTransient(err) {
					t.Errorf("err = %v, want a final RULE_LIMIT saying the activity is not running", err)
				}
			},
		},
		{
			name:  "unknown activity",
			setup: func(*emulator.Server) {},
			call: func(c *wxpay.Client) error {
				_, err := c.GetActivity(context.Background(), "99999")
				return err
			},
			wantCalls: 1,
			check: func(t *testing.T, err error) {
				if !wxpay.IsNotFound(err) {
					t.Errorf("err = %v, want not found", err)
				}
			},
		},
		{
			name:  "too many ids are refused before sending",
			setup: func(*emulator.Server) {},
			call: func(c *wxpay.Client) error {
				_, err := c.AddActivityMerchants(context.Background(), payGiftActivity, subMchids(0, 501), "tf-a-0")
				return err
			},
			check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "1 to 500") {
					t.Errorf("err = %v", err)
				}
			},
		},
		{
			name:  "request number outside the character set",
			setup: func(*emulator.Server) {},
			call: func(c *wxpay.Client) error {
				_, err := c.DeleteActivityMerchants(context.Background(), payGiftActivity, subMchids(0, 1), "tf/0")
				return err
			},
			check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "request number") {
					t.Errorf("err = %v", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, client := payGiftEnv(t, 1)
			tt.setup(srv)
			tt.check(t, tt.call(client))
			if n := len(srv.Calls()); n != tt.wantCalls {
				t.Errorf("%d calls, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestDeleteActivityMerchants(t *testing.T) {
	srv, client := payGiftEnv(t, 3)
	for _, id := range subMchids(0, 3) {
		srv.AddActivityMember(payGiftActivity, id)
	}
	got, err := client.DeleteActivityMerchants(context.Background(), payGiftActivity, subMchids(0, 2), "tf-del-0")
	if err != nil {
		t.Fatal(err)
	}
	if got.DeleteTime == "" {
		t.Errorf("answer = %+v", got)
	}
	if members := srv.ActivityMembers(payGiftActivity); !slices.Equal(members, subMchids(2, 3)) {
		t.Errorf("members = %v", members)
	}
	if calls := srv.Calls(); len(calls) != 1 || calls[0].RequestNo != "tf-del-0" || calls[0].Path != deletePath {
		t.Errorf("calls = %+v", calls)
	}
}

func TestGetActivity(t *testing.T) {
	srv, client := payGiftEnv(t, 0)
	srv.SetActivityStatus(payGiftActivity, "STOP_ACT_STATUS")
	got, err := client.GetActivity(context.Background(), payGiftActivity)
	if err != nil {
		t.Fatal(err)
	}
	if got.ActivityID != payGiftActivity || got.ActivityStatus != "STOP_ACT_STATUS" || got.BaseInfo.ActivityName != "Spring pay-gift" ||
		got.CreatorMerchantID != "1900000001" || got.BelongMerchantID != "1900000001" || got.ActivityType == "" ||
		got.BaseInfo.BeginTime == "" || got.BaseInfo.EndTime == "" || got.CreateTime == "" {
		t.Errorf("activity = %+v", got)
	}
}
