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
func quietLogsUnlessAsked(environ []string, setenv func(key, value string) error) {
	for _, kv := range environ {
		for _, prefix := range []string{"TF_LOG", "TOFU_LOG", "TF_ACC_LOG"} {
			if strings.HasPrefix(kv, prefix) {
				return
			}
		}
	}
	_ = setenv("TF_LOG_SDK", "off")
	_ = setenv("TF_LOG_PROVIDER_WECHATPAY", "off")
}
