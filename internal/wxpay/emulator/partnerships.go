package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// Marketing partnerships (委托营销): coupon stocks granted to an app or another merchant.

// Partnership states as WeChat Pay spells them.
const (
	PartnershipEstablished = "ESTABLISHED"
	PartnershipTerminated  = "TERMINATED"
)

const (
	partnershipsDefaultLimit = 20
	partnershipsMaxLimit     = 50
	favorToMerchantIssue     = "FAVOR_STOCK 不能授权给商户"
)

// Partner is the party a marketing partnership grants to.
type Partner struct {
	Type       string `json:"type"`
	AppID      string `json:"appid,omitempty"`
	MerchantID string `json:"merchant_id,omitempty"`
}

// AuthorizedData is what a marketing partnership grants.
type AuthorizedData struct {
	BusinessType string `json:"business_type"`
	StockID      string `json:"stock_id,omitempty"`
}

// Partnership is one marketing partnership; in a Seed the times default to the business clock
// and OwnerMchid "" means the default caller.
type Partnership struct {
	Partner        Partner        `json:"partner"`
	AuthorizedData AuthorizedData `json:"authorized_data"`
	OwnerMchid     string         `json:"owner_mchid,omitempty"` // the merchant that granted its stock
	State          string         `json:"state,omitempty"`       // default ESTABLISHED
	BuildTime      time.Time      `json:"build_time,omitzero"`
	TerminateTime  time.Time      `json:"terminate_time,omitzero"`
	CreateTime     time.Time      `json:"create_time,omitzero"`
	UpdateTime     time.Time      `json:"update_time,omitzero"`
}

type partnership struct {
	Partnership
	seq int // the list's order: first built first
}

func partnershipKey(p Partner, d AuthorizedData) string {
	id := p.AppID
	if p.Type == "MERCHANT" {
		id = p.MerchantID
	}
	return p.Type + "\x00" + id + "\x00" + d.BusinessType + "\x00" + d.StockID
}

// canonicalPartner keeps the fields the type uses: merchant_id for MERCHANT; appid, and the
// merchant_id beside it that the build page's own example sends and echoes, for APPID. The
// key (partnershipKey) holds only the id the type names.
func canonicalPartner(p Partner) Partner {
	if p.Type == "MERCHANT" {
		return Partner{Type: p.Type, MerchantID: p.MerchantID}
	}
	return Partner{Type: p.Type, AppID: p.AppID, MerchantID: p.MerchantID}
}

// validatePartnership returns the first bad field and why ("" when valid).
func validatePartnership(p Partner, d AuthorizedData) (field, issue string) {
	switch p.Type {
	case "APPID":
		if !lenBetween(p.AppID, 1, 32) {
			return "partner.appid", "is required for type APPID, 1 to 32 characters"
		}
		if p.MerchantID != "" && !lenBetween(p.MerchantID, 8, 15) {
			return "partner.merchant_id", "is 8 to 15 characters when given"
		}
	case "MERCHANT":
		if !lenBetween(p.MerchantID, 8, 15) {
			return "partner.merchant_id", "is required for type MERCHANT, 8 to 15 characters"
		}
	default:
		return "partner.type", "must be APPID or MERCHANT"
	}
	if d.BusinessType != "FAVOR_STOCK" && d.BusinessType != "BUSIFAVOR_STOCK" {
		return "authorized_data.business_type", "must be FAVOR_STOCK or BUSIFAVOR_STOCK"
	}
	if !lenBetween(d.StockID, 1, 20) {
		return "authorized_data.stock_id", "is required, 1 to 20 characters"
	}
	if d.BusinessType == "FAVOR_STOCK" && p.Type == "MERCHANT" {
		return "authorized_data.business_type", favorToMerchantIssue
	}
	return "", ""
}

// seedPartnership upserts p, keeping its place in the list when it already exists.
func (w *world) seedPartnership(p Partnership, now time.Time) {
	p.Partner = canonicalPartner(p.Partner)
	if p.State == "" {
		p.State = PartnershipEstablished
	}
	for _, t := range []*time.Time{&p.BuildTime, &p.CreateTime, &p.UpdateTime} {
		if t.IsZero() {
			*t = now
		}
	}
	if p.State == PartnershipTerminated && p.TerminateTime.IsZero() {
		p.TerminateTime = now
	}
	if p.State == PartnershipEstablished {
		p.TerminateTime = time.Time{}
	}
	key := partnershipKey(p.Partner, p.AuthorizedData)
	if old := w.parts[key]; old != nil {
		old.Partnership = p
		return
	}
	w.partSeq++
	w.parts[key] = &partnership{Partnership: p, seq: w.partSeq}
}

