package wxpay

import (
	"context"
	"encoding/json"
	"testing"
)

// Gold plan writes are re-sent after lost answers. Where WeChat Pay refuses a repeat as already
// done, the write has its effect: the client reports success. Any other refusal stays an error.
func TestGoldPlanWriteAlreadyDone(t *testing.T) {
	ctx := context.Background()
	const sub = "1900000109"
	lost := apiErr(500, "SYSTEM_ERROR", "系统繁忙") // the first attempt's answer, lost after the change
	tests := []struct {
		name      string
		call      func(c *Client) error
		script    []reply
		wantErr   bool
		wantPaths []string
	}{
		{name: "open, already open",
			call:      func(c *Client) error { return c.ChangeGoldPlanStatus(ctx, sub, GoldPlanOpen, PaySceneJSAPI) },
			script:    []reply{apiErr(400, "INVALID_REQUEST", "该特约商户已开通点金计划")},
			wantPaths: []string{pathGoldPlanStatus}},
		{name: "open re-sent after a lost answer, refused as a repeat",
			call: func(c *Client) error {
				return c.ChangeGoldPlanStatus(ctx, sub, GoldPlanOpen, PaySceneJSAPIAndMiniProgram)
			},
			script:    []reply{lost, apiErr(400, "INVALID_REQUEST", "特约商户点金计划已经开通,请勿重复开通")},
			wantPaths: []string{pathGoldPlanStatus, pathGoldPlanStatus}},
		{name: "close, already closed",
			call:      func(c *Client) error { return c.ChangeGoldPlanStatus(ctx, sub, GoldPlanClose, PaySceneJSAPI) },
			script:    []reply{lost, apiErr(400, "INVALID_REQUEST", "点金计划已关闭")},
			wantPaths: []string{pathGoldPlanStatus, pathGoldPlanStatus}},
		{name: "receipt page open, already open",
			call:      func(c *Client) error { return c.ChangeCustomPageStatus(ctx, sub, GoldPlanOpen) },
			script:    []reply{apiErr(400, "INVALID_REQUEST", "商家小票已开启")},
			wantPaths: []string{pathCustomPageStatus}},
		{name: "receipt page close, already closed",
			call:      func(c *Client) error { return c.ChangeCustomPageStatus(ctx, sub, GoldPlanClose) },
			script:    []reply{apiErr(400, "INVALID_REQUEST", "商家小票已经关闭")},
			wantPaths: []string{pathCustomPageStatus}},
		{name: "ads close, already closed",
			call:      func(c *Client) error { return c.CloseAdvertisingShow(ctx, sub) },
			script:    []reply{apiErr(400, "INVALID_REQUEST", "广告展示已关闭")},
			wantPaths: []string{pathCloseAdvertising}},
		{name: "ads open without filters, already open",
			call:      func(c *Client) error { return c.OpenAdvertisingShow(ctx, sub, nil) },
			script:    []reply{apiErr(400, "INVALID_REQUEST", "广告展示已开启")},
			wantPaths: []string{pathOpenAdvertising}},
		{name: "ads open with filters, already open: the filters are set on their own",
			call:      func(c *Client) error { return c.OpenAdvertisingShow(ctx, sub, []string{"CAR"}) },
			script:    []reply{apiErr(400, "INVALID_REQUEST", "广告展示已开启"), {status: 204}},
			wantPaths: []string{pathOpenAdvertising, pathIndustryFilter}},

		{name: "open refused as already closed", wantErr: true,
			call:      func(c *Client) error { return c.ChangeGoldPlanStatus(ctx, sub, GoldPlanOpen, PaySceneJSAPI) },
			script:    []reply{apiErr(400, "INVALID_REQUEST", "点金计划已关闭")},
			wantPaths: []string{pathGoldPlanStatus}},
		{name: "close refused as already open", wantErr: true,
			call:      func(c *Client) error { return c.ChangeGoldPlanStatus(ctx, sub, GoldPlanClose, PaySceneJSAPI) },
			script:    []reply{apiErr(400, "INVALID_REQUEST", "已开启默认开通点金计划,不可单个关闭")},
			wantPaths: []string{pathGoldPlanStatus}},
		{name: "close: provider has not opened the gold plan", wantErr: true,
			call:      func(c *Client) error { return c.ChangeGoldPlanStatus(ctx, sub, GoldPlanClose, PaySceneJSAPI) },
			script:    []reply{apiErr(400, "INVALID_REQUEST", "服务商未开通点金计划")},
			wantPaths: []string{pathGoldPlanStatus}},
		{name: "receipt page close: gold plan not opened", wantErr: true,
			call:      func(c *Client) error { return c.ChangeCustomPageStatus(ctx, sub, GoldPlanClose) },
			script:    []reply{apiErr(400, "INVALID_REQUEST", "特约商户未开通点金计划")},
			wantPaths: []string{pathCustomPageStatus}},
		{name: "open within 24 hours of a close", wantErr: true,
			call:      func(c *Client) error { return c.ChangeGoldPlanStatus(ctx, sub, GoldPlanOpen, PaySceneJSAPI) },
			script:    []reply{apiErr(400, "INVALID_REQUEST", "点金计划已开通过,关闭后24小时内不可重新开通")},
			wantPaths: []string{pathGoldPlanStatus}},
		{name: "another code", wantErr: true,
			call:      func(c *Client) error { return c.ChangeGoldPlanStatus(ctx, sub, GoldPlanOpen, PaySceneJSAPI) },
			script:    []reply{apiErr(400, "PARAM_ERROR", "已开通")},
			wantPaths: []string{pathGoldPlanStatus}},
		{name: "not a WeChat Pay answer (no Request-ID)", wantErr: true,
			call:      func(c *Client) error { return c.ChangeGoldPlanStatus(ctx, sub, GoldPlanOpen, PaySceneJSAPI) },
			script:    []reply{withoutRequestID(apiErr(400, "INVALID_REQUEST", "该特约商户已开通点金计划"))},
			wantPaths: []string{pathGoldPlanStatus}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.fake.setScript(tt.script...)
			err := tt.call(e.client)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tt.wantErr)
			}
			calls := e.fake.businessCalls()
			if len(calls) != len(tt.wantPaths) {
				t.Fatalf("%d calls, want %d", len(calls), len(tt.wantPaths))
			}
			for i, c := range calls {
				if c.uri != tt.wantPaths[i] {
					t.Errorf("call %d to %s, want %s", i+1, c.uri, tt.wantPaths[i])
				}
			}
			if last := calls[len(calls)-1]; last.uri == pathIndustryFilter {
				var body advertisingRequest
				if err := json.Unmarshal(last.body, &body); err != nil || body.SubMchid != sub || len(body.Filters) != 1 || body.Filters[0] != "CAR" {
					t.Errorf("filter call body %s", last.body)
				}
			}
		})
	}
}
