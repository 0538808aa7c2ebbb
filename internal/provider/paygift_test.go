package provider

import (
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// Shared by the pay-gift acceptance tests.

const (
	testActivity      = "10028001"
	foreignMerchant   = "1900999999" // a sub-merchant of another service provider
	unknownMerchant   = "1900777777" // unknown to WeChat Pay
	payGiftAPI        = "/v3/marketing/paygiftactivity/activities/" + testActivity
	payGiftAddPath    = payGiftAPI + "/merchants/add"
	payGiftDeletePath = payGiftAPI + "/merchants/delete"
	payGiftListPath   = payGiftAPI + "/merchants"
)

// payGiftSeed holds the demo's sub-merchants 1900000109..113, a foreign one, an ongoing
// activity without members and `extra` more sub-merchants of the caller (bulkMerchant(i)).
func payGiftSeed(extra int) emulator.Seed {
	seed := emulator.Seed{
		CallerRole: "SERVICE_PROVIDER",
		SubMerchants: []emulator.SubMerchant{
			{SubMchid: "1900000109"}, {SubMchid: "1900000110"}, {SubMchid: "1900000111"},
			{SubMchid: "1900000112"}, {SubMchid: "1900000113"},
			{SubMchid: foreignMerchant, Owner: "1900088888"},
		},
		Activities: []emulator.Activity{{ActivityID: testActivity, Name: "Spring pay-gift",
			Status: "ONGOING_ACT_STATUS", Merchants: []string{}}},
	}
	for i := range extra {
		seed.SubMerchants = append(seed.SubMerchants, emulator.SubMerchant{SubMchid: bulkMerchant(i)})
	}
	return seed
}

func bulkMerchant(i int) string { return fmt.Sprintf("19100%05d", i) }

func bulkMerchants(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = bulkMerchant(i)
	}
	return ids
}

// membersAre checks the emulator's truth, whatever Terraform's state says.
func membersAre(emu *testEmulator, want ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		got := slices.Sorted(slices.Values(emu.ActivityMembers(testActivity)))
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			return fmt.Errorf("activity %s has members %v, want %v", testActivity, got, want)
		}
		return nil
	}
}

// callsAre checks how many POST calls to path (every pay gift change is a POST) the emulator
// saw since the last ClearCalls.
func callsAre(emu *testEmulator, path string, want int) func(*terraform.State) error {
	return func(*terraform.State) error {
		if got := emu.CountCalls("POST", path); got != want {
			return fmt.Errorf("%d POST %s calls, want %d", got, path, want)
		}
		return nil
	}
}
