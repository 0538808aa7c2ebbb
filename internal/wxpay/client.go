// Package wxpay is a client for the WeChat Pay APIv3 service-provider APIs.
// It signs every attempt afresh, verifies every 2xx answer, retries transient
// failures with backoff, fails over between the primary and backup hosts, and
// rate-limits all calls of one Client together. Signing, verification,
// AES-GCM and certificate parsing come from the official wechatpay-go SDK;
// this package owns transport, hosts, retries, limits and errors.
package wxpay

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/credentials"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/signers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/validators"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
)

const (
	userAgentPrefix = "terraform-provider-wechatpay/"
	maxAnswerBytes  = 10 << 20
)

// Request is one logical API call. Query is encoded once and exactly those
// bytes are signed and sent; Body is marshalled once and the same bytes go
// out on every attempt; Header (e.g. Idempotency-Key) is repeated on every
// attempt, so a retry is the same business request.
type Request struct {
	Method string
	Path   string // "/v3/…", already path-escaped where needed
	// API names the API the call belongs to, as its documented path template with the method,
	// e.g. "GET /v3/…/merchants/{sub_mchid}/state": WeChat Pay limits each API on its own, and so
	// does the client's adaptive rate limit. Empty means Method and Path, right for paths
	// without ids.
	API    string
	Query  url.Values
	Body   any
	Header http.Header
}

// Client is safe for concurrent use; build one per provider configuration.
type Client struct {
	cred      *credentials.WechatPayCredentials
	hc        *http.Client
	userAgent string
	log       *slog.Logger

	primary host
	backup  *host // nil = no failover

	maxRetries     int
	requestTimeout time.Duration
	failbackAfter  time.Duration
	certRefresh    time.Duration
	backoffBase    time.Duration
	backoffMax     time.Duration
	now            func() time.Time
	sleep          func(ctx context.Context, d time.Duration) error

	limits *rateLimits

	pubKeyID     string
	pubKey       *rsa.PublicKey
	pubValidator *validators.WechatPayResponseValidator // nil without public-key mode
	apiv3Key     string                                 // "" = no certificate mode

	hostMu      sync.Mutex
	onBackup    bool
	backupSince time.Time

	lookups      partnershipLookups
	members      activityMembers
	lanes        memberLanes
	memberPaging atomic.Int32 // a memberPaging: how the merchant list pages, once known

	certs    atomic.Pointer[certState]
	flightMu sync.Mutex
	flight   *certFlight
	certWait func() // test hook: a caller starts waiting for another's certificate download
}

// New checks cfg and builds a Client. It makes no network call: platform
// certificates are downloaded on first need.
func New(cfg Config) (*Client, error) {
	if err := cfg.checkCredentials(); err != nil {
		return nil, err
	}
	if err := cfg.checkLimits(); err != nil {
		return nil, err
	}
	primary, backup, err := cfg.hosts()
	if err != nil {
		return nil, err
	}
	c := &Client{
		cred: &credentials.WechatPayCredentials{Signer: &signers.SHA256WithRSASigner{
			MchID:               cfg.MchID,
			CertificateSerialNo: cfg.MerchantSerialNumber,
			PrivateKey:          cfg.PrivateKey,
		}},
		hc:             cfg.httpClient(),
		userAgent:      userAgentPrefix + orDefault(cfg.UserAgentVersion, "dev"),
		log:            cfg.logger(),
		primary:        primary,
		backup:         backup,
		maxRetries:     cfg.retries(),
		requestTimeout: orDefault(cfg.RequestTimeout, DefaultRequestTimeout),
		failbackAfter:  orDefault(cfg.FailbackAfter, DefaultFailbackAfter),
		certRefresh:    orDefault(cfg.CertRefreshInterval, DefaultCertRefreshInterval),
		backoffBase:    orDefault(cfg.BackoffBase, DefaultBackoffBase),
		backoffMax:     orDefault(cfg.BackoffMax, DefaultBackoffMax),
		now:            cfg.clock(),
		sleep:          sleepCtx,
		pubKeyID:       cfg.PublicKeyID,
		pubKey:         cfg.PublicKey,
		apiv3Key:       cfg.APIv3Key,
	}
	c.limits = newRateLimits(orDefault(cfg.RateLimit, DefaultRateLimit), RateLimitCooldown, c.now)
	if c.pubKey != nil {
		c.pubValidator = validators.NewWechatPayResponseValidator(
			verifiers.NewSHA256WithRSAPubkeyVerifier(c.pubKeyID, *c.pubKey))
	}
	return c, nil
}

