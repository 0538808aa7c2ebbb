package emulator

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Pay-gift (支付有礼) activities: their details and their merchant lists.

// ActivityOngoing is the one activity status that allows member changes.
const ActivityOngoing = "ONGOING_ACT_STATUS"

const activityStopped = "STOP_ACT_STATUS"

var activityStates = []string{"ACT_STATUS_UNKNOWN", "CREATE_ACT_STATUS", ActivityOngoing, "TERMINATE_ACT_STATUS",
	"STOP_ACT_STATUS", "OVER_TIME_ACT_STATUS", "CREATE_ACT_FAILED"}

// Merchant list paging: WeChat Pay does not publish the bounds of this list, so the emulator
// uses those of its sibling lists.
const (
	payGiftDefaultLimit = 10
	payGiftMaxLimit     = 100
)

// Activity is a pay-gift activity. In a Seed, Merchants nil keeps the current members and
// a list (even empty) replaces them; CreatorMchid/OwnerMchid "" mean the default caller; the
// details keep their value when unset, and an activity never given one answers a default.
type Activity struct {
	ActivityID   string   `json:"activity_id"`
	Name         string   `json:"name,omitempty"`
	Type         string   `json:"type,omitempty"`   // default FULL_SEND_ACT_TYPE
	Status       string   `json:"status,omitempty"` // default ONGOING_ACT_STATUS
	CreatorMchid string   `json:"creator_mchid,omitempty"`
	OwnerMchid   string   `json:"owner_mchid,omitempty"`
	Merchants    []string `json:"merchants,omitempty"`

	SecondTitle       string            `json:"second_title,omitempty"`
	MerchantLogoURL   string            `json:"merchant_logo_url,omitempty"`
	BackgroundColor   string            `json:"background_color,omitempty"`
	BeginTime         time.Time         `json:"begin_time,omitzero"` // default: when it was created
	EndTime           time.Time         `json:"end_time,omitzero"`   // default: 90 days after BeginTime
	OutRequestNo      string            `json:"out_request_no,omitempty"`
	DeliveryPurpose   string            `json:"delivery_purpose,omitempty"` // OFF_LINE_PAY (default) or JUMP_MINI_APP
	MiniProgramsAppID string            `json:"mini_programs_appid,omitempty"`
	MiniProgramsPath  string            `json:"mini_programs_path,omitempty"`
	AvailablePeriods  *AvailablePeriods `json:"available_periods,omitempty"`
	AwardSendRule     *AwardSendRule    `json:"award_send_rule,omitempty"`
	AdvancedSetting   *AdvancedSetting  `json:"advanced_setting,omitempty"`
	// PauseTime and RecoveryTime are also set when the status goes from ONGOING_ACT_STATUS
	// to STOP_ACT_STATUS and back (SetActivityStatus).
	PauseTime    time.Time `json:"pause_time,omitzero"`
	RecoveryTime time.Time `json:"recovery_time,omitzero"`
}

// AvailablePeriods are the times within the activity its coupons can be won.
type AvailablePeriods struct {
	AvailableTime    []TimeRange    `json:"available_time,omitempty"`
	AvailableDayTime []DayTimeRange `json:"available_day_time,omitempty"`
}

// TimeRange is one period of AvailablePeriods.
type TimeRange struct {
	BeginTime time.Time `json:"begin_time"`
	EndTime   time.Time `json:"end_time"`
}

// DayTimeRange is a daily window, spelled as WeChat Pay does: "110000" for 11:00:00.
type DayTimeRange struct {
	BeginDayTime string `json:"begin_day_time"`
	EndDayTime   string `json:"end_day_time"`
}

// AwardSendRule is the activity's award rule, as WeChat Pay answers it.
type AwardSendRule struct {
	FullSendRule *FullSendRule `json:"full_send_rule,omitempty"`
}

// FullSendRule awards coupons for a payment of at least TransactionAmountMinimum fen.
type FullSendRule struct {
	TransactionAmountMinimum int64    `json:"transaction_amount_minimum"`
	SendContent              string   `json:"send_content"` // SINGLE_COUPON or GIFT_PACKAGE
	AwardType                string   `json:"award_type"`   // BUSIFAVOR
	AwardList                []Award  `json:"award_list"`
	MerchantOption           string   `json:"merchant_option"` // IN_SEVICE_COUPON_MERCHANT or MANUAL_INPUT_MERCHANT
	MerchantIDList           []string `json:"merchant_id_list,omitempty"`
}

