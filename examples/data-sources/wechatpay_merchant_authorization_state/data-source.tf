data "wechatpay_merchant_authorization_state" "shop" {
  sub_mchid = "1900000109"
}

output "shop_authorized" {
  value = data.wechatpay_merchant_authorization_state.shop.authorized
}
