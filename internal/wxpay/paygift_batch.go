package wxpay

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// The changes of one activity's merchants travel in one lane: one add or delete call of the
// activity at a time, and the requests that arrive while a call is under way wait and then go
// together, adds with adds and deletes with deletes, in calls of at most
// MaxActivityMerchantsPerChange ids. Terraform creates and destroys single memberships ten at a
// time (and a team's for_each holds hundreds), each with one id, while one call takes up to 500;
// and WeChat Pay refuses a change of an activity while another is under way (403 RULE_LIMIT
// "上一次修改还未完成" / "并发修改"), so calls sent side by side only made it retry them.
//
// A call of a batch carries the request number of its first request, drawn by that request's
// change, and its retries carry the same; the numbers of the other requests are never sent. Each
// request gets back its own outcome: its ids added, its ids refused (with the reason and the
// answer's Request-ID), or the call's error, which reaches every request of the batch. A caller
// whose context ends while it waits leaves: a request not yet sent is never sent; one under way
// stays in its call, which ends only when every caller of the batch has left or the latest of
// their deadlines has passed.

// memberChangeKind tells adds from deletes: a batch holds one kind.
type memberChangeKind string

const (
	kindAdd    memberChangeKind = "add"
	kindDelete memberChangeKind = "del"
)

// memberRequest is one caller's part of a change: at most MaxActivityMerchantsPerChange ids of
// one kind.
type memberRequest struct {
	change *ActivityMerchantsChange
	kind   memberChangeKind
	ids    []string
	number string // the request number of a call this request leads
	ctx    context.Context

	batch *memberBatch  // set when the request is sent; guarded by memberLanes.mu
	left  bool          // its caller stopped waiting; guarded by memberLanes.mu
	done  chan struct{} // closed when the outcome is set
	memberOutcome
}

// memberOutcome is what one request's part of a call did.
type memberOutcome struct {
	added   []string          // adds: its ids that became members; deletes: its ids removed
	refused []InvalidMerchant // adds only
	err     error
}

// memberBatch is the requests one call carries.
type memberBatch struct {
	requests []*memberRequest
	waiting  int // requests whose caller still waits; guarded by memberLanes.mu
	cancel   context.CancelFunc
}

// memberLanes queues the changes of the client's activities. Its zero value is ready to use.
type memberLanes struct {
	mu    sync.Mutex
	lanes map[string]*memberLane
}

// memberLane is one activity's queue; it exists while a call of the activity is under way.
type memberLane struct {
	queue []*memberRequest
}

// changeMembers sends one request of a change through its activity's lane and waits for its
// outcome or for ctx to end.
func (c *Client) changeMembers(ctx context.Context, ch *ActivityMerchantsChange, kind memberChangeKind, ids []string) memberOutcome {
	req := &memberRequest{change: ch, kind: kind, ids: ids, ctx: ctx, done: make(chan struct{})}
	if kind == kindAdd {
		req.number = ch.number("add", &ch.adds)
	} else {
		req.number = ch.number("del", &ch.dels)
	}
	l := &c.lanes
	l.mu.Lock()
	lane := l.lanes[ch.activityID]
	if lane == nil {
		if l.lanes == nil {
			l.lanes = map[string]*memberLane{}
		}
		lane = &memberLane{}
		l.lanes[ch.activityID] = lane
		go c.runLane(ch.activityID, lane)
	}
	lane.queue = append(lane.queue, req)
	l.mu.Unlock()

	select {
	case <-req.done:
		return req.memberOutcome
	case <-ctx.Done():
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-req.done:
		return req.memberOutcome
	default:
	}
	req.left = true
	if req.batch == nil {
		lane.queue = slices.DeleteFunc(lane.queue, func(r *memberRequest) bool { return r == req })
		return memberOutcome{err: fmt.Errorf("wechatpay: stopped waiting for another change of activity %s to finish; "+
			"this one was not sent: %w", ch.activityID, context.Cause(ctx))}
	}
	if req.batch.waiting--; req.batch.waiting == 0 {
		req.batch.cancel()
	}
	return memberOutcome{err: fmt.Errorf("wechatpay: stopped waiting for the answer to the %s call of activity %s, "+
		"which was sent: %w", kind, ch.activityID, context.Cause(ctx))}
}

