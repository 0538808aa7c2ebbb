package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ datasource.DataSource              = &payGiftActivityDataSource{}
	_ datasource.DataSourceWithConfigure = &payGiftActivityDataSource{}
)

// NewPayGiftActivityDataSource reads a pay-gift (支付有礼) activity's status and base details.
func NewPayGiftActivityDataSource() datasource.DataSource {
	return &payGiftActivityDataSource{}
}

type payGiftActivityDataSource struct {
	client *wxpay.Client
}

type payGiftActivityModel struct {
	ID                types.String   `tfsdk:"id"`
	ActivityID        types.String   `tfsdk:"activity_id"`
	ActivityName      types.String   `tfsdk:"activity_name"`
	ActivityType      types.String   `tfsdk:"activity_type"`
	ActivityStatus    types.String   `tfsdk:"activity_status"`
	Ongoing           types.Bool     `tfsdk:"ongoing"`
	CreatorMerchantID types.String   `tfsdk:"creator_merchant_id"`
	BelongMerchantID  types.String   `tfsdk:"belong_merchant_id"`
	BeginTime         types.String   `tfsdk:"begin_time"`
	EndTime           types.String   `tfsdk:"end_time"`
	CreateTime        types.String   `tfsdk:"create_time"`
	UpdateTime        types.String   `tfsdk:"update_time"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

func (d *payGiftActivityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_paygift_activity"
}

func (d *payGiftActivityDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a pay-gift (支付有礼) activity: its status, type, name, creator and owner, and " +
			"times. Use it in a `precondition` to change an activity's merchants only while it is running " +
			"(`ongoing`), since WeChat Pay refuses changes to an activity in any other status.",
		Attributes: map[string]schema.Attribute{
			"id": computed("The activity id, same as `activity_id`."),
			"activity_id": schema.StringAttribute{
				MarkdownDescription: "Pay-gift activity id (活动Id), 1 to 20 characters; the activity must belong to the " +
					"provider's `mchid`.",
				Required:   true,
				Validators: activityIDValidators(),
			},
			"activity_name": computed("Activity name (活动名称)."),
			"activity_type": computed("Activity type as WeChat Pay spells it, for example `FULL_SEND_ACT_TYPE`, " +
				"`STEP_SEND_ACT_TYPE` or `SPECIFIC_SEND_ACT_TYPE`."),
			"activity_status": computed("Status as WeChat Pay spells it: `CREATE_ACT_STATUS`, `ONGOING_ACT_STATUS`, " +
				"`TERMINATE_ACT_STATUS`, `STOP_ACT_STATUS`, `OVER_TIME_ACT_STATUS`, `CREATE_ACT_FAILED` or " +
				"`ACT_STATUS_UNKNOWN`."),
			"ongoing": schema.BoolAttribute{
				MarkdownDescription: "Whether `activity_status` is `ONGOING_ACT_STATUS`, the only status in which the " +
					"activity's merchants can change; convenient in a `precondition`.",
				Computed: true,
			},
			"creator_merchant_id": computed("Merchant id that created the activity (创建商户号)."),
			"belong_merchant_id":  computed("Merchant id the activity belongs to (所属商户号)."),
			"begin_time":          computed("Start of the activity, RFC 3339 as WeChat Pay returns it."),
			"end_time":            computed("End of the activity, RFC 3339 as WeChat Pay returns it."),
			"create_time":         computed("When the activity was created, RFC 3339; empty when WeChat Pay omits it."),
			"update_time":         computed("When the activity last changed, RFC 3339; empty when WeChat Pay omits it."),
		},
		Blocks: map[string]schema.Block{"timeouts": dataSourceTimeouts(ctx)},
	}
}

func (d *payGiftActivityDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *payGiftActivityDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data payGiftActivityModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, data.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	act, err := d.client.GetActivity(ctx, data.ActivityID.ValueString())
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, "Unable to Read Pay-Gift Activity", err, payGiftHints...)
		return
	}

	data.ID = data.ActivityID
	data.ActivityName = types.StringValue(act.BaseInfo.ActivityName)
	data.ActivityType = types.StringValue(act.ActivityType)
	data.ActivityStatus = types.StringValue(act.ActivityStatus)
	data.Ongoing = types.BoolValue(act.ActivityStatus == wxpay.ActivityStatusOngoing)
	data.CreatorMerchantID = types.StringValue(act.CreatorMerchantID)
	data.BelongMerchantID = types.StringValue(act.BelongMerchantID)
	data.BeginTime = types.StringValue(act.BaseInfo.BeginTime)
	data.EndTime = types.StringValue(act.BaseInfo.EndTime)
	data.CreateTime = types.StringValue(act.CreateTime)
	data.UpdateTime = types.StringValue(act.UpdateTime)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
