package wxpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Gold plan (点金计划) calls, made by a service provider or channel partner for one of its
// sub-merchants. WeChat Pay offers no call that reads any of these settings back.
//
// These writes carry no request number or idempotency key, and the client re-sends them after a
// lost answer, a timeout or a 5xx, possibly on the backup host. That is safe because each one
// sets a state instead of changing one: open or close a scene, the receipt page or the ads, or
// replace the industry filters with the set given. Applied twice, such a write leaves what it
// leaves once. Two answers a repeat may get are taken care of: WeChat Pay may refuse a repeat
// as already done instead of answering success, which the calls count as success
// (alreadyInState); and if WeChat Pay counted the 24-hour reopen wait from the last CLOSE, a
// re-sent CLOSE would move it by the seconds between the attempts, nothing more.

// GoldPlanOperation is what a status call does: open or close.
type GoldPlanOperation string

const (
	GoldPlanOpen  GoldPlanOperation = "OPEN"
	GoldPlanClose GoldPlanOperation = "CLOSE"
)

// PayScene is a pay scene the gold plan can be opened or closed for.
type PayScene string

const (
	PaySceneJSAPI               PayScene = "JSAPI"
	PaySceneMiniProgram         PayScene = "MINIPROGRAM"
	PaySceneJSAPIAndMiniProgram PayScene = "JSAPI_AND_MINIPROGRAM"
)

// PaySceneFor returns the one operation_pay_scene value that covers the given single
// scenes (JSAPI, MINIPROGRAM), so that one call can change both; ok is false for an empty
// or unknown list.
func PaySceneFor(scenes []PayScene) (scene PayScene, ok bool) {
	jsapi, mini := false, false
	for _, s := range scenes {
		switch s {
		case PaySceneJSAPI:
			jsapi = true
		case PaySceneMiniProgram:
			mini = true
		case PaySceneJSAPIAndMiniProgram:
			jsapi, mini = true, true
		default:
			return "", false
		}
	}
	switch {
	case jsapi && mini:
		return PaySceneJSAPIAndMiniProgram, true
	case jsapi:
		return PaySceneJSAPI, true
	case mini:
		return PaySceneMiniProgram, true
	}
	return "", false
}

// AdvertisingIndustries are the values advertising_industry_filters accepts. The
// misspellings (POTOGRAPHY, BUSSINESS, INDUSTY) are WeChat Pay's own.
var AdvertisingIndustries = []string{
	"E_COMMERCE", "LOVE_MARRIAGE", "POTOGRAPHY", "EDUCATION", "FINANCE", "TOURISM", "SKINCARE",
	"FOOD", "SPORT", "JEWELRY_WATCH", "HEALTHCARE", "BUSSINESS", "PARENTING", "CATERING", "RETAIL",
	"SERVICES", "LAW", "ESTATE", "TRANSPORTATION", "ENERGY_SAVING", "SECURITY", "BUILDING_MATERIAL",
	"COMMUNICATION", "MERCHANDISE", "ASSOCIATION", "COMMUNITY", "ONLINE_AVR", "WE_MEDIA", "CAR",
	"SOFTWARE", "GAME", "CLOTHING", "INDUSTY", "AGRICULTURE", "PUBLISHING_MEDIA", "HOME_DIGITAL",
}

// IndustrySpellings maps the English spelling of an industry to WeChat Pay's own, where the two
// differ: WeChat Pay refuses PHOTOGRAPHY and accepts POTOGRAPHY.
var IndustrySpellings = map[string]string{"PHOTOGRAPHY": "POTOGRAPHY", "BUSINESS": "BUSSINESS", "INDUSTRY": "INDUSTY"}

// MaxIndustryFilters is how many industries one sub-merchant may keep out of its ads.
const MaxIndustryFilters = 3

