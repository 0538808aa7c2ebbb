data "wechatpay_paygift_activity" "spring" {
  activity_id = "10028001"
}

output "spring_activity" {
  value = {
    name   = data.wechatpay_paygift_activity.spring.activity_name
    status = data.wechatpay_paygift_activity.spring.activity_status
    ends   = data.wechatpay_paygift_activity.spring.end_time
  }
}
