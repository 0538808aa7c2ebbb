# Gold plan on for official-account (JSAPI) payments only; pay_scenes defaults to ["JSAPI"].
resource "wechatpay_goldplan_status" "tea_house" {
  sub_mchid = "1900000109"
}

# Gold plan on for both pay scenes of every merchant in a map: one call per merchant.
variable "merchants" {
  type = map(object({ name = string }))
  default = {
    "1900000110" = { name = "Chengdu Noodle Bar" }
    "1900000112" = { name = "Suzhou Silk Shop" }
  }
}

resource "wechatpay_goldplan_status" "merchant" {
  for_each   = var.merchants
  sub_mchid  = each.key
  pay_scenes = ["JSAPI", "MINIPROGRAM"]
}
