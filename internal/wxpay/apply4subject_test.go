package wxpay

import (
	"context"
	"testing"
)

func TestGetAuthorizeState(t *testing.T) {
	tests := []struct {
		name     string
		subMchid string
		script   []reply
		wantURI  string
		want     AuthorizeState
		wantErr  func(error) bool
	}{
		{name: "authorized", subMchid: "1900000109", wantURI: "/v3/apply4subject/applyment/merchants/1900000109/state", want: AuthorizeStateAuthorized},
		{name: "unauthorized", subMchid: "1900000110", script: []reply{{body: `{"authorize_state":"AUTHORIZE_STATE_UNAUTHORIZED"}`}},
			wantURI: "/v3/apply4subject/applyment/merchants/1900000110/state", want: AuthorizeStateUnauthorized},
		{name: "path escaped", subMchid: "a/b?c", wantURI: "/v3/apply4subject/applyment/merchants/a%2Fb%3Fc/state", want: AuthorizeStateAuthorized},
		{name: "not a channel partner", subMchid: "1900000109", script: []reply{apiErr(400, "PARAM_ERROR", "只能由从业机构或渠道商调用该接口")},
			wantURI: "/v3/apply4subject/applyment/merchants/1900000109/state",
			wantErr: func(err error) bool { return HasCode(err, "PARAM_ERROR") && MessageContains(err, "渠道商") }},
		// The state API documents no "does not exist" answer: a 404 is an error like any other.
		{name: "404", subMchid: "1900000109", script: []reply{apiErr(404, "RESOURCE_NOT_EXISTS", "不存在")},
			wantURI: "/v3/apply4subject/applyment/merchants/1900000109/state",
			wantErr: func(err error) bool { return HasCode(err, "RESOURCE_NOT_EXISTS") && !IsNotFound(err) }},
		{name: "answer without state", subMchid: "1900000109", script: []reply{{body: `{}`}},
			wantURI: "/v3/apply4subject/applyment/merchants/1900000109/state", wantErr: func(err error) bool { return err != nil }},
		{name: "empty sub_mchid", subMchid: "", wantErr: func(err error) bool { return err != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.fake.setScript(tt.script...)
			got, err := e.client.GetAuthorizeState(context.Background(), tt.subMchid)
			if tt.wantErr != nil {
				if !tt.wantErr(err) {
					t.Fatalf("err = %v", err)
				}
			} else if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			calls := e.fake.businessCalls()
			if tt.wantURI == "" {
				if len(calls) != 0 {
					t.Fatalf("%d calls made", len(calls))
				}
				return
			}
			if len(calls) != 1 || calls[0].uri != tt.wantURI || calls[0].method != "GET" || !calls[0].sigOK {
				t.Fatalf("calls = %+v", calls)
			}
		})
	}
}