// sortedPartnerships lists partnerships in the order they were first built or seeded.
func (w *world) sortedPartnerships() []*partnership {
	out := make([]*partnership, 0, len(w.parts))
	for _, p := range w.parts {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *partnership) int { return a.seq - b.seq })
	return out
}

func (w *world) partnershipList() []Partnership {
	out := []Partnership{}
	for _, p := range w.sortedPartnerships() {
		out = append(out, p.Partnership)
	}
	return out
}

// TerminatePartnership terminates a partnership out of band, whoever owns it; it reports
// whether an established one was found.
func (s *Server) TerminatePartnership(partner Partner, data AuthorizedData) bool {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.w.parts[partnershipKey(canonicalPartner(partner), data)]
	if p == nil || p.State != PartnershipEstablished {
		return false
	}
	p.State, p.TerminateTime, p.UpdateTime = PartnershipTerminated, now, now
	return true
}

// Partnership returns one partnership and whether it exists (in any state).
func (s *Server) Partnership(partner Partner, data AuthorizedData) (Partnership, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.w.parts[partnershipKey(canonicalPartner(partner), data)]
	if p == nil {
		return Partnership{}, false
	}
	return p.Partnership, true
}

type partnershipRequest struct {
	Partner        *Partner        `json:"partner"`
	AuthorizedData *AuthorizedData `json:"authorized_data"`
}

// decodePartnershipChange checks Idempotency-Key and the body of build and terminate.
func decodePartnershipChange(ex *exchange) (Partner, AuthorizedData, string, result, bool) {
	key := ex.r.Header.Get("Idempotency-Key")
	ex.requestNo = key
	if !lenBetween(key, 1, 48) || !requestNoChars.MatchString(key) {
		return Partner{}, AuthorizedData{}, "", fail(http.StatusBadRequest, "PARAM_ERROR",
			"参数错误: Idempotency-Key is required, 1 to 48 letters, digits or |_*-",
			fieldDetail{Field: "Idempotency-Key", Value: key, Issue: "is required, 1 to 48 letters, digits or |_*-", Location: "header"}), true
	}
	var req partnershipRequest
	if res, bad := decodeBody(ex, &req); bad {
		return Partner{}, AuthorizedData{}, "", res, true
	}
	if req.Partner == nil {
		return Partner{}, AuthorizedData{}, "", paramError("partner", "is required"), true
	}
	if req.AuthorizedData == nil {
		return Partner{}, AuthorizedData{}, "", paramError("authorized_data", "is required"), true
	}
	if field, issue := validatePartnership(*req.Partner, *req.AuthorizedData); field != "" {
		if issue == favorToMerchantIssue {
			return Partner{}, AuthorizedData{}, "", fail(http.StatusBadRequest, "PARAM_ERROR", favorToMerchantIssue,
				fieldDetail{Field: field, Value: "FAVOR_STOCK", Issue: issue, Location: "body"}), true
		}
		return Partner{}, AuthorizedData{}, "", paramError(field, issue), true
	}
	return canonicalPartner(*req.Partner), *req.AuthorizedData, key, result{}, false
}

