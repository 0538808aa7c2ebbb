package wxpay

import (
	"context"
	"fmt"
)

// ListAllPartnerships reads every partnership that matches f, page by page at the largest page
// size: ⌈total/50⌉ calls. f.Limit and f.Offset are ignored. Established and terminated
// partnerships alike are returned, in WeChat Pay's order; a grant listed twice (a terminated
// record beside an established one, or one that moved between pages while they were read) is
// returned once, established if either record is. Nothing matching is an empty list, not an
// error.
//
// WeChat Pay documents authorized_data.business_type as required on this call: a filter
// without one is sent as it is and WeChat Pay's answer returned.
//
// A listing that ends before the total_count of its first page is an error rather than a short
// list: the adoption of a fleet must never miss part of it without saying so.
func (c *Client) ListAllPartnerships(ctx context.Context, f PartnershipFilter) ([]Partnership, error) {
	f.Limit, f.Offset = PartnershipsMaxLimit, 0
	var all []Partnership
	at := map[grantKey]int{} // index in all
	total := -1
	for {
		page, err := c.ListPartnerships(ctx, f)
		if err != nil {
			return nil, err
		}
		if page.NoMatch {
			if total < 0 {
				return []Partnership{}, nil
			}
			break
		}
		if total < 0 {
			if page.TotalCount == nil {
				return nil, fmt.Errorf("wechatpay: GET %s: the first page has no total_count", pathPartnerships)
			}
			total = *page.TotalCount
		}
		for _, p := range page.Data {
			k := keyOf(p.Partner, p.AuthorizedData)
			if i, ok := at[k]; ok {
				if p.State == PartnershipEstablished {
					all[i] = p
				}
				continue
			}
			at[k] = len(all)
			all = append(all, p)
		}
		f.Offset += len(page.Data)
		if len(page.Data) == 0 || f.Offset >= total {
			break
		}
	}
	if f.Offset < total {
		return nil, fmt.Errorf("wechatpay: GET %s: the list ended after %d of the %d partnerships its first page "+
			"announced; WeChat Pay may page this list differently than the client expects", pathPartnerships, f.Offset, total)
	}
	if all == nil {
		all = []Partnership{}
	}
	return all, nil
}
