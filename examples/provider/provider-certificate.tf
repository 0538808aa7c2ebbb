# Platform-certificate mode, for merchants that have not applied for a WeChat Pay public key: the
# provider downloads the platform certificates with GET /v3/certificates and decrypts them with the
# APIv3 key.
#
# Keep the APIv3 key out of Terraform variables: Terraform writes variable values into saved plan
# files (tfplan), which CI often uploads. Export WECHATPAY_APIV3_KEY from your secret store, or
# read it from a file as here, or on Terraform 1.10 and later use an ephemeral variable (below).
provider "wechatpay" {
  mchid                  = "1900000001"
  merchant_serial_number = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
  private_key_path       = "${path.module}/secrets/apiclient_key.pem"
  apiv3_key              = trimspace(file("${path.module}/secrets/apiv3_key"))
}
