package wxpay_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

func TestEachActivityMerchant(t *testing.T) {
	srv, client := payGiftEnv(t, 250)
	ids := subMchids(0, 250)
	for _, id := range ids {
		srv.AddActivityMember(payGiftActivity, id)
	}
	path := "/v3/marketing/paygiftactivity/activities/" + payGiftActivity + "/merchants"
	cases := []struct {
		name  string
		want  int // merchants handed over before the reader stops
		calls int
	}{
		{"whole list", 250, 3},
		{"first few", 10, 1},
		{"exactly one page", 100, 1},
		{"into the second page", 101, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.ClearCalls()
			var got []string
			err := client.EachActivityMerchant(context.Background(), payGiftActivity, func(m wxpay.ActivityMerchant) bool {
				got = append(got, m.Mchid)
				return len(got) < tc.want
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Fatalf("%d merchants, want %d", len(got), tc.want)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
				t.Error("a merchant was handed over twice")
			}
			for _, id := range got {
				if !slices.Contains(ids, id) {
					t.Errorf("%s is not a member", id)
				}
			}
			if n := srv.CountCalls(http.MethodGet, path); n != tc.calls {
				t.Errorf("%d list calls, want %d", n, tc.calls)
			}
		})
	}
}
