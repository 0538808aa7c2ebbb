package wxpay_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// The merchant list is read whole under every way WeChat Pay may page it (the paygift-offset and
// paygift-limit dialects), by one client twice: the first reading may spend one call finding out
// how the list pages, every later one costs the floor, ⌈members/page⌉ calls; under the reading the
// client always used (members skipped, pages of 100) the first reading costs the floor too.
func TestListAllActivityMerchantsUnderEveryPaging(t *testing.T) {
	srv, _ := payGiftEnv(t, 600)
	sizes := map[string]int{"honour": 100, "cap20": 20, "cap50": 50}
	for _, offset := range []string{"item", "page0", "page1"} {
		for _, limit := range []string{"honour", "cap20", "cap50"} {
			for _, members := range []int{0, 1, 20, 21, 100, 101, 250, 600} {
				t.Run(fmt.Sprintf("%s/%s/%d", offset, limit, members), func(t *testing.T) {
					srv.Reset()
					srv.SetDialects(map[string]string{emulator.DialectPayGiftOffset: offset, emulator.DialectPayGiftLimit: limit})
					seedMembers(t, srv, members)
					client := payGiftClient(t, srv)
					floor := max(1, (members+sizes[limit]-1)/sizes[limit])
					for reading := 1; reading <= 2; reading++ {
						srv.ClearCalls()
						got, err := client.ListAllActivityMerchants(context.Background(), payGiftActivity)
						if err != nil {
							t.Fatalf("reading %d: %v", reading, err)
						}
						if ids := merchantIDs(got); !slices.Equal(slices.Sorted(slices.Values(ids)), subMchids(0, members)) {
							t.Fatalf("reading %d listed %d merchants, want %d", reading, len(ids), members)
						}
						calls := srv.CountCalls(http.MethodGet, listPath)
						most := floor
						if reading == 1 && offset != "item" {
							most++ // finding out how the list pages
						}
						if calls > most || (reading == 2 || offset == "item") && calls != floor {
							t.Errorf("reading %d made %d list calls; the floor is %d", reading, calls, floor)
						}
					}
				})
			}
		}
	}
}

// EachActivityMerchant pages the same way, and still stops reading when the reader stops.
func TestEachActivityMerchantUnderEveryPaging(t *testing.T) {
	srv, _ := payGiftEnv(t, 250)
	for _, offset := range []string{"item", "page0", "page1"} {
		t.Run(offset, func(t *testing.T) {
			srv.Reset()
			srv.SetDialects(map[string]string{emulator.DialectPayGiftOffset: offset, emulator.DialectPayGiftLimit: "cap50"})
			seedMembers(t, srv, 250)
			client := payGiftClient(t, srv)
			var got []string
			err := client.EachActivityMerchant(context.Background(), payGiftActivity, func(m wxpay.ActivityMerchant) bool {
				got = append(got, m.Mchid)
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(slices.Sorted(slices.Values(got)), subMchids(0, 250)) {
				t.Fatalf("handed over %d merchants, want 250", len(got))
			}
			srv.ClearCalls()
			got = got[:0]
			err = client.EachActivityMerchant(context.Background(), payGiftActivity, func(m wxpay.ActivityMerchant) bool {
				got = append(got, m.Mchid)
				return len(got) < 60
			})
			if err != nil || len(got) != 60 {
				t.Fatalf("stopped after %d merchants, want 60 (err %v)", len(got), err)
			}
			if n := srv.CountCalls(http.MethodGet, listPath); n != 2 {
				t.Errorf("%d list calls for 60 merchants in pages of 50, want 2", n)
			}
		})
	}
}

func seedMembers(t *testing.T, srv *emulator.Server, members int) {
	t.Helper()
	seed := emulator.Seed{
		Activities: []emulator.Activity{{ActivityID: payGiftActivity, Status: "ONGOING_ACT_STATUS", Merchants: subMchids(0, members)}},
	}
	for _, id := range subMchids(0, members) {
		seed.SubMerchants = append(seed.SubMerchants, emulator.SubMerchant{SubMchid: id})
	}
	if err := srv.Seed(seed); err != nil {
		t.Fatal(err)
	}
}

func merchantIDs(ms []wxpay.ActivityMerchant) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.Mchid
	}
	return ids
}
