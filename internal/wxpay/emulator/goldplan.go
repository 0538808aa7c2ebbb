package emulator

import (
	"net/http"
	"slices"
	"time"
)

// industries are the 36 advertising industry values; the misspellings are WeChat Pay's own.
var industries = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range []string{"E_COMMERCE", "LOVE_MARRIAGE", "POTOGRAPHY", "EDUCATION", "FINANCE",
		"TOURISM", "SKINCARE", "FOOD", "SPORT", "JEWELRY_WATCH", "HEALTHCARE", "BUSSINESS", "PARENTING",
		"CATERING", "RETAIL", "SERVICES", "LAW", "ESTATE", "TRANSPORTATION", "ENERGY_SAVING", "SECURITY",
		"BUILDING_MATERIAL", "COMMUNICATION", "MERCHANDISE", "ASSOCIATION", "COMMUNITY", "ONLINE_AVR",
		"WE_MEDIA", "CAR", "SOFTWARE", "GAME", "CLOTHING", "INDUSTY", "AGRICULTURE", "PUBLISHING_MEDIA",
		"HOME_DIGITAL"} {
		m[v] = true
	}
	return m
}()

// IndustryFilters lists the accepted advertising_industry_filters values.
func IndustryFilters() []string {
	out := make([]string, 0, len(industries))
	for v := range industries {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

const reopenDelay = 24 * time.Hour

type goldPlanRequest struct {
	SubMchid                   string   `json:"sub_mchid"`
	OperationType              string   `json:"operation_type"`
	OperationPayScene          string   `json:"operation_pay_scene"`
	AdvertisingIndustryFilters []string `json:"advertising_industry_filters"`
}

func decodeGoldPlan(ex *exchange, needOperation bool) (goldPlanRequest, result, bool) {
	var req goldPlanRequest
	if res, bad := decodeBody(ex, &req); bad {
		return req, res, true
	}
	if !lenBetween(req.SubMchid, 1, 32) {
		return req, paramError("sub_mchid", "is required, at most 32 characters"), true
	}
	if needOperation && req.OperationType != "OPEN" && req.OperationType != "CLOSE" {
		return req, paramError("operation_type", "must be OPEN or CLOSE"), true
	}
	return req, result{}, false
}

func validateFilters(filters []string, lo int) (result, bool) {
	if len(filters) < lo || len(filters) > 3 {
		if lo == 0 {
			return paramError("advertising_industry_filters", "must hold at most 3 values"), true
		}
		return paramError("advertising_industry_filters", "must hold 1 to 3 values"), true
	}
	for i, f := range filters {
		if !industries[f] {
			return paramError("advertising_industry_filters", "holds an unknown industry "+f), true
		}
		if slices.Contains(filters[:i], f) {
			return paramError("advertising_industry_filters", "holds "+f+" twice"), true
		}
	}
	return result{}, false
}

// goldPlanGate applies the checks every gold plan call shares; s.mu must be held.
func (s *Server) goldPlanGate(sub string) (result, bool) {
	w := s.w
	if w.callerRole != RoleServiceProvider && w.callerRole != RoleChannelPartner {
		return invalidRequest("调用方不是服务商"), true
	}
	if !w.goldPlanEnabled {
		return invalidRequest("服务商未开通点金计划"), true
	}
	if w.providerPenalized {
		return invalidRequest("服务商处于处罚中"), true
	}
	sm := w.subs[sub]
	if sm == nil {
		return fail(http.StatusBadRequest, "MCH_NOT_EXISTS", "商户号不存在", nil), true
	}
	if !s.isCaller(sm.Owner) {
		return invalidRequest("特约商户不存在或不是该服务商的特约商户"), true
	}
	if sm.Penalized {
		return invalidRequest("特约商户处于处罚中"), true
	}
	return result{}, false
}

func notOpened() result { return invalidRequest("特约商户未开通点金计划") }

func handleGoldPlanStatus(s *Server, ex *exchange) result {
	req, res, bad := decodeGoldPlan(ex, true)
	if bad {
		return res
	}
	var want []string
	switch req.OperationPayScene {
	case "", SceneJSAPI:
		want = []string{SceneJSAPI}
	case SceneMiniProgram:
		want = []string{SceneMiniProgram}
	case "JSAPI_AND_MINIPROGRAM":
		want = []string{SceneJSAPI, SceneMiniProgram}
	default:
		return paramError("operation_pay_scene", "must be JSAPI, MINIPROGRAM or JSAPI_AND_MINIPROGRAM")
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if res, bad := s.goldPlanGate(req.SubMchid); bad {
		return res
	}
	g := s.w.goldPlanFor(req.SubMchid)
	applied := false
	if req.OperationType == "OPEN" {
		var toOpen []string
		var retryAfter time.Time
		for _, sc := range want {
			if g.open[sc] {
				continue
			}
			toOpen = append(toOpen, sc)
			if t, ok := g.closedAt[sc]; ok && now.Before(t.Add(reopenDelay)) && t.Add(reopenDelay).After(retryAfter) {
				retryAfter = t.Add(reopenDelay)
			}
		}
		if !retryAfter.IsZero() {
			return fail(http.StatusBadRequest, "INVALID_REQUEST", "关闭点金计划后24小时内不可重新开通",
				map[string]string{"retry_after": wxTime(retryAfter)})
		}
		for _, sc := range toOpen {
			g.open[sc] = true
		}
		applied = len(toOpen) > 0
	} else {
		for _, sc := range want {
			if g.open[sc] {
				delete(g.open, sc)
				g.closedAt[sc] = now
				applied = true
			}
		}
	}
	res = okJSON(map[string]string{"sub_mchid": req.SubMchid})
	res.applied = applied
	return res
}

func handleCustomPageStatus(s *Server, ex *exchange) result {
	req, res, bad := decodeGoldPlan(ex, true)
	if bad {
		return res
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if res, bad := s.goldPlanGate(req.SubMchid); bad {
		return res
	}
	g := s.w.goldPlanFor(req.SubMchid)
	open := req.OperationType == "OPEN"
	applied := false
	// Closing a page that is already closed succeeds even after the gold plan was closed, so
	// that tearing things down in any order works.
	if g.customPage != open {
		if !g.anyOpen() {
			return notOpened()
		}
		if open && !s.w.receiptLink {
			return invalidRequest("未配置商家小票链接")
		}
		g.customPage, applied = open, true
	}
	res = okJSON(map[string]string{"sub_mchid": req.SubMchid})
	res.applied = applied
	return res
}

func handleSetIndustryFilter(s *Server, ex *exchange) result {
	req, res, bad := decodeGoldPlan(ex, false)
	if bad {
		return res
	}
	if res, bad := validateFilters(req.AdvertisingIndustryFilters, 1); bad {
		return res
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if res, bad := s.goldPlanGate(req.SubMchid); bad {
		return res
	}
	g := s.w.goldPlanFor(req.SubMchid)
	if !g.anyOpen() {
		return notOpened()
	}
	res = noContent()
	if !slices.Equal(g.filters, req.AdvertisingIndustryFilters) {
		g.filters = slices.Clone(req.AdvertisingIndustryFilters)
		res.applied = true
	}
	return res
}

func handleOpenAdvertising(s *Server, ex *exchange) result {
	req, res, bad := decodeGoldPlan(ex, false)
	if bad {
		return res
	}
	if res, bad := validateFilters(req.AdvertisingIndustryFilters, 0); bad {
		return res
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if res, bad := s.goldPlanGate(req.SubMchid); bad {
		return res
	}
	g := s.w.goldPlanFor(req.SubMchid)
	if !g.anyOpen() {
		return notOpened()
	}
	res = noContent()
	// Filters can only be replaced, never cleared: an empty list keeps the current ones.
	if len(req.AdvertisingIndustryFilters) > 0 && !slices.Equal(g.filters, req.AdvertisingIndustryFilters) {
		g.filters = slices.Clone(req.AdvertisingIndustryFilters)
		res.applied = true
	}
	if !g.ads {
		g.ads, res.applied = true, true
	}
	return res
}

func handleCloseAdvertising(s *Server, ex *exchange) result {
	req, res, bad := decodeGoldPlan(ex, false)
	if bad {
		return res
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if res, bad := s.goldPlanGate(req.SubMchid); bad {
		return res
	}
	g := s.w.goldPlanFor(req.SubMchid)
	res = noContent()
	if g.ads {
		if !g.anyOpen() {
			return notOpened()
		}
		g.ads, res.applied = false, true
	}
	return res
}
