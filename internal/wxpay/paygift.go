package wxpay

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
)

// Pay-gift (支付有礼) limits as WeChat Pay documents them. The list page size is not
// published: 100 is what the sibling lists allow and the largest the emulator accepts.
const (
	MaxActivityMerchantsPerChange = 500
	ActivityMerchantsPageLimit    = 100
	maxRequestNoLength            = 128
)

// ActivityStatusOngoing is the only status in which an activity's merchants may change.
const ActivityStatusOngoing = "ONGOING_ACT_STATUS"

// requestNoPattern is the documented shape of add_request_no and delete_request_no. Only the
// delete number's character set is published; the add number is held to it too so that one
// generator serves both.
var requestNoPattern = regexp.MustCompile(`^[A-Za-z0-9|_*-]{1,128}$`)

// ValidRequestNo reports whether s may be used as an add_request_no or delete_request_no.
func ValidRequestNo(s string) bool {
	return len(s) <= maxRequestNoLength && requestNoPattern.MatchString(s)
}

// InvalidMerchant is one id an add call refused, with WeChat Pay's reason
// (for example "商户号不存在" or "商户号不属于该服务商").
type InvalidMerchant struct {
	Mchid         string `json:"mchid"`
	InvalidReason string `json:"invalid_reason"`
	RequestID     string `json:"-"` // of the add call's answer
}

// AddActivityMerchantsResult is the answer to an add call. The call succeeds even when some
// ids are refused: they are listed in InvalidMerchants and did not become members.
type AddActivityMerchantsResult struct {
	ActivityID       string            `json:"activity_id"`
	InvalidMerchants []InvalidMerchant `json:"invalid_merchant_id_list"`
	AddTime          string            `json:"add_time"`
}

func (r *AddActivityMerchantsResult) recordRequestID(id string) {
	for i := range r.InvalidMerchants {
		r.InvalidMerchants[i].RequestID = id
	}
}

// DeleteActivityMerchantsResult is the answer to a delete call.
type DeleteActivityMerchantsResult struct {
	ActivityID string `json:"activity_id"`
	DeleteTime string `json:"delete_time"`
}

// ActivityMerchant is one merchant issuing an activity's coupons (发券商户).
type ActivityMerchant struct {
	Mchid        string `json:"mchid"`
	MerchantName string `json:"merchant_name"`
	CreateTime   string `json:"create_time"`
	UpdateTime   string `json:"update_time"`
}

// ActivityMerchantsPage is one page of an activity's merchants.
type ActivityMerchantsPage struct {
	Data       []ActivityMerchant `json:"data"`
	TotalCount int                `json:"total_count"`
	Offset     int                `json:"offset"`
	Limit      int                `json:"limit"`
	ActivityID string             `json:"activity_id"`
}

// ActivityBaseInfo is the part of an activity's creation input the provider exposes.
type ActivityBaseInfo struct {
	ActivityName        string            `json:"activity_name"`
	ActivitySecondTitle string            `json:"activity_second_title"`
	BeginTime           string            `json:"begin_time"`
	EndTime             string            `json:"end_time"`
	DeliveryPurpose     string            `json:"delivery_purpose"`
	AvailablePeriods    *AvailablePeriods `json:"available_periods,omitempty"`
}

// AvailablePeriods are the periods within the activity in which its awards can be won: date-time
// ranges and daily windows ("110000" for 11:00:00).
type AvailablePeriods struct {
	AvailableTime []struct {
		BeginTime string `json:"begin_time"`
		EndTime   string `json:"end_time"`
	} `json:"available_time"`
	AvailableDayTime []struct {
		BeginDayTime string `json:"begin_day_time"`
		EndDayTime   string `json:"end_day_time"`
	} `json:"available_day_time"`
}

