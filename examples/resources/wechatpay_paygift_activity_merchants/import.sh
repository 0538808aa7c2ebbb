# Import by activity id (活动Id): the activity's current merchants become the state, and the
# next plan shows what the configuration adds or removes.
terraform import wechatpay_paygift_activity_merchants.example 10028001
