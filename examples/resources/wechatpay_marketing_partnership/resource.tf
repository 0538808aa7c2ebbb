# Grant a merchant coupon stock (商家券) to a mini program.
resource "wechatpay_marketing_partnership" "mini_program" {
  partner = {
    type  = "APPID"
    appid = "wx4e1916a585d1f4e9"
  }
  authorized_data = {
    business_type = "BUSIFAVOR_STOCK"
    stock_id      = "98065001"
  }
}

# Grant the same stock to another merchant. WeChat Pay coupons (FAVOR_STOCK, 代金券) can only go
# to an APPID partner; the plan says so before anything is called.
resource "wechatpay_marketing_partnership" "partner_merchant" {
  partner = {
    type        = "MERCHANT"
    merchant_id = "1900000109"
  }
  authorized_data = {
    business_type = "BUSIFAVOR_STOCK"
    stock_id      = "98065001"
  }
}

output "mini_program_partnership" {
  value = "${wechatpay_marketing_partnership.mini_program.id} built ${wechatpay_marketing_partnership.mini_program.build_time}"
}
