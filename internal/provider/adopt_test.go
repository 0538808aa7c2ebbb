package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

// Adopting an existing fleet (issue 16): pay-gift memberships made by hand or by scripts, and
// partnership grants, some of them terminated, brought under Terraform without a single change
// at WeChat Pay. Each family has its own caller, as in real use: the pay-gift calls are made by
// the service provider, the partnership calls by the ordinary merchant that owns the stocks, so
// the configuration has one provider alias per caller, each pointing at an emulator of its own.
// These tests drive the real CLI: terraform query cannot be run by terraform-plugin-testing with
// -generate-config-out, and the data source path ends in files a user writes.

const (
	// The activities examples/adopt names.
	fleetActivityA     = "10028001" // adopted merchant by merchant
	fleetActivityB     = "10028002" // adopted merchant by merchant
	fleetActivityWhole = "10028003" // adopted as one authoritative list
	fleetMerchantMchID = "1900000002"
)

// fleet is the existing fleet: 130 + 90 single memberships, a list of 60 to adopt whole, and
// 100 partnerships of which every tenth is terminated.
type fleet struct {
	payGift, merchant *testEmulator
	members           map[string][]string // activity → merchant ids, for single memberships
	whole             []string
	established       []string // import ids of the grants in force
	terminated        []string
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	f := &fleet{members: map[string][]string{}}
	ids := bulkMerchants(280)
	f.members[fleetActivityA], f.members[fleetActivityB], f.whole = ids[:130], ids[130:220], ids[220:]
	seed := emulator.Seed{CallerRole: emulator.RoleServiceProvider, Activities: []emulator.Activity{
		{ActivityID: fleetActivityA, Name: "Spring pay-gift", Merchants: f.members[fleetActivityA]},
		{ActivityID: fleetActivityB, Name: "Summer pay-gift", Merchants: f.members[fleetActivityB]},
		{ActivityID: fleetActivityWhole, Name: "Member days", Merchants: f.whole},
	}}
	for i, id := range ids {
		sub := emulator.SubMerchant{SubMchid: id}
		if i%7 == 0 {
			sub.Name = fmt.Sprintf("Shop %d", i)
		}
		seed.SubMerchants = append(seed.SubMerchants, sub)
	}
	f.payGift = newTestEmulator(t, seed)

	var grants emulator.Seed
	grants.CallerRole = emulator.RoleMerchant
	for i := range 100 {
		p := emulator.Partnership{Partner: emulator.Partner{Type: "APPID", AppID: fmt.Sprintf("wxfleet%06d", i)},
			AuthorizedData: emuBusiStock(fmt.Sprintf("97%06d", i))}
		switch {
		case i >= 90:
			p.AuthorizedData = emulator.AuthorizedData{BusinessType: "FAVOR_STOCK", StockID: fmt.Sprintf("96%06d", i)}
		case i >= 80:
			p.Partner = emulator.Partner{Type: "MERCHANT", MerchantID: fmt.Sprintf("19200%05d", i)}
		}
		id := fmt.Sprintf("%s:%s%s:%s:%s", p.Partner.Type, p.Partner.AppID, p.Partner.MerchantID,
			p.AuthorizedData.BusinessType, p.AuthorizedData.StockID)
		if i%10 == 9 {
			p.State = "TERMINATED"
			f.terminated = append(f.terminated, id)
		} else {
			f.established = append(f.established, id)
		}
		grants.Partnerships = append(grants.Partnerships, p)
	}
	f.merchant = newCallerEmulator(t, fleetMerchantMchID, grants)
	return f
}

// merchantKeys is the key set of the ordinary merchant caller, made once: key generation is slow.
var merchantKeys struct {
	once sync.Once
	keys *emulator.Keys
	err  error
}

// newCallerEmulator is an emulator for a caller other than the package's test merchant.
func newCallerEmulator(t *testing.T, mchid string, seed emulator.Seed) *testEmulator {
	t.Helper()
	merchantKeys.once.Do(func() { merchantKeys.keys, merchantKeys.err = emulator.GenerateKeys(mchid) })
	if merchantKeys.err != nil {
		t.Fatalf("keys of %s: %v", mchid, merchantKeys.err)
	}
	files, err := merchantKeys.keys.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatalf("key files of %s: %v", mchid, err)
	}
	emu := emulatortest.New(t, emulatortest.WithSeed(seed), emulatortest.WithOptions(func(o *emulator.Options) {
		o.Keys = merchantKeys.keys
	}))
	return &testEmulator{Emulator: emu, files: files}
}

