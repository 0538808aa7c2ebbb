package emulator

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Dialects: where the official pages leave WeChat Pay's behaviour open, the emulator can
// behave each plausible way. A dialect is one named open behaviour; its first value is the
// default, the reading the project thinks most likely. doc.go says what each one rests on.

// Dialect names.
const (
	DialectPayGiftUnknownActivity   = "paygift-unknown-activity"
	DialectRequestNoReuse           = "request-no-reuse"
	DialectPayGiftOffset            = "paygift-offset"
	DialectPayGiftLimit             = "paygift-limit"
	DialectPartnershipListEmpty     = "partnership-list-empty"
	DialectPartnershipTerminateGone = "partnership-terminate-again"
	DialectGoldPlanGating           = "goldplan-gating"
	DialectGoldPlanDefaultOpenClose = "goldplan-default-open-close"
	DialectGoldPlanReopen           = "goldplan-reopen"
	DialectGoldPlanRepeat           = "goldplan-repeat"
	DialectApply4SubjectUnknown     = "apply4subject-unknown-sub"
	DialectRoles                    = "roles"
	DialectErrorTexts               = "error-texts"
	DialectTimeFormat               = "time-format"
)

type dialectSpec struct {
	name   string
	values []string // the default first
	about  string
}

// dialectTable lists every dialect, in the order doc.go describes them.
var dialectTable = []dialectSpec{
	{DialectPayGiftUnknownActivity, []string{"404", "400-documented"},
		"pay-gift calls naming an unknown or removed activity"},
	{DialectRequestNoReuse, []string{"replay", "reject", "new"},
		"a pay-gift add_request_no / delete_request_no used before"},
	{DialectPayGiftOffset, []string{"item", "page0", "page1"},
		"what offset of the pay-gift merchant list counts: items, pages from 0, pages from 1"},
	{DialectPayGiftLimit, []string{"honour", "cap20", "cap50"},
		"the largest page of the pay-gift merchant list the server returns"},
	{DialectPartnershipListEmpty, []string{"404", "400-invalid-request", "empty-200"},
		"the partnership list when nothing matches"},
	{DialectPartnershipTerminateGone, []string{"400-invented", "400-invalid-request", "200"},
		"terminating a partnership already terminated"},
	{DialectGoldPlanGating, []string{"gated", "independent"},
		"receipt page, ads and filters while the gold plan is closed"},
	{DialectGoldPlanDefaultOpenClose, []string{"400-invalid-request", "403-no-auth"},
		"CLOSE of a sub-merchant opened by the provider's 默认开通点金计划 switch"},
	{DialectGoldPlanReopen, []string{"per-scene", "per-merchant", "no-detail"},
		"the 24-hour rule after a gold plan CLOSE"},
	{DialectGoldPlanRepeat, []string{"noop-success", "refused-already"},
		"OPEN of what is open, CLOSE of what is closed (gold plan, receipt page, ads)"},
	{DialectApply4SubjectUnknown, []string{"400-invalid-request", "400-param-error", "403-no-auth"},
		"the authorization state of an unknown sub_mchid"},
	{DialectRoles, []string{"strict", "any"},
		"whether each API family refuses callers of a role its page does not support"},
	{DialectErrorTexts, []string{"docs", "wild"},
		"error messages: the pages' wording or the other spelling"},
	{DialectTimeFormat, []string{"seconds", "millis"},
		"times the emulator sends: 2015-05-20T13:29:35+08:00 or 2015-05-20T13:29:35.120+08:00"},
}

// DialectInfo describes one dialect and the value in force (GET /_emulator/dialects).
type DialectInfo struct {
	Name    string   `json:"name"`
	Value   string   `json:"value"`
	Default string   `json:"default"`
	StartUp string   `json:"start_up"` // what Reset brings back
	Values  []string `json:"values"`
	About   string   `json:"about"`
}