// AwardRule is one rule of an activity's award_send_rule (full_send_rule, step_send_rule or
// special_send_rule in the official SDK's model): the fields a platform team checks before it
// changes the activity's merchants.
type AwardRule struct {
	TransactionAmountMinimum int64  `json:"transaction_amount_minimum"`
	SendContent              string `json:"send_content"`
	AwardType                string `json:"award_type"`
	MerchantOption           string `json:"merchant_option"`
	AwardList                []struct {
		StockID string `json:"stock_id"`
	} `json:"award_list"`
}

// Activity is a pay-gift activity's details (the fields the provider uses).
type Activity struct {
	ActivityID        string           `json:"activity_id"`
	ActivityType      string           `json:"activity_type"`
	BaseInfo          ActivityBaseInfo `json:"activity_base_info"`
	ActivityStatus    string           `json:"activity_status"`
	CreatorMerchantID string           `json:"creator_merchant_id"`
	BelongMerchantID  string           `json:"belong_merchant_id"`
	// AwardSendRule holds the activity's rules by their name in the answer (full_send_rule, …),
	// undecoded: a rule of a shape the client does not know must not fail the read (AwardRules).
	AwardSendRule map[string]json.RawMessage `json:"award_send_rule"`
	PauseTime     string                     `json:"pause_time"`
	RecoveryTime  string                     `json:"recovery_time"`
	CreateTime    string                     `json:"create_time"`
	UpdateTime    string                     `json:"update_time"`
}

// AwardRules decodes the activity's award rules by name, skipping any of another shape.
func (a *Activity) AwardRules() map[string]AwardRule {
	out := map[string]AwardRule{}
	for name, raw := range a.AwardSendRule {
		var r AwardRule
		if json.Unmarshal(raw, &r) == nil {
			out[name] = r
		}
	}
	return out
}

// activityPathTemplate is activityPath as the API documentation writes it, for Request.API.
const activityPathTemplate = "/v3/marketing/paygiftactivity/activities/{activity_id}"

const (
	apiActivity                = http.MethodGet + " " + activityPathTemplate
	apiActivityMerchants       = http.MethodGet + " " + activityPathTemplate + "/merchants"
	apiActivityMerchantsAdd    = http.MethodPost + " " + activityPathTemplate + "/merchants/add"
	apiActivityMerchantsDelete = http.MethodPost + " " + activityPathTemplate + "/merchants/delete"
)

// activityPath is the path of an activity, or an error for an id that is empty or could move
// the call to another path.
func activityPath(activityID string) (string, error) {
	seg, err := pathSegment("activity_id", activityID)
	if err != nil {
		return "", err
	}
	return "/v3/marketing/paygiftactivity/activities/" + seg, nil
}

// merchantsChangeBody is the body of an add or delete call.
type merchantsChangeBody struct {
	MerchantIDList  []string `json:"merchant_id_list"`
	AddRequestNo    string   `json:"add_request_no,omitempty"`
	DeleteRequestNo string   `json:"delete_request_no,omitempty"`
}

// AddActivityMerchants calls POST …/activities/{activity_id}/merchants/add. addRequestNo
// identifies the change: the caller picks a new one per change and the same one for a retry, so
// that WeChat Pay can tell a retry from a new change (the docs say only that the number is unique
// on the merchant side; what a repeat answers is not documented). ActivityMerchantsChange does
// this. Adding a member twice is not an error.
func (c *Client) AddActivityMerchants(ctx context.Context, activityID string, merchantIDs []string, addRequestNo string) (*AddActivityMerchantsResult, error) {
	return changeMerchants(ctx, c, activityID, "add", apiActivityMerchantsAdd, addRequestNo,
		merchantsChangeBody{MerchantIDList: merchantIDs, AddRequestNo: addRequestNo},
		func(res *AddActivityMerchantsResult) *memberEffect {
			refused := map[string]bool{}
			for _, inv := range res.InvalidMerchants {
				refused[inv.Mchid] = true
			}
			e := &memberEffect{addTime: res.AddTime}
			for _, id := range merchantIDs {
				if !refused[id] {
					e.added = append(e.added, id)
				}
			}
			return e
		})
}

