package wxpay

import (
	"context"
	"fmt"
)

// EachPartnership reads the partnerships that match f page by page at the largest page size and
// hands each record to yield, in WeChat Pay's order, until yield returns false, when no further
// page is read, or the list ends: ⌈total/50⌉ calls for the whole list. f.Limit and f.Offset are
// ignored. Established and terminated partnerships alike are handed over; a grant can come twice
// (a terminated record beside an established one, or a record that moved between pages while
// they were read). Nothing matching is no record, not an error.
//
// WeChat Pay documents authorized_data.business_type as required on this call: a filter without
// one is sent as it is and WeChat Pay's answer returned.
//
// A list that ends before the total_count of its first page is an error rather than a short
// list, so that the adoption of a fleet never misses part of it without saying so.
func (c *Client) EachPartnership(ctx context.Context, f PartnershipFilter, yield func(Partnership) bool) error {
	f.Limit, f.Offset = PartnershipsMaxLimit, 0
	total := -1
	for {
		page, err := c.ListPartnerships(ctx, f)
		if err != nil {
			return err
		}
		if page.NoMatch && total < 0 {
			return nil
		}
		if total < 0 {
			if page.TotalCount == nil {
				return fmt.Errorf("wechatpay: GET %s: the first page has no total_count", pathPartnerships)
			}
			total = *page.TotalCount
		}
		for _, p := range page.Data {
			if !yield(p) {
				return nil
			}
		}
		f.Offset += len(page.Data)
		if page.NoMatch || len(page.Data) == 0 || f.Offset >= total {
			break
		}
	}
	if f.Offset < total {
		return fmt.Errorf("wechatpay: GET %s: the list ended after %d of the %d partnerships its first page "+
			"announced; WeChat Pay may page this list differently than the client expects", pathPartnerships, f.Offset, total)
	}
	return nil
}

// ListAllPartnerships is every partnership EachPartnership reads, each grant once: established
// if any of its records is.
func (c *Client) ListAllPartnerships(ctx context.Context, f PartnershipFilter) ([]Partnership, error) {
	all := []Partnership{}
	at := map[grantKey]int{} // index in all
	err := c.EachPartnership(ctx, f, func(p Partnership) bool {
		k := keyOf(p.Partner, p.AuthorizedData)
		if i, ok := at[k]; ok {
			if p.State == PartnershipEstablished {
				all[i] = p
			}
			return true
		}
		at[k] = len(all)
		all = append(all, p)
		return true
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}
