# Import by <partner type>:<appid or merchant_id>:<business_type>:<stock_id>.
terraform import wechatpay_marketing_partnership.example APPID:wx4e1916a585d1f4e9:BUSIFAVOR_STOCK:98065001
