package wxpay

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// LookupPartnership answers the many lookups of one run (a refresh of hundreds of partnerships,
// each otherwise a signed, rate-limited list call) from one reading of the whole list, as soon as
// that costs fewer calls than the lookups made so far. The first partnershipListAfter lookups of a
// business type are single filtered calls; then the first page tells how many pages the list has,
// and the rest is read once the lookups outnumber them. A listing vouches only for partnerships it
// shows established (any other gets the filtered call, so a concurrent change never makes one look
// gone), and is dropped after a build or terminate through the client and after
// partnershipListMaxAge.
const (
	partnershipListAfter  = PartnershipsMaxLimit
	partnershipListMaxAge = 5 * time.Minute
)

// partnershipLookups is the client's record of the lookups and listings of one run, per
// business type. Its zero value is ready to use.
type partnershipLookups struct {
	mu     sync.Mutex
	writes uint64 // builds and terminates started through the client
	types  map[BusinessType]*typeLookups
}

type typeLookups struct {
	lookups  int // LookupPartnership calls so far
	pages    int // list calls a whole listing needs, once known; -1 = listing unavailable
	listing  *partnershipListing
	inFlight bool // a listing is being read
}

// partnershipListing is one read of the whole list of a business type. done is closed when it
// is complete or has failed; established is only set when it is complete.
type partnershipListing struct {
	done        chan struct{}
	writes      uint64 // the client's write count when it started
	started     time.Time
	established map[grantKey]Partnership
}

type grantKey struct {
	partnerType  PartnerType
	partnerID    string
	businessType BusinessType
	stockID      string
}

func keyOf(partner Partner, data AuthorizedData) grantKey {
	return grantKey{partner.Type, partnerID(partner), data.BusinessType, data.StockID}
}

// LookupPartnership is FindPartnership for a refresh: the same answer, but when one run looks
// up many partnerships it reads them from pages of the whole list (see partnershipListAfter).
// Use FindPartnership where the answer must be read after the call, such as confirming a build.
func (c *Client) LookupPartnership(ctx context.Context, partner Partner, data AuthorizedData) (*Partnership, error) {
	if l := c.partnershipListing(ctx, data.BusinessType); l != nil {
		if p, ok := l.established[keyOf(partner, data)]; ok {
			return &p, nil
		}
	}
	return c.FindPartnership(ctx, partner, data)
}

// partnershipListing returns a complete, current listing of the business type to answer from,
// reading one if the lookups made so far pay for it, or nil to look up one by one.
func (c *Client) partnershipListing(ctx context.Context, bt BusinessType) *partnershipListing {
	s := &c.lookups
	s.mu.Lock()
	t := record(&s.types, bt)
	t.lookups++
	l := t.listing
	if l != nil && (!s.usable(l, c.now()) || (!t.inFlight && l.established == nil)) {
		l = nil // outdated, or stopped after its first page as not yet worth it
	}
	if l == nil {
		if t.inFlight || t.pages < 0 || t.lookups <= partnershipListAfter || t.lookups < t.pages {
			s.mu.Unlock()
			return nil
		}
		l = &partnershipListing{done: make(chan struct{}), writes: s.writes, started: c.now()}
		t.listing, t.inFlight = l, true
		s.mu.Unlock()
		c.readPartnershipListing(ctx, bt, t, l)
	} else {
		s.mu.Unlock()
	}
	select {
	case <-l.done:
	case <-ctx.Done():
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.established == nil || !s.usable(l, c.now()) {
		return nil
	}
	return l
}

// usable reports whether a listing, finished or not, may still answer lookups. s.mu is held.
func (s *partnershipLookups) usable(l *partnershipListing, now time.Time) bool {
	return l.writes == s.writes && now.Sub(l.started) <= partnershipListMaxAge
}

// readPartnershipListing reads the list of business type bt page by page into l, unless its
// first page shows that the listing needs more calls than the lookups made so far. A list call
// that fails only means lookups go on one by one for the rest of the run (the client has
// already retried it): it is never an error of the lookup that started the listing.
func (c *Client) readPartnershipListing(ctx context.Context, bt BusinessType, t *typeLookups, l *partnershipListing) {
	s := &c.lookups
	established := map[grantKey]Partnership{}
	complete, err := c.readPartnershipPages(ctx, bt, func(p Partnership) {
		if p.State == PartnershipEstablished {
			established[keyOf(p.Partner, p.AuthorizedData)] = p
		}
	}, func(pages int) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		t.pages = pages
		return pages <= t.lookups
	})
	s.mu.Lock()
	t.inFlight = false
	switch {
	case err != nil:
		t.pages = -1
		c.log.DebugContext(ctx, "reading all WeChat Pay partnerships failed; refreshing them one by one",
			slog.String("business_type", string(bt)), slog.String("error", err.Error()))
	case complete:
		l.established = established
		c.log.DebugContext(ctx, "refreshing WeChat Pay partnerships from a listing of all of them",
			slog.String("business_type", string(bt)), slog.Int("pages", t.pages), slog.Int("established", len(established)))
	}
	s.mu.Unlock()
	close(l.done)
}

// readPartnershipPages reads every page of the list of business type bt, handing each
// partnership to add. After the first page it tells worth how many pages the whole list needs
// and stops, incomplete, if the answer is false.
func (c *Client) readPartnershipPages(ctx context.Context, bt BusinessType, add func(Partnership), worth func(pages int) bool) (complete bool, err error) {
	filter := PartnershipFilter{AuthorizedData: &AuthorizedData{BusinessType: bt}, Limit: PartnershipsMaxLimit}
	page, err := c.ListPartnerships(ctx, filter)
	if err != nil {
		return false, err
	}
	if page.TotalCount == nil {
		return false, errors.New("wechatpay: the first page of the partnership list has no total_count")
	}
	total := *page.TotalCount
	if !worth(max(1, (total+PartnershipsMaxLimit-1)/PartnershipsMaxLimit)) {
		return false, nil
	}
	for {
		for _, p := range page.Data {
			add(p)
		}
		filter.Offset += len(page.Data)
		if page.NoMatch || len(page.Data) == 0 || filter.Offset >= total {
			return true, nil
		}
		if page, err = c.ListPartnerships(ctx, filter); err != nil {
			return false, err
		}
	}
}

// partnershipWritten makes every listing started so far unusable. Build and terminate call it
// when they return, so that a listing that may not show their change is never used again, and
// any listing started later shows it.
func (c *Client) partnershipWritten() {
	c.lookups.mu.Lock()
	c.lookups.writes++
	c.lookups.mu.Unlock()
}
