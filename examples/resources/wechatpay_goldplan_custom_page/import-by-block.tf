# Terraform 1.5 and later: import by sub-merchant id (特约商户号) in configuration.
import {
  to = wechatpay_goldplan_custom_page.example
  id = "1900000109"
}

resource "wechatpay_goldplan_custom_page" "example" {
  sub_mchid = "1900000109"
}
