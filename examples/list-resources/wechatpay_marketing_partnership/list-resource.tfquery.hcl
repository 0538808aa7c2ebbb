# In a .tfquery.hcl file: every partnership in force of the merchant configured in the provider.
list "wechatpay_marketing_partnership" "all" {
  provider         = wechatpay.merchant
  include_resource = true
  limit            = 10000
}

# Only the merchant coupon stock 98065001, terminated grants included (to review them: a
# terminated grant cannot be imported).
list "wechatpay_marketing_partnership" "stock" {
  provider = wechatpay.merchant

  config {
    business_type      = "BUSIFAVOR_STOCK"
    stock_id           = "98065001"
    include_terminated = true
  }
}
