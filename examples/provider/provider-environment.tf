# In CI, keep the provider block empty and export the WECHATPAY_* variables from the secret store
# (or `source env.sh` written by the local emulator).
provider "wechatpay" {}
