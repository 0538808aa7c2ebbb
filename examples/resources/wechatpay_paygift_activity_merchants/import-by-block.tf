# Terraform 1.5 and later: adopt an activity's merchant list by activity id (活动Id).
import {
  to = wechatpay_paygift_activity_merchants.example
  id = "10028001"
}

resource "wechatpay_paygift_activity_merchants" "example" {
  activity_id  = "10028001"
  merchant_ids = ["1900000109", "1900000110"]
}
