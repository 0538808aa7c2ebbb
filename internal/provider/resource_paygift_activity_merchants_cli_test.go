package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// These drive the real CLI: terraform-plugin-testing can neither start from a state file written
// by another provider version nor show the plan as a user reads it.

// merchantsCLIConfig is the resource as the CLI tests configure it, with the provider block.
func merchantsCLIConfig(emu *testEmulator, ids []string) string {
	return emu.providerConfig(modePublicKey) + fmt.Sprintf(`
resource "wechatpay_paygift_activity_merchants" "spring" {
  activity_id  = %q
  merchant_ids = %s

  timeouts {
    create = "10m"
  }
}
`, testActivity, hclList(ids))
}

// A state written by the provider before merchant_ids became a list (testdata, applied by the
// provider built at commit 631bbc1 with Terraform 1.5.7: merchant_ids a set, schema version 0;
// named .json because git ignores *.tfstate) is upgraded on the next plan: the plan is empty,
// the refreshed state lists the same ids and keeps the timeouts, and a change afterwards is
// planned and applied as usual.
func TestAccPayGiftActivityMerchants_upgradeFromSet(t *testing.T) {
	clearProviderEnv(t)
	emu := newTestEmulator(t, payGiftSeed(0))
	for _, id := range []string{"1900000112", "1900000109", "1900000110"} {
		emu.AddActivityMember(testActivity, id)
	}
	c := newCLI(t, merchantsCLIConfig(emu, []string{"1900000112", "1900000109", "1900000110"}))
	old, err := os.ReadFile("testdata/paygift_activity_merchants_v0.tfstate.json")
	if err != nil {
		t.Fatal(err)
	}
	state := string(old)
	if host := os.Getenv("TF_ACC_PROVIDER_HOST"); host != "" { // OpenTofu names its own registry
		state = strings.ReplaceAll(state, "registry.terraform.io", host)
	}
	c.write("terraform.tfstate", state)

	if out, _ := c.run([]string{"plan", "-detailed-exitcode"}); !strings.Contains(out, "No changes.") {
		t.Errorf("the plan after the upgrade is not empty:\n%s", out)
	}
	c.run([]string{"apply", "-refresh-only", "-auto-approve"})
	var written struct {
		Resources []struct {
			Instances []struct {
				SchemaVersion int `json:"schema_version"`
				Attributes    struct {
					MerchantIDs []string          `json:"merchant_ids"`
					Timeouts    map[string]string `json:"timeouts"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(c.read("terraform.tfstate")), &written); err != nil {
		t.Fatal(err)
	}
	if len(written.Resources) != 1 || len(written.Resources[0].Instances) != 1 {
		t.Fatalf("state holds %+v, want the one resource", written)
	}
	got := written.Resources[0].Instances[0]
	if got.SchemaVersion != 1 || !slices.Equal(got.Attributes.MerchantIDs, []string{"1900000109", "1900000110", "1900000112"}) ||
		got.Attributes.Timeouts["create"] != "10m" {
		t.Errorf("upgraded state: schema version %d, merchant_ids %v, timeouts %v; want 1, the three ids sorted, create 10m",
			got.SchemaVersion, got.Attributes.MerchantIDs, got.Attributes.Timeouts)
	}

	emu.ClearCalls()
	c.write("main.tf", strings.Replace(c.read("main.tf"), `"1900000110"]`, `"1900000110", "1900000111"]`, 1))
	out, _ := c.run([]string{"apply", "-auto-approve"})
	if !strings.Contains(out, "1 changed") {
		t.Errorf("adding a merchant after the upgrade did not change the resource:\n%s", out)
	}
	if err := membersAre(emu, "1900000109", "1900000110", "1900000111", "1900000112")(nil); err != nil {
		t.Error(err)
	}
}

// What a user reads in the plan of a large list: a change of 10 merchants out of 600, listed
// in no particular order, shows those 10 ids and hides the rest, and listing the same ids in
// another order plans nothing. (The change adds more ids than it removes: Terraform 1.8 and
// later show a list whose length does not change position by position, whatever the state's
// order.)
func TestAccPayGiftActivityMerchants_planShowsOnlyTheChange(t *testing.T) {
	clearProviderEnv(t)
	const n = 600
	emu := newTestEmulator(t, payGiftSeed(n+6))
	ids := make([]string, n)
	for i := range ids {
		ids[i] = bulkMerchant(i * 7919 % n) // every id once, far from sorted
	}
	c := newCLI(t, merchantsCLIConfig(emu, ids))
	c.run([]string{"apply", "-auto-approve"})

	reordered := slices.Clone(ids)
	slices.Reverse(reordered)
	c.write("main.tf", "terraform {\n  required_providers {\n    wechatpay = { source = \"wxpay-tf/wechatpay\" }\n  }\n}\n"+
		merchantsCLIConfig(emu, reordered))
	if out, _ := c.run([]string{"plan", "-detailed-exitcode"}); !strings.Contains(out, "No changes.") {
		t.Errorf("the same ids in another order plan a change:\n%s", tail(out, 30))
	}

	// 4 out, 6 in, in the configuration's own order.
	changed := slices.Clone(ids)
	var gone []string
	for _, at := range []int{599, 400, 200, 10} {
		gone = append(gone, changed[at])
		changed = slices.Delete(changed, at, at+1)
	}
	var wantAdded []string
	for i, at := range []int{0, 150, 300, 450, 500, 595} {
		changed = slices.Insert(changed, at, bulkMerchant(n+i))
		wantAdded = append(wantAdded, bulkMerchant(n+i))
	}
	c.write("main.tf", "terraform {\n  required_providers {\n    wechatpay = { source = \"wxpay-tf/wechatpay\" }\n  }\n}\n"+
		merchantsCLIConfig(emu, changed))
	out, _ := c.run([]string{"plan", "-detailed-exitcode"}, 2)
	lines := regexp.MustCompile(`(?m)^\s+([-+]) "(\d+)",?$`).FindAllStringSubmatch(out, -1)
	var added, removed []string
	for _, l := range lines {
		if l[1] == "+" {
			added = append(added, l[2])
		} else {
			removed = append(removed, l[2])
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	slices.Sort(gone)
	if !slices.Equal(added, wantAdded) || !slices.Equal(removed, gone) {
		t.Errorf("the plan adds %v and removes %v, want %v and %v:\n%s", added, removed, wantAdded, gone, tail(out, 60))
	}
	if !regexp.MustCompile(`unchanged elements hidden`).MatchString(out) {
		t.Errorf("the plan does not hide the unchanged ids:\n%s", tail(out, 60))
	}
}
