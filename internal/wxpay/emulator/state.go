package emulator

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// The business state the API families share: the callers, their sub-merchants, and the Seed
// and State forms of the whole world. Each family's own records live in its file; who may
// call which family is in callers.go.

// Caller roles (CallerKey.Role, Seed.CallerRole, CallerSeed.Role).
const (
	RoleServiceProvider = "SERVICE_PROVIDER"
	RoleChannelPartner  = "CHANNEL_PARTNER"
	RoleInstitution     = "INSTITUTION"
	RoleMerchant        = "MERCHANT"
)

var roles = []string{RoleServiceProvider, RoleChannelPartner, RoleInstitution, RoleMerchant}

// SubMerchant is a merchant known to the platform. Owner is the mchid of the service provider
// or channel partner it belongs to ("" means the default caller; a seed may name a caller).
type SubMerchant struct {
	SubMchid       string `json:"sub_mchid"`
	Name           string `json:"name,omitempty"`
	Owner          string `json:"owner,omitempty"`
	AuthorizeState string `json:"authorize_state,omitempty"` // default AUTHORIZE_STATE_UNAUTHORIZED
	Penalized      bool   `json:"penalized,omitempty"`
	// JSAPIPayments: whether it takes JSAPI payments (default true), which is what the
	// provider's 默认开通点金计划 switch opens the gold plan for.
	JSAPIPayments *bool `json:"jsapi_payments,omitempty"`
}

func (sm *SubMerchant) takesJSAPI() bool { return sm.JSAPIPayments == nil || *sm.JSAPIPayments }

// Seed is merged into the state: scalars when set, records upserted by their id.
type Seed struct {
	// CallerRole changes the default caller's role.
	CallerRole string `json:"caller_role,omitempty"`
	// These set the gold plan settings of every caller; Callers sets them one by one.
	GoldPlanEnabled       *bool `json:"gold_plan_enabled,omitempty"`
	ReceiptLinkConfigured *bool `json:"receipt_link_configured,omitempty"`
	ProviderPenalized     *bool `json:"provider_penalized,omitempty"`
	GoldPlanDefaultOpen   *bool `json:"gold_plan_default_open,omitempty"`

	Callers      []CallerSeed      `json:"callers,omitempty"`
	Dialects     map[string]string `json:"dialects,omitempty"` // until Reset, see SetDialects
	SubMerchants []SubMerchant     `json:"sub_merchants,omitempty"`
	Activities   []Activity        `json:"activities,omitempty"`
	Partnerships []Partnership     `json:"partnerships,omitempty"`
	GoldPlans    []GoldPlanState   `json:"gold_plans,omitempty"`
}

// State is the whole emulated world, as GET /_emulator/state returns it. MchID, CallerRole
// and the gold plan settings at the top are the default caller's.
type State struct {
	MchID                 string            `json:"mchid"`
	CallerRole            string            `json:"caller_role"`
	GoldPlanEnabled       bool              `json:"gold_plan_enabled"`
	ReceiptLinkConfigured bool              `json:"receipt_link_configured"`
	ProviderPenalized     bool              `json:"provider_penalized"`
	Clock                 time.Time         `json:"clock"`
	Callers               []CallerState     `json:"callers"`
	Dialects              map[string]string `json:"dialects"`
	SubMerchants          []SubMerchant     `json:"sub_merchants"`
	GoldPlans             []GoldPlanState   `json:"gold_plans"`
	Activities            []Activity        `json:"activities"`
	Partnerships          []Partnership     `json:"partnerships"`
}

// world is the mutable business state, guarded by Server.mu.
type world struct {
	callers map[string]*callerState // by mchid; callers.go
	subs    map[string]*SubMerchant
	gold    map[string]*goldPlan    // goldplan.go
	acts    map[string]*activity    // paygift.go
	parts   map[string]*partnership // partnerships.go
	partSeq int
	idem    map[string]result // partnerships.go: first 2xx answer per "mchid\x00path\x00Idempotency-Key"
}

func newWorld(k *Keys) *world {
	w := &world{
		callers: map[string]*callerState{},
		subs:    map[string]*SubMerchant{},
		gold:    map[string]*goldPlan{},
		acts:    map[string]*activity{},
		parts:   map[string]*partnership{},
		idem:    map[string]result{},
	}
	for _, c := range k.AllCallers() {
		w.callers[c.MchID] = &callerState{name: c.Name, mchid: c.MchID, role: c.Role,
			goldPlanEnabled: true, receiptLink: true}
	}
	return w
}

