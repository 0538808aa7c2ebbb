package wxpay

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fake below is a minimal WeChat Pay written for these tests with
// crypto/rsa and crypto/cipher directly, so that it checks the client
// independently of the SDK the client is built on.

const (
	testMchID        = "1900000001"
	testMerchantSN   = "3775B6A45ACD588826D15E583A95F5DD5E2F1B8E"
	testPubKeyID     = "PUB_KEY_ID_0119000000012024000000000000000001"
	testAPIv3Key     = "APIv3KeyForTests0123456789abcdef"
	okStateBody      = `{"authorize_state":"AUTHORIZE_STATE_AUTHORIZED"}`
	certificatesPath = "/v3/certificates"
)

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testPrivateKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	k, err := ParsePrivateKey(readTestdata(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// reply describes one answer of the fake. The zero value is a signed 200
// with okStateBody.
type reply struct {
	status     int
	body       string
	header     map[string]string
	unsigned   bool
	signSerial string          // serial to sign with instead of the requested one
	signKey    *rsa.PrivateKey // key to sign with instead of the serial's own
	tsOffset   int64           // seconds added to Wechatpay-Timestamp before signing
	after      func(h http.Header, body *string)
	block      bool          // hold the answer until the client gives up
	hold       chan struct{} // hold the answer until the test closes it
}

type fakeCert struct {
	serial string
	key    *rsa.PrivateKey
	pem    string
}

// seenCall is what the fake received and what it concluded about it.
type seenCall struct {
	host, method, uri string
	body              []byte
	header            http.Header
	nonce, ts, serial string
	signature         string
	sigOK             bool
}

type fake struct {
	t           *testing.T
	merchantKey *rsa.PrivateKey

	mu            sync.Mutex
	keys          map[string]*rsa.PrivateKey // serial → answer-signing key
	defaultSerial string
	certs         []fakeCert
	apiv3Key      string
	script        []reply // consumed one per business call
	certScript    []reply // consumed one per /v3/certificates call
	down          map[string]bool
	calls         []seenCall
	certCalls     int
	signatures    []string // every signature the fake saw or produced
}

func newFake(t *testing.T) *fake {
	f := &fake{
		t:           t,
		merchantKey: testPrivateKey(t, "merchant_key.pem"),
		keys:        map[string]*rsa.PrivateKey{testPubKeyID: testPrivateKey(t, "platform_pubkey_mode_key.pem")},
		apiv3Key:    testAPIv3Key,
		down:        map[string]bool{},
	}
	f.defaultSerial = testPubKeyID
	return f
}

func (f *fake) server(name string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f.serve(name, w, r) }))
	f.t.Cleanup(s.Close)
	return s
}

// refusedURL is a loopback address nobody listens on.
func refusedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func (f *fake) addCert(t *testing.T, keyFile string, serial int64, notBefore time.Time) string {
	key := testPrivateKey(t, keyFile)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "Tenpay.com Root CA test " + strconv.FormatInt(serial, 16)},
		NotBefore:    notBefore,
		NotAfter:     notBefore.Add(5 * 365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	sn := fmt.Sprintf("%X", big.NewInt(serial).Bytes())
	f.mu.Lock()
	defer f.mu.Unlock()
	f.certs = append(f.certs, fakeCert{serial: sn, key: key,
		pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))})
	f.keys[sn] = key
	return sn
}

func (f *fake) setScript(r ...reply) {
	f.mu.Lock()
	f.script = r
	f.mu.Unlock()
}

// setCertScript sets the answers to the next certificate downloads.
func (f *fake) setCertScript(r ...reply) {
	f.mu.Lock()
	f.certScript = r
	f.mu.Unlock()
}

func (f *fake) setDown(host string, down bool) {
	f.mu.Lock()
	f.down[host] = down
	f.mu.Unlock()
}

func (f *fake) businessCalls() []seenCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []seenCall
	for _, c := range f.calls {
		if c.uri != certificatesPath {
			out = append(out, c)
		}
	}
	return out
}

func (f *fake) allCalls() []seenCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenCall(nil), f.calls...)
}

