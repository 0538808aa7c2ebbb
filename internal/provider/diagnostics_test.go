package provider

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

// Errors that answers not signed by WeChat Pay lead to say what happened and what to do.
func TestCallErrorDetailUnsignedAnswers(t *testing.T) {
	refusal := &wxpay.APIError{StatusCode: 429, Code: "FREQUENCY_LIMITED", Message: "频率超限", RequestID: "REQ-1",
		WellFormed: true, Host: "api.mch.weixin.qq.com", Method: "GET", Path: "/v3/x", Attempts: 1}
	proxy := &wxpay.APIError{StatusCode: 404, Message: "<html>404 Not Found</html>", Host: "proxy.example:443",
		Method: "GET", Path: "/v3/marketing/partnerships", Attempts: 1}
	tests := []struct {
		name string
		err  error
		want []string
		not  []string
	}{
		{"Retry-After past the deadline",
			&wxpay.RetryWaitError{Wait: 90 * time.Second, Left: 40 * time.Second, ByDeadline: true, Host: refusal.Host, Err: refusal},
			[]string{"WeChat Pay asked to wait 90 s (Retry-After)", "Only 40 s were left", "Raise the resource's `timeouts`",
				"HTTP 429 FREQUENCY_LIMITED", "Request-ID: REQ-1"},
			[]string{"after all retries"}},
		{"Retry-After past the client's limit",
			&wxpay.RetryWaitError{Wait: time.Hour, Left: 2 * time.Minute, Host: refusal.Host, Err: refusal},
			[]string{"asked to wait 3600 s", "at most 2 minutes in all", "Apply again later"}, nil},
		{"Retry-After from a proxy",
			&wxpay.RetryWaitError{Wait: time.Hour, Left: 2 * time.Minute, Host: proxy.Host, Err: proxy},
			[]string{"Host proxy.example:443 asked to wait 3600 s", "not a WeChat Pay error answer"}, []string{"WeChat Pay asked"}},
		{"a 404 that is not WeChat Pay's", proxy,
			[]string{"Host proxy.example:443 answered HTTP 404", "not a WeChat Pay error", "never taken as deleted", "`endpoint`"},
			[]string{"WeChat Pay answered"}},
		{"a certificate that does not verify",
			&wxpay.NetworkError{Host: "api.mch.weixin.qq.com", Method: "GET", Path: "/v3/x", Attempts: 1,
				Err: &wxpay.CertificateError{Host: "api.mch.weixin.qq.com", Err: x509.UnknownAuthorityError{}}},
			[]string{"TLS certificate of api.mch.weixin.qq.com could not be verified", "not retried", "do not turn certificate checks off"},
			[]string{"try again"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := callErrorDetail(context.Background(), errors.Join(errors.New("wrapped"), tt.err), payGiftHints)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("detail does not say %q:\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("detail says %q:\n%s", n, got)
				}
			}
		})
	}
}

// Every hint names a Reason and no list names one twice: a second hint for a Reason is never shown.
func TestHintsNameEachReasonOnce(t *testing.T) {
	for name, hints := range map[string][]hint{"common": knownAnswers, "gold plan": goldPlanHints,
		"pay-gift": payGiftHints, "partnership": partnershipHints} {
		seen := map[wxpay.Reason]bool{}
		for _, h := range hints {
			if h.reason == "" || seen[h.reason] {
				t.Errorf("%s hints: reason %q is empty or given twice", name, h.reason)
			}
			seen[h.reason] = true
		}
	}
}

// The advice follows the Reason the client reads, whichever way WeChat Pay spells the message,
// and the API family's advice comes before the common one.
func TestCallErrorDetailAdvice(t *testing.T) {
	answer := func(code, message string) error {
		return &wxpay.APIError{StatusCode: 400, Code: code, Message: message, RequestID: "REQ-1", WellFormed: true,
			Host: "api.mch.weixin.qq.com", Method: "POST", Path: "/v3/x", Attempts: 1}
	}
	tests := []struct {
		name  string
		err   error
		hints []hint
		want  string
	}{
		{"penalty as documented", answer("INVALID_REQUEST", "特约商户被处罚中"), goldPlanHints, subMerchantPenalizedAdvice},
		{"penalty as served", answer("INVALID_REQUEST", "特约商户处于处罚中"), goldPlanHints, subMerchantPenalizedAdvice},
		{"unknown activity, 404", answer("RESOURCE_NOT_EXISTS", "资源不存在或无可用"), payGiftHints, unknownActivityAdvice},
		{"unknown activity, 400", answer("INVALID_REQUEST", "查询活动详情结果为空,请确认活动ID是否正确"), payGiftHints, unknownActivityAdvice},
		{"family before common", answer("NO_AUTH", "无权限"), payGiftHints, "only the activity's owner"},
		{"common without family", answer("NO_AUTH", "无权限"), nil, "lacks the permission"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := callErrorDetail(context.Background(), tt.err, tt.hints)
			if !strings.Contains(got, tt.want) || !strings.Contains(got, "Request-ID: REQ-1") {
				t.Errorf("detail does not say %q with the answer's facts:\n%s", tt.want, got)
			}
		})
	}
}

