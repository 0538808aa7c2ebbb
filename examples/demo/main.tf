# A platform team's configuration: the merchants it runs live in one map, and every setting is
# derived from it with for_each. `make demo` applies this against the local emulator.
terraform {
  required_providers {
    wechatpay = {
      source = "wxpay-tf/wechatpay"
    }
  }
}

# Each WeChat Pay API family has its own kind of caller (支持商户 on its page), so each gets its
# own provider alias with that merchant's credentials. Here one channel partner (渠道商) runs
# the gold plan, the pay-gift activity and the authorization checks of its sub-merchants, and
# the ordinary merchant (普通商户) that owns the coupon stock grants the partnerships.
# The endpoint and the WeChat Pay public key come from the WECHATPAY_* environment variables
# (the emulator writes them to env.sh); `make demo` fills var.callers from its callers.json.
variable "callers" {
  description = "WeChat Pay credentials by caller name: mchid, merchant API certificate serial and private key file."
  type = map(object({
    mchid                  = string
    merchant_serial_number = string
    private_key_path       = string
  }))
}

locals {
  # The caller of each API family, by name in var.callers.
  family_caller = {
    goldplan      = "channel-partner" # 点金计划: 普通服务商 or 渠道商
    paygift       = "channel-partner" # 支付有礼: 普通服务商 (the page's usage line adds 渠道商)
    authorization = "channel-partner" # 开户意愿确认: 渠道商 or 从业机构
    partnerships  = "merchant"        # 委托营销: 普通商户, the merchant that owns the stock
  }
}

provider "wechatpay" {
  alias                  = "goldplan"
  mchid                  = var.callers[local.family_caller.goldplan].mchid
  merchant_serial_number = var.callers[local.family_caller.goldplan].merchant_serial_number
  private_key_path       = var.callers[local.family_caller.goldplan].private_key_path
}

provider "wechatpay" {
  alias                  = "paygift"
  mchid                  = var.callers[local.family_caller.paygift].mchid
  merchant_serial_number = var.callers[local.family_caller.paygift].merchant_serial_number
  private_key_path       = var.callers[local.family_caller.paygift].private_key_path
}

provider "wechatpay" {
  alias                  = "authorization"
  mchid                  = var.callers[local.family_caller.authorization].mchid
  merchant_serial_number = var.callers[local.family_caller.authorization].merchant_serial_number
  private_key_path       = var.callers[local.family_caller.authorization].private_key_path
}

provider "wechatpay" {
  alias                  = "partnerships"
  mchid                  = var.callers[local.family_caller.partnerships].mchid
  merchant_serial_number = var.callers[local.family_caller.partnerships].merchant_serial_number
  private_key_path       = var.callers[local.family_caller.partnerships].private_key_path
}

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
  provider  = wechatpay.authorization
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