func (f *fake) certificateCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.certCalls
}

func (f *fake) serve(host string, w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	call := f.checkAuthorization(host, r, body)

	f.mu.Lock()
	f.calls = append(f.calls, call)
	var rep reply
	isCerts := r.URL.Path == certificatesPath
	switch {
	case f.down[host]:
		rep = reply{status: 503, body: `{"code":"SYSTEM_ERROR","message":"系统繁忙"}`}
	case isCerts:
		f.certCalls++
		if len(f.certScript) > 0 {
			rep, f.certScript = f.certScript[0], f.certScript[1:]
		}
	case len(f.script) > 0:
		rep, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()

	if rep.block {
		<-r.Context().Done()
		return
	}
	if rep.hold != nil {
		<-rep.hold
	}
	if rep.status == 0 {
		rep.status = 200
	}
	if rep.body == "" && rep.status == 200 {
		rep.body = okStateBody
		if isCerts {
			rep.body = f.certificatesBody()
		}
	}
	f.answer(w, r, rep)
}

func (f *fake) checkAuthorization(host string, r *http.Request, body []byte) seenCall {
	c := seenCall{host: host, method: r.Method, uri: r.RequestURI, body: body, header: r.Header.Clone()}
	const scheme = "WECHATPAY2-SHA256-RSA2048 "
	authz := r.Header.Get("Authorization")
	if !strings.HasPrefix(authz, scheme) {
		return c
	}
	fields := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(authz, scheme), ",") {
		k, v, _ := strings.Cut(part, "=")
		fields[k] = strings.Trim(v, `"`)
	}
	c.nonce, c.ts, c.serial, c.signature = fields["nonce_str"], fields["timestamp"], fields["serial_no"], fields["signature"]
	// The request line target as received (r.RequestURI) and the raw body
	// bytes: exactly what the client must have signed.
	msg := r.Method + "\n" + r.RequestURI + "\n" + c.ts + "\n" + c.nonce + "\n" + string(body) + "\n"
	want := signB64(f.t, f.merchantKey, msg) // PKCS#1 v1.5 is deterministic
	c.sigOK = fields["mchid"] == testMchID && c.serial == testMerchantSN && c.signature == want
	f.mu.Lock()
	f.signatures = append(f.signatures, c.signature)
	f.mu.Unlock()
	return c
}

func signB64(t testing.TB, key *rsa.PrivateKey, msg string) string {
	h := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func (f *fake) answer(w http.ResponseWriter, r *http.Request, rep reply) {
	h := w.Header()
	h.Set("Request-ID", "08F2C9B3-REQ-"+strconv.Itoa(int(time.Now().UnixNano()%1e6)))
	for k, v := range rep.header {
		h.Set(k, v)
	}
	body := rep.body
	if rep.status >= 200 && rep.status < 300 && !rep.unsigned {
		f.mu.Lock()
		serial := r.Header.Get("Wechatpay-Serial")
		if _, ok := f.keys[serial]; !ok {
			serial = f.defaultSerial
		}
		if rep.signSerial != "" {
			serial = rep.signSerial
		}
		key := f.keys[serial]
		f.mu.Unlock()
		if rep.signKey != nil {
			key = rep.signKey
		}
		if key == nil {
			f.t.Errorf("fake: no key for serial %q", serial)
			key = f.merchantKey
		}
		ts := strconv.FormatInt(time.Now().Unix()+rep.tsOffset, 10)
		nonce := strconv.FormatInt(time.Now().UnixNano(), 36)
		sig := signB64(f.t, key, ts+"\n"+nonce+"\n"+body+"\n")
		f.mu.Lock()
		f.signatures = append(f.signatures, sig)
		f.mu.Unlock()
		h.Set("Wechatpay-Timestamp", ts)
		h.Set("Wechatpay-Nonce", nonce)
		h.Set("Wechatpay-Signature", sig)
		h.Set("Wechatpay-Serial", serial)
	}
	if rep.after != nil {
		rep.after(h, &body)
	}
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, body)
}

