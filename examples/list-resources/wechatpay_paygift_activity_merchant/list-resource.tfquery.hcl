# In a .tfquery.hcl file: `terraform query` lists the merchants, and
# `terraform query -generate-config-out=adopted.tf` writes a resource and an import block for each.
list "wechatpay_paygift_activity_merchant" "spring" {
  provider         = wechatpay
  include_resource = true
  limit            = 10000 # the default is 100 results

  config {
    activity_id = "10028001"
  }
}

# Several activities at once.
list "wechatpay_paygift_activity_merchant" "campaigns" {
  for_each         = toset(["10028001", "10028002"])
  provider         = wechatpay
  include_resource = true
  limit            = 10000

  config {
    activity_id = each.key
  }
}
