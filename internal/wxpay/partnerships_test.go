package wxpay_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// newPartnershipsEnv is a client talking to an in-process emulator of its own. Partnerships are
// an ordinary merchant's (普通商户): the client signs as the emulator's, and the seeded
// partnerships are its own unless a test says otherwise.
func newPartnershipsEnv(t *testing.T, seed emulator.Seed) (*wxpay.Client, *emulator.Server) {
	t.Helper()
	emu, c := emulatorClient(t, merchantOwned(seed), emulator.CallerMerchant, func(c *wxpay.Config) { c.BackoffMax = time.Millisecond })
	return c, emu.Server
}

// merchantOwned is seed with its partnerships owned by the emulator's ordinary merchant, the
// caller of the partnership tests, unless they name their owner.
func merchantOwned(seed emulator.Seed) emulator.Seed {
	seed.Partnerships = slices.Clone(seed.Partnerships)
	for i := range seed.Partnerships {
		if seed.Partnerships[i].OwnerMchid == "" {
			seed.Partnerships[i].OwnerMchid = emulator.CallerMerchant
		}
	}
	return seed
}

var (
	toApp = wxpay.Partner{Type: wxpay.PartnerTypeAppID, AppID: "wx4e1916a585d1f4e9"}
	busi  = wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeBusifavorStock, StockID: "98065001"}
)

func emuPartner(p wxpay.Partner) emulator.Partner {
	return emulator.Partner{Type: string(p.Type), AppID: p.AppID, MerchantID: p.MerchantID}
}

func emuData(d wxpay.AuthorizedData) emulator.AuthorizedData {
	return emulator.AuthorizedData{BusinessType: string(d.BusinessType), StockID: d.StockID}
}

func TestPartnershipLifecycle(t *testing.T) {
	ctx := context.Background()
	c, emu := newPartnershipsEnv(t, emulator.Seed{})

	built, err := c.BuildPartnership(ctx, "build-1", toApp, busi)
	if err != nil {
		t.Fatal(err)
	}
	if built.State != wxpay.PartnershipEstablished || built.BuildTime == "" || !built.Same(toApp, busi) {
		t.Fatalf("build answered %+v", built)
	}
	if p, ok := emu.Partnership(emuPartner(toApp), emuData(busi)); !ok || p.State != emulator.PartnershipEstablished {
		t.Fatalf("emulator has %+v, %v after build", p, ok)
	}

	emu.ClearCalls()
	got, err := c.FindPartnership(ctx, toApp, busi)
	if err != nil {
		t.Fatalf("find after build: %v", err)
	}
	if got.State != wxpay.PartnershipEstablished || got.BuildTime != built.BuildTime {
		t.Errorf("find answered %+v, want the built partnership", got)
	}
	// The filter objects travel as URL-encoded JSON; the emulator accepted the signature over
	// exactly these bytes, so they are what was signed.
	calls := emu.Calls()
	if len(calls) != 1 {
		t.Fatalf("find made %d calls, want 1", len(calls))
	}
	wantQuery := url.Values{
		"partner":         {`{"type":"APPID","appid":"wx4e1916a585d1f4e9"}`},
		"authorized_data": {`{"business_type":"BUSIFAVOR_STOCK","stock_id":"98065001"}`},
		"limit":           {"50"},
		"offset":          {"0"},
	}.Encode()
	if calls[0].RawQuery != wantQuery || calls[0].Status != http.StatusOK {
		t.Errorf("list call %q answered %d, want query %q answered 200", calls[0].RawQuery, calls[0].Status, wantQuery)
	}

	when, err := c.TerminatePartnership(ctx, "terminate-1", toApp, busi)
	if err != nil || when == "" {
		t.Fatalf("terminate: %q, %v", when, err)
	}
	// A terminated partnership is not found, with the time WeChat Pay lists.
	got, err = c.FindPartnership(ctx, toApp, busi)
	var nf *wxpay.NotFoundError
	if got != nil || !errors.As(err, &nf) || !wxpay.IsNotFound(err) || nf.Reason != "WeChat Pay lists it as terminated at "+when {
		t.Fatalf("find after terminate: %+v, %v; want a NotFoundError naming the terminate time", got, err)
	}

	_, err = c.TerminatePartnership(ctx, "terminate-2", toApp, busi)
	if !wxpay.IsNotFound(err) {
		t.Errorf("terminating again: %v, want an error for which IsNotFound is true", err)
	}
}