const (
	goldPlanPaths        = "/v3/goldplan/"
	pathGoldPlanStatus   = "/v3/goldplan/merchants/changegoldplanstatus"
	pathCustomPageStatus = "/v3/goldplan/merchants/changecustompagestatus"
	pathIndustryFilter   = "/v3/goldplan/merchants/set-advertising-industry-filter"
	pathOpenAdvertising  = "/v3/goldplan/merchants/open-advertising-show"
	pathCloseAdvertising = "/v3/goldplan/merchants/close-advertising-show"
)

// ChangeGoldPlanStatus opens or closes the gold plan of a sub-merchant for scene
// (POST /v3/goldplan/merchants/changegoldplanstatus). An empty scene is sent as JSAPI,
// WeChat Pay's own default, so the request always says what it changes.
func (c *Client) ChangeGoldPlanStatus(ctx context.Context, subMchid string, op GoldPlanOperation, scene PayScene) error {
	if err := checkGoldPlanArgs(subMchid, op); err != nil {
		return err
	}
	if scene == "" {
		scene = PaySceneJSAPI
	}
	if _, ok := PaySceneFor([]PayScene{scene}); !ok {
		return fmt.Errorf("wechatpay: unknown operation_pay_scene %q", scene)
	}
	body := struct {
		SubMchid          string            `json:"sub_mchid"`
		OperationType     GoldPlanOperation `json:"operation_type"`
		OperationPayScene PayScene          `json:"operation_pay_scene"`
	}{subMchid, op, scene}
	err := c.Do(ctx, Request{Method: http.MethodPost, Path: pathGoldPlanStatus, Body: body}, nil)
	if alreadyInState(err, op) {
		return nil
	}
	return err
}

// ChangeCustomPageStatus opens or closes the merchant receipt page (商家小票) of a
// sub-merchant (POST /v3/goldplan/merchants/changecustompagestatus). Opening needs a
// receipt link configured by the provider, and the page shows only while the gold plan is open.
func (c *Client) ChangeCustomPageStatus(ctx context.Context, subMchid string, op GoldPlanOperation) error {
	if err := checkGoldPlanArgs(subMchid, op); err != nil {
		return err
	}
	body := struct {
		SubMchid      string            `json:"sub_mchid"`
		OperationType GoldPlanOperation `json:"operation_type"`
	}{subMchid, op}
	err := c.Do(ctx, Request{Method: http.MethodPost, Path: pathCustomPageStatus, Body: body}, nil)
	if alreadyInState(err, op) {
		return nil
	}
	return err
}

// SetAdvertisingIndustryFilter replaces the industries kept out of a sub-merchant's ads
// (POST /v3/goldplan/merchants/set-advertising-industry-filter). It takes 1 to 3 values:
// the API has no way to clear them.
func (c *Client) SetAdvertisingIndustryFilter(ctx context.Context, subMchid string, filters []string) error {
	if err := checkIndustryFilters(subMchid, filters, 1); err != nil {
		return err
	}
	return c.Do(ctx, Request{Method: http.MethodPost, Path: pathIndustryFilter, Body: advertisingBody(subMchid, filters)}, nil)
}

// OpenAdvertisingShow shows ads on a sub-merchant's payment result page
// (PATCH /v3/goldplan/merchants/open-advertising-show). filters (0 to 3 values) replace the
// current ones when given; an empty list keeps them.
func (c *Client) OpenAdvertisingShow(ctx context.Context, subMchid string, filters []string) error {
	if err := checkIndustryFilters(subMchid, filters, 0); err != nil {
		return err
	}
	err := c.Do(ctx, Request{Method: http.MethodPatch, Path: pathOpenAdvertising, Body: advertisingBody(subMchid, filters)}, nil)
	if !alreadyInState(err, GoldPlanOpen) {
		return err
	}
	// Refused as already shown: the filters of this call were not applied with it.
	if len(filters) > 0 {
		return c.SetAdvertisingIndustryFilter(ctx, subMchid, filters)
	}
	return nil
}

// CloseAdvertisingShow stops showing ads for a sub-merchant
// (POST /v3/goldplan/merchants/close-advertising-show).
func (c *Client) CloseAdvertisingShow(ctx context.Context, subMchid string) error {
	if subMchid == "" {
		return errSubMchidRequired
	}
	err := c.Do(ctx, Request{Method: http.MethodPost, Path: pathCloseAdvertising, Body: advertisingBody(subMchid, nil)}, nil)
	if alreadyInState(err, GoldPlanClose) {
		return nil
	}
	return err
}

