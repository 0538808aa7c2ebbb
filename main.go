// Command terraform-provider-wechatpay serves the WeChat Pay provider to Terraform over plugin
// protocol 6.
package main

import (
	"flag"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/provider"
)

// version is set by goreleaser through -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	if !debug {
		quietLogsUnlessAsked(os.Environ(), os.Setenv)
	}

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve("registry.terraform.io/wxpay-tf/wechatpay", provider.NewProtocol6Server(version), opts...)
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietLogsUnlessAsked turns off the SDK's and the provider's own logs when no TF_LOG* variable
// asks for any. The plugin SDK logs every call at TRACE and leaves the filtering to the CLI,
// which inherits the same environment and drops them all when no TF_LOG* is set: formatting and
// shipping them would cost about a third of the provider's CPU in a large apply, and the CLI's
// CPU to read them. Any TF_LOG*, TOFU_LOG* or TF_ACC_LOG* variable leaves every level as the SDK
// sets it.
//
// TF_LOG_SDK=off silences the SDK's loggers but not its subsystems' level checks: without a
// level of their own, the framework's and the protocol's subsystems still look their logger up
// for every TRACE line before dropping it. terraform-plugin-framework v1.19 does so for every
// element of a list while it walks a plan or a state, each time through a context that has grown
// by one value per element walked: quadratic in the list's length, half the provider's CPU in
// the create of an activity of 5000 merchants. With their levels off the check ends at once.
func quietLogsUnlessAsked(environ []string, setenv func(key, value string) error) {
	for _, kv := range environ {
		for _, prefix := range []string{"TF_LOG", "TOFU_LOG", "TF_ACC_LOG"} {
			if strings.HasPrefix(kv, prefix) {
				return
			}
		}
	}
	for _, key := range []string{"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO", "TF_LOG_PROVIDER_WECHATPAY"} {
		_ = setenv(key, "off")
	}
}
