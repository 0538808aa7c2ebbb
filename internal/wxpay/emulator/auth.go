package emulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	authScheme      = "WECHATPAY2-SHA256-RSA2048"
	signWindow      = 300 * time.Second
	nonceMemory     = 10 * time.Minute
	msgBadRequest   = "HTTP 请求不符合微信支付 APIv3 接口规则"
	msgSignError    = "签名错误"
	signTestPrefix  = "WECHATPAY/SIGNTEST/"
	unknownSerialNo = "5157F09EFDC096DE15EBE81A47057A72UNKNOWN"
)

func headerError(field, value, issue string) result {
	return fail(http.StatusBadRequest, "INVALID_REQUEST", msgBadRequest,
		fieldDetail{Field: field, Value: value, Issue: issue, Location: "header"})
}

// signError never echoes the header: it holds the caller's signature.
func signError(issue string) result {
	return fail(http.StatusUnauthorized, "SIGN_ERROR", msgSignError,
		fieldDetail{Field: "Authorization", Value: "", Issue: issue, Location: "header"})
}

// checkHeaders enforces the APIv3 header rules other than Authorization.
func checkHeaders(r *http.Request, body []byte) (result, bool) {
	accept := r.Header.Get("Accept")
	if strings.TrimSpace(accept) == "" {
		return headerError("Accept", "", "Accept header is required"), true
	}
	if !acceptsJSON(accept) {
		return headerError("Accept", accept, "Accept must allow application/json"), true
	}
	if strings.TrimSpace(r.Header.Get("User-Agent")) == "" {
		return headerError("User-Agent", "", "User-Agent header is required"), true
	}
	if len(body) > 0 {
		ct := r.Header.Get("Content-Type")
		mt, _, err := mime.ParseMediaType(ct)
		if ct == "" {
			return headerError("Content-Type", "", "Content-Type header is required with a body"), true
		}
		if err != nil || mt != "application/json" {
			return headerError("Content-Type", ct, "Content-Type must be application/json"), true
		}
	}
	return result{}, false
}

func acceptsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/json", "application/*", "*/*":
			return true
		}
	}
	return false
}

type authFields struct {
	mchid, nonce, timestamp, serial, signature string
}

// parseAuthorization reads `SCHEME k="v",k="v",…` with the five fields in any order.
func parseAuthorization(h string) (authFields, string) {
	var a authFields
	h = strings.TrimSpace(h)
	if h == "" {
		return a, "Authorization header is missing"
	}
	scheme, rest, ok := strings.Cut(h, " ")
	if !ok || scheme != authScheme {
		return a, "authorization scheme must be " + authScheme
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return a, "malformed Authorization parameters: expected k=\"v\" pairs"
		}
		k, v = strings.TrimSpace(k), v[1:len(v)-1]
		if seen[k] {
			return a, "duplicate Authorization parameter " + k
		}
		seen[k] = true
		switch k {
		case "mchid":
			a.mchid = v
		case "nonce_str":
			a.nonce = v
		case "timestamp":
			a.timestamp = v
		case "serial_no":
			a.serial = v
		case "signature":
			a.signature = v
		}
	}
	for _, f := range []struct{ name, v string }{{"mchid", a.mchid}, {"nonce_str", a.nonce},
		{"timestamp", a.timestamp}, {"serial_no", a.serial}, {"signature", a.signature}} {
		if f.v == "" {
			return a, "Authorization parameter " + f.name + " is missing"
		}
	}
	return a, ""
}