// Award is one coupon stock an activity awards.
type Award struct {
	StockID          string `json:"stock_id"`
	OriginalImageURL string `json:"original_image_url"`
	ThumbnailURL     string `json:"thumbnail_url,omitempty"`
}

// AdvancedSetting is the activity's optional targeting.
type AdvancedSetting struct {
	DeliveryUserCategory string   `json:"delivery_user_category,omitempty"` // DELIVERY_ALL_PERSON or DELIVERY_MEMBER_PERSON
	MerchantMemberAppid  string   `json:"merchant_member_appid,omitempty"`
	GoodsTags            []string `json:"goods_tags,omitempty"`
}

var (
	activityTypes    = []string{"FULL_SEND_ACT_TYPE", "STEP_SEND_ACT_TYPE", "SPECIFIC_SEND_ACT_TYPE"}
	deliveryPurposes = []string{"OFF_LINE_PAY", "JUMP_MINI_APP"}
)

func validateActivity(a Activity) error {
	switch {
	case a.ActivityID == "":
		return errors.New("activity_id is required")
	case a.Status != "" && !slices.Contains(activityStates, a.Status):
		return fmt.Errorf("status %q is not one of %s", a.Status, strings.Join(activityStates, ", "))
	case a.Type != "" && !slices.Contains(activityTypes, a.Type):
		return fmt.Errorf("type %q is not one of %s", a.Type, strings.Join(activityTypes, ", "))
	case a.DeliveryPurpose != "" && !slices.Contains(deliveryPurposes, a.DeliveryPurpose):
		return fmt.Errorf("delivery_purpose %q is not one of %s", a.DeliveryPurpose, strings.Join(deliveryPurposes, ", "))
	case a.DeliveryPurpose == "JUMP_MINI_APP" && (a.MiniProgramsAppID == "" || a.MiniProgramsPath == ""):
		return errors.New("delivery_purpose JUMP_MINI_APP needs mini_programs_appid and mini_programs_path")
	case !a.EndTime.IsZero() && a.EndTime.Before(a.BeginTime):
		return errors.New("end_time is before begin_time")
	}
	return nil
}

type member struct{ added, updated time.Time }

type activity struct {
	Activity
	created, updated time.Time
	members          map[string]member
	replies          map[string]result // first answer per "add\x00no" / "delete\x00no"
}

