# Import by sub-merchant id (特约商户号). Nothing can be read back from WeChat Pay: when the
# configuration has industry_filters, the next `terraform apply` shows the ads and sets them
# in one call.
terraform import wechatpay_goldplan_advertising.example 1900000109
