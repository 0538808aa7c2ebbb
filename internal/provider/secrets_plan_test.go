package provider

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Each documented way to pass the APIv3 key keeps it out of a saved plan file, which CI often
// uploads as an artifact. A plain Terraform variable, the way the docs no longer show, is the
// control: Terraform writes its value into the plan, and the search must find it there.
func TestAccSecrets_savedPlanPerDocumentedWay(t *testing.T) {
	cases := []struct {
		name    string
		block   string // the apiv3_key line of the provider block, and any variable
		env     func(key, file string) map[string]string
		minTF   string // the Terraform version that supports the way
		inPlan  bool   // the control: the key is expected in the plan
		keyFile bool
	}{
		{name: "environment variable", env: func(key, _ string) map[string]string { return map[string]string{envAPIv3Key: key} }},
		{name: "file of a path", block: "  apiv3_key = trimspace(file(%q))\n", keyFile: true},
		{name: "ephemeral variable", minTF: "1.10",
			block: "  apiv3_key = var.wechatpay_apiv3_key\n}\n\nvariable \"wechatpay_apiv3_key\" {\n  type      = string\n" +
				"  sensitive = true\n  ephemeral = true\n",
			env: func(key, _ string) map[string]string { return map[string]string{"TF_VAR_wechatpay_apiv3_key": key} }},
		{name: "plain variable (control)", inPlan: true,
			block: "  apiv3_key = var.wechatpay_apiv3_key\n}\n\nvariable \"wechatpay_apiv3_key\" {\n  type      = string\n" +
				"  sensitive = true\n",
			env: func(key, _ string) map[string]string { return map[string]string{"TF_VAR_wechatpay_apiv3_key": key} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearProviderEnv(t)
			if tc.minTF != "" && !terraformAtLeast(t, tc.minTF) {
				t.Skipf("needs Terraform %s or later", tc.minTF)
			}
			emu := newTestEmulator(t, deletionSeed())
			key := emu.Keys().APIv3Key
			path := keyFile(t, "apiv3_key", key+"\n")
			block := tc.block
			if tc.keyFile {
				block = fmt.Sprintf(block, path)
			}
			var env map[string]string
			if tc.env != nil {
				env = tc.env(key, path)
			}
			// Platform-certificate mode only: the plan's refresh must decrypt the certificates.
			config := fmt.Sprintf(`
provider "wechatpay" {
  mchid                  = %q
  merchant_serial_number = %q
  private_key_path       = %q
  endpoint               = %q
%s}

data "wechatpay_merchant_authorization_state" "m" {
  sub_mchid = "1900000109"
}

resource "wechatpay_goldplan_status" "g" {
  sub_mchid = data.wechatpay_merchant_authorization_state.m.sub_mchid
}
`, emu.Keys().MchID, emu.Keys().MerchantSerial, emu.files.MerchantKey, emu.URL, block)
			run := newCLIRun(t, config, env)
			run.terraform("plan", "-input=false", "-out=tfplan")
			if n := emu.CountCalls("GET", "/v3/certificates"); n == 0 {
				t.Fatalf("the plan did not download the platform certificates: the APIv3 key was not used")
			}
			found := planHolds(t, run, key)
			if found != tc.inPlan {
				t.Errorf("the APIv3 key is in the saved plan: %v, want %v", found, tc.inPlan)
			}
			run.terraform("apply", "-input=false", "tfplan")
		})
	}
}

// planHolds reports whether the saved plan tfplan, any file in it or its `terraform show -json`,
// holds s.
func planHolds(t *testing.T, run *cliRun, s string) bool {
	t.Helper()
	for _, b := range planFiles(t, filepath.Join(run.dir, "tfplan")) {
		if strings.Contains(string(b), s) {
			return true
		}
	}
	out, err := run.run([]string{"show", "-json", "tfplan"})
	if err != nil {
		t.Fatalf("terraform show -json tfplan: %v\n%s", err, out)
	}
	return strings.Contains(out, s)
}

// planFiles are the files of a saved plan, a zip archive, uncompressed, by name.
func planFiles(t *testing.T, path string) map[string][]byte {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer z.Close()
	files := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
	}
	return files
}

// terraformAtLeast reports whether the Terraform of TF_ACC_TERRAFORM_PATH is at least v.
func terraformAtLeast(t *testing.T, v string) bool {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		return false
	}
	out, err := exec.Command(tf, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", tf, err)
	}
	var got struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%s version -json: %v", tf, err)
	}
	var haveMajor, haveMinor, wantMajor, wantMinor int
	if _, err := fmt.Sscanf(got.Version, "%d.%d", &haveMajor, &haveMinor); err != nil {
		t.Fatalf("Terraform version %q: %v", got.Version, err)
	}
	if _, err := fmt.Sscanf(v, "%d.%d", &wantMajor, &wantMinor); err != nil {
		t.Fatal(err)
	}
	return haveMajor > wantMajor || haveMajor == wantMajor && haveMinor >= wantMinor
}
