# A platform team's configuration: the merchants it runs live in one map, and every setting is
# derived from it with for_each. `make demo` applies this against the local emulator.
terraform {
  required_providers {
    wechatpay = {
      source = "wxpay-tf/wechatpay"
    }
  }
}

# Credentials and the endpoint come from the WECHATPAY_* environment variables
# (the emulator writes them to env.sh).
provider "wechatpay" {}

variable "merchants" {
  description = "Sub-merchants run by this channel partner, keyed by sub_mchid."
  type = map(object({
    name = string
  }))
  default = {
    "1900000109" = { name = "Hangzhou Tea House" }
    "1900000110" = { name = "Chengdu Noodle Bar" }
    "1900000111" = { name = "Xiamen Bike Rental" }
  }
}

data "wechatpay_merchant_authorization_state" "merchant" {
  for_each  = var.merchants
  sub_mchid = each.key
}

output "authorization_states" {
  description = "Account-opening confirmation state of every merchant."
  value = {
    for id, m in var.merchants : "${id} ${m.name}" => data.wechatpay_merchant_authorization_state.merchant[id].authorize_state
  }
}

output "not_yet_authorized" {
  description = "Merchants that still have to confirm their account in WeChat Pay."
  value       = sort([for id, s in data.wechatpay_merchant_authorization_state.merchant : id if !s.authorized])
}
