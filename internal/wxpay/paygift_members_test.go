package wxpay_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// isMember looks memberships up as a Terraform refresh does; err is the first error seen.
func isMember(c *wxpay.Client, ids []string) (map[string]bool, error) {
	type answer struct {
		member bool
		err    error
	}
	answers := tenAtATime(ids, func(id string) answer {
		member, err := findMember(c, id)
		return answer{member, err}
	})
	out := map[string]bool{}
	for id, a := range answers {
		if a.err != nil {
			return nil, a.err
		}
		out[id] = a.member
	}
	return out, nil
}

// findMember looks one membership up: a NotFoundError, and only that, says it is absent.
func findMember(c *wxpay.Client, id string) (bool, error) {
	m, err := c.FindActivityMember(context.Background(), payGiftActivity, id)
	var nf *wxpay.NotFoundError
	switch {
	case errors.As(err, &nf) && wxpay.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, err
	case m.Mchid != id:
		return false, fmt.Errorf("looked up %s, found %+v", id, m)
	}
	return true, nil
}

// A run's lookups of one activity share one reading of its member list.
func TestFindActivityMemberSharesOneReading(t *testing.T) {
	srv, c := payGiftEnv(t, 250)
	for _, id := range subMchids(0, 250) {
		srv.AddActivityMember(payGiftActivity, id)
	}
	got, err := isMember(c, subMchids(0, 250))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range subMchids(0, 250) {
		if !got[id] {
			t.Errorf("%s: not a member, want a member", id)
		}
	}
	if n := srv.CountCalls(http.MethodGet, listPath); n != 3 {
		t.Errorf("%d list calls for 250 lookups, want 3 (one reading of 250 members)", n)
	}
}

// A merchant missing from the list is looked for in a second reading, shared by every lookup that
// misses, before it is reported absent.
func TestFindActivityMemberConfirmsAbsence(t *testing.T) {
	srv, c := payGiftEnv(t, 150)
	for _, id := range subMchids(0, 120) {
		srv.AddActivityMember(payGiftActivity, id)
	}
	got, err := isMember(c, subMchids(100, 150)) // 100-119 members, 120-149 not
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range subMchids(100, 150) {
		if want := i < 20; got[id] != want {
			t.Errorf("%s: member %v, want %v", id, got[id], want)
		}
	}
	if n := srv.CountCalls(http.MethodGet, listPath); n != 4 {
		t.Errorf("%d list calls, want 4 (two readings of 2 pages)", n)
	}
}

// An add or delete through the client retires the readings made before it.
func TestFindActivityMemberAfterWrite(t *testing.T) {
	ctx := context.Background()
	srv, c := payGiftEnv(t, 10)
	srv.AddActivityMember(payGiftActivity, subMchid(0))
	if member, err := findMember(c, subMchid(0)); err != nil || !member {
		t.Fatalf("before the delete: %v, %v", member, err)
	}
	if _, err := c.DeleteActivityMerchants(ctx, payGiftActivity, []string{subMchid(0)}, "members-del-1"); err != nil {
		t.Fatal(err)
	}
	srv.ClearCalls()
	if member, err := findMember(c, subMchid(0)); err != nil || member {
		t.Errorf("after the delete: member %v, err %v; want not a member", member, err)
	}
	if _, err := c.AddActivityMerchants(ctx, payGiftActivity, []string{subMchid(1)}, "members-add-1"); err != nil {
		t.Fatal(err)
	}
	if member, err := findMember(c, subMchid(1)); err != nil || !member {
		t.Errorf("after the add: member %v, err %v; want a member", member, err)
	}
}

// An unknown activity is an error for which IsNotFound is true, for every lookup, and the
// lookups waiting for the reading that got that answer share it rather than ask again.
func TestFindActivityMemberUnknownActivity(t *testing.T) {
	srv, c := payGiftEnv(t, 0)
	const unknown = "10099999"
	unknownList := "/v3/marketing/paygiftactivity/activities/" + unknown + "/merchants"
	// The first list call answers late, so that all ten lookups wait for the same reading.
	srv.InjectFault(emulator.Fault{Method: http.MethodGet, Path: unknownList, Kind: emulator.FaultLatency,
		Latency: time.Second, Count: 1})
	answers := tenAtATime(subMchids(0, 10), func(id string) error {
		_, err := c.FindActivityMember(context.Background(), unknown, id)
		return err
	})
	for id, err := range answers {
		var ae *wxpay.APIError
		if !wxpay.IsNotFound(err) || !errors.As(err, &ae) {
			t.Errorf("%s: %v, want WeChat Pay's answer, for which IsNotFound is true", id, err)
		}
	}
	if n := srv.CountCalls(http.MethodGet, unknownList); n != 1 {
		t.Errorf("%d list calls for 10 lookups of an unknown activity, want 1", n)
	}
}

