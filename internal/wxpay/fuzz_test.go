package wxpay

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"math/big"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fuzz targets for everything the client does with bytes it did not produce: answer headers,
// signatures, bodies and the certificate list. `make test` runs the committed corpora under
// testdata/fuzz as ordinary tests; `make fuzz` explores further.

// roundTripFunc answers in memory, so a fuzz iteration costs no socket.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var fuzzKeys struct {
	once       sync.Once
	merchant   *rsa.PrivateKey
	pubModeKey *rsa.PrivateKey
	certKey    *rsa.PrivateKey
}

func loadFuzzKeys(t testing.TB) {
	fuzzKeys.once.Do(func() {
		fuzzKeys.merchant = testPrivateKey(t, "merchant_key.pem")
		fuzzKeys.pubModeKey = testPrivateKey(t, "platform_pubkey_mode_key.pem")
		fuzzKeys.certKey = testPrivateKey(t, "platform_cert_a_key.pem")
	})
}

// fuzzClient is a public-key-mode client whose every attempt is answered by answer, with no
// retries, so that one fuzz input is one attempt.
func fuzzClient(t testing.TB, mod func(*Config), answer func(*http.Request) *http.Response) *Client {
	loadFuzzKeys(t)
	cfg := Config{
		MchID:                testMchID,
		MerchantSerialNumber: testMerchantSN,
		PrivateKey:           fuzzKeys.merchant,
		PublicKeyID:          testPubKeyID,
		PublicKey:            &fuzzKeys.pubModeKey.PublicKey,
		Endpoint:             "http://127.0.0.1:1",
		BackupEndpoint:       NoBackup,
		MaxRetries:           -1,
		RateLimit:            1000,
		HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp := answer(r)
			resp.Request = r
			return resp, nil
		})},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var cleanNonce = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

// Signature modes of FuzzAnswer.
const (
	sigCorrect   = iota // signed over exactly what is sent, with the key the serial names
	sigOtherBody        // a real signature, but over a different body
	sigFuzzed           // whatever the fuzzer wrote into the signature header
	sigWrongKey         // signed by the merchant key, which WeChat Pay never uses
	sigModes
)

