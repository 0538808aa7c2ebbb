package emulator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The business state the API families share: who the caller is, its sub-merchants, and the
// Seed and State forms of the whole world. Each family's own records live in its file.

// Caller roles (SetCallerRole, Seed.CallerRole).
const (
	RoleServiceProvider = "SERVICE_PROVIDER"
	RoleChannelPartner  = "CHANNEL_PARTNER"
	RoleInstitution     = "INSTITUTION"
	RoleMerchant        = "MERCHANT"
)

var roles = []string{RoleServiceProvider, RoleChannelPartner, RoleInstitution, RoleMerchant}

// SubMerchant is a merchant known to the platform. Owner "" (or the caller's mchid) means it
// is the caller's sub-merchant; any other value makes it someone else's.
type SubMerchant struct {
	SubMchid       string `json:"sub_mchid"`
	Name           string `json:"name,omitempty"`
	Owner          string `json:"owner,omitempty"`
	AuthorizeState string `json:"authorize_state,omitempty"` // default AUTHORIZE_STATE_UNAUTHORIZED
	Penalized      bool   `json:"penalized,omitempty"`
}

// Seed is merged into the state: scalars when set, records upserted by their id.
type Seed struct {
	CallerRole            string          `json:"caller_role,omitempty"`
	GoldPlanEnabled       *bool           `json:"gold_plan_enabled,omitempty"`
	ReceiptLinkConfigured *bool           `json:"receipt_link_configured,omitempty"`
	ProviderPenalized     *bool           `json:"provider_penalized,omitempty"`
	SubMerchants          []SubMerchant   `json:"sub_merchants,omitempty"`
	Activities            []Activity      `json:"activities,omitempty"`
	Partnerships          []Partnership   `json:"partnerships,omitempty"`
	GoldPlans             []GoldPlanState `json:"gold_plans,omitempty"`
}

// State is the whole emulated world, as GET /_emulator/state returns it.
type State struct {
	MchID                 string          `json:"mchid"`
	CallerRole            string          `json:"caller_role"`
	GoldPlanEnabled       bool            `json:"gold_plan_enabled"`
	ReceiptLinkConfigured bool            `json:"receipt_link_configured"`
	ProviderPenalized     bool            `json:"provider_penalized"`
	Clock                 time.Time       `json:"clock"`
	SubMerchants          []SubMerchant   `json:"sub_merchants"`
	GoldPlans             []GoldPlanState `json:"gold_plans"`
	Activities            []Activity      `json:"activities"`
	Partnerships          []Partnership   `json:"partnerships"`
}

// world is the mutable business state, guarded by Server.mu.
type world struct {
	callerRole        string
	goldPlanEnabled   bool
	receiptLink       bool
	providerPenalized bool
	subs              map[string]*SubMerchant
	gold              map[string]*goldPlan    // goldplan.go
	acts              map[string]*activity    // paygift.go
	parts             map[string]*partnership // partnerships.go
	partSeq           int
	idem              map[string]result // partnerships.go: first 2xx answer per "path\x00Idempotency-Key"
}

func newWorld() *world {
	return &world{
		callerRole:      RoleChannelPartner,
		goldPlanEnabled: true,
		receiptLink:     true,
		subs:            map[string]*SubMerchant{},
		gold:            map[string]*goldPlan{},
		acts:            map[string]*activity{},
		parts:           map[string]*partnership{},
		idem:            map[string]result{},
	}
}

func (s *Server) isCaller(mchid string) bool { return mchid == "" || mchid == s.keys.MchID }

// Seed merges seed into the state. It validates everything first and changes nothing on error.
func (s *Server) Seed(seed Seed) error {
	if err := validateSeed(seed); err != nil {
		return err
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	if seed.CallerRole != "" {
		w.callerRole = seed.CallerRole
	}
	if seed.GoldPlanEnabled != nil {
		w.goldPlanEnabled = *seed.GoldPlanEnabled
	}
	if seed.ReceiptLinkConfigured != nil {
		w.receiptLink = *seed.ReceiptLinkConfigured
	}
	if seed.ProviderPenalized != nil {
		w.providerPenalized = *seed.ProviderPenalized
	}
	for _, sm := range seed.SubMerchants {
		if sm.AuthorizeState == "" {
			sm.AuthorizeState = AuthorizeStateUnauthorized
		}
		w.subs[sm.SubMchid] = &sm
	}
	for _, a := range seed.Activities {
		w.upsertActivity(a, now)
	}
	for _, p := range seed.Partnerships {
		w.seedPartnership(p, now)
	}
	for _, g := range seed.GoldPlans {
		w.gold[g.SubMchid] = goldPlanFromState(g)
	}
	return nil
}

func validateSeed(seed Seed) error {
	var errs []error
	if seed.CallerRole != "" && !slices.Contains(roles, seed.CallerRole) {
		errs = append(errs, fmt.Errorf("caller_role %q is not one of %s", seed.CallerRole, strings.Join(roles, ", ")))
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
		if a.ActivityID == "" {
			errs = append(errs, fmt.Errorf("activities[%d]: activity_id is required", i))
		}
		if a.Status != "" && !slices.Contains(activityStates, a.Status) {
			errs = append(errs, fmt.Errorf("activities[%d]: status %q is unknown", i, a.Status))
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
func (s *Server) Reset() {
	s.mu.Lock()
	s.w = newWorld()
	s.mu.Unlock()
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
	st := State{MchID: s.keys.MchID, CallerRole: w.callerRole, GoldPlanEnabled: w.goldPlanEnabled,
		ReceiptLinkConfigured: w.receiptLink, ProviderPenalized: w.providerPenalized, Clock: clock,
		SubMerchants: []SubMerchant{}, GoldPlans: w.goldPlanStates(), Activities: w.activityList(),
		Partnerships: w.partnershipList()}
	for _, sm := range w.subs {
		st.SubMerchants = append(st.SubMerchants, *sm)
	}
	slices.SortFunc(st.SubMerchants, func(a, b SubMerchant) int { return strings.Compare(a.SubMchid, b.SubMchid) })
	return st
}

// SetCallerRole changes what kind of merchant the caller is. An unknown role panics.
func (s *Server) SetCallerRole(role string) {
	if !slices.Contains(roles, role) {
		panic(fmt.Sprintf("emulator: unknown caller role %q", role))
	}
	s.mu.Lock()
	s.w.callerRole = role
	s.mu.Unlock()
}
