package provider

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
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

// terraform runs a command that must succeed.
func (r *cliRun) terraform(args ...string) {
	r.t.Helper()
	if out, err := r.run(args); err != nil {
		r.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// terraformFails runs a command that must fail and returns its output.
func (r *cliRun) terraformFails(args ...string) string {
	r.t.Helper()
	out, err := r.run(args)
	if err == nil {
		r.t.Fatalf("terraform %s succeeded, want an error\n%s", strings.Join(args, " "), out)
	}
	return out
}

// run runs a command and keeps its output with the others'.
func (r *cliRun) run(args []string) (string, error) {
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), append(args, "-no-color")...)
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.CombinedOutput()
	r.outputs.WriteString("$ terraform " + strings.Join(args, " ") + "\n")
	r.outputs.Write(out)
	return string(out), err
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
	var rec *secretRecorder
	emu := newTestEmulator(t, emulator.Seed{
		CallerRole: emulator.RoleChannelPartner,
		SubMerchants: []emulator.SubMerchant{
			{SubMchid: "1900000109", AuthorizeState: "AUTHORIZE_STATE_AUTHORIZED"},
			{SubMchid: "1900000110"},
		},
		Activities: []emulator.Activity{{ActivityID: "10028001"}},
	}, emulatortest.WithHandler(func(next http.Handler) http.Handler {
		rec = &secretRecorder{next: next}
		return rec
	}))
	keys, files := emu.Keys(), emu.files

	keyPEM, err := os.ReadFile(files.MerchantKey)
	if err != nil {
		t.Fatal(err)
	}
	merchant, _ := keys.Caller(emulator.CallerMerchant)
	run := newCLIRun(t, fmt.Sprintf(`
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

# Partnerships are an ordinary merchant's: an alias signs as it, the rest from the environment.
provider "wechatpay" {
  alias                  = "merchant"
  mchid                  = %q
  merchant_serial_number = %q
  private_key_path       = %q
  rate_limit             = 500
}

resource "wechatpay_marketing_partnership" "mp" {
  provider        = wechatpay.merchant
  partner         = { type = "APPID", appid = "wx4e1916a585d1f4e9" }
  authorized_data = { business_type = "BUSIFAVOR_STOCK", stock_id = "98065001" }
}
`, merchant.MchID, merchant.Serial, files.CallerKeys[emulator.CallerMerchant]), map[string]string{
		envMchID:                keys.MchID,
		envMerchantSerialNumber: keys.MerchantSerial,
		envPrivateKey:           string(keyPEM),
		envEndpoint:             emu.URL,
		envAPIv3Key:             keys.APIv3Key,
	})

	run.terraform("plan", "-input=false", "-out=tfplan")
	run.terraform("show", "tfplan")
	run.terraform("show", "-json", "tfplan")
	run.terraform("apply", "-input=false", "tfplan")
	run.terraform("show")
	run.terraform("plan", "-input=false", "-detailed-exitcode") // exit 2 would fail: nothing may change
	run.terraform("destroy", "-input=false", "-auto-approve")

	if n := emu.CountApplied("", ""); n < 3 {
		t.Fatalf("the emulator applied %d changes, want at least 3: the run did not exercise the resources", n)
	}
	if n := emu.CountCalls("GET", "/v3/certificates"); n == 0 {
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
	// A saved plan is a zip archive: search its files uncompressed too.
	for name, b := range planFiles(t, filepath.Join(run.dir, "tfplan")) {
		haystacks["work/tfplan:"+name] = b
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

// pemBody is the base64 body of a PEM text, on one line.
func pemBody(t *testing.T, pemText string) string {
	t.Helper()
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		t.Fatal("not PEM")
	}
	return base64.StdEncoding.EncodeToString(block.Bytes)
}

// secretRuns indexes every run of 16 characters of the secrets, to find any of them in
// megabytes of log at once.
type secretRuns map[string]string

const secretRunLen = 16

func (s secretRuns) add(what, secret string) {
	for i := 0; i+secretRunLen <= len(secret); i++ {
		s[secret[i:i+secretRunLen]] = what
	}
}

// find returns what the first run of a secret found in hay belongs to, and where.
func (s secretRuns) find(hay []byte) (what string, at int, found bool) {
	for i := 0; i+secretRunLen <= len(hay); i++ {
		if w, ok := s[string(hay[i:i+secretRunLen])]; ok {
			return w, i, true
		}
	}
	return "", 0, false
}

// TestAccSecrets_noKeyMaterialInAnyError puts a real key, and the APIv3 key, into every setting
// that can hold a secret, in the provider block (through a variable, as CI does) and in the
// environment, and drives each through every way of being wrong: key text where a path belongs,
// an unreadable path, a path made of key text, a file or text that is not PEM, a truncated key, a
// key of the wrong type, two forms at once, a key of the wrong length, a secret in an identity
// setting. Each run must fail with its own diagnostic, and neither Terraform's output nor its
// TRACE log may hold any run of 16 characters of a key's base64 body or of the APIv3 key: the
// error of opening a "path" that holds a key would print it.
func TestAccSecrets_noKeyMaterialInAnyError(t *testing.T) {
	if os.Getenv("TF_ACC") == "" || os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Skip("needs TF_ACC=1 and TF_ACC_TERRAFORM_PATH (the real Terraform CLI)")
	}
	clearProviderEnv(t)
	emu := newTestEmulator(t, authorizationSeed("CHANNEL_PARTNER"))
	keyPEM, pubPEM, ecPEM := readFile(t, emu.files.MerchantKey), readFile(t, emu.files.PublicKey), ecPrivateKeyPEM(t)
	keyBody, pubBody := pemBody(t, keyPEM), pemBody(t, pubPEM)
	apiv3 := emu.Keys().APIv3Key

	secrets := secretRuns{}
	secrets.add("the merchant private key", keyBody)
	secrets.add("the EC private key", pemBody(t, ecPEM))
	secrets.add("the WeChat Pay public key", pubBody)
	secrets.add("the APIv3 key", apiv3)
	for _, s := range []string{keyPEM, pubPEM, ecPEM} { // as the PEM lines, in case a message wraps them
		for _, line := range strings.Split(s, "\n") {
			if !strings.HasPrefix(line, "-----") {
				secrets.add("a PEM line", line)
			}
		}
	}

	lines := func(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") }
	truncate := func(s string) string { // header, half of the body, footer
		l := lines(s)
		return strings.Join(append(l[:len(l)/2], l[len(l)-1]), "\n") + "\n"
	}
	bodyLines := strings.Join(lines(keyPEM)[1:len(lines(keyPEM))-1], "\n") + "\n"
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var (
		bodyOnlyFile  = file("body-only.pem", bodyLines)
		truncatedFile = file("truncated.pem", truncate(keyPEM))
		ecFile        = file("ec.pem", ecPEM)
		keyFile       = emu.files.MerchantKey
		pubFile       = emu.files.PublicKey
		missing       = "/nonexistent/" + keyBody[:64] + ".pem"
	)

	const (
		keyText     = `Key\s+Text\s+in\s+a\s+Key\s+Path\s+Setting`
		unreadable  = `Unreadable\s+Key\s+File`
		badKey      = `Invalid\s+Merchant\s+Private\s+Key`
		badPub      = `Invalid\s+WeChat\s+Pay\s+Public\s+Key`
		conflicting = `(Conflicting|cannot\s+be\s+specified|Invalid\s+Attribute\s+Combination)`
		badAPIv3    = `Invalid\s+APIv3\s+Key`
	)
	cases := []struct {
		name    string
		set     map[string]string // attribute: value
		wantErr string
	}{
		{"private key path holds the key", map[string]string{"private_key_path": keyPEM}, keyText},
		{"private key path holds the key body on one line", map[string]string{"private_key_path": keyBody}, unreadable},
		{"private key path made of key text does not exist", map[string]string{"private_key_path": missing}, unreadable + `.*no\s+such\s+file`},
		{"private key path is a folder", map[string]string{"private_key_path": dir}, unreadable + `.*directory`},
		{"private key file without PEM lines", map[string]string{"private_key_path": bodyOnlyFile}, badKey + `.*no\s+PEM\s+block`},
		{"private key file truncated", map[string]string{"private_key_path": truncatedFile}, badKey},
		{"private key file of the wrong type", map[string]string{"private_key_path": ecFile}, badKey},
		{"private key file is the public key", map[string]string{"private_key_path": pubFile}, badKey + `.*PUBLIC\s+KEY`},
		{"private key without PEM lines", map[string]string{"private_key": bodyLines}, badKey + `.*no\s+PEM\s+block`},
		{"private key truncated", map[string]string{"private_key": truncate(keyPEM)}, badKey},
		{"private key of the wrong type", map[string]string{"private_key": ecPEM}, badKey},
		{"private key is the public key", map[string]string{"private_key": pubPEM}, badKey},
		{"private key in both forms", map[string]string{"private_key": keyPEM, "private_key_path": keyPEM}, conflicting},
		{"private key text and file", map[string]string{"private_key": keyPEM, "private_key_path": keyFile}, conflicting},

		{"public key path holds the private key", map[string]string{"wechatpay_public_key_path": keyPEM}, keyText},
		{"public key path made of key text does not exist", map[string]string{"wechatpay_public_key_path": missing}, unreadable},
		{"public key file is the private key", map[string]string{"wechatpay_public_key_path": keyFile}, badPub + `.*PRIVATE\s+KEY`},
		{"public key is the private key", map[string]string{"wechatpay_public_key": keyPEM}, badPub + `.*PRIVATE\s+KEY`},
		{"public key truncated", map[string]string{"wechatpay_public_key": truncate(pubPEM)}, badPub},
		{"public key in both forms", map[string]string{"wechatpay_public_key": keyPEM, "wechatpay_public_key_path": keyPEM}, conflicting},

		{"APIv3 key one byte short", map[string]string{"apiv3_key": apiv3[:31]}, badAPIv3},
		{"APIv3 key one byte long", map[string]string{"apiv3_key": apiv3 + "x"}, badAPIv3},
		{"APIv3 key with a line break", map[string]string{"apiv3_key": apiv3 + "\n"}, badAPIv3 + `.*line\s+break`},

		{"APIv3 key as the private key path", map[string]string{"private_key_path": apiv3}, unreadable},
		{"APIv3 key as the merchant id", map[string]string{"mchid": apiv3}, `Invalid\s+Merchant\s+ID`},
		{"key text as the serial number", map[string]string{"merchant_serial_number": keyBody[:40]}, `Invalid\s+Merchant\s+Certificate\s+Serial`},
		{"key text as the public key id", map[string]string{"wechatpay_public_key_id": keyPEM}, `Invalid\s+WeChat\s+Pay\s+Public\s+Key\s+ID`},
	}

	// The good settings every case starts from; a case replaces the ones of the same key pair.
	good := map[string]string{
		"mchid": emu.Keys().MchID, "merchant_serial_number": emu.Keys().MerchantSerial, "endpoint": emu.URL,
		"private_key_path": keyFile, "wechatpay_public_key_id": emu.Keys().PublicKeyID, "wechatpay_public_key_path": pubFile,
	}
	pairOf := map[string][]string{
		"private_key": {"private_key", "private_key_path"}, "private_key_path": {"private_key", "private_key_path"},
		"wechatpay_public_key":      {"wechatpay_public_key", "wechatpay_public_key_path"},
		"wechatpay_public_key_path": {"wechatpay_public_key", "wechatpay_public_key_path"},
	}
	envOf := map[string]string{
		"mchid": envMchID, "merchant_serial_number": envMerchantSerialNumber, "private_key": envPrivateKey,
		"private_key_path": envPrivateKeyPath, "wechatpay_public_key_id": envPublicKeyID, "wechatpay_public_key": envPublicKey,
		"wechatpay_public_key_path": envPublicKeyPath, "apiv3_key": envAPIv3Key,
	}
	runs := 0
	for _, tc := range cases {
		for _, form := range []string{"block", "environment"} {
			t.Run(tc.name+"/"+form, func(t *testing.T) {
				block := map[string]string{}
				for k, v := range good {
					block[k] = v
				}
				for attr := range tc.set {
					for _, a := range append(pairOf[attr], attr) {
						delete(block, a)
					}
				}
				var config strings.Builder
				env := map[string]string{}
				for attr, value := range tc.set {
					if form == "environment" {
						env[envOf[attr]] = value
						continue
					}
					fmt.Fprintf(&config, "variable %q {\n  type = string\n}\n", attr)
					env["TF_VAR_"+attr] = value
				}
				config.WriteString("provider \"wechatpay\" {\n")
				for attr, value := range block {
					fmt.Fprintf(&config, "  %s = %q\n", attr, value)
				}
				if form == "block" {
					for attr := range tc.set {
						fmt.Fprintf(&config, "  %s = var.%s\n", attr, attr)
					}
				}
				config.WriteString("}\n")
				run := newCLIRun(t, authorizationStateConfig(config.String(), "1900000109"), env)
				out := run.terraformFails("plan", "-input=false")
				log, err := os.ReadFile(run.logPath)
				if err != nil {
					t.Fatal(err)
				}
				for where, hay := range map[string][]byte{"the output": []byte(out), "the TRACE log": log} {
					if what, at, found := secrets.find(hay); found {
						t.Errorf("%s holds part of %s: …%s…", where, what, hay[max(0, at-40):min(len(hay), at+secretRunLen+40)])
					}
				}
				// The run must have failed where the case says, with the provider's calls in the log,
				// or searching them proves nothing.
				if !regexp.MustCompile(`(?s)Error: .*` + tc.wantErr).MatchString(out) {
					t.Fatalf("the plan did not fail with %s:\n%s", tc.wantErr, out)
				}
				if !bytes.Contains(log, []byte("ValidateProviderConfig")) {
					t.Fatal("the TRACE log holds no provider calls")
				}
				if os.Getenv("SHOW_OUT") != "" {
					t.Log(out)
				}
				runs++
			})
		}
	}
	if want := 2 * len(cases); runs != want {
		t.Errorf("%d of %d runs completed", runs, want)
	}
	if n := len(emu.Calls()); n != 0 {
		t.Errorf("broken settings reached the emulator %d times, want 0", n)
	}
}

// TestAccSecrets_documentedConfigsKeepPlansClean runs every provider configuration the docs show
// (the files of examples/provider themselves, so that the docs cannot drift into a leaking
// example) through `plan -out` and `apply` of the saved plan with the real CLI, and searches the
// plan for the APIv3 key and the private key. TestAccSecrets_savedPlanPerDocumentedWay shows the
// search finds a key passed the wrong way. Terraform writes the value of
// every ordinary variable into a saved plan, sensitive or not, and CI systems keep plans as
// artifacts: a documented way to pass a secret must keep it out. Examples that need a newer
// Terraform than the one under test are skipped.
func TestAccSecrets_documentedConfigsKeepPlansClean(t *testing.T) {
	examples, err := filepath.Glob("../../examples/provider/*.tf")
	if err != nil || len(examples) == 0 {
		t.Fatalf("no provider examples found (%v)", err)
	}
	for _, example := range examples {
		t.Run(filepath.Base(example), func(t *testing.T) {
			clearProviderEnv(t)
			emu := newTestEmulator(t, emulator.Seed{
				CallerRole:   emulator.RoleChannelPartner,
				SubMerchants: []emulator.SubMerchant{{SubMchid: "1900000109", AuthorizeState: "AUTHORIZE_STATE_AUTHORIZED"}},
			})
			keys, files := emu.Keys(), emu.files
			src, err := os.ReadFile(example)
			if err != nil {
				t.Fatal(err)
			}
			config := documentedConfig(t, string(src), keys)
			config += `
data "wechatpay_merchant_authorization_state" "m" {
  sub_mchid = "1900000109"
}
`
			keyPEM, err := os.ReadFile(files.MerchantKey)
			if err != nil {
				t.Fatal(err)
			}
			pubPEM, err := os.ReadFile(files.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			// The environment a CI job gives every example: the endpoint, and the secrets in the
			// variables the examples name. A setting the example's block holds wins over these.
			env := map[string]string{
				envEndpoint:                  emu.URL,
				envMchID:                     keys.MchID,
				envMerchantSerialNumber:      keys.MerchantSerial,
				envPrivateKey:                string(keyPEM),
				envPublicKeyID:               keys.PublicKeyID,
				envPublicKeyPath:             files.PublicKey,
				envAPIv3Key:                  keys.APIv3Key,
				"TF_VAR_wechatpay_apiv3_key": keys.APIv3Key,
			}
			run := newCLIRun(t, config, env)
			if regexp.MustCompile(`(?m)^\s*ephemeral\s*=\s*true`).MatchString(config) && !terraformAtLeast(t, "1.10") {
				t.Skip("ephemeral variables need Terraform 1.10 or later")
			}
			secretsDir := filepath.Join(run.dir, "secrets")
			if err := os.MkdirAll(secretsDir, 0o700); err != nil {
				t.Fatal(err)
			}
			for name, content := range map[string]string{"apiclient_key.pem": string(keyPEM), "pub_key.pem": string(pubPEM),
				"apiv3_key": keys.APIv3Key + "\n"} {
				if err := os.WriteFile(filepath.Join(secretsDir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}

			run.terraform("plan", "-input=false", "-out=tfplan")
			run.terraform("apply", "-input=false", "tfplan")
			if emu.CountCalls("GET", "") == 0 {
				t.Fatal("the emulator saw no call: the example's provider configuration was never used")
			}
			for what, secret := range map[string]string{"APIv3 key": keys.APIv3Key, "private key": pemBody(t, string(keyPEM))[:64]} {
				if planHolds(t, run, secret) {
					t.Errorf("the saved plan holds the %s", what)
				}
			}
		})
	}
}

// documentedConfig makes a provider example runnable against the test emulator: its own
// `terraform` block goes (the test writes one), and the example's placeholder serial and public
// key id become the emulator's.
func documentedConfig(t *testing.T, src string, keys *emulator.Keys) string {
	t.Helper()
	if i := strings.Index(src, "terraform {"); i >= 0 {
		end := strings.Index(src[i:], "\n}\n")
		if end < 0 {
			t.Fatal("the example's terraform block does not end")
		}
		src = src[:i] + src[i+end+3:]
	}
	for placeholder, value := range map[string]string{
		"5157F09EFDC096DE15EBE81A47057A7232F1B8E1": keys.MerchantSerial,
		"PUB_KEY_ID_0114232134912410000000000000":  keys.PublicKeyID,
	} {
		src = strings.ReplaceAll(src, placeholder, value)
	}
	return src
}