// answer is what came back from one attempt.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a *answer) requestID() string { return strings.TrimSpace(a.header.Get("Request-ID")) }

// answerCheck decides whether a 2xx answer can be trusted.
type answerCheck func(ctx context.Context, a *answer) error

// Do performs one logical call (see Request) and decodes a verified 2xx JSON
// answer into out, which may be nil. Non-2xx answers become *APIError, answers
// that fail verification *VerificationError, calls that never got an answer
// *NetworkError.
func (c *Client) Do(ctx context.Context, req Request, out any) error {
	return c.do(ctx, req, out, nil)
}

func (c *Client) do(ctx context.Context, req Request, out any, check answerCheck) error {
	cl, err := c.newCall(ctx, req, out, check)
	if err != nil {
		return err
	}
	forgiven := 0 // rate-limit refusals not counted against maxRetries
	for attempt := 1; ; attempt++ {
		if err := c.limits.wait(ctx, cl.limiter); err != nil {
			return cl.limitNotReached(c.primary, attempt, err)
		}
		h := c.pickHost()
		o := c.try(ctx, cl, h, attempt)
		if o.final {
			return o.err
		}
		cl.lastErr = o.err
		if o.failover {
			c.hostFailed(h)
		}
		if o.rateLimited && c.maxRetries > 0 && forgiven < MaxRateLimitedRetries {
			forgiven++
		}
		if attempt-forgiven > c.maxRetries {
			return cl.lastErr
		}
		// A forgiven refusal waits for the API's limiter, which paces it; its backoff only spreads
		// the retries out, so it grows with the other failures alone.
		d, err := c.retryDelay(ctx, cl, h, max(attempt-forgiven, 1), o.retryAfter)
		if err != nil {
			return err
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "retrying WeChat Pay API call",
			slog.String("method", cl.req.Method), slog.String("path", cl.req.Path), slog.Int("attempt", attempt),
			slog.String("host", h.name), slog.String("reason", o.reason), slog.Int64("delay_ms", d.Milliseconds()))
		if err := c.sleep(ctx, d); err != nil {
			return cl.lastErr
		}
	}
}

// call is one logical call on its way through its attempts: what every attempt sends, and what
// the attempts so far have learnt.
type call struct {
	req      Request // Method upper case, API filled in
	body     []byte  // marshalled once: every attempt sends and signs these very bytes
	rawQuery string  // encoded once, likewise
	out      any
	check    answerCheck
	limiter  *adaptiveLimiter // the API's

	lastErr error // the failure of the last attempt
	// askedWait is the time waited so far because answers asked for it (Retry-After).
	askedWait time.Duration
}

// newCall checks and encodes a request once for all its attempts. Without a public key the
// Wechatpay-Serial header names the newest platform certificate, so certificates are needed
// before sending.
func (c *Client) newCall(ctx context.Context, req Request, out any, check answerCheck) (*call, error) {
	req.Method = strings.ToUpper(orDefault(req.Method, http.MethodGet))
	if err := checkPath(req.Path); err != nil {
		return nil, fmt.Errorf("wechatpay: %s %q: %w", req.Method, req.Path, err)
	}
	cl := &call{req: req, out: out, check: check}
	if req.Body != nil {
		var err error
		if cl.body, err = json.Marshal(req.Body); err != nil {
			return nil, fmt.Errorf("wechatpay: %s %s: encoding the request body: %w", req.Method, req.Path, err)
		}
	}
	if len(req.Query) > 0 {
		cl.rawQuery = req.Query.Encode()
	}
	if cl.check == nil {
		cl.check = c.verifyAnswer
		if c.pubKeyID == "" {
			if _, err := c.ensureCerts(ctx); err != nil {
				return nil, err
			}
		}
	}
	cl.req.API = orDefault(req.API, req.Method+" "+req.Path)
	cl.limiter = c.limits.forAPI(cl.req.API)
	return cl, nil
}

