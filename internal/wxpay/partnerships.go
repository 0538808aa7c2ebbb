package wxpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// PartnerType is who a marketing partnership (委托营销) grants to.
type PartnerType string

const (
	PartnerTypeAppID    PartnerType = "APPID"
	PartnerTypeMerchant PartnerType = "MERCHANT"
)

// BusinessType is what kind of marketing resource a partnership grants.
type BusinessType string

const (
	BusinessTypeFavorStock     BusinessType = "FAVOR_STOCK"     // 代金券批次
	BusinessTypeBusifavorStock BusinessType = "BUSIFAVOR_STOCK" // 商家券批次
)

// PartnershipState is ESTABLISHED or TERMINATED.
type PartnershipState string

const (
	PartnershipEstablished PartnershipState = "ESTABLISHED"
	PartnershipTerminated  PartnershipState = "TERMINATED"
)

// PartnershipsMaxLimit is the largest page the list call accepts.
const PartnershipsMaxLimit = 50

// Partner is the party a partnership grants to: AppID for type APPID,
// MerchantID for type MERCHANT.
type Partner struct {
	Type       PartnerType `json:"type"`
	AppID      string      `json:"appid,omitempty"`
	MerchantID string      `json:"merchant_id,omitempty"`
}

// AuthorizedData is the marketing resource a partnership grants.
type AuthorizedData struct {
	BusinessType BusinessType `json:"business_type"`
	StockID      string       `json:"stock_id,omitempty"`
}

// Partnership is one partnership as WeChat Pay reports it. Times are kept as
// WeChat Pay spells them (RFC 3339 with milliseconds and +08:00).
type Partnership struct {
	Partner        Partner          `json:"partner"`
	AuthorizedData AuthorizedData   `json:"authorized_data"`
	State          PartnershipState `json:"state,omitempty"`
	BuildTime      string           `json:"build_time,omitempty"`
	TerminateTime  string           `json:"terminate_time,omitempty"`
	CreateTime     string           `json:"create_time,omitempty"`
	UpdateTime     string           `json:"update_time,omitempty"`
}

// Same reports whether p grants the same data to the same partner as
// partner/data, ignoring the id field the partner type does not use.
func (p Partnership) Same(partner Partner, data AuthorizedData) bool {
	return p.Partner.Type == partner.Type && partnerID(p.Partner) == partnerID(partner) &&
		p.AuthorizedData == data
}

func partnerID(p Partner) string {
	if p.Type == PartnerTypeMerchant {
		return p.MerchantID
	}
	return p.AppID
}

type partnershipBody struct {
	Partner        Partner        `json:"partner"`
	AuthorizedData AuthorizedData `json:"authorized_data"`
}

const (
	pathPartnershipBuild     = "/v3/marketing/partnerships/build"
	pathPartnershipTerminate = "/v3/marketing/partnerships/terminate"
	pathPartnerships         = "/v3/marketing/partnerships"

	apiPartnerships         = http.MethodGet + " " + pathPartnerships
	apiPartnershipTerminate = http.MethodPost + " " + pathPartnershipTerminate
)

// BuildPartnership calls POST /v3/marketing/partnerships/build. The caller
// chooses idempotencyKey once per logical build and passes the same key on
// every retry of it, so that a build whose answer was lost is not repeated.
// Building a partnership that already exists answers the existing one.
func (c *Client) BuildPartnership(ctx context.Context, idempotencyKey string, partner Partner, data AuthorizedData) (*Partnership, error) {
	if idempotencyKey == "" {
		return nil, errors.New("wechatpay: an Idempotency-Key is required to build a partnership")
	}
	defer c.partnershipWritten()
	var out Partnership
	err := c.Do(ctx, Request{
		Method: http.MethodPost,
		Path:   pathPartnershipBuild,
		Body:   partnershipBody{Partner: partner, AuthorizedData: data},
		Header: http.Header{"Idempotency-Key": {idempotencyKey}},
	}, &out)
	if err != nil {
		return nil, err
	}
	if out.State == "" {
		return nil, fmt.Errorf("wechatpay: POST %s: answer has no state", pathPartnershipBuild)
	}
	return &out, nil
}

// TerminatePartnership calls POST /v3/marketing/partnerships/terminate and
// returns the terminate_time. idempotencyKey works as for BuildPartnership.
// A partnership that is unknown or already terminated is an error for which
// IsNotFound is true: WeChat Pay's 404 RESOURCE_NOT_EXISTS, or a 400
// INVALID_REQUEST refusal (the pages document no answer for a repeated
// terminate) after which the list shows the partnership terminated or absent.
// The refusal's text decides nothing: a refusal of a partnership that the list
// shows established is returned as it came.
func (c *Client) TerminatePartnership(ctx context.Context, idempotencyKey string, partner Partner, data AuthorizedData) (string, error) {
	if idempotencyKey == "" {
		return "", errors.New("wechatpay: an Idempotency-Key is required to terminate a partnership")
	}
	defer c.partnershipWritten()
	var out struct {
		TerminateTime string `json:"terminate_time"`
	}
	err := c.Do(ctx, Request{
		Method: http.MethodPost,
		Path:   pathPartnershipTerminate,
		API:    apiPartnershipTerminate,
		Body:   partnershipBody{Partner: partner, AuthorizedData: data},
		Header: http.Header{"Idempotency-Key": {idempotencyKey}},
	}, &out)
	if refusedAsInvalid(err) {
		return "", c.confirmTerminated(ctx, partner, data, err)
	}
	if err != nil {
		return "", err
	}
	return out.TerminateTime, nil
}

