# Terraform 1.10 and later: an ephemeral variable is never written to a plan or state file. Pass it
# with TF_VAR_wechatpay_apiv3_key, on plan and again on apply.
variable "wechatpay_apiv3_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "wechatpay" {
  mchid                  = "1900000001"
  merchant_serial_number = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
  private_key_path       = "${path.module}/secrets/apiclient_key.pem"
  apiv3_key              = var.wechatpay_apiv3_key
}
