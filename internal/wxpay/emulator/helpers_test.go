package emulator_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

const (
	testSub      = "1900000109"
	stateURI     = "/v3/apply4subject/applyment/merchants/" + testSub + "/state"
	goldPlanURI  = "/v3/goldplan/merchants/changegoldplanstatus"
	openGoldPlan = `{"sub_mchid":"1900000109","operation_type":"OPEN"}`
)

type env struct {
	t      *testing.T
	keys   *emulator.Keys
	srv    *emulator.Server
	http   *httptest.Server
	caller emulator.CallerKey // who signs requests: the default caller unless as names another
}

func newEnv(t *testing.T, opts ...func(*emulator.Options)) *env {
	t.Helper()
	var options []emulatortest.Option
	for _, o := range opts {
		options = append(options, emulatortest.WithOptions(o))
	}
	emu := emulatortest.New(t, options...)
	def, _ := emu.Keys().Caller(emulator.CallerChannelPartner)
	return &env{t: t, keys: emu.Keys(), srv: emu.Server, http: emu.HTTP, caller: def}
}

// withDialects starts the server with these dialects.
func withDialects(set map[string]string) func(*emulator.Options) {
	return func(o *emulator.Options) { o.Dialects = set }
}

// as is e with requests signed by the caller named name (CallerMerchant, …).
func (e *env) as(name string) *env {
	e.t.Helper()
	c, ok := e.keys.Caller(name)
	if !ok {
		e.t.Fatalf("no caller %q", name)
	}
	cp := *e
	cp.caller = c
	return &cp
}

// reqSpec is one request built and signed independently of the emulator's own code; the
// sign* fields differ from the sent ones only when a test wants a mismatch.
type reqSpec struct {
	method, uri, body    string
	signMethod, signURI  string
	signBody             *string
	ts                   time.Time
	nonce, mchid, serial string
	scheme               string
	key                  *rsa.PrivateKey
	headers              map[string]string   // "" deletes the header
	authorization        *string             // replaces the computed header
	editAuth             func(string) string // rewrites the final header
}

type opt func(*reqSpec)

func withHeader(k, v string) opt        { return func(r *reqSpec) { r.headers[k] = v } }
func withClockSkew(d time.Duration) opt { return func(r *reqSpec) { r.ts = time.Now().Add(d) } }
func withNonce(n string) opt            { return func(r *reqSpec) { r.nonce = n } }
func withAuthorization(a string) opt    { return func(r *reqSpec) { r.authorization = &a } }
func withSignedBody(b string) opt       { return func(r *reqSpec) { r.signBody = &b } }
func withSignedURI(u string) opt        { return func(r *reqSpec) { r.signURI = u } }
func withWechatpaySerial(s string) opt  { return withHeader("Wechatpay-Serial", s) }

var nonceSeq struct {
	sync.Mutex
	n int
}

func freshNonce() string {
	nonceSeq.Lock()
	defer nonceSeq.Unlock()
	nonceSeq.n++
	return fmt.Sprintf("TESTNONCE%023d", nonceSeq.n)
}

func (e *env) build(method, uri, body string, opts ...opt) *http.Request {
	e.t.Helper()
	spec := &reqSpec{method: method, uri: uri, body: body, ts: time.Now(), nonce: freshNonce(),
		mchid: e.caller.MchID, serial: e.caller.Serial, scheme: "WECHATPAY2-SHA256-RSA2048",
		key: e.caller.Key, headers: map[string]string{
			"Accept":           "application/json",
			"User-Agent":       "emulator-test/1.0",
			"Wechatpay-Serial": e.keys.PublicKeyID,
		}}
	if body != "" {
		spec.headers["Content-Type"] = "application/json"
	}
	for _, o := range opts {
		o(spec)
	}
	signMethod, signURI, signBody := spec.method, spec.uri, spec.body
	if spec.signMethod != "" {
		signMethod = spec.signMethod
	}
	if spec.signURI != "" {
		signURI = spec.signURI
	}
	if spec.signBody != nil {
		signBody = *spec.signBody
	}
	ts := strconv.FormatInt(spec.ts.Unix(), 10)
	msg := signMethod + "\n" + signURI + "\n" + ts + "\n" + spec.nonce + "\n" + signBody + "\n"
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(nil, spec.key, crypto.SHA256, sum[:])
	if err != nil {
		e.t.Fatal(err)
	}
	auth := fmt.Sprintf(`%s mchid="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"`,
		spec.scheme, spec.mchid, spec.nonce, ts, spec.serial, base64.StdEncoding.EncodeToString(sig))
	if spec.authorization != nil {
		auth = *spec.authorization
	}
	if spec.editAuth != nil {
		auth = spec.editAuth(auth)
	}
	var rd io.Reader
	if spec.body != "" {
		rd = strings.NewReader(spec.body)
	}
	req, err := http.NewRequest(spec.method, e.http.URL+spec.uri, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range spec.headers {
		if v == "" {
			// An explicit empty value stops net/http from adding its default User-Agent.
			req.Header[http.CanonicalHeaderKey(k)] = []string{""}
			continue
		}
		req.Header.Set(k, v)
	}
	return req
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, a.body)
	}
	return m
}

func (a answer) code(t *testing.T) string {
	t.Helper()
	c, _ := a.json(t)["code"].(string)
	return c
}

func (a answer) message(t *testing.T) string {
	t.Helper()
	m, _ := a.json(t)["message"].(string)
	return m
}

func (e *env) send(req *http.Request) answer {
	e.t.Helper()
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *env) do(method, uri, body string, opts ...opt) answer {
	e.t.Helper()
	return e.send(e.build(method, uri, body, opts...))
}

