resource "wechatpay_goldplan_status" "shop" {
  sub_mchid  = "1900000109"
  pay_scenes = ["JSAPI", "MINIPROGRAM"]
}

resource "wechatpay_goldplan_custom_page" "shop" {
  sub_mchid = wechatpay_goldplan_status.shop.sub_mchid
}

resource "wechatpay_goldplan_advertising" "shop" {
  sub_mchid        = wechatpay_goldplan_status.shop.sub_mchid
  industry_filters = ["FINANCE", "GAME"]
}

# Re-sends the settings above in place after someone changed them in the merchant platform:
#   terraform apply -invoke=action.wechatpay_goldplan_reapply.shop
action "wechatpay_goldplan_reapply" "shop" {
  config {
    sub_mchid        = wechatpay_goldplan_status.shop.sub_mchid
    pay_scenes       = wechatpay_goldplan_status.shop.pay_scenes
    custom_page      = true
    advertising      = true
    industry_filters = wechatpay_goldplan_advertising.shop.industry_filters
  }
}
