package wxpay

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

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
