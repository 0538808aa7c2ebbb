package emulator

import (
	"encoding/json"
	"net/http"
	"time"
)

const (
	partnershipsDefaultLimit = 20
	partnershipsMaxLimit     = 50
	favorToMerchantIssue     = "FAVOR_STOCK 不能授权给商户"
)

// validatePartnership returns the first bad field and why ("" when valid).
func validatePartnership(p Partner, d AuthorizedData) (field, issue string) {
	switch p.Type {
	case "APPID":
		if !lenBetween(p.AppID, 1, 32) {
			return "partner.appid", "is required for type APPID, 1 to 32 characters"
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

// replay returns the stored answer of an Idempotency-Key already used on this path; s.mu held.
func (s *Server) replay(path, key string) (result, bool) {
	rep, ok := s.w.idem[path+"\x00"+key]
	if !ok {
		return result{}, false
	}
	return result{status: rep.status, body: rep.body}, true
}

func (s *Server) remember(path, key string, res result) {
	s.w.idem[path+"\x00"+key] = storedReply{status: res.status, body: res.body}
}

func handleBuildPartnership(s *Server, ex *exchange) result {
	partner, data, key, res, bad := decodePartnershipChange(ex)
	if bad {
		return res
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if res, ok := s.replay(ex.r.URL.Path, key); ok {
		return res
	}
	w := s.w
	k := partnershipKey(partner, data)
	p := w.parts[k]
	applied := false
	switch {
	case p == nil:
		w.partSeq++
		p = &partnership{seq: w.partSeq, Partnership: Partnership{Partner: partner, AuthorizedData: data,
			State: PartnershipEstablished, BuildTime: now, CreateTime: now, UpdateTime: now}}
		w.parts[k] = p
		applied = true
	case p.State == PartnershipTerminated:
		p.State, p.BuildTime, p.UpdateTime, p.TerminateTime = PartnershipEstablished, now, now, time.Time{}
		applied = true
	}
	res = okJSON(map[string]any{"partner": p.Partner, "authorized_data": p.AuthorizedData, "state": p.State,
		"build_time": wxTime(p.BuildTime), "create_time": wxTime(p.CreateTime), "update_time": wxTime(p.UpdateTime)})
	s.remember(ex.r.URL.Path, key, res)
	res.applied = applied
	return res
}

func handleTerminatePartnership(s *Server, ex *exchange) result {
	partner, data, key, res, bad := decodePartnershipChange(ex)
	if bad {
		return res
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if res, ok := s.replay(ex.r.URL.Path, key); ok {
		return res
	}
	p := s.w.parts[partnershipKey(partner, data)]
	if p == nil || p.State != PartnershipEstablished {
		return invalidRequest("合作关系不存在或已终止")
	}
	p.State, p.TerminateTime, p.UpdateTime = PartnershipTerminated, now, now
	res = okJSON(map[string]string{"terminate_time": wxTime(now)})
	s.remember(ex.r.URL.Path, key, res)
	res.applied = true
	return res
}

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
func handleListPartnerships(s *Server, ex *exchange) result {
	q := ex.r.URL.Query()
	limit, res, bad := queryInt(ex, "limit", partnershipsDefaultLimit)
	if bad {
		return res
	}
	offset, res, bad := queryInt(ex, "offset", 0)
	if bad {
		return res
	}
	if limit < 1 || limit > partnershipsMaxLimit {
		return queryError("limit", q.Get("limit"), "must be 1 to 50")
	}
	if offset < 0 {
		return queryError("offset", q.Get("offset"), "must not be negative")
	}
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
		if (pf.Type == "" || pf.Type == p.Partner.Type) &&
			(pf.AppID == "" || pf.AppID == p.Partner.AppID) &&
			(pf.MerchantID == "" || pf.MerchantID == p.Partner.MerchantID) &&
			(df.BusinessType == "" || df.BusinessType == p.AuthorizedData.BusinessType) &&
			(df.StockID == "" || df.StockID == p.AuthorizedData.StockID) {
			matches = append(matches, p)
		}
	}
	if len(matches) == 0 {
		return fail(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "合作关系不存在", nil)
	}
	data := []partnershipItem{}
	for i := offset; i < len(matches) && i < offset+limit; i++ {
		p := matches[i]
		item := partnershipItem{Partner: p.Partner, AuthorizedData: p.AuthorizedData,
			BuildTime: wxTime(p.BuildTime), CreateTime: wxTime(p.CreateTime), UpdateTime: wxTime(p.UpdateTime)}
		if p.State == PartnershipTerminated {
			item.TerminateTime = wxTime(p.TerminateTime)
		}
		data = append(data, item)
	}
	out := map[string]any{"data": data, "offset": offset, "limit": limit}
	if offset == 0 {
		out["total_count"] = len(matches)
	}
	return okJSON(out)
}