// FuzzAnswer feeds the client arbitrary answers and checks the rules that make an answer
// trustworthy: a 2xx answer is accepted only when correctly signed by the configured key,
// within the five-minute window, and never a SIGNTEST probe; anything else that is 2xx is a
// VerificationError; a non-2xx answer is an APIError with its status; no error text carries
// the signature.
func FuzzAnswer(f *testing.F) {
	f.Add(200, []byte(okStateBody), int64(0), uint8(sigCorrect), "", "", "n0nce")
	f.Add(204, []byte(""), int64(0), uint8(sigCorrect), "", "", "abc")
	f.Add(200, []byte(okStateBody), int64(-400), uint8(sigCorrect), "", "", "n")
	f.Add(200, []byte(okStateBody), int64(0), uint8(sigOtherBody), "", "", "n")
	f.Add(200, []byte(okStateBody), int64(0), uint8(sigFuzzed), "", "WECHATPAY/SIGNTEST/AAAA", "n")
	f.Add(200, []byte(okStateBody), int64(0), uint8(sigWrongKey), "", "", "n")
	f.Add(200, []byte("{garbled"), int64(0), uint8(sigCorrect), "", "", "n")
	f.Add(200, []byte(okStateBody), int64(0), uint8(sigCorrect), "5157F09EFDC096DE15EBE81A47057A72", "", "n")
	f.Add(500, []byte(`{"code":"SYSTEM_ERROR","message":"系统繁忙"}`), int64(0), uint8(sigFuzzed), "", "", "")
	f.Add(400, []byte(`<html>bad gateway</html>`), int64(0), uint8(sigFuzzed), "", "", "")

	f.Fuzz(func(t *testing.T, status int, body []byte, tsOffset int64, mode uint8, serial, sig, nonce string) {
		loadFuzzKeys(t)
		if status < 200 || status > 599 {
			status = 200 + (status%400+400)%400
		}
		mode %= sigModes
		if serial == "" {
			serial = testPubKeyID
		}
		// Keep the offset meaningful: beyond a day every value behaves the same.
		tsOffset %= 86400
		ts := strconv.FormatInt(time.Now().Unix()+tsOffset, 10)
		switch mode {
		case sigCorrect:
			sig = signB64(t, fuzzKeys.pubModeKey, ts+"\n"+nonce+"\n"+string(body)+"\n")
		case sigOtherBody:
			sig = signB64(t, fuzzKeys.pubModeKey, ts+"\n"+nonce+"\n"+string(body)+"x\n")
		case sigWrongKey:
			sig = signB64(t, fuzzKeys.merchant, ts+"\n"+nonce+"\n"+string(body)+"\n")
		}
		c := fuzzClient(t, nil, func(*http.Request) *http.Response {
			h := http.Header{}
			h.Set("Request-ID", "fuzz-request")
			h.Set("Wechatpay-Timestamp", ts)
			h.Set("Wechatpay-Nonce", nonce)
			h.Set("Wechatpay-Signature", sig)
			h.Set("Wechatpay-Serial", serial)
			return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(body))}
		})
		var out struct {
			AuthorizeState string `json:"authorize_state"`
		}
		err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/v3/fuzz"}, &out)

		var ve *VerificationError
		var ae *APIError
		is2xx := status < 300
		trustworthy := mode == sigCorrect && serial == testPubKeyID && strings.TrimSpace(sig) == sig &&
			!strings.HasPrefix(sig, signTestPrefix)
		switch {
		case !is2xx:
			if !errors.As(err, &ae) || ae.StatusCode != status {
				t.Fatalf("status %d: got %v, want an APIError with that status", status, err)
			}
		case err == nil:
			if !trustworthy {
				t.Fatalf("accepted a 2xx answer that is not correctly signed (mode %d, serial %q)", mode, serial)
			}
			if tsOffset >= maxClockSkew+2 || tsOffset <= -maxClockSkew-2 {
				t.Fatalf("accepted an answer %d s away from the clock", tsOffset)
			}
		case !trustworthy:
			if !errors.As(err, &ve) {
				t.Fatalf("2xx answer with a bad signature (mode %d): got %T %v, want a VerificationError", mode, err, err)
			}
		case errors.As(err, &ve):
			// A correctly signed answer may only be refused for its clock or for headers the
			// fuzzer made unusable.
			inWindow := tsOffset < maxClockSkew-2 && tsOffset > -maxClockSkew+2
			if inWindow && cleanNonce.MatchString(nonce) {
				t.Fatalf("correctly signed answer refused: %v", err)
			}
		}
		if err != nil && len(sig) >= 16 && !bytes.Contains(body, []byte(sig)) {
			// The error may name the serials, nonce, timestamp and Request-ID, and it speaks the
			// client's own words: a fuzzed signature that is a piece of one of those (such as
			// "0000…" in a key id, or "WECHATPAY/SIGNTEST/" in a fixed reason) is no leak.
			public := append([]string{serial, testPubKeyID, nonce, ts, "fuzz-request"}, clientWords(t)...)
			excused := slices.ContainsFunc(public, func(p string) bool { return strings.Contains(p, sig) })
			if !excused && strings.Contains(err.Error(), sig) {
				t.Fatalf("error text carries the answer signature: %v", err)
			}
		}
	})
}

var clientWordsOnce = sync.OnceValues(func() ([]string, error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		return nil, err
	}
	var words []string
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	for _, pkg := range pkgs {
		ast.Inspect(pkg, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil {
				words = append(words, verb.Split(s, -1)...)
			}
			return true
		})
	}
	return words, nil
})

// clientWords lists the text pieces of the package's own string literals (split at format
// verbs): what an error may say without having taken it from the answer.
func clientWords(t *testing.T) []string {
	words, err := clientWordsOnce()
	if err != nil {
		t.Fatalf("reading the package's own words: %v", err)
	}
	return words
}

