# Platform-certificate mode, for merchants that have not applied for a WeChat Pay public key: the
# provider downloads the platform certificates with GET /v3/certificates and decrypts them with the
# APIv3 key.
#
# The APIv3 key comes from an ephemeral variable (Terraform 1.10 and later, OpenTofu 1.11 and
# later): Terraform keeps its value out of saved plans and state, so set TF_VAR_wechatpay_apiv3_key
# for both `plan` and `apply`. An ordinary variable, even a sensitive one, is written in plain text
# into every saved plan. On older versions, leave apiv3_key out and export WECHATPAY_APIV3_KEY.
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