// Every class of failure, for every API family's hints, says what is true of that family: the
// gold plan cannot be read back, so an untrusted answer is not followed by "run terraform plan";
// a lost answer may have applied the change; SYSTEM_ERROR on the last attempt is not claimed of
// all of them. The fault matrix (TestAccFaultMatrix) checks each resource's summaries.
func TestCallErrorDetailEveryClassEveryFamily(t *testing.T) {
	facts := func(status int, code, message string) *wxpay.APIError {
		return &wxpay.APIError{StatusCode: status, Code: code, Message: message, RequestID: "REQ-7", WellFormed: true,
			Host: "api.mch.weixin.qq.com", Method: "POST", Path: "/v3/x", Attempts: 3}
	}
	families := map[string][]hint{"data sources": nil, "gold plan": goldPlanHints, "pay-gift": payGiftHints,
		"partnership": partnershipHints}
	classes := []struct {
		name string
		err  error
		want []string            // in every family's detail
		not  []string            // in no family's detail
		per  map[string][]string // in that family's detail only
		no   map[string][]string // not in that family's detail
	}{
		{name: "rate limited after all retries", err: facts(429, "FREQUENCY_LIMITED", "频率超限"),
			want: []string{"rate limit after all retries", "HTTP 429 FREQUENCY_LIMITED", "Request-ID: REQ-7", "Attempts: 3"}},
		{name: "internal error", err: facts(500, "SYSTEM_ERROR", "系统繁忙"),
			want: []string{"SYSTEM_ERROR) to the last attempt", "may have failed otherwise", "Request-ID: REQ-7"},
			not:  []string{"on every attempt"}},
		{name: "signature refused", err: facts(401, "SIGN_ERROR", "签名错误"),
			want: []string{"`mchid` is the merchant id", "`merchant_serial_number`", "Request-ID: REQ-7"}},
		{name: "answer that fails verification",
			err:  &wxpay.VerificationError{Reason: "signature does not match", RequestID: "REQ-7", Host: "api.mch.weixin.qq.com", Method: "POST", Path: "/v3/x"},
			want: []string{"could not be trusted and was not used: signature does not match", "REQ-7"},
			per: map[string][]string{"gold plan": {"no way to read the gold plan back", "Apply again"},
				"pay-gift": {"run `terraform plan`"}, "partnership": {"run `terraform plan`"}, "data sources": {"run `terraform plan`"}},
			no: map[string][]string{"gold plan": {"run `terraform plan`"}}},
		{name: "lost answer",
			err: &wxpay.NetworkError{Host: "api.mch.weixin.qq.com", Method: "POST", Path: "/v3/x", Attempts: 5,
				Err: errors.New("read: connection reset by peer")},
			want: []string{"connection reset by peer", "Check the network path", "whether the change was applied is not known",
				"next `terraform apply` sends new requests"}},
		{name: "not a WeChat Pay answer",
			err:  &wxpay.APIError{StatusCode: 502, Message: "<html>Bad Gateway</html>", Host: "proxy.example:443", Method: "GET", Path: "/v3/x", Attempts: 5},
			want: []string{"Host proxy.example:443 answered HTTP 502", "not a WeChat Pay error"},
			not:  []string{"WeChat Pay answered HTTP"}},
	}
	for _, c := range classes {
		for family, hints := range families {
			t.Run(c.name+"/"+family, func(t *testing.T) {
				got := callErrorDetail(context.Background(), c.err, hints)
				for _, w := range append(slices.Clone(c.want), c.per[family]...) {
					if !strings.Contains(got, w) {
						t.Errorf("detail does not say %q:\n%s", w, got)
					}
				}
				for _, n := range append(slices.Clone(c.not), c.no[family]...) {
					if strings.Contains(got, n) {
						t.Errorf("detail says %q:\n%s", n, got)
					}
				}
			})
		}
	}
}

