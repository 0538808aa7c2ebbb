# Both modes while the merchant moves from platform certificates to the WeChat Pay public key:
# requests ask for answers signed with the public key, and answers signed with either the public
# key or a platform certificate are accepted. Remove the APIv3 key once the migration is complete.
# The APIv3 key comes from WECHATPAY_APIV3_KEY in the environment, never from a Terraform
# variable, which Terraform would write into saved plan files.
provider "wechatpay" {
  mchid                     = "1900000001"
  merchant_serial_number    = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
  private_key_path          = "${path.module}/secrets/apiclient_key.pem"
  wechatpay_public_key_id   = "PUB_KEY_ID_0114232134912410000000000000"
  wechatpay_public_key_path = "${path.module}/secrets/pub_key.pem"
  # apiv3_key: from WECHATPAY_APIV3_KEY
}
