package wxpay

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// The three identities a Client puts into headers: mchid and serial_no go into the
// Authorization header, the public key id into Wechatpay-Serial. They are checked before any
// request is built, because a `"` in one of them adds a field to the Authorization header and a
// CR or LF makes every request fail as a network error that is then retried and failed over.
//
// The errors say what is wrong without repeating the value: a misplaced setting may hold a
// secret. One offending character is named, quoted, since it cannot reveal one.
const (
	// mchid is documented as string(32) (sub_mchid in the gold plan and pay-gift pages); the ids
	// WeChat Pay issues are digits, 10 of them today and 8 for early merchants.
	minMchIDDigits, maxMchIDDigits = 8, 32
	// A merchant API certificate serial is 20 bytes, shown as 40 hex digits in the merchant
	// platform (e.g. 5157F09EFDC096DE15EBE81A47057A7232F1B8E1).
	serialHexDigits = 40
	// PublicKeyIDPrefix starts every WeChat Pay public key id, e.g.
	// PUB_KEY_ID_0114232134912410000000000000; the rest is digits.
	PublicKeyIDPrefix  = "PUB_KEY_ID_"
	maxPublicKeyIDSize = 64
)

// ValidateMchID checks a merchant id (商户号): 8 to 32 digits.
func ValidateMchID(s string) error {
	if s == "" {
		return errors.New("the merchant id is empty")
	}
	if i, r := firstNot(s, isDigit); i > 0 {
		return fmt.Errorf("a merchant id is %d to %d digits; character %d is %q", minMchIDDigits, maxMchIDDigits, i, r)
	}
	if n := len(s); n < minMchIDDigits || n > maxMchIDDigits {
		return fmt.Errorf("a merchant id is %d to %d digits; this one has %d", minMchIDDigits, maxMchIDDigits, n)
	}
	return nil
}

// ValidateMerchantSerialNumber checks the serial of the merchant API certificate: 40 hex
// digits, in either case.
func ValidateMerchantSerialNumber(s string) error {
	if s == "" {
		return errors.New("the merchant certificate serial number is empty")
	}
	if i, r := firstNot(s, isHex); i > 0 {
		return fmt.Errorf("a merchant certificate serial number is %d hex digits; character %d is %q", serialHexDigits, i, r)
	}
	if n := len(s); n != serialHexDigits {
		return fmt.Errorf("a merchant certificate serial number is %d hex digits; this one has %d", serialHexDigits, n)
	}
	return nil
}

// ValidatePublicKeyID checks a WeChat Pay public key id: PUB_KEY_ID_ followed by digits.
func ValidatePublicKeyID(s string) error {
	if s == "" {
		return errors.New("the WeChat Pay public key id is empty")
	}
	for i := 0; i < len(PublicKeyIDPrefix); i++ {
		if i == len(s) {
			return fmt.Errorf("a WeChat Pay public key id is %s followed by digits; this one has only %d characters", PublicKeyIDPrefix, len(s))
		}
		if s[i] != PublicKeyIDPrefix[i] {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return fmt.Errorf("a WeChat Pay public key id starts with %s; character %d is %q", PublicKeyIDPrefix, i+1, r)
		}
	}
	digits := s[len(PublicKeyIDPrefix):]
	if i, r := firstNot(digits, isDigit); i > 0 {
		return fmt.Errorf("a WeChat Pay public key id is %s followed by digits; character %d is %q", PublicKeyIDPrefix, len(PublicKeyIDPrefix)+i, r)
	}
	if digits == "" || len(s) > maxPublicKeyIDSize {
		return fmt.Errorf("a WeChat Pay public key id is %s followed by 1 to %d digits; this one has %d characters in all",
			PublicKeyIDPrefix, maxPublicKeyIDSize-len(PublicKeyIDPrefix), len(s))
	}
	return nil
}

// firstNot returns the 1-based position (in characters) and the first character of s for which
// ok is false, or 0 when there is none.
func firstNot(s string, ok func(rune) bool) (int, rune) {
	pos := 0
	for _, r := range s {
		pos++
		if r == utf8.RuneError || !ok(r) {
			return pos, r
		}
	}
	return 0, 0
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isHex(r rune) bool { return isDigit(r) || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F') }
