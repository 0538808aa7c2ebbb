# Terraform 1.12 and later: adopt an activity's merchant list by its identity, as
# `terraform query -generate-config-out` writes it.
import {
  to = wechatpay_paygift_activity_merchants.example
  identity = {
    activity_id = "10028001"
  }
}
