# One team's merchant joins pay-gift activity 10028001; the activity's other merchants,
# managed elsewhere, are left alone.
data "wechatpay_paygift_activity" "spring" {
  activity_id = "10028001"
}

resource "wechatpay_paygift_activity_merchant" "tea_house" {
  activity_id = data.wechatpay_paygift_activity.spring.activity_id
  merchant_id = "1900000109"

  lifecycle {
    precondition {
      condition     = data.wechatpay_paygift_activity.spring.ongoing
      error_message = "Activity ${data.wechatpay_paygift_activity.spring.activity_id} is ${data.wechatpay_paygift_activity.spring.activity_status}: its merchants cannot change."
    }
  }
}