// certificatesBody encrypts every certificate with the APIv3 key the way
// WeChat Pay does: AES-256-GCM, 12-character nonce, AAD "certificate".
func (f *fake) certificatesBody() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	type enc struct {
		Algorithm      string `json:"algorithm"`
		Nonce          string `json:"nonce"`
		AssociatedData string `json:"associated_data"`
		Ciphertext     string `json:"ciphertext"`
	}
	type item struct {
		SerialNo      string `json:"serial_no"`
		EffectiveTime string `json:"effective_time"`
		ExpireTime    string `json:"expire_time"`
		Enc           enc    `json:"encrypt_certificate"`
	}
	var data []item
	for i, c := range f.certs {
		block, err := aes.NewCipher([]byte(f.apiv3Key))
		if err != nil {
			f.t.Fatal(err)
		}
		gcm, _ := cipher.NewGCM(block)
		nonce := fmt.Sprintf("nonce%07d", i)
		ct := gcm.Seal(nil, []byte(nonce), []byte(c.pem), []byte("certificate"))
		data = append(data, item{SerialNo: c.serial, EffectiveTime: "2024-01-01T00:00:00+08:00", ExpireTime: "2029-01-01T00:00:00+08:00",
			Enc: enc{"AEAD_AES_256_GCM", nonce, "certificate", base64.StdEncoding.EncodeToString(ct)}})
	}
	b, _ := json.Marshal(map[string]any{"data": data})
	return string(b)
}

// sleepRecorder replaces the client's backoff sleep: tests see the delays
// the client chose without waiting for them.
type sleepRecorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.delays = append(s.delays, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.delays...)
}

type testEnv struct {
	fake    *fake
	primary *httptest.Server
	backup  *httptest.Server
	clock   *fakeClock
	sleeps  *sleepRecorder
	client  *Client
}

// newEnv starts a fake with a primary and a backup host and a client in
// public-key mode against it; mod adjusts the config.
func newEnv(t *testing.T, mod func(*Config)) *testEnv {
	t.Helper()
	e := &testEnv{fake: newFake(t), clock: newFakeClock(), sleeps: &sleepRecorder{}}
	e.primary = e.fake.server("primary")
	e.backup = e.fake.server("backup")
	pub, err := ParsePublicKey(readTestdata(t, "platform_pubkey_mode_pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		MchID:                testMchID,
		MerchantSerialNumber: testMerchantSN,
		PrivateKey:           e.fake.merchantKey,
		PublicKeyID:          testPubKeyID,
		PublicKey:            pub,
		Endpoint:             e.primary.URL,
		BackupEndpoint:       NoBackup,
		RateLimit:            1000,
		RequestTimeout:       5 * time.Second,
		UserAgentVersion:     "1.2.3",
		Now:                  e.clock.Now,
		BackoffBase:          time.Millisecond,
		BackoffMax:           4 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	if cfg.BackupEndpoint == useFakeBackup {
		cfg.BackupEndpoint = e.backup.URL
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = e.sleeps.sleep
	e.client = c
	return e
}

// useFakeBackup as Config.BackupEndpoint in a newEnv mod stands for the
// fake's backup server, whose URL the mod cannot know yet.
const useFakeBackup = "use-fake-backup"

func certMode(c *Config) {
	c.PublicKeyID, c.PublicKey = "", nil
	c.APIv3Key = testAPIv3Key
}

// apiErr is a well-formed WeChat Pay error answer.
func apiErr(status int, code, msg string) reply {
	return reply{status: status, body: `{"code":"` + code + `","message":"` + msg + `"}`}
}

// hosts lists the hosts calls went to, "primary,backup,…".
func hosts(calls []seenCall) string {
	var s []string
	for _, c := range calls {
		s = append(s, c.host)
	}
	return strings.Join(s, ",")
}

// withoutRequestID is r without the Request-ID header, so that it is not a well-formed WeChat Pay error.
func withoutRequestID(r reply) reply {
	r.after = func(h http.Header, _ *string) { h.Del("Request-ID") }
	return r
}

// inParallel runs call(0) … call(n-1) at once and reports every error they return.
func inParallel(t *testing.T, n int, call func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- call(i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
