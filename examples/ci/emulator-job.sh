#!/usr/bin/env bash
# A CI job that applies a configuration against the WeChat Pay emulator, then checks that a
# second plan is empty, before the same change is planned against WeChat Pay. Run it in the
# configuration's folder with `terraform` and `wxpay-emulator` on PATH. The configuration takes
# its callers' credentials in a `callers` variable, as examples/demo does.
#
#   EMULATOR_SEED   JSON seed with the sub-merchants, activities and stocks the configuration uses
#   EMULATOR_FLAGS  more emulator flags, e.g. "-dialect request-no-reuse=reject"
set -euo pipefail

emu=$(mktemp -d)
# shellcheck disable=SC2086 # EMULATOR_FLAGS is a list of flags
wxpay-emulator -listen 127.0.0.1:0 -dir "$emu/files" -seed "$EMULATOR_SEED" ${EMULATOR_FLAGS:-} \
  >"$emu/ready.json" 2>"$emu/emulator.log" &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$emu/ready.json" ] && break
  sleep 0.1
done
[ -s "$emu/ready.json" ] || { cat "$emu/emulator.log" >&2; exit 1; }

# env.sh points every provider block at the emulator (WECHATPAY_ENDPOINT) and its public key.
# shellcheck disable=SC1091
source "$emu/files/env.sh"
# Each caller (channel-partner, service-provider, institution, merchant) has its own key;
# callers.json maps every caller's name to its mchid, serial and key path. Hand them all to the
# configuration, which picks one per API family.
TF_VAR_callers=$(<"$emu/files/callers.json")
export TF_VAR_callers
unset WECHATPAY_MCHID WECHATPAY_MERCHANT_SERIAL_NUMBER WECHATPAY_PRIVATE_KEY_PATH

terraform init -input=false
terraform apply -input=false -auto-approve
# A second plan must find nothing to do: exit code 2 means the configuration does not converge.
terraform plan -input=false -detailed-exitcode
# What the apply sent, by method and path, for the job's log.
curl -fsS "$WECHATPAY_ENDPOINT/_emulator/calls"
echo
