package wxpay

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func retryAfter(r reply, seconds string) reply {
	r.header = map[string]string{"Retry-After": seconds}
	return r
}

// Error answers are not signed: what they ask for (Retry-After) is honoured only within the
// time the call has, and the client says so when it gives up for it.
func TestRetryAfterIsBounded(t *testing.T) {
	refused := apiErr(429, "FREQUENCY_LIMITED", "频率超限")
	t.Run("longer than the deadline leaves", func(t *testing.T) {
		e := newEnv(t, nil)
		e.fake.setScript(retryAfter(refused, "90"), reply{})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := e.client.GetAuthorizeState(ctx, "1900000109")
		var we *RetryWaitError
		if !errors.As(err, &we) || !we.ByDeadline || we.Wait != 90*time.Second {
			t.Fatalf("err = %v, want a RetryWaitError for the deadline", err)
		}
		msg := err.Error()
		for _, want := range []string{"WeChat Pay asked to wait 90 s (Retry-After)", "exceeds the time left for this operation (",
			"raise the resource's timeouts or try later", "FREQUENCY_LIMITED"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not say %q", msg, want)
			}
		}
		if !HasCode(err, "FREQUENCY_LIMITED") || !IsRateLimited(err) {
			t.Errorf("the last answer is not reachable through the error: %v", err)
		}
		if n := len(e.fake.businessCalls()); n != 1 || len(e.sleeps.get()) != 0 {
			t.Errorf("%d calls and waits %v, want 1 call and no wait", n, e.sleeps.get())
		}
	})
	t.Run("all the waits of one call together", func(t *testing.T) {
		e := newEnv(t, nil)
		e.fake.setScript(retryAfter(refused, "100"), retryAfter(refused, "100"), reply{})
		_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")
		var we *RetryWaitError
		if !errors.As(err, &we) || we.ByDeadline || we.Left != maxRetryAfter-100*time.Second {
			t.Fatalf("err = %v, want a RetryWaitError for the client's limit", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "asked to wait 100 s (Retry-After)") || !strings.Contains(msg, "(20 s of 120 s)") {
			t.Errorf("error %q", msg)
		}
		var total time.Duration
		for _, d := range e.sleeps.get() {
			total += d
		}
		if total > maxRetryAfter {
			t.Errorf("waited %v in all for one call, more than %v", total, maxRetryAfter)
		}
		if n := len(e.fake.businessCalls()); n != 2 {
			t.Errorf("%d calls, want 2", n)
		}
	})
	t.Run("an hour", func(t *testing.T) {
		e := newEnv(t, nil)
		e.fake.setScript(withoutRequestID(retryAfter(refused, "3600")), reply{})
		_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")
		host := strings.TrimPrefix(e.primary.URL, "http://")
		if err == nil || !strings.Contains(err.Error(), "host "+host+" asked to wait 3600 s (Retry-After)") {
			t.Fatalf("err = %v, want the host named as the one asking", err)
		}
		if n := len(e.sleeps.get()); n != 0 {
			t.Errorf("waited %v", e.sleeps.get())
		}
	})
	t.Run("within bounds it is honoured", func(t *testing.T) {
		e := newEnv(t, nil)
		e.fake.setScript(retryAfter(refused, "3"), reply{})
		if _, err := e.client.GetAuthorizeState(context.Background(), "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := e.sleeps.get(); len(got) != 1 || got[0] != 3*time.Second {
			t.Errorf("waits %v, want the 3 s asked for", got)
		}
	})
}

// One refusal, which anything on the way can send, does little to the adaptive limit; an answer
// that is not WeChat Pay's does nothing.
func TestRateLimitRefusalsAreBounded(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		reply reply
		want  float64
	}{
		{"HTML 429 from a proxy", withoutRequestID(reply{status: 429, body: "<html><body>429 Too Many Requests</body></html>"}), math.Inf(1)},
		{"WeChat Pay JSON without Request-ID", withoutRequestID(apiErr(429, "FREQUENCY_LIMITED", "频率超限")), math.Inf(1)},
		{"a lone WeChat Pay refusal", apiErr(429, "FREQUENCY_LIMITED", "频率超限"), float64(loneRefusalRate)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.RateLimit = 0 })
			e.fake.setScript(tc.reply, reply{})
			if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
				t.Fatal(err)
			}
			if got := e.client.limits.forAPI(authorizeStateAPI).Limit(); got != tc.want {
				t.Errorf("limit after the refusal = %v, want %v", got, tc.want)
			}
			if n := len(e.fake.businessCalls()); n != 2 {
				t.Errorf("%d calls, want the refused one retried", n)
			}
		})
	}
}

// A TLS certificate that does not verify is reported at once, never retried on either host, and
// logged as a warning with the host.
func TestCertificateFailuresAreNotRetried(t *testing.T) {
	tlsServer := func(t *testing.T) (*httptest.Server, *atomic.Int32) {
		var conns atomic.Int32
		s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}))
		s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				conns.Add(1)
			}
		}
		s.Config.ErrorLog = log.New(io.Discard, "", 0)
		s.StartTLS()
		t.Cleanup(s.Close)
		return s, &conns
	}
	for _, tc := range []struct {
		name string
		// endpoint and client for a server whose certificate does not verify
		setup func(s *httptest.Server) (endpoint string, hc *http.Client)
	}{
		{"unknown authority", func(s *httptest.Server) (string, *http.Client) { return s.URL, nil }},
		{"wrong host name", func(s *httptest.Server) (string, *http.Client) {
			roots := x509.NewCertPool()
			roots.AddCert(s.Certificate())
			_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
			return "https://localhost:" + port, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			primary, primaryConns := tlsServer(t)
			backup, backupConns := tlsServer(t)
			endpoint, hc := tc.setup(primary)
			var logs logRecorder
			e := newEnv(t, func(c *Config) {
				c.Endpoint, c.BackupEndpoint, c.HTTPClient = endpoint, backup.URL, hc
				logTo(&logs)(c)
			})
			_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")

			var ce *CertificateError
			var ne *NetworkError
			if !errors.As(err, &ce) || !errors.As(err, &ne) || ne.Attempts != 1 {
				t.Fatalf("err = %v, want a CertificateError after one attempt", err)
			}
			if IsTransient(err) {
				t.Error("a certificate failure counts as transient")
			}
			host := strings.TrimPrefix(endpoint, "https://")
			if !strings.Contains(err.Error(), "TLS certificate of host "+host+" could not be verified") {
				t.Errorf("error %q does not name the host", err)
			}
			if n, m := primaryConns.Load(), backupConns.Load(); n != 1 || m != 0 {
				t.Errorf("%d connections to the primary and %d to the backup, want 1 and 0", n, m)
			}
			warned := false
			for _, en := range logs.get() {
				if en.level == slog.LevelWarn && en.attrs["host"] == host && strings.Contains(en.msg, "TLS certificate") {
					warned = true
				}
				if en.level == slog.LevelWarn && strings.Contains(en.msg, "retrying") {
					t.Errorf("retried: %v", en)
				}
			}
			if !warned {
				t.Errorf("no warning naming host %s:\n%s", host, logs.String())
			}
		})
	}
}