// limitNotReached is the call's error when the client-side rate limit would not let another
// attempt out before ctx ends: the last attempt's failure, or a NetworkError if none was made.
func (cl *call) limitNotReached(primary host, attempt int, err error) error {
	if cl.lastErr != nil {
		return cl.lastErr
	}
	return &NetworkError{Host: primary.name, Method: cl.req.Method, Path: cl.req.Path, Attempts: attempt - 1,
		Err: fmt.Errorf("waiting for the client-side rate limit: %w", err)}
}

// outcome is what one attempt means for its call.
type outcome struct {
	final bool  // the call ends, with err
	err   error // the call's result when final; otherwise the attempt's failure
	// For another attempt: whether it goes to the other host, what the answer asked to wait
	// (Retry-After), and why it is made, for the log.
	failover   bool
	retryAfter time.Duration
	reason     string
	// rateLimited: WeChat Pay refused the attempt for going too fast (see MaxRateLimitedRetries).
	rateLimited bool
}

// try makes one attempt on host h, logs it, and says what it means for the call.
func (c *Client) try(ctx context.Context, cl *call, h host, attempt int) outcome {
	start := time.Now()
	a, netErr, fatal := c.attempt(ctx, h, cl)
	latency := time.Since(start)
	if fatal != nil {
		return outcome{final: true, err: fatal}
	}
	attrs := []slog.Attr{
		slog.String("method", cl.req.Method), slog.String("path", cl.req.Path), slog.Int("attempt", attempt),
		slog.String("host", h.name), slog.Int64("latency_ms", latency.Milliseconds()),
	}
	if netErr != nil {
		c.log.LogAttrs(ctx, slog.LevelDebug, "WeChat Pay API call failed without an answer",
			append(attrs, slog.String("error", netErr.Error()))...)
		return c.noAnswer(ctx, cl, h, attempt, netErr)
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "WeChat Pay API call",
		append(attrs, slog.Int("status", a.status), slog.String("request_id", a.requestID()))...)
	if a.status >= 200 && a.status < 300 {
		cl.limiter.Accepted()
		return outcome{final: true, err: c.accept(ctx, cl, h, a)}
	}
	return c.refusal(cl, h, attempt, a)
}

// noAnswer is what an attempt without an answer means: the end of the call when the caller gave
// up or the host's TLS certificate does not verify, else another attempt on the other host.
func (c *Client) noAnswer(ctx context.Context, cl *call, h host, attempt int, netErr error) outcome {
	ne := &NetworkError{Host: h.name, Method: cl.req.Method, Path: cl.req.Path, Attempts: attempt, Err: netErr}
	if ctx.Err() != nil {
		// The caller gave up; the attempt's error says how far it got.
		return outcome{final: true, err: ne}
	}
	if isCertificateError(netErr) {
		// Another attempt, or the other host, would meet the same certificate: the one
		// answer that never gets better by trying again, and possibly a man in the middle.
		c.log.LogAttrs(ctx, slog.LevelWarn, "the TLS certificate of the WeChat Pay host could not be verified; the call is not retried",
			slog.String("method", cl.req.Method), slog.String("path", cl.req.Path), slog.Int("attempt", attempt),
			slog.String("host", h.name), slog.String("error", netErr.Error()))
		ne.Err = &CertificateError{Host: h.name, Err: netErr}
		return outcome{final: true, err: ne}
	}
	reason := "network error: " + netErr.Error()
	if errors.Is(netErr, context.DeadlineExceeded) {
		reason = "attempt timed out after " + c.requestTimeout.String()
	}
	return outcome{err: ne, failover: true, reason: reason}
}

