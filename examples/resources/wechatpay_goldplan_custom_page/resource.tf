resource "wechatpay_goldplan_status" "tea_house" {
  sub_mchid = "1900000109"
}

# The receipt page (商家小票) shows only while the gold plan is open: referencing the status
# resource's sub_mchid opens it after the gold plan and closes it before.
resource "wechatpay_goldplan_custom_page" "tea_house" {
  sub_mchid = wechatpay_goldplan_status.tea_house.sub_mchid
}
