variable "merchants" {
  description = "Sub-merchants to configure, keyed by sub_mchid."
  type        = map(object({ name = string }))
}

# One read for all merchants: the calls run a few at a time within the provider's rate_limit.
data "wechatpay_merchant_authorization_states" "all" {
  sub_mchids = keys(var.merchants)
}

# Refuse to configure a merchant that has not confirmed its account opening (开户意愿确认) yet:
# the plan stops with a message naming it instead of WeChat Pay refusing calls later.
resource "wechatpay_goldplan_status" "merchant" {
  for_each   = var.merchants
  sub_mchid  = each.key
  pay_scenes = ["JSAPI"]

  lifecycle {
    precondition {
      condition     = contains(data.wechatpay_merchant_authorization_states.all.authorized, each.key)
      error_message = "Sub-merchant ${each.key} (${each.value.name}) has not confirmed its account opening in WeChat Pay yet; ask it to confirm, or remove it from var.merchants."
    }
  }
}

output "waiting_for_confirmation" {
  description = "Merchants that still have to confirm their account."
  value       = sort(tolist(data.wechatpay_merchant_authorization_states.all.unauthorized))
}
