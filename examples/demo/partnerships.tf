# Marketing partnerships (委托营销): the spring merchant-coupon stock is shared with the brand's
# mini program, and with the merchants in var.merchants that take part in the campaign.

locals {
  spring_stock_id = "98065001"
  mini_program    = "wx4e1916a585d1f4e9"
  # Merchants that also hand out the spring coupons. Each must have confirmed its account
  # opening; adding 1900000111 (not confirmed yet in the demo) stops the plan with a message.
  campaign_merchants = ["1900000109", "1900000110"]
}

# Every merchant's confirmation state in one read, a few calls at a time.
data "wechatpay_merchant_authorization_states" "merchants" {
  provider   = wechatpay.authorization
  sub_mchids = keys(var.merchants)
}

resource "wechatpay_marketing_partnership" "mini_program" {
  provider = wechatpay.partnerships
  partner = {
    type  = "APPID"
    appid = local.mini_program
  }
  authorized_data = {
    business_type = "BUSIFAVOR_STOCK"
    stock_id      = local.spring_stock_id
  }
}

resource "wechatpay_marketing_partnership" "campaign_merchant" {
  provider = wechatpay.partnerships
  for_each = toset(local.campaign_merchants)

  partner = {
    type        = "MERCHANT"
    merchant_id = each.key
  }
  authorized_data = {
    business_type = "BUSIFAVOR_STOCK"
    stock_id      = local.spring_stock_id
  }

  lifecycle {
    precondition {
      condition     = contains(data.wechatpay_merchant_authorization_states.merchants.authorized, each.key)
      error_message = "Merchant ${each.key} is not a merchant of var.merchants that has confirmed its account opening; ask it to confirm in WeChat Pay, or remove it from campaign_merchants."
    }
  }
}

output "partnerships" {
  description = "Partnerships in force, by id."
  value = merge(
    { (wechatpay_marketing_partnership.mini_program.id) = wechatpay_marketing_partnership.mini_program.state },
    { for p in wechatpay_marketing_partnership.campaign_merchant : p.id => p.state },
  )
}

output "merchants_waiting_for_confirmation" {
  description = "Merchants that cannot join the campaign until they confirm their account."
  value       = sort(tolist(data.wechatpay_merchant_authorization_states.merchants.unauthorized))
}
