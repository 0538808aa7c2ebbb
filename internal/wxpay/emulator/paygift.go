package emulator

import (
	"net/http"
)

// Pay-gift merchant list paging: WeChat Pay does not publish the bounds of this list, so the
// emulator uses those of its sibling lists: limit 1..100, default 10.
const (
	payGiftDefaultLimit = 10
	payGiftMaxLimit     = 100
)

type invalidMerchant struct {
	Mchid         string `json:"mchid"`
	InvalidReason string `json:"invalid_reason"`
}

type merchantsChangeRequest struct {
	MerchantIDList  []string `json:"merchant_id_list"`
	AddRequestNo    string   `json:"add_request_no"`
	DeleteRequestNo string   `json:"delete_request_no"`
}

func decodeMerchantsChange(ex *exchange, add bool) (merchantsChangeRequest, string, result, bool) {
	var req merchantsChangeRequest
	if !lenBetween(ex.params["activity_id"], 1, 20) {
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

// ownedActivity finds an activity the caller may manage; s.mu must be held.
func (s *Server) ownedActivity(id string) (*activity, result, bool) {
	act := s.w.acts[id]
	if act == nil {
		return nil, fail(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "活动不存在", nil), true
	}
	if !s.isCaller(act.OwnerMchid) {
		return nil, fail(http.StatusForbidden, "NO_AUTH", "无权限操作该活动", nil), true
	}
	return act, result{}, false
}

// changeableActivity adds the request-number replay and the status rule to ownedActivity.
// A replay comes before the status rule: a retry of a change that went through must get its
// first answer even after the activity stopped.
func (s *Server) changeableActivity(id, replayKey string) (*activity, result, bool) {
	act, res, bad := s.ownedActivity(id)
	if bad {
		return nil, res, true
	}
	if rep, ok := act.replies[replayKey]; ok {
		return nil, result{status: rep.status, body: rep.body}, true
	}
	if act.Status != ActivityOngoing {
		return nil, fail(http.StatusForbidden, "RULE_LIMIT", "活动当前状态不允许修改: "+act.Status, nil), true
	}
	return act, result{}, false
}

func handleAddMerchants(s *Server, ex *exchange) result {
	req, no, res, bad := decodeMerchantsChange(ex, true)
	if bad {
		return res
	}
	id := ex.params["activity_id"]
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	replayKey := "add\x00" + no
	act, res, bad := s.changeableActivity(id, replayKey)
	if bad {
		return res
	}
	invalid := []invalidMerchant{}
	applied := false
	for _, mchid := range req.MerchantIDList {
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
	if applied {
		act.updated = now
	}
	res = okJSON(map[string]any{"activity_id": id, "invalid_merchant_id_list": invalid, "add_time": wxTime(now)})
	act.replies[replayKey] = storedReply{status: res.status, body: res.body}
	res.applied = applied
	return res
}

func handleDeleteMerchants(s *Server, ex *exchange) result {
	req, no, res, bad := decodeMerchantsChange(ex, false)
	if bad {
		return res
	}
	id := ex.params["activity_id"]
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	replayKey := "delete\x00" + no
	act, res, bad := s.changeableActivity(id, replayKey)
	if bad {
		return res
	}
	applied := false
	for _, mchid := range req.MerchantIDList {
		// Removing a non-member is a no-op: the delete answer has no list of rejected ids.
		if _, ok := act.members[mchid]; ok {
			delete(act.members, mchid)
			applied = true
		}
	}
	if applied {
		act.updated = now
	}
	res = okJSON(map[string]string{"activity_id": id, "delete_time": wxTime(now)})
	act.replies[replayKey] = storedReply{status: res.status, body: res.body}
	res.applied = applied
	return res
}

type payGiftMerchant struct {
	Mchid        string `json:"mchid"`
	MerchantName string `json:"merchant_name"`
	CreateTime   string `json:"create_time"`
	UpdateTime   string `json:"update_time"`
}

func handleListMerchants(s *Server, ex *exchange) result {
	offset, res, bad := queryInt(ex, "offset", 0)
	if bad {
		return res
	}
	limit, res, bad := queryInt(ex, "limit", payGiftDefaultLimit)
	if bad {
		return res
	}
	if offset < 0 {
		return queryError("offset", ex.r.URL.Query().Get("offset"), "must not be negative")
	}
	if limit < 1 || limit > payGiftMaxLimit {
		return queryError("limit", ex.r.URL.Query().Get("limit"), "must be 1 to 100")
	}
	id := ex.params["activity_id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	act, res, bad := s.ownedActivity(id)
	if bad {
		return res
	}
	ids := act.memberIDs()
	data := []payGiftMerchant{}
	for i := offset; i < len(ids) && i < offset+limit; i++ {
		m := act.members[ids[i]]
		name := ""
		if sm := s.w.subs[ids[i]]; sm != nil {
			name = sm.Name
		}
		data = append(data, payGiftMerchant{Mchid: ids[i], MerchantName: name,
			CreateTime: wxTime(m.added), UpdateTime: wxTime(m.updated)})
	}
	return okJSON(map[string]any{"data": data, "total_count": len(ids), "offset": offset,
		"limit": limit, "activity_id": id})
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
func handleGetActivity(s *Server, ex *exchange) result {
	id := ex.params["activity_id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	act, res, bad := s.ownedActivity(id)
	if bad {
		return res
	}
	creator, owner := act.CreatorMchid, act.OwnerMchid
	if creator == "" {
		creator = s.keys.MchID
	}
	if owner == "" {
		owner = s.keys.MchID
	}
	return okJSON(map[string]any{
		"activity_id":   id,
		"activity_type": act.Type,
		"activity_base_info": activityBaseInfo{ActivityName: act.Name, BeginTime: wxTime(act.created),
			EndTime: wxTime(act.created.AddDate(1, 0, 0)), OutRequestNo: "emulator-" + id, DeliveryPurpose: "OFF_LINE_PAY"},
		"activity_status":     act.Status,
		"creator_merchant_id": creator,
		"belong_merchant_id":  owner,
		"create_time":         wxTime(act.created),
		"update_time":         wxTime(act.updated),
	})
}
