package wxpay

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/validators"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

const (
	signTestPrefix = "WECHATPAY/SIGNTEST/"
	// maxClockSkew mirrors the SDK validator's five-minute window; checking
	// it here too gives the user a reason that names the clock.
	maxClockSkew = 300
	// certRetryAfterFailure spaces out refresh attempts while WeChat Pay
	// cannot be reached and the previous certificates are still usable.
	certRetryAfterFailure = time.Minute
	gcmNonceSize          = 12
)

var signedHeaderNames = []string{"Wechatpay-Serial", "Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce"}

// precheck looks at the signature headers before the SDK validator does, to
// refuse probes and give precise reasons. It returns the serial the answer
// says it is signed with.
func precheck(h http.Header) (string, *VerificationError) {
	for _, name := range signedHeaderNames {
		if strings.TrimSpace(h.Get(name)) == "" {
			return "", &VerificationError{Reason: "header " + name + " is missing"}
		}
	}
	if strings.HasPrefix(strings.TrimSpace(h.Get("Wechatpay-Signature")), signTestPrefix) {
		return "", &VerificationError{Reason: "Wechatpay-Signature is a " + signTestPrefix +
			" probe, not a real signature (WeChat Pay sends these to check that clients verify answers)"}
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(h.Get("Wechatpay-Timestamp")), 10, 64)
	if err != nil {
		return "", &VerificationError{Reason: "header Wechatpay-Timestamp is not a Unix time in seconds"}
	}
	// Real time on purpose: the signature window is about the wire, and the
	// SDK validator checks against time.Now as well.
	if skew := time.Now().Unix() - ts; skew >= maxClockSkew || skew <= -maxClockSkew {
		return "", &VerificationError{Reason: fmt.Sprintf(
			"Wechatpay-Timestamp %d is %d s away from the local clock (limit %d s); a replayed answer, or the system clock is wrong",
			ts, skew, maxClockSkew)}
	}
	return strings.TrimSpace(h.Get("Wechatpay-Serial")), nil
}

func runValidator(ctx context.Context, v *validators.WechatPayResponseValidator, serial string, a *answer) error {
	resp := &http.Response{Header: a.header, Body: io.NopCloser(bytes.NewReader(a.body))}
	if err := v.Validate(ctx, resp); err != nil {
		return &VerificationError{Reason: fmt.Sprintf("signature does not match the key for serial %q", serial), Err: err}
	}
	return nil
}

// verifyAnswer checks a 2xx answer with the public key or the platform
// certificate its Wechatpay-Serial names. In certificate mode an unknown
// serial triggers one certificate refresh, since WeChat Pay rotates
// certificates and starts signing with the new one.
func (c *Client) verifyAnswer(ctx context.Context, a *answer) error {
	serial, ve := precheck(a.header)
	if ve != nil {
		return ve
	}
	if c.pubValidator != nil && serial == c.pubKeyID {
		return runValidator(ctx, c.pubValidator, serial, a)
	}
	if c.pubValidator != nil && strings.HasPrefix(serial, PublicKeyIDPrefix) {
		// Signed with another WeChat Pay public key: the configured id is wrong, and no platform
		// certificate could stand in for a public key.
		return &VerificationError{Reason: fmt.Sprintf(
			"answer signed with WeChat Pay public key %q, but the configured public key ID is %q; check the public key ID and the public key against the merchant platform",
			serial, c.pubKeyID)}
	}
	if c.apiv3Key == "" {
		return &VerificationError{Reason: fmt.Sprintf(
			"answer signed with serial %q, but only the WeChat Pay public key %q is configured; set the APIv3 key to also accept platform certificates",
			serial, c.pubKeyID)}
	}
	before := c.certs.Load()
	st, err := c.ensureCerts(ctx)
	if err != nil {
		return &VerificationError{Reason: "platform certificates needed to check the answer could not be downloaded", Err: err}
	}
	// A set downloaded just now for this very answer is not refreshed again.
	if !st.has(serial) && st == before {
		c.log.DebugContext(ctx, "WeChat Pay answer signed with an unknown certificate serial, refreshing certificates", slog.String("serial", serial))
		st, err = c.refreshCerts(ctx, st)
		if err != nil {
			return &VerificationError{Reason: fmt.Sprintf("answer signed with unknown serial %q and refreshing the platform certificates failed", serial), Err: err}
		}
	}
	if !st.has(serial) {
		reason := fmt.Sprintf("answer signed with unknown serial %q, not among the downloaded platform certificates", serial)
		if strings.HasPrefix(serial, "PUB_KEY_ID_") {
			reason += "; the merchant uses WeChat Pay public-key mode: configure the public key ID and public key"
		}
		return &VerificationError{Reason: reason}
	}
	return runValidator(ctx, st.validator, serial, a)
}

