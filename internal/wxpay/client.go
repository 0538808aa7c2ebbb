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
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
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
	DefaultEndpoint       = "https://api.mch.weixin.qq.com"
	DefaultBackupEndpoint = "https://api2.mch.weixin.qq.com"

	// NoBackup as Config.BackupEndpoint turns failover off.
	NoBackup = "-"

	DefaultMaxRetries     = 4
	DefaultRequestTimeout = 30 * time.Second
	// DefaultRateLimit (none) leaves the rate to the callers' parallelism until the server
	// refuses a call for going too fast; see Config.RateLimit.
	DefaultRateLimit           = 0.0
	DefaultFailbackAfter       = 60 * time.Second
	DefaultCertRefreshInterval = 12 * time.Hour
	DefaultBackoffBase         = 200 * time.Millisecond
	DefaultBackoffMax          = 10 * time.Second

	// RateLimitCooldown is how long the client keeps the slower rate it chose after the server
	// refused a call for going too fast, before it probes upwards again.
	RateLimitCooldown = 10 * time.Second

	userAgentPrefix = "terraform-provider-wechatpay/"
	maxAnswerBytes  = 10 << 20
	// maxRetryAfter bounds the time one call waits because answers asked for it
	// (Retry-After), all its attempts together: error answers are not signed, so
	// a bogus value must not park a call for hours. The ctx deadline applies too.
	maxRetryAfter = 2 * time.Minute
)

// Config holds everything New needs. Keys are parsed beforehand (ParsePrivateKey,
// ParsePublicKey) so that a Client never parses key material per request.
//
// Answers are verified with the WeChat Pay public key (PublicKeyID +
// PublicKey), with platform certificates downloaded using APIv3Key, or with
// both during a migration (an answer is accepted when signed by either). At
// least one of the two must be configured.
type Config struct {
	MchID                string
	MerchantSerialNumber string
	PrivateKey           *rsa.PrivateKey

	PublicKeyID string // "PUB_KEY_ID_…"; empty = no public-key mode
	PublicKey   *rsa.PublicKey
	APIv3Key    string // 32 bytes; empty = no certificate mode

	// Endpoint defaults to DefaultEndpoint. BackupEndpoint defaults to
	// DefaultBackupEndpoint only when Endpoint is the default too (a custom
	// endpoint such as the emulator must not fail over to production);
	// NoBackup ("-") or a value equal to Endpoint turns failover off.
	Endpoint       string
	BackupEndpoint string

	MaxRetries     int           // 0 = DefaultMaxRetries; negative = no retries. Attempts = 1 + MaxRetries.
	RequestTimeout time.Duration // per attempt; 0 = DefaultRequestTimeout
	// RateLimit caps the requests/s of all calls together (burst = max(1, ceil(rate))); 0 = no
	// cap. Either way the client slows down the calls to an API by itself when the server
	// refuses one for going too fast, to just under the rate the server accepted for that API,
	// and speeds up again step by step; the other APIs keep their pace.
	RateLimit float64

	UserAgentVersion string       // "terraform-provider-wechatpay/<v>"; empty = "dev"
	HTTPClient       *http.Client // optional; redirects are never followed (they would break the signature)

	FailbackAfter       time.Duration // time on the backup before trying the primary again; 0 = default
	CertRefreshInterval time.Duration // platform certificate refresh; 0 = default

	// Logger receives a debug record per attempt and a warning per retry, logged with the
	// call's context; nil logs nothing. Records never hold keys, signatures or the
	// Authorization header.
	Logger *slog.Logger

	// Test hooks; zero values mean real time and the default backoff.
	Now         func() time.Time
	BackoffBase time.Duration
	BackoffMax  time.Duration
}

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

	lookups partnershipLookups
	members activityMembers

	certs    atomic.Pointer[certState]
	flightMu sync.Mutex
	flight   *certFlight
	certWait func() // test hook: a caller starts waiting for another's certificate download
}

type host struct {
	base string // scheme://host[:port]
	name string // host[:port], for errors and logs
}

