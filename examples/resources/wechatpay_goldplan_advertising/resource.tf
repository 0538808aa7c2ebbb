resource "wechatpay_goldplan_status" "tea_house" {
  sub_mchid = "1900000109"
}

# Ads on the payment result page, without finance, gaming or dating ads. Referencing the status
# resource shows the ads after the gold plan opens and stops them before it closes.
resource "wechatpay_goldplan_advertising" "tea_house" {
  sub_mchid        = wechatpay_goldplan_status.tea_house.sub_mchid
  industry_filters = ["FINANCE", "GAME", "LOVE_MARRIAGE"]
}