// certState is one downloaded set of platform certificates. It is never
// modified after publication except for its refresh time, so readers need no
// lock; a refresh publishes a new one.
type certState struct {
	certs     *core.CertificateMap
	validator *validators.WechatPayResponseValidator
	newest    string
	due       atomic.Int64 // unix nanos after which a refresh is attempted
}

func (s *certState) has(serial string) bool {
	_, ok := s.certs.Get(context.Background(), serial)
	return ok
}

type certFlight struct {
	done chan struct{}
	st   *certState
	err  error
	// abandoned: the download failed because its leader's context ended, which says nothing
	// about the callers waiting for it.
	abandoned bool
}

// ensureCerts returns usable certificates, downloading them on first need and
// again once CertRefreshInterval has passed. A failed periodic refresh keeps
// the previous set (with a warning) rather than failing calls.
func (c *Client) ensureCerts(ctx context.Context) (*certState, error) {
	st := c.certs.Load()
	if st != nil && c.now().UnixNano() < st.due.Load() {
		return st, nil
	}
	fresh, err := c.refreshCerts(ctx, st)
	if err != nil {
		if st != nil {
			c.log.WarnContext(ctx, "refreshing WeChat Pay platform certificates failed; keeping the previous ones", slog.String("error", err.Error()))
			st.due.Store(c.now().Add(certRetryAfterFailure).UnixNano())
			return st, nil
		}
		return nil, err
	}
	return fresh, nil
}

