# Terraform 1.5 and later: import by sub-merchant id (特约商户号) in configuration. The apply
# that imports it also opens the configured pay_scenes again, since nothing can be read back.
import {
  to = wechatpay_goldplan_status.example
  id = "1900000109"
}

resource "wechatpay_goldplan_status" "example" {
  sub_mchid  = "1900000109"
  pay_scenes = ["JSAPI"]
}
