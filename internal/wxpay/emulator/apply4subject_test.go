package emulator_test

import (
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

func TestAuthorizeState(t *testing.T) {
	cases := []struct {
		name    string
		role    string
		sub     string
		status  int
		code    string
		message string
	}{
		{"channel partner", emulator.RoleChannelPartner, testSub, 200, "", emulator.AuthorizeStateAuthorized},
		{"institution", emulator.RoleInstitution, testSub, 200, "", emulator.AuthorizeStateAuthorized},
		{"never authorized", emulator.RoleChannelPartner, "1900000110", 200, "", emulator.AuthorizeStateUnauthorized},
		{"service provider refused", emulator.RoleServiceProvider, testSub, 400, "PARAM_ERROR", "只能由从业机构或渠道商调用该接口"},
		{"merchant refused", emulator.RoleMerchant, testSub, 400, "PARAM_ERROR", "只能由从业机构或渠道商调用该接口"},
		{"unknown sub-merchant", emulator.RoleChannelPartner, "1900000777", 400, "INVALID_REQUEST", "无效请求"},
		{"someone else's sub-merchant", emulator.RoleChannelPartner, "1900000666", 403, "NO_AUTH", "无权限查询该商户"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			seedBasics(t, e)
			e.srv.SetCallerRole(tc.role)
			uri := "/v3/apply4subject/applyment/merchants/" + tc.sub + "/state"
			if tc.status == 200 {
				if got := e.ok("GET", uri, "").json(t)["authorize_state"]; got != tc.message {
					t.Errorf("authorize_state %v", got)
				}
				return
			}
			e.refused(refusal{tc.status, tc.code, tc.message}, "GET", uri, "")
		})
	}
	t.Run("drift back to unauthorized", func(t *testing.T) {
		e := newEnv(t)
		seedBasics(t, e)
		e.srv.SetAuthorizeState(testSub, emulator.AuthorizeStateUnauthorized)
		if got := e.ok("GET", stateURI, "").json(t)["authorize_state"]; got != emulator.AuthorizeStateUnauthorized {
			t.Errorf("authorize_state %v", got)
		}
	})
}

// An unknown sub_mchid is answered with one of the codes the page lists.
func TestApply4SubjectUnknownDialect(t *testing.T) {
	cases := map[string]refusal{
		"400-invalid-request": {400, "INVALID_REQUEST", "无效请求"},
		"400-param-error":     {400, "PARAM_ERROR", "参数错误"},
		"403-no-auth":         {403, "NO_AUTH", "商户权限异常"},
	}
	for mode, want := range cases {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, withDialects(map[string]string{emulator.DialectApply4SubjectUnknown: mode}))
			seedBasics(t, e)
			e.refused(want, "GET", "/v3/apply4subject/applyment/merchants/1900000777/state", "")
			e.ok("GET", stateURI, "")
		})
	}
}
