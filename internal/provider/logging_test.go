package provider

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// The client's slog records reach tflog under the context they were logged with, at the level
// they were logged at, with the client's keys.
func TestTFLogHandler(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	log := newTFLogLogger()
	log.Log(ctx, slog.LevelDebug-4, "a trace line", "n", 1)
	log.DebugContext(ctx, "WeChat Pay API call", slog.String("path", "/v3/x"), slog.Int("attempt", 2))
	log.InfoContext(ctx, "an info line")
	log.With("host", "api.mch.weixin.qq.com").WarnContext(ctx, "retrying WeChat Pay API call", "reason", "500 SYSTEM_ERROR")
	log.WithGroup("cert").With("serial", "5157").ErrorContext(ctx, "an error line", slog.Group("detail", "why", "expired"))
	// Logged without the call's context, a record has no provider logger to reach.
	log.Warn("lost")

	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		level, msg string
		fields     map[string]any
	}{
		{"trace", "a trace line", map[string]any{"n": float64(1)}},
		{"debug", "WeChat Pay API call", map[string]any{"path": "/v3/x", "attempt": float64(2)}},
		{"info", "an info line", nil},
		{"warn", "retrying WeChat Pay API call", map[string]any{"host": "api.mch.weixin.qq.com", "reason": "500 SYSTEM_ERROR"}},
		{"error", "an error line", map[string]any{"cert.serial": "5157", "cert.detail.why": "expired"}},
	}
	if len(entries) != len(want) {
		t.Fatalf("%d entries, want %d:\n%s", len(entries), len(want), buf.String())
	}
	for i, w := range want {
		en := entries[i]
		if en["@level"] != w.level || en["@message"] != w.msg {
			t.Errorf("entry %d is %v %q, want %s %q", i, en["@level"], en["@message"], w.level, w.msg)
		}
		for k, v := range w.fields {
			if en[k] != v {
				t.Errorf("entry %d: %s = %v, want %v", i, k, en[k], v)
			}
		}
	}
}
