# Platform-certificate mode, for merchants that have not applied for a WeChat Pay public key: the
# provider downloads the platform certificates with GET /v3/certificates and decrypts them with the
# APIv3 key.
variable "wechatpay_apiv3_key" {
  type      = string
  sensitive = true
}

provider "wechatpay" {
  mchid                  = "1900000001"
  merchant_serial_number = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
  private_key_path       = "${path.module}/secrets/apiclient_key.pem"
  apiv3_key              = var.wechatpay_apiv3_key
}
