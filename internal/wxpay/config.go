package wxpay

import (
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
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
	RateLimitCooldown = 5 * time.Second
	// MaxRateLimitedRetries is how many refusals for going too fast a call retries on top of
	// MaxRetries (unless MaxRetries is negative): such a refusal means WeChat Pay did nothing, and
	// the retries wait for the API's limiter. Several pipelines that share a merchant's quota
	// refuse each other's calls for a while until their limiters settle; a resource must not fail
	// for that.
	MaxRateLimitedRetries = 20
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

// checkCredentials refuses a configuration whose identities, keys or verification modes would
// make a request malformed or leave answers unverifiable. The identities go into request
// headers: a malformed one must never reach the wire.
func (cfg Config) checkCredentials() error {
	if err := ValidateMchID(cfg.MchID); err != nil {
		return fmt.Errorf("wechatpay: mchid: %w", err)
	}
	if err := ValidateMerchantSerialNumber(cfg.MerchantSerialNumber); err != nil {
		return fmt.Errorf("wechatpay: merchant certificate serial number: %w", err)
	}
	if cfg.PrivateKey == nil {
		return errors.New("wechatpay: merchant private key is required")
	}
	if (cfg.PublicKeyID == "") != (cfg.PublicKey == nil) {
		return errors.New("wechatpay: the WeChat Pay public key ID and the public key must be set together")
	}
	if cfg.PublicKeyID != "" {
		if err := ValidatePublicKeyID(cfg.PublicKeyID); err != nil {
			return fmt.Errorf("wechatpay: public key ID: %w", err)
		}
	}
	if cfg.APIv3Key != "" && len(cfg.APIv3Key) != 32 {
		return fmt.Errorf("wechatpay: the APIv3 key must be exactly 32 bytes, got %d", len(cfg.APIv3Key))
	}
	if cfg.PublicKeyID == "" && cfg.APIv3Key == "" {
		return errors.New("wechatpay: no way to verify answers: configure the WeChat Pay public key (ID and key) or the APIv3 key (platform certificates), or both during a migration")
	}
	return nil
}

// checkLimits refuses negative rates and durations.
func (cfg Config) checkLimits() error {
	if cfg.RateLimit < 0 {
		return fmt.Errorf("wechatpay: rate limit must be positive, got %g", cfg.RateLimit)
	}
	if cfg.RequestTimeout < 0 || cfg.FailbackAfter < 0 || cfg.CertRefreshInterval < 0 {
		return errors.New("wechatpay: durations must not be negative")
	}
	return nil
}

// hosts checks the endpoints and returns the primary host and the backup (nil without
// failover), as Config.Endpoint and Config.BackupEndpoint describe.
func (cfg Config) hosts() (primary host, backup *host, err error) {
	endpoint := orDefault(cfg.Endpoint, DefaultEndpoint)
	if err := ValidateEndpoint(endpoint); err != nil {
		return host{}, nil, fmt.Errorf("wechatpay: %w", err)
	}
	endpoint = normalizeEndpoint(endpoint)
	backupRaw := cfg.BackupEndpoint
	if backupRaw == "" && endpoint == DefaultEndpoint {
		backupRaw = DefaultBackupEndpoint
	}
	if backupRaw == "" || backupRaw == NoBackup || normalizeEndpoint(backupRaw) == endpoint {
		return newHost(endpoint), nil, nil
	}
	if err := ValidateEndpoint(backupRaw); err != nil {
		return host{}, nil, fmt.Errorf("wechatpay: backup %w", err)
	}
	b := newHost(normalizeEndpoint(backupRaw))
	return newHost(endpoint), &b, nil
}

// retries is how many times a call is tried again after its first attempt.
func (cfg Config) retries() int {
	switch {
	case cfg.MaxRetries == 0:
		return DefaultMaxRetries
	case cfg.MaxRetries < 0:
		return 0
	}
	return cfg.MaxRetries
}

func (cfg Config) clock() func() time.Time {
	if cfg.Now == nil {
		return time.Now
	}
	return cfg.Now
}

func (cfg Config) logger() *slog.Logger {
	if cfg.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return cfg.Logger
}

// httpClient is the configured HTTP client with redirects turned off, or one tuned for many
// calls to few hosts.
func (cfg Config) httpClient() *http.Client {
	if cfg.HTTPClient != nil {
		hc := *cfg.HTTPClient
		hc.CheckRedirect = noRedirect
		return &hc
	}
	return defaultHTTPClient()
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
