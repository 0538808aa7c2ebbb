package emulator

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Caller roles (SetCallerRole, Seed.CallerRole).
const (
	RoleServiceProvider = "SERVICE_PROVIDER"
	RoleChannelPartner  = "CHANNEL_PARTNER"
	RoleInstitution     = "INSTITUTION"
	RoleMerchant        = "MERCHANT"
)

// Authorization states and activity statuses as WeChat Pay spells them.
const (
	AuthorizeStateAuthorized   = "AUTHORIZE_STATE_AUTHORIZED"
	AuthorizeStateUnauthorized = "AUTHORIZE_STATE_UNAUTHORIZED"

	ActivityOngoing = "ONGOING_ACT_STATUS"

	PartnershipEstablished = "ESTABLISHED"
	PartnershipTerminated  = "TERMINATED"

	SceneJSAPI       = "JSAPI"
	SceneMiniProgram = "MINIPROGRAM"
)

var (
	roles          = []string{RoleServiceProvider, RoleChannelPartner, RoleInstitution, RoleMerchant}
	activityStates = []string{"ACT_STATUS_UNKNOWN", "CREATE_ACT_STATUS", ActivityOngoing, "TERMINATE_ACT_STATUS",
		"STOP_ACT_STATUS", "OVER_TIME_ACT_STATUS", "CREATE_ACT_FAILED"}
	scenes = []string{SceneJSAPI, SceneMiniProgram}
)

// SubMerchant is a merchant known to the platform. Owner "" (or the caller's mchid) means it
// is the caller's sub-merchant; any other value makes it someone else's.
type SubMerchant struct {
	SubMchid       string `json:"sub_mchid"`
	Name           string `json:"name,omitempty"`
	Owner          string `json:"owner,omitempty"`
	AuthorizeState string `json:"authorize_state,omitempty"` // default AUTHORIZE_STATE_UNAUTHORIZED
	Penalized      bool   `json:"penalized,omitempty"`
}

// Activity is a pay-gift activity. In a Seed, Merchants nil keeps the current members and
// a list (even empty) replaces them; CreatorMchid/OwnerMchid "" mean the caller.
type Activity struct {
	ActivityID   string   `json:"activity_id"`
	Name         string   `json:"name,omitempty"`
	Type         string   `json:"type,omitempty"`   // default FULL_SEND_ACT_TYPE
	Status       string   `json:"status,omitempty"` // default ONGOING_ACT_STATUS
	CreatorMchid string   `json:"creator_mchid,omitempty"`
	OwnerMchid   string   `json:"owner_mchid,omitempty"`
	Merchants    []string `json:"merchants,omitempty"`
}

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

// Partnership is one marketing partnership; in a Seed the times default to the business clock.
type Partnership struct {
	Partner        Partner        `json:"partner"`
	AuthorizedData AuthorizedData `json:"authorized_data"`
	State          string         `json:"state,omitempty"` // default ESTABLISHED
	BuildTime      time.Time      `json:"build_time,omitzero"`
	TerminateTime  time.Time      `json:"terminate_time,omitzero"`
	CreateTime     time.Time      `json:"create_time,omitzero"`
	UpdateTime     time.Time      `json:"update_time,omitzero"`
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

type storedReply struct {
	status int
	body   []byte
}

type member struct{ added, updated time.Time }

type activity struct {
	Activity
	created, updated time.Time
	members          map[string]member
	replies          map[string]storedReply // "add\x00no" / "delete\x00no"
}

type goldPlan struct {
	open       map[string]bool
	closedAt   map[string]time.Time
	customPage bool
	ads        bool
	filters    []string
}

type partnership struct {
	Partnership
	seq int
}

// world is the mutable business state, guarded by Server.mu.
type world struct {
	callerRole        string
	goldPlanEnabled   bool
	receiptLink       bool
	providerPenalized bool
	subs              map[string]*SubMerchant
	gold              map[string]*goldPlan
	acts              map[string]*activity
	parts             map[string]*partnership
	partSeq           int
	idem              map[string]storedReply // "path\x00Idempotency-Key"
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
		idem:            map[string]storedReply{},
	}
}

func (s *Server) isCaller(mchid string) bool { return mchid == "" || mchid == s.keys.MchID }

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

func partnershipKey(p Partner, d AuthorizedData) string {
	id := p.AppID
	if p.Type == "MERCHANT" {
		id = p.MerchantID
	}
	return p.Type + "\x00" + id + "\x00" + d.BusinessType + "\x00" + d.StockID
}

// canonicalPartner keeps only the id field the type uses, so the same partner is one key.
func canonicalPartner(p Partner) Partner {
	if p.Type == "MERCHANT" {
		return Partner{Type: p.Type, MerchantID: p.MerchantID}
	}
	return Partner{Type: p.Type, AppID: p.AppID}
}

