package emulator

import "net/http"

// Account-opening authorization (开户意愿确认): whether a sub-merchant confirmed its account.

// Authorization states as WeChat Pay spells them.
const (
	AuthorizeStateAuthorized   = "AUTHORIZE_STATE_AUTHORIZED"
	AuthorizeStateUnauthorized = "AUTHORIZE_STATE_UNAUTHORIZED"
)

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

func (s *Server) handleAuthorizeState(ex *exchange) result {
	sub := ex.r.PathValue("sub_mchid")
	s.mu.Lock()
	defer s.mu.Unlock()
	if role := s.w.callerRole; role != RoleChannelPartner && role != RoleInstitution {
		return fail(http.StatusBadRequest, "PARAM_ERROR", "只能由从业机构或渠道商调用该接口", nil)
	}
	sm := s.w.subs[sub]
	if sm == nil {
		return fail(http.StatusBadRequest, "MCH_NOT_EXISTS", "商户号不存在", nil)
	}
	if !s.isCaller(sm.Owner) {
		return fail(http.StatusForbidden, "NO_AUTH", "无权限查询该商户", nil)
	}
	state := sm.AuthorizeState
	if state == "" {
		state = AuthorizeStateUnauthorized
	}
	return okJSON(map[string]string{"authorize_state": state})
}