// New checks cfg and builds a Client. It makes no network call: platform
// certificates are downloaded on first need.
func New(cfg Config) (*Client, error) {
	// The identities go into request headers; a malformed one must never reach the wire.
	if err := ValidateMchID(cfg.MchID); err != nil {
		return nil, fmt.Errorf("wechatpay: mchid: %w", err)
	}
	if err := ValidateMerchantSerialNumber(cfg.MerchantSerialNumber); err != nil {
		return nil, fmt.Errorf("wechatpay: merchant certificate serial number: %w", err)
	}
	if cfg.PrivateKey == nil {
		return nil, errors.New("wechatpay: merchant private key is required")
	}
	if (cfg.PublicKeyID == "") != (cfg.PublicKey == nil) {
		return nil, errors.New("wechatpay: the WeChat Pay public key ID and the public key must be set together")
	}
	if cfg.PublicKeyID != "" {
		if err := ValidatePublicKeyID(cfg.PublicKeyID); err != nil {
			return nil, fmt.Errorf("wechatpay: public key ID: %w", err)
		}
	}
	if cfg.APIv3Key != "" && len(cfg.APIv3Key) != 32 {
		return nil, fmt.Errorf("wechatpay: the APIv3 key must be exactly 32 bytes, got %d", len(cfg.APIv3Key))
	}
	if cfg.PublicKeyID == "" && cfg.APIv3Key == "" {
		return nil, errors.New("wechatpay: no way to verify answers: configure the WeChat Pay public key (ID and key) or the APIv3 key (platform certificates), or both during a migration")
	}
	if cfg.RateLimit < 0 {
		return nil, fmt.Errorf("wechatpay: rate limit must be positive, got %g", cfg.RateLimit)
	}
	if cfg.RequestTimeout < 0 || cfg.FailbackAfter < 0 || cfg.CertRefreshInterval < 0 {
		return nil, errors.New("wechatpay: durations must not be negative")
	}

	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	if err := ValidateEndpoint(endpoint); err != nil {
		return nil, fmt.Errorf("wechatpay: %w", err)
	}
	endpoint = normalizeEndpoint(endpoint)
	backupRaw := cfg.BackupEndpoint
	if backupRaw == "" && endpoint == DefaultEndpoint {
		backupRaw = DefaultBackupEndpoint
	}
	var backup *host
	if backupRaw != "" && backupRaw != NoBackup && normalizeEndpoint(backupRaw) != endpoint {
		if err := ValidateEndpoint(backupRaw); err != nil {
			return nil, fmt.Errorf("wechatpay: backup %w", err)
		}
		h := newHost(normalizeEndpoint(backupRaw))
		backup = &h
	}

	c := &Client{
		cred: &credentials.WechatPayCredentials{Signer: &signers.SHA256WithRSASigner{
			MchID:               cfg.MchID,
			CertificateSerialNo: cfg.MerchantSerialNumber,
			PrivateKey:          cfg.PrivateKey,
		}},
		userAgent:      userAgentPrefix + orDefault(cfg.UserAgentVersion, "dev"),
		primary:        newHost(endpoint),
		backup:         backup,
		maxRetries:     cfg.MaxRetries,
		requestTimeout: orDefault(cfg.RequestTimeout, DefaultRequestTimeout),
		failbackAfter:  orDefault(cfg.FailbackAfter, DefaultFailbackAfter),
		certRefresh:    orDefault(cfg.CertRefreshInterval, DefaultCertRefreshInterval),
		backoffBase:    orDefault(cfg.BackoffBase, DefaultBackoffBase),
		backoffMax:     orDefault(cfg.BackoffMax, DefaultBackoffMax),
		now:            cfg.Now,
		sleep:          sleepCtx,
		pubKeyID:       cfg.PublicKeyID,
		pubKey:         cfg.PublicKey,
		apiv3Key:       cfg.APIv3Key,
	}
	switch {
	case cfg.MaxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		c.maxRetries = 0
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.log = cfg.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.limits = newRateLimits(orDefault(cfg.RateLimit, DefaultRateLimit), RateLimitCooldown, c.now)
	if c.pubKey != nil {
		c.pubValidator = validators.NewWechatPayResponseValidator(
			verifiers.NewSHA256WithRSAPubkeyVerifier(c.pubKeyID, *c.pubKey))
	}
	if cfg.HTTPClient != nil {
		hc := *cfg.HTTPClient
		hc.CheckRedirect = noRedirect
		c.hc = &hc
	} else {
		c.hc = defaultHTTPClient()
	}
	return c, nil
}

func newHost(base string) host {
	u, _ := url.Parse(base)
	return host{base: base, name: u.Host}
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func defaultHTTPClient() *http.Client {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		// Only when something replaced http.DefaultTransport: start from net/http's own defaults.
		base = &http.Transport{
			Proxy:       http.ProxyFromEnvironment,
			DialContext: (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		}
	}
	tr := base.Clone()
	tr.MaxIdleConns = 128
	tr.MaxIdleConnsPerHost = 32
	tr.IdleConnTimeout = 90 * time.Second
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.ExpectContinueTimeout = time.Second
	tr.ForceAttemptHTTP2 = true
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, CheckRedirect: noRedirect}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	req.Method = strings.ToUpper(req.Method)
	if err := checkPath(req.Path); err != nil {
		return fmt.Errorf("wechatpay: %s %q: %w", req.Method, req.Path, err)
	}
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = json.Marshal(req.Body); err != nil {
			return fmt.Errorf("wechatpay: %s %s: encoding the request body: %w", req.Method, req.Path, err)
		}
	}
	rawQuery := ""
	if len(req.Query) > 0 {
		rawQuery = req.Query.Encode()
	}
	if check == nil {
		check = c.verifyAnswer
		// Without a public key the Wechatpay-Serial header names the newest
		// platform certificate, so certificates are needed before sending.
		if c.pubKeyID == "" {
			if _, err := c.ensureCerts(ctx); err != nil {
				return err
			}
		}
	}

	if req.API == "" {
		req.API = req.Method + " " + req.Path
	}
	limiter := c.limits.forAPI(req.API)

	var (
		lastErr error
		// askedWait is the time waited so far because answers asked for it (Retry-After).
		askedWait time.Duration
	)
	for attempt := 1; ; attempt++ {
		if err := c.limits.wait(ctx, limiter); err != nil {
			if lastErr != nil {
				return lastErr
			}
			return &NetworkError{Host: c.primary.name, Method: req.Method, Path: req.Path, Attempts: attempt - 1,
				Err: fmt.Errorf("waiting for the client-side rate limit: %w", err)}
		}
		h := c.pickHost()
		start := time.Now()
		a, netErr, fatal := c.attempt(ctx, h, req, rawQuery, body)
		latency := time.Since(start)
		if fatal != nil {
			return fatal
		}

		attrs := []slog.Attr{
			slog.String("method", req.Method), slog.String("path", req.Path), slog.Int("attempt", attempt),
			slog.String("host", h.name), slog.Int64("latency_ms", latency.Milliseconds()),
		}
		var (
			retryAfter time.Duration
			reason     string
			failover   bool
		)
		if netErr != nil {
			c.log.LogAttrs(ctx, slog.LevelDebug, "WeChat Pay API call failed without an answer",
				append(attrs, slog.String("error", netErr.Error()))...)
			if ctx.Err() != nil {
				// The caller gave up; the attempt's error says how far it got.
				return &NetworkError{Host: h.name, Method: req.Method, Path: req.Path, Attempts: attempt, Err: netErr}
			}
			if isCertificateError(netErr) {
				// Another attempt, or the other host, would meet the same certificate: the one
				// answer that never gets better by trying again, and possibly a man in the middle.
				c.log.LogAttrs(ctx, slog.LevelWarn, "the TLS certificate of the WeChat Pay host could not be verified; the call is not retried",
					slog.String("method", req.Method), slog.String("path", req.Path), slog.Int("attempt", attempt),
					slog.String("host", h.name), slog.String("error", netErr.Error()))
				return &NetworkError{Host: h.name, Method: req.Method, Path: req.Path, Attempts: attempt, Err: &CertificateError{Host: h.name, Err: netErr}}
			}
			lastErr = &NetworkError{Host: h.name, Method: req.Method, Path: req.Path, Attempts: attempt, Err: netErr}
			reason, failover = "network error: "+netErr.Error(), true
			if errors.Is(netErr, context.DeadlineExceeded) {
				reason = "attempt timed out after " + c.requestTimeout.String()
			}
		} else {
			c.log.LogAttrs(ctx, slog.LevelDebug, "WeChat Pay API call",
				append(attrs, slog.Int("status", a.status), slog.String("request_id", a.requestID()))...)
			if a.status >= 200 && a.status < 300 {
				limiter.Accepted()
				if err := check(ctx, a); err != nil {
					var ve *VerificationError
					if errors.As(err, &ve) {
						ve.RequestID, ve.Host, ve.Method, ve.Path = a.requestID(), h.name, req.Method, req.Path
					}
					return err
				}
				if out != nil && len(bytes.TrimSpace(a.body)) > 0 {
					if err := json.Unmarshal(a.body, out); err != nil {
						return fmt.Errorf("wechatpay: %s %s: answer is not the expected JSON: %v (Request-ID %s)", req.Method, req.Path, err, a.requestID())
					}
				}
				return nil
			}
			ae := parseAPIError(a.status, a.header, a.body)
			ae.API, ae.Host, ae.Method, ae.Path, ae.Attempts = req.API, h.name, req.Method, req.Path, attempt
			lastErr = ae
			// Only an answer that looks like WeChat Pay's own says anything about WeChat Pay's
			// limits: a proxy's 429 must not slow the client down for the rest of the run.
			switch {
			case !ae.WellFormed:
			case ae.rateLimited():
				limiter.Refused()
			default:
				limiter.Accepted()
			}
			if !ae.transient() {
				return ae
			}
			failover = ae.StatusCode >= 500
			retryAfter = parseRetryAfter(a.header.Get("Retry-After"), c.now())
			reason = fmt.Sprintf("%d %s %s", ae.StatusCode, ae.Code, ae.Message)
		}
		if failover {
			c.hostFailed(h)
		}
		if attempt > c.maxRetries {
			return lastErr
		}
		d := c.backoff(attempt, retryAfter)
		asked := retryAfter > 0 && d == retryAfter // the answer's Retry-After, not the client's own backoff
		if asked && d > maxRetryAfter-askedWait {
			return &RetryWaitError{Wait: d, Left: maxRetryAfter - askedWait, Host: h.name, Method: req.Method, Path: req.Path, Err: lastErr}
		}
		// The call must have time left for another attempt after the wait.
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
			if asked {
				return &RetryWaitError{Wait: d, Left: max(time.Until(dl), 0), ByDeadline: true, Host: h.name,
					Method: req.Method, Path: req.Path, Err: lastErr}
			}
			return lastErr
		}
		if asked {
			askedWait += d
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "retrying WeChat Pay API call",
			slog.String("method", req.Method), slog.String("path", req.Path), slog.Int("attempt", attempt),
			slog.String("host", h.name), slog.String("reason", reason), slog.Int64("delay_ms", d.Milliseconds()))
		if err := c.sleep(ctx, d); err != nil {
			return lastErr
		}
	}
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
func (c *Client) attempt(ctx context.Context, h host, req Request, rawQuery string, body []byte) (a *answer, netErr, fatal error) {
	actx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()

	target := h.base + req.Path
	if rawQuery != "" {
		target += "?" + rawQuery
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(actx, req.Method, target, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("wechatpay: %s %s: building the request: %w", req.Method, req.Path, err)
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
	if body != nil {
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
	authz, err := c.cred.GenerateAuthorizationHeader(actx, req.Method, hreq.URL.RequestURI(), string(body))
	if err != nil {
		return nil, nil, fmt.Errorf("wechatpay: %s %s: signing the request failed", req.Method, req.Path)
	}
	hreq.Header.Set("Authorization", authz)

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
		return nil, nil, fmt.Errorf("wechatpay: %s %s: answer larger than %d bytes", req.Method, req.Path, maxAnswerBytes)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: b}, nil, nil
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

// backoff is exponential with full jitter, so that many clients refused at
// once do not come back in lockstep. A server's Retry-After wins when longer;
// do bounds the time it may cost.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	ceiling := c.backoffMax
	if shift := attempt - 1; shift < 30 {
		if v := c.backoffBase << shift; v > 0 && v < ceiling {
			ceiling = v
		}
	}
	d := time.Duration(rand.Int64N(int64(ceiling) + 1))
	return max(d, retryAfter)
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// pickHost returns the host for the next attempt: the backup while the
// primary is cooling down after a failure, the primary otherwise.
func (c *Client) pickHost() host {
	if c.backup == nil {
		return c.primary
	}
	c.hostMu.Lock()
	defer c.hostMu.Unlock()
	if c.onBackup && !c.now().Before(c.backupSince.Add(c.failbackAfter)) {
		c.onBackup = false
	}
	if c.onBackup {
		return *c.backup
	}
	return c.primary
}

// hostFailed moves the next attempt to the other host. Only a failure of the
// host currently in use flips it, so concurrent calls failing together do not
// bounce the client back and forth.
func (c *Client) hostFailed(h host) {
	if c.backup == nil {
		return
	}
	c.hostMu.Lock()
	defer c.hostMu.Unlock()
	switch {
	case h == c.primary && !c.onBackup:
		c.onBackup, c.backupSince = true, c.now()
	case h == *c.backup && c.onBackup:
		c.onBackup = false
	}
}
