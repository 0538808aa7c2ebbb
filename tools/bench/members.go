package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// Line 5: the authoritative membership of an activity with thousands of merchants. Its calls are
// judged against the call floors, its times against terraform_data holding the same ids as a
// list, created, refreshed and changed the same way right before it: what Terraform itself
// spends on a list attribute of that size. time_static holding the same ids (in its triggers, a
// map: it has no list attribute) is reported beside it: what a framework plugin spends on them,
// which Terraform's own cost leaves out. With BENCH_SET_FLOOR=1 terraform_data is also measured
// with the ids as a set, the other design Terraform offers, which the detail reports.

// The ids come from a variable: Terraform's range() stops at 1024 values. A list variable suits
// the attribute both as a list and as the set it was before.
const membersVariable = `
variable "merchant_ids" {
  type = list(string)
}
`

const membersConfig = providerBlock + membersVariable + `
resource "wechatpay_paygift_activity_merchants" "bench" {
  activity_id  = "` + benchActivityID + `"
  merchant_ids = var.merchant_ids
}
`

func membersDataConfig(input string) string {
	return membersVariable + `
resource "terraform_data" "bench" {
  input = ` + input + `
}
`
}

const membersTimeConfig = `terraform {
  required_providers {
    time = { source = "hashicorp/time" }
  }
}
` + membersVariable + `
resource "time_static" "bench" {
  triggers = { for id in var.merchant_ids : id => id }
}
`

// writeMembers writes terraform.tfvars.json with merchants from..from+n-1.
func writeMembers(dir string, from, n int) error {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = subMchid(5, from+i)
	}
	b, err := json.Marshal(map[string]any{"merchant_ids": ids})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "terraform.tfvars.json"), b, 0o644)
}

// membersPhases are the three runs of line 5, each of the floors' and this provider's.
type membersPhases struct {
	create, refresh, change tfRun
}

// membersFloor is a resource holding the ids, created, refreshed and changed phase by phase
// right before the provider's own phase.
type membersFloor struct {
	dir    string
	env    []string
	phases membersPhases
}

func (b *bench) newMembersFloor(name, config string, env []string) (*membersFloor, error) {
	dir, err := workspace(b.dir, name, config)
	if err != nil {
		return nil, err
	}
	return &membersFloor{dir: dir, env: env}, writeMembers(dir, 0, b.members)
}