// FuzzAPIErrorBody: whatever an error answer's body holds, the error keeps its status, stays
// valid UTF-8 when the body is, and is bounded in length, so a proxy's huge HTML page cannot
// flood a diagnostic.
func FuzzAPIErrorBody(f *testing.F) {
	f.Add(400, []byte(`{"code":"PARAM_ERROR","message":"参数错误: sub_mchid","detail":{"field":"sub_mchid"}}`))
	f.Add(502, []byte("<html><body>502 Bad Gateway</body></html>"))
	f.Add(429, []byte(""))
	f.Add(400, []byte(`{"code":"INVALID_REQUEST","message":"命中频率限制"}`))
	f.Add(403, []byte(`{"code":"RULE_LIMIT","message":"上一次修改还未完成"}`))
	f.Add(500, []byte(`{"detail":null}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := parseAPIError(status, http.Header{"Request-Id": {"08F2C9B3"}}, body)
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		msg := e.Error()
		if !strings.Contains(msg, strconv.Itoa(status)) {
			t.Fatalf("error text %q does not name the status", msg)
		}
		if e.Code == "" && len(e.Message) > 200+len("…") {
			t.Fatalf("a body that is not WeChat Pay JSON gave a %d-byte message", len(e.Message))
		}
		if e.transient() && IsTransient(&VerificationError{Err: e}) {
			t.Fatal("a VerificationError wrapping a transient APIError counts as transient")
		}
		if e.rateLimited() && !e.transient() {
			t.Fatal("a rate-limit answer is not transient")
		}
	})
}

// FuzzCertificateList feeds certificate mode arbitrary certificate lists. A list is accepted
// only when its own signature checks out with a certificate it contains; nothing in it can
// panic the client.
func FuzzCertificateList(f *testing.F) {
	loadFuzzKeys(f)
	serial, valid := fuzzCertificateList(f, fuzzKeys.certKey)
	f.Add([]byte(valid), serial, true)
	f.Add([]byte(valid), serial, false)
	f.Add([]byte(strings.Replace(valid, "AEAD_AES_256_GCM", "AES_128_CBC", 1)), serial, true)
	f.Add([]byte(strings.Replace(valid, "fuzznonce123", "fuzznonce12", 1)), serial, true) // the SDK panics on it
	f.Add([]byte(`{"data":[]}`), serial, true)
	f.Add([]byte(`{"data":[{"serial_no":"X","encrypt_certificate":{"algorithm":"AEAD_AES_256_GCM","nonce":"","associated_data":"","ciphertext":"!!"}}]}`), "X", true)
	f.Add([]byte(`null`), "", true)

	f.Fuzz(func(t *testing.T, body []byte, serial string, sign bool) {
		loadFuzzKeys(t)
		c := fuzzClient(t, certMode, func(*http.Request) *http.Response { return nil })
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := "AAAA"
		if sign {
			sig = signB64(t, fuzzKeys.certKey, ts+"\nnonce\n"+string(body)+"\n")
		}
		h := http.Header{}
		h.Set("Wechatpay-Timestamp", ts)
		h.Set("Wechatpay-Nonce", "nonce")
		h.Set("Wechatpay-Signature", sig)
		h.Set("Wechatpay-Serial", serial)
		st, err := c.certsFromAnswer(context.Background(), &answer{status: 200, header: h, body: body})
		if err == nil {
			if !sign {
				t.Fatal("accepted a certificate list with a bogus signature")
			}
			if !st.has(serial) {
				t.Fatalf("accepted a list signed with serial %q it does not contain", serial)
			}
			return
		}
		var ve *VerificationError
		if !errors.As(err, &ve) {
			t.Fatalf("refused list: got %T, want a VerificationError", err)
		}
	})
}

// fuzzCertificateList is a genuine one-certificate list for key, encrypted with the test APIv3
// key, and the certificate's serial.
func fuzzCertificateList(t testing.TB, key *rsa.PrivateKey) (serial, body string) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x5157F09E),
		Subject:      pkix.Name{CommonName: "Tenpay.com Root CA fuzz"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher([]byte(testAPIv3Key))
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	const nonce = "fuzznonce123"
	ct := gcm.Seal(nil, []byte(nonce), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), []byte("certificate"))
	serial = "5157F09E"
	b, err := json.Marshal(map[string]any{"data": []any{map[string]any{
		"serial_no": serial, "effective_time": "2024-01-01T00:00:00+08:00", "expire_time": "2029-01-01T00:00:00+08:00",
		"encrypt_certificate": map[string]string{"algorithm": "AEAD_AES_256_GCM", "nonce": nonce,
			"associated_data": "certificate", "ciphertext": base64.StdEncoding.EncodeToString(ct)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return serial, string(b)
}
