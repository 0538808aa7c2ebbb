package emulator

import "net/http"

// Account-opening authorization (开户意愿确认): whether a sub-merchant confirmed its account.

// Authorization states as WeChat Pay spells them.
const (
	AuthorizeStateAuthorized   = "AUTHORIZE_STATE_AUTHORIZED"
	AuthorizeStateUnauthorized = "AUTHORIZE_STATE_UNAUTHORIZED"
)

// SetAuthorizeState changes a sub-merchant's authorization state out of band, creating the
// sub-merchant (as the default caller's) when it is unknown.
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
	sm := s.w.subs[sub]
	if sm == nil {
		return s.unknownSubMerchant()
	}
	if !s.owns(ex.caller, sm.Owner) {
		return fail(http.StatusForbidden, "NO_AUTH", "无权限查询该商户", nil)
	}
	state := sm.AuthorizeState
	if state == "" {
		state = AuthorizeStateUnauthorized
	}
	return okJSON(map[string]string{"authorize_state": state})
}

// unknownSubMerchant answers with one of the codes the page lists, in the page's words
// (描述); which one WeChat Pay uses is open (apply4subject-unknown-sub).
func (s *Server) unknownSubMerchant() result {
	switch s.dialect(DialectApply4SubjectUnknown) {
	case "400-param-error":
		return fail(http.StatusBadRequest, "PARAM_ERROR", "参数错误", nil)
	case "403-no-auth":
		return fail(http.StatusForbidden, "NO_AUTH", "商户权限异常", nil)
	}
	return invalidRequest("无效请求")
}