// confirmTerminated reads whether a partnership whose terminate was refused is established:
// a NotFoundError when the list shows it terminated or absent, else refusal.
func (c *Client) confirmTerminated(ctx context.Context, partner Partner, data AuthorizedData, refusal error) error {
	_, err := c.FindPartnership(ctx, partner, data)
	if IsNotFound(err) {
		return &NotFoundError{Object: partnershipName(partner, data),
			Reason: fmt.Sprintf("WeChat Pay refused to terminate it (%s) and its list then showed it not established (%s)",
				refusal, strings.TrimPrefix(err.Error(), "wechatpay: "))}
	}
	return refusal
}

// refusedAsInvalid reports whether err is a well-formed 400 INVALID_REQUEST, WeChat Pay's code
// for a well-formed request that breaks a business rule.
func refusedAsInvalid(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.WellFormed && ae.StatusCode == http.StatusBadRequest && ae.Code == "INVALID_REQUEST"
}

// PartnershipFilter narrows ListPartnerships. Partner and AuthorizedData are
// sent as JSON objects in the query string; nil sends no filter. Limit 0 is
// WeChat Pay's default (20); the maximum is PartnershipsMaxLimit.
type PartnershipFilter struct {
	Partner        *Partner
	AuthorizedData *AuthorizedData
	Limit          int
	Offset         int
}

// PartnershipPage is one page of ListPartnerships. TotalCount is only sent
// for offset 0. NoMatch is true when WeChat Pay answered that nothing matches
// the filter (the list call answers an error rather than an empty page).
type PartnershipPage struct {
	Data       []Partnership
	Offset     int
	Limit      int
	TotalCount *int
	NoMatch    bool
}

// ListPartnerships calls GET /v3/marketing/partnerships with the filter. The
// list carries no state field: a partnership with a terminate_time is
// reported as TERMINATED, one without as ESTABLISHED.
func (c *Client) ListPartnerships(ctx context.Context, f PartnershipFilter) (*PartnershipPage, error) {
	if f.Limit < 0 || f.Limit > PartnershipsMaxLimit {
		return nil, fmt.Errorf("wechatpay: partnerships limit must be 1 to %d, got %d", PartnershipsMaxLimit, f.Limit)
	}
	if f.Offset < 0 {
		return nil, fmt.Errorf("wechatpay: partnerships offset must not be negative, got %d", f.Offset)
	}
	q := url.Values{"offset": {strconv.Itoa(f.Offset)}}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.Partner != nil {
		b, err := json.Marshal(f.Partner)
		if err != nil {
			return nil, fmt.Errorf("wechatpay: encoding the partner filter: %w", err)
		}
		q.Set("partner", string(b))
	}
	if f.AuthorizedData != nil {
		b, err := json.Marshal(f.AuthorizedData)
		if err != nil {
			return nil, fmt.Errorf("wechatpay: encoding the authorized_data filter: %w", err)
		}
		q.Set("authorized_data", string(b))
	}
	var out struct {
		Data       []Partnership `json:"data"`
		Offset     int           `json:"offset"`
		Limit      int           `json:"limit"`
		TotalCount *int          `json:"total_count"`
	}
	err := c.Do(ctx, Request{Method: http.MethodGet, Path: pathPartnerships, API: apiPartnerships, Query: q}, &out)
	if IsNotFound(err) {
		zero := 0
		return &PartnershipPage{Offset: f.Offset, Limit: f.Limit, TotalCount: &zero, NoMatch: true}, nil
	}
	if err != nil {
		return nil, err
	}
	for i := range out.Data {
		if out.Data[i].State == "" {
			out.Data[i].State = PartnershipEstablished
			if out.Data[i].TerminateTime != "" {
				out.Data[i].State = PartnershipTerminated
			}
		}
	}
	return &PartnershipPage{Data: out.Data, Offset: out.Offset, Limit: out.Limit, TotalCount: out.TotalCount}, nil
}

// FindPartnership looks one partnership up with a single filtered list call, however many
// partnerships the caller has. When WeChat Pay lists no such partnership, or lists it as
// terminated, the error is a NotFoundError.
func (c *Client) FindPartnership(ctx context.Context, partner Partner, data AuthorizedData) (*Partnership, error) {
	page, err := c.ListPartnerships(ctx, PartnershipFilter{Partner: &partner, AuthorizedData: &data, Limit: PartnershipsMaxLimit})
	if err != nil {
		return nil, err
	}
	var match *Partnership
	for i := range page.Data {
		d := &page.Data[i]
		if !d.Same(partner, data) {
			continue
		}
		// An established match wins over a terminated record of the same grant.
		if match == nil || (match.State != PartnershipEstablished && d.State == PartnershipEstablished) {
			match = d
		}
	}
	switch {
	case match == nil:
		return nil, &NotFoundError{Object: partnershipName(partner, data), Reason: "WeChat Pay lists no such partnership"}
	case match.State == PartnershipTerminated:
		return nil, &NotFoundError{Object: partnershipName(partner, data),
			Reason: "WeChat Pay lists it as terminated at " + orDefault(match.TerminateTime, "an unknown time")}
	}
	return match, nil
}

// partnershipName names a partnership in errors: "partnership APPID wx…: BUSIFAVOR_STOCK 98065001".
func partnershipName(partner Partner, data AuthorizedData) string {
	return fmt.Sprintf("partnership %s %s: %s %s", partner.Type, partnerID(partner), data.BusinessType, data.StockID)
}
