package provider

import (
	"crypto/rand"
	"encoding/hex"
)

// randomHex is n random bytes in hex. crypto/rand.Read has no error to handle: since Go 1.24 it
// stops the program rather than return one (https://go.dev/issue/66821).
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newIdempotencyKey is a fresh key for one logical change: prefix, '-', 32 hex digits, within
// WeChat Pay's 48 characters of letters, digits and |_*-.
func newIdempotencyKey(prefix string) string {
	return prefix + "-" + randomHex(16)
}
