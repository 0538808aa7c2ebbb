# Step 2: adopt everything the inventory lists. Once applied these blocks do nothing more and
# can be deleted.
import {
  for_each = local.members
  to       = wechatpay_paygift_activity_merchant.member[each.key]
  id       = each.key
}

import {
  to = wechatpay_paygift_activity_merchants.whole
  id = "10028003"
}

import {
  for_each = local.grants
  to       = wechatpay_marketing_partnership.grant[each.key]
  id       = each.key
}
