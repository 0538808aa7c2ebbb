package emulator

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The emulator stands in for WeChat Pay in every test, so its request checks must be as strict
// as the real thing: these fuzz targets check that it never accepts what a real server would
// refuse and never crashes on what a client sends.

// FuzzParseAuthorization: any header either parses into five non-empty fields or is refused
// with a reason; a header built from parsed fields parses back to the same fields whatever the
// field order.
func FuzzParseAuthorization(f *testing.F) {
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",signature="uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XmUgx9U6r5+w=="`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 signature="c2ln",serial_no="AB",timestamp="1",nonce_str="n",mchid="1"`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="n",timestamp="1",serial_no="AB",signature="c2ln"`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="n"`)
	f.Add(`Bearer abc`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 `)
	f.Add(``)
	f.Fuzz(func(t *testing.T, header string) {
		a, issue := parseAuthorization(header)
		if issue != "" {
			// A refusal is one of the fixed reasons, so it can never echo a value of the header
			// (a signature above all); only a duplicated parameter's name is repeated.
			if !fixedAuthorizationIssue(issue) {
				t.Fatalf("refusal %q is not one of the fixed reasons", issue)
			}
			return
		}
		fields := []string{a.mchid, a.nonce, a.timestamp, a.serial, a.signature}
		for i, v := range fields {
			if v == "" {
				t.Fatalf("accepted %q with field %d empty", header, i)
			}
		}
		if !strings.HasPrefix(strings.TrimSpace(header), authScheme+" ") {
			t.Fatalf("accepted %q without the %s scheme", header, authScheme)
		}
		if strings.ContainsAny(strings.Join(fields, ""), `",`) {
			return // not expressible again in k="v" form
		}
		again := fmt.Sprintf(`%s signature="%s",serial_no="%s",timestamp="%s",nonce_str="%s",mchid="%s"`,
			authScheme, a.signature, a.serial, a.timestamp, a.nonce, a.mchid)
		b, issue := parseAuthorization(again)
		if issue != "" || b != a {
			t.Fatalf("re-serialised header parsed differently: %+v / %q, want %+v", b, issue, a)
		}
	})
}

var fuzzNonceSeq atomic.Int64

