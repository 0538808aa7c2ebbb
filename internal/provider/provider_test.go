package provider

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the Terraform CLI that
// terraform-plugin-testing drives.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"wechatpay": func() (tfprotov6.ProviderServer, error) { return NewProtocol6Server("test")(), nil },
}

const testMchID = "1900000001"

// Key generation costs a few hundred milliseconds, so the whole package shares one set of keys
// and key files; every test still gets an emulator of its own, with its own state.
var shared struct {
	once  sync.Once
	keys  *emulator.Keys
	dir   string // holds files; removed by TestMain
	files emulator.Files
	err   error
}

// TestMain removes the folders the package's tests share (key files, the provider binary of the
// CLI tests) once every test has run: t.TempDir cannot hold what outlives one test.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range []string{shared.dir, providerBinary.dir} {
		if dir != "" {
			_ = os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

func testKeys(t *testing.T) (*emulator.Keys, emulator.Files) {
	t.Helper()
	shared.once.Do(func() {
		shared.keys, shared.err = emulator.GenerateKeys(testMchID)
		if shared.err != nil {
			return
		}
		//nolint:usetesting // made once and shared by every test in the package; t.TempDir would vanish with the first test.
		dir, err := os.MkdirTemp("", "wechatpay-provider-test-keys-")
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = dir
		shared.files, shared.err = shared.keys.WriteFiles(dir)
	})
	if shared.err != nil {
		t.Fatalf("test keys: %v", shared.err)
	}
	return shared.keys, shared.files
}

// testEmulator is an in-process WeChat Pay emulator serving one test.
type testEmulator struct {
	*emulator.Server
	URL   string
	keys  *emulator.Keys
	files emulator.Files
}

func newTestEmulator(t *testing.T, seed emulator.Seed) *testEmulator {
	t.Helper()
	keys, files := testKeys(t)
	srv := emulator.New(emulator.Options{Keys: keys,
		// One caller for every family; the dialect task moves these to per-family callers.
		Dialects: map[string]string{emulator.DialectRoles: "any"}})
	if err := srv.Seed(seed); err != nil {
		t.Fatalf("seed emulator: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return &testEmulator{Server: srv, URL: ts.URL, keys: keys, files: files}
}

// Verification modes a provider block can be configured with.
const (
	modePublicKey   = "public_key"
	modeCertificate = "certificate"
	modeBoth        = "both"
)

// providerConfig is a provider block pointing at the emulator. Retries back off quickly enough
// for tests; the rate limit is far above what a test sends.
func (e *testEmulator) providerConfig(mode string) string {
	verification := ""
	if mode == modePublicKey || mode == modeBoth {
		verification += fmt.Sprintf("  wechatpay_public_key_id   = %q\n  wechatpay_public_key_path = %q\n",
			e.keys.PublicKeyID, e.files.PublicKey)
	}
	if mode == modeCertificate || mode == modeBoth {
		verification += fmt.Sprintf("  apiv3_key = %q\n", e.keys.APIv3Key)
	}
	return fmt.Sprintf(`
provider "wechatpay" {
  mchid                  = %q
  merchant_serial_number = %q
  private_key_path       = %q
  endpoint               = %q
  rate_limit             = 500
  request_timeout        = "5s"
%s}
`, e.keys.MchID, e.keys.MerchantSerial, e.files.MerchantKey, e.URL, verification)
}

func keyFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
