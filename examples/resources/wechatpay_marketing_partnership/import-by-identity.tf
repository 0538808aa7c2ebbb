# Terraform 1.12 and later: adopt an existing partnership by its identity, as
# `terraform query -generate-config-out` writes it.
import {
  to = wechatpay_marketing_partnership.example
  identity = {
    partner_type  = "APPID"
    partner_id    = "wx4e1916a585d1f4e9"
    business_type = "BUSIFAVOR_STOCK"
    stock_id      = "98065001"
  }
}