// A build whose answer is lost is retried with the same Idempotency-Key and applied once.
func TestBuildPartnershipLostAnswer(t *testing.T) {
	c, emu := newPartnershipsEnv(t, emulator.Seed{})
	emu.InjectFault(emulator.Fault{Method: http.MethodPost, Path: "/v3/marketing/partnerships/build",
		Kind: emulator.FaultDropAfterApply, Count: 1})

	if _, err := c.BuildPartnership(context.Background(), "build-lost-1", toApp, busi); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, call := range emu.Calls() {
		if call.Path == "/v3/marketing/partnerships/build" {
			keys = append(keys, call.RequestNo)
		}
	}
	if len(keys) != 2 || keys[0] != "build-lost-1" || keys[1] != "build-lost-1" {
		t.Errorf("build calls carried Idempotency-Keys %q, want the same key twice", keys)
	}
	if n := emu.CountApplied(http.MethodPost, "/v3/marketing/partnerships/build"); n != 1 {
		t.Errorf("%d builds applied, want 1", n)
	}
}

func TestListPartnershipsNoMatch(t *testing.T) {
	c, emu := newPartnershipsEnv(t, emulator.Seed{Partnerships: []emulator.Partnership{
		{Partner: emuPartner(toApp), AuthorizedData: emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "1"}},
	}})
	ctx := context.Background()

	page, err := c.ListPartnerships(ctx, wxpay.PartnershipFilter{AuthorizedData: &busi})
	if err != nil {
		t.Fatalf("nothing matching should be a result, not an error: %v", err)
	}
	if !page.NoMatch || len(page.Data) != 0 {
		t.Errorf("page = %+v, want NoMatch and no data", page)
	}
	if calls := emu.Calls(); len(calls) != 1 || calls[0].Status != http.StatusNotFound {
		t.Fatalf("calls %+v, want one answered 404", calls)
	}

	p, err := c.FindPartnership(ctx, toApp, busi)
	var nf *wxpay.NotFoundError
	if p != nil || !errors.As(err, &nf) || !wxpay.IsNotFound(err) {
		t.Errorf("find = %+v, %v; want a NotFoundError", p, err)
	}
}

// Find makes one call however many partnerships the caller has.
func TestFindPartnershipAmongMany(t *testing.T) {
	var seed emulator.Seed
	for i := range 120 {
		seed.Partnerships = append(seed.Partnerships, emulator.Partnership{
			Partner:        emuPartner(toApp),
			AuthorizedData: emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: fmt.Sprint(98064900 + i)},
		})
	}
	c, emu := newPartnershipsEnv(t, seed)
	p, err := c.FindPartnership(context.Background(), toApp, busi)
	if err != nil || !p.Same(toApp, busi) {
		t.Fatalf("find = %+v, %v", p, err)
	}
	if n := emu.CountCalls(http.MethodGet, "/v3/marketing/partnerships"); n != 1 {
		t.Errorf("%d list calls, want 1", n)
	}
}

func TestPartnershipRefusals(t *testing.T) {
	toMerchant := wxpay.Partner{Type: wxpay.PartnerTypeMerchant, MerchantID: "1900000109"}
	favor := wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeFavorStock, StockID: "2433405"}
	tests := []struct {
		name     string
		call     func(context.Context, *wxpay.Client) error
		wantCode string
		calls    int
	}{
		{"FAVOR_STOCK to a merchant", func(ctx context.Context, c *wxpay.Client) error {
			_, err := c.BuildPartnership(ctx, "b1", toMerchant, favor)
			return err
		}, "PARAM_ERROR", 1},
		{"build without key", func(ctx context.Context, c *wxpay.Client) error {
			_, err := c.BuildPartnership(ctx, "", toApp, busi)
			return err
		}, "", 0},
		{"limit above 50", func(ctx context.Context, c *wxpay.Client) error {
			_, err := c.ListPartnerships(ctx, wxpay.PartnershipFilter{Limit: 51})
			return err
		}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, emu := newPartnershipsEnv(t, emulator.Seed{})
			err := tt.call(context.Background(), c)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantCode != "" && !wxpay.HasCode(err, tt.wantCode) {
				t.Errorf("error %v, want code %s", err, tt.wantCode)
			}
			if n := len(emu.Calls()); n != tt.calls {
				t.Errorf("%d calls reached the emulator, want %d", n, tt.calls)
			}
		})
	}
}

