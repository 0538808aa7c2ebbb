# Import by sub-merchant id (特约商户号). The page is recorded as open; nothing is called.
terraform import wechatpay_goldplan_custom_page.example 1900000109
