package wxpay

import (
	"context"
	"errors"
	"maps"
	"sync"
	"time"
)

// FindActivityMember answers the lookups of one run from one shared reading of the activity's
// member list: WeChat Pay only lists an activity's members, page by page, so K lookups would
// otherwise read the list K times. A merchant is reported absent only when two readings in a row
// do not show it, so that a page shifted by a concurrent change never makes a member look gone.
// A reading is dropped after memberListMaxAge, and once an add or delete of its activity through
// the client has returned, unless the client knows what that write did: an add or delete that
// got WeChat Pay's answer, sent while no other write of the activity was under way, after the
// latest reading was complete. Such a write updates that reading (and the one before it) instead,
// since it is then what a reading after the write would show of the client's own change;
// Terraform's creates of many memberships then read the list twice in a run rather than about
// twice per create. A change made elsewhere meanwhile shows once the reading ages out, as for any
// reading: a create checks for a membership made outside Terraform against a reading at most
// memberListMaxAge old.
const memberListMaxAge = 5 * time.Minute

// activityMembers is the client's record of the member list readings of one run, per activity.
// Its zero value is ready to use.
type activityMembers struct {
	mu         sync.Mutex
	activities map[string]*activityReadings
}

type activityReadings struct {
	writes  uint64 // adds and deletes of the activity through the client that returned
	writing int    // adds and deletes of the activity under way
	read    uint64 // readings started so far
	latest  *memberReading
}

// memberReading is one reading of an activity's member list, or a reading updated with the
// client's own writes since (seq and started are then the reading's). done is closed when members
// or err is set; members and previous never change after that.
type memberReading struct {
	seq     uint64
	writes  uint64 // the activity's write count when it started
	started time.Time
	done    chan struct{}
	members map[string]ActivityMerchant
	err     error

	// previous is the members of the reading before this one, if it was complete and current
	// when this one started.
	previous map[string]ActivityMerchant
}

// FindActivityMember returns a member of the activity, from a reading of its member list shared
// with the other lookups of the run. A merchant absent from two readings in a row is a
// NotFoundError; so is, through WeChat Pay's answer, an activity that does not exist (IsNotFound
// is true for both).
func (c *Client) FindActivityMember(ctx context.Context, activityID, merchantID string) (*ActivityMerchant, error) {
	r, err := c.memberReading(ctx, activityID, 0)
	if err != nil {
		return nil, err
	}
	if m, ok := r.members[merchantID]; ok {
		return &m, nil
	}
	if r.previous != nil {
		if _, was := r.previous[merchantID]; !was {
			return nil, memberNotFound(activityID, merchantID)
		}
	}
	if r, err = c.memberReading(ctx, activityID, r.seq); err != nil {
		return nil, err
	}
	if m, ok := r.members[merchantID]; ok {
		return &m, nil
	}
	return nil, memberNotFound(activityID, merchantID)
}

func memberNotFound(activityID, merchantID string) error {
	return &NotFoundError{Object: "merchant " + merchantID + " of pay-gift activity " + activityID,
		Reason: "two readings in a row of the activity's member list do not show it"}
}

// memberReading returns a complete, current reading of the activity's members that started
// after reading number after, reading the list if no such reading is under way.
func (c *Client) memberReading(ctx context.Context, activityID string, after uint64) (*memberReading, error) {
	m := &c.members
	for {
		m.mu.Lock()
		a := record(&m.activities, activityID)
		r, mine := a.latest, false
		if r == nil || r.seq <= after || !a.current(r, c.now()) || (finished(r) && r.err != nil) {
			a.read++
			next := &memberReading{seq: a.read, writes: a.writes, started: c.now(), done: make(chan struct{})}
			if r != nil && finished(r) && r.err == nil && a.current(r, c.now()) {
				next.previous = r.members
			}
			r, a.latest, mine = next, next, true
		}
		m.mu.Unlock()

		if mine {
			ids, err := c.ListAllActivityMerchants(ctx, activityID)
			if err == nil {
				r.members = make(map[string]ActivityMerchant, len(ids))
				for _, m := range ids {
					r.members[m.Mchid] = m
				}
			}
			r.err = err
			close(r.done)
		}
		select {
		case <-r.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if r.err != nil {
			// WeChat Pay's answer (an unknown activity, say) holds for every lookup; a reading
			// that got none may have failed for its own lookup's deadline: read again ourselves.
			var apiErr *APIError
			if mine || errors.As(r.err, &apiErr) {
				return nil, r.err
			}
			continue
		}
		m.mu.Lock()
		current := a.current(r, c.now())
		m.mu.Unlock()
		if current {
			return r, nil
		}
		// An add or delete returned while the list was read: read it again.
	}
}

// current reports whether a reading may still answer lookups. The caller holds the lock.
func (a *activityReadings) current(r *memberReading, now time.Time) bool {
	return r.writes == a.writes && now.Sub(r.started) <= memberListMaxAge
}

// finished reports whether a reading is complete or has failed.
func finished(r *memberReading) bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// memberWrite is an add or delete of an activity's members under way.
type memberWrite struct {
	activityID string
	// base is the latest reading when the write started, if it was complete and current and no
	// other write was under way: the reading the write's known effect may update.
	base *memberReading
}

// memberEffect is what an add or delete that got WeChat Pay's answer did to the member list.
type memberEffect struct {
	added   []string // became members (the ids an add sent, less those it refused)
	addTime string
	removed []string // are no longer members
}

// membersWriting records that an add or delete of the activity starts.
func (c *Client) membersWriting(activityID string) memberWrite {
	c.members.mu.Lock()
	defer c.members.mu.Unlock()
	a := record(&c.members.activities, activityID)
	w := memberWrite{activityID: activityID}
	if r := a.latest; a.writing == 0 && r != nil && finished(r) && r.err == nil && a.current(r, c.now()) {
		w.base = r
	}
	a.writing++
	return w
}

// membersWritten records that a write returned, and retires every reading of the activity so
// far, so that a reading that may not show the write is never used again. When effect is known
// (the write got WeChat Pay's answer) and the write's base reading is still the latest and no
// other write returned meanwhile, that reading, updated with effect, answers later lookups
// instead.
func (c *Client) membersWritten(w memberWrite, effect *memberEffect) {
	c.members.mu.Lock()
	defer c.members.mu.Unlock()
	a := record(&c.members.activities, w.activityID)
	a.writing--
	a.writes++
	if effect != nil && w.base != nil && a.latest == w.base && w.base.writes+1 == a.writes {
		a.latest = w.base.updated(effect, a.writes)
	}
}

// updated is the reading as it would be after effect, current at the given write count.
func (r *memberReading) updated(effect *memberEffect, writes uint64) *memberReading {
	apply := func(members map[string]ActivityMerchant) map[string]ActivityMerchant {
		if members == nil {
			return nil
		}
		out := maps.Clone(members)
		for _, id := range effect.removed {
			delete(out, id)
		}
		for _, id := range effect.added {
			if _, ok := out[id]; !ok {
				out[id] = ActivityMerchant{Mchid: id, CreateTime: effect.addTime, UpdateTime: effect.addTime}
			}
		}
		return out
	}
	done := make(chan struct{})
	close(done)
	return &memberReading{seq: r.seq, writes: writes, started: r.started, done: done,
		members: apply(r.members), previous: apply(r.previous)}
}
