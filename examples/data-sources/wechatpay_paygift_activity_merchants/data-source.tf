variable "spring_merchants" {
  description = "The merchants of activity 10028001, as kept in git."
  type        = set(string)
}

data "wechatpay_paygift_activity_merchants" "spring" {
  activity_id = "10028001"
}

resource "wechatpay_paygift_activity_merchant" "spring" {
  for_each    = var.spring_merchants
  activity_id = "10028001"
  merchant_id = each.key
}

# Adopt the listed merchants that are members already; the others are added (Terraform 1.7
# and later).
import {
  for_each = setintersection(data.wechatpay_paygift_activity_merchants.spring.merchant_ids, var.spring_merchants)
  to       = wechatpay_paygift_activity_merchant.spring[each.key]
  id       = "10028001/${each.key}"
}

# Warn about merchants that joined the activity outside Terraform.
check "spring_merchants_managed" {
  assert {
    condition     = length(setsubtract(data.wechatpay_paygift_activity_merchants.spring.merchant_ids, var.spring_merchants)) == 0
    error_message = "Activity 10028001 has merchants this configuration does not list: ${join(", ", setsubtract(data.wechatpay_paygift_activity_merchants.spring.merchant_ids, var.spring_merchants))}."
  }
}