// Seed merges seed into the state. It validates everything first and changes nothing on error.
func (s *Server) Seed(seed Seed) error {
	if err := s.validateSeed(seed); err != nil {
		return err
	}
	if len(seed.Dialects) > 0 {
		if err := s.SetDialects(seed.Dialects); err != nil {
			return err
		}
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	if seed.CallerRole != "" {
		w.callers[s.keys.MchID].role = seed.CallerRole
	}
	all := CallerSeed{GoldPlanEnabled: seed.GoldPlanEnabled, ReceiptLinkConfigured: seed.ReceiptLinkConfigured,
		Penalized: seed.ProviderPenalized, GoldPlanDefaultOpen: seed.GoldPlanDefaultOpen}
	for _, c := range w.callers {
		c.merge(all)
	}
	for _, cs := range seed.Callers {
		w.callerNamed(cs.MchID, cs.Name).merge(cs)
	}
	for _, sm := range seed.SubMerchants {
		sm.Owner = s.resolveOwner(sm.Owner)
		if sm.AuthorizeState == "" {
			sm.AuthorizeState = AuthorizeStateUnauthorized
		}
		if sm.JSAPIPayments == nil {
			sm.JSAPIPayments = ptrTo(true)
		}
		w.subs[sm.SubMchid] = &sm
	}
	for _, a := range seed.Activities {
		a.CreatorMchid, a.OwnerMchid = s.resolveOwner(a.CreatorMchid), s.resolveOwner(a.OwnerMchid)
		w.upsertActivity(a, now)
	}
	for _, p := range seed.Partnerships {
		p.OwnerMchid = s.resolveOwner(p.OwnerMchid)
		w.seedPartnership(p, now)
	}
	for _, g := range seed.GoldPlans {
		w.gold[g.SubMchid] = goldPlanFromState(g)
	}
	s.openByDefault()
	return nil
}

func (s *Server) validateSeed(seed Seed) error {
	var errs []error
	if seed.CallerRole != "" && !slices.Contains(roles, seed.CallerRole) {
		errs = append(errs, fmt.Errorf("caller_role %q is not one of %s", seed.CallerRole, strings.Join(roles, ", ")))
	}
	if err := CheckDialects(seed.Dialects); err != nil {
		errs = append(errs, fmt.Errorf("dialects: %w", err))
	}
	for i, cs := range seed.Callers {
		if err := s.checkCallerSeed(cs); err != nil {
			errs = append(errs, fmt.Errorf("callers[%d]: %w", i, err))
		}
	}
	for i, sm := range seed.SubMerchants {
		if sm.SubMchid == "" {
			errs = append(errs, fmt.Errorf("sub_merchants[%d]: sub_mchid is required", i))
		}
		if sm.AuthorizeState != "" && sm.AuthorizeState != AuthorizeStateAuthorized && sm.AuthorizeState != AuthorizeStateUnauthorized {
			errs = append(errs, fmt.Errorf("sub_merchants[%d]: authorize_state %q is unknown", i, sm.AuthorizeState))
		}
	}
	for i, a := range seed.Activities {
		if err := validateActivity(a); err != nil {
			errs = append(errs, fmt.Errorf("activities[%d]: %w", i, err))
		}
	}
	for i, p := range seed.Partnerships {
		if field, issue := validatePartnership(p.Partner, p.AuthorizedData); field != "" {
			errs = append(errs, fmt.Errorf("partnerships[%d]: %s %s", i, field, issue))
		}
		if p.State != "" && p.State != PartnershipEstablished && p.State != PartnershipTerminated {
			errs = append(errs, fmt.Errorf("partnerships[%d]: state %q is unknown", i, p.State))
		}
	}
	for i, g := range seed.GoldPlans {
		if err := validateGoldPlanState(g); err != nil {
			errs = append(errs, fmt.Errorf("gold_plans[%d]: %w", i, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("emulator: invalid seed: %w", err)
	}
	return nil
}

// Reset brings back the state New starts with and clears the call log, faults, QPS limits
// and the clock offset. Remembered nonces survive: a reset must not make replays pass.
// Dialects go back to those set at start-up (Options.Dialects: the -dialect flags and the
// -seed file's), since they describe the WeChat Pay a run emulates rather than its state.
func (s *Server) Reset() {
	s.mu.Lock()
	s.w = newWorld(s.keys)
	s.mu.Unlock()
	start := maps.Clone(s.startDialects)
	s.dialectMu.Lock()
	s.dialects.Store(&start)
	s.dialectMu.Unlock()
	s.clockOffset.Store(0)
	s.ClearCalls()
	s.ClearFaults()
	s.limits.clear()
}

// Snapshot returns the whole state, sorted by id.
func (s *Server) Snapshot() State {
	clock := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	def := w.callers[s.keys.MchID]
	st := State{MchID: s.keys.MchID, CallerRole: def.role, GoldPlanEnabled: def.goldPlanEnabled,
		ReceiptLinkConfigured: def.receiptLink, ProviderPenalized: def.penalized, Clock: clock,
		Callers: s.callerStates(), Dialects: s.ActiveDialects(),
		SubMerchants: []SubMerchant{}, GoldPlans: w.goldPlanStates(), Activities: w.activityList(),
		Partnerships: w.partnershipList()}
	for _, sm := range w.subs {
		st.SubMerchants = append(st.SubMerchants, *sm)
	}
	slices.SortFunc(st.SubMerchants, func(a, b SubMerchant) int { return strings.Compare(a.SubMchid, b.SubMchid) })
	return st
}

// SetCallerRole changes what kind of merchant the default caller is. An unknown role panics.
func (s *Server) SetCallerRole(role string) {
	if !slices.Contains(roles, role) {
		panic(fmt.Sprintf("emulator: unknown caller role %q", role))
	}
	s.mu.Lock()
	s.w.callers[s.keys.MchID].role = role
	s.mu.Unlock()
}

func ptrTo[T any](v T) *T { return &v }