// runLane sends an activity's batches one after the other until its queue is empty.
func (c *Client) runLane(activityID string, lane *memberLane) {
	l := &c.lanes
	for {
		l.mu.Lock()
		b, ctx := lane.next()
		if b == nil {
			delete(l.lanes, activityID)
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()

		c.sendBatch(ctx, activityID, b)
		b.cancel()
	}
}

// next takes the next batch off the queue, with the context its call runs under: the first
// waiting request's kind, and every later request of that kind while the ids fit one call. A
// request left in the queue keeps back every later one that shares an id with it, so that two
// callers' changes of one merchant are sent in the order they came. The caller holds lanes.mu.
func (lane *memberLane) next() (*memberBatch, context.Context) {
	if len(lane.queue) == 0 {
		return nil, nil
	}
	kind := lane.queue[0].kind
	b := &memberBatch{}
	ids := map[string]bool{}  // of the batch
	held := map[string]bool{} // of the requests left in the queue
	var rest []*memberRequest
	for _, r := range lane.queue {
		if r.kind != kind || anyIn(r.ids, held) || len(ids)+countNew(r.ids, ids) > MaxActivityMerchantsPerChange {
			for _, id := range r.ids {
				held[id] = true
			}
			rest = append(rest, r)
			continue
		}
		for _, id := range r.ids {
			ids[id] = true
		}
		b.requests = append(b.requests, r)
	}
	lane.queue = rest

	// The call serves every caller of the batch: it ends when all have left, or at the latest
	// of their deadlines (none if one of them has none).
	first := b.requests[0].ctx
	ctx, cancel := context.WithCancel(context.WithoutCancel(first))
	var latest time.Time
	for _, r := range b.requests {
		r.batch = b
	}
	for _, r := range b.requests {
		d, ok := r.ctx.Deadline()
		if !ok {
			latest = time.Time{}
			break
		}
		if d.After(latest) {
			latest = d
		}
	}
	if !latest.IsZero() {
		var cancelDeadline context.CancelFunc
		ctx, cancelDeadline = context.WithDeadline(ctx, latest)
		outer := cancel
		cancel = func() { cancelDeadline(); outer() }
	}
	b.waiting, b.cancel = len(b.requests), cancel
	return b, ctx
}

func anyIn(ids []string, set map[string]bool) bool {
	return slices.ContainsFunc(ids, func(id string) bool { return set[id] })
}

func countNew(ids []string, set map[string]bool) int {
	n := 0
	seen := map[string]bool{}
	for _, id := range ids {
		if !set[id] && !seen[id] {
			seen[id] = true
			n++
		}
	}
	return n
}

// sendBatch makes one call for the batch's ids under the request number of its first request,
// settles a refused retry and a refusal for the activity's status as a change of one caller
// would, and hands each request its outcome.
func (c *Client) sendBatch(ctx context.Context, activityID string, b *memberBatch) {
	lead := b.requests[0]
	var ids []string
	seen := map[string]bool{}
	for _, r := range b.requests {
		for _, id := range r.ids {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	ch := lead.change

	var invalid map[string]InvalidMerchant
	var err error
	if lead.kind == kindAdd {
		var res *AddActivityMerchantsResult
		res, err = c.AddActivityMerchants(ctx, activityID, ids, lead.number)
		if repeatRefused(err) {
			res, err = ch.confirmAdd(ctx, ids, err)
		}
		if err == nil {
			invalid = make(map[string]InvalidMerchant, len(res.InvalidMerchants))
			for _, inv := range res.InvalidMerchants {
				invalid[inv.Mchid] = inv
			}
		}
	} else {
		_, err = c.DeleteActivityMerchants(ctx, activityID, ids, lead.number)
		if repeatRefused(err) {
			err = ch.confirmRemove(ctx, ids, err)
		}
	}
	if err != nil {
		err = ch.refusal(ctx, err)
	}

	if err != nil && ctx.Err() != nil {
		// The call's context ended: every caller has left, or the latest of their deadlines
		// has passed, so each caller still here sees its own context end at that instant and
		// leaves as any waiter does. Its own context, not this call's error, then tells it
		// (and the provider's advice) that its time ran out.
		return
	}
	c.lanes.mu.Lock()
	defer c.lanes.mu.Unlock()
	for _, r := range b.requests {
		if r.left {
			continue
		}
		if err != nil {
			r.err = err
		} else {
			for _, id := range r.ids {
				if inv, bad := invalid[id]; bad {
					r.refused = append(r.refused, inv)
				} else {
					r.added = append(r.added, id)
				}
			}
		}
		close(r.done)
	}
}
