package emulator

import (
	"errors"
	"fmt"
	"maps"
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
// every gold plan call shares have passed (the caller's role is checked before: callers.go).
func (s *Server) withGoldPlan(ex *exchange, sub string, change func(c *callerState, sm *SubMerchant, g *goldPlan) result) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	c := w.callers[ex.caller]
	sm := w.subs[sub]
	switch {
	case !c.goldPlanEnabled:
		return invalidRequest("服务商未开通点金计划")
	case c.penalized:
		return invalidRequest(s.say(msgProviderPenalized))
	case sm == nil:
		return fail(http.StatusBadRequest, "MCH_NOT_EXISTS", s.say(msgSubNotExists), nil)
	case !s.owns(ex.caller, sm.Owner):
		return invalidRequest("特约商户不存在或不是该服务商的特约商户")
	case sm.Penalized:
		return invalidRequest(s.say(msgSubPenalized))
	}
	return change(c, sm, w.goldPlanFor(sub))
}

func notOpened() result { return invalidRequest("特约商户未开通点金计划") }

// gated reports whether the receipt page, ads and filters need the gold plan open.
func (s *Server) gated() bool { return s.dialect(DialectGoldPlanGating) == "gated" }

// repeat answers an OPEN of what is open or a CLOSE of what is closed: a success that changes
// nothing, or under goldplan-repeat=refused-already a refusal saying so.
func (s *Server) repeat(success result, refusal string) result {
	if s.dialect(DialectGoldPlanRepeat) == "refused-already" {
		return invalidRequest(refusal)
	}
	return success
}

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
	return s.withGoldPlan(ex, req.SubMchid, func(c *callerState, sm *SubMerchant, g *goldPlan) result {
		ok := okJSON(map[string]string{"sub_mchid": req.SubMchid})
		open := req.OperationType == "OPEN"
		if !open && c.defaultOpen && sm.takesJSAPI() && slices.Contains(want, SceneJSAPI) {
			return s.defaultOpenRefusal()
		}
		var change []string
		for _, sc := range want {
			if g.open[sc] != open {
				change = append(change, sc)
			}
		}
		switch {
		case len(change) == 0 && open:
			return s.repeat(ok, "特约商户已开通点金计划")
		case len(change) == 0:
			return s.repeat(ok, "特约商户已关闭点金计划")
		case open:
			if at := s.reopenAt(g, change, now); !at.IsZero() {
				var detail any
				if s.dialect(DialectGoldPlanReopen) != "no-detail" {
					detail = map[string]string{"retry_after": s.wxTime(at)}
				}
				return fail(http.StatusBadRequest, "INVALID_REQUEST", "关闭点金计划后24小时内不可重新开通", detail)
			}
			for _, sc := range change {
				g.open[sc] = true
			}
		default:
			for _, sc := range change {
				delete(g.open, sc)
				g.closedAt[sc] = now
			}
		}
		return ok.withApplied(true)
	})
}

// reopenAt is when scenes may be opened again, zero when they may be now: 24 hours after the
// last CLOSE of one of them, or under goldplan-reopen=per-merchant of any scene.
func (s *Server) reopenAt(g *goldPlan, scenes []string, now time.Time) time.Time {
	if s.dialect(DialectGoldPlanReopen) == "per-merchant" {
		scenes = slices.Collect(maps.Keys(g.closedAt))
	}
	var at time.Time
	for _, sc := range scenes {
		if t, ok := g.closedAt[sc]; ok && now.Before(t.Add(reopenDelay)) && t.Add(reopenDelay).After(at) {
			at = t.Add(reopenDelay)
		}
	}
	return at
}

// defaultOpenRefusal answers a CLOSE the provider's 默认开通点金计划 switch forbids ("不可单个
// 关闭"); both texts are the emulator's own.
func (s *Server) defaultOpenRefusal() result {
	if s.dialect(DialectGoldPlanDefaultOpenClose) == "403-no-auth" {
		return fail(http.StatusForbidden, "NO_AUTH", "服务商已开启默认开通点金计划,无权单个关闭特约商户的点金计划", nil)
	}
	return invalidRequest("服务商已开启默认开通点金计划,特约商户不可单个关闭")
}

// openByDefault opens the JSAPI gold plan of every sub-merchant that takes JSAPI payments and
// belongs to a caller whose 默认开通点金计划 switch is on; s.mu must be held. Turning the
// switch off closes nothing.
func (s *Server) openByDefault() {
	w := s.w
	for id, sm := range w.subs {
		owner := sm.Owner
		if owner == "" {
			owner = s.keys.MchID
		}
		if c := w.callers[owner]; c != nil && c.defaultOpen && sm.takesJSAPI() {
			w.goldPlanFor(id).open[SceneJSAPI] = true
		}
	}
}

func (s *Server) handleCustomPageStatus(ex *exchange) result {
	req, res, bad := decodeGoldPlan(ex, true)
	if bad {
		return res
	}
	open := req.OperationType == "OPEN"
	return s.withGoldPlan(ex, req.SubMchid, func(c *callerState, _ *SubMerchant, g *goldPlan) result {
		ok := okJSON(map[string]string{"sub_mchid": req.SubMchid})
		// Closing a page that is already closed succeeds even after the gold plan was closed,
		// so that tearing things down in any order works.
		switch {
		case g.customPage == open && open:
			return s.repeat(ok, "商家小票已开通")
		case g.customPage == open:
			return s.repeat(ok, "商家小票已关闭")
		case !g.anyOpen() && s.gated():
			return notOpened()
		case open && !c.receiptLink:
			return invalidRequest("未配置商家小票链接")
		}
		g.customPage = open
		return ok.withApplied(true)
	})
}

// withFilters decodes a call that carries at least lo industry filters and runs change on the
// sub-merchant's gold plan, which must be open where the ads are gated.
func (s *Server) withFilters(ex *exchange, lo int, change func(filters []string, g *goldPlan) result) result {
	req, res, bad := decodeFilters(ex, lo)
	if bad {
		return res
	}
	return s.withGoldPlan(ex, req.SubMchid, func(_ *callerState, _ *SubMerchant, g *goldPlan) result {
		if !g.anyOpen() && s.gated() {
			return notOpened()
		}
		return change(req.AdvertisingIndustryFilters, g)
	})
}

func (s *Server) handleSetIndustryFilter(ex *exchange) result {
	return s.withFilters(ex, 1, func(filters []string, g *goldPlan) result {
		return noContent().withApplied(g.setFilters(filters))
	})
}

func (s *Server) handleOpenAdvertising(ex *exchange) result {
	return s.withFilters(ex, 0, func(filters []string, g *goldPlan) result {
		// Filters can only be replaced, never cleared: an empty list keeps the current ones.
		newFilters := len(filters) > 0 && !slices.Equal(g.filters, filters)
		if g.ads && !newFilters {
			return s.repeat(noContent(), "广告展示已开通")
		}
		if newFilters {
			g.setFilters(filters)
		}
		g.ads = true
		return noContent().withApplied(true)
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
	return s.withGoldPlan(ex, req.SubMchid, func(_ *callerState, _ *SubMerchant, g *goldPlan) result {
		if !g.ads {
			return s.repeat(noContent(), "广告展示已关闭")
		}
		if !g.anyOpen() && s.gated() {
			return notOpened()
		}
		g.ads = false
		return noContent().withApplied(true)
	})
}
