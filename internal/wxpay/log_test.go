package wxpay

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestLogsNameTheCallButNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	e := newEnv(t, nil)
	e.fake.setScript(apiErr(500, "SYSTEM_ERROR", "busy"), reply{})
	if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	entries, err := tflogtest.MultilineJSONDecode(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var calls, warns int
	for _, en := range entries {
		switch en["@level"] {
		case "debug":
			if en["path"] == "/v3/apply4subject/applyment/merchants/1900000109/state" {
				calls++
				for _, k := range []string{"method", "status", "request_id", "attempt", "host", "latency_ms"} {
					if _, ok := en[k]; !ok {
						t.Errorf("debug entry lacks %s: %v", k, en)
					}
				}
			}
		case "warn":
			warns++
			if r, _ := en["reason"].(string); !strings.Contains(r, "SYSTEM_ERROR") {
				t.Errorf("retry warning without reason: %v", en)
			}
		}
	}
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