func dialectNames() []string {
	names := make([]string, len(dialectTable))
	for i, d := range dialectTable {
		names[i] = d.name
	}
	return names
}

// defaultDialects is every dialect at its default value.
func defaultDialects() map[string]string {
	m := make(map[string]string, len(dialectTable))
	for _, d := range dialectTable {
		m[d.name] = d.values[0]
	}
	return m
}

// CheckDialects reports every unknown name and value in set, naming the valid ones.
func CheckDialects(set map[string]string) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(set)) {
		value := set[name]
		i := slices.IndexFunc(dialectTable, func(d dialectSpec) bool { return d.name == name })
		if i < 0 {
			errs = append(errs, fmt.Errorf("unknown dialect %q; the dialects are %s", name, strings.Join(dialectNames(), ", ")))
			continue
		}
		if !slices.Contains(dialectTable[i].values, value) {
			errs = append(errs, fmt.Errorf("dialect %s: %q is not one of %s", name, value, strings.Join(dialectTable[i].values, ", ")))
		}
	}
	return errors.Join(errs...)
}

// ParseDialect reads "name=value" as the -dialect flag takes it.
func ParseDialect(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return "", "", fmt.Errorf("dialect %q: want name=value, one of %s", s, strings.Join(dialectNames(), ", "))
	}
	return name, value, CheckDialects(map[string]string{name: value})
}

// overlay is a copy of base with set laid over it.
func overlay(base, set map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(set))
	maps.Copy(out, base)
	maps.Copy(out, set)
	return out
}

// dialect is the value of one dialect now in force.
func (s *Server) dialect(name string) string { return (*s.dialects.Load())[name] }

// SetDialects changes dialects until the next Reset; it checks every name and value first
// and changes nothing on error.
func (s *Server) SetDialects(set map[string]string) error {
	if err := CheckDialects(set); err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	s.dialectMu.Lock()
	defer s.dialectMu.Unlock()
	next := overlay(*s.dialects.Load(), set)
	s.dialects.Store(&next)
	return nil
}

// SetDialect changes one dialect until the next Reset; an unknown name or value panics in Go
// code (the control API answers 400 instead).
func (s *Server) SetDialect(name, value string) {
	if err := s.SetDialects(map[string]string{name: value}); err != nil {
		panic(err.Error())
	}
}

// ActiveDialects returns every dialect's value now in force.
func (s *Server) ActiveDialects() map[string]string { return maps.Clone(*s.dialects.Load()) }

// Dialects describes every dialect, in the order doc.go lists them.
func (s *Server) Dialects() []DialectInfo {
	now := *s.dialects.Load()
	out := make([]DialectInfo, len(dialectTable))
	for i, d := range dialectTable {
		out[i] = DialectInfo{Name: d.name, Value: now[d.name], Default: d.values[0],
			StartUp: s.startDialects[d.name], Values: slices.Clone(d.values), About: d.about}
	}
	return out
}

// message is an error text in both spellings the error-texts dialect picks from: the pages'
// own (docs) and the other one (wild).
type message struct{ docs, wild string }

var (
	msgProviderPenalized = message{"服务商被处罚中", "服务商处于处罚中"}
	msgSubPenalized      = message{"特约商户被处罚中", "特约商户处于处罚中"}
	msgSubNotExists      = message{"特约商户号不存在", "商户号不存在"}
	msgActivityGone      = message{"资源不存在或无可用", "活动不存在"}
	msgPartnershipNone   = message{"资源不存在或无可用", "合作关系不存在"}
	msgOperationFailed   = message{"操作失败", "操作失败，请稍后重试"}
	// The wild spelling is followed by the activity's status.
	msgActivityNotRunning = message{"活动不在运行中,不允许再进行修改", "活动当前状态不允许修改: "}
)

// say spells m as the error-texts dialect says.
func (s *Server) say(m message) string {
	if s.dialect(DialectErrorTexts) == "wild" {
		return m.wild
	}
	return m.docs
}