// An activity WeChat Pay no longer knows is gone under both answers the delete page documents
// (paygift-unknown-activity): lookups say not found, removals count as done, and any other
// refusal stays an error.
func TestUnknownActivityUnderEveryReading(t *testing.T) {
	for _, reading := range []string{"404", "400-documented"} {
		t.Run(reading, func(t *testing.T) {
			ctx := context.Background()
			srv, c := payGiftEnv(t, 1)
			srv.SetDialect(emulator.DialectPayGiftUnknownActivity, reading)
			srv.RemoveActivity(payGiftActivity)
			if _, err := c.FindActivityMember(ctx, payGiftActivity, subMchid(0)); !wxpay.IsNotFound(err) {
				t.Errorf("lookup: %v, want IsNotFound", err)
			}
			if _, err := c.NewActivityMerchantsChange(payGiftActivity).Remove(ctx, subMchids(0, 1)); !wxpay.IsNotFound(err) {
				t.Errorf("remove: %v, want IsNotFound", err)
			}
			if _, err := c.GetActivity(ctx, payGiftActivity); !wxpay.IsNotFound(err) {
				t.Errorf("details: %v, want IsNotFound", err)
			}
		})
	}
}

// Creates of many memberships, ten at a time, each looking its merchant up before it adds it,
// read the list twice in all: each add that got WeChat Pay's answer updates the shared reading
// rather than retire it, and the two readings rule still holds for every lookup.
func TestFindActivityMemberCreatesReadTwice(t *testing.T) {
	srv, c := payGiftEnv(t, 60)
	srv.AddActivityMember(payGiftActivity, subMchid(59)) // there before the run
	answers := tenAtATime(subMchids(0, 60), func(id string) error {
		member, err := findMember(c, id)
		switch {
		case err != nil:
			return err
		case member:
			return errors.New("already a member")
		}
		_, _, err = c.NewActivityMerchantsChange(payGiftActivity).Add(context.Background(), []string{id})
		return err
	})
	for _, id := range subMchids(0, 59) {
		if answers[id] != nil {
			t.Errorf("%s: %v", id, answers[id])
		}
	}
	if err := answers[subMchid(59)]; err == nil || err.Error() != "already a member" {
		t.Errorf("%s, a member before the run: %v, want it found", subMchid(59), err)
	}
	if n := srv.CountCalls(http.MethodGet, listPath); n != 2 {
		t.Errorf("%d list calls, want 2 (two readings of one page, then the adds' own updates)", n)
	}
	if n := len(srv.ActivityMembers(payGiftActivity)); n != 60 {
		t.Errorf("%d members, want 60", n)
	}
}

// The client's own adds and deletes with an answer update the readings, before and latest, so a
// lookup after them asks nothing; a write whose outcome is unknown retires them.
func TestFindActivityMemberOwnWrites(t *testing.T) {
	ctx := context.Background()
	srv, c := payGiftEnv(t, 10)
	for _, id := range subMchids(0, 3) {
		srv.AddActivityMember(payGiftActivity, id)
	}
	lookups := func(want map[string]bool, wantCalls int) {
		t.Helper()
		srv.ClearCalls()
		for id, wantMember := range want {
			if member, err := findMember(c, id); err != nil || member != wantMember {
				t.Errorf("%s: member %v, err %v; want member %v", id, member, err, wantMember)
			}
		}
		if n := srv.CountCalls(http.MethodGet, listPath); n != wantCalls {
			t.Errorf("%d list calls, want %d", n, wantCalls)
		}
	}
	lookups(map[string]bool{subMchid(5): false}, 2) // absent: two readings
	change := c.NewActivityMerchantsChange(payGiftActivity)
	if _, _, err := change.Add(ctx, []string{subMchid(5), "1900777777"}); err != nil {
		t.Fatal(err)
	}
	if _, err := change.Remove(ctx, []string{subMchid(0)}); err != nil {
		t.Fatal(err)
	}
	lookups(map[string]bool{subMchid(5): true, subMchid(0): false, subMchid(1): true, "1900777777": false, subMchid(6): false}, 0)

	srv.InjectFault(emulator.Fault{Method: http.MethodPost, Path: addPath, Kind: emulator.FaultStatus, Status: 500,
		Code: "SYSTEM_ERROR", Message: "系统错误"})
	if _, _, err := change.Add(ctx, []string{subMchid(6)}); err == nil {
		t.Fatal("the add succeeded through a fault on every attempt")
	}
	srv.ClearFaults()
	lookups(map[string]bool{subMchid(1): true}, 1) // read again: the failed add may have been applied
}