// DeleteActivityMerchants calls POST …/activities/{activity_id}/merchants/delete, with the same
// request-number rule as AddActivityMerchants. Removing a merchant that is not a member is not
// an error.
func (c *Client) DeleteActivityMerchants(ctx context.Context, activityID string, merchantIDs []string, deleteRequestNo string) (*DeleteActivityMerchantsResult, error) {
	return changeMerchants(ctx, c, activityID, "delete", apiActivityMerchantsDelete, deleteRequestNo,
		merchantsChangeBody{MerchantIDList: merchantIDs, DeleteRequestNo: deleteRequestNo},
		func(*DeleteActivityMerchantsResult) *memberEffect { return &memberEffect{removed: merchantIDs} })
}

// changeMerchants checks and sends one add or delete call (op) and tells the readings of the
// activity's members what it did (effect of its answer), or that it is not known.
func changeMerchants[T any](ctx context.Context, c *Client, activityID, op, api, requestNo string, body merchantsChangeBody, effect func(*T) *memberEffect) (*T, error) {
	path, err := activityPath(activityID)
	if err != nil {
		return nil, err
	}
	switch n := len(body.MerchantIDList); {
	case n == 0 || n > MaxActivityMerchantsPerChange:
		return nil, fmt.Errorf("wechatpay: a change holds 1 to %d merchant ids, not %d", MaxActivityMerchantsPerChange, n)
	case !ValidRequestNo(requestNo):
		return nil, fmt.Errorf("wechatpay: request number %q must be 1 to 128 letters, digits or |_*-", requestNo)
	}
	w := c.membersWriting(activityID)
	var out T
	if err := c.Do(ctx, Request{Method: http.MethodPost, Path: path + "/merchants/" + op, API: api, Body: body}, &out); err != nil {
		c.membersWritten(w, nil)
		return nil, err
	}
	c.membersWritten(w, effect(&out))
	return &out, nil
}

// ListActivityMerchants calls GET …/activities/{activity_id}/merchants for one page.
func (c *Client) ListActivityMerchants(ctx context.Context, activityID string, offset, limit int) (*ActivityMerchantsPage, error) {
	path, err := activityPath(activityID)
	if err != nil {
		return nil, err
	}
	if offset < 0 || limit < 1 || limit > ActivityMerchantsPageLimit {
		return nil, fmt.Errorf("wechatpay: offset must not be negative and limit must be 1 to %d", ActivityMerchantsPageLimit)
	}
	var out ActivityMerchantsPage
	req := Request{Method: http.MethodGet, Path: path + "/merchants",
		API:   apiActivityMerchants,
		Query: url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(limit)}}}
	if err := c.Do(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAllActivityMerchants reads every page (see eachMemberPage). A merchant that moves between
// pages while they are read (someone else changing the list) is reported once.
func (c *Client) ListAllActivityMerchants(ctx context.Context, activityID string) ([]ActivityMerchant, error) {
	var all []ActivityMerchant
	seen := map[string]bool{}
	err := c.eachMemberPage(ctx, activityID, func(page []ActivityMerchant) bool {
		for _, m := range page {
			if !seen[m.Mchid] {
				seen[m.Mchid] = true
				all = append(all, m)
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// GetActivity calls GET /v3/marketing/paygiftactivity/activities/{activity_id}.
func (c *Client) GetActivity(ctx context.Context, activityID string) (*Activity, error) {
	path, err := activityPath(activityID)
	if err != nil {
		return nil, err
	}
	var out Activity
	if err := c.Do(ctx, Request{Method: http.MethodGet, Path: path, API: apiActivity}, &out); err != nil {
		return nil, err
	}
	if out.ActivityStatus == "" {
		return nil, fmt.Errorf("wechatpay: GET %s: answer has no activity_status", path)
	}
	return &out, nil
}
