terraform {
  required_providers {
    wechatpay = {
      source = "wxpay-tf/wechatpay"
    }
  }
}

# Public-key mode: the merchant API private key signs every request and the WeChat Pay public key
# verifies every answer. Leave any of these out to take it from its WECHATPAY_* variable instead.
provider "wechatpay" {
  mchid                     = "1900000001"
  merchant_serial_number    = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
  private_key_path          = "${path.module}/secrets/apiclient_key.pem"
  wechatpay_public_key_id   = "PUB_KEY_ID_0114232134912410000000000000"
  wechatpay_public_key_path = "${path.module}/secrets/pub_key.pem"
}
