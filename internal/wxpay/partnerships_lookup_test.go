package wxpay_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// grant i is the i-th partnership of these tests: merchant coupon stock 97xxxxxx to app wxlookxxxxxx.
func grant(i int) (wxpay.Partner, wxpay.AuthorizedData) {
	return wxpay.Partner{Type: wxpay.PartnerTypeAppID, AppID: fmt.Sprintf("wxlook%06d", i)},
		wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeBusifavorStock, StockID: fmt.Sprintf("97%06d", i)}
}

func grantsSeed(n int) emulator.Seed {
	var seed emulator.Seed
	for i := range n {
		p, d := grant(i)
		seed.Partnerships = append(seed.Partnerships, emulator.Partnership{Partner: emuPartner(p), AuthorizedData: emuData(d)})
	}
	return seed
}

type lookupResult struct {
	p     *wxpay.Partnership
	found bool
	gone  string // the NotFoundError's reason when not found
	err   error
}

// tenAtATime calls look for every key as Terraform refreshes resources: ten at a time, by
// default parallelism. It returns the answers by key.
func tenAtATime[K comparable, V any](keys []K, look func(K) V) map[K]V {
	var mu sync.Mutex
	out := map[K]V{}
	next := make(chan K)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for k := range next {
				v := look(k)
				mu.Lock()
				out[k] = v
				mu.Unlock()
			}
		})
	}
	for _, k := range keys {
		next <- k
	}
	close(next)
	wg.Wait()
	return out
}

// lookUp looks grants up as a Terraform refresh does.
func lookUp(c *wxpay.Client, ids []int) map[int]lookupResult {
	return tenAtATime(ids, func(i int) lookupResult {
		p, d := grant(i)
		got, err := c.LookupPartnership(context.Background(), p, d)
		var nf *wxpay.NotFoundError
		if errors.As(err, &nf) && wxpay.IsNotFound(err) {
			return lookupResult{got, false, nf.Reason, nil}
		}
		return lookupResult{got, err == nil, "", err}
	})
}

func span(from, to int) []int {
	var ids []int
	for i := from; i < to; i++ {
		ids = append(ids, i)
	}
	return ids
}

// listCalls counts the list calls by kind: single lookups (filtered by partner) and pages of a
// listing (no partner filter).
func listCalls(emu *emulator.Server) (single, pages int) {
	for _, call := range emu.Calls() {
		if call.Method != http.MethodGet || call.Path != "/v3/marketing/partnerships" {
			continue
		}
		q, _ := url.ParseQuery(call.RawQuery)
		if q.Has("partner") {
			single++
		} else {
			pages++
		}
	}
	return single, pages
}

func TestLookupPartnershipsFromListing(t *testing.T) {
	const n = 120
	c, emu := newPartnershipsEnv(t, grantsSeed(n))
	const gone, unknown = 7, 999
	gp, gd := grant(gone)
	if !emu.TerminatePartnership(emuPartner(gp), emuData(gd)) {
		t.Fatal("emulator could not terminate the grant")
	}
	var ids []int
	for i := range n {
		if i != gone {
			ids = append(ids, i)
		}
	}
	got := lookUp(c, ids)
	for _, i := range []int{gone, unknown} { // after the listing, which does not vouch for them
		for k, v := range lookUp(c, []int{i}) {
			got[k] = v
		}
	}

	if r := got[gone]; r.err != nil || r.found || !strings.Contains(r.gone, "terminated at 20") {
		t.Errorf("terminated grant: %+v, found %v, %q, err %v; want not found as terminated", r.p, r.found, r.gone, r.err)
	}
	if r := got[unknown]; r.err != nil || r.found || !strings.Contains(r.gone, "lists no such partnership") {
		t.Errorf("unknown grant: %+v, found %v, %q, err %v; want not found", r.p, r.found, r.gone, r.err)
	}
	// 50 single lookups, then 3 pages of 120 answer the other 69; the two the listing does not
	// show as established are each confirmed by a single lookup.
	if single, pages := listCalls(emu); single != 52 || pages != 3 || len(emu.Calls()) != 55 {
		t.Errorf("%d single lookups and %d pages (%d calls); want 52 and 3 (55)", single, pages, len(emu.Calls()))
	}
	// Each answer from the listing is the one a single lookup gives.
	for _, i := range ids {
		p, d := grant(i)
		want, err := c.FindPartnership(context.Background(), p, d)
		if err != nil {
			t.Fatal(err)
		}
		if r := got[i]; r.err != nil || !r.found || *r.p != *want || r.p.State != wxpay.PartnershipEstablished {
			t.Errorf("grant %d: %+v, found %v, err %v; want %+v", i, r.p, r.found, r.err, want)
		}
	}
}

