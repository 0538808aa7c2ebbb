package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ list.ListResource              = &payGiftActivityMerchantListResource{}
	_ list.ListResourceWithConfigure = &payGiftActivityMerchantListResource{}
)

// NewPayGiftActivityMerchantListResource finds the merchants of a pay-gift activity for
// `terraform query`, one result per merchant, to adopt as wechatpay_paygift_activity_merchant.
func NewPayGiftActivityMerchantListResource() list.ListResource {
	return &payGiftActivityMerchantListResource{resourceBase{name: "paygift_activity_merchant"}}
}

type payGiftActivityMerchantListResource struct {
	resourceBase
}

// payGiftActivityListModel is the `config` block of both pay-gift list resources.
type payGiftActivityListModel struct {
	ActivityID types.String `tfsdk:"activity_id"`
}

func (r *payGiftActivityMerchantListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = payGiftActivityListSchema("Finds the merchants of a pay-gift (支付有礼) activity, one result per " +
		"merchant, to adopt each as a `wechatpay_paygift_activity_merchant`. Each result carries the membership's " +
		"identity and, with `include_resource = true`, its attributes. Reads the activity's merchant list 100 a " +
		"page and stops at the list block's `limit` (100 unless set).")
}

// payGiftActivityListSchema is the `config` block of both pay-gift list resources
// (payGiftActivityListModel).
func payGiftActivityListSchema(description string) listschema.Schema {
	return listschema.Schema{
		MarkdownDescription: description,
		Attributes: map[string]listschema.Attribute{
			"activity_id": listschema.StringAttribute{
				MarkdownDescription: activityIDDescription,
				Required:            true,
				Validators:          activityIDValidators(),
			},
		},
	}
}

func (r *payGiftActivityMerchantListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg payGiftActivityListModel
	if !listConfig(ctx, req, stream, &cfg) {
		return
	}
	activityID := cfg.ActivityID.ValueString()
	stream.Results = func(push func(list.ListResult) bool) {
		out := &resultStream{push: push, limit: req.Limit}
		err := r.client.EachActivityMerchant(ctx, activityID, func(m wxpay.ActivityMerchant) bool {
			return out.send(listResult(ctx, req, memberDisplayName(m), payGiftMembershipIdentityOf(activityID, m.Mchid),
				map[string]attr.Value{
					"id":          types.StringValue(activityID + "/" + m.Mchid),
					"activity_id": types.StringValue(activityID),
					"merchant_id": types.StringValue(m.Mchid),
				}))
		})
		if err != nil {
			out.fail(ctx, "Unable to List Pay-Gift Activity Merchants", err, payGiftHints...)
		}
	}
}

// memberDisplayName is the merchant id and, when WeChat Pay sent one, its name.
func memberDisplayName(m wxpay.ActivityMerchant) string {
	return strings.TrimSpace(m.Mchid + " " + m.MerchantName)
}