// Seed merges seed into the state. It validates everything first and changes nothing on error.
func (s *Server) Seed(seed Seed) error {
	if err := s.validateSeed(seed); err != nil {
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
		s.upsertActivity(a, now)
	}
	for _, p := range seed.Partnerships {
		p.Partner = canonicalPartner(p.Partner)
		if p.State == "" {
			p.State = PartnershipEstablished
		}
		key := partnershipKey(p.Partner, p.AuthorizedData)
		old := w.parts[key]
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
		seq := 0
		if old != nil {
			seq = old.seq
		} else {
			w.partSeq++
			seq = w.partSeq
		}
		w.parts[key] = &partnership{Partnership: p, seq: seq}
	}
	for _, g := range seed.GoldPlans {
		w.gold[g.SubMchid] = goldPlanFromState(g)
	}
	return nil
}

func (s *Server) validateSeed(seed Seed) error {
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

func (s *Server) upsertActivity(a Activity, now time.Time) *activity {
	w := s.w
	act := w.acts[a.ActivityID]
	if act == nil {
		act = &activity{created: now, members: map[string]member{}, replies: map[string]storedReply{}}
		act.Activity = Activity{ActivityID: a.ActivityID, Type: "FULL_SEND_ACT_TYPE", Status: ActivityOngoing}
		w.acts[a.ActivityID] = act
	}
	act.updated = now
	if a.Name != "" {
		act.Name = a.Name
	}
	if a.Type != "" {
		act.Type = a.Type
	}
	if a.Status != "" {
		act.Status = a.Status
	}
	act.CreatorMchid, act.OwnerMchid = a.CreatorMchid, a.OwnerMchid
	if a.Merchants != nil {
		next := map[string]member{}
		for _, m := range a.Merchants {
			if old, ok := act.members[m]; ok {
				next[m] = old
			} else {
				next[m] = member{added: now, updated: now}
			}
		}
		act.members = next
	}
	return act
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
		SubMerchants: []SubMerchant{}, GoldPlans: []GoldPlanState{}, Activities: []Activity{}, Partnerships: []Partnership{}}
	for _, sm := range w.subs {
		st.SubMerchants = append(st.SubMerchants, *sm)
	}
	sort.Slice(st.SubMerchants, func(i, j int) bool { return st.SubMerchants[i].SubMchid < st.SubMerchants[j].SubMchid })
	for sub, g := range w.gold {
		st.GoldPlans = append(st.GoldPlans, g.state(sub))
	}
	sort.Slice(st.GoldPlans, func(i, j int) bool { return st.GoldPlans[i].SubMchid < st.GoldPlans[j].SubMchid })
	for _, a := range w.acts {
		out := a.Activity
		out.Merchants = a.memberIDs()
		st.Activities = append(st.Activities, out)
	}
	sort.Slice(st.Activities, func(i, j int) bool { return st.Activities[i].ActivityID < st.Activities[j].ActivityID })
	for _, p := range w.sortedPartnerships() {
		st.Partnerships = append(st.Partnerships, p.Partnership)
	}
	return st
}

// memberIDs lists members in the order they were added.
func (a *activity) memberIDs() []string {
	ids := make([]string, 0, len(a.members))
	for id := range a.members {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		mi, mj := a.members[ids[i]], a.members[ids[j]]
		if !mi.added.Equal(mj.added) {
			return mi.added.Before(mj.added)
		}
		return ids[i] < ids[j]
	})
	return ids
}

func (w *world) sortedPartnerships() []*partnership {
	out := make([]*partnership, 0, len(w.parts))
	for _, p := range w.parts {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
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

// SetAuthorizeState changes a sub-merchant's authorization state out of band, creating the
// sub-merchant (as the caller's) when it is unknown.
func (s *Server) SetAuthorizeState(subMchid, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm := s.w.subs[subMchid]
	if sm == nil {
		sm = &SubMerchant{SubMchid: subMchid}
		s.w.subs[subMchid] = sm
	}
	sm.AuthorizeState = state
}

// SetActivityStatus changes an activity's status out of band, creating the activity (as the
// caller's) when it is unknown.
func (s *Server) SetActivityStatus(activityID, status string) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	act := s.w.acts[activityID]
	if act == nil {
		act = s.upsertActivity(Activity{ActivityID: activityID}, now)
	}
	act.Status, act.updated = status, now
}

// AddActivityMember adds a member out of band, creating the activity when it is unknown.
func (s *Server) AddActivityMember(activityID, mchid string) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	act := s.w.acts[activityID]
	if act == nil {
		act = s.upsertActivity(Activity{ActivityID: activityID}, now)
	}
	if _, ok := act.members[mchid]; !ok {
		act.members[mchid] = member{added: now, updated: now}
	}
}

// RemoveActivityMember removes a member out of band.
func (s *Server) RemoveActivityMember(activityID, mchid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if act := s.w.acts[activityID]; act != nil {
		delete(act.members, mchid)
	}
}

// ActivityMembers lists an activity's members in the order they were added (nil if unknown).
func (s *Server) ActivityMembers(activityID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if act := s.w.acts[activityID]; act != nil {
		return act.memberIDs()
	}
	return nil
}

// TerminatePartnership terminates a partnership out of band; it reports whether an
// established one was found.
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