// FuzzVerifyRequest signs a request correctly, then lets the fuzzer change one thing that was
// signed (method, URI, body, timestamp, mchid, serial or signature). The emulator must accept the
// request exactly when nothing changed, and refuse the same request a second time (nonce
// replay).
func FuzzVerifyRequest(f *testing.F) {
	f.Add("GET", "/v3/apply4subject/applyment/merchants/1900000109/state", "", uint8(0), "", int64(0))
	f.Add("POST", "/v3/goldplan/merchants/changegoldplanstatus", `{"sub_mchid":"1900000109","operation_type":"OPEN"}`, uint8(1), "POST", int64(0))
	f.Add("GET", "/v3/marketing/partnerships?limit=10&offset=0", "", uint8(2), "/v3/marketing/partnerships?offset=0&limit=10", int64(0))
	f.Add("POST", "/v3/marketing/paygiftactivity/activities/1/merchants/add", `{"a":1}`, uint8(3), `{"a":2}`, int64(0))
	f.Add("GET", "/v3/x", "", uint8(4), "", int64(-301))
	f.Add("GET", "/v3/x", "", uint8(4), "", int64(299))
	f.Add("GET", "/v3/x", "", uint8(5), "1900000002", int64(0))
	f.Add("GET", "/v3/x", "", uint8(6), "0000", int64(0))
	f.Add("GET", "/v3/x", "", uint8(7), "WECHATPAY/SIGNTEST/AAAA", int64(0))
	f.Add("PATCH", "/v3/goldplan/merchants/open-advertising-show", "{}", uint8(3), "{} ", int64(0))

	f.Fuzz(func(t *testing.T, method, uri, body string, change uint8, changed string, tsOffset int64) {
		if method == "" || strings.ContainsAny(method, " \t\r\n") {
			return
		}
		u, err := url.ParseRequestURI(uri)
		if err != nil || u.RequestURI() != uri {
			return // only request lines net/http would put on the wire unchanged
		}
		keys := testKeys(t)
		s := New(Options{Keys: keys})
		defer s.Close()

		signed := struct{ method, uri, body, mchid, serial string }{method, uri, body, keys.MchID, keys.MerchantSerial}
		sent := signed
		tsOffset %= 3600
		ts := strconv.FormatInt(time.Now().Unix()+tsOffset, 10)
		nonce := "fz" + strconv.FormatInt(fuzzNonceSeq.Add(1), 36) + hex.EncodeToString([]byte(changed))[:min(16, 2*len(changed))]
		sum := sha256.Sum256([]byte(signed.method + "\n" + signed.uri + "\n" + ts + "\n" + nonce + "\n" + signed.body + "\n"))
		raw, err := rsa.SignPKCS1v15(nil, keys.MerchantKey, crypto.SHA256, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig := base64.StdEncoding.EncodeToString(raw)

		change %= 8
		switch change {
		case 1:
			sent.method = changed
		case 2:
			sent.uri = changed
		case 3:
			sent.body = changed
		case 5:
			sent.mchid = changed
		case 6:
			sent.serial = changed
		case 7:
			sig = changed
		}
		if change == 1 && (sent.method == "" || strings.ContainsAny(sent.method, " \t\r\n")) {
			return
		}
		su, err := url.ParseRequestURI(sent.uri)
		if err != nil || su.RequestURI() != sent.uri {
			return
		}
		if strings.ContainsAny(sent.mchid+sent.serial+sig, `",`) {
			return // the header itself would not parse; FuzzParseAuthorization covers that
		}
		req := &http.Request{Method: sent.method, URL: su, Header: http.Header{}}
		req.Header.Set("Authorization", fmt.Sprintf(`%s mchid="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"`,
			authScheme, sent.mchid, nonce, ts, sent.serial, sig))

		// Serials are hex: WeChat Pay compares them case-insensitively, and they are not signed.
		if strings.EqualFold(sent.serial, signed.serial) {
			sent.serial = signed.serial
		}
		unchanged := sent == signed && sig == base64.StdEncoding.EncodeToString(raw)
		inWindow := tsOffset > -signWindowSeconds+2 && tsOffset < signWindowSeconds-2
		outOfWindow := tsOffset <= -signWindowSeconds-2 || tsOffset >= signWindowSeconds+2
		_, res, refused := s.verifyRequest(req, []byte(sent.body))
		switch {
		case !refused && !unchanged:
			t.Fatalf("accepted a request whose %s no longer matches its signature", changeNames[change])
		case !refused && outOfWindow:
			t.Fatalf("accepted a request timestamped %d s away", tsOffset)
		case refused && unchanged && inWindow:
			t.Fatalf("refused a correctly signed request: %+v", res)
		case refused && res.status != http.StatusUnauthorized:
			t.Fatalf("refusal with status %d, want 401 SIGN_ERROR", res.status)
		}
		if !refused {
			if _, _, again := s.verifyRequest(req, []byte(sent.body)); !again {
				t.Fatal("accepted the same nonce twice")
			}
		}
	})
}

const signWindowSeconds = int64(signWindow / time.Second)

var changeNames = [...]string{"nothing", "method", "URI", "body", "timestamp", "mchid", "serial", "signature"}

func fixedAuthorizationIssue(issue string) bool {
	fixed := []string{
		"Authorization header is missing",
		"authorization scheme must be " + authScheme,
		"malformed Authorization parameters: expected k=\"v\" pairs",
	}
	for _, name := range []string{"mchid", "nonce_str", "timestamp", "serial_no", "signature"} {
		fixed = append(fixed, "Authorization parameter "+name+" is missing")
	}
	return slices.Contains(fixed, issue) || strings.HasPrefix(issue, "duplicate Authorization parameter ")
}
