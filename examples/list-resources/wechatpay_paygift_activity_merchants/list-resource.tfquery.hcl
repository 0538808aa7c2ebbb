# In a .tfquery.hcl file: adopts the activity's whole merchant list as one authoritative
# wechatpay_paygift_activity_merchants.
list "wechatpay_paygift_activity_merchants" "member_days" {
  provider         = wechatpay
  include_resource = true

  config {
    activity_id = "10028003"
  }
}
