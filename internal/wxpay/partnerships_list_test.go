package wxpay_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// mixedGrants is 120 merchant coupon grants to apps (grant(i)), 30 WeChat Pay coupon grants
// to apps and 20 merchant coupon grants to merchants.
func mixedGrants() emulator.Seed {
	seed := grantsSeed(120)
	for i := range 30 {
		seed.Partnerships = append(seed.Partnerships, emulator.Partnership{
			Partner:        emulator.Partner{Type: "APPID", AppID: fmt.Sprintf("wxfavor%06d", i)},
			AuthorizedData: emulator.AuthorizedData{BusinessType: "FAVOR_STOCK", StockID: fmt.Sprintf("96%06d", i)},
		})
	}
	for i := range 20 {
		seed.Partnerships = append(seed.Partnerships, emulator.Partnership{
			Partner:        emulator.Partner{Type: "MERCHANT", MerchantID: fmt.Sprintf("19100%05d", i)},
			AuthorizedData: emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: fmt.Sprintf("95%06d", i)},
		})
	}
	return seed
}

func TestListAllPartnerships(t *testing.T) {
	ctx := context.Background()
	c, emu := newPartnershipsEnv(t, mixedGrants())
	gp, gd := grant(7)
	if !emu.TerminatePartnership(emuPartner(gp), emuData(gd)) {
		t.Fatal("emulator could not terminate grant 7")
	}

	busifavor := &wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeBusifavorStock}
	cases := []struct {
		name  string
		f     wxpay.PartnershipFilter
		want  int
		calls int // ⌈want/50⌉, and one call when nothing matches
	}{
		{"business type", wxpay.PartnershipFilter{AuthorizedData: busifavor}, 140, 3},
		{"other business type", wxpay.PartnershipFilter{AuthorizedData: &wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeFavorStock}}, 30, 1},
		{"partner type", wxpay.PartnershipFilter{AuthorizedData: busifavor, Partner: &wxpay.Partner{Type: wxpay.PartnerTypeMerchant}}, 20, 1},
		{"one stock", wxpay.PartnershipFilter{AuthorizedData: &wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeBusifavorStock, StockID: "97000042"}}, 1, 1},
		{"exactly one page", wxpay.PartnershipFilter{AuthorizedData: busifavor, Partner: &wxpay.Partner{Type: wxpay.PartnerTypeAppID}}, 120, 3},
		{"nothing matches", wxpay.PartnershipFilter{AuthorizedData: &wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeBusifavorStock, StockID: "nosuchstock"}}, 0, 1},
		// The limit and offset of the filter do not cut the listing short.
		{"limit and offset ignored", wxpay.PartnershipFilter{AuthorizedData: busifavor, Limit: 5, Offset: 100}, 140, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu.ClearCalls()
			got, err := c.ListAllPartnerships(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || len(got) != tc.want {
				t.Fatalf("%d partnerships (nil: %v), want %d", len(got), got == nil, tc.want)
			}
			if n := emu.CountCalls(http.MethodGet, "/v3/marketing/partnerships"); n != tc.calls {
				t.Errorf("%d list calls, want %d", n, tc.calls)
			}
			seen := map[string]bool{}
			for _, p := range got {
				k := fmt.Sprintf("%s:%s:%s:%s", p.Partner.Type, p.Partner.AppID+p.Partner.MerchantID, p.AuthorizedData.BusinessType, p.AuthorizedData.StockID)
				if seen[k] {
					t.Errorf("%s listed twice", k)
				}
				seen[k] = true
				if tc.f.AuthorizedData != nil && p.AuthorizedData.BusinessType != tc.f.AuthorizedData.BusinessType {
					t.Errorf("%s does not match the filter", k)
				}
			}
		})
	}

	all, err := c.ListAllPartnerships(ctx, wxpay.PartnershipFilter{AuthorizedData: busifavor})
	if err != nil {
		t.Fatal(err)
	}
	states := map[wxpay.PartnershipState]int{}
	for _, p := range all {
		states[p.State]++
		if p.Same(gp, gd) && (p.State != wxpay.PartnershipTerminated || p.TerminateTime == "") {
			t.Errorf("grant 7 listed as %+v, want terminated with its terminate_time", p)
		}
	}
	if states[wxpay.PartnershipEstablished] != 139 || states[wxpay.PartnershipTerminated] != 1 {
		t.Errorf("states %v, want 139 established and 1 terminated", states)
	}
}

// A list that ends before the total its first page announced (WeChat Pay paging otherwise than
// by item offset, or records gone between pages) is an error, never a short list.
func TestListAllPartnershipsEndsEarly(t *testing.T) {
	c, emu := newPartnershipsEnv(t, grantsSeed(120))
	var calls atomic.Int32
	// The second page finds a list of 50: as if offset 50 meant page 50.
	shrink := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v3/marketing/partnerships" && calls.Add(1) == 2 {
				emu.Reset()
				if err := emu.Seed(merchantOwned(grantsSeed(50))); err != nil {
					t.Error(err)
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	c = clientFor(t, emu, shrink)
	_, err := c.ListAllPartnerships(context.Background(),
		wxpay.PartnershipFilter{AuthorizedData: &wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeBusifavorStock}})
	if err == nil || !strings.Contains(err.Error(), "ended after 50 of the 120") {
		t.Fatalf("err = %v, want the listing reported as ending after 50 of 120", err)
	}
}

// clientFor is a client of emu served through wrap, signing as its ordinary merchant.
func clientFor(t *testing.T, emu *emulator.Server, wrap func(http.Handler) http.Handler) *wxpay.Client {
	t.Helper()
	ts := httptest.NewServer(wrap(emu))
	t.Cleanup(ts.Close)
	cfg := clientConfig(t, emu.Keys(), emulator.CallerMerchant, ts.URL)
	cfg.BackoffMax = time.Millisecond
	c, err := wxpay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A reader that has what it wants reads no further page.
func TestEachPartnershipStopsEarly(t *testing.T) {
	c, emu := newPartnershipsEnv(t, grantsSeed(120))
	var got []wxpay.Partnership
	err := c.EachPartnership(context.Background(),
		wxpay.PartnershipFilter{AuthorizedData: &wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeBusifavorStock}},
		func(p wxpay.Partnership) bool { got = append(got, p); return len(got) < 10 })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 {
		t.Errorf("%d partnerships handed over, want 10", len(got))
	}
	if n := emu.CountCalls(http.MethodGet, "/v3/marketing/partnerships"); n != 1 {
		t.Errorf("%d list calls, want 1", n)
	}
}
