# Step 1 (Terraform 1.7 and later, or OpenTofu): read what exists. `terraform apply` here only
# reads; `terraform output -json fleet > fleet.json` keeps the inventory for step 2.
data "wechatpay_paygift_activity_merchants" "fleet" {
  for_each    = toset(["10028001", "10028002", "10028003"])
  provider    = wechatpay.service_provider
  activity_id = each.key
}

data "wechatpay_marketing_partnerships" "fleet" {
  provider = wechatpay.merchant
}

output "fleet" {
  description = "The existing fleet, to be kept in fleet.json."
  value = {
    members = { for id, d in data.wechatpay_paygift_activity_merchants.fleet : id => sort(d.merchant_ids) }
    partnerships = [for p in data.wechatpay_marketing_partnerships.fleet.partnerships : {
      id              = p.id
      partner         = p.partner
      authorized_data = p.authorized_data
    }]
  }
}
