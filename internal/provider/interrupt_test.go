package provider

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

// What a user is told when a call never got its answer: a timeout says what is true of request
// numbers (reused by the retries of one operation only, issue 13), and an interrupt (Ctrl-C) is
// not called a timeout.

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
  timeouts  = { create = "2s" }
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
