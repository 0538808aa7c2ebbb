# Terraform 1.5 and later: adopt an existing membership by <activity_id>/<merchant_id>.
import {
  to = wechatpay_paygift_activity_merchant.example
  id = "10028001/1900000109"
}

resource "wechatpay_paygift_activity_merchant" "example" {
  activity_id = "10028001"
  merchant_id = "1900000109"
}