// Words that say "already open" and "already closed". WeChat Pay documents no answer for a
// repeated gold plan write (the emulator answers one with success); if it refuses one, these are
// the ways its messages say it.
var (
	alreadyOpenWords   = []string{"已开通", "已经开通", "已开启", "已经开启", "已打开", "已处于开通", "已是开通", "重复开通"}
	alreadyClosedWords = []string{"已关闭", "已经关闭", "已处于关闭", "已是关闭", "重复关闭"}
)

// alreadyInState reports whether err is WeChat Pay refusing a gold plan write because the
// sub-merchant already is where the write wants it: already open when asked to open, already
// closed when asked to close. The code decides first (a well-formed 400 INVALID_REQUEST, the
// code of every gold plan business refusal), then the message. "Not opened" wordings
// ("服务商未开通点金计划", "特约商户未开通点金计划") are never taken for "already closed": they name
// other refusals. With JSAPI_AND_MINIPROGRAM, "already open" is taken to mean both scenes.
func alreadyInState(err error, op GoldPlanOperation) bool {
	var ae *APIError
	if !errors.As(err, &ae) || !ae.WellFormed || ae.StatusCode != http.StatusBadRequest || ae.Code != "INVALID_REQUEST" {
		return false
	}
	if _, refused := GoldPlanRetryAfter(err); refused {
		return false
	}
	words := alreadyOpenWords
	if op == GoldPlanClose {
		words = alreadyClosedWords
	}
	for _, w := range words {
		if strings.Contains(ae.Message, w) {
			return true
		}
	}
	return false
}

// GoldPlanRetryAfter reports whether err is WeChat Pay refusing to reopen a gold plan
// within 24 hours of closing it, and when it may be reopened if the answer says so
// (zero time otherwise).
func GoldPlanRetryAfter(err error) (retryAfter time.Time, refused bool) {
	var ae *APIError
	if !errors.As(err, &ae) || ae.reason() != ReasonReopenTooSoon {
		return time.Time{}, false
	}
	var detail struct {
		RetryAfter string `json:"retry_after"`
	}
	if len(ae.Detail) > 0 && json.Unmarshal(ae.Detail, &detail) == nil && detail.RetryAfter != "" {
		if t, err := time.Parse(time.RFC3339, detail.RetryAfter); err == nil {
			return t, true
		}
	}
	return time.Time{}, true
}

var errSubMchidRequired = errors.New("wechatpay: sub_mchid is required")

func checkGoldPlanArgs(subMchid string, op GoldPlanOperation) error {
	if subMchid == "" {
		return errSubMchidRequired
	}
	if op != GoldPlanOpen && op != GoldPlanClose {
		return fmt.Errorf("wechatpay: operation_type must be OPEN or CLOSE, not %q", op)
	}
	return nil
}

func checkIndustryFilters(subMchid string, filters []string, least int) error {
	if subMchid == "" {
		return errSubMchidRequired
	}
	if len(filters) < least || len(filters) > MaxIndustryFilters {
		return fmt.Errorf("wechatpay: advertising_industry_filters must hold %d to %d values, got %d", least, MaxIndustryFilters, len(filters))
	}
	for i, f := range filters {
		if !slices.Contains(AdvertisingIndustries, f) {
			return fmt.Errorf("wechatpay: unknown advertising industry %q", f)
		}
		if slices.Contains(filters[:i], f) {
			return fmt.Errorf("wechatpay: advertising industry %q given twice", f)
		}
	}
	return nil
}

type advertisingRequest struct {
	SubMchid string   `json:"sub_mchid"`
	Filters  []string `json:"advertising_industry_filters,omitempty"`
}

func advertisingBody(subMchid string, filters []string) advertisingRequest {
	return advertisingRequest{SubMchid: subMchid, Filters: filters}
}