// A build or terminate through the client makes the listing read before it unusable.
func TestLookupPartnershipAfterWrite(t *testing.T) {
	ctx := context.Background()
	c, emu := newPartnershipsEnv(t, grantsSeed(60))
	lookUp(c, span(0, 60))
	if single, pages := listCalls(emu); single != 50 || pages != 2 {
		t.Fatalf("%d single lookups and %d pages; want 50 and 2", single, pages)
	}

	p, d := grant(3)
	if _, err := c.TerminatePartnership(ctx, "lookup-terminate-3", p, d); err != nil {
		t.Fatal(err)
	}
	emu.ClearCalls()
	r := lookUp(c, []int{3, 4})
	if r[3].err != nil || r[3].found || !strings.Contains(r[3].gone, "terminated") {
		t.Errorf("terminated grant: %+v, %v, %q, %v; want not found as terminated, not the listing's established record",
			r[3].p, r[3].found, r[3].gone, r[3].err)
	}
	if r[4].err != nil || !r[4].found || r[4].p.State != wxpay.PartnershipEstablished {
		t.Errorf("grant 4: %+v, %v, %v; want established", r[4].p, r[4].found, r[4].err)
	}
	// A new listing (2 pages), which cannot vouch for the terminated grant (1 single lookup).
	if single, pages := listCalls(emu); single != 1 || pages != 2 {
		t.Errorf("%d single lookups and %d pages after the write; want 1 and 2", single, pages)
	}

	bp, bd := grant(60)
	if _, err := c.BuildPartnership(ctx, "lookup-build-60", bp, bd); err != nil {
		t.Fatal(err)
	}
	if r := lookUp(c, []int{60}); r[60].err != nil || !r[60].found || r[60].p.State != wxpay.PartnershipEstablished {
		t.Errorf("grant built after the listing: %+v, %v, %v; want established", r[60].p, r[60].found, r[60].err)
	}
}

// In an account with far more partnerships than are looked up, a listing is only read once the
// single lookups have cost as many calls as it needs: never more than about twice the calls of
// the better way.
func TestLookupPartnershipsLargeAccount(t *testing.T) {
	c, emu := newPartnershipsEnv(t, grantsSeed(3000)) // 60 pages
	lookUp(c, span(0, 59))
	// 50 single lookups, a first page that shows 60 pages are needed, 9 more single lookups.
	if single, pages := listCalls(emu); single != 59 || pages != 1 {
		t.Errorf("after 59 lookups: %d single lookups and %d pages; want 59 and 1", single, pages)
	}
	lookUp(c, span(59, 70))
	// The 60th lookup reads the listing, which answers the 60th to 70th.
	if single, pages := listCalls(emu); single != 59 || pages != 61 {
		t.Errorf("after 70 lookups: %d single lookups and %d pages; want 59 and 61", single, pages)
	}
}

// A listing the list call refuses is not an error of any lookup: they go on one by one.
func TestLookupPartnershipsListingRefused(t *testing.T) {
	c, emu := newPartnershipsEnv(t, grantsSeed(60))
	lookUp(c, span(0, 50))
	emu.InjectFault(emulator.Fault{Method: http.MethodGet, Path: "/v3/marketing/partnerships", Kind: emulator.FaultStatus,
		Status: http.StatusBadRequest, Code: "PARAM_ERROR", Message: "authorized_data.stock_id is required", Count: 1})
	for i, r := range lookUp(c, span(50, 60)) {
		if r.err != nil || !r.found {
			t.Errorf("grant %d: found %v, err %v", i, r.found, r.err)
		}
	}
	if single, pages := listCalls(emu); single != 60 || pages != 1 {
		t.Errorf("%d single lookups and %d pages; want 60 and 1 (the refused one, not tried again)", single, pages)
	}
}
