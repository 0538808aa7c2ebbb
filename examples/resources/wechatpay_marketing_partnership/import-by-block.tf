# Terraform 1.5 and later: import an existing partnership by the same id, in configuration.
import {
  to = wechatpay_marketing_partnership.example
  id = "APPID:wx4e1916a585d1f4e9:BUSIFAVOR_STOCK:98065001"
}

resource "wechatpay_marketing_partnership" "example" {
  partner = {
    type  = "APPID"
    appid = "wx4e1916a585d1f4e9"
  }
  authorized_data = {
    business_type = "BUSIFAVOR_STOCK"
    stock_id      = "98065001"
  }
}