// ok does a call that must succeed with a verified signature and returns its answer.
func (e *env) ok(method, uri, body string, opts ...opt) answer {
	e.t.Helper()
	a := e.do(method, uri, body, opts...)
	if a.status/100 != 2 {
		e.t.Fatalf("%s %s: status %d: %s", method, uri, a.status, a.body)
	}
	if err := verifyAnswer(e.keys, a); err != nil {
		e.t.Fatalf("%s %s: %v", method, uri, err)
	}
	return a
}

// fails does a call that must be refused with status and code.
func (e *env) fails(status int, code, method, uri, body string, opts ...opt) answer {
	e.t.Helper()
	a := e.do(method, uri, body, opts...)
	if a.status != status || a.code(e.t) != code {
		e.t.Fatalf("%s %s: want %d %s, got %d %s", method, uri, status, code, a.status, a.body)
	}
	if a.header.Get("Request-ID") == "" {
		e.t.Fatalf("%s %s: error answer without Request-ID", method, uri)
	}
	return a
}

// refusal is an error answer: its status, code and message. In a table of dialects, status 200
// stands for a call that is not refused.
type refusal struct {
	status        int
	code, message string
}

// refused does a call that must be refused as want says, message and all.
func (e *env) refused(want refusal, method, uri, body string, opts ...opt) answer {
	e.t.Helper()
	a := e.fails(want.status, want.code, method, uri, body, opts...)
	if m := a.message(e.t); m != want.message {
		e.t.Errorf("%s %s: message %q, want %q: %s", method, uri, m, want.message, a.body)
	}
	return a
}

// verifyAnswer checks an answer the way a careful client does, with the public halves only.
func verifyAnswer(k *emulator.Keys, a answer) error {
	h := a.header
	serial := h.Get("Wechatpay-Serial")
	var pub *rsa.PublicKey
	switch serial {
	case k.PublicKeyID:
		pub = &k.PublicKeyModeKey.PublicKey
	case k.PlatformSerial:
		rsaPub, ok := k.PlatformCert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("platform certificate key is %T, not RSA", k.PlatformCert.PublicKey)
		}
		pub = rsaPub
	default:
		return fmt.Errorf("unknown Wechatpay-Serial %q", serial)
	}
	if h.Get("Request-ID") == "" {
		return fmt.Errorf("no Request-ID")
	}
	ts, err := strconv.ParseInt(h.Get("Wechatpay-Timestamp"), 10, 64)
	if err != nil {
		return fmt.Errorf("Wechatpay-Timestamp: %v", err)
	}
	if d := time.Since(time.Unix(ts, 0)); d >= 5*time.Minute || d <= -5*time.Minute {
		return fmt.Errorf("Wechatpay-Timestamp %d is stale", ts)
	}
	sigText := h.Get("Wechatpay-Signature")
	if strings.HasPrefix(sigText, "WECHATPAY/SIGNTEST/") {
		return fmt.Errorf("signature is a SIGNTEST probe")
	}
	sig, err := base64.StdEncoding.DecodeString(sigText)
	if err != nil {
		return fmt.Errorf("Wechatpay-Signature: %v", err)
	}
	sum := sha256.Sum256([]byte(h.Get("Wechatpay-Timestamp") + "\n" + h.Get("Wechatpay-Nonce") + "\n" + string(a.body) + "\n"))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("signature does not verify: %v", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func withScheme(s string) opt                { return func(r *reqSpec) { r.scheme = s } }
func withMchID(m string) opt                 { return func(r *reqSpec) { r.mchid = m } }
func withSerial(s string) opt                { return func(r *reqSpec) { r.serial = s } }
func withKey(k *rsa.PrivateKey) opt          { return func(r *reqSpec) { r.key = k } }
func withSignedMethod(m string) opt          { return func(r *reqSpec) { r.signMethod = m } }
func withAuthEdit(f func(string) string) opt { return func(r *reqSpec) { r.editAuth = f } }

// control calls the control API as a local program does, with a JSON content type; header
// adds or replaces headers ("Host" sets the request's Host, "" deletes a header).
func (e *env) control(method, path, body string, header map[string]string) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		switch {
		case k == "Host":
			req.Host = v
		case v == "":
			req.Header.Del(k)
		default:
			req.Header.Set(k, v)
		}
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// signedRequest is a minimal in-process request (no test server), signed like build does.
func signedRequest(t testing.TB, k *emulator.Keys, method, uri, body string) *http.Request {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := freshNonce()
	sum := sha256.Sum256([]byte(method + "\n" + uri + "\n" + ts + "\n" + nonce + "\n" + body + "\n"))
	sig, err := rsa.SignPKCS1v15(nil, k.MerchantKey, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, uri, strings.NewReader(body))
	req.Header.Set("Authorization", fmt.Sprintf(`WECHATPAY2-SHA256-RSA2048 mchid="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"`,
		k.MchID, nonce, ts, k.MerchantSerial, base64.StdEncoding.EncodeToString(sig)))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "emulator-test/1.0")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return []byte(b.String())
}

func seedBasics(t *testing.T, e *env) {
	t.Helper()
	err := e.srv.Seed(emulator.Seed{SubMerchants: []emulator.SubMerchant{
		{SubMchid: testSub, Name: "Test Shop", AuthorizeState: emulator.AuthorizeStateAuthorized},
		{SubMchid: "1900000110", Name: "Second Shop"},
		{SubMchid: "1900000666", Name: "Foreign Shop", Owner: "1900000999"},
	}})
	if err != nil {
		t.Fatal(err)
	}
}
