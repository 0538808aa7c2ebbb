package emulator_test

import "testing"

func TestQPSLimits(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	// A tiny rate with burst 1: the second call within the same ~17 minutes is refused.
	e.srv.SetQPSLimit("/v3/goldplan/", 0.001)
	e.srv.SetQPSLimit("/v3/apply4subject/", 0.001)
	e.ok("POST", goldPlanURI, openGoldPlan)
	e.refused(refusal{400, "INVALID_REQUEST", "命中频率限制"}, "POST", goldPlanURI, openGoldPlan)
	e.ok("GET", stateURI, "")
	e.refused(refusal{429, "FREQUENCY_LIMITED", "频率超限"}, "GET", stateURI, "")
	e.ok("GET", "/v3/certificates", "") // no limit on this path
	if got := e.srv.QPSLimits(); len(got) != 2 {
		t.Errorf("limits %v", got)
	}
	e.srv.SetQPSLimit("/v3/goldplan/", 0)
	e.ok("POST", goldPlanURI, openGoldPlan)
}
