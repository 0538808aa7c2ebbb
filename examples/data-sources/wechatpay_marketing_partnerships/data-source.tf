# Partnerships are read and made by the merchant that owns the coupon stocks.
provider "wechatpay" {
  alias = "merchant"
}

data "wechatpay_marketing_partnerships" "busifavor" {
  provider      = wechatpay.merchant
  business_type = "BUSIFAVOR_STOCK"
}

locals {
  # The grants kept in git, keyed by the partnership's import id.
  grants = {
    "APPID:wx4e1916a585d1f4e9:BUSIFAVOR_STOCK:98065001" = {
      partner         = { type = "APPID", appid = "wx4e1916a585d1f4e9" }
      authorized_data = { business_type = "BUSIFAVOR_STOCK", stock_id = "98065001" }
    }
    "MERCHANT:1900000109:BUSIFAVOR_STOCK:98065003" = {
      partner         = { type = "MERCHANT", merchant_id = "1900000109" }
      authorized_data = { business_type = "BUSIFAVOR_STOCK", stock_id = "98065003" }
    }
  }
  in_force = toset([for p in data.wechatpay_marketing_partnerships.busifavor.partnerships : p.id])
}

resource "wechatpay_marketing_partnership" "grant" {
  for_each        = local.grants
  provider        = wechatpay.merchant
  partner         = each.value.partner
  authorized_data = each.value.authorized_data
}

# Adopt the grants that are in force already; the others are built (Terraform 1.7 and later).
import {
  for_each = { for id, g in local.grants : id => g if contains(local.in_force, id) }
  to       = wechatpay_marketing_partnership.grant[each.key]
  id       = each.key
}

output "grants_not_in_git" {
  description = "Grants in force that this configuration does not manage."
  value       = setsubtract(local.in_force, keys(local.grants))
}
