#!/usr/bin/env bash
# make demo-adopt: an existing fleet (pay-gift merchants and partnerships made by hand) adopted
# by Terraform without a single change at WeChat Pay, two ways, on the local emulators:
#   A. terraform query -generate-config-out (Terraform 1.14 and later);
#   B. data sources, an inventory file and import blocks with for_each (Terraform 1.7 and later).
# Each family has its own caller, so there are two emulators: the service provider's (pay-gift)
# and the merchant's (partnerships), and the configuration has a provider alias for each.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
terraform=${TERRAFORM:-terraform}
demo=$root/.demo/adopt
examples=$root/examples/adopt

say() { printf '\n==> %s\n' "$*"; }
# run shows a command as a user would type it, then runs it in the current directory.
run() {
  printf '\n$ terraform %s\n' "$*"
  "$terraform" "$@" -no-color
}

# shellcheck source=scripts/lib.sh
source scripts/lib.sh

say "building the provider and the emulator"
build_binaries
# field NAME KEY reads one string from an emulator's ready line: the first, which is the default
# caller's (the line goes on to list the emulator's other callers).
field() { grep -o "\"$2\":\"[^\"]*\"" "$demo/$1.json" | head -n 1 | sed 's/.*:"\(.*\)"/\1/'; }
caller() {
  printf '{"mchid": "%s", "merchant_serial_number": "%s", "private_key_path": "%s", "wechatpay_public_key_id": "%s", "wechatpay_public_key_path": "%s", "endpoint": "%s"}' \
    "$(field "$1" mchid)" "$(field "$1" merchant_serial_number)" "$(field "$1" private_key_path)" \
    "$(field "$1" wechatpay_public_key_id)" "$(field "$1" wechatpay_public_key_path)" "$(field "$1" endpoint)"
}
# calls NAME prints the calls an emulator received since the last clear, by method and path.
calls() {
  { curl -fsS "$(field "$1" endpoint)/_emulator/calls"; echo; } |
    sed -e 's/.*"counters":\[//' -e 's/\],"total".*//' -e 's/},{/}\n{/g' |
    sed -n 's/.*"method":"\([A-Z]*\)","path":"\([^"]*\)","calls":\([0-9]*\),"applied":\([0-9]*\).*/    \1 \2: \3 calls, \4 applied/p'
}
clear_calls() { curl -fsS -X DELETE -H 'Content-Type: application/json' "$(field "$1" endpoint)/_emulator/calls" >/dev/null; }

say "starting the service provider's and the merchant's WeChat Pay emulators"
start_emulator service-provider -mchid 1900000001 -seed "$examples/service-provider-seed.json"
start_emulator merchant -mchid 1900000002 -seed "$examples/merchant-seed.json"
echo "    service provider $(field service-provider mchid) at $(field service-provider endpoint)"
echo "    merchant         $(field merchant mchid) at $(field merchant endpoint)"

use_built_provider
unset "${!WECHATPAY_@}"

# workdir NAME makes a fresh working directory holding the callers and their credentials.
workdir() {
  rm -rf "$demo/$1" && mkdir -p "$demo/$1"
  cp "$examples/callers.tf" "$demo/$1/"
  printf '{\n  "service_provider": %s,\n  "merchant": %s\n}\n' "$(caller service-provider)" "$(caller merchant)" \
    >"$demo/$1/callers.auto.tfvars.json"
  cd "$demo/$1"
}

# expect_clean fails the demo unless a plan finds nothing to do and no call changed anything.
expect_clean() {
  set +e
  "$terraform" plan -input=false -detailed-exitcode -no-color >"$demo/plan.txt"
  local rc=$?
  set -e
  printf '\n$ terraform plan -detailed-exitcode\n'
  grep -E '^No changes|^Plan:' "$demo/plan.txt" || true
  [ $rc -eq 0 ] || { echo "demo FAILED: the plan after adopting exited $rc" >&2; cat "$demo/plan.txt" >&2; exit 1; }
  if command -v curl >/dev/null; then
    for name in service-provider merchant; do
      echo "  calls to the $name emulator:"
      calls "$name"
      if calls "$name" | grep -qv '^    GET '; then
        echo "demo FAILED: adopting made a call other than GET to the $name emulator" >&2
        exit 1
      fi
    done
  fi
}

version=$("$terraform" version -json | sed -n 's/.*"terraform_version": *"\([0-9]*\)\.\([0-9]*\)\..*/\1 \2/p')
read -r major minor <<<"$version"
if [ "$major" -gt 1 ] || [ "$minor" -ge 14 ]; then
  say "A. terraform query (Terraform 1.14 and later)"
  workdir query
  cp "$examples/query/adopt.tfquery.hcl" .
  run init -input=false >/dev/null
  run query -generate-config-out=adopted.tf | grep -v '^$' | grep -v -i 'override\|^The \|^configuration\|^ - \|behavior\|applying changes\|releases\.' || true
  printf '\n$ head -n 32 adopted.tf\n'
  head -n 32 adopted.tf
  echo
  run apply -input=false -auto-approve | grep -E '^\$ terraform|^Plan:|Import complete|Apply complete' | sed -n '1,5p;$p'
  expect_clean
  for name in service-provider merchant; do clear_calls "$name"; done
else
  say "A. skipped: terraform query needs Terraform 1.14 or later, this is $("$terraform" version | head -n 1)"
fi

say "B. data sources and import blocks with for_each (Terraform 1.7 and later)"
workdir for-each
cp "$examples/for-each/inventory.tf" .
run init -input=false >/dev/null
echo
run apply -input=false -auto-approve | grep -E '^\$ terraform|Read complete|Apply complete' | sed -n '1,3p;$p'
printf '\n$ terraform output -json fleet > fleet.json\n'
"$terraform" output -json fleet >fleet.json
head -c 400 fleet.json
echo " …"
rm inventory.tf
cp "$examples/for-each/fleet.tf" "$examples/for-each/imports.tf" .
echo
run apply -input=false -auto-approve | grep -E '^\$ terraform|^Plan:|Import complete|Apply complete' | sed -n '1,5p;$p'
expect_clean

say "demo done: both ways adopted the fleet, made only GET calls, and leave nothing to change"
