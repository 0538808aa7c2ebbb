# Terraform 1.5 and later: import by sub-merchant id (特约商户号) and the pay scenes you know are
# open, in configuration. `terraform plan -generate-config-out=generated.tf` writes them.
import {
  to = wechatpay_goldplan_status.example
  id = "1900000109:JSAPI,MINIPROGRAM"
}

resource "wechatpay_goldplan_status" "example" {
  sub_mchid  = "1900000109"
  pay_scenes = ["JSAPI", "MINIPROGRAM"]
}
