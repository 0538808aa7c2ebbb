#!/usr/bin/env bash
# make demo: the provider's main job end to end on the local emulator, with the real Terraform CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
terraform=${TERRAFORM:-terraform}
demo=$root/.demo

mkdir -p "$demo/bin"
echo "==> building the provider and the emulator"
go build -o "$demo/bin/terraform-provider-wechatpay" .
go build -o "$demo/bin/wxpay-emulator" ./cmd/wxpay-emulator

echo "==> starting the WeChat Pay emulator"
rm -f "$demo/emulator.json"
"$demo/bin/wxpay-emulator" -listen 127.0.0.1:0 -dir "$demo/emulator" \
  -seed examples/demo/emulator-seed.json >"$demo/emulator.json" 2>"$demo/emulator.log" &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null || true; wait $emulator_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$demo/emulator.json" ] && break
  kill -0 $emulator_pid 2>/dev/null || { cat "$demo/emulator.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$demo/emulator.json" ] || { echo "emulator did not start" >&2; cat "$demo/emulator.log" >&2; exit 1; }
# env.sh points at the emulator and its WeChat Pay public key. The demo signs each API family
# as its own caller (main.tf): var.callers gets every caller's credentials from its
# env-NAME.sh, and the default caller's are unset so that nothing falls back to them.
# shellcheck disable=SC1091
source "$demo/emulator/env.sh"
callers=""
for env in "$demo"/emulator/env-*.sh; do
  name=${env##*/env-}
  name=${name%.sh}
  callers+=$(
    # shellcheck disable=SC1090
    source "$env"
    printf '%s"%s":{"mchid":"%s","merchant_serial_number":"%s","private_key_path":"%s"}' \
      "${callers:+,}" "$name" "$WECHATPAY_MCHID" "$WECHATPAY_MERCHANT_SERIAL_NUMBER" "$WECHATPAY_PRIVATE_KEY_PATH"
  )
  echo "    caller $name: merchant $(source "$env" && echo "$WECHATPAY_MCHID")"
done
export TF_VAR_callers="{$callers}"
unset WECHATPAY_MCHID WECHATPAY_MERCHANT_SERIAL_NUMBER WECHATPAY_PRIVATE_KEY_PATH
echo "    endpoint $WECHATPAY_ENDPOINT"

# A dev override makes Terraform use the binary just built instead of downloading from the
# registry. `terraform init` still resolves the provider (and installs the demo's modules), so a
# local mirror holding the same binary answers it without a registry.
platform=$(go env GOOS)_$(go env GOARCH)
mirror=$demo/mirror/registry.terraform.io/wxpay-tf/wechatpay/0.0.1/$platform
mkdir -p "$mirror"
cp "$demo/bin/terraform-provider-wechatpay" "$mirror/terraform-provider-wechatpay_v0.0.1"
cat >"$demo/terraformrc" <<RC
disable_checkpoint = true
provider_installation {
  dev_overrides {
    "registry.terraform.io/wxpay-tf/wechatpay" = "$demo/bin"
  }
  filesystem_mirror {
    path    = "$demo/mirror"
    include = ["registry.terraform.io/wxpay-tf/wechatpay"]
  }
}
RC
export TF_CLI_CONFIG_FILE=$demo/terraformrc TF_IN_AUTOMATION=1

# A fresh working copy each run: the emulator starts empty, so must the state.
rm -rf "$demo/work" && cp -r examples/demo "$demo/work"
cd "$demo/work"

echo "==> terraform init"
"$terraform" init -input=false -no-color >/dev/null
echo "==> terraform apply"
"$terraform" apply -input=false -auto-approve -no-color
echo "==> terraform output"
"$terraform" output -no-color
echo "==> terraform plan -detailed-exitcode (expect no changes)"
set +e
"$terraform" plan -input=false -detailed-exitcode -no-color >"$demo/plan.txt"
rc=$?
set -e
tail -n 3 "$demo/plan.txt"
case $rc in
  0) echo "==> demo done: applied, and a second plan shows no changes" ;;
  2) echo "demo FAILED: the second plan wants changes" >&2; cat "$demo/plan.txt" >&2; exit 1 ;;
  *) echo "demo FAILED: terraform plan exited $rc" >&2; cat "$demo/plan.txt" >&2; exit 1 ;;
esac