// providers is one provider block per caller, as the guide shows.
func (f *fleet) providers() string {
	alias := func(e *testEmulator, name string) string {
		return strings.Replace(e.providerConfig(modePublicKey), "provider \"wechatpay\" {\n",
			"provider \"wechatpay\" {\n  alias                  = \""+name+"\"\n", 1)
	}
	return alias(f.payGift, "service_provider") + alias(f.merchant, "merchant")
}

func (f *fleet) adopted() int {
	return len(f.members[fleetActivityA]) + len(f.members[fleetActivityB]) + 1 + len(f.established)
}

// writes lists every call to either emulator that could change something: adopting must make
// none.
func (f *fleet) writes() []string {
	var out []string
	for name, e := range map[string]*testEmulator{"pay-gift": f.payGift, "merchant": f.merchant} {
		for _, c := range e.Calls() {
			if c.Method != http.MethodGet || c.Applied {
				out = append(out, fmt.Sprintf("%s emulator: %s %s (applied %v)", name, c.Method, c.Path, c.Applied))
			}
		}
	}
	return out
}

// cli runs the real CLI in a working directory; see newCLIRun. TRACE logs are off: the fleet's
// hundreds of resources would write hundreds of megabytes.
type cli struct {
	*cliRun
}

func newCLI(t *testing.T, config string) cli {
	return cli{newCLIRun(t, config, map[string]string{"TF_LOG": "", "TF_LOG_PATH": ""})}
}

// run runs a command and returns its output and exit code; it fails the test when the CLI
// cannot be started or exits with a code not in ok.
func (c cli) run(args []string, ok ...int) (string, int) {
	c.t.Helper()
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), append(args, "-no-color")...)
	cmd.Dir, cmd.Env = c.dir, c.env
	out, err := cmd.CombinedOutput()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		c.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	if len(ok) == 0 {
		ok = []int{0}
	}
	for _, want := range ok {
		if code == want {
			return string(out), code
		}
	}
	c.t.Fatalf("terraform %s exited %d:\n%s", strings.Join(args, " "), code, out)
	return "", 0
}

func (c cli) write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// example reads a file of examples/, which the docs show: the tests run the very files users
// copy.
func example(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// copyExample copies a file of examples/adopt, the configuration the guide "Adopting existing
// merchants" walks through, into the working directory.
func (c cli) copyExample(name string) {
	c.t.Helper()
	c.write(filepath.Base(name), example(c.t, "adopt/"+name))
}

func (c cli) read(name string) string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, name))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

// skipBelow skips a CLI test on an engine older than major.minor (OpenTofu counts by its own
// version, which is below 1.14: it has neither `terraform query` nor list resources).
func skipBelow(t *testing.T, major, minor int) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" || os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Skip("needs TF_ACC=1 and TF_ACC_TERRAFORM_PATH (the real Terraform CLI)")
	}
	if v := fmt.Sprintf("%d.%d", major, minor); !terraformAtLeast(t, v) {
		t.Skipf("the CLI is older than %s", v)
	}
}

var applyCounts = regexp.MustCompile(`Apply complete! Resources: (\d+) imported, (\d+) added, (\d+) changed, (\d+) destroyed`)

// importedClean checks an apply that imported n objects and did nothing else, then a plan that
// finds nothing to do.
func (c cli) importedClean(f *fleet, n int) {
	c.t.Helper()
	out, _ := c.run([]string{"apply", "-auto-approve", "-input=false"})
	m := applyCounts.FindStringSubmatch(out)
	if m == nil || m[1] != strconv.Itoa(n) || m[2] != "0" || m[3] != "0" || m[4] != "0" {
		c.t.Fatalf("apply: %v, want %d imported and nothing else:\n%s", m, n, tail(out, 40))
	}
	if w := f.writes(); len(w) > 0 {
		c.t.Fatalf("adopting made %d calls that could change something: %v", len(w), w)
	}
	out, _ = c.run([]string{"plan", "-input=false", "-detailed-exitcode"}, 0, 2)
	if !strings.Contains(out, "No changes.") {
		c.t.Fatalf("the plan after adopting wants changes:\n%s", tail(out, 60))
	}
	if w := f.writes(); len(w) > 0 {
		c.t.Fatalf("the plan after adopting made %d calls that could change something: %v", len(w), w)
	}
}

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = append([]string{"…"}, l[len(l)-lines:]...)
	}
	return strings.Join(l, "\n")
}

