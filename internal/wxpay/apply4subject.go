package wxpay

import (
	"context"
	"fmt"
	"net/http"
)

// AuthorizeState is whether a sub-merchant has confirmed its account opening
// intention (商户开户意愿确认). It can go back from authorized to unauthorized.
type AuthorizeState string

const (
	AuthorizeStateAuthorized   AuthorizeState = "AUTHORIZE_STATE_AUTHORIZED"
	AuthorizeStateUnauthorized AuthorizeState = "AUTHORIZE_STATE_UNAUTHORIZED"
)

const authorizeStateAPI = "GET /v3/apply4subject/applyment/merchants/{sub_mchid}/state"

// GetAuthorizeState calls GET /v3/apply4subject/applyment/merchants/{sub_mchid}/state.
// Only channel partners and licensed institutions may call it.
func (c *Client) GetAuthorizeState(ctx context.Context, subMchid string) (AuthorizeState, error) {
	seg, err := pathSegment("sub_mchid", subMchid)
	if err != nil {
		return "", err
	}
	var out struct {
		AuthorizeState AuthorizeState `json:"authorize_state"`
	}
	path := "/v3/apply4subject/applyment/merchants/" + seg + "/state"
	if err := c.Do(ctx, Request{Method: http.MethodGet, Path: path, API: authorizeStateAPI}, &out); err != nil {
		return "", err
	}
	if out.AuthorizeState == "" {
		return "", fmt.Errorf("wechatpay: GET %s: answer has no authorize_state", path)
	}
	return out.AuthorizeState, nil
}
