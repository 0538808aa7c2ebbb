package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

func TestFaultKinds(t *testing.T) {
	cases := []struct {
		name        string
		fault       emulator.Fault
		uri, body   string
		method      string
		netErr      bool // the client sees no answer
		wantApplied bool
		check       func(t *testing.T, e *env, a answer)
	}{
		{name: "status", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Code: "SYSTEM_ERROR", Message: "系统繁忙"},
			method: "POST", uri: goldPlanURI, body: openGoldPlan,
			check: func(t *testing.T, e *env, a answer) {
				if a.status != 503 || a.code(t) != "SYSTEM_ERROR" || a.header.Get("Request-ID") == "" {
					t.Errorf("answer %d %s", a.status, a.body)
				}
			}},
		{name: "status with defaults", fault: emulator.Fault{Kind: emulator.FaultStatus}, method: "GET", uri: stateURI,
			check: func(t *testing.T, e *env, a answer) {
				if a.status != 500 || a.code(t) != "SYSTEM_ERROR" {
					t.Errorf("answer %d %s", a.status, a.body)
				}
			}},
		{name: "status as pay-gift concurrent change", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 403, Code: "RULE_LIMIT", Message: "并发修改,请稍后再试"},
			method: "POST", uri: addURI, body: addBody("f-1", "1900000110"),
			check: func(t *testing.T, e *env, a answer) {
				if a.status != 403 || !strings.Contains(a.message(t), "并发修改") {
					t.Errorf("answer %d %s", a.status, a.body)
				}
			}},
		{name: "reset", fault: emulator.Fault{Kind: emulator.FaultReset}, method: "POST", uri: goldPlanURI, body: openGoldPlan, netErr: true},
		{name: "drop after apply", fault: emulator.Fault{Kind: emulator.FaultDropAfterApply}, method: "POST", uri: goldPlanURI, body: openGoldPlan, netErr: true, wantApplied: true},
		{name: "latency", fault: emulator.Fault{Kind: emulator.FaultLatency, Latency: 30 * time.Millisecond}, method: "POST", uri: goldPlanURI, body: openGoldPlan, wantApplied: true,
			check: func(t *testing.T, e *env, a answer) {
				if err := verifyAnswer(e.keys, a); err != nil {
					t.Error(err)
				}
			}},
		{name: "tamper signature", fault: emulator.Fault{Kind: emulator.FaultTamperSignature}, method: "POST", uri: goldPlanURI, body: openGoldPlan, wantApplied: true,
			check: func(t *testing.T, e *env, a answer) {
				if err := verifyAnswer(e.keys, a); err == nil || !strings.Contains(err.Error(), "does not verify") {
					t.Errorf("tampered answer: %v", err)
				}
			}},
		{name: "stale timestamp", fault: emulator.Fault{Kind: emulator.FaultStaleTimestamp}, method: "GET", uri: stateURI,
			check: func(t *testing.T, e *env, a answer) {
				ts, _ := strconv.ParseInt(a.header.Get("Wechatpay-Timestamp"), 10, 64)
				if age := time.Since(time.Unix(ts, 0)); age < 9*time.Minute || age > 11*time.Minute {
					t.Errorf("timestamp age %v", age)
				}
				if err := verifyAnswer(e.keys, a); err == nil || !strings.Contains(err.Error(), "stale") {
					t.Errorf("stale answer: %v", err)
				}
			}},
		{name: "unknown serial", fault: emulator.Fault{Kind: emulator.FaultUnknownSerial}, method: "GET", uri: stateURI,
			check: func(t *testing.T, e *env, a answer) {
				if s := a.header.Get("Wechatpay-Serial"); s == e.keys.PublicKeyID || s == e.keys.PlatformSerial || s == "" {
					t.Errorf("serial %q is known", s)
				}
			}},
		{name: "garbled body", fault: emulator.Fault{Kind: emulator.FaultGarbledBody}, method: "GET", uri: stateURI,
			check: func(t *testing.T, e *env, a answer) {
				if err := verifyAnswer(e.keys, a); err != nil {
					t.Errorf("garbled answer must still be signed: %v", err)
				}
				if json.Valid(a.body) {
					t.Errorf("body %s is valid JSON", a.body)
				}
			}},
		{name: "garbled body on a 204", fault: emulator.Fault{Kind: emulator.FaultGarbledBody}, method: "POST", uri: adsCloseURI, body: `{"sub_mchid":"1900000109"}`,
			check: func(t *testing.T, e *env, a answer) {
				if a.status != 200 || json.Valid(a.body) || verifyAnswer(e.keys, a) != nil {
					t.Errorf("answer %d %q", a.status, a.body)
				}
			}},
		{name: "proxy HTML", fault: emulator.Fault{Kind: emulator.FaultProxyHTML}, method: "POST", uri: goldPlanURI, body: openGoldPlan,
			check: func(t *testing.T, e *env, a answer) {
				if a.status != 404 || !strings.Contains(string(a.body), "<html>") || a.header.Get("Request-ID") != "" ||
					a.header.Get("Wechatpay-Signature") != "" {
					t.Errorf("answer %d %v %s", a.status, a.header, a.body)
				}
			}},
		{name: "proxy empty with a status", fault: emulator.Fault{Kind: emulator.FaultProxyEmpty, Status: 502}, method: "GET", uri: stateURI,
			check: func(t *testing.T, e *env, a answer) {
				if a.status != 502 || len(a.body) != 0 || a.header.Get("Request-ID") != "" {
					t.Errorf("answer %d %v %q", a.status, a.header, a.body)
				}
			}},
		{name: "proxy JSON", fault: emulator.Fault{Kind: emulator.FaultProxyJSON}, method: "GET", uri: stateURI,
			check: func(t *testing.T, e *env, a answer) {
				var body map[string]any
				if err := json.Unmarshal(a.body, &body); err != nil || a.status != 404 || a.header.Get("Request-ID") != "" {
					t.Fatalf("answer %d %v %s: %v", a.status, a.header, a.body, err)
				}
				if _, ok := body["code"]; ok {
					t.Errorf("a proxy's JSON carries a WeChat Pay code: %s", a.body)
				}
			}},
		{name: "signtest", fault: emulator.Fault{Kind: emulator.FaultSignTest}, method: "GET", uri: stateURI,
			check: func(t *testing.T, e *env, a answer) {
				if !strings.HasPrefix(a.header.Get("Wechatpay-Signature"), "WECHATPAY/SIGNTEST/") {
					t.Errorf("signature %q", a.header.Get("Wechatpay-Signature"))
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			seedActivities(t, e)
			id := e.srv.InjectFault(emulator.Fault{Kind: tc.fault.Kind, Method: tc.method, Path: tc.uri, Status: tc.fault.Status,
				Code: tc.fault.Code, Message: tc.fault.Message, Latency: tc.fault.Latency, Count: 1})
			if id == 0 {
				t.Fatal("no fault id")
			}
			req := e.build(tc.method, tc.uri, tc.body)
			start := time.Now()
			resp, err := e.http.Client().Do(req)
			if tc.netErr {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("want a network error, got %d", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				a := answer{status: resp.StatusCode, header: resp.Header}
				a.body = readAll(t, resp)
				tc.check(t, e, a)
			}
			if tc.fault.Kind == emulator.FaultLatency && time.Since(start) < tc.fault.Latency {
				t.Errorf("answered after %v, before the latency", time.Since(start))
			}
			calls := e.srv.Calls()
			if len(calls) != 1 || calls[0].Fault != tc.fault.Kind || calls[0].Applied != tc.wantApplied {
				t.Errorf("call log %+v", calls)
			}
			if got := e.srv.GoldPlan(testSub).Open(); tc.uri == goldPlanURI && got != tc.wantApplied {
				t.Errorf("gold plan open %v, want %v", got, tc.wantApplied)
			}
			// Count 1: the next call is normal again.
			if len(e.srv.Faults()) != 0 {
				t.Errorf("fault still active: %+v", e.srv.Faults())
			}
			e.ok("GET", stateURI, "")
		})
	}
}

