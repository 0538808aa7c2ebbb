package emulator_test

import (
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

func TestCallLog(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	e.ok("POST", goldPlanURI, openGoldPlan, withNonce("NONCE-A"))
	e.ok("POST", goldPlanURI, openGoldPlan)
	e.fails(401, "SIGN_ERROR", "POST", goldPlanURI, openGoldPlan, withKey(e.keys.PlatformKey))
	e.as(emulator.CallerMerchant).fails(404, "RESOURCE_NOT_EXISTS", "GET", "/v3/marketing/partnerships?limit=5", "")
	if e.srv.CountCalls("POST", goldPlanURI) != 3 || e.srv.CountApplied("POST", goldPlanURI) != 1 {
		t.Errorf("POST counts %d/%d", e.srv.CountCalls("POST", goldPlanURI), e.srv.CountApplied("POST", goldPlanURI))
	}
	if e.srv.CountCalls("", "") != 4 || e.srv.CountCalls("GET", "") != 1 || e.srv.CountApplied("", "") != 1 {
		t.Errorf("totals %d %d %d", e.srv.CountCalls("", ""), e.srv.CountCalls("GET", ""), e.srv.CountApplied("", ""))
	}
	calls := e.srv.Calls()
	first, last := calls[0], calls[3]
	if first.Seq != 1 || first.Nonce != "NONCE-A" || first.Body != openGoldPlan || first.Status != 200 || !first.Applied || first.Host == "" {
		t.Errorf("first call %+v", first)
	}
	if calls[2].Status != 401 || calls[2].Code != "SIGN_ERROR" || calls[2].Applied {
		t.Errorf("refused call %+v", calls[2])
	}
	merchant, _ := e.keys.Caller(emulator.CallerMerchant)
	if last.RawQuery != "limit=5" || last.Path != "/v3/marketing/partnerships" || last.Mchid != merchant.MchID || first.Mchid != e.keys.MchID {
		t.Errorf("last call %+v", last)
	}
	ctrs := e.srv.CallCounters()
	if len(ctrs) != 2 {
		t.Errorf("counters %+v", ctrs)
	}
	e.srv.ClearCalls()
	if len(e.srv.Calls()) != 0 || e.srv.CountCalls("", "") != 0 {
		t.Error("ClearCalls left calls behind")
	}
}
