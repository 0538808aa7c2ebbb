# `terraform query -generate-config-out=adopted.tf` (Terraform 1.14 and later) finds what these
# blocks describe and writes a resource block and an import block for each result.

# Activities whose merchants are managed one by one (several teams may each add their own).
list "wechatpay_paygift_activity_merchant" "member" {
  for_each         = toset(["10028001", "10028002"])
  provider         = wechatpay.service_provider
  include_resource = true
  limit            = 10000 # the default is 100 results per list block

  config {
    activity_id = each.key
  }
}

# An activity whose whole merchant list is managed in one place.
list "wechatpay_paygift_activity_merchants" "whole" {
  provider         = wechatpay.service_provider
  include_resource = true

  config {
    activity_id = "10028003"
  }
}

# Every partnership in force; terminated ones are left out unless include_terminated = true.
list "wechatpay_marketing_partnership" "grant" {
  provider         = wechatpay.merchant
  include_resource = true
  limit            = 10000
}
