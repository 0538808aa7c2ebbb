# The complete list of merchants issuing the coupons of pay-gift activity 10028001.
# Merchants added to the activity anywhere else are removed on the next apply.
resource "wechatpay_paygift_activity_merchants" "spring" {
  activity_id = "10028001"
  merchant_ids = [
    "1900000109",
    "1900000110",
    "1900000112",
  ]
}
