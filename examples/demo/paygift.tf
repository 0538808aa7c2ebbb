# Pay-gift (支付有礼): every merchant in var.merchants issues the coupons of the spring activity.
# This configuration owns the activity's whole merchant list; merchants added to it elsewhere
# are removed on the next apply.
variable "paygift_activity_id" {
  description = "Pay-gift activity whose coupons the merchants issue."
  type        = string
  default     = "10028001"
}

data "wechatpay_paygift_activity" "spring" {
  provider    = wechatpay.paygift
  activity_id = var.paygift_activity_id
}

resource "wechatpay_paygift_activity_merchants" "spring" {
  provider     = wechatpay.paygift
  activity_id  = data.wechatpay_paygift_activity.spring.activity_id
  merchant_ids = keys(var.merchants)

  lifecycle {
    precondition {
      condition     = data.wechatpay_paygift_activity.spring.ongoing
      error_message = "Pay-gift activity ${var.paygift_activity_id} is ${data.wechatpay_paygift_activity.spring.activity_status}; its merchants can change only while it is ONGOING_ACT_STATUS."
    }
  }
}

output "paygift_activity" {
  description = "The pay-gift activity and the merchants issuing its coupons."
  value = {
    name      = data.wechatpay_paygift_activity.spring.activity_name
    status    = data.wechatpay_paygift_activity.spring.activity_status
    merchants = sort([for id in wechatpay_paygift_activity_merchants.spring.merchant_ids : "${id} ${var.merchants[id].name}"])
  }
}
