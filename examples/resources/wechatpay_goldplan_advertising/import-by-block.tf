# Terraform 1.5 and later: import by sub-merchant id (特约商户号) and the industry filters you know
# are set, in configuration. `terraform plan -generate-config-out=generated.tf` writes them.
import {
  to = wechatpay_goldplan_advertising.example
  id = "1900000109:FINANCE,GAME"
}

resource "wechatpay_goldplan_advertising" "example" {
  sub_mchid        = "1900000109"
  industry_filters = ["FINANCE", "GAME"]
}
