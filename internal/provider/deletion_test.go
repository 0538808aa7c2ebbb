package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// Destroys that cost a merchant something are announced in the plan, and deletion_policy =
// "ABANDON" declines them. terraform-plugin-testing does not show a plan's warnings, so this
// drives the real CLI.

const (
	delActivityList   = "10028001" // managed by wechatpay_paygift_activity_merchants
	delActivitySingle = "10028002" // one membership, wechatpay_paygift_activity_merchant
)

func deletionSeed() emulator.Seed {
	return emulator.Seed{
		CallerRole: emulator.RoleChannelPartner,
		SubMerchants: []emulator.SubMerchant{
			{SubMchid: "1900000109"}, {SubMchid: "1900000110"}, {SubMchid: "1900000111"},
			{SubMchid: "1900000112"}, {SubMchid: "1900000113"},
		},
		Activities: []emulator.Activity{
			{ActivityID: delActivityList, Status: "ONGOING_ACT_STATUS", Merchants: []string{}},
			{ActivityID: delActivitySingle, Status: "ONGOING_ACT_STATUS", Merchants: []string{}},
		},
	}
}

// deletionWorld is one resource of each type whose destroy changes something, all with
// deletion_policy = var.policy. The gold plan status is keyed by var.key, as a for_each over a
// CSV would be.
const deletionWorld = `
variable "policy" {
  type    = string
  default = "DELETE"
}

variable "key" {
  type    = string
  default = "tea-house"
}

resource "wechatpay_goldplan_status" "shop" {
  for_each        = toset([var.key])
  sub_mchid       = "1900000109"
  pay_scenes      = ["JSAPI", "MINIPROGRAM"]
  deletion_policy = var.policy
}

resource "wechatpay_goldplan_custom_page" "shop" {
  sub_mchid       = "1900000109"
  deletion_policy = var.policy
  depends_on      = [wechatpay_goldplan_status.shop]
}

resource "wechatpay_goldplan_advertising" "shop" {
  sub_mchid        = "1900000109"
  industry_filters = ["FINANCE", "GAME"]
  deletion_policy  = var.policy
  depends_on       = [wechatpay_goldplan_status.shop]
}

resource "wechatpay_paygift_activity_merchants" "spring" {
  activity_id     = "` + delActivityList + `"
  merchant_ids    = ["1900000110", "1900000111"]
  deletion_policy = var.policy
}

resource "wechatpay_paygift_activity_merchant" "one" {
  activity_id     = "` + delActivitySingle + `"
  merchant_id     = "1900000112"
  deletion_policy = var.policy
}

resource "wechatpay_marketing_partnership" "grant" {
  partner         = { type = "APPID", appid = "wx4e1916a585d1f4e9" }
  authorized_data = { business_type = "BUSIFAVOR_STOCK", stock_id = "98065001" }
  deletion_policy = var.policy
}
`

// destroyWarnings are the warnings a plan that destroys the world must show, each with what it
// must say.
var destroyWarnings = map[string][]string{
	"Gold Plan Will Be Closed": {"sub-merchant 1900000109", "JSAPI and MINIPROGRAM", "24 hours",
		"a day of gold plan ad revenue"},
	"Gold Plan Receipt Page Will Be Closed":       {"sub-merchant 1900000109", "receipt page"},
	"Gold Plan Ads Will Stop":                     {"sub-merchant 1900000109", "no ad revenue"},
	"Pay-Gift Activity Merchants Will Be Removed": {"2 merchant(s)", "1900000110, 1900000111", "activity " + delActivityList},
	"Pay-Gift Activity Merchant Will Be Removed":  {"merchant 1900000112", "activity " + delActivitySingle},
	"Marketing Partnership Will Be Terminated":    {"BUSIFAVOR_STOCK stock 98065001", "APPID wx4e1916a585d1f4e9"},
}

// warnings splits CLI output into the provider's warnings, summary → detail, whitespace
// collapsed (the CLI wraps long lines); Terraform's own about the dev overrides is left out.
func warnings(out string) map[string]string {
	found := map[string]string{}
	parts := regexp.MustCompile(`(?m)^\s*Warning: `).Split(out, -1)
	for _, p := range parts[1:] {
		summary, detail, _ := strings.Cut(p, "\n")
		if strings.HasPrefix(summary, "Provider development overrides") {
			continue
		}
		if i := regexp.MustCompile(`(?m)^\s*(Error|Warning): |^(Plan|Changes|Terraform|Apply|Destroy)`).FindStringIndex(detail); i != nil {
			detail = detail[:i[0]]
		}
		found[strings.TrimSpace(summary)] = strings.Join(strings.Fields(detail), " ")
	}
	return found
}

// expectWarnings checks that out has each of want with what it must say, and the ways out.
func expectWarnings(t *testing.T, out string, want map[string][]string, ways ...string) {
	t.Helper()
	got := warnings(out)
	for summary, says := range want {
		detail, ok := got[summary]
		if !ok {
			t.Errorf("no warning %q in:\n%s", summary, out)
			continue
		}
		for _, s := range append(says, ways...) {
			if !strings.Contains(detail, s) {
				t.Errorf("warning %q does not say %q:\n%s", summary, s, detail)
			}
		}
	}
}

