package provider

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ datasource.DataSource              = &payGiftActivityDataSource{}
	_ datasource.DataSourceWithConfigure = &payGiftActivityDataSource{}
)

// NewPayGiftActivityDataSource reads a pay-gift (支付有礼) activity's status and base details.
func NewPayGiftActivityDataSource() datasource.DataSource {
	return &payGiftActivityDataSource{dataSourceBase{name: "paygift_activity"}}
}

type payGiftActivityDataSource struct {
	dataSourceBase
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
	SecondTitle       types.String   `tfsdk:"activity_second_title"`
	DeliveryPurpose   types.String   `tfsdk:"delivery_purpose"`
	PauseTime         types.String   `tfsdk:"pause_time"`
	RecoveryTime      types.String   `tfsdk:"recovery_time"`
	AvailableTimes    types.List     `tfsdk:"available_times"`
	AvailableDayTimes types.List     `tfsdk:"available_day_times"`
	AwardRules        types.List     `tfsdk:"award_rules"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

var (
	timeRangeAttrTypes = map[string]attr.Type{"begin": types.StringType, "end": types.StringType}
	awardRuleAttrTypes = map[string]attr.Type{
		"rule": types.StringType, "transaction_amount_minimum": types.Int64Type, "send_content": types.StringType,
		"award_type": types.StringType, "merchant_option": types.StringType,
		"stock_ids": types.ListType{ElemType: types.StringType},
	}
)

func (d *payGiftActivityDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a pay-gift (支付有礼) activity: its status, type, name, creator and owner, and " +
			"times. Use it in a `precondition` to change an activity's merchants only while it is running " +
			"(`ongoing`), since WeChat Pay refuses changes to an activity in any other status.",
		Attributes: map[string]schema.Attribute{
			"id":            readAttribute("The activity id, same as `activity_id`."),
			"activity_id":   activityIDArgument(),
			"activity_name": readAttribute("Activity name (活动名称)."),
			"activity_type": readAttribute("Activity type as WeChat Pay spells it, for example `FULL_SEND_ACT_TYPE`, " +
				"`STEP_SEND_ACT_TYPE` or `SPECIFIC_SEND_ACT_TYPE`."),
			"activity_status": readAttribute("Status as WeChat Pay spells it: `CREATE_ACT_STATUS`, `ONGOING_ACT_STATUS`, " +
				"`TERMINATE_ACT_STATUS`, `STOP_ACT_STATUS`, `OVER_TIME_ACT_STATUS`, `CREATE_ACT_FAILED` or " +
				"`ACT_STATUS_UNKNOWN`."),
			"ongoing": schema.BoolAttribute{
				MarkdownDescription: "Whether `activity_status` is `ONGOING_ACT_STATUS`, the only status in which the " +
					"activity's merchants can change; convenient in a `precondition`.",
				Computed: true,
			},
			"creator_merchant_id":   readAttribute("Merchant id that created the activity (创建商户号)."),
			"belong_merchant_id":    readAttribute("Merchant id the activity belongs to (所属商户号)."),
			"begin_time":            readAttribute("Start of the activity, RFC 3339 as WeChat Pay returns it."),
			"end_time":              readAttribute("End of the activity, RFC 3339 as WeChat Pay returns it."),
			"create_time":           readAttribute("When the activity was created, RFC 3339; empty when WeChat Pay omits it."),
			"update_time":           readAttribute("When the activity last changed, RFC 3339; empty when WeChat Pay omits it."),
			"activity_second_title": readAttribute("Activity subtitle (活动副标题)."),
			"delivery_purpose": readAttribute("What the award leads to, as WeChat Pay spells it: `OFF_LINE_PAY` (pay " +
				"offline) or `JUMP_MINI_APP` (open a mini program)."),
			"pause_time":    readAttribute("When the activity was last paused, RFC 3339; null when it never was."),
			"recovery_time": readAttribute("When the activity was last resumed, RFC 3339; null when it never was."),
			"available_times": timeRangesAttribute("Periods within the activity in which awards can be won "+
				"(可用时间段), RFC 3339; empty when the whole activity is.", "period"),
			"available_day_times": timeRangesAttribute("Daily windows in which awards can be won (每日可用时间段), "+
				"`HHMMSS` as WeChat Pay spells them, for example `110000`; empty when the whole day is.", "window"),
			"award_rules": schema.ListNestedAttribute{
				MarkdownDescription: "The activity's award rules (award_send_rule), one per rule WeChat Pay answers.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"rule": readAttribute("The rule's name in WeChat Pay's answer, for example `full_send_rule`."),
					"transaction_amount_minimum": schema.Int64Attribute{Computed: true,
						MarkdownDescription: "Smallest payment that wins the award, in fen (分)."},
					"send_content":    readAttribute("`SINGLE_COUPON` or `GIFT_PACKAGE`."),
					"award_type":      readAttribute("Award type, for example `BUSIFAVOR`."),
					"merchant_option": readAttribute("How the merchants are chosen: `IN_SEVICE_COUPON_MERCHANT` or `MANUAL_INPUT_MERCHANT`."),
					"stock_ids": schema.ListAttribute{ElementType: types.StringType, Computed: true,
						MarkdownDescription: "Coupon stocks the rule awards."},
				}},
			},
		},
		Blocks: map[string]schema.Block{"timeouts": dataSourceTimeouts(ctx)},
	}
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
	data.SecondTitle = types.StringValue(act.BaseInfo.ActivitySecondTitle)
	data.DeliveryPurpose = types.StringValue(act.BaseInfo.DeliveryPurpose)
	data.PauseTime = stringOrNull(act.PauseTime)
	data.RecoveryTime = stringOrNull(act.RecoveryTime)
	data.AvailableTimes, data.AvailableDayTimes = availablePeriods(act.BaseInfo.AvailablePeriods, &resp.Diagnostics)
	data.AwardRules = awardRules(act, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// timeRangesAttribute is a list of `begin`/`end` pairs (timeRangeAttrTypes); one is called unit,
// as "period".
func timeRangesAttribute(description, unit string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		MarkdownDescription: description,
		Computed:            true,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"begin": readAttribute("Start of the " + unit + "."), "end": readAttribute("End of the " + unit + "."),
		}},
	}
}

func availablePeriods(p *wxpay.AvailablePeriods, diags *diag.Diagnostics) (times, dayTimes types.List) {
	var t, d []attr.Value
	add := func(to *[]attr.Value, begin, end string) {
		v, di := types.ObjectValue(timeRangeAttrTypes, map[string]attr.Value{
			"begin": types.StringValue(begin), "end": types.StringValue(end)})
		diags.Append(di...)
		*to = append(*to, v)
	}
	if p != nil {
		for _, r := range p.AvailableTime {
			add(&t, r.BeginTime, r.EndTime)
		}
		for _, r := range p.AvailableDayTime {
			add(&d, r.BeginDayTime, r.EndDayTime)
		}
	}
	elem := types.ObjectType{AttrTypes: timeRangeAttrTypes}
	return valueList(elem, t, diags), valueList(elem, d, diags)
}

func awardRules(act *wxpay.Activity, diags *diag.Diagnostics) types.List {
	rules := act.AwardRules()
	var out []attr.Value
	for _, name := range slices.Sorted(maps.Keys(rules)) {
		r := rules[name]
		var stocks []attr.Value
		for _, a := range r.AwardList {
			stocks = append(stocks, types.StringValue(a.StockID))
		}
		stockList := valueList(types.StringType, stocks, diags)
		v, di := types.ObjectValue(awardRuleAttrTypes, map[string]attr.Value{
			"rule": types.StringValue(name), "transaction_amount_minimum": types.Int64Value(r.TransactionAmountMinimum),
			"send_content": types.StringValue(r.SendContent), "award_type": types.StringValue(r.AwardType),
			"merchant_option": types.StringValue(r.MerchantOption), "stock_ids": stockList,
		})
		diags.Append(di...)
		out = append(out, v)
	}
	return valueList(types.ObjectType{AttrTypes: awardRuleAttrTypes}, out, diags)
}
