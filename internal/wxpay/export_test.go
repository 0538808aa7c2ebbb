package wxpay

// WaitingMemberChanges is how many requests of a change wait in the activity's lane, not yet
// sent: tests wait for it before they let the call under way answer.
func WaitingMemberChanges(c *Client, activityID string) int {
	c.lanes.mu.Lock()
	defer c.lanes.mu.Unlock()
	if lane := c.lanes.lanes[activityID]; lane != nil {
		return len(lane.queue)
	}
	return 0
}
