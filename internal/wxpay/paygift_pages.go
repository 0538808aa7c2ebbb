package wxpay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// How WeChat Pay pages an activity's merchant list is not documented well enough to rely on one
// reading. The list page calls `offset` "分页页码" (page number) with the example
// offset=1&limit=20, which fits pages counted from 1, pages counted from 0, or (as in the
// sibling lists, and as the client always read it) members skipped; and it publishes no largest
// `limit`, so WeChat Pay may answer fewer members than asked and echo a smaller limit of its own.
//
// The client reads the whole list under each reading, from what every answer carries:
// total_count, the limit it echoes and how many members it holds.
//
//   - The page size is the echoed limit (or, when WeChat Pay answers fewer members than it
//     echoes and the total needs, the number it answered); the client asks every later page with
//     that limit, so that pages mean the same under every reading.
//   - An offset of 0 refused as a bad parameter means pages counted from 1: the client asks
//     offset=1 instead.
//   - Otherwise offset 0 is the first page under both other readings, and the second page tells
//     them apart: asked by member offset, a page answers exactly min(limit, total_count-offset)
//     members; a page that answers what page number `offset` would hold instead means pages
//     counted from 0. The pages already read stay read.
//
// What a client learns it keeps for the rest of its life (one Terraform run), so the list is
// detected once per run and every later reading costs the floor, ⌈total/page⌉ calls. Under the
// reading the client always used (members skipped, pages of 100) nothing changes: no call more.
// A page that fits no reading is an error, never a silently short list.

// memberPaging is what the client knows of the merchant list's offset.
type memberPaging int32

const (
	pagingUnknown memberPaging = iota // offset 0 is the first page; members or pages from 0
	pagingItems                       // offset counts members
	pagingPages0                      // offset is a page number from 0
	pagingPages1                      // offset is a page number from 1
)

func (p memberPaging) String() string {
	return [...]string{"unknown", "members", "pages from 0", "pages from 1"}[p]
}

// offsetFor is the offset that asks for page n (from 0) of size pageSize.
func (p memberPaging) offsetFor(n, pageSize int) int {
	switch p {
	case pagingPages0:
		return n
	case pagingPages1:
		return n + 1
	}
	return n * pageSize
}

// held is how many members page n of size pageSize holds when offset means what p says and the
// list holds total members.
func held(n, pageSize, total int) int {
	return min(pageSize, max(0, total-n*pageSize))
}

// eachMemberPage reads an activity's merchant list page by page, handing each page's merchants
// to yield until it returns false or the list ends. A member that moves between pages while they
// are read (someone else changing the list) may come twice or not at all, as with any paged list.
func (c *Client) eachMemberPage(ctx context.Context, activityID string, yield func([]ActivityMerchant) bool) error {
	mode := memberPaging(c.memberPaging.Load())
	page, err := c.ListActivityMerchants(ctx, activityID, mode.offsetFor(0, ActivityMerchantsPageLimit), ActivityMerchantsPageLimit)
	if err != nil && mode == pagingUnknown && offsetRefused(err) {
		if page, err = c.ListActivityMerchants(ctx, activityID, 1, ActivityMerchantsPageLimit); err == nil {
			mode = pagingPages1
			c.learnPaging(ctx, activityID, mode)
		}
	}
	if err != nil {
		return err
	}
	size := pageSize(page)
	total := page.TotalCount
	if !yield(page.Data) {
		return nil
	}
	if total <= 0 {
		// No total_count: the list ends at its first page that is not full.
		return c.pagesUntilShort(ctx, activityID, mode, size, page, yield)
	}
	// The pages read so far, numbered from 0, per reading: while the reading is unknown, a page
	// asked by member offset n*size is page n if offset counts members and page n*size if it
	// counts pages from 0.
	read := map[memberPaging]map[int]bool{pagingItems: {0: true}, pagingPages0: {0: true}, pagingPages1: {0: true}}
	for n := 1; n*size < total; n++ {
		asked := mode
		if asked == pagingUnknown {
			asked = pagingItems
		}
		if read[asked][n] {
			continue
		}
		offset := asked.offsetFor(n, size)
		page, err := c.ListActivityMerchants(ctx, activityID, offset, size)
		if err != nil {
			return err
		}
		got := len(page.Data)
		if page.TotalCount > 0 || got == 0 {
			total = page.TotalCount
		}
		switch {
		case got == held(n, size, total):
			read[asked][n] = true
			if mode != pagingUnknown {
				break
			}
			if got != held(offset, size, total) {
				mode = pagingItems // page number `offset` would have held another count
				c.learnPaging(ctx, activityID, mode)
			} else {
				read[pagingPages0][offset] = true
			}
		case mode == pagingUnknown && got == held(offset, size, total):
			// Asked by member offset, answered as page number `offset`: pages from 0. The pages
			// read so far are those pages; the others are asked by page number from page 1 on.
			mode = pagingPages0
			c.learnPaging(ctx, activityID, mode)
			read[mode][offset] = true
			n = 0
		default:
			return fmt.Errorf("wechatpay: GET %s: the page at offset %d, limit %d of the merchants of activity %s "+
				"holds %d of %d merchants, which fits no way of paging this list (offset read as %s); the list is "+
				"reported as unreadable rather than read short", apiActivityMerchants, offset, size, activityID,
				got, total, asked)
		}
		if got > 0 && !yield(page.Data) {
			return nil
		}
	}
	return nil
}

// pagesUntilShort reads the pages after first of a list whose answers carry no total_count,
// until a page holds fewer than size members.
func (c *Client) pagesUntilShort(ctx context.Context, activityID string, mode memberPaging, size int, first *ActivityMerchantsPage, yield func([]ActivityMerchant) bool) error {
	if mode == pagingUnknown {
		mode = pagingItems
	}
	for n, page := 1, first; len(page.Data) >= size; n++ {
		var err error
		if page, err = c.ListActivityMerchants(ctx, activityID, mode.offsetFor(n, size), size); err != nil {
			return err
		}
		if len(page.Data) > 0 && !yield(page.Data) {
			return nil
		}
	}
	return nil
}

// pageSize is the size of the list's pages as the first page shows it: the limit WeChat Pay
// echoes, or the number of members it answered when that is fewer than the echo and the total
// need (a server that caps its pages without saying so).
func pageSize(first *ActivityMerchantsPage) int {
	size := first.Limit
	if size < 1 || size > ActivityMerchantsPageLimit {
		size = ActivityMerchantsPageLimit
	}
	if n := len(first.Data); n > 0 && n < size && (first.TotalCount <= 0 || n < first.TotalCount) {
		size = n
	}
	return size
}

// offsetRefused reports whether err is WeChat Pay refusing a list call's parameters (400
// PARAM_ERROR): for offset=0, the sign of pages counted from 1.
func offsetRefused(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.WellFormed && ae.StatusCode == http.StatusBadRequest && ae.Code == "PARAM_ERROR"
}

// learnPaging records how the merchant list pages, for every later reading of this client.
func (c *Client) learnPaging(ctx context.Context, activityID string, mode memberPaging) {
	if memberPaging(c.memberPaging.Swap(int32(mode))) != mode {
		c.log.InfoContext(ctx, "WeChat Pay pages the pay-gift merchant list by "+mode.String()+"; reading it so from now on",
			"activity_id", activityID)
	}
}
