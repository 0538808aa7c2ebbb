# Import by sub-merchant id (特约商户号). Nothing can be read back from WeChat Pay: the next
# `terraform apply` opens the configured pay_scenes again.
terraform import wechatpay_goldplan_status.example 1900000109