// What a user is told when a call never got its answer: a timeout says what is true of request
// numbers (reused by the retries of one operation only), and an interrupt (Ctrl-C) is not called
// a timeout.

const unsureChangePattern = `whether\s+the\s+change\s+was\s+applied\s+is\s+not\s+known.*retries\s+could\s+not\s+apply\s+it\s+twice` +
	`.*next\s+.terraform\s+apply.\s+sends\s+new\s+requests`

func TestAccDiagnostics_timeoutSaysWhatIsTrue(t *testing.T) {
	clearProviderEnv(t)
	emu := newTestEmulator(t, goldPlanSeed())
	emu.InjectFault(emulator.Fault{Method: "POST", Path: goldPlanBase + "changegoldplanstatus", Kind: emulator.FaultTimeout})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: emu.providerConfig(modePublicKey) + `
resource "wechatpay_goldplan_status" "test" {
  sub_mchid = "` + gpSub + `"
  timeouts { create = "2s" }
}
`,
			ExpectError: regexp.MustCompile(`(?s)ran\s+out\s+of\s+time.*timeouts.*` + unsureChangePattern),
		}},
	})
}

// notifyingHandler tells when a call to path has reached the emulator, before the emulator
// holds it.
type notifyingHandler struct {
	next    http.Handler
	path    string
	arrived chan struct{}
}

func (h notifyingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == h.path {
		select {
		case h.arrived <- struct{}{}:
		default:
		}
	}
	h.next.ServeHTTP(w, r)
}

// An interrupted apply (Ctrl-C: Terraform asks the provider to stop, which cancels its calls)
// is reported as an interruption, not as a timeout to be raised.
func TestAccDiagnostics_interruptIsNotATimeout(t *testing.T) {
	if os.Getenv("TF_ACC") == "" || os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Skip("needs TF_ACC=1 and TF_ACC_TERRAFORM_PATH (the real Terraform CLI)")
	}
	clearProviderEnv(t)
	path := goldPlanBase + "changegoldplanstatus"
	arrived := make(chan struct{}, 1)
	emu := newTestEmulator(t, goldPlanSeed(), emulatortest.WithHandler(func(next http.Handler) http.Handler {
		return notifyingHandler{next: next, path: path, arrived: arrived}
	}))
	emu.InjectFault(emulator.Fault{Method: "POST", Path: path, Kind: emulator.FaultTimeout}) // held until the caller gives up

	run := newCLIRun(t, emu.providerConfig(modePublicKey)+gpStatusHCL(gpSub), nil)
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "apply", "-auto-approve", "-input=false", "-no-color")
	cmd.Dir, cmd.Env = run.dir, run.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-arrived:
	case err := <-done:
		t.Fatalf("terraform apply ended before the gold plan call was made: %v\n%s", err, out.String())
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("the gold plan call never reached the emulator\n%s", out.String())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("terraform apply did not stop after an interrupt\n%s", out.String())
	}
	if err == nil {
		t.Fatalf("the interrupted apply succeeded\n%s", out.String())
	}
	text := out.String()
	if !regexp.MustCompile(`(?s)Error: Unable to .*was\s+cancelled,\s+because\s+Terraform\s+was\s+interrupted.*` + unsureChangePattern).MatchString(text) {
		t.Errorf("the interrupted call is not reported as an interruption:\n%s", text)
	}
	if regexp.MustCompile(`ran\s+out\s+of\s+time|Raise\s+the\s+resource's`).MatchString(text) {
		t.Errorf("an interrupt is reported as a timeout:\n%s", text)
	}
	if n := emu.CountApplied("", ""); n != 0 {
		t.Errorf("the emulator applied %d changes, want 0 (the call was held until the interrupt)", n)
	}
}

// A 404 that does not come from WeChat Pay (a proxy, a gateway, a wrong endpoint) says nothing
// about an object: a refresh that gets one fails and keeps the object in the state, and a destroy
// that gets one fails and leaves the object where it is, for a later destroy to finish.

// proxyNotFoundKinds are the emulator's faults that answer 404 the way something other than
// WeChat Pay does: an HTML page, an empty body, JSON without code and message; none has a
// Request-ID.
var proxyNotFoundKinds = []string{emulator.FaultProxyHTML, emulator.FaultProxyEmpty, emulator.FaultProxyJSON}

