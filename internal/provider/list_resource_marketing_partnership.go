package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ list.ListResource                   = &marketingPartnershipListResource{}
	_ list.ListResourceWithConfigure      = &marketingPartnershipListResource{}
	_ list.ListResourceWithValidateConfig = &marketingPartnershipListResource{}
)

// NewMarketingPartnershipListResource finds the partnerships (委托营销) of the calling merchant
// for `terraform query`, one result per grant, to adopt as wechatpay_marketing_partnership.
func NewMarketingPartnershipListResource() list.ListResource {
	return &marketingPartnershipListResource{resourceBase{name: "marketing_partnership"}}
}

type marketingPartnershipListResource struct {
	resourceBase
}

func (r *marketingPartnershipListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Finds the marketing partnerships (委托营销) of the merchant configured in the provider, one " +
			"result per grant, to adopt each as a `wechatpay_marketing_partnership`: established grants only unless " +
			"`include_terminated` is set. Filters by what WeChat Pay's list call can filter by; reads 50 grants a page " +
			"and stops at the list block's `limit` (100 unless set).",
		Attributes: map[string]listschema.Attribute{
			"business_type": listschema.StringAttribute{MarkdownDescription: filterBusinessTypeDescription,
				Optional: true, Validators: filterBusinessTypeValidators()},
			"stock_id": listschema.StringAttribute{MarkdownDescription: filterStockIDDescription,
				Optional: true, Validators: filterStockIDValidators()},
			"partner_type": listschema.StringAttribute{MarkdownDescription: filterPartnerTypeDescription,
				Optional: true, Validators: filterPartnerTypeValidators()},
			"partner_appid": listschema.StringAttribute{MarkdownDescription: filterPartnerAppIDDescription,
				Optional: true, Validators: filterPartnerAppIDValidators()},
			"partner_merchant_id": listschema.StringAttribute{MarkdownDescription: filterPartnerMerchantIDDescription,
				Optional: true, Validators: filterPartnerMerchantIDValidators()},
			"include_terminated": listschema.BoolAttribute{MarkdownDescription: filterIncludeTerminatedDescription,
				Optional: true},
		},
	}
}

func (r *marketingPartnershipListResource) ValidateListResourceConfig(ctx context.Context, req list.ValidateConfigRequest, resp *list.ValidateConfigResponse) {
	var f partnershipFilterModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &f)...)
	if !resp.Diagnostics.HasError() {
		f.validate(&resp.Diagnostics)
	}
}

func (r *marketingPartnershipListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var f partnershipFilterModel
	if !listConfig(ctx, req, stream, &f) {
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		out := &resultStream{push: push, limit: req.Limit}
		err := f.each(ctx, r.client, func(p wxpay.Partnership) bool {
			return out.send(listResult(ctx, req, partnershipDisplayName(p), partnershipIdentityOf(p.Partner, p.AuthorizedData),
				partnershipAttributes(p)))
		})
		if err != nil {
			out.fail(ctx, "Unable to List Marketing Partnerships", err, partnershipListHints...)
		}
	}
}

// partnershipDisplayName says what is granted to whom, and whether it still is.
func partnershipDisplayName(p wxpay.Partnership) string {
	return fmt.Sprintf("%s %s to %s %s (%s)", p.AuthorizedData.BusinessType, p.AuthorizedData.StockID,
		p.Partner.Type, partnerIDOf(p.Partner), p.State)
}
