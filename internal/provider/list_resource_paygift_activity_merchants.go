package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ list.ListResource              = &payGiftActivityMerchantsListResource{}
	_ list.ListResourceWithConfigure = &payGiftActivityMerchantsListResource{}
)

// NewPayGiftActivityMerchantsListResource finds the whole merchant list of a pay-gift activity
// for `terraform query`, as one result to adopt as wechatpay_paygift_activity_merchants.
func NewPayGiftActivityMerchantsListResource() list.ListResource {
	return &payGiftActivityMerchantsListResource{resourceBase{name: "paygift_activity_merchants"}}
}

type payGiftActivityMerchantsListResource struct {
	resourceBase
}

func (r *payGiftActivityMerchantsListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = payGiftActivityListSchema("Finds the whole merchant list of a pay-gift (支付有礼) activity as one " +
		"result, to adopt it as one authoritative `wechatpay_paygift_activity_merchants`. With `include_resource = " +
		"true` the result carries every merchant id, read 100 a page. An activity without merchants gives no " +
		"result: the resource needs at least one.")
}

func (r *payGiftActivityMerchantsListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg payGiftActivityListModel
	if !listConfig(ctx, req, stream, &cfg) {
		return
	}
	activityID := cfg.ActivityID.ValueString()
	stream.Results = func(push func(list.ListResult) bool) {
		out := &resultStream{push: push, limit: req.Limit}
		members, err := listMemberIDs(ctx, r.client, activityID)
		if err != nil {
			out.fail(ctx, "Unable to List Pay-Gift Activity Merchants", err, payGiftHints...)
			return
		}
		if len(members) == 0 {
			return
		}
		out.send(listResult(ctx, req, membersDisplayName(activityID, len(members)),
			payGiftMembersIdentityOf(activityID), map[string]attr.Value{
				"id":           types.StringValue(activityID),
				"activity_id":  types.StringValue(activityID),
				"merchant_ids": idList(slices.Sorted(slices.Values(members))),
			}))
	}
}

func membersDisplayName(activityID string, n int) string {
	if n == 1 {
		return fmt.Sprintf("activity %s: 1 merchant", activityID)
	}
	return fmt.Sprintf("activity %s: %d merchants", activityID, n)
}
