package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// Resource identity is kept and used by Terraform 1.12 and later (OpenTofu 1.12 stores it and
// imports by it too); older versions never ask for it, and the other tests show nothing else
// changes for them.
var identityVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// A membership records its identity when created, and an `import { identity = … }` block adopts
// it with the same state an import by id gives.
func TestAccPayGiftActivityMerchant_identity(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	cfg := memberConfig(emu, "1900000109")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(memberAddr("1900000109"), map[string]knownvalue.Check{
						"activity_id": knownvalue.StringExact(testActivity),
						"merchant_id": knownvalue.StringExact("1900000109"),
					}),
				},
			},
			{
				ResourceName:    memberAddr("1900000109"),
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(memberAddr("1900000109"), plancheck.ResourceActionNoop),
				}},
			},
			{
				// A separator inside an identity value cannot name another object.
				Config: cfg + `
import {
  to       = wechatpay_paygift_activity_merchant.smuggled
  identity = { activity_id = "10028001/1900000109", merchant_id = "1900000110" }
}
resource "wechatpay_paygift_activity_merchant" "smuggled" {
  activity_id = "10028001"
  merchant_id = "1900000110"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid Import ID`),
			},
		},
	})
}

func TestAccPayGiftActivityMerchants_identity(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	cfg := emu.providerConfig(modePublicKey) + `
resource "wechatpay_paygift_activity_merchants" "test" {
  activity_id  = "` + testActivity + `"
  merchant_ids = ["1900000109", "1900000110"]
}
`
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("wechatpay_paygift_activity_merchants.test", map[string]knownvalue.Check{
						"activity_id": knownvalue.StringExact(testActivity),
					}),
				},
			},
			{
				ResourceName:    "wechatpay_paygift_activity_merchants.test",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("wechatpay_paygift_activity_merchants.test", plancheck.ResourceActionNoop),
				}},
			},
		},
	})
}

func TestAccMarketingPartnership_identity(t *testing.T) {
	emu := newTestEmulator(t, emulator.Seed{Partnerships: []emulator.Partnership{
		{Partner: emulator.Partner{Type: "MERCHANT", MerchantID: "1900000109"}, AuthorizedData: emuBusiStock("98065009")},
	}})
	cfg := partnershipConfig(emu.merchantConfig(modePublicKey), appPartner(testAppID), busiStock("98065001"))
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(partnershipAddr, map[string]knownvalue.Check{
						"partner_type":  knownvalue.StringExact("APPID"),
						"partner_id":    knownvalue.StringExact(testAppID),
						"business_type": knownvalue.StringExact("BUSIFAVOR_STOCK"),
						"stock_id":      knownvalue.StringExact("98065001"),
					}),
				},
			},
			{
				ResourceName:    partnershipAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(partnershipAddr, plancheck.ResourceActionNoop),
				}},
			},
			{
				// A grant made outside Terraform, to a merchant partner, adopted by identity alone.
				Config: cfg + `
import {
  to       = wechatpay_marketing_partnership.adopted
  identity = { partner_type = "MERCHANT", partner_id = "1900000109", business_type = "BUSIFAVOR_STOCK", stock_id = "98065009" }
}
resource "wechatpay_marketing_partnership" "adopted" {
  partner         = { type = "MERCHANT", merchant_id = "1900000109" }
  authorized_data = { business_type = "BUSIFAVOR_STOCK", stock_id = "98065009" }
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("wechatpay_marketing_partnership.adopted", plancheck.ResourceActionNoop)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("wechatpay_marketing_partnership.adopted", tfjsonpath.New("state"), knownvalue.StringExact("ESTABLISHED")),
				},
			},
			{
				// An identity with a separator inside a value is refused, not split differently.
				Config: cfg + `
import {
  to       = wechatpay_marketing_partnership.smuggled
  identity = { partner_type = "MERCHANT", partner_id = "1900000109:BUSIFAVOR_STOCK", business_type = "BUSIFAVOR_STOCK", stock_id = "98065009" }
}
resource "wechatpay_marketing_partnership" "smuggled" {
  partner         = { type = "MERCHANT", merchant_id = "1900000109" }
  authorized_data = { business_type = "BUSIFAVOR_STOCK", stock_id = "98065009" }
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid Import ID`),
			},
		},
	})
}
