package wxpay

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestDoSignsExactlyWhatIsSent(t *testing.T) {
	partner := `{"business_type":"BUSIFAVOR_STOCK","stock_id":"2433405"}`
	tests := []struct {
		name     string
		req      Request
		wantURI  string
		wantBody string
	}{
		{
			name:    "GET without query has no trailing question mark",
			req:     Request{Method: "GET", Path: "/v3/apply4subject/applyment/merchants/1900000109/state", Query: url.Values{}},
			wantURI: "/v3/apply4subject/applyment/merchants/1900000109/state",
		},
		{
			name:    "GET with a JSON object in the query",
			req:     Request{Method: "GET", Path: "/v3/marketing/partnerships", Query: url.Values{"limit": {"5"}, "offset": {"0"}, "authorized_data": {partner}}},
			wantURI: "/v3/marketing/partnerships?authorized_data=%7B%22business_type%22%3A%22BUSIFAVOR_STOCK%22%2C%22stock_id%22%3A%222433405%22%7D&limit=5&offset=0",
		},
		{
			name:    "escaped path segment",
			req:     Request{Method: "GET", Path: "/v3/apply4subject/applyment/merchants/" + url.PathEscape("19/00 1") + "/state"},
			wantURI: "/v3/apply4subject/applyment/merchants/19%2F00%201/state",
		},
		{
			name:     "POST body",
			req:      Request{Method: "POST", Path: "/v3/goldplan/merchants/changegoldplanstatus", Body: map[string]string{"sub_mchid": "1900000109", "operation_type": "OPEN"}},
			wantURI:  "/v3/goldplan/merchants/changegoldplanstatus",
			wantBody: `{"operation_type":"OPEN","sub_mchid":"1900000109"}`,
		},
		{
			name:     "PATCH body, lower-case method",
			req:      Request{Method: "patch", Path: "/v3/goldplan/merchants/open-advertising-show", Body: struct{ A []string }{[]string{"CAR"}}},
			wantURI:  "/v3/goldplan/merchants/open-advertising-show",
			wantBody: `{"A":["CAR"]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			if err := e.client.Do(context.Background(), tt.req, nil); err != nil {
				t.Fatal(err)
			}
			calls := e.fake.businessCalls()
			if len(calls) != 1 {
				t.Fatalf("%d calls, want 1", len(calls))
			}
			c := calls[0]
			if c.uri != tt.wantURI {
				t.Errorf("request URI = %q, want %q", c.uri, tt.wantURI)
			}
			if string(c.body) != tt.wantBody {
				t.Errorf("body = %q, want %q", c.body, tt.wantBody)
			}
			if !c.sigOK {
				t.Errorf("signature does not cover method %s, URI %q, body %q", c.method, c.uri, c.body)
			}
			if c.method != strings.ToUpper(tt.req.Method) {
				t.Errorf("method = %q", c.method)
			}
			wantHeaders := map[string]string{
				"Accept":           "application/json",
				"User-Agent":       "terraform-provider-wechatpay/1.2.3",
				"Wechatpay-Serial": testPubKeyID,
			}
			if tt.wantBody != "" {
				wantHeaders["Content-Type"] = "application/json"
			}
			for k, v := range wantHeaders {
				if got := c.header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.wantBody == "" && c.header.Get("Content-Type") != "" {
				t.Errorf("Content-Type %q sent without a body", c.header.Get("Content-Type"))
			}
			if len(c.nonce) != 32 {
				t.Errorf("nonce %q: want 32 characters", c.nonce)
			}
		})
	}
}

func TestDoRejectsBadPaths(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{"v3/no-slash", "/v3/x?limit=1", ""} {
		t.Run(p, func(t *testing.T) {
			if err := e.client.Do(context.Background(), Request{Method: "GET", Path: p}, nil); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if n := len(e.fake.allCalls()); n != 0 {
		t.Errorf("%d calls reached the server", n)
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

// logRecorder is a slog.Handler that keeps every record with its attributes and the value the
// record's context carries under logCtxKey, so that a test sees that the call's context arrived.
type logRecorder struct {
	mu      sync.Mutex
	entries []logEntry
}

type logEntry struct {
	level slog.Level
	msg   string
	attrs map[string]any
	ctx   any // the context's logCtxKey value
}

type logCtxKey struct{}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (r *logRecorder) Handle(ctx context.Context, rec slog.Record) error {
	e := logEntry{level: rec.Level, msg: rec.Message, attrs: map[string]any{}, ctx: ctx.Value(logCtxKey{})}
	rec.Attrs(func(a slog.Attr) bool {
		e.attrs[a.Key] = a.Value.Any()
		return true
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = append(r.entries, e)
	return nil
}

func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { panic("the client adds no attributes") }

func (r *logRecorder) WithGroup(string) slog.Handler { panic("the client opens no groups") }

func (r *logRecorder) get() []logEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]logEntry(nil), r.entries...)
}

// String prints every entry, for failure messages and for searching the whole log.
func (r *logRecorder) String() string {
	var b strings.Builder
	for _, e := range r.get() {
		fmt.Fprintf(&b, "%s %s %v ctx=%v\n", e.level, e.msg, e.attrs, e.ctx)
	}
	return b.String()
}

// logTo is a newEnv mod that sends the client's log to r.
func logTo(r *logRecorder) func(*Config) {
	return func(c *Config) { c.Logger = slog.New(r) }
}

func TestLogsNameTheCallButNoSecrets(t *testing.T) {
	var logs logRecorder
	ctx := context.WithValue(context.Background(), logCtxKey{}, "the call's context")
	e := newEnv(t, logTo(&logs))
	e.fake.setScript(apiErr(500, "SYSTEM_ERROR", "busy"), reply{})
	if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
		t.Fatal(err)
	}
	var calls, warns int
	for _, en := range logs.get() {
		if en.ctx != "the call's context" {
			t.Errorf("entry %q logged without the call's context", en.msg)
		}
		switch en.level {
		case slog.LevelDebug:
			if en.attrs["path"] == "/v3/apply4subject/applyment/merchants/1900000109/state" {
				calls++
				for _, k := range []string{"method", "status", "request_id", "attempt", "host", "latency_ms"} {
					if _, ok := en.attrs[k]; !ok {
						t.Errorf("debug entry lacks %s: %v", k, en.attrs)
					}
				}
			}
		case slog.LevelWarn:
			warns++
			if r, _ := en.attrs["reason"].(string); !strings.Contains(r, "SYSTEM_ERROR") {
				t.Errorf("retry warning without reason: %v", en.attrs)
			}
		}
	}
	out := logs.String()
	if calls != 2 || warns != 1 {
		t.Errorf("%d call entries and %d retry warnings, want 2 and 1:\n%s", calls, warns, out)
	}
	e.fake.mu.Lock()
	defer e.fake.mu.Unlock()
	for _, s := range append([]string{"WECHATPAY2-", "Authorization", "BEGIN"}, e.fake.signatures...) {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("log contains %.30q", s)
		}
	}
}

// Without a Logger the client logs nothing and needs none.
func TestNoLoggerLogsNothing(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.setScript(apiErr(500, "SYSTEM_ERROR", "busy"), reply{})
	if _, err := e.client.GetAuthorizeState(context.Background(), "1900000109"); err != nil {
		t.Fatal(err)
	}
}

// Ids that could move a call to another path are refused before anything is sent, and Do
// refuses such paths whoever builds them.
func TestPathSegmentsCannotMoveACall(t *testing.T) {
	ctx := context.Background()
	for _, id := range []string{"", ".", "..", "../..", "a/../b", `..\x`, "./1900000109"} {
		calls := map[string]func(c *Client) error{
			"GetAuthorizeState": func(c *Client) error { _, err := c.GetAuthorizeState(ctx, id); return err },
			"GetActivity":       func(c *Client) error { _, err := c.GetActivity(ctx, id); return err },
			"ListActivityMerchants": func(c *Client) error {
				_, err := c.ListActivityMerchants(ctx, id, 0, 10)
				return err
			},
			"FindActivityMember": func(c *Client) error { _, err := c.FindActivityMember(ctx, id, "1900000109"); return err },
			"AddActivityMerchants": func(c *Client) error {
				_, err := c.AddActivityMerchants(ctx, id, []string{"1900000109"}, "tf-add-0")
				return err
			},
			"DeleteActivityMerchants": func(c *Client) error {
				_, err := c.DeleteActivityMerchants(ctx, id, []string{"1900000109"}, "tf-del-0")
				return err
			},
		}
		for name, call := range calls {
			t.Run(name+"/"+id, func(t *testing.T) {
				e := newEnv(t, nil)
				err := call(e.client)
				if err == nil {
					t.Fatalf("id %q accepted", id)
				}
				if id != "" && !strings.Contains(err.Error(), "cannot be used in a URL path") {
					t.Errorf("error %q does not say why the id is refused", err)
				}
				if n := len(e.fake.businessCalls()); n != 0 {
					t.Errorf("%d calls sent: %s", n, e.fake.businessCalls()[0].uri)
				}
			})
		}
	}
	for _, p := range []string{
		"/v3/../x", "/v3/./x", "/v3/x/..", "/v3//x", "/v3/x/", "/v3/%2e%2E/x", "/v3/%2E/x", "/v3/a%2F..%2Fb/x", "/v3/%zz/x", "v3/x", "/v3/x?a=1",
	} {
		t.Run("Do "+p, func(t *testing.T) {
			e := newEnv(t, nil)
			if err := e.client.Do(ctx, Request{Method: http.MethodGet, Path: p}, nil); err == nil {
				t.Fatal("path accepted")
			}
			if n := len(e.fake.businessCalls()); n != 0 {
				t.Errorf("%d calls sent", n)
			}
		})
	}
	// Ids that only look odd are escaped, not refused.
	e := newEnv(t, nil)
	for _, id := range []string{"...", "a.b", ".x", "19/00 1"} {
		if _, err := e.client.GetAuthorizeState(ctx, id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
	calls := e.fake.businessCalls()
	if len(calls) != 4 || calls[3].uri != "/v3/apply4subject/applyment/merchants/"+url.PathEscape("19/00 1")+"/state" {
		t.Errorf("calls %+v", calls)
	}
}