// notWeChatPayAnswer matches the diagnostic for such an answer; Terraform wraps it at any space.
var notWeChatPayAnswer = regexp.MustCompile(`(?s)Host\s+127\.0\.0\.1:\d+\s+answered\s+HTTP\s+404\s+with\s+an\s+answer\s+that\s+is\s+not\s+a\s+WeChat\s+Pay\s+error`)

// proxyNotFoundSteps are the steps after one that created cfg: for each kind, a destroy whose
// deletes get it and a refresh whose reads get it, both failing; then a plan with the faults gone
// that must be empty, which it is only if neither dropped the objects from the state.
// stillThere checks the emulator, before each step, for what no failed destroy may remove.
func proxyNotFoundSteps(t *testing.T, emu *testEmulator, cfg string, read, del emulator.Fault, stillThere func() error) []resource.TestStep {
	inject := func(f emulator.Fault, kind string) func() {
		return func() {
			emu.ClearFaults()
			if err := stillThere(); err != nil {
				t.Error(err)
			}
			f.Kind = kind
			emu.InjectFault(f)
		}
	}
	var steps []resource.TestStep
	for _, kind := range proxyNotFoundKinds {
		steps = append(steps,
			resource.TestStep{PreConfig: inject(del, kind), Config: cfg, Destroy: true, ExpectError: notWeChatPayAnswer},
			resource.TestStep{PreConfig: inject(read, kind), RefreshState: true, ExpectError: notWeChatPayAnswer},
		)
	}
	return append(steps, resource.TestStep{
		PreConfig: func() {
			emu.ClearFaults()
			if err := stillThere(); err != nil {
				t.Error(err)
			}
		},
		Config:   cfg,
		PlanOnly: true,
	})
}

func TestAccMarketingPartnership_proxyNotFound(t *testing.T) {
	emu := newTestEmulator(t, emulator.Seed{})
	cfg := partnershipConfig(emu.merchantConfig(modePublicKey), appPartner(testAppID), busiStock("98065001"))
	p, d := emuAppPartner(), emuBusiStock("98065001")
	established := func() error {
		if got := partnershipState(emu, p, d); got != "ESTABLISHED" {
			return fmt.Errorf("emulator: the partnership is %s, want ESTABLISHED", got)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             expectPartnershipState(emu, p, d, "TERMINATED"),
		Steps: append([]resource.TestStep{{Config: cfg}}, proxyNotFoundSteps(t, emu, cfg,
			emulator.Fault{Method: http.MethodGet, Path: pathList},
			emulator.Fault{Method: http.MethodPost, Path: pathTerminate},
			established)...),
	})
	if n := emu.CountApplied(http.MethodPost, pathTerminate); n != 1 {
		t.Errorf("%d terminates applied, want only the final destroy's", n)
	}
}

func TestAccPayGiftActivityMerchant_proxyNotFound(t *testing.T) {
	const listActivity = "10028002" // for the authoritative list, beside the single membership
	seed := payGiftSeed(0)
	seed.Activities = append(seed.Activities, emulator.Activity{ActivityID: listActivity, Status: "ONGOING_ACT_STATUS", Merchants: []string{}})
	emu := newTestEmulator(t, seed)
	cfg := memberConfig(emu, "1900000109") + fmt.Sprintf(`
resource "wechatpay_paygift_activity_merchants" "all" {
  activity_id  = %q
  merchant_ids = ["1900000110", "1900000111"]
}
`, listActivity)
	members := func() error {
		if err := membersAre(emu, "1900000109")(nil); err != nil {
			return err
		}
		if got := emu.ActivityMembers(listActivity); len(got) != 2 {
			return fmt.Errorf("emulator: activity %s has members %v, want 1900000110 and 1900000111", listActivity, got)
		}
		return nil
	}
	activities := "/v3/marketing/paygiftactivity/activities/"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if got := emu.ActivityMembers(listActivity); len(got) != 0 {
				return fmt.Errorf("activity %s still has members %v", listActivity, got)
			}
			return membersAre(emu)(nil)
		},
		Steps: append([]resource.TestStep{{Config: cfg}}, proxyNotFoundSteps(t, emu, cfg,
			emulator.Fault{Method: http.MethodGet, Path: activities},
			emulator.Fault{Method: http.MethodPost, Path: activities},
			members)...),
	})
}