func (b *bench) line5() error {
	dir, err := workspace(b.dir, "line5", membersConfig)
	if err != nil {
		return err
	}
	if err := writeMembers(dir, 0, b.members); err != nil {
		return err
	}
	list, err := b.newMembersFloor("line5-list", membersDataConfig("var.merchant_ids"), nil)
	if err != nil {
		return err
	}
	plugin, err := b.newMembersFloor("line5-time", membersTimeConfig, quietPlugin)
	if err != nil {
		return err
	}
	floors := []*membersFloor{list, plugin}
	var set *membersFloor
	if os.Getenv("BENCH_SET_FLOOR") != "" {
		if set, err = b.newMembersFloor("line5-set", membersDataConfig("toset(var.merchant_ids)"), nil); err != nil {
			return err
		}
		floors = append(floors, set)
	}
	const changed = 10 // 5 merchants out, 5 in
	seed := emulator.Seed{CallerRole: emulator.RoleChannelPartner, SubMerchants: subMerchants(5, b.members+changed/2),
		Activities: []emulator.Activity{{ActivityID: benchActivityID, Name: "bench", Status: emulator.ActivityOngoing, Merchants: []string{}}}}
	page := wxpay.ActivityMerchantsPageLimit
	perChange := wxpay.MaxActivityMerchantsPerChange
	floorsDo := func(what string, args []string, into func(*membersPhases) *tfRun) error {
		for _, f := range floors {
			b.step("line 5: %s the floor holding %d ids (%s)", what, b.members, filepath.Base(f.dir))
			r, err := b.tf.runEnv(f.dir, what+".log", f.env, args...)
			if err != nil {
				return err
			}
			*into(&f.phases) = r
		}
		return nil
	}

	if err := floorsDo("create", applyArgs, func(p *membersPhases) *tfRun { return &p.create }); err != nil {
		return err
	}
	b.step("line 5: create the membership of %d merchants", b.members)
	create := b.onEmulator(dir, "create.log", func() error { return b.emu.fresh(seed) }, applyArgs...)
	if create.err != nil {
		return create.err
	}
	adds, _, _ := create.calls.count(http.MethodPost, activityPath+"/merchants/add")
	wantAdds := ceilDiv(b.members, perChange)
	b.add(row{key: "5.create", id: "5", what: fmt.Sprintf("membership of %d: create (add calls)", b.members),
		floor: fmt.Sprintf("⌈%d/%d⌉", b.members, perChange), goal: "= floor",
		measured: strconv.Itoa(adds), floorValue: strconv.Itoa(wantAdds), ratio: float64(adds) / float64(wantAdds),
		met: adds == wantAdds && create.calls.Total == wantAdds})
	b.membersTime("5.create", "create", create.run, list.phases.create, plugin.phases.create)

	if err := floorsDo("plan", planArgs, func(p *membersPhases) *tfRun { return &p.refresh }); err != nil {
		return err
	}
	b.step("line 5: refresh (plan)")
	refresh := b.planNoChanges(dir, "plan.log")
	if refresh.err != nil {
		return refresh.err
	}
	lists, _, _ := refresh.calls.count(http.MethodGet, activityPath+"/merchants")
	wantLists := ceilDiv(b.members, page)
	b.add(row{key: "5.refresh", id: "5", what: "  refresh (list calls)", floor: fmt.Sprintf("⌈%d/%d⌉", b.members, page),
		goal: "= floor", measured: strconv.Itoa(lists), floorValue: strconv.Itoa(wantLists),
		ratio: float64(lists) / float64(wantLists), met: lists == wantLists && refresh.calls.Total == wantLists})
	b.membersTime("5.refresh", "refresh (plan)", refresh.run, list.phases.refresh, plugin.phases.refresh)

	for _, d := range append([]string{dir}, floorDirs(floors)...) {
		if err := writeMembers(d, changed/2, b.members); err != nil {
			return err
		}
	}
	if err := floorsDo("change", applyArgs, func(p *membersPhases) *tfRun { return &p.change }); err != nil {
		return err
	}
	b.step("line 5: change %d merchants", changed)
	change := b.onEmulator(dir, "change.log", nil, applyArgs...)
	if change.err != nil {
		return change.err
	}
	writes := 0
	for _, c := range change.calls.Calls {
		if c.Method == http.MethodPost {
			writes++
		}
	}
	b.add(row{key: "5.change", id: "5", what: fmt.Sprintf("  change %d (write calls)", changed), floor: "1 add, 1 delete",
		goal: "= floor", measured: strconv.Itoa(writes), floorValue: "2", ratio: float64(writes) / 2, met: writes == 2})
	b.membersTime("5.change", fmt.Sprintf("change %d (apply, refresh included)", changed), change.run,
		list.phases.change, plugin.phases.change)

	b.detail("Line 5: create made %d calls in %s (provider CPU %s, Terraform with the provider %s; terraform_data "+
		"%s); refresh %d calls in %s (provider CPU %s, in all %s; terraform_data %s); the change apply made %d writes "+
		"and %d calls in all (its refresh included) in %s (provider CPU %s, in all %s; terraform_data %s). The "+
		"terraform_data floor holds the same ids as a list; time_static holds them in its triggers, a map, whose "+
		"change replaces it.",
		create.calls.Total, dur(create.run.wall), dur(create.run.providerCPU), dur(create.run.totalCPU),
		dur(list.phases.create.totalCPU), refresh.calls.Total, dur(refresh.run.wall), dur(refresh.run.providerCPU),
		dur(refresh.run.totalCPU), dur(list.phases.refresh.totalCPU), writes, change.calls.Total, dur(change.run.wall),
		dur(change.run.providerCPU), dur(change.run.totalCPU), dur(list.phases.change.totalCPU))
	if set != nil {
		b.detail("Line 5, the ids as a set (BENCH_SET_FLOOR): terraform_data holding the same %d ids as a set, "+
			"create %s, refresh (plan) %s, change %d %s; as a list %s, %s, %s.", b.members,
			dur(set.phases.create.wall), dur(set.phases.refresh.wall), changed, dur(set.phases.change.wall),
			dur(list.phases.create.wall), dur(list.phases.refresh.wall), dur(list.phases.change.wall))
	}
	return nil
}

// membersTime adds the rows of one phase's time against terraform_data holding the ids as a list,
// and against time_static holding them.
func (b *bench) membersTime(key, what string, ours, data, plugin tfRun) {
	ratio := seconds(ours.wall) / seconds(data.wall)
	b.add(row{key: key + ".time", id: "5", what: "  " + what + " time",
		floor: fmt.Sprintf("terraform_data, %d ids as a list", b.members), goal: "≤ 2×",
		measured: dur(ours.wall), floorValue: dur(data.wall), ratio: ratio, met: ratio <= 2})
	b.add(row{key: key + ".plugin", id: "5", what: "    against the plugin floor",
		floor: fmt.Sprintf("time_static, %d ids in triggers", b.members), goal: "reported",
		measured: dur(ours.wall), floorValue: dur(plugin.wall), ratio: seconds(ours.wall) / seconds(plugin.wall), met: true})
}

func floorDirs(floors []*membersFloor) []string {
	out := make([]string, len(floors))
	for i, f := range floors {
		out[i] = f.dir
	}
	return out
}
