package provider

import (
	"regexp"
	"testing"
)

// An idempotency key fits WeChat Pay's rule (at most 48 letters, digits or |_*-) and is new
// every time.
func TestNewIdempotencyKey(t *testing.T) {
	rule := regexp.MustCompile(`^[A-Za-z0-9|_*-]{1,48}$`)
	seen := map[string]bool{}
	for range 100 {
		key := newIdempotencyKey("tfterminate")
		if !rule.MatchString(key) || len(key) != len("tfterminate-")+32 || seen[key] {
			t.Fatalf("key %q: outside the rule, not prefix and 32 hex digits, or seen before", key)
		}
		seen[key] = true
	}
}
