package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ datasource.DataSource                   = &marketingPartnershipsDataSource{}
	_ datasource.DataSourceWithConfigure      = &marketingPartnershipsDataSource{}
	_ datasource.DataSourceWithValidateConfig = &marketingPartnershipsDataSource{}
)

// NewMarketingPartnershipsDataSource reads the marketing partnerships (委托营销) of the calling
// merchant, to adopt them with `import` blocks (`for_each`, Terraform 1.7 and later) or check them.
func NewMarketingPartnershipsDataSource() datasource.DataSource {
	return &marketingPartnershipsDataSource{dataSourceBase{name: "marketing_partnerships"}}
}

type marketingPartnershipsDataSource struct {
	dataSourceBase
}

type marketingPartnershipsModel struct {
	partnershipFilterModel
	Partnerships types.List     `tfsdk:"partnerships"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

var partnershipAttrTypes = map[string]attr.Type{
	"id":              types.StringType,
	"partner":         types.ObjectType{AttrTypes: partnerAttrTypes},
	"authorized_data": types.ObjectType{AttrTypes: authorizedDataAttrTypes},
	"state":           types.StringType,
	"build_time":      types.StringType,
	"terminate_time":  types.StringType,
	"create_time":     types.StringType,
	"update_time":     types.StringType,
}

func (d *marketingPartnershipsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the marketing partnerships (委托营销) of the merchant configured in the provider that " +
			"match the filters, 50 a page per business type: established ones only unless `include_terminated` is set. " +
			"Use it to adopt existing grants with `import` blocks and `for_each` (Terraform 1.7 and later), or in a " +
			"`check`.",
		Attributes: map[string]schema.Attribute{
			"business_type": schema.StringAttribute{MarkdownDescription: filterBusinessTypeDescription,
				Optional: true, Validators: filterBusinessTypeValidators()},
			"stock_id": schema.StringAttribute{MarkdownDescription: filterStockIDDescription,
				Optional: true, Validators: filterStockIDValidators()},
			"partner_type": schema.StringAttribute{MarkdownDescription: filterPartnerTypeDescription,
				Optional: true, Validators: filterPartnerTypeValidators()},
			"partner_appid": schema.StringAttribute{MarkdownDescription: filterPartnerAppIDDescription,
				Optional: true, Validators: filterPartnerAppIDValidators()},
			"partner_merchant_id": schema.StringAttribute{MarkdownDescription: filterPartnerMerchantIDDescription,
				Optional: true, Validators: filterPartnerMerchantIDValidators()},
			"include_terminated": schema.BoolAttribute{MarkdownDescription: filterIncludeTerminatedDescription,
				Optional: true},
			"partnerships": schema.ListNestedAttribute{
				MarkdownDescription: "The matching partnerships, in WeChat Pay's order, each grant once.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": readAttribute("The import id of `wechatpay_marketing_partnership`: `<partner.type>:<partner id>:" +
						"<business_type>:<stock_id>`."),
					"partner": schema.SingleNestedAttribute{
						MarkdownDescription: "Who receives the grant.",
						Computed:            true,
						Attributes: map[string]schema.Attribute{
							"type":        readAttribute("`APPID` or `MERCHANT`."),
							"appid":       readAttribute("The partner's app id; null for a `MERCHANT` partner."),
							"merchant_id": readAttribute("The partner's merchant id; null for an `APPID` partner."),
						},
					},
					"authorized_data": schema.SingleNestedAttribute{
						MarkdownDescription: "What is granted.",
						Computed:            true,
						Attributes: map[string]schema.Attribute{
							"business_type": readAttribute("`FAVOR_STOCK` or `BUSIFAVOR_STOCK`."),
							"stock_id":      readAttribute("The stock (批次) id."),
						},
					},
					"state":          readAttribute("`ESTABLISHED` or `TERMINATED`."),
					"build_time":     readAttribute("When the partnership was (last) built, RFC 3339 as WeChat Pay reports it."),
					"terminate_time": readAttribute("When it was terminated; null while it is established."),
					"create_time":    readAttribute("When WeChat Pay first recorded it, RFC 3339."),
					"update_time":    readAttribute("When WeChat Pay last changed it, RFC 3339."),
				}},
			},
		},
		Blocks: map[string]schema.Block{"timeouts": dataSourceTimeouts(ctx)},
	}
}

func (d *marketingPartnershipsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var data marketingPartnershipsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if !resp.Diagnostics.HasError() {
		data.validate(&resp.Diagnostics)
	}
}

func (d *marketingPartnershipsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data marketingPartnershipsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, data.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	objects := []attr.Value{}
	err := data.each(ctx, d.client, func(p wxpay.Partnership) bool {
		// The resource's attributes, and when a terminated grant ended.
		values := partnershipAttributes(p)
		values["terminate_time"] = stringOrNull(p.TerminateTime)
		objects = append(objects, types.ObjectValueMust(partnershipAttrTypes, values))
		return true
	})
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, "Unable to Read Marketing Partnerships", err, partnershipListHints...)
		return
	}
	data.Partnerships = valueList(types.ObjectType{AttrTypes: partnershipAttrTypes}, objects, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
