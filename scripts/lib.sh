# Shared by the demo scripts (sourced, never run): build the binaries, start emulators, and
# make Terraform use the provider just built. Each needs $demo, the demo's working folder.

# build_binaries builds the provider and the emulator into $demo/bin.
build_binaries() {
  mkdir -p "$demo/bin"
  go build -o "$demo/bin/terraform-provider-wechatpay" .
  go build -o "$demo/bin/wxpay-emulator" ./cmd/wxpay-emulator
}

emulator_pids=()
trap 'for p in "${emulator_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done' EXIT

# start_emulator NAME [FLAG…] starts an emulator keeping its files in $demo/NAME, and waits for
# the ready line it writes to $demo/NAME.json. It is stopped when the script exits.
start_emulator() {
  local name=$1
  shift
  rm -f "$demo/$name.json"
  "$demo/bin/wxpay-emulator" -listen 127.0.0.1:0 -dir "$demo/$name" "$@" \
    >"$demo/$name.json" 2>"$demo/$name.log" &
  emulator_pids+=($!)
  for _ in $(seq 1 100); do
    [ -s "$demo/$name.json" ] && return 0
    kill -0 "${emulator_pids[-1]}" 2>/dev/null || { cat "$demo/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "emulator $name did not start" >&2
  cat "$demo/$name.log" >&2
  exit 1
}

# use_built_provider makes Terraform run $demo/bin's provider through a dev override.
# `terraform init` still resolves the provider (and installs modules), so a local mirror holding
# the same binary answers it without a registry.
use_built_provider() {
  local platform mirror
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
}