// accept verifies a 2xx answer and decodes it into the call's out.
func (c *Client) accept(ctx context.Context, cl *call, h host, a *answer) error {
	if err := cl.check(ctx, a); err != nil {
		var ve *VerificationError
		if errors.As(err, &ve) {
			ve.RequestID, ve.Host, ve.Method, ve.Path = a.requestID(), h.name, cl.req.Method, cl.req.Path
		}
		return err
	}
	if cl.out != nil && len(bytes.TrimSpace(a.body)) > 0 {
		if err := json.Unmarshal(a.body, cl.out); err != nil {
			return fmt.Errorf("wechatpay: %s %s: answer is not the expected JSON: %v (Request-ID %s)", cl.req.Method, cl.req.Path, err, a.requestID())
		}
	}
	if r, ok := cl.out.(requestIDRecorder); ok {
		r.recordRequestID(a.requestID())
	}
	return nil
}

// requestIDRecorder is an answer that keeps its Request-ID, for what it reports later (a
// refusal inside a 200 answer, which WeChat Pay support finds by that id).
type requestIDRecorder interface{ recordRequestID(id string) }

// refusal is what an error answer means: the end of the call unless it is transient, then
// another attempt, on the other host after a 5xx. Only an answer that looks like WeChat Pay's own
// says anything about WeChat Pay's limits: a proxy's 429 must not slow the client down for the
// rest of the run.
func (c *Client) refusal(cl *call, h host, attempt int, a *answer) outcome {
	ae := parseAPIError(a.status, a.header, a.body)
	ae.API, ae.Host, ae.Method, ae.Path, ae.Attempts = cl.req.API, h.name, cl.req.Method, cl.req.Path, attempt
	switch {
	case !ae.WellFormed:
	case ae.rateLimited():
		cl.limiter.Refused()
	default:
		cl.limiter.Accepted()
	}
	if !ae.transient() {
		return outcome{final: true, err: ae}
	}
	return outcome{err: ae, failover: ae.StatusCode >= 500, retryAfter: parseRetryAfter(a.header.Get("Retry-After"), c.now()),
		reason: fmt.Sprintf("%d %s %s", ae.StatusCode, ae.Code, ae.Message), rateLimited: ae.WellFormed && ae.rateLimited()}
}

// checkPath refuses a path that is not absolute, carries a query or fragment, or has an empty,
// "." or ".." segment (also when escaped): a server or proxy may resolve those to another path
// than the one signed and meant.
func checkPath(p string) error {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?#") {
		return errors.New("path must start with / and carry no query (use Request.Query)")
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" {
			return errors.New("path has an empty segment")
		}
		raw, err := url.PathUnescape(seg)
		if err != nil {
			return fmt.Errorf("path segment %q is not validly escaped", seg)
		}
		if dotSegment(raw) {
			return fmt.Errorf("path segment %q is a relative path (. or ..)", seg)
		}
	}
	return nil
}

// dotSegment reports whether s, read as a path, holds a "." or ".." part.
func dotSegment(s string) bool {
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == "." || part == ".." {
			return true
		}
	}
	return s == "." || s == ".."
}

// pathSegment escapes an id for use as one segment of a call's path. name is the id's name in
// WeChat Pay's docs, for the error. An id is refused when empty or when a server could read it
// as a relative path, whatever the caller validated: an id must never move a call to another
// path than the API's.
func pathSegment(name, id string) (string, error) {
	if id == "" {
		return "", fmt.Errorf("wechatpay: %s is required", name)
	}
	if dotSegment(id) {
		return "", fmt.Errorf("wechatpay: %s %q cannot be used in a URL path (it holds a . or .. part)", name, id)
	}
	return url.PathEscape(id), nil
}

