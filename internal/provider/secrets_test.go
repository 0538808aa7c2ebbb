package provider

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// secretRecorder wraps the emulator and keeps every Authorization header and answer signature
// that crossed the wire, so the test knows exactly which strings must never show up anywhere.
type secretRecorder struct {
	next http.Handler
	mu   sync.Mutex
	seen []string
}

type headerCapture struct {
	http.ResponseWriter
	rec *secretRecorder
}

func (w headerCapture) WriteHeader(status int) {
	if sig := w.Header().Get("Wechatpay-Signature"); sig != "" {
		w.rec.add(sig)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w headerCapture) Write(b []byte) (int, error) {
	if sig := w.Header().Get("Wechatpay-Signature"); sig != "" {
		w.rec.add(sig)
	}
	return w.ResponseWriter.Write(b)
}

var signatureField = regexp.MustCompile(`signature="([^"]+)"`)

func (r *secretRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if a := req.Header.Get("Authorization"); a != "" {
		r.add(a)
		if m := signatureField.FindStringSubmatch(a); m != nil {
			r.add(m[1])
		}
	}
	r.next.ServeHTTP(headerCapture{w, r}, req)
}

func (r *secretRecorder) add(s string) {
	r.mu.Lock()
	r.seen = append(r.seen, s)
	r.mu.Unlock()
}

func (r *secretRecorder) secrets() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// buildProvider compiles the provider binary once per test binary, for tests that drive the
// real Terraform CLI against it through a dev override.
var providerBinary struct {
	once sync.Once
	dir  string
	err  error
}

func buildProvider(t *testing.T) string {
	t.Helper()
	providerBinary.once.Do(func() {
		//nolint:usetesting // built once and shared by every CLI test; t.TempDir would vanish with the first test.
		dir, err := os.MkdirTemp("", "wechatpay-provider-bin-")
		if err != nil {
			providerBinary.err = err
			return
		}
		providerBinary.dir = dir // removed by TestMain, even if the build fails
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-wechatpay"), "../..")
		if out, err := cmd.CombinedOutput(); err != nil {
			providerBinary.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
	})
	if providerBinary.err != nil {
		t.Fatal(providerBinary.err)
	}
	return providerBinary.dir
}

// cliRun is a working directory for the real Terraform CLI with the freshly built provider.
type cliRun struct {
	t       *testing.T
	dir     string
	env     []string
	logPath string
	outputs bytes.Buffer
}

func newCLIRun(t *testing.T, config string, env map[string]string) *cliRun {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("needs TF_ACC=1 and TF_ACC_TERRAFORM_PATH (the real Terraform CLI)")
	}
	binDir := buildProvider(t)
	dir := t.TempDir()
	rc := filepath.Join(dir, "terraformrc")
	err := os.WriteFile(rc, []byte(fmt.Sprintf(`disable_checkpoint = true
provider_installation {
  dev_overrides {
    "registry.terraform.io/wxpay-tf/wechatpay" = %[1]q
    "registry.opentofu.org/wxpay-tf/wechatpay" = %[1]q
  }
  direct {}
}
`, binDir)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if err := os.MkdirAll(work, 0o700); err != nil {
		t.Fatal(err)
	}
	main := `terraform {
  required_providers {
    wechatpay = { source = "wxpay-tf/wechatpay" }
  }
}
` + config
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &cliRun{t: t, dir: work, logPath: filepath.Join(dir, "terraform.log")}
	r.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_LOG=TRACE", "TF_LOG_PATH="+r.logPath)
	for k, v := range env {
		r.env = append(r.env, k+"="+v)
	}
	return r
}

func (r *cliRun) terraform(args ...string) {
	r.t.Helper()
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), append(args, "-no-color")...)
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.CombinedOutput()
	r.outputs.WriteString("$ terraform " + strings.Join(args, " ") + "\n")
	r.outputs.Write(out)
	if err != nil {
		r.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestAccSecrets_neverInLogsStateOrPlan runs plan, apply and destroy with the real Terraform CLI
// at TF_LOG=TRACE, in platform-certificate mode so that the APIv3 key decrypts certificates, then searches the log, every command's output, the saved plan and the
// state files for the merchant private key, the APIv3 key, and every Authorization header and
// signature the emulator saw or sent. Credentials come from the provider's environment
// variables, as the docs advise: a credential passed through a Terraform variable is written
// into saved plan files by Terraform itself (`terraform show -json` prints it), whatever the
// provider does.
func TestAccSecrets_neverInLogsStateOrPlan(t *testing.T) {
	clearProviderEnv(t)
	keys, files := testKeys(t)
	srv := emulator.New(emulator.Options{Keys: keys})
	err := srv.Seed(emulator.Seed{
		CallerRole: emulator.RoleChannelPartner,
		SubMerchants: []emulator.SubMerchant{
			{SubMchid: "1900000109", AuthorizeState: "AUTHORIZE_STATE_AUTHORIZED"},
			{SubMchid: "1900000110"},
		},
		Activities: []emulator.Activity{{ActivityID: "10028001"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := &secretRecorder{next: srv}
	hs := httptest.NewServer(rec)
	t.Cleanup(func() { hs.Close(); srv.Close() })

	keyPEM, err := os.ReadFile(files.MerchantKey)
	if err != nil {
		t.Fatal(err)
	}
	run := newCLIRun(t, `
provider "wechatpay" {
  rate_limit = 500
}

data "wechatpay_merchant_authorization_state" "m" {
  sub_mchid = "1900000109"
}

resource "wechatpay_goldplan_status" "g" {
  sub_mchid  = data.wechatpay_merchant_authorization_state.m.sub_mchid
  pay_scenes = ["JSAPI", "MINIPROGRAM"]
}

resource "wechatpay_paygift_activity_merchant" "p" {
  activity_id = "10028001"
  merchant_id = "1900000110"
}

resource "wechatpay_marketing_partnership" "mp" {
  partner         = { type = "APPID", appid = "wx4e1916a585d1f4e9" }
  authorized_data = { business_type = "BUSIFAVOR_STOCK", stock_id = "98065001" }
}
`, map[string]string{
		envMchID:                keys.MchID,
		envMerchantSerialNumber: keys.MerchantSerial,
		envPrivateKey:           string(keyPEM),
		envEndpoint:             hs.URL,
		envAPIv3Key:             keys.APIv3Key,
	})

	run.terraform("plan", "-input=false", "-out=tfplan")
	run.terraform("show", "tfplan")
	run.terraform("show", "-json", "tfplan")
	run.terraform("apply", "-input=false", "tfplan")
	run.terraform("show")
	run.terraform("plan", "-input=false", "-detailed-exitcode") // exit 2 would fail: nothing may change
	run.terraform("destroy", "-input=false", "-auto-approve")

	if n := srv.CountApplied("", ""); n < 3 {
		t.Fatalf("the emulator applied %d changes, want at least 3: the run did not exercise the resources", n)
	}
	if n := srv.CountCalls("GET", "/v3/certificates"); n == 0 {
		t.Fatal("platform certificates were never downloaded: the APIv3 key was not exercised")
	}

	haystacks := map[string][]byte{"command output": run.outputs.Bytes()}
	for _, name := range []string{"terraform.log", "work/tfplan", "work/terraform.tfstate", "work/terraform.tfstate.backup"} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(run.dir), name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		haystacks[name] = b
	}
	// A saved plan is a zip archive: search its files uncompressed.
	zr, err := zip.NewReader(bytes.NewReader(haystacks["work/tfplan"]), int64(len(haystacks["work/tfplan"])))
	if err != nil {
		t.Fatalf("tfplan: %v", err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		haystacks["work/tfplan:"+f.Name] = b
	}
	// The log must hold the provider's own TRACE output, or searching it proves nothing.
	if !bytes.Contains(haystacks["terraform.log"], []byte("WeChat Pay API call")) {
		t.Fatal("the TRACE log holds no provider log lines; the search below would prove nothing")
	}

	needles := map[string]string{"APIv3 key": keys.APIv3Key}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		t.Fatal("merchant key file is not PEM")
	}
	needles["private key (DER, base64)"] = base64.StdEncoding.EncodeToString(block.Bytes)
	for i, line := range strings.Split(string(keyPEM), "\n") {
		if len(line) >= 40 && !strings.HasPrefix(line, "-----") {
			needles[fmt.Sprintf("private key PEM line %d", i)] = line
		}
	}
	secrets := rec.secrets()
	if len(secrets) < 10 {
		t.Fatalf("captured only %d Authorization headers and signatures", len(secrets))
	}
	for i, s := range secrets {
		needles[fmt.Sprintf("captured Authorization header or signature #%d", i)] = s
	}
	for where, hay := range haystacks {
		for what, needle := range needles {
			if bytes.Contains(hay, []byte(needle)) {
				t.Errorf("%s contains the %s", where, what)
			}
		}
	}
}