// upsertActivity merges a seeded activity; s.mu must be held.
func (w *world) upsertActivity(a Activity, now time.Time) *activity {
	act := w.activityFor(a.ActivityID, now)
	act.updated = now
	for _, f := range []struct {
		dst *string
		src string
	}{{&act.Name, a.Name}, {&act.Type, a.Type},
		{&act.Status, a.Status}, {&act.SecondTitle, a.SecondTitle}, {&act.MerchantLogoURL, a.MerchantLogoURL},
		{&act.BackgroundColor, a.BackgroundColor}, {&act.OutRequestNo, a.OutRequestNo},
		{&act.DeliveryPurpose, a.DeliveryPurpose}, {&act.MiniProgramsAppID, a.MiniProgramsAppID},
		{&act.MiniProgramsPath, a.MiniProgramsPath}} {
		if f.src != "" {
			*f.dst = f.src
		}
	}
	for _, f := range []struct {
		dst *time.Time
		src time.Time
	}{{&act.BeginTime, a.BeginTime}, {&act.EndTime, a.EndTime},
		{&act.PauseTime, a.PauseTime}, {&act.RecoveryTime, a.RecoveryTime}} {
		if !f.src.IsZero() {
			*f.dst = f.src
		}
	}
	if a.AvailablePeriods != nil {
		act.AvailablePeriods = a.AvailablePeriods
	}
	if a.AwardSendRule != nil {
		act.AwardSendRule = a.AwardSendRule
	}
	if a.AdvancedSetting != nil {
		act.AdvancedSetting = a.AdvancedSetting
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

// activityFor finds an activity, creating it as the default caller's when it is unknown.
func (w *world) activityFor(id string, now time.Time) *activity {
	act := w.acts[id]
	if act == nil {
		act = &activity{created: now, updated: now, members: map[string]member{}, replies: map[string]result{}}
		act.Activity = Activity{ActivityID: id, Type: "FULL_SEND_ACT_TYPE", Status: ActivityOngoing,
			BeginTime: now, DeliveryPurpose: "OFF_LINE_PAY"}
		w.acts[id] = act
	}
	return act
}

// memberIDs lists members in the order they were added.
func (a *activity) memberIDs() []string {
	ids := make([]string, 0, len(a.members))
	for id := range a.members {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(x, y string) int {
		mx, my := a.members[x], a.members[y]
		if c := mx.added.Compare(my.added); c != 0 {
			return c
		}
		return strings.Compare(x, y)
	})
	return ids
}

// activityList lists every activity with its members, sorted by id.
func (w *world) activityList() []Activity {
	out := []Activity{}
	for _, a := range w.acts {
		act := a.Activity
		act.Merchants = a.memberIDs()
		out = append(out, act)
	}
	slices.SortFunc(out, func(a, b Activity) int { return strings.Compare(a.ActivityID, b.ActivityID) })
	return out
}

// SetActivityStatus changes an activity's status out of band, creating the activity (as the
// default caller's) when it is unknown. Stopping an ongoing activity records its pause time,
// resuming a stopped one its recovery time.
func (s *Server) SetActivityStatus(activityID, status string) {
	s.changeActivity(activityID, func(act *activity, now time.Time) {
		switch {
		case act.Status == ActivityOngoing && status == activityStopped:
			act.PauseTime = now
		case act.Status == activityStopped && status == ActivityOngoing:
			act.RecoveryTime = now
		}
		act.Status, act.updated = status, now
	})
}

// RemoveActivity deletes an activity out of band, as if WeChat Pay no longer knew it; it
// reports whether it existed.
func (s *Server) RemoveActivity(activityID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.w.acts[activityID]
	delete(s.w.acts, activityID)
	return ok
}

// AddActivityMember adds a member out of band, creating the activity when it is unknown.
func (s *Server) AddActivityMember(activityID, mchid string) {
	s.changeActivity(activityID, func(act *activity, now time.Time) {
		if _, ok := act.members[mchid]; !ok {
			act.members[mchid] = member{added: now, updated: now}
		}
	})
}

// changeActivity runs change out of band, with s.mu held, on an activity it creates (as the
// default caller's) when it is unknown.
func (s *Server) changeActivity(activityID string, change func(act *activity, now time.Time)) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	change(s.w.activityFor(activityID, now), now)
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

// withActivity runs f, with s.mu held, on an activity the caller may manage.
func (s *Server) withActivity(ex *exchange, id string, f func(act *activity) result) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	act := s.w.acts[id]
	if act == nil {
		return s.activityUnknown()
	}
	if !s.owns(ex.caller, act.OwnerMchid) {
		return fail(http.StatusForbidden, "NO_AUTH", "无权限操作该活动", nil)
	}
	return f(act)
}

// activityUnknown answers a call naming an activity WeChat Pay does not know: 404 as the
// emulator always did, or the 400 the delete page documents.
func (s *Server) activityUnknown() result {
	if s.dialect(DialectPayGiftUnknownActivity) == "400-documented" {
		return invalidRequest("查询活动详情结果为空,请确认活动ID是否正确")
	}
	return fail(http.StatusNotFound, "RESOURCE_NOT_EXISTS", s.say(msgActivityGone), nil)
}

type merchantsChangeRequest struct {
	MerchantIDList  []string `json:"merchant_id_list"`
	AddRequestNo    string   `json:"add_request_no"`
	DeleteRequestNo string   `json:"delete_request_no"`
}

func decodeMerchantsChange(ex *exchange, add bool) (merchantsChangeRequest, string, result, bool) {
	var req merchantsChangeRequest
	if !lenBetween(ex.r.PathValue("activity_id"), 1, 20) {
		return req, "", paramError("activity_id", "must be 1 to 20 characters"), true
	}
	if res, bad := decodeBody(ex, &req); bad {
		return req, "", res, true
	}
	no, field := req.AddRequestNo, "add_request_no"
	if !add {
		no, field = req.DeleteRequestNo, "delete_request_no"
	}
	ex.requestNo = no
	if !lenBetween(no, 1, 128) {
		return req, "", paramError(field, "must be 1 to 128 characters"), true
	}
	if !add && !requestNoChars.MatchString(no) {
		return req, "", paramError(field, "may hold only letters, digits and |_*-"), true
	}
	if n := len(req.MerchantIDList); n < 1 || n > 500 {
		return req, "", paramError("merchant_id_list", "must hold 1 to 500 merchant ids"), true
	}
	for _, id := range req.MerchantIDList {
		if !lenBetween(id, 8, 15) {
			return req, "", paramError("merchant_id_list", "holds "+id+": a merchant id is 8 to 15 characters"), true
		}
	}
	return req, no, result{}, false
}

// changeMembers runs an add or a delete. A request number that already succeeded on this
// activity is, by request-no-reuse: replayed (its first answer, before the status rule, so a
// retry of a change that went through gets that answer even after the activity stopped),
// rejected, or run again as a new request.
func (s *Server) changeMembers(ex *exchange, add bool, change func(act *activity, ids []string, now time.Time) (res result, applied bool)) result {
	req, no, res, bad := decodeMerchantsChange(ex, add)
	if bad {
		return res
	}
	replayKey := "add\x00" + no
	if !add {
		replayKey = "delete\x00" + no
	}
	now := s.Now()
	return s.withActivity(ex, ex.r.PathValue("activity_id"), func(act *activity) result {
		if first, ok := act.replies[replayKey]; ok {
			switch s.dialect(DialectRequestNoReuse) {
			case "replay":
				return first
			case "reject":
				return invalidRequest("请求业务单据号已使用,请勿重复提交")
			}
		}
		if act.Status != ActivityOngoing {
			text := s.say(msgActivityNotRunning)
			if s.dialect(DialectErrorTexts) == "wild" {
				text += act.Status
			}
			return fail(http.StatusForbidden, "RULE_LIMIT", text, nil)
		}
		res, applied := change(act, req.MerchantIDList, now)
		if applied {
			act.updated = now
		}
		act.replies[replayKey] = res
		return res.withApplied(applied)
	})
}

type invalidMerchant struct {
	Mchid         string `json:"mchid"`
	InvalidReason string `json:"invalid_reason"`
}

func (s *Server) handleAddMerchants(ex *exchange) result {
	return s.changeMembers(ex, true, func(act *activity, ids []string, now time.Time) (result, bool) {
		invalid := []invalidMerchant{}
		applied := false
		for _, mchid := range ids {
			sm := s.w.subs[mchid]
			switch {
			case sm == nil && mchid != ex.caller:
				invalid = append(invalid, invalidMerchant{mchid, "商户号不存在"})
			case sm != nil && !s.owns(ex.caller, sm.Owner):
				invalid = append(invalid, invalidMerchant{mchid, "商户号不属于该服务商"})
			default:
				// Adding a member twice is a no-op, not an error.
				if _, ok := act.members[mchid]; !ok {
					act.members[mchid] = member{added: now, updated: now}
					applied = true
				}
			}
		}
		return okJSON(map[string]any{"activity_id": act.ActivityID, "invalid_merchant_id_list": invalid,
			"add_time": s.wxTime(now)}), applied
	})
}

func (s *Server) handleDeleteMerchants(ex *exchange) result {
	return s.changeMembers(ex, false, func(act *activity, ids []string, now time.Time) (result, bool) {
		applied := false
		for _, mchid := range ids {
			// Removing a non-member is a no-op: the delete answer has no list of rejected ids.
			if _, ok := act.members[mchid]; ok {
				delete(act.members, mchid)
				applied = true
			}
		}
		return okJSON(map[string]string{"activity_id": act.ActivityID, "delete_time": s.wxTime(now)}), applied
	})
}

type payGiftMerchant struct {
	Mchid        string `json:"mchid"`
	MerchantName string `json:"merchant_name"`
	CreateTime   string `json:"create_time"`
	UpdateTime   string `json:"update_time"`
}

// memberPage reads the list's offset and limit as paygift-offset and paygift-limit say: it
// returns how many members to skip and the page size the answer echoes.
func (s *Server) memberPage(ex *exchange, members int) (offset, skip, limit int, res result, bad bool) {
	offset, limit, res, bad = queryPage(ex, payGiftDefaultLimit, payGiftMaxLimit)
	if bad {
		return 0, 0, 0, res, true
	}
	switch s.dialect(DialectPayGiftLimit) {
	case "cap20":
		limit = min(limit, 20)
	case "cap50":
		limit = min(limit, 50)
	}
	pages := offset
	switch s.dialect(DialectPayGiftOffset) {
	case "item":
		return offset, offset, limit, result{}, false
	case "page1":
		if offset < 1 {
			return 0, 0, 0, queryError("offset", ex.r.URL.Query().Get("offset"), "is a page number, from 1"), true
		}
		pages = offset - 1
	}
	if pages > members { // no overflow, and past the end either way
		return offset, members, limit, result{}, false
	}
	return offset, pages * limit, limit, result{}, false
}

func (s *Server) handleListMerchants(ex *exchange) result {
	return s.withActivity(ex, ex.r.PathValue("activity_id"), func(act *activity) result {
		ids := act.memberIDs()
		offset, skip, limit, res, bad := s.memberPage(ex, len(ids))
		if bad {
			return res
		}
		data := []payGiftMerchant{}
		for _, mchid := range page(ids, skip, limit) {
			m := act.members[mchid]
			name := ""
			if sm := s.w.subs[mchid]; sm != nil {
				name = sm.Name
			}
			data = append(data, payGiftMerchant{Mchid: mchid, MerchantName: name,
				CreateTime: s.wxTime(m.added), UpdateTime: s.wxTime(m.updated)})
		}
		return okJSON(map[string]any{"data": data, "total_count": len(ids), "offset": offset,
			"limit": limit, "activity_id": act.ActivityID})
	})
}

// handleGetActivity answers the activity details in the shape of the official SDK's
// giftactivity.GetActDetailResponse, every field it requires present; unseeded details get
// plausible defaults.
func (s *Server) handleGetActivity(ex *exchange) result {
	return s.withActivity(ex, ex.r.PathValue("activity_id"), func(act *activity) result {
		return okJSON(s.activityDetail(act))
	})
}

func (s *Server) activityDetail(act *activity) map[string]any {
	id := act.ActivityID
	creator, owner := cmp.Or(act.CreatorMchid, s.keys.MchID), cmp.Or(act.OwnerMchid, s.keys.MchID)
	rule := act.AwardSendRule
	if rule == nil {
		rule = &AwardSendRule{FullSendRule: &FullSendRule{TransactionAmountMinimum: 100, SendContent: "SINGLE_COUPON",
			AwardType: "BUSIFAVOR", MerchantOption: "MANUAL_INPUT_MERCHANT", AwardList: []Award{{StockID: "98" + id,
				OriginalImageURL: "https://wxpay-emulator.invalid/paygift/" + id + "/award.png"}}}}
	}
	setting := act.AdvancedSetting
	if setting == nil {
		setting = &AdvancedSetting{DeliveryUserCategory: "DELIVERY_ALL_PERSON"}
	}
	out := map[string]any{
		"activity_id":         id,
		"activity_type":       act.Type,
		"activity_base_info":  s.activityBaseInfo(act, creator),
		"award_send_rule":     rule,
		"advanced_setting":    setting,
		"activity_status":     act.Status,
		"creator_merchant_id": creator,
		"belong_merchant_id":  owner,
		"create_time":         s.wxTime(act.created),
		"update_time":         s.wxTime(act.updated),
	}
	if !act.PauseTime.IsZero() {
		out["pause_time"] = s.wxTime(act.PauseTime)
	}
	if !act.RecoveryTime.IsZero() {
		out["recovery_time"] = s.wxTime(act.RecoveryTime)
	}
	return out
}

// activityBaseInfo is an activity's activity_base_info, with WeChat Pay-like values for what
// the seed leaves out.
func (s *Server) activityBaseInfo(act *activity, creator string) map[string]any {
	id := act.ActivityID
	end := act.EndTime
	if end.IsZero() {
		end = act.BeginTime.AddDate(0, 0, 90) // 活动有效期最长90天
	}
	base := map[string]any{
		"activity_name":         act.Name,
		"activity_second_title": cmp.Or(act.SecondTitle, "支付后领取商家券"),
		"merchant_logo_url":     cmp.Or(act.MerchantLogoURL, "https://wxpay-emulator.invalid/paygift/"+id+"/logo.png"),
		"begin_time":            s.wxTime(act.BeginTime),
		"end_time":              s.wxTime(end),
		"out_request_no":        cmp.Or(act.OutRequestNo, creator+act.created.In(cst).Format("20060102")+id),
		"delivery_purpose":      cmp.Or(act.DeliveryPurpose, "OFF_LINE_PAY"),
	}
	for k, v := range map[string]string{"background_color": act.BackgroundColor,
		"mini_programs_appid": act.MiniProgramsAppID, "mini_programs_path": act.MiniProgramsPath} {
		if v != "" {
			base[k] = v
		}
	}
	if p := act.AvailablePeriods; p != nil {
		periods := map[string]any{}
		if len(p.AvailableTime) > 0 {
			times := []map[string]string{}
			for _, t := range p.AvailableTime {
				times = append(times, map[string]string{"begin_time": s.wxTime(t.BeginTime), "end_time": s.wxTime(t.EndTime)})
			}
			periods["available_time"] = times
		}
		if len(p.AvailableDayTime) > 0 {
			periods["available_day_time"] = p.AvailableDayTime
		}
		base["available_periods"] = periods
	}
	return base
}
