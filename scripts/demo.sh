#!/usr/bin/env bash
# make demo: the provider's main job end to end on the local emulator, with the real Terraform CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
terraform=${TERRAFORM:-terraform}
demo=$root/.demo

# shellcheck source=scripts/lib.sh
source scripts/lib.sh

echo "==> building the provider and the emulator"
build_binaries
echo "==> starting the WeChat Pay emulator"
start_emulator emulator -seed examples/demo/emulator-seed.json
# env.sh points at the emulator and its WeChat Pay public key. The demo signs each API family
# as its own caller (main.tf): var.callers is the emulator's callers.json (every caller's mchid,
# serial and key path), and the default caller's are unset so that nothing falls back to them.
# shellcheck disable=SC1091
source "$demo/emulator/env.sh"
TF_VAR_callers=$(<"$demo/emulator/callers.json")
export TF_VAR_callers
sed -n 's/^  "\(.*\)": {$/    caller \1/p' "$demo/emulator/callers.json"
unset WECHATPAY_MCHID WECHATPAY_MERCHANT_SERIAL_NUMBER WECHATPAY_PRIVATE_KEY_PATH
echo "    endpoint $WECHATPAY_ENDPOINT"

use_built_provider

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