// verifyRequest checks Authorization against the raw request line and body, with the key of
// the caller its mchid names; it returns the caller's mchid and nonce (for the call log) and,
// when refused, the 401 to answer.
func (s *Server) verifyRequest(r *http.Request, body []byte) (authFields, result, bool) {
	a, issue := parseAuthorization(r.Header.Get("Authorization"))
	if issue != "" {
		return authFields{}, signError(issue), true
	}
	caller, known := s.callerAuth[a.mchid]
	if !known {
		return a, signError("mchid is not a registered merchant"), true
	}
	if !strings.EqualFold(a.serial, caller.serial) {
		return a, signError("serial_no does not name a valid certificate of this merchant"), true
	}
	ts, err := strconv.ParseInt(a.timestamp, 10, 64)
	if err != nil {
		return a, signError("timestamp is not Unix seconds"), true
	}
	now := time.Now()
	if d := now.Sub(time.Unix(ts, 0)); d >= signWindow || d <= -signWindow {
		return a, signError("timestamp is 5 minutes or more away from server time"), true
	}
	sig, err := base64.StdEncoding.DecodeString(a.signature)
	if err != nil {
		return a, signError("signature is not standard Base64"), true
	}
	msg := r.Method + "\n" + r.URL.RequestURI() + "\n" + a.timestamp + "\n" + a.nonce + "\n" + string(body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	if rsa.VerifyPKCS1v15(caller.pub, crypto.SHA256, sum[:], sig) != nil {
		return a, signError("signature does not match METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n"), true
	}
	if !s.nonces.remember(a.mchid+"\x00"+a.nonce, now) {
		return a, signError("nonce_str was already used"), true
	}
	return a, result{}, false
}

// nonceCache refuses a nonce seen in the last ten minutes: twice the signature window, so
// a replay can never outlive the memory of its nonce.
type nonceCache struct {
	mu        sync.Mutex
	seen      map[string]time.Time
	lastSweep time.Time
}

func (c *nonceCache) init() { c.seen = map[string]time.Time{} }

func (c *nonceCache) remember(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.lastSweep) > time.Minute {
		for k, t := range c.seen {
			if now.Sub(t) > nonceMemory {
				delete(c.seen, k)
			}
		}
		c.lastSweep = now
	}
	if t, ok := c.seen[key]; ok && now.Sub(t) <= nonceMemory {
		return false
	}
	c.seen[key] = now
	return true
}

// answerKey picks the key an answer is signed with: the one the request's Wechatpay-Serial
// names, else the default mode. The certificate download is signed by the platform
// certificate unless the caller explicitly asked for the public key, as WeChat Pay does.
func (s *Server) answerKey(r *http.Request) (string, *rsa.PrivateKey) {
	want := r.Header.Get("Wechatpay-Serial")
	switch {
	case want != "" && want == s.keys.PublicKeyID:
		return s.keys.PublicKeyID, s.keys.PublicKeyModeKey
	case want != "" && strings.EqualFold(want, s.keys.PlatformSerial):
		return s.keys.PlatformSerial, s.keys.PlatformKey
	case r.URL.Path == "/v3/certificates" || s.defaultMode == ModeCertificate:
		return s.keys.PlatformSerial, s.keys.PlatformKey
	default:
		return s.keys.PublicKeyID, s.keys.PublicKeyModeKey
	}
}

// signAnswer sets the Wechatpay-* headers over TS\nNONCE\nBODY\n, corrupted as f says.
func (s *Server) signAnswer(h http.Header, r *http.Request, body []byte, f *Fault) {
	serial, key := s.answerKey(r)
	now := time.Now()
	if f != nil && f.Kind == FaultStaleTimestamp {
		now = now.Add(-10 * time.Minute)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := randomAlnum(32)
	sum := sha256.Sum256([]byte(ts + "\n" + nonce + "\n" + string(body) + "\n"))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		sig = make([]byte, key.Size())
	}
	signature := base64.StdEncoding.EncodeToString(sig)
	if f != nil {
		switch f.Kind {
		case FaultTamperSignature:
			sig[len(sig)/2] ^= 0xA5
			signature = base64.StdEncoding.EncodeToString(sig)
		case FaultUnknownSerial:
			serial = unknownSerialNo
		case FaultSignTest:
			probe := make([]byte, 48)
			_, _ = rand.Read(probe)
			signature = signTestPrefix + base64.StdEncoding.EncodeToString(probe)
		}
	}
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Signature", signature)
	h.Set("Wechatpay-Serial", serial)
}
