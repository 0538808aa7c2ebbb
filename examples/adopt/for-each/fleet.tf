# Step 2: the configuration, driven by the inventory kept in fleet.json (commit it; from now on
# it is the list you edit, and Terraform makes WeChat Pay follow it).
locals {
  fleet = jsondecode(file("${path.module}/fleet.json"))

  # Activities whose merchants are managed one by one, keyed "<activity_id>/<merchant_id>" as
  # the import id of wechatpay_paygift_activity_merchant.
  members = merge([
    for activity in ["10028001", "10028002"] : {
      for id in local.fleet.members[activity] : "${activity}/${id}" => { activity_id = activity, merchant_id = id }
    }
  ]...)

  # Partnerships keyed by the import id of wechatpay_marketing_partnership.
  grants = { for p in local.fleet.partnerships : p.id => p }
}

resource "wechatpay_paygift_activity_merchant" "member" {
  for_each    = local.members
  provider    = wechatpay.service_provider
  activity_id = each.value.activity_id
  merchant_id = each.value.merchant_id
}

resource "wechatpay_paygift_activity_merchants" "whole" {
  provider     = wechatpay.service_provider
  activity_id  = "10028003"
  merchant_ids = local.fleet.members["10028003"]
}

resource "wechatpay_marketing_partnership" "grant" {
  for_each        = local.grants
  provider        = wechatpay.merchant
  partner         = each.value.partner
  authorized_data = each.value.authorized_data
}