// The fleet found by `terraform query`, written as configuration and import blocks, imported by
// one apply with no change and no write call, after which a plan is empty. Terraform 1.14 and
// later.
func TestAccAdopt_fleetWithQuery(t *testing.T) {
	skipBelow(t, 1, 14)
	clearProviderEnv(t)
	f := newFleet(t)
	c := newCLI(t, f.providers())
	c.copyExample("query/adopt.tfquery.hcl")
	out, _ := c.run([]string{"query", "-generate-config-out=adopted.tf"})
	// One line per result: address, identity, display name (in columns as wide as their widest).
	for _, want := range []string{
		`list\.wechatpay_paygift_activity_merchant\.member\["` + fleetActivityA + `"\]\s+activity_id=` + fleetActivityA +
			`,merchant_id=` + bulkMerchant(7) + `\s+` + bulkMerchant(7) + ` Shop 7\n`,
		`list\.wechatpay_paygift_activity_merchants\.whole\s+activity_id=` + fleetActivityWhole + `\s+activity ` +
			fleetActivityWhole + `: 60 merchants\n`,
		`list\.wechatpay_marketing_partnership\.grant\s+business_type=BUSIFAVOR_STOCK,partner_id=wxfleet000000,` +
			`partner_type=APPID,stock_id=97000000\s+BUSIFAVOR_STOCK 97000000 to APPID wxfleet000000 \(ESTABLISHED\)\n`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("terraform query does not show %s:\n%s", want, tail(out, 30))
		}
	}
	// The floors: one call per 100 members (130, 90, 60) and per 50 grants of each kind (80, 20).
	if n := f.payGift.CountCalls(http.MethodGet, ""); n != 4 {
		t.Errorf("the query made %d pay-gift calls, want 4", n)
	}
	if n := f.merchant.CountCalls(http.MethodGet, ""); n != 3 {
		t.Errorf("the query made %d partnership calls, want 3", n)
	}

	adopted := c.read("adopted.tf")
	if n := strings.Count(adopted, "\nresource \""); n != f.adopted() {
		t.Errorf("adopted.tf has %d resource blocks, want %d", n, f.adopted())
	}
	if n := strings.Count(adopted, "\nimport {"); n != f.adopted() {
		t.Errorf("adopted.tf has %d import blocks, want %d", n, f.adopted())
	}
	for _, id := range f.terminated {
		parts := strings.Split(id, ":")
		if strings.Contains(adopted, `"`+parts[3]+`"`) {
			t.Errorf("adopted.tf adopts the terminated grant %s", id)
		}
	}
	for _, want := range []string{`provider = wechatpay.service_provider`, `provider = wechatpay.merchant`} {
		if !strings.Contains(adopted, want) {
			t.Errorf("adopted.tf never says %q", want)
		}
	}
	c.importedClean(f, f.adopted())
}

// The same fleet adopted without terraform query (Terraform 1.7 and later, OpenTofu): the data
// sources take an inventory, which is kept as a file, and `import` blocks with `for_each` adopt
// what it lists.
func TestAccAdopt_fleetWithDataSources(t *testing.T) {
	skipBelow(t, 1, 7)
	clearProviderEnv(t)
	f := newFleet(t)
	c := newCLI(t, f.providers())

	c.copyExample("for-each/inventory.tf")
	c.run([]string{"apply", "-auto-approve", "-input=false"})
	inventory, _ := c.run([]string{"output", "-json", "fleet"})
	c.write("fleet.json", inventory)
	if err := os.Remove(filepath.Join(c.dir, "inventory.tf")); err != nil {
		t.Fatal(err)
	}
	var inv struct {
		Members      map[string][]string `json:"members"`
		Partnerships []struct {
			ID string `json:"id"`
		} `json:"partnerships"`
	}
	if err := json.Unmarshal([]byte(inventory), &inv); err != nil {
		t.Fatalf("terraform output -json: %v\n%s", err, inventory)
	}
	if len(inv.Members[fleetActivityA]) != 130 || len(inv.Members[fleetActivityB]) != 90 ||
		len(inv.Members[fleetActivityWhole]) != 60 || len(inv.Partnerships) != len(f.established) {
		t.Fatalf("inventory has %d, %d and %d members and %d partnerships, want 130, 90, 60 and %d",
			len(inv.Members[fleetActivityA]), len(inv.Members[fleetActivityB]), len(inv.Members[fleetActivityWhole]),
			len(inv.Partnerships), len(f.established))
	}

	c.copyExample("for-each/fleet.tf")
	c.copyExample("for-each/imports.tf")
	f.payGift.ClearCalls()
	f.merchant.ClearCalls()
	c.importedClean(f, f.adopted())

	// The import blocks have done their work: removing them changes nothing.
	if err := os.Remove(filepath.Join(c.dir, "imports.tf")); err != nil {
		t.Fatal(err)
	}
	out, _ := c.run([]string{"plan", "-input=false", "-detailed-exitcode"}, 0, 2)
	if !strings.Contains(out, "No changes.") {
		t.Fatalf("the plan without the import blocks wants changes:\n%s", tail(out, 60))
	}
}