// The fault matrix: every operation of every resource and data source, under every fault the
// emulator can inject. One world (matrixConfig) holds every resource and data source at once;
// a fault class is injected on the calls of one phase (create, update, read, delete) at a time,
// one fault per operation, and the phase's result is checked against the emulator's truth and
// call log:
//
//   - a transient fault ends in success with exactly one applied change per changing operation;
//   - a persistent fault, or an answer that cannot be trusted, ends in an error; the same apply
//     without the fault then converges, still with exactly one applied change in total, and
//     leaves nothing to plan: state and emulator agree, no orphan, no ghost.

const (
	mxStatusSub   = "1900000109" // wechatpay_goldplan_status
	mxPageSub     = "1900000110" // wechatpay_goldplan_custom_page (gold plan already open)
	mxAdsSub      = "1900000111" // wechatpay_goldplan_advertising (gold plan already open)
	mxMember      = "1900000112" // wechatpay_paygift_activity_merchant
	mxMembers1    = "1900000113" // wechatpay_paygift_activity_merchants
	mxMembers2    = "1900000114" //   added by the update
	mxActivity    = "10028001"   // for the single membership
	mxActivityAll = "10028002"   // for the authoritative list
	mxActivityDS  = "10028003"   // for the data source only, so its path matches nothing else
	mxAppID       = "wx4e1916a585d1f4e9"
	mxStockID     = "98065001"
	goldPlanBase  = "/v3/goldplan/merchants/"
	payGiftBase   = "/v3/marketing/paygiftactivity/activities/"
	authStateBase = "/v3/apply4subject/applyment/merchants/"
)

// matrixOp is one operation of one resource or data source and the call it makes.
type matrixOp struct {
	name         string
	phase        string // create | update | read | delete
	method, path string // the fault is injected on this method and path prefix
	decodes      bool   // the provider uses the answer's body (a garbled one must fail the call)
}

var matrixOps = []matrixOp{
	{"wechatpay_goldplan_status", "create", "POST", goldPlanBase + "changegoldplanstatus", false},
	{"wechatpay_goldplan_custom_page", "create", "POST", goldPlanBase + "changecustompagestatus", false},
	{"wechatpay_goldplan_advertising", "create", "PATCH", goldPlanBase + "open-advertising-show", false},
	{"wechatpay_paygift_activity_merchant", "create", "POST", payGiftBase + mxActivity + "/merchants/add", true},
	{"wechatpay_paygift_activity_merchants", "create", "POST", payGiftBase + mxActivityAll + "/merchants/add", true},
	{"wechatpay_marketing_partnership", "create", "POST", "/v3/marketing/partnerships/build", true},

	{"wechatpay_goldplan_status", "update", "POST", goldPlanBase + "changegoldplanstatus", false},
	{"wechatpay_goldplan_advertising", "update", "POST", goldPlanBase + "set-advertising-industry-filter", false},
	{"wechatpay_paygift_activity_merchants", "update", "POST", payGiftBase + mxActivityAll + "/merchants/add", true},

	{"wechatpay_paygift_activity_merchant", "read", "GET", payGiftBase + mxActivity + "/merchants", true},
	{"wechatpay_paygift_activity_merchants", "read", "GET", payGiftBase + mxActivityAll + "/merchants", true},
	{"wechatpay_marketing_partnership", "read", "GET", "/v3/marketing/partnerships", true},
	{"data.wechatpay_merchant_authorization_state", "read", "GET", authStateBase + mxStatusSub + "/state", true},
	{"data.wechatpay_merchant_authorization_states", "read", "GET", authStateBase + mxPageSub + "/state", true},
	{"data.wechatpay_paygift_activity", "read", "GET", payGiftBase + mxActivityDS, true},

	{"wechatpay_goldplan_status", "delete", "POST", goldPlanBase + "changegoldplanstatus", false},
	{"wechatpay_goldplan_custom_page", "delete", "POST", goldPlanBase + "changecustompagestatus", false},
	{"wechatpay_goldplan_advertising", "delete", "POST", goldPlanBase + "close-advertising-show", false},
	{"wechatpay_paygift_activity_merchant", "delete", "POST", payGiftBase + mxActivity + "/merchants/delete", true},
	{"wechatpay_paygift_activity_merchants", "delete", "POST", payGiftBase + mxActivityAll + "/merchants/delete", true},
	{"wechatpay_marketing_partnership", "delete", "POST", "/v3/marketing/partnerships/terminate", true},
}

type outcome int

const (
	succeeds outcome = iota
	fails
)

// faultClass is one kind of trouble. onlyDecoding limits it to operations that use the answer's
// body: a correctly signed answer whose body the provider never reads is rightly accepted.
type faultClass struct {
	name         string
	fault        emulator.Fault
	outcome      outcome
	errorPattern string
	onlyDecoding bool
	backupOnly   bool // the primary host is down, the backup serves
	timeout      string
}

