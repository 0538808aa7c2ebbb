package wxpay

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

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
func (r *logRecorder) WithGroup(string) slog.Handler      { panic("the client opens no groups") }

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
