# Public-key mode: the merchant API key signs requests, the WeChat Pay public key verifies answers.
provider "wechatpay" {
  mchid                     = "1900000001"
  merchant_serial_number    = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
  private_key_path          = "${path.module}/secrets/apiclient_key.pem"
  wechatpay_public_key_id   = "PUB_KEY_ID_0114232134912410000000000000"
  wechatpay_public_key_path = "${path.module}/secrets/pub_key.pem"
}