var faultClasses = []faultClass{
	{name: "5xx_once", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 500, Count: 1}},
	{name: "5xx_persistent", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 500}, outcome: fails,
		errorPattern: `SYSTEM_ERROR`},
	{name: "429_frequency_limited", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 429,
		Code: "FREQUENCY_LIMITED", Message: "频率超限", Count: 1}},
	{name: "400_goldplan_rate_limit", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 400,
		Code: "INVALID_REQUEST", Message: "命中频率限制", Count: 1}},
	{name: "403_rule_limit_in_progress", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 403,
		Code: "RULE_LIMIT", Message: "上一次修改还未完成", Count: 1}},
	{name: "connection_reset", fault: emulator.Fault{Kind: emulator.FaultReset, Count: 1}},
	{name: "answer_lost_after_apply", fault: emulator.Fault{Kind: emulator.FaultDropAfterApply, Count: 1}},
	{name: "timeout", fault: emulator.Fault{Kind: emulator.FaultTimeout, Count: 1}, timeout: "1s"},
	{name: "tampered_signature", fault: emulator.Fault{Kind: emulator.FaultTamperSignature, Count: 1}, outcome: fails,
		errorPattern: `could not be trusted`},
	{name: "stale_timestamp", fault: emulator.Fault{Kind: emulator.FaultStaleTimestamp, Count: 1}, outcome: fails,
		errorPattern: `could not be trusted`},
	{name: "unknown_serial", fault: emulator.Fault{Kind: emulator.FaultUnknownSerial, Count: 1}, outcome: fails,
		errorPattern: `could not be trusted`},
	{name: "garbled_json", fault: emulator.Fault{Kind: emulator.FaultGarbledBody, Count: 1}, outcome: fails,
		errorPattern: `not the expected JSON|could not be|invalid character|unexpected`, onlyDecoding: true},
	{name: "primary_down_backup_serves", backupOnly: true},
}

func matrixSeed() emulator.Seed {
	return emulator.Seed{
		CallerRole: emulator.RoleChannelPartner,
		SubMerchants: []emulator.SubMerchant{
			{SubMchid: mxStatusSub, AuthorizeState: "AUTHORIZE_STATE_AUTHORIZED"}, {SubMchid: mxPageSub},
			{SubMchid: mxAdsSub}, {SubMchid: mxMember}, {SubMchid: mxMembers1}, {SubMchid: mxMembers2},
		},
		Activities: []emulator.Activity{
			{ActivityID: mxActivity, Merchants: []string{}}, {ActivityID: mxActivityAll, Merchants: []string{}},
			{ActivityID: mxActivityDS},
		},
		GoldPlans: []emulator.GoldPlanState{
			{SubMchid: mxPageSub, OpenScenes: []string{"JSAPI"}}, {SubMchid: mxAdsSub, OpenScenes: []string{"JSAPI"}},
		},
	}
}

// matrixConfig is the whole world; updated changes every resource that can change in place.
func matrixConfig(updated bool) string {
	scenes, filters, members := `["JSAPI"]`, `["E_COMMERCE"]`, fmt.Sprintf("[%q]", mxMembers1)
	if updated {
		scenes, filters, members = `["JSAPI", "MINIPROGRAM"]`, `["E_COMMERCE", "EDUCATION"]`, fmt.Sprintf("[%q, %q]", mxMembers1, mxMembers2)
	}
	return fmt.Sprintf(`
resource "wechatpay_goldplan_status" "m" {
  sub_mchid  = %[1]q
  pay_scenes = %[2]s
}

resource "wechatpay_goldplan_custom_page" "m" {
  sub_mchid = %[3]q
}

resource "wechatpay_goldplan_advertising" "m" {
  sub_mchid        = %[4]q
  industry_filters = %[5]s
}

resource "wechatpay_paygift_activity_merchant" "m" {
  activity_id = %[6]q
  merchant_id = %[7]q
}

resource "wechatpay_paygift_activity_merchants" "m" {
  activity_id  = %[8]q
  merchant_ids = %[9]s
}

resource "wechatpay_marketing_partnership" "m" {
  partner         = { type = "APPID", appid = %[10]q }
  authorized_data = { business_type = "BUSIFAVOR_STOCK", stock_id = %[11]q }
}

data "wechatpay_merchant_authorization_state" "m" {
  sub_mchid = %[1]q
}

data "wechatpay_merchant_authorization_states" "m" {
  sub_mchids = [%[3]q]
}

data "wechatpay_paygift_activity" "m" {
  activity_id = %[12]q
}
`, mxStatusSub, scenes, mxPageSub, mxAdsSub, filters, mxActivity, mxMember, mxActivityAll, members, mxAppID, mxStockID, mxActivityDS)
}