// changePartnership runs a build or terminate: an Idempotency-Key the caller already used on
// this path replays its first 2xx answer; a partnership another merchant granted is not the
// caller's to change; otherwise change runs with s.mu held (p nil when unknown).
func (s *Server) changePartnership(ex *exchange, change func(p *partnership, partner Partner, data AuthorizedData, now time.Time) result) result {
	partner, data, key, res, bad := decodePartnershipChange(ex)
	if bad {
		return res
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	idem := ex.caller + "\x00" + ex.r.URL.Path + "\x00" + key
	if first, ok := s.w.idem[idem]; ok {
		return first
	}
	p := s.w.parts[partnershipKey(partner, data)]
	if p != nil && !s.owns(ex.caller, p.OwnerMchid) {
		return refuseNoAuth(s)
	}
	res = change(p, partner, data, now)
	if res.status/100 == 2 {
		s.w.idem[idem] = res.withApplied(false)
	}
	return res
}

func (s *Server) handleBuildPartnership(ex *exchange) result {
	return s.changePartnership(ex, func(p *partnership, partner Partner, data AuthorizedData, now time.Time) result {
		w := s.w
		applied := false
		switch {
		case p == nil:
			w.partSeq++
			p = &partnership{seq: w.partSeq, Partnership: Partnership{Partner: partner, AuthorizedData: data,
				OwnerMchid: ex.caller, State: PartnershipEstablished, BuildTime: now, CreateTime: now, UpdateTime: now}}
			w.parts[partnershipKey(partner, data)] = p
			applied = true
		case p.State == PartnershipTerminated:
			p.State, p.BuildTime, p.UpdateTime, p.TerminateTime = PartnershipEstablished, now, now, time.Time{}
			p.Partner = partner
			applied = true
		}
		return okJSON(map[string]any{"partner": p.Partner, "authorized_data": p.AuthorizedData, "state": p.State,
			"build_time": s.wxTime(p.BuildTime), "create_time": s.wxTime(p.CreateTime), "update_time": s.wxTime(p.UpdateTime),
		}).withApplied(applied)
	})
}

func (s *Server) handleTerminatePartnership(ex *exchange) result {
	return s.changePartnership(ex, func(p *partnership, _ Partner, _ AuthorizedData, now time.Time) result {
		if p == nil || p.State != PartnershipEstablished {
			return s.terminateGone(p)
		}
		p.State, p.TerminateTime, p.UpdateTime = PartnershipTerminated, now, now
		return okJSON(map[string]string{"terminate_time": s.wxTime(now)}).withApplied(true)
	})
}

// terminateGone answers a terminate of a partnership that is not established: p nil when it
// was never built, else terminated (partnership-terminate-again).
func (s *Server) terminateGone(p *partnership) result {
	switch s.dialect(DialectPartnershipTerminateGone) {
	case "400-invalid-request":
		return invalidRequest(msgBusinessRule)
	case "200":
		if p != nil {
			return okJSON(map[string]string{"terminate_time": s.wxTime(p.TerminateTime)})
		}
		return fail(http.StatusNotFound, "RESOURCE_NOT_EXISTS", s.say(msgPartnershipNone), nil)
	}
	return invalidRequest("合作关系不存在或已终止")
}

// msgBusinessRule is the build page's text for a business-rule INVALID_REQUEST.
const msgBusinessRule = "请求参数符合参数格式,但不符合业务规则"

type partnershipItem struct {
	Partner        Partner        `json:"partner"`
	AuthorizedData AuthorizedData `json:"authorized_data"`
	BuildTime      string         `json:"build_time"`
	TerminateTime  string         `json:"terminate_time,omitempty"`
	CreateTime     string         `json:"create_time"`
	UpdateTime     string         `json:"update_time"`
}

// handleListPartnerships lists established and terminated partnerships alike, without a
// state field, as documented: a client tells them apart by terminate_time.
func (s *Server) handleListPartnerships(ex *exchange) result {
	offset, limit, res, bad := queryPage(ex, partnershipsDefaultLimit, partnershipsMaxLimit)
	if bad {
		return res
	}
	q := ex.r.URL.Query()
	var pf Partner
	if v := q.Get("partner"); v != "" {
		if err := json.Unmarshal([]byte(v), &pf); err != nil {
			return queryError("partner", v, "is not a JSON object")
		}
	}
	var df AuthorizedData
	if v := q.Get("authorized_data"); v != "" {
		if err := json.Unmarshal([]byte(v), &df); err != nil {
			return queryError("authorized_data", v, "is not a JSON object")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var matches []*partnership
	for _, p := range s.w.sortedPartnerships() {
		if s.owns(ex.caller, p.OwnerMchid) &&
			(pf.Type == "" || pf.Type == p.Partner.Type) &&
			(pf.AppID == "" || pf.AppID == p.Partner.AppID) &&
			(pf.MerchantID == "" || pf.MerchantID == p.Partner.MerchantID) &&
			(df.BusinessType == "" || df.BusinessType == p.AuthorizedData.BusinessType) &&
			(df.StockID == "" || df.StockID == p.AuthorizedData.StockID) {
			matches = append(matches, p)
		}
	}
	if len(matches) == 0 {
		switch s.dialect(DialectPartnershipListEmpty) {
		case "400-invalid-request":
			return invalidRequest(msgBusinessRule)
		case "404":
			return fail(http.StatusNotFound, "RESOURCE_NOT_EXISTS", s.say(msgPartnershipNone), nil)
		}
	}
	data := []partnershipItem{}
	for _, p := range page(matches, offset, limit) {
		item := partnershipItem{Partner: p.Partner, AuthorizedData: p.AuthorizedData,
			BuildTime: s.wxTime(p.BuildTime), CreateTime: s.wxTime(p.CreateTime), UpdateTime: s.wxTime(p.UpdateTime)}
		if p.State == PartnershipTerminated {
			item.TerminateTime = s.wxTime(p.TerminateTime)
		}
		data = append(data, item)
	}
	out := map[string]any{"data": data, "offset": offset, "limit": limit}
	if offset == 0 {
		out["total_count"] = len(matches)
	}
	return okJSON(out)
}
