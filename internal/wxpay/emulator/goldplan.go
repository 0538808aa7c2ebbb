package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Gold plan (点金计划): a sub-merchant's gold plan per pay scene, its receipt page (商家小票),
// ads and their industry filters. WeChat Pay offers no call to read any of it back.

// Pay scenes as WeChat Pay spells them.
const (
	SceneJSAPI       = "JSAPI"
	SceneMiniProgram = "MINIPROGRAM"
)

var scenes = []string{SceneJSAPI, SceneMiniProgram}

const reopenDelay = 24 * time.Hour

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

// GoldPlanState is everything the gold plan calls change for one sub-merchant; WeChat Pay
// offers no call to read it, which is why tests get it here.
type GoldPlanState struct {
	SubMchid         string               `json:"sub_mchid"`
	OpenScenes       []string             `json:"open_scenes"`         // JSAPI, MINIPROGRAM; sorted
	ClosedAt         map[string]time.Time `json:"closed_at,omitempty"` // last CLOSE per scene, business clock
	CustomPageOpen   bool                 `json:"custom_page_open"`
	AdvertisingShown bool                 `json:"advertising_shown"`
	IndustryFilters  []string             `json:"advertising_industry_filters"`
}

// Open reports whether the gold plan is open in at least one scene.
func (g GoldPlanState) Open() bool { return len(g.OpenScenes) > 0 }

type goldPlan struct {
	open       map[string]bool
	closedAt   map[string]time.Time
	customPage bool
	ads        bool
	filters    []string
}

func (w *world) goldPlanFor(sub string) *goldPlan {
	g := w.gold[sub]
	if g == nil {
		g = &goldPlan{open: map[string]bool{}, closedAt: map[string]time.Time{}}
		w.gold[sub] = g
	}
	return g
}

func (g *goldPlan) anyOpen() bool {
	for _, o := range g.open {
		if o {
			return true
		}
	}
	return false
}

func validateGoldPlanState(g GoldPlanState) error {
	if g.SubMchid == "" {
		return errors.New("sub_mchid is required")
	}
	for _, sc := range g.OpenScenes {
		if !slices.Contains(scenes, sc) {
			return fmt.Errorf("open_scenes: %q is not JSAPI or MINIPROGRAM", sc)
		}
	}
	for sc := range g.ClosedAt {
		if !slices.Contains(scenes, sc) {
			return fmt.Errorf("closed_at: %q is not JSAPI or MINIPROGRAM", sc)
		}
	}
	if len(g.IndustryFilters) > 3 {
		return errors.New("advertising_industry_filters: at most 3")
	}
	for _, f := range g.IndustryFilters {
		if !industries[f] {
			return fmt.Errorf("advertising_industry_filters: %q is not an industry", f)
		}
	}
	return nil
}

func goldPlanFromState(st GoldPlanState) *goldPlan {
	g := &goldPlan{open: map[string]bool{}, closedAt: map[string]time.Time{},
		customPage: st.CustomPageOpen, ads: st.AdvertisingShown,
		filters: append([]string(nil), st.IndustryFilters...)}
	for _, sc := range st.OpenScenes {
		g.open[sc] = true
	}
	for sc, t := range st.ClosedAt {
		g.closedAt[sc] = t
	}
	return g
}

func (g *goldPlan) state(sub string) GoldPlanState {
	st := GoldPlanState{SubMchid: sub, OpenScenes: []string{}, IndustryFilters: []string{}}
	if g == nil {
		return st
	}
	for _, sc := range scenes {
		if g.open[sc] {
			st.OpenScenes = append(st.OpenScenes, sc)
		}
	}
	if len(g.closedAt) > 0 {
		st.ClosedAt = map[string]time.Time{}
		for sc, t := range g.closedAt {
			st.ClosedAt[sc] = t
		}
	}
	st.CustomPageOpen, st.AdvertisingShown = g.customPage, g.ads
	st.IndustryFilters = append(st.IndustryFilters, g.filters...)
	return st
}

// goldPlanStates lists every gold plan, sorted by sub-merchant.
func (w *world) goldPlanStates() []GoldPlanState {
	out := []GoldPlanState{}
	for sub, g := range w.gold {
		out = append(out, g.state(sub))
	}
	slices.SortFunc(out, func(a, b GoldPlanState) int { return strings.Compare(a.SubMchid, b.SubMchid) })
	return out
}

// GoldPlan returns a sub-merchant's gold plan settings (all off when never touched).
func (s *Server) GoldPlan(subMchid string) GoldPlanState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.gold[subMchid].state(subMchid)
}

// SetGoldPlan replaces a sub-merchant's gold plan settings out of band (drift).
func (s *Server) SetGoldPlan(st GoldPlanState) error {
	if err := validateGoldPlanState(st); err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.gold[st.SubMchid] = goldPlanFromState(st)
	return nil
}

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

