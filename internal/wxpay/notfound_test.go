package wxpay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// notFoundShapes are 404 answers to "does the object exist?". Only the first is WeChat Pay's
// well-formed answer; the others come from a proxy, a gateway or a wrong endpoint.
var notFoundShapes = []struct {
	name       string
	reply      reply
	wellFormed bool
}{
	{"WeChat Pay RESOURCE_NOT_EXISTS", apiErr(404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), true},
	{"HTML page", withoutRequestID(reply{status: 404,
		body: "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body><center><h1>404 Not Found</h1></center></body>\r\n</html>"}), false},
	{"HTML page with a Request-ID", reply{status: 404, body: "<html><body>404 Not Found</body></html>"}, false},
	{"empty body", withoutRequestID(reply{status: 404}), false},
	{"JSON without code", withoutRequestID(reply{status: 404, body: `{"error":"Not Found","status":404}`}), false},
	{"WeChat Pay JSON without Request-ID", withoutRequestID(apiErr(404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用")), false},
}

func withoutRequestID(r reply) reply {
	r.after = func(h http.Header, _ *string) { h.Del("Request-ID") }
	return r
}

var (
	nfPartner = Partner{Type: PartnerTypeAppID, AppID: "wx4e1916a585d1f4e9"}
	nfData    = AuthorizedData{BusinessType: BusinessTypeBusifavorStock, StockID: "98065001"}
)

// Every call whose callers drop an object or finish a delete on "not found" decides it from a
// well-formed WeChat Pay answer only; any other 404 is an error that names the host and status.
func TestNotFoundOnlyFromWellFormedAnswers(t *testing.T) {
	calls := []struct {
		name string
		// call makes the call; gone is what it concluded: the object does not exist.
		call func(ctx context.Context, c *Client) (gone bool, err error)
	}{
		{"ListPartnerships", func(ctx context.Context, c *Client) (bool, error) {
			page, err := c.ListPartnerships(ctx, PartnershipFilter{Partner: &nfPartner, AuthorizedData: &nfData})
			return err == nil && page.NoMatch, err
		}},
		{"FindPartnership", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.FindPartnership(ctx, nfPartner, nfData)
			return IsNotFound(err), err
		}},
		{"LookupPartnership", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.LookupPartnership(ctx, nfPartner, nfData)
			return IsNotFound(err), err
		}},
		{"TerminatePartnership", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.TerminatePartnership(ctx, "tfterminate-1", nfPartner, nfData)
			return IsNotFound(err), err
		}},
		{"FindActivityMember", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.FindActivityMember(ctx, "10028001", "1900000109")
			return IsNotFound(err), err
		}},
		{"ListAllActivityMerchants", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.ListAllActivityMerchants(ctx, "10028001")
			return IsNotFound(err), err
		}},
		{"GetActivity", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.GetActivity(ctx, "10028001")
			return IsNotFound(err), err
		}},
		{"AddActivityMerchants", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.AddActivityMerchants(ctx, "10028001", []string{"1900000109"}, "tf-add-0")
			return IsNotFound(err), err
		}},
		{"DeleteActivityMerchants", func(ctx context.Context, c *Client) (bool, error) {
			_, err := c.DeleteActivityMerchants(ctx, "10028001", []string{"1900000109"}, "tf-del-0")
			return IsNotFound(err), err
		}},
	}
	for _, shape := range notFoundShapes {
		for _, tc := range calls {
			t.Run(shape.name+"/"+tc.name, func(t *testing.T) {
				e := newEnv(t, nil)
				e.fake.setScript(shape.reply)
				gone, err := tc.call(context.Background(), e.client)
				if gone != shape.wellFormed {
					t.Fatalf("gone = %v (err %v), want %v", gone, err, shape.wellFormed)
				}
				if shape.wellFormed {
					return
				}
				if err == nil {
					t.Fatal("no error: an answer that is not WeChat Pay's must not decide anything")
				}
				host := strings.TrimPrefix(e.primary.URL, "http://")
				if msg := err.Error(); !strings.Contains(msg, "HTTP 404 from host "+host) || !strings.Contains(msg, "not a WeChat Pay error answer") {
					t.Errorf("error %q does not name the host and status, or what is wrong with the answer", msg)
				}
				var ae *APIError
				if !errors.As(err, &ae) || ae.WellFormed {
					t.Errorf("err = %#v, want an APIError that is not well-formed", err)
				}
			})
		}
	}
}

// "Gone" is decided per API, from the answers its documentation gives.
func TestNotFoundPerAPI(t *testing.T) {
	wellFormed := func(api string, status int, code, message string) *APIError {
		ae := parseAPIError(status, http.Header{"Request-Id": {"REQ-1"}},
			[]byte(`{"code":"`+code+`","message":"`+message+`"}`))
		ae.API = api
		return ae
	}
	tests := []struct {
		name string
		err  *APIError
		want bool
	}{
		{"pay-gift list 404", wellFormed(apiActivityMerchants, 404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), true},
		{"pay-gift delete 404", wellFormed(apiActivityMerchantsDelete, 404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), true},
		{"partnership list 404", wellFormed(apiPartnerships, 404, "RESOURCE_NOT_EXISTS", "合作关系不存在"), true},
		{"terminate of a terminated partnership", wellFormed(apiPartnershipTerminate, 400, "INVALID_REQUEST", "合作关系不存在或已终止"), true},
		{"another terminate refusal", wellFormed(apiPartnershipTerminate, 400, "INVALID_REQUEST", "请求参数符合参数格式,但不符合业务规则"), false},
		{"RESOURCE_NOT_EXISTS with another status", wellFormed(apiActivityMerchants, 400, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), false},
		{"another code on a 404", wellFormed(apiActivityMerchants, 404, "NOT_FOUND", "请求的资源不存在"), false},
		{"an API that documents no such answer", wellFormed(authorizeStateAPI, 404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), false},
		{"a gold plan call", wellFormed("POST "+pathGoldPlanStatus, 404, "RESOURCE_NOT_EXISTS", "资源不存在或无可用"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsNotFound(tt.err); got != tt.want {
				t.Errorf("IsNotFound = %v, want %v", got, tt.want)
			}
		})
	}
	if !IsNotFound(fmt.Errorf("wrapped: %w", &NotFoundError{Object: "x", Reason: "y"})) {
		t.Error("IsNotFound is false for the client's own NotFoundError")
	}
}