// matrixTruth checks the emulator holds what the configuration of a phase says.
func matrixTruth(emu *testEmulator, phase string) error {
	status, page, ads := emu.GoldPlan(mxStatusSub), emu.GoldPlan(mxPageSub), emu.GoldPlan(mxAdsSub)
	member := slices.Contains(emu.ActivityMembers(mxActivity), mxMember)
	members := slices.Sorted(slices.Values(emu.ActivityMembers(mxActivityAll)))
	p, ok := emu.Partnership(emulator.Partner{Type: "APPID", AppID: mxAppID},
		emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: mxStockID})
	established := ok && p.State == emulator.PartnershipEstablished
	filters := "-" // what a closed ad keeps does not matter
	if ads.AdvertisingShown {
		filters = strings.Join(slices.Sorted(slices.Values(ads.IndustryFilters)), ",")
	}
	got := fmt.Sprintf("scenes=%v page=%t ads=%t filters=%s member=%t members=%v partnership=%t",
		status.OpenScenes, page.CustomPageOpen, ads.AdvertisingShown, filters, member, members, established)
	updated := fmt.Sprintf("scenes=[JSAPI MINIPROGRAM] page=true ads=true filters=EDUCATION,E_COMMERCE member=true members=[%s %s] partnership=true", mxMembers1, mxMembers2)
	want := map[string]string{
		"create": fmt.Sprintf("scenes=[JSAPI] page=true ads=true filters=E_COMMERCE member=true members=[%s] partnership=true", mxMembers1),
		"update": updated,
		"read":   updated,
		"delete": "scenes=[] page=false ads=false filters=- member=false members=[] partnership=false",
	}[phase]
	if got != want {
		return fmt.Errorf("emulator after %s:\n got  %s\n want %s", phase, got, want)
	}
	return nil
}

// appliedCounts is how many changes the emulator applied per operation of a phase.
func appliedCounts(emu *testEmulator, ops []matrixOp) map[string]int {
	out := map[string]int{}
	for _, op := range ops {
		out[op.name] = emu.CountApplied(op.method, op.path)
	}
	return out
}

func TestAccFaultMatrix(t *testing.T) {
	for _, fc := range faultClasses {
		t.Run(fc.name, func(t *testing.T) { runFaultClass(t, fc) })
	}
}

