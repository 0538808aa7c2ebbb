package wxpay

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestVerificationFailures(t *testing.T) {
	otherKey := func(t *testing.T) reply { return reply{signKey: testPrivateKey(t, "platform_cert_a_key.pem")} }
	tests := []struct {
		name       string
		reply      func(t *testing.T) reply
		wantReason string
	}{
		{"tampered body", func(*testing.T) reply {
			return reply{after: func(h http.Header, b *string) { *b = `{"authorize_state":"AUTHORIZE_STATE_UNAUTHORIZED"}` }}
		}, "signature does not match"},
		{"signed by another key", otherKey, "signature does not match"},
		{"stale timestamp", func(*testing.T) reply { return reply{tsOffset: -301} }, "away from the local clock"},
		{"future timestamp", func(*testing.T) reply { return reply{tsOffset: 400} }, "away from the local clock"},
		{"unsigned answer", func(*testing.T) reply { return reply{unsigned: true} }, "is missing"},
		{"missing Wechatpay-Nonce", func(*testing.T) reply {
			return reply{after: func(h http.Header, _ *string) { h.Del("Wechatpay-Nonce") }}
		}, "Wechatpay-Nonce is missing"},
		{"missing Wechatpay-Timestamp", func(*testing.T) reply {
			return reply{after: func(h http.Header, _ *string) { h.Del("Wechatpay-Timestamp") }}
		}, "Wechatpay-Timestamp is missing"},
		{"missing Wechatpay-Serial", func(*testing.T) reply {
			return reply{after: func(h http.Header, _ *string) { h.Del("Wechatpay-Serial") }}
		}, "Wechatpay-Serial is missing"},
		{"SIGNTEST probe", func(*testing.T) reply {
			return reply{after: func(h http.Header, _ *string) {
				h.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/"+h.Get("Wechatpay-Signature"))
			}}
		}, "SIGNTEST"},
		{"unknown serial in public-key mode", func(*testing.T) reply {
			return reply{after: func(h http.Header, _ *string) { h.Set("Wechatpay-Serial", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1") }}
		}, "set the APIv3 key"},
		{"204 unsigned", func(*testing.T) reply { return reply{status: 204, body: "", unsigned: true} }, "is missing"},
		{"204 tampered", func(*testing.T) reply {
			return reply{status: 204, after: func(h http.Header, _ *string) { h.Set("Wechatpay-Nonce", "other") }}
		}, "signature does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.fake.setScript(tt.reply(t), reply{})
			out := struct {
				State string `json:"authorize_state"`
			}{State: "untouched"}
			err := e.client.Do(context.Background(), Request{Method: "POST", Path: "/v3/goldplan/merchants/close-advertising-show", Body: map[string]string{"sub_mchid": "1900000109"}}, &out)
			var ve *VerificationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a VerificationError", err)
			}
			if !strings.Contains(ve.Reason, tt.wantReason) {
				t.Errorf("reason %q does not mention %q", ve.Reason, tt.wantReason)
			}
			if ve.Method != "POST" || ve.Path != "/v3/goldplan/merchants/close-advertising-show" || ve.Host == "" || ve.RequestID == "" {
				t.Errorf("error context missing: %+v", ve)
			}
			if IsTransient(err) {
				t.Error("a VerificationError must not be transient")
			}
			if out.State != "untouched" {
				t.Errorf("untrusted body was decoded: %q", out.State)
			}
			if n := len(e.fake.businessCalls()); n != 1 {
				t.Errorf("%d attempts: an untrusted answer must not be retried", n)
			}
			if !strings.Contains(err.Error(), "could not be trusted") {
				t.Errorf("error text %q", err)
			}
		})
	}
}

func TestVerified204(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.setScript(reply{status: 204, body: ""})
	out := map[string]any{}
	if err := e.client.Do(context.Background(), Request{Method: "PATCH", Path: "/v3/goldplan/merchants/open-advertising-show", Body: map[string]any{"sub_mchid": "1900000109"}}, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 0 {
		t.Errorf("204 decoded into %v", out)
	}
}

// certEnv is a client in certificate mode (or migration mode with
// migrate) against a fake holding certificate A, which it signs with by
// default.
func certEnv(t *testing.T, migrate bool, mod func(*Config)) (*testEnv, string) {
	t.Helper()
	e := newEnv(t, func(c *Config) {
		if !migrate {
			certMode(c)
		} else {
			c.APIv3Key = testAPIv3Key
		}
		if mod != nil {
			mod(c)
		}
	})
	a := e.fake.addCert(t, "platform_cert_a_key.pem", 0x5157F09EFDC096DE, time.Now().Add(-48*time.Hour))
	if !migrate {
		e.fake.mu.Lock()
		e.fake.defaultSerial = a
		e.fake.mu.Unlock()
	}
	return e, a
}

func TestCertificateMode(t *testing.T) {
	ctx := context.Background()
	t.Run("lazy download, decrypt, verify, then reuse", func(t *testing.T) {
		e, a := certEnv(t, false, nil)
		if n := len(e.fake.allCalls()); n != 0 {
			t.Fatalf("New made %d calls", n)
		}
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		calls := e.fake.allCalls()
		if len(calls) != 2 || calls[0].uri != certificatesPath || !calls[0].sigOK {
			t.Fatalf("calls = %v", uris(calls))
		}
		if s := calls[0].header.Get("Wechatpay-Serial"); s != "" {
			t.Errorf("first certificate download sent Wechatpay-Serial %q before any certificate is known", s)
		}
		if s := calls[1].header.Get("Wechatpay-Serial"); s != a {
			t.Errorf("business call Wechatpay-Serial = %q, want certificate %q", s, a)
		}
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if n := e.fake.certificateCalls(); n != 1 {
			t.Errorf("%d certificate downloads, want 1", n)
		}
	})
	t.Run("refresh on timer", func(t *testing.T) {
		e, _ := certEnv(t, false, func(c *Config) { c.CertRefreshInterval = time.Hour })
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(59 * time.Minute)
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if n := e.fake.certificateCalls(); n != 1 {
			t.Fatalf("refreshed early: %d downloads", n)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if n := e.fake.certificateCalls(); n != 2 {
			t.Fatalf("%d downloads, want a refresh after the interval", n)
		}
	})
	t.Run("failed timer refresh keeps the previous certificates", func(t *testing.T) {
		e, _ := certEnv(t, false, func(c *Config) { c.CertRefreshInterval = time.Hour; c.MaxRetries = -1 })
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(2 * time.Hour)
		e.fake.setCertScript(apiErr(500, "SYSTEM_ERROR", "busy"))
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatalf("call failed because the periodic refresh failed: %v", err)
		}
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if n := e.fake.certificateCalls(); n != 2 {
			t.Fatalf("%d downloads: a failed refresh should be retried later, not on every call", n)
		}
	})
	t.Run("a waiter outlives the caller that started the download", func(t *testing.T) {
		// The first caller starts the download and gives up (its deadline passes, or it is
		// cancelled: the same to the client) while a second caller with time left waits for it.
		e, _ := certEnv(t, false, nil)
		e.fake.setCertScript(reply{block: true})
		waiting := make(chan struct{})
		var once sync.Once
		e.client.certWait = func() { once.Do(func() { close(waiting) }) }

		short, giveUp := context.WithCancel(ctx)
		defer giveUp()
		firstDone := make(chan error, 1)
		go func() {
			_, err := e.client.GetAuthorizeState(short, "1900000109")
			firstDone <- err
		}()
		for e.fake.certificateCalls() == 0 {
			time.Sleep(time.Millisecond) // until the first caller's download has reached the server
		}
		long, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		secondDone := make(chan error, 1)
		go func() {
			_, err := e.client.GetAuthorizeState(long, "1900000110")
			secondDone <- err
		}()
		<-waiting
		giveUp()

		if err := <-firstDone; !errors.Is(err, context.Canceled) {
			t.Errorf("first caller: %v, want its own context's error", err)
		}
		if err := <-secondDone; err != nil {
			t.Fatalf("second caller failed for the first one's deadline: %v", err)
		}
		if n := e.fake.certificateCalls(); n != 2 {
			t.Errorf("%d certificate downloads, want 2 (the abandoned one, then the waiter's own)", n)
		}
	})
	t.Run("a waiter shares a download that failed on its own", func(t *testing.T) {
		e, _ := certEnv(t, false, func(c *Config) { c.MaxRetries = -1 })
		release := make(chan struct{})
		e.fake.setCertScript(reply{hold: release, status: 500, body: `{"code":"SYSTEM_ERROR","message":"系统繁忙"}`})
		waiting := make(chan struct{})
		var once sync.Once
		e.client.certWait = func() { once.Do(func() { close(waiting) }) }
		errs := make(chan error, 2)
		go func() {
			_, err := e.client.GetAuthorizeState(ctx, "1900000109")
			errs <- err
		}()
		for e.fake.certificateCalls() == 0 {
			time.Sleep(time.Millisecond)
		}
		go func() {
			_, err := e.client.GetAuthorizeState(ctx, "1900000110")
			errs <- err
		}()
		<-waiting
		close(release)
		for range 2 {
			if err := <-errs; !HasCode(err, "SYSTEM_ERROR") {
				t.Errorf("caller: %v, want the download's SYSTEM_ERROR", err)
			}
		}
		if n := e.fake.certificateCalls(); n != 1 {
			t.Errorf("%d certificate downloads, want 1: a failed download is not repeated by every waiter", n)
		}
	})
	t.Run("unknown serial triggers one single-flight refresh", func(t *testing.T) {
		e, _ := certEnv(t, false, nil)
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		// WeChat Pay rotates: a newer certificate B appears and signs answers.
		b := e.fake.addCert(t, "platform_cert_b_key.pem", 0x7A11, time.Now().Add(-time.Hour))
		var script []reply
		for range 8 {
			script = append(script, reply{signSerial: b})
		}
		e.fake.setScript(script...)
		inParallel(t, 8, func(int) error {
			_, err := e.client.GetAuthorizeState(ctx, "1900000109")
			return err
		})
		if n := e.fake.certificateCalls(); n != 2 {
			t.Errorf("%d certificate downloads, want 2 (initial + one refresh)", n)
		}
		if got := e.client.acceptSerial(); got != b {
			t.Errorf("Wechatpay-Serial after refresh = %q, want the newest certificate %q", got, b)
		}
	})
	t.Run("refreshed list signed by a certificate it no longer contains", func(t *testing.T) {
		e, a := certEnv(t, false, nil)
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		// A is retired from the list but still signs it (the client asks for
		// A, its newest known); B signs business answers.
		b := e.fake.addCert(t, "platform_cert_b_key.pem", 0x7A11, time.Now().Add(-time.Hour))
		e.fake.mu.Lock()
		e.fake.certs = e.fake.certs[1:]
		e.fake.certScript = []reply{{signSerial: a}}
		e.fake.mu.Unlock()
		e.fake.setScript(reply{signSerial: b})
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := e.client.acceptSerial(); got != b {
			t.Errorf("newest serial = %q, want %q", got, b)
		}
	})
	t.Run("serial still unknown after the refresh", func(t *testing.T) {
		e, _ := certEnv(t, false, nil)
		e.fake.setScript(reply{signSerial: testPubKeyID})
		_, err := e.client.GetAuthorizeState(ctx, "1900000109")
		var ve *VerificationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "unknown serial") || !strings.Contains(ve.Reason, "public-key mode") {
			t.Fatalf("err = %v", err)
		}
		if n := e.fake.certificateCalls(); n != 2 {
			t.Errorf("%d downloads, want the initial one plus exactly one refresh", n)
		}
	})
	t.Run("wrong APIv3 key", func(t *testing.T) {
		e, _ := certEnv(t, false, func(c *Config) { c.APIv3Key = "WrongKeyForTests0123456789abcdef" })
		_, err := e.client.GetAuthorizeState(ctx, "1900000109")
		var ve *VerificationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "APIv3 key") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "WrongKeyForTests") {
			t.Error("error text contains the APIv3 key")
		}
		if n := len(e.fake.businessCalls()); n != 0 {
			t.Errorf("business call sent without trusted certificates")
		}
	})
	t.Run("certificate list with a bad signature", func(t *testing.T) {
		e, _ := certEnv(t, false, nil)
		e.fake.setCertScript(reply{signKey: testPrivateKey(t, "platform_cert_b_key.pem"), body: ""})
		_, err := e.client.GetAuthorizeState(ctx, "1900000109")
		var ve *VerificationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "signature does not match") || ve.Path != certificatesPath {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("certificate list signed by a certificate it does not contain", func(t *testing.T) {
		e, _ := certEnv(t, false, nil)
		e.fake.setCertScript(reply{signSerial: testPubKeyID})
		_, err := e.client.GetAuthorizeState(ctx, "1900000109")
		var ve *VerificationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "not among the certificates") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("download follows failover", func(t *testing.T) {
		e, _ := certEnv(t, false, func(c *Config) { c.BackupEndpoint = useFakeBackup })
		e.fake.setDown("primary", true)
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		calls := e.fake.allCalls()
		if got := hosts(calls); got != "primary,backup,backup" || calls[1].uri != certificatesPath {
			t.Fatalf("calls = %s %v", got, uris(calls))
		}
	})
}

func TestMigrationMode(t *testing.T) {
	ctx := context.Background()
	t.Run("public-key answers need no certificates", func(t *testing.T) {
		e, _ := certEnv(t, true, nil)
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		calls := e.fake.allCalls()
		if len(calls) != 1 || calls[0].header.Get("Wechatpay-Serial") != testPubKeyID {
			t.Fatalf("calls = %v", uris(calls))
		}
	})
	t.Run("certificate-signed answers are accepted too", func(t *testing.T) {
		e, a := certEnv(t, true, nil)
		e.fake.setScript(reply{signSerial: a})
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := uris(e.fake.allCalls()); got != "/v3/apply4subject/applyment/merchants/1900000109/state "+certificatesPath {
			t.Fatalf("calls = %s", got)
		}
	})
	t.Run("unknown serial downloads once, not twice", func(t *testing.T) {
		e, _ := certEnv(t, true, nil)
		e.fake.setScript(reply{signSerial: testPubKeyID, after: func(h http.Header, _ *string) { h.Set("Wechatpay-Serial", "ABCDEF01") }})
		_, err := e.client.GetAuthorizeState(ctx, "1900000109")
		var ve *VerificationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "unknown serial") {
			t.Fatalf("err = %v", err)
		}
		if n := e.fake.certificateCalls(); n != 1 {
			t.Errorf("%d downloads: a set fetched for this answer must not be fetched again", n)
		}
	})
	t.Run("tampered certificate-signed answer", func(t *testing.T) {
		e, a := certEnv(t, true, nil)
		e.fake.setScript(reply{signSerial: a, after: func(_ http.Header, b *string) { *b = `{"authorize_state":"AUTHORIZE_STATE_UNAUTHORIZED"}` }})
		_, err := e.client.GetAuthorizeState(ctx, "1900000109")
		var ve *VerificationError
		if !errors.As(err, &ve) {
			t.Fatalf("err = %v", err)
		}
	})
}

func uris(calls []seenCall) string {
	var s []string
	for _, c := range calls {
		s = append(s, c.uri)
	}
	return strings.Join(s, " ")
}