// decodeFilters decodes a filter or ads call: at least lo and at most 3 distinct industries.
func decodeFilters(ex *exchange, lo int) (goldPlanRequest, result, bool) {
	req, res, bad := decodeGoldPlan(ex, false)
	if bad {
		return req, res, true
	}
	filters := req.AdvertisingIndustryFilters
	if len(filters) < lo || len(filters) > 3 {
		if lo == 0 {
			return req, paramError("advertising_industry_filters", "must hold at most 3 values"), true
		}
		return req, paramError("advertising_industry_filters", "must hold 1 to 3 values"), true
	}
	for i, f := range filters {
		if !industries[f] {
			return req, paramError("advertising_industry_filters", "holds an unknown industry "+f), true
		}
		if slices.Contains(filters[:i], f) {
			return req, paramError("advertising_industry_filters", "holds "+f+" twice"), true
		}
	}
	return req, result{}, false
}

// withGoldPlan runs change on a sub-merchant's gold plan, with s.mu held, once the checks
// every gold plan call shares have passed.
func (s *Server) withGoldPlan(sub string, change func(g *goldPlan) result) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	sm := w.subs[sub]
	switch {
	case w.callerRole != RoleServiceProvider && w.callerRole != RoleChannelPartner:
		return invalidRequest("调用方不是服务商")
	case !w.goldPlanEnabled:
		return invalidRequest("服务商未开通点金计划")
	case w.providerPenalized:
		return invalidRequest("服务商处于处罚中")
	case sm == nil:
		return fail(http.StatusBadRequest, "MCH_NOT_EXISTS", "商户号不存在", nil)
	case !s.isCaller(sm.Owner):
		return invalidRequest("特约商户不存在或不是该服务商的特约商户")
	case sm.Penalized:
		return invalidRequest("特约商户处于处罚中")
	}
	return change(w.goldPlanFor(sub))
}

func notOpened() result { return invalidRequest("特约商户未开通点金计划") }

func (s *Server) handleGoldPlanStatus(ex *exchange) result {
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
	return s.withGoldPlan(req.SubMchid, func(g *goldPlan) result {
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
		return okJSON(map[string]string{"sub_mchid": req.SubMchid}).withApplied(applied)
	})
}

func (s *Server) handleCustomPageStatus(ex *exchange) result {
	req, res, bad := decodeGoldPlan(ex, true)
	if bad {
		return res
	}
	open := req.OperationType == "OPEN"
	return s.withGoldPlan(req.SubMchid, func(g *goldPlan) result {
		applied := false
		// Closing a page that is already closed succeeds even after the gold plan was closed,
		// so that tearing things down in any order works.
		if g.customPage != open {
			if !g.anyOpen() {
				return notOpened()
			}
			if open && !s.w.receiptLink {
				return invalidRequest("未配置商家小票链接")
			}
			g.customPage, applied = open, true
		}
		return okJSON(map[string]string{"sub_mchid": req.SubMchid}).withApplied(applied)
	})
}

func (s *Server) handleSetIndustryFilter(ex *exchange) result {
	req, res, bad := decodeFilters(ex, 1)
	if bad {
		return res
	}
	return s.withGoldPlan(req.SubMchid, func(g *goldPlan) result {
		if !g.anyOpen() {
			return notOpened()
		}
		return noContent().withApplied(g.setFilters(req.AdvertisingIndustryFilters))
	})
}

func (s *Server) handleOpenAdvertising(ex *exchange) result {
	req, res, bad := decodeFilters(ex, 0)
	if bad {
		return res
	}
	return s.withGoldPlan(req.SubMchid, func(g *goldPlan) result {
		if !g.anyOpen() {
			return notOpened()
		}
		// Filters can only be replaced, never cleared: an empty list keeps the current ones.
		applied := !g.ads
		if len(req.AdvertisingIndustryFilters) > 0 && g.setFilters(req.AdvertisingIndustryFilters) {
			applied = true
		}
		g.ads = true
		return noContent().withApplied(applied)
	})
}

// setFilters replaces the industry filters; it reports whether they changed.
func (g *goldPlan) setFilters(filters []string) bool {
	if slices.Equal(g.filters, filters) {
		return false
	}
	g.filters = slices.Clone(filters)
	return true
}

func (s *Server) handleCloseAdvertising(ex *exchange) result {
	req, res, bad := decodeGoldPlan(ex, false)
	if bad {
		return res
	}
	return s.withGoldPlan(req.SubMchid, func(g *goldPlan) result {
		if !g.ads {
			return noContent()
		}
		if !g.anyOpen() {
			return notOpened()
		}
		g.ads = false
		return noContent().withApplied(true)
	})
}
