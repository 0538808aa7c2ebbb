package emulator

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Pay-gift (支付有礼) activities: their details and their merchant lists.

// ActivityOngoing is the one activity status that allows member changes.
const ActivityOngoing = "ONGOING_ACT_STATUS"

var activityStates = []string{"ACT_STATUS_UNKNOWN", "CREATE_ACT_STATUS", ActivityOngoing, "TERMINATE_ACT_STATUS",
	"STOP_ACT_STATUS", "OVER_TIME_ACT_STATUS", "CREATE_ACT_FAILED"}

// Merchant list paging: WeChat Pay does not publish the bounds of this list, so the emulator
// uses those of its sibling lists.
const (
	payGiftDefaultLimit = 10
	payGiftMaxLimit     = 100
)

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

// activityFor finds an activity, creating it as the caller's when it is unknown.
func (w *world) activityFor(id string, now time.Time) *activity {
	act := w.acts[id]
	if act == nil {
		act = &activity{created: now, updated: now, members: map[string]member{}, replies: map[string]result{}}
		act.Activity = Activity{ActivityID: id, Type: "FULL_SEND_ACT_TYPE", Status: ActivityOngoing}
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
// caller's) when it is unknown.
func (s *Server) SetActivityStatus(activityID, status string) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	act := s.w.activityFor(activityID, now)
	act.Status, act.updated = status, now
}

// AddActivityMember adds a member out of band, creating the activity when it is unknown.
func (s *Server) AddActivityMember(activityID, mchid string) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	act := s.w.activityFor(activityID, now)
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

// withActivity runs f, with s.mu held, on an activity the caller may manage.
func (s *Server) withActivity(id string, f func(act *activity) result) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	act := s.w.acts[id]
	if act == nil {
		return fail(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "活动不存在", nil)
	}
	if !s.isCaller(act.OwnerMchid) {
		return fail(http.StatusForbidden, "NO_AUTH", "无权限操作该活动", nil)
	}
	return f(act)
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

// changeMembers runs an add or a delete: a request number already used replays its first
// answer, before the status rule, so that a retry of a change that went through gets that
// answer even after the activity stopped; change's answer is kept for such replays.
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
	return s.withActivity(ex.r.PathValue("activity_id"), func(act *activity) result {
		if first, ok := act.replies[replayKey]; ok {
			return first
		}
		if act.Status != ActivityOngoing {
			return fail(http.StatusForbidden, "RULE_LIMIT", "活动当前状态不允许修改: "+act.Status, nil)
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
			case sm == nil && mchid != s.keys.MchID:
				invalid = append(invalid, invalidMerchant{mchid, "商户号不存在"})
			case sm != nil && !s.isCaller(sm.Owner):
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
			"add_time": wxTime(now)}), applied
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
		return okJSON(map[string]string{"activity_id": act.ActivityID, "delete_time": wxTime(now)}), applied
	})
}

type payGiftMerchant struct {
	Mchid        string `json:"mchid"`
	MerchantName string `json:"merchant_name"`
	CreateTime   string `json:"create_time"`
	UpdateTime   string `json:"update_time"`
}

func (s *Server) handleListMerchants(ex *exchange) result {
	offset, limit, res, bad := queryPage(ex, payGiftDefaultLimit, payGiftMaxLimit)
	if bad {
		return res
	}
	return s.withActivity(ex.r.PathValue("activity_id"), func(act *activity) result {
		ids := act.memberIDs()
		data := []payGiftMerchant{}
		for _, mchid := range page(ids, offset, limit) {
			m := act.members[mchid]
			name := ""
			if sm := s.w.subs[mchid]; sm != nil {
				name = sm.Name
			}
			data = append(data, payGiftMerchant{Mchid: mchid, MerchantName: name,
				CreateTime: wxTime(m.added), UpdateTime: wxTime(m.updated)})
		}
		return okJSON(map[string]any{"data": data, "total_count": len(ids), "offset": offset,
			"limit": limit, "activity_id": act.ActivityID})
	})
}

type activityBaseInfo struct {
	ActivityName        string `json:"activity_name"`
	ActivitySecondTitle string `json:"activity_second_title"`
	MerchantLogoURL     string `json:"merchant_logo_url"`
	BeginTime           string `json:"begin_time"`
	EndTime             string `json:"end_time"`
	OutRequestNo        string `json:"out_request_no"`
	DeliveryPurpose     string `json:"delivery_purpose"`
}

// handleGetActivity answers a subset of the activity details WeChat Pay documents: the
// fields a client needs to tell whether the activity exists, whose it is and its status.
func (s *Server) handleGetActivity(ex *exchange) result {
	return s.withActivity(ex.r.PathValue("activity_id"), func(act *activity) result {
		creator, owner := act.CreatorMchid, act.OwnerMchid
		if creator == "" {
			creator = s.keys.MchID
		}
		if owner == "" {
			owner = s.keys.MchID
		}
		return okJSON(map[string]any{
			"activity_id":   act.ActivityID,
			"activity_type": act.Type,
			"activity_base_info": activityBaseInfo{ActivityName: act.Name, BeginTime: wxTime(act.created),
				EndTime: wxTime(act.created.AddDate(1, 0, 0)), OutRequestNo: "emulator-" + act.ActivityID, DeliveryPurpose: "OFF_LINE_PAY"},
			"activity_status":     act.Status,
			"creator_merchant_id": creator,
			"belong_merchant_id":  owner,
			"create_time":         wxTime(act.created),
			"update_time":         wxTime(act.updated),
		})
	})
}
