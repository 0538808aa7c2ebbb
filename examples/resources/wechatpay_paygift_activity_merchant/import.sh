# Import by <activity_id>/<merchant_id>; the merchant must already be a member.
terraform import wechatpay_paygift_activity_merchant.example 10028001/1900000109
