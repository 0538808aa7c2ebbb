# Import by sub-merchant id (特约商户号) and the industry filters you know are set. Nothing can be
# read back from WeChat Pay, so the id carries them; then the next plan is clean.
terraform import wechatpay_goldplan_advertising.example 1900000109:FINANCE,GAME

# By sub-merchant id alone (a warning says the filters are unknown): when the configuration has
# industry_filters, the next `terraform apply` sets them in one call.
terraform import wechatpay_goldplan_advertising.example 1900000109
