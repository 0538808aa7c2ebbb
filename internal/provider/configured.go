package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// resourceBase gives a resource or list resource its type name, the client the provider
// configured and the provider's record of what each plan manages (nil for list resources).
// Embed it and set name, the type name without the provider's prefix.
type resourceBase struct {
	name     string
	client   *wxpay.Client
	overlaps *overlaps
}

func (b *resourceBase) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + b.name
}

func (b *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	b.client = clientFrom(req.ProviderData, &resp.Diagnostics)
	b.overlaps = overlapsFrom(req.ProviderData)
}

// dataSourceBase is resourceBase for data sources.
type dataSourceBase struct {
	name   string
	client *wxpay.Client
}

func (b *dataSourceBase) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + b.name
}

func (b *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	b.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// clientFrom extracts the shared client handed over by Configure. It returns nil without a
// diagnostic while the provider is not configured yet (validation runs before Configure).
func clientFrom(providerData any, diags *diag.Diagnostics) *wxpay.Client {
	if providerData == nil {
		return nil
	}
	if d, ok := providerData.(*resourceData); ok {
		return d.client
	}
	client, ok := providerData.(*wxpay.Client)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *wxpay.Client, got %T. This is a bug in the provider; please report it.", providerData))
		return nil
	}
	return client
}
