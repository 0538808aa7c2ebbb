package emulator

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Callers: every merchant that may call the API, with its own key pair (Keys.AllCallers) and
// role, and the gold plan settings WeChat Pay keeps per service provider. Records belong to
// callers: sub-merchants to their service provider or channel partner (SubMerchant.Owner),
// activities to their owner, partnerships to the merchant that granted the stock.

// callerState is what the emulator keeps about one caller besides its key.
type callerState struct {
	name, mchid     string
	role            string
	goldPlanEnabled bool // the provider opened the gold plan (服务商开通点金计划)
	receiptLink     bool // a receipt page link is configured (商家小票链接)
	penalized       bool
	defaultOpen     bool // the 默认开通点金计划 switch is on
}

// CallerSeed changes one caller, named by Name or MchID; nil fields keep their value.
type CallerSeed struct {
	Name                  string `json:"name,omitempty"`
	MchID                 string `json:"mchid,omitempty"`
	Role                  string `json:"role,omitempty"`
	GoldPlanEnabled       *bool  `json:"gold_plan_enabled,omitempty"`
	ReceiptLinkConfigured *bool  `json:"receipt_link_configured,omitempty"`
	Penalized             *bool  `json:"penalized,omitempty"`
	GoldPlanDefaultOpen   *bool  `json:"gold_plan_default_open,omitempty"`
}

// CallerState is one caller as GET /_emulator/state shows it.
type CallerState struct {
	Name                  string `json:"name"`
	MchID                 string `json:"mchid"`
	Role                  string `json:"role"`
	GoldPlanEnabled       bool   `json:"gold_plan_enabled"`
	ReceiptLinkConfigured bool   `json:"receipt_link_configured"`
	Penalized             bool   `json:"penalized"`
	GoldPlanDefaultOpen   bool   `json:"gold_plan_default_open"`
}

func (c *callerState) merge(cs CallerSeed) {
	if cs.Role != "" {
		c.role = cs.Role
	}
	for _, f := range []struct {
		dst *bool
		src *bool
	}{{&c.goldPlanEnabled, cs.GoldPlanEnabled}, {&c.receiptLink, cs.ReceiptLinkConfigured},
		{&c.penalized, cs.Penalized}, {&c.defaultOpen, cs.GoldPlanDefaultOpen}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
}

// callerNamed finds a caller by mchid or name (nil when neither is a caller).
func (w *world) callerNamed(mchid, name string) *callerState {
	if c := w.callers[mchid]; c != nil {
		return c
	}
	for _, c := range w.callers {
		if name != "" && c.name == name {
			return c
		}
	}
	return nil
}

func (s *Server) checkCallerSeed(cs CallerSeed) error {
	if cs.Role != "" && !slices.Contains(roles, cs.Role) {
		return fmt.Errorf("role %q is not one of %s", cs.Role, strings.Join(roles, ", "))
	}
	var names []string
	for _, c := range s.keys.AllCallers() {
		if (cs.MchID == "" || cs.MchID == c.MchID) && (cs.Name == "" || cs.Name == c.Name) && (cs.MchID != "" || cs.Name != "") {
			return nil
		}
		names = append(names, c.Name+" ("+c.MchID+")")
	}
	return fmt.Errorf("name %q / mchid %q is not a caller; the callers are %s", cs.Name, cs.MchID, strings.Join(names, ", "))
}

// callerStates lists the callers, the default one first; s.mu must be held.
func (s *Server) callerStates() []CallerState {
	var out []CallerState
	for _, k := range s.keys.AllCallers() {
		c := s.w.callers[k.MchID]
		out = append(out, CallerState{Name: c.name, MchID: c.mchid, Role: c.role, GoldPlanEnabled: c.goldPlanEnabled,
			ReceiptLinkConfigured: c.receiptLink, Penalized: c.penalized, GoldPlanDefaultOpen: c.defaultOpen})
	}
	return out
}

// resolveOwner lets a seed name a record's owner by caller name (CallerMerchant, …) as well
// as by mchid.
func (s *Server) resolveOwner(owner string) string {
	if c, ok := s.keys.Caller(owner); ok {
		return c.MchID
	}
	return owner
}

// owns reports whether a record whose owner is owner belongs to caller; "" is the default
// caller's.
func (s *Server) owns(caller, owner string) bool {
	return owner == caller || (owner == "" && caller == s.keys.MchID)
}

// callerAuth is what verifying a caller's signature needs.
type callerAuth struct {
	serial string
	pub    *rsa.PublicKey
}

func callerAuths(k *Keys) map[string]callerAuth {
	m := map[string]callerAuth{}
	for _, c := range k.AllCallers() {
		m[c.MchID] = callerAuth{serial: c.Serial, pub: &c.Key.PublicKey}
	}
	return m
}

// family is an API family and the callers its page supports (支持商户).
type family struct {
	roles  []string
	refuse func(s *Server) result
}

// The families with their supported callers under roles=strict. Certificates have none: every
// caller downloads them.
var (
	// 点金计划管理: 【普通服务商】【渠道商】. The refusal is the emulator's own text.
	familyGoldPlan = &family{[]string{RoleServiceProvider, RoleChannelPartner},
		func(*Server) result { return invalidRequest("调用方不是服务商") }}
	// 删除活动发券商户号: 支持商户【普通服务商】, but 可调用商户:商户/服务商/渠道商; see doc.go.
	familyPayGift = &family{[]string{RoleServiceProvider, RoleChannelPartner}, refuseNoAuth}
	// 建立合作关系: 【普通商户】.
	familyPartnerships = &family{[]string{RoleMerchant}, refuseNoAuth}
	// 获取商户开户意愿确认状态: 【渠道商】【从业机构】.
	familyApply4Subject = &family{[]string{RoleChannelPartner, RoleInstitution},
		func(*Server) result {
			return fail(http.StatusBadRequest, "PARAM_ERROR", "只能由从业机构或渠道商调用该接口", nil)
		}}
)

// refuseNoAuth is the pages' 403 NO_AUTH "商户未被授权".
func refuseNoAuth(*Server) result {
	return fail(http.StatusForbidden, "NO_AUTH", "商户未被授权", nil)
}

// roleChecked lets handle run only for callers whose role fam supports, under roles=strict.
func (s *Server) roleChecked(fam *family, handle func(*exchange) result) func(*exchange) result {
	if fam == nil {
		return handle
	}
	return func(ex *exchange) result {
		if s.dialect(DialectRoles) == "strict" {
			s.mu.Lock()
			role := s.w.callers[ex.caller].role
			s.mu.Unlock()
			if !slices.Contains(fam.roles, role) {
				return fam.refuse(s)
			}
		}
		return handle(ex)
	}
}
