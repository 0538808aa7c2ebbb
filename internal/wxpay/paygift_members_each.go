package wxpay

import "context"

// EachActivityMerchant reads an activity's merchants page by page (see eachMemberPage) and hands
// each to yield, until yield returns false, when no further page is read, or the list ends: a
// caller that wants only the first few merchants of a large activity pays one call. A merchant
// that moves between pages while they are read (someone else changing the list) is handed over
// once.
func (c *Client) EachActivityMerchant(ctx context.Context, activityID string, yield func(ActivityMerchant) bool) error {
	seen := map[string]bool{}
	return c.eachMemberPage(ctx, activityID, func(page []ActivityMerchant) bool {
		for _, m := range page {
			if seen[m.Mchid] {
				continue
			}
			seen[m.Mchid] = true
			if !yield(m) {
				return false
			}
		}
		return true
	})
}
