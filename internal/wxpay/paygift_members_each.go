package wxpay

import "context"

// EachActivityMerchant reads an activity's merchants page by page at the largest page size and
// hands each to yield, until yield returns false, when no further page is read, or the list
// ends: a caller that wants only the first few merchants of a large activity pays one call. A
// merchant that moves between pages while they are read (someone else changing the list) is
// handed over once. The pages end as in ListAllActivityMerchants.
func (c *Client) EachActivityMerchant(ctx context.Context, activityID string, yield func(ActivityMerchant) bool) error {
	seen := map[string]bool{}
	total := -1
	for offset := 0; ; {
		page, err := c.ListActivityMerchants(ctx, activityID, offset, ActivityMerchantsPageLimit)
		if err != nil {
			return err
		}
		if total < 0 || page.TotalCount > 0 {
			total = page.TotalCount
		}
		for _, m := range page.Data {
			if seen[m.Mchid] {
				continue
			}
			seen[m.Mchid] = true
			if !yield(m) {
				return nil
			}
		}
		offset += len(page.Data)
		if len(page.Data) < ActivityMerchantsPageLimit || offset >= total {
			return nil
		}
	}
}