func TestAccDeletionPolicy_destroyIsAnnouncedAndCanBeDeclined(t *testing.T) {
	clearProviderEnv(t)
	// One provider configuration makes every family's calls here (roles=any).
	emu := newTestEmulator(t, deletionSeed(), anyCaller())
	run := newCLIRun(t, emu.providerConfig(modePublicKey)+deletionWorld, nil)
	run.terraform("apply", "-auto-approve", "-input=false")
	destroyWays := []string{"`moved` block", "`removed` block", "destroy = false", `deletion_policy = "ABANDON"`}

	// terraform destroy, and a plan that destroys everything.
	out, _ := run.run([]string{"plan", "-destroy", "-input=false"})
	expectWarnings(t, out, destroyWarnings, destroyWays...)

	// A for_each key renamed without a moved block: the gold plan is destroyed and created.
	out, _ = run.run([]string{"plan", "-input=false", "-var", "key=tea-house-chengdu"})
	expectWarnings(t, out, map[string][]string{"Gold Plan Will Be Closed": destroyWarnings["Gold Plan Will Be Closed"]},
		destroyWays...)
	if len(warnings(out)) != 1 {
		t.Errorf("a rename of one resource warns of %d destroys, want 1:\n%s", len(warnings(out)), out)
	}
	// With a moved block it is no destroy, and no warning.
	run.write(emu.providerConfig(modePublicKey) + deletionWorld + `
moved {
  from = wechatpay_goldplan_status.shop["tea-house"]
  to   = wechatpay_goldplan_status.shop["tea-house-chengdu"]
}
`)
	out, _ = run.run([]string{"plan", "-input=false", "-var", "key=tea-house-chengdu"})
	if w := warnings(out); len(w) != 0 {
		t.Errorf("a moved resource warns %v:\n%s", w, out)
	}
	run.write(emu.providerConfig(modePublicKey) + deletionWorld)

	// A replacement warns too, saying so.
	replaced := strings.Replace(deletionWorld, `merchant_id     = "1900000112"`, `merchant_id     = "1900000113"`, 1)
	run.write(emu.providerConfig(modePublicKey) + replaced)
	out, _ = run.run([]string{"plan", "-input=false"})
	expectWarnings(t, out, map[string][]string{"Pay-Gift Activity Merchant Will Be Removed": {"merchant 1900000112",
		"replaces the resource"}}, `deletion_policy = "ABANDON"`)
	run.write(emu.providerConfig(modePublicKey) + deletionWorld)

	// ABANDON is an in-place change that calls nothing; then no destroy warns, and the destroy
	// leaves WeChat Pay as it was.
	emu.ClearCalls()
	out, err := run.run([]string{"apply", "-auto-approve", "-input=false", "-var", "policy=ABANDON"})
	if err != nil || !strings.Contains(out, "0 added, 6 changed, 0 destroyed") {
		t.Fatalf("setting ABANDON: %v\n%s", err, out)
	}
	out, _ = run.run([]string{"plan", "-destroy", "-input=false", "-var", "policy=ABANDON"})
	if w := warnings(out); len(w) != 0 {
		t.Errorf("a destroy under ABANDON warns %v:\n%s", w, out)
	}
	run.terraform("destroy", "-auto-approve", "-input=false", "-var", "policy=ABANDON")
	for _, c := range emu.Calls() {
		if c.Method != "GET" {
			t.Errorf("setting ABANDON and destroying called %s %s", c.Method, c.Path)
		}
	}
	if g := emu.GoldPlan("1900000109"); len(g.OpenScenes) != 2 || !g.CustomPageOpen || !g.AdvertisingShown {
		t.Errorf("gold plan after an abandoning destroy: %+v", g)
	}
	if m := emu.ActivityMembers(delActivityList); len(m) != 2 {
		t.Errorf("activity %s members after an abandoning destroy: %v", delActivityList, m)
	}
	if m := emu.ActivityMembers(delActivitySingle); len(m) != 1 {
		t.Errorf("activity %s members after an abandoning destroy: %v", delActivitySingle, m)
	}
	if p, ok := emu.Partnership(emulator.Partner{Type: "APPID", AppID: "wx4e1916a585d1f4e9"},
		emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "98065001"}); !ok || p.State != "ESTABLISHED" {
		t.Errorf("partnership after an abandoning destroy: %+v, %v", p, ok)
	}
}

// write replaces the configuration of a CLI run.
func (r *cliRun) write(config string) {
	r.t.Helper()
	main := `terraform {
  required_providers {
    wechatpay = { source = "wxpay-tf/wechatpay" }
  }
}
` + config
	if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(main), 0o600); err != nil {
		r.t.Fatal(err)
	}
}
