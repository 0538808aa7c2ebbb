package wxpay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
)

// ActivityMerchantsChange is one change of a pay-gift activity's merchants, as one Terraform
// create, update or delete makes it: ids to add and to remove, sent in calls of at most
// MaxActivityMerchantsPerChange ids each. The calls go through the activity's lane (see
// paygift_batch.go): one call of the activity at a time, and the changes of other callers that
// wait meanwhile travel together in the next one.
//
// Every call carries a request number (add_request_no / delete_request_no) of its own, from the
// random part of the change of the request that leads it, drawn once per change, and the
// client's retries of a call send the same number and the same body: WeChat Pay sees a retry
// after a lost answer as the same business request. No number is ever used for another call. A
// change is not safe for concurrent use.
type ActivityMerchantsChange struct {
	c          *Client
	activityID string
	prefix     string       // "tf-" and 20 random hex digits
	adds, dels atomic.Int64 // the numbers drawn so far; a batch's confirmation draws from its leader's
}

// NewActivityMerchantsChange starts a change of the activity's merchants. It makes no call.
func (c *Client) NewActivityMerchantsChange(activityID string) *ActivityMerchantsChange {
	b := make([]byte, 10)
	_, _ = rand.Read(b) // never fails: crypto/rand crashes the program rather than return an error
	return &ActivityMerchantsChange{c: c, activityID: activityID, prefix: "tf-" + hex.EncodeToString(b)}
}

// Add makes the ids members, in calls of at most MaxActivityMerchantsPerChange ids. It returns the
// ids that became members, the ids WeChat Pay refused (with its reasons; they did not become
// members), and the error that stopped it; what it returns is true even with an error. A refusal
// for the activity's status is an *ActivityNotRunningError when the status could be read.
func (ch *ActivityMerchantsChange) Add(ctx context.Context, ids []string) (added []string, refused []InvalidMerchant, err error) {
	for _, chunk := range chunks(ids) {
		out := ch.c.changeMembers(ctx, ch, kindAdd, chunk)
		if out.err != nil {
			return added, refused, out.err
		}
		added = append(added, out.added...)
		refused = append(refused, out.refused...)
	}
	return added, refused, nil
}

// Remove removes the ids, in calls of at most MaxActivityMerchantsPerChange ids, and returns the
// ids removed before any error, with the error that stopped it (as for Add).
func (ch *ActivityMerchantsChange) Remove(ctx context.Context, ids []string) (removed []string, err error) {
	for _, chunk := range chunks(ids) {
		out := ch.c.changeMembers(ctx, ch, kindDelete, chunk)
		if out.err != nil {
			return removed, out.err
		}
		removed = append(removed, out.added...)
	}
	return removed, nil
}

// repeatRefused reports whether err may be WeChat Pay refusing a retry as a repeat of a request
// number it already applied: a 400 INVALID_REQUEST to a call that was sent more than once (an
// earlier attempt got no answer or a transient one), other than an unknown activity. The pages say
// only that the number is unique on the merchant side, so a repeat may be answered as the first
// time, refused, or applied again; the text of such a refusal is not documented and decides
// nothing: the member list does (confirmAdd, confirmRemove).
func repeatRefused(err error) bool {
	var ae *APIError
	return refusedAsInvalid(err) && errors.As(err, &ae) && ae.Attempts > 1 && !IsNotFound(err)
}

// confirmAdd settles an add whose retry was refused: an earlier attempt may have been applied
// with its answer lost. It reads the member list; the ids of the chunk that are members are
// added, and the others are sent once more under a new request number, whose answer says which
// WeChat Pay refuses and why (an id it refused the first time is refused again, and adding one
// that joined meanwhile changes nothing). When the list cannot be read, refusal stands.
func (ch *ActivityMerchantsChange) confirmAdd(ctx context.Context, chunk []string, refusal error) (*AddActivityMerchantsResult, error) {
	members, err := ch.memberSet(ctx, refusal)
	if err != nil {
		return nil, refusal
	}
	var missing []string
	for _, id := range chunk {
		if !members[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return &AddActivityMerchantsResult{ActivityID: ch.activityID}, nil
	}
	return ch.c.AddActivityMerchants(ctx, ch.activityID, missing, ch.number("add", &ch.adds))
}

// confirmRemove settles a delete whose retry was refused, as confirmAdd does an add: ids still
// members are sent once more under a new request number.
func (ch *ActivityMerchantsChange) confirmRemove(ctx context.Context, chunk []string, refusal error) error {
	members, err := ch.memberSet(ctx, refusal)
	if err != nil {
		return refusal
	}
	var still []string
	for _, id := range chunk {
		if members[id] {
			still = append(still, id)
		}
	}
	if len(still) == 0 {
		return nil
	}
	_, err = ch.c.DeleteActivityMerchants(ctx, ch.activityID, still, ch.number("del", &ch.dels))
	return err
}

// memberSet reads the activity's members after refusal, for confirmAdd and confirmRemove.
func (ch *ActivityMerchantsChange) memberSet(ctx context.Context, refusal error) (map[string]bool, error) {
	ch.c.log.InfoContext(ctx, "WeChat Pay refused a retried pay-gift change; reading the member list to see whether an "+
		"earlier attempt was applied", "activity_id", ch.activityID, "refusal", refusal.Error())
	list, err := ch.c.ListAllActivityMerchants(ctx, ch.activityID)
	if err != nil {
		return nil, err
	}
	members := make(map[string]bool, len(list))
	for _, m := range list {
		members[m.Mchid] = true
	}
	return members, nil
}

// number returns the request number of the next call of a kind: at most 36 characters of
// [0-9a-z-], inside the documented [1,128] and A-Za-z0-9|_*- of both request numbers.
func (ch *ActivityMerchantsChange) number(kind string, calls *atomic.Int64) string {
	return fmt.Sprintf("%s-%s-%d", ch.prefix, kind, calls.Add(1)-1)
}

// chunks splits ids into the calls of a change.
func chunks(ids []string) [][]string {
	var out [][]string
	for len(ids) > 0 {
		n := min(len(ids), MaxActivityMerchantsPerChange)
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return out
}

// refusal returns err, or, when WeChat Pay refused the change by a rule (RULE_LIMIT) that is not a
// change in progress and the activity is not running, an ActivityNotRunningError naming its
// status: the refusal's message does not always carry it.
func (ch *ActivityMerchantsChange) refusal(ctx context.Context, err error) error {
	if !HasCode(err, "RULE_LIMIT") || IsTransient(err) {
		return err
	}
	act, aerr := ch.c.GetActivity(ctx, ch.activityID)
	if aerr != nil || act.ActivityStatus == ActivityStatusOngoing {
		return err
	}
	return &ActivityNotRunningError{ActivityID: ch.activityID, Status: act.ActivityStatus, Err: err}
}

// ActivityNotRunningError is a change of an activity's merchants that WeChat Pay refused while the
// activity was not running: Status, read after the refusal, is not ActivityStatusOngoing, the only
// status in which its merchants may change. Err is the refusal.
type ActivityNotRunningError struct {
	ActivityID string
	Status     string
	Err        error
}

func (e *ActivityNotRunningError) Error() string {
	return fmt.Sprintf("wechatpay: activity %s is %s, not %s: %v", e.ActivityID, e.Status, ActivityStatusOngoing, e.Err)
}

func (e *ActivityNotRunningError) Unwrap() error { return e.Err }