// isCertificateError reports whether err is a failure to verify the server's TLS certificate.
func isCertificateError(err error) bool {
	var (
		verification *tls.CertificateVerificationError
		authority    x509.UnknownAuthorityError
		hostname     x509.HostnameError
		invalid      x509.CertificateInvalidError
		roots        x509.SystemRootsError
		algorithm    x509.InsecureAlgorithmError
		constraint   x509.ConstraintViolationError
		extension    x509.UnhandledCriticalExtension
	)
	return errors.As(err, &verification) || errors.As(err, &authority) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &roots) || errors.As(err, &algorithm) ||
		errors.As(err, &constraint) || errors.As(err, &extension)
}

// attempt sends one signed request. netErr is a failure worth another try
// (connection, timeout, truncated answer); fatal is a local failure that no
// retry can fix.
func (c *Client) attempt(ctx context.Context, h host, cl *call) (a *answer, netErr, fatal error) {
	actx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	hreq, err := c.signedRequest(actx, h, cl)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.hc.Do(hreq)
	if err != nil {
		return nil, stripURL(err), nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err), nil
	}
	if len(b) > maxAnswerBytes {
		return nil, nil, fmt.Errorf("wechatpay: %s %s: answer larger than %d bytes", cl.req.Method, cl.req.Path, maxAnswerBytes)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: b}, nil, nil
}

// signedRequest builds the HTTP request of one attempt on host h, signed afresh (new timestamp
// and nonce) over exactly the bytes it sends.
func (c *Client) signedRequest(ctx context.Context, h host, cl *call) (*http.Request, error) {
	req := cl.req
	target := h.base + req.Path
	if cl.rawQuery != "" {
		target += "?" + cl.rawQuery
	}
	var rd io.Reader
	if cl.body != nil {
		rd = bytes.NewReader(cl.body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, target, rd)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %s %s: building the request: %w", req.Method, req.Path, err)
	}
	// net/http resends a "replayable" request (a GET, or any request with an Idempotency-Key)
	// by itself when a reused connection dies after sending it, with the same signed nonce,
	// which WeChat Pay refuses as a replay. Retries belong to Do, which signs each attempt
	// afresh: a body without GetBody makes a request not replayable, and an empty one on a
	// GET is never sent.
	hreq.GetBody = nil
	if hreq.Body == nil {
		hreq.Body = io.NopCloser(bytes.NewReader(nil))
	}
	for k, vs := range req.Header {
		hreq.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", c.userAgent)
	if cl.body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	} else {
		hreq.Header.Del("Content-Type")
	}
	if serial := c.acceptSerial(); serial != "" {
		hreq.Header.Set("Wechatpay-Serial", serial)
	} else {
		hreq.Header.Del("Wechatpay-Serial")
	}
	// Sign exactly the request line that will be written: RequestURI is what
	// net/http puts on the wire, and body is the very byte slice being sent.
	authz, err := c.cred.GenerateAuthorizationHeader(ctx, req.Method, hreq.URL.RequestURI(), string(cl.body))
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %s %s: signing the request failed", req.Method, req.Path)
	}
	hreq.Header.Set("Authorization", authz)
	return hreq, nil
}

// stripURL drops *url.Error's "Get \"https://…\":" prefix; errors already
// name method, path and host.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// acceptSerial is the key the client wants answers signed with: the public
// key ID when configured, else the newest known platform certificate.
func (c *Client) acceptSerial() string {
	if c.pubKeyID != "" {
		return c.pubKeyID
	}
	if st := c.certs.Load(); st != nil {
		return st.newest
	}
	return ""
}

// record returns the record of key k in *m, adding a zero one (and the map) on first use. The
// caller holds the lock that guards *m.
func record[K comparable, V any](m *map[K]*V, k K) *V {
	if *m == nil {
		*m = map[K]*V{}
	}
	v := (*m)[k]
	if v == nil {
		v = new(V)
		(*m)[k] = v
	}
	return v
}
