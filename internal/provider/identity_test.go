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

// identitySteps create the resource at addr from cfg, check the identity it records, then adopt
// it again by an `import { identity = … }` block, which must plan no change: the same state an
// import by id gives.
func identitySteps(cfg, addr string, identity map[string]knownvalue.Check) []resource.TestStep {
	return []resource.TestStep{
		{
			Config:            cfg,
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectIdentity(addr, identity)},
		},
		{
			ResourceName:    addr,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithResourceIdentity,
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
			}},
		},
	}
}

// merchantGrantImportHCL imports the merchant coupon grant 98065009 to merchant 1900000109 as
// the resource name, by an identity whose partner_id is partnerID.
func merchantGrantImportHCL(name, partnerID string) string {
	return `
import {
  to       = wechatpay_marketing_partnership.` + name + `
  identity = { partner_type = "MERCHANT", partner_id = "` + partnerID + `", business_type = "BUSIFAVOR_STOCK", stock_id = "98065009" }
}
resource "wechatpay_marketing_partnership" "` + name + `" {
  partner         = { type = "MERCHANT", merchant_id = "1900000109" }
  authorized_data = { business_type = "BUSIFAVOR_STOCK", stock_id = "98065009" }
}
`
}

// A membership records its identity when created, and an `import { identity = … }` block adopts
// it with the same state an import by id gives.
func TestAccPayGiftActivityMerchant_identity(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	cfg := memberConfig(emu, "1900000109")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: append(identitySteps(cfg, memberAddr("1900000109"), memberIdentity("1900000109")),
			resource.TestStep{
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
			}),
	})
}

func TestAccPayGiftActivityMerchants_identity(t *testing.T) {
	emu := newTestEmulator(t, payGiftSeed(0))
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: identitySteps(merchantsConfig(emu, []string{"1900000109", "1900000110"}), merchantsAddr,
			map[string]knownvalue.Check{"activity_id": knownvalue.StringExact(testActivity)}),
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
		Steps: append(identitySteps(cfg, partnershipAddr, grantIdentity("APPID", testAppID, "BUSIFAVOR_STOCK", "98065001")),
			resource.TestStep{
				// A grant made outside Terraform, to a merchant partner, adopted by identity alone.
				Config:           cfg + merchantGrantImportHCL("adopted", "1900000109"),
				ConfigPlanChecks: actionThenEmpty("wechatpay_marketing_partnership.adopted", plancheck.ResourceActionNoop),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("wechatpay_marketing_partnership.adopted", tfjsonpath.New("state"), knownvalue.StringExact("ESTABLISHED")),
				},
			},
			resource.TestStep{
				// An identity with a separator inside a value is refused, not split differently.
				Config:      cfg + merchantGrantImportHCL("smuggled", "1900000109:BUSIFAVOR_STOCK"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid Import ID`),
			}),
	})
}
