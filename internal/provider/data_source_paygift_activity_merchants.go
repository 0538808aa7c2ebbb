package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = &payGiftActivityMerchantsDataSource{}
	_ datasource.DataSourceWithConfigure = &payGiftActivityMerchantsDataSource{}
)

// NewPayGiftActivityMerchantsDataSource reads the merchants of a pay-gift activity, to adopt them
// with `import` blocks (`for_each`, Terraform 1.7 and later) or to check them.
func NewPayGiftActivityMerchantsDataSource() datasource.DataSource {
	return &payGiftActivityMerchantsDataSource{dataSourceBase{name: "paygift_activity_merchants"}}
}

type payGiftActivityMerchantsDataSource struct {
	dataSourceBase
}

type payGiftActivityMerchantsDataModel struct {
	ID          types.String   `tfsdk:"id"`
	ActivityID  types.String   `tfsdk:"activity_id"`
	MerchantIDs types.Set      `tfsdk:"merchant_ids"`
	Merchants   types.List     `tfsdk:"merchants"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

var activityMerchantAttrTypes = map[string]attr.Type{
	"merchant_id": types.StringType, "merchant_name": types.StringType,
	"create_time": types.StringType, "update_time": types.StringType,
}

func (d *payGiftActivityMerchantsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads every merchant of a pay-gift (支付有礼) activity (发券商户号), 100 a page: one call " +
			"per 100 merchants, as a refresh of the resources makes. Use it to adopt existing memberships with `import` " +
			"blocks and `for_each` (Terraform 1.7 and later), or in a `check` or `precondition`.",
		Attributes: map[string]schema.Attribute{
			"id":          readAttribute("The activity id, same as `activity_id`."),
			"activity_id": activityIDArgument(),
			"merchant_ids": schema.SetAttribute{
				MarkdownDescription: "The merchant id (商户号) of every merchant of the activity.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"merchants": schema.ListNestedAttribute{
				MarkdownDescription: "Every merchant of the activity, in WeChat Pay's order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"merchant_id":   readAttribute("Merchant id (商户号)."),
					"merchant_name": readAttribute("Merchant name as WeChat Pay reports it; empty when it sends none."),
					"create_time":   readAttribute("When the merchant joined the activity, RFC 3339 as WeChat Pay reports it."),
					"update_time":   readAttribute("When its membership last changed, RFC 3339 as WeChat Pay reports it."),
				}},
			},
		},
		Blocks: map[string]schema.Block{"timeouts": dataSourceTimeouts(ctx)},
	}
}

func (d *payGiftActivityMerchantsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data payGiftActivityMerchantsDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, data.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	members, err := d.client.ListAllActivityMerchants(ctx, data.ActivityID.ValueString())
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, "Unable to Read Pay-Gift Activity Merchants", err, payGiftHints...)
		return
	}

	ids := make([]string, 0, len(members))
	objects := make([]attr.Value, 0, len(members))
	for _, m := range members {
		ids = append(ids, m.Mchid)
		objects = append(objects, types.ObjectValueMust(activityMerchantAttrTypes, map[string]attr.Value{
			"merchant_id": types.StringValue(m.Mchid), "merchant_name": types.StringValue(m.MerchantName),
			"create_time": types.StringValue(m.CreateTime), "update_time": types.StringValue(m.UpdateTime),
		}))
	}
	data.ID = data.ActivityID
	data.MerchantIDs = knownStringSet(ctx, ids, &resp.Diagnostics)
	data.Merchants = valueList(types.ObjectType{AttrTypes: activityMerchantAttrTypes}, objects, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