// Terminating a partnership terminated out of band, or never built, is answered as the
// partnership-terminate-again dialect says: the invented text, another INVALID_REQUEST, or 200.
// Under each, TerminatePartnership says the partnership is gone (IsNotFound), deciding on a read
// of the list rather than on the refusal's text; a refusal of an established partnership stays
// an error.
func TestTerminatePartnershipAlreadyTerminated(t *testing.T) {
	for _, reading := range []string{"400-invented", "400-invalid-request", "200"} {
		for _, empty := range []string{"404", "400-invalid-request", "empty-200"} {
			t.Run(reading+"/list-empty-"+empty, func(t *testing.T) {
				ctx := context.Background()
				c, emu := newPartnershipsEnv(t, emulator.Seed{Partnerships: []emulator.Partnership{
					{Partner: emuPartner(toApp), AuthorizedData: emuData(busi)}}})
				emu.SetDialects(map[string]string{emulator.DialectPartnershipTerminateGone: reading,
					emulator.DialectPartnershipListEmpty: empty})
				if !emu.TerminatePartnership(emuPartner(toApp), emuData(busi)) {
					t.Fatal("nothing to terminate out of band")
				}
				_, err := c.TerminatePartnership(ctx, "t-again", toApp, busi)
				if err != nil && !wxpay.IsNotFound(err) {
					t.Errorf("terminated out of band: %v, want success or IsNotFound", err)
				}
				never := wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeBusifavorStock, StockID: "98065999"}
				if _, err := c.TerminatePartnership(ctx, "t-never", toApp, never); !wxpay.IsNotFound(err) {
					t.Errorf("never built: %v, want IsNotFound", err)
				}
				if n := emu.CountApplied("", ""); n != 0 {
					t.Errorf("%d calls applied a change, want none", n)
				}
			})
		}
	}
}

// A terminate refused while the list shows the partnership established is WeChat Pay's answer,
// whatever its text says.
func TestTerminatePartnershipRefusedWhileEstablished(t *testing.T) {
	c, emu := newPartnershipsEnv(t, emulator.Seed{Partnerships: []emulator.Partnership{
		{Partner: emuPartner(toApp), AuthorizedData: emuData(busi)}}})
	emu.InjectFault(emulator.Fault{Method: http.MethodPost, Path: "/v3/marketing/partnerships/terminate",
		Kind: emulator.FaultStatus, Status: 400, Code: "INVALID_REQUEST", Message: "合作关系不存在或已终止", Count: 1})
	_, err := c.TerminatePartnership(context.Background(), "t1", toApp, busi)
	if wxpay.IsNotFound(err) || !wxpay.HasCode(err, "INVALID_REQUEST") {
		t.Fatalf("err = %v, want the refusal itself", err)
	}
}

// Nothing matching is no match under every partnership-list-empty reading: Find says not
// found, the whole list is empty, and neither is an error.
func TestPartnershipListEmptyUnderEveryReading(t *testing.T) {
	for _, empty := range []string{"404", "400-invalid-request", "empty-200"} {
		t.Run(empty, func(t *testing.T) {
			ctx := context.Background()
			c, emu := newPartnershipsEnv(t, emulator.Seed{})
			emu.SetDialect(emulator.DialectPartnershipListEmpty, empty)
			if _, err := c.FindPartnership(ctx, toApp, busi); !wxpay.IsNotFound(err) {
				t.Errorf("find: %v, want IsNotFound", err)
			}
			if _, err := c.LookupPartnership(ctx, toApp, busi); !wxpay.IsNotFound(err) {
				t.Errorf("lookup: %v, want IsNotFound", err)
			}
			all, err := c.ListAllPartnerships(ctx, wxpay.PartnershipFilter{AuthorizedData: &wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeBusifavorStock}})
			if err != nil || len(all) != 0 {
				t.Errorf("list all: %v, %v; want an empty list", all, err)
			}
		})
	}
}