func TestFaultTimeoutHoldsUntilCallerGivesUp(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	e.srv.InjectFault(emulator.Fault{Kind: emulator.FaultTimeout, Path: "/v3/goldplan/", Count: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req := e.build("POST", goldPlanURI, openGoldPlan).WithContext(ctx)
	_, err := e.http.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the caller's deadline, got %v", err)
	}
	if e.srv.GoldPlan(testSub).Open() {
		t.Error("a timed-out call was applied")
	}
	e.ok("POST", goldPlanURI, openGoldPlan)
}

func TestFaultMatching(t *testing.T) {
	e := newEnv(t)
	seedBasics(t, e)
	e.srv.InjectFault(emulator.Fault{Kind: emulator.FaultStatus, Method: "POST", Path: "/v3/goldplan/", Count: 2})
	e.ok("GET", stateURI, "") // other method and path: untouched
	e.fails(500, "SYSTEM_ERROR", "POST", goldPlanURI, openGoldPlan)
	e.fails(500, "SYSTEM_ERROR", "POST", goldPlanURI, openGoldPlan)
	e.ok("POST", goldPlanURI, openGoldPlan)

	id := e.srv.InjectFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 502})
	e.fails(502, "SYSTEM_ERROR", "GET", stateURI, "")
	e.fails(502, "SYSTEM_ERROR", "GET", stateURI, "") // Count 0: every call
	if !e.srv.RemoveFault(id) || e.srv.RemoveFault(id) {
		t.Error("RemoveFault should succeed once")
	}
	e.ok("GET", stateURI, "")

	e.srv.InjectFault(emulator.Fault{Kind: emulator.FaultStatus, Fraction: 0.5})
	faulted := 0
	for i := 0; i < 40; i++ {
		if e.do("GET", stateURI, "").status == 500 {
			faulted++
		}
	}
	if faulted == 0 || faulted == 40 {
		t.Errorf("fraction 0.5 faulted %d of 40 calls", faulted)
	}
	e.srv.ClearFaults()
	e.ok("GET", stateURI, "")

	for _, bad := range []emulator.Fault{{Kind: "explode"}, {Kind: emulator.FaultLatency}, {Kind: emulator.FaultStatus, Fraction: 2}} {
		if err := e.srv.CheckFault(bad); err == nil {
			t.Errorf("fault %+v accepted", bad)
		}
	}
}

