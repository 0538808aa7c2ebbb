// Command terraform-provider-wechatpay serves the WeChat Pay provider to Terraform over plugin
// protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/provider"
)

// version is set by goreleaser through -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/wxpay-tf/wechatpay",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
