package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the Terraform CLI that
// terraform-plugin-testing drives.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"wechatpay": func() (tfprotov6.ProviderServer, error) { return NewProtocol6Server("test")(), nil },
}

// TestMain removes the provider binary the CLI tests share once every test has run:
// t.TempDir cannot hold what outlives one test.
func TestMain(m *testing.M) {
	code := m.Run()
	if providerBinary.dir != "" {
		_ = os.RemoveAll(providerBinary.dir)
	}
	os.Exit(code)
}

// testEmulator is an emulator serving one test, with the key files a provider block names.
type testEmulator struct {
	*emulatortest.Emulator
	files emulator.Files
}

// newTestEmulator starts an emulator for one test under roles=strict, the emulator's default:
// each API family answers only the callers its page supports. Seeded partnerships belong to the
// emulator's ordinary merchant unless the seed names their owner, since only an ordinary merchant
// (普通商户) builds partnerships.
func newTestEmulator(t *testing.T, seed emulator.Seed, opts ...emulatortest.Option) *testEmulator {
	t.Helper()
	seed.Partnerships = slices.Clone(seed.Partnerships)
	for i := range seed.Partnerships {
		if seed.Partnerships[i].OwnerMchid == "" {
			seed.Partnerships[i].OwnerMchid = emulator.CallerMerchant
		}
	}
	opts = append([]emulatortest.Option{emulatortest.WithSeed(seed)}, opts...)
	return &testEmulator{Emulator: emulatortest.New(t, opts...), files: emulatortest.KeyFiles(t)}
}

// anyCaller lets every caller use every API family (roles=any), for the few tests about something
// else that must send every family's calls through one in-process provider configuration.
func anyCaller() emulatortest.Option {
	return emulatortest.WithOptions(func(o *emulator.Options) {
		o.Dialects = map[string]string{emulator.DialectRoles: "any"}
	})
}

// Verification modes a provider block can be configured with.
const (
	modePublicKey   = "public_key"
	modeCertificate = "certificate"
	modeBoth        = "both"
)

// providerConfig is a provider block signing as the emulator's default caller, a channel partner
// (渠道商, 1900000001): the gold plan, pay-gift and authorization-state pages all support it.
func (e *testEmulator) providerConfig(mode string) string {
	return e.callerConfig(emulator.CallerChannelPartner, "", mode)
}

// merchantConfig is a provider block signing as the emulator's ordinary merchant (普通商户,
// 1900000004), the one caller the partnership pages support.
func (e *testEmulator) merchantConfig(mode string) string {
	return e.callerConfig(emulator.CallerMerchant, "", mode)
}

// callerConfig is a provider block pointing at the emulator and signing as one of its callers,
// with the given alias ("" for none). Retries back off quickly enough for tests; the rate limit is
// far above what a test sends.
func (e *testEmulator) callerConfig(caller, alias, mode string) string {
	c, ok := e.Keys().Caller(caller)
	if !ok {
		panic("the emulator has no caller " + caller)
	}
	key := e.files.CallerKeys[caller]
	if caller == emulator.CallerChannelPartner || key == "" {
		key = e.files.MerchantKey
	}
	verification := ""
	if mode == modePublicKey || mode == modeBoth {
		verification += fmt.Sprintf("  wechatpay_public_key_id   = %q\n  wechatpay_public_key_path = %q\n",
			e.Keys().PublicKeyID, e.files.PublicKey)
	}
	if mode == modeCertificate || mode == modeBoth {
		verification += fmt.Sprintf("  apiv3_key = %q\n", e.Keys().APIv3Key)
	}
	if alias != "" {
		alias = fmt.Sprintf("  alias                  = %q\n", alias)
	}
	return fmt.Sprintf(`
provider "wechatpay" {
%s  mchid                  = %q
  merchant_serial_number = %q
  private_key_path       = %q
  endpoint               = %q
  rate_limit             = 500
  request_timeout        = "5s"
%s}
`, alias, c.MchID, c.Serial, key, e.URL, verification)
}

func keyFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func init() {
	// Retries back off by milliseconds in this package's tests; the real proportions are kept by
	// tests that need them (withClientConfig).
	testClientConfig = func(c *wxpay.Config) { c.BackoffBase, c.BackoffMax = time.Millisecond, 5*time.Millisecond }
}

// withClientConfig changes the client configuration of every provider Configure during one test.
func withClientConfig(t *testing.T, mod func(*wxpay.Config)) {
	prev := testClientConfig
	testClientConfig = mod
	t.Cleanup(func() { testClientConfig = prev })
}

// TestPolicy_noVerificationSwitch: no provider setting can weaken answer verification or
// transport security. The client has no such knob either (wxpay.TestPolicyVerificationHasNoOffSwitch);
// this keeps one from appearing in the provider's schema, and keeps every secret Sensitive.
func TestPolicy_noVerificationSwitch(t *testing.T) {
	var resp provider.SchemaResponse
	New("test")().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	switchOff := regexp.MustCompile(`(?i)skip|insecure|verif|unsafe|trust|tls|disable`)
	for name, attr := range resp.Schema.Attributes {
		if switchOff.MatchString(name) {
			t.Errorf("provider attribute %q looks like a way to weaken verification", name)
		}
		sa, ok := attr.(schema.StringAttribute)
		if !ok {
			continue
		}
		if secret := name == "private_key" || name == "apiv3_key"; secret && !sa.Sensitive {
			t.Errorf("provider attribute %q holds a secret but is not Sensitive", name)
		}
	}
	if len(resp.Schema.Attributes) == 0 {
		t.Fatal("empty provider schema")
	}
}

// hclList spells values as an HCL list of strings.
func hclList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// stringListOf checks for a list of exactly these strings, in this order.
func stringListOf(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}

// stringSetOf checks for a set of exactly these strings.
func stringSetOf(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.SetExact(checks)
}

// emptyAfterApply checks that the plan after the apply and refresh is empty: the state holds what
// the configuration asks for.
func emptyAfterApply() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

// actionThenEmpty checks that the plan takes action on addr and that the plan after the apply and
// refresh is empty.
func actionThenEmpty(addr string, action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
}