func runFaultClass(t *testing.T, fc faultClass) {
	// One configuration holds every family, and in-process tests cannot give it the two callers
	// that needs: Terraform reattaches every alias of a provider served in-process to the same
	// server, which keeps the configuration made last. The matrix is about faults, not callers,
	// so it runs under roles=any; TestAccSecrets_neverInLogsStateOrPlan and the adoption tests run
	// the real binary with one alias per caller.
	emu := newTestEmulator(t, matrixSeed(), anyCaller())
	providerBlock := emu.providerConfig(modePublicKey)
	if fc.timeout != "" {
		providerBlock = strings.Replace(providerBlock, `request_timeout        = "5s"`, fmt.Sprintf("request_timeout = %q", fc.timeout), 1)
	}
	var backupHost string
	if fc.backupOnly {
		primary, backup := httptest.NewServer(emu.Server), httptest.NewServer(emu.Server)
		t.Cleanup(backup.Close)
		primary.Close() // down before the first call
		u, _ := url.Parse(backup.URL)
		backupHost = u.Host
		providerBlock = strings.Replace(providerBlock, fmt.Sprintf("endpoint               = %q", emu.URL),
			fmt.Sprintf("endpoint        = %q\n  backup_endpoint = %q", primary.URL, backup.URL), 1)
	}
	if !strings.Contains(providerBlock, "endpoint") || (fc.timeout != "" && !strings.Contains(providerBlock, fc.timeout)) ||
		(fc.backupOnly && !strings.Contains(providerBlock, "backup_endpoint")) {
		t.Fatal("provider block template changed; update runFaultClass")
	}

	var steps []resource.TestStep
	for _, phase := range []string{"create", "update", "read", "delete"} {
		var ops []matrixOp
		for _, op := range matrixOps {
			if op.phase == phase && (!fc.onlyDecoding || op.decodes) {
				ops = append(ops, op)
			}
		}
		config := providerBlock + matrixConfig(phase != "create")
		var before map[string]int
		var beforeTotal int
		inject := func() {
			emu.ClearFaults()
			before, beforeTotal = appliedCounts(emu, ops), emu.CountApplied("", "")
			if fc.backupOnly {
				return
			}
			for _, op := range ops {
				f := fc.fault
				f.Method, f.Path = op.method, op.path
				emu.InjectFault(f)
			}
		}
		// Each changing operation of the phase applied exactly once, reads applied nothing.
		exactlyOnce := func(*terraform.State) error {
			if err := matrixTruth(emu, phase); err != nil {
				return err
			}
			if phase == "read" {
				if n := emu.CountApplied("", "") - beforeTotal; n != 0 {
					return fmt.Errorf("reading applied %d changes", n)
				}
				return nil
			}
			after := appliedCounts(emu, ops)
			for _, op := range ops {
				if n := after[op.name] - before[op.name]; n != 1 {
					return fmt.Errorf("%s %s: %d applied changes in the emulator, want exactly 1", op.name, phase, n)
				}
			}
			if fc.backupOnly {
				for _, c := range emu.Calls() {
					if c.Host != backupHost {
						return fmt.Errorf("call %s %s reached host %s, want only the backup %s", c.Method, c.Path, c.Host, backupHost)
					}
				}
			}
			return nil
		}
		step := resource.TestStep{Config: config, PreConfig: inject, Destroy: phase == "delete"}
		if fc.outcome == fails && len(ops) > 0 {
			step.ExpectError = regexp.MustCompile(fc.errorPattern)
			var callsBefore map[string]int
			clearFaults := func() {
				emu.ClearFaults()
				callsBefore = map[string]int{}
				for _, op := range ops {
					callsBefore[op.name] = emu.CountCalls(op.method, op.path)
				}
			}
			// An untrusted answer is never acted upon: either the failed step did not record the
			// change as done, so the recovery makes the call again, or the provider confirmed
			// the change with a read WeChat Pay answered properly after the failed call.
			retried := func(s *terraform.State) error {
				for _, op := range ops {
					if op.phase == "read" || emu.CountCalls(op.method, op.path) > callsBefore[op.name] {
						continue
					}
					if !confirmedAfterFault(emu.Calls(), op) {
						return fmt.Errorf("%s %s: the state recorded the change from an answer that failed, with no verified read after it", op.name, phase)
					}
				}
				return exactlyOnce(s)
			}
			recovery := resource.TestStep{Config: config, PreConfig: clearFaults, Destroy: phase == "delete", Check: retried}
			if phase == "delete" {
				// A destroy step's Check does not run; the case's CheckDestroy looks instead.
				recovery.Check = nil
			} else {
				recovery.ConfigPlanChecks = emptyAfterApply()
			}
			steps = append(steps, step, recovery)
			continue
		}
		if phase != "delete" {
			step.Check, step.ConfigPlanChecks = exactlyOnce, emptyAfterApply()
		}
		steps = append(steps, step)
	}

	deleteOps := []matrixOp{}
	for _, op := range matrixOps {
		if op.phase == "delete" {
			deleteOps = append(deleteOps, op)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
		CheckDestroy: func(*terraform.State) error {
			if err := matrixTruth(emu, "delete"); err != nil {
				return err
			}
			// Every delete applied exactly once over the whole case: the world was created once.
			for _, op := range deleteOps {
				if op.method != "POST" || strings.HasSuffix(op.path, "changegoldplanstatus") || strings.HasSuffix(op.path, "changecustompagestatus") {
					continue // opened and closed through the same call: counted per phase above
				}
				if n := emu.CountApplied(op.method, op.path); n != 1 {
					return fmt.Errorf("%s delete: %d applied changes in the emulator, want exactly 1", op.name, n)
				}
			}
			return nil
		},
	})
}

// confirmedAfterFault reports whether a GET was answered without a fault after op's faulted call.
func confirmedAfterFault(calls []emulator.Call, op matrixOp) bool {
	faulted := -1
	for i, c := range calls {
		if c.Method == op.method && strings.HasPrefix(c.Path, op.path) && c.Fault != "" {
			faulted = i
		}
	}
	if faulted < 0 {
		return false
	}
	for _, c := range calls[faulted+1:] {
		if c.Method == "GET" && c.Status == 200 && c.Fault == "" {
			return true
		}
	}
	return false
}
