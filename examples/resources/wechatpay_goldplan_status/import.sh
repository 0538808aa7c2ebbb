# Import by sub-merchant id (特约商户号) and the pay scenes you know are open. Nothing can be read
# back from WeChat Pay, so the id carries them; then the next plan is clean.
terraform import wechatpay_goldplan_status.example 1900000109:JSAPI,MINIPROGRAM

# By sub-merchant id alone (a warning says the scenes are unknown): the next `terraform apply`
# opens the configured pay_scenes again.
terraform import wechatpay_goldplan_status.example 1900000109
