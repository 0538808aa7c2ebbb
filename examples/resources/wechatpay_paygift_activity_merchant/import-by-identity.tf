# Terraform 1.12 and later: adopt an existing membership by its identity, as
# `terraform query -generate-config-out` writes it.
import {
  to = wechatpay_paygift_activity_merchant.example
  identity = {
    activity_id = "10028001"
    merchant_id = "1900000109"
  }
}