// refreshCerts downloads certificates once for all concurrent callers that
// saw the same state seen. If another caller already replaced seen, its
// result is used without a second download. The download runs under the
// context of the caller that started it; when that one gives up, a caller
// still waiting starts the download again under its own context rather than
// fail for another's deadline.
func (c *Client) refreshCerts(ctx context.Context, seen *certState) (*certState, error) {
	for {
		c.flightMu.Lock()
		if cur := c.certs.Load(); cur != nil && cur != seen {
			c.flightMu.Unlock()
			return cur, nil
		}
		f := c.flight
		leader := f == nil
		if leader {
			f = &certFlight{done: make(chan struct{})}
			c.flight = f
		}
		c.flightMu.Unlock()

		if !leader {
			if c.certWait != nil {
				c.certWait()
			}
			select {
			case <-f.done:
				if f.abandoned && ctx.Err() == nil {
					continue
				}
				return f.st, f.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}

		f.st, f.err = c.downloadCertificates(ctx)
		c.flightMu.Lock()
		if f.err == nil {
			c.certs.Store(f.st)
		}
		f.abandoned = f.err != nil && ctx.Err() != nil
		c.flight = nil
		c.flightMu.Unlock()
		close(f.done)
		return f.st, f.err
	}
}

// downloadCertificates fetches GET /v3/certificates through the normal call
// path, so it gets the same host failover, retries and rate limit as any
// call (the SDK's downloader always uses the primary host).
func (c *Client) downloadCertificates(ctx context.Context) (*certState, error) {
	var st *certState
	check := func(ctx context.Context, a *answer) error {
		var err error
		st, err = c.certsFromAnswer(ctx, a)
		return err
	}
	if err := c.do(ctx, Request{Method: http.MethodGet, Path: "/v3/certificates"}, nil, check); err != nil {
		return nil, err
	}
	c.log.DebugContext(ctx, "downloaded WeChat Pay platform certificates", slog.String("newest_serial", st.newest))
	return st, nil
}

type encryptedCertificate struct {
	SerialNo           string `json:"serial_no"`
	EffectiveTime      string `json:"effective_time"`
	ExpireTime         string `json:"expire_time"`
	EncryptCertificate struct {
		Algorithm      string `json:"algorithm"`
		Nonce          string `json:"nonce"`
		AssociatedData string `json:"associated_data"`
		Ciphertext     string `json:"ciphertext"`
	} `json:"encrypt_certificate"`
}

// certsFromAnswer reads the certificate list: it decrypts it (AES-GCM authenticates it with the
// APIv3 key), then checks the answer's own signature with the certificate it names, or the
// public key during a migration.
func (c *Client) certsFromAnswer(ctx context.Context, a *answer) (*certState, error) {
	prev := c.certs.Load()
	serial, ve := precheck(a.header)
	if ve != nil {
		return nil, ve
	}
	m, err := c.decryptCertificates(a.body)
	if err != nil {
		return nil, err
	}
	st := c.newCertState(ctx, m)
	if err := c.checkCertificateList(ctx, a, serial, st, prev); err != nil {
		return nil, err
	}
	return st, nil
}

// decryptCertificates decrypts every certificate of the list with the APIv3 key.
func (c *Client) decryptCertificates(body []byte) (map[string]*x509.Certificate, error) {
	var wire struct {
		Data []encryptedCertificate `json:"data"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, &VerificationError{Reason: "the certificate list is not valid JSON", Err: err}
	}
	m := make(map[string]*x509.Certificate, len(wire.Data))
	for _, ec := range wire.Data {
		cert, err := c.decryptCertificate(ec)
		if err != nil {
			return nil, err
		}
		m[ec.SerialNo] = cert
	}
	if len(m) == 0 {
		return nil, &VerificationError{Reason: "the certificate list is empty"}
	}
	return m, nil
}

// decryptCertificate decrypts one certificate and checks that it has the serial it is listed with.
func (c *Client) decryptCertificate(ec encryptedCertificate) (*x509.Certificate, error) {
	enc := ec.EncryptCertificate
	if enc.Algorithm != "AEAD_AES_256_GCM" {
		return nil, &VerificationError{Reason: fmt.Sprintf("certificate %q uses unsupported algorithm %q", ec.SerialNo, enc.Algorithm)}
	}
	// The list is decrypted before its signature can be checked, and the SDK's
	// decryption panics on a nonce that is not 12 bytes (utils.DecryptAES256GCM
	// passes it to gcm.Open unchecked, as of v0.2.21): refuse it first. This check
	// can go once the SDK checks the length itself; a FuzzCertificateList seed
	// with an 11-byte nonce covers it.
	if len(enc.Nonce) != gcmNonceSize {
		return nil, &VerificationError{Reason: fmt.Sprintf("certificate %q has a %d-byte nonce; AEAD_AES_256_GCM needs %d",
			ec.SerialNo, len(enc.Nonce), gcmNonceSize)}
	}
	pemText, err := utils.DecryptAES256GCM(c.apiv3Key, enc.AssociatedData, enc.Nonce, enc.Ciphertext)
	if err != nil {
		return nil, &VerificationError{Reason: fmt.Sprintf(
			"certificate %q could not be decrypted with the APIv3 key (wrong APIv3 key, or the answer was altered)", ec.SerialNo), Err: err}
	}
	cert, err := utils.LoadCertificate(pemText)
	if err != nil {
		return nil, &VerificationError{Reason: fmt.Sprintf("certificate %q is not a valid certificate", ec.SerialNo), Err: err}
	}
	if got := utils.GetCertificateSerialNumber(*cert); !sameSerial(got, ec.SerialNo) {
		return nil, &VerificationError{Reason: fmt.Sprintf("certificate listed as %q has serial %q", ec.SerialNo, got)}
	}
	return cert, nil
}

// newCertState makes a certificate set, with a validator that also accepts the public key
// during a migration, due for refresh after CertRefreshInterval.
func (c *Client) newCertState(ctx context.Context, m map[string]*x509.Certificate) *certState {
	cm := core.NewCertificateMap(m)
	st := &certState{certs: cm, newest: cm.GetNewestSerial(ctx)}
	if c.pubKey != nil {
		st.validator = validators.NewWechatPayResponseValidator(
			verifiers.NewSHA256WithRSACombinedVerifier(cm, c.pubKeyID, *c.pubKey))
	} else {
		st.validator = validators.NewWechatPayResponseValidator(verifiers.NewSHA256WithRSAVerifier(cm))
	}
	st.due.Store(c.now().Add(c.certRefresh).UnixNano())
	return st
}

// checkCertificateList checks the signature of the certificate list's answer with the key its
// serial names: the public key, a certificate of the list, or one of the previous set.
func (c *Client) checkCertificateList(ctx context.Context, a *answer, serial string, st, prev *certState) error {
	switch {
	case c.pubValidator != nil && serial == c.pubKeyID:
		return runValidator(ctx, c.pubValidator, serial, a)
	case st.has(serial):
		return runValidator(ctx, st.validator, serial, a)
	case prev != nil && prev.has(serial):
		// Asked for with the previous newest serial, the list may be signed
		// by a certificate it no longer contains; that one is still trusted.
		return runValidator(ctx, prev.validator, serial, a)
	}
	return &VerificationError{Reason: fmt.Sprintf("the certificate list is signed with serial %q, which is not among the certificates it contains", serial)}
}

func sameSerial(a, b string) bool {
	return strings.EqualFold(strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0"))
}
