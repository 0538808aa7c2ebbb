// Command wxpay-emulator serves the WeChat Pay APIv3 emulator for demos and CI. It prints one
// JSON line describing the endpoint and credentials, writes DIR/env.sh and DIR/callers.json,
// and serves until SIGINT or SIGTERM. Run with -h for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := emulator.RunCommand(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "wxpay-emulator:", err)
		os.Exit(1)
	}
}
