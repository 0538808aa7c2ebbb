# One provider configuration per caller: WeChat Pay lets only a service provider (服务商) manage
# pay-gift merchants, and only the merchant that owns a coupon stock grant it to partners (委托营销).
# `make demo-adopt` fills the two variables from the local emulators (callers.auto.tfvars.json).
terraform {
  required_providers {
    wechatpay = {
      source = "wxpay-tf/wechatpay"
    }
  }
}

variable "service_provider" {
  description = "Credentials of the service provider that runs the pay-gift activities."
  type = object({
    mchid                     = string
    merchant_serial_number    = string
    private_key_path          = string
    wechatpay_public_key_id   = string
    wechatpay_public_key_path = string
    endpoint                  = optional(string)
  })
}

variable "merchant" {
  description = "Credentials of the merchant that owns the coupon stocks it grants."
  type = object({
    mchid                     = string
    merchant_serial_number    = string
    private_key_path          = string
    wechatpay_public_key_id   = string
    wechatpay_public_key_path = string
    endpoint                  = optional(string)
  })
}

provider "wechatpay" {
  alias                     = "service_provider"
  mchid                     = var.service_provider.mchid
  merchant_serial_number    = var.service_provider.merchant_serial_number
  private_key_path          = var.service_provider.private_key_path
  wechatpay_public_key_id   = var.service_provider.wechatpay_public_key_id
  wechatpay_public_key_path = var.service_provider.wechatpay_public_key_path
  endpoint                  = var.service_provider.endpoint
}

provider "wechatpay" {
  alias                     = "merchant"
  mchid                     = var.merchant.mchid
  merchant_serial_number    = var.merchant.merchant_serial_number
  private_key_path          = var.merchant.private_key_path
  wechatpay_public_key_id   = var.merchant.wechatpay_public_key_id
  wechatpay_public_key_path = var.merchant.wechatpay_public_key_path
  endpoint                  = var.merchant.endpoint
}
