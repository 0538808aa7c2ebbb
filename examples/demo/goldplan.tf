# Gold plan (点金计划) for every merchant in var.merchants. Merchants not listed in
# goldplan_overrides get the defaults: JSAPI only, receipt page on, no industry filters.
locals {
  goldplan_overrides = {
    "1900000109" = { pay_scenes = ["JSAPI", "MINIPROGRAM"], industry_filters = ["FINANCE", "GAME"] }
    "1900000110" = { receipt_page = false, industry_filters = ["LOVE_MARRIAGE"] }
  }
}

module "goldplan" {
  source   = "./modules/goldplan"
  for_each = var.merchants
  providers = {
    wechatpay = wechatpay.goldplan
  }

  sub_mchid = each.key
  # null leaves the module's default.
  pay_scenes       = try(local.goldplan_overrides[each.key].pay_scenes, null)
  receipt_page     = try(local.goldplan_overrides[each.key].receipt_page, null)
  industry_filters = try(local.goldplan_overrides[each.key].industry_filters, null)
}

output "goldplan" {
  description = "Gold plan settings asserted for every merchant."
  value       = { for id, m in var.merchants : "${id} ${m.name}" => module.goldplan[id].summary }
}
