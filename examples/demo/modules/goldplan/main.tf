# Gold plan for one sub-merchant: on for some pay scenes, receipt page on, ads shown without
# some industries. The receipt page and the ads reference the status resource, so they open
# after the gold plan and close before it.
terraform {
  required_providers {
    wechatpay = {
      source = "wxpay-tf/wechatpay"
    }
  }
}

variable "sub_mchid" {
  description = "Sub-merchant id (特约商户号)."
  type        = string
}

variable "pay_scenes" {
  description = "Pay scenes the gold plan is open for: JSAPI and/or MINIPROGRAM."
  type        = set(string)
  default     = ["JSAPI"]
  nullable    = false
}

variable "receipt_page" {
  description = "Whether the merchant receipt page (商家小票) is on."
  type        = bool
  default     = true
  nullable    = false
}

variable "industry_filters" {
  description = "Up to three industries kept out of the ads; null for none."
  type        = set(string)
  default     = null
}

resource "wechatpay_goldplan_status" "this" {
  sub_mchid  = var.sub_mchid
  pay_scenes = var.pay_scenes
}

resource "wechatpay_goldplan_custom_page" "this" {
  count     = var.receipt_page ? 1 : 0
  sub_mchid = wechatpay_goldplan_status.this.sub_mchid
}

resource "wechatpay_goldplan_advertising" "this" {
  sub_mchid        = wechatpay_goldplan_status.this.sub_mchid
  industry_filters = var.industry_filters
}

output "summary" {
  description = "What this module asserted for the sub-merchant."
  value = {
    pay_scenes       = sort(tolist(wechatpay_goldplan_status.this.pay_scenes))
    receipt_page     = length(wechatpay_goldplan_custom_page.this) > 0
    industry_filters = wechatpay_goldplan_advertising.this.industry_filters == null ? [] : sort(tolist(wechatpay_goldplan_advertising.this.industry_filters))
  }
}