// The gold plan page's "操作失败" (retry later) can be injected once, so that a client's retry
// of it can be tested: nothing is applied, the next call goes through.
func TestOperationFailedFault(t *testing.T) {
	for _, tc := range []struct{ texts, message string }{{"docs", "操作失败"}, {"wild", "操作失败，请稍后重试"}} {
		t.Run(tc.texts, func(t *testing.T) {
			e := newEnv(t, withDialects(map[string]string{emulator.DialectErrorTexts: tc.texts}))
			seedBasics(t, e)
			status, body := e.control("POST", "/_emulator/faults", `{"kind":"operation_failed","path":"/v3/goldplan/","count":1}`, nil)
			if status != 200 {
				t.Fatalf("inject: %d %s", status, body)
			}
			a := e.fails(400, "INVALID_REQUEST", "POST", goldPlanURI, openGoldPlan)
			if a.message(t) != tc.message || e.srv.GoldPlan(testSub).Open() {
				t.Errorf("answer %s, gold plan %+v", a.body, e.srv.GoldPlan(testSub))
			}
			e.ok("POST", goldPlanURI, openGoldPlan)
			if !e.srv.GoldPlan(testSub).Open() || e.srv.CountApplied("", "") != 1 {
				t.Error("the call after the one-shot fault was not applied")
			}
			calls := e.srv.Calls()
			if calls[0].Fault != emulator.FaultOperationFailed || calls[0].Applied {
				t.Errorf("fault logged as %+v", calls[0])
			}
		})
	}
	e := newEnv(t)
	seedBasics(t, e)
	e.srv.InjectFault(emulator.Fault{Kind: emulator.FaultOperationFailed, Message: "操作失败,请重试", Path: customPageURI})
	e.refused(refusal{400, "INVALID_REQUEST", "操作失败,请重试"}, "POST", customPageURI, goldBody("OPEN", ""))
}
