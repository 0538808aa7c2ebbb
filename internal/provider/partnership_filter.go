package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// The filter of the `wechatpay_marketing_partnership` list resource and of the
// `wechatpay_marketing_partnerships` data source: what the partnership list call can filter by,
// plus whether terminated grants are wanted.

type partnershipFilterModel struct {
	BusinessType      types.String `tfsdk:"business_type"`
	StockID           types.String `tfsdk:"stock_id"`
	PartnerType       types.String `tfsdk:"partner_type"`
	PartnerAppID      types.String `tfsdk:"partner_appid"`
	PartnerMerchantID types.String `tfsdk:"partner_merchant_id"`
	IncludeTerminated types.Bool   `tfsdk:"include_terminated"`
}

// Descriptions of the filter attributes, shared by both schemas.
const (
	filterBusinessTypeDescription = "Only grants of this kind: `FAVOR_STOCK` (WeChat Pay coupon stock, 代金券) or " +
		"`BUSIFAVOR_STOCK` (merchant coupon stock, 商家券). WeChat Pay's list call needs one, so without it the " +
		"provider lists each kind in turn."
	filterStockIDDescription     = "Only grants of this stock (批次) id."
	filterPartnerTypeDescription = "Only grants to this kind of partner: `APPID` (mini programs and official " +
		"accounts) or `MERCHANT`. Implied by `partner_appid` or `partner_merchant_id`."
	filterPartnerAppIDDescription      = "Only grants to this app id. Conflicts with `partner_merchant_id`."
	filterPartnerMerchantIDDescription = "Only grants to this merchant id. Conflicts with `partner_appid`."
	filterIncludeTerminatedDescription = "Also return terminated grants; default `false`, established ones only. A " +
		"terminated grant cannot be imported: the resource reads it as gone."
)

func filterBusinessTypeValidators() []validator.String {
	return []validator.String{stringvalidator.OneOf(string(wxpay.BusinessTypeFavorStock), string(wxpay.BusinessTypeBusifavorStock))}
}

func filterStockIDValidators() []validator.String {
	return stockIDValidators()
}

func filterPartnerTypeValidators() []validator.String {
	return []validator.String{stringvalidator.OneOf(string(wxpay.PartnerTypeAppID), string(wxpay.PartnerTypeMerchant))}
}

func filterPartnerAppIDValidators() []validator.String {
	return append(appIDValidators(), stringvalidator.ConflictsWith(path.MatchRoot("partner_merchant_id")))
}

func filterPartnerMerchantIDValidators() []validator.String {
	return merchantIDValidators()
}

// validate refuses a partner type that contradicts the partner id given with it.
func (f partnershipFilterModel) validate(diags *diag.Diagnostics) {
	if f.PartnerType.IsNull() || f.PartnerType.IsUnknown() {
		return
	}
	pt := f.PartnerType.ValueString()
	if !f.PartnerAppID.IsNull() && pt != string(wxpay.PartnerTypeAppID) {
		diags.AddAttributeError(path.Root("partner_type"), "Contradictory Partnership Filter",
			fmt.Sprintf("`partner_appid` only matches `APPID` partners, but `partner_type` is %q. Remove `partner_type`: "+
				"`partner_appid` implies it.", pt))
	}
	if !f.PartnerMerchantID.IsNull() && pt != string(wxpay.PartnerTypeMerchant) {
		diags.AddAttributeError(path.Root("partner_type"), "Contradictory Partnership Filter",
			fmt.Sprintf("`partner_merchant_id` only matches `MERCHANT` partners, but `partner_type` is %q. Remove "+
				"`partner_type`: `partner_merchant_id` implies it.", pt))
	}
}

// partner is the partner filter of the list call, or nil for none.
func (f partnershipFilterModel) partner() *wxpay.Partner {
	switch {
	case !f.PartnerAppID.IsNull():
		return &wxpay.Partner{Type: wxpay.PartnerTypeAppID, AppID: f.PartnerAppID.ValueString()}
	case !f.PartnerMerchantID.IsNull():
		return &wxpay.Partner{Type: wxpay.PartnerTypeMerchant, MerchantID: f.PartnerMerchantID.ValueString()}
	case !f.PartnerType.IsNull():
		return &wxpay.Partner{Type: wxpay.PartnerType(f.PartnerType.ValueString())}
	}
	return nil
}

// businessTypes are the kinds of grant to list, one list call each. A WeChat Pay coupon stock
// cannot be granted to a merchant, so a filter on merchant partners lists merchant coupons only.
func (f partnershipFilterModel) businessTypes() []wxpay.BusinessType {
	if !f.BusinessType.IsNull() {
		return []wxpay.BusinessType{wxpay.BusinessType(f.BusinessType.ValueString())}
	}
	if p := f.partner(); p != nil && p.Type == wxpay.PartnerTypeMerchant {
		return []wxpay.BusinessType{wxpay.BusinessTypeBusifavorStock}
	}
	return []wxpay.BusinessType{wxpay.BusinessTypeFavorStock, wxpay.BusinessTypeBusifavorStock}
}

// each hands every grant the filter matches to yield, once, until yield returns false: no
// further page is read then. Terminated grants are skipped unless the filter includes them.
func (f partnershipFilterModel) each(ctx context.Context, c *wxpay.Client, yield func(wxpay.Partnership) bool) error {
	includeTerminated := f.IncludeTerminated.ValueBool()
	seen := map[string]bool{}
	stopped := false
	for _, bt := range f.businessTypes() {
		data := &wxpay.AuthorizedData{BusinessType: bt, StockID: f.StockID.ValueString()}
		err := c.EachPartnership(ctx, wxpay.PartnershipFilter{Partner: f.partner(), AuthorizedData: data}, func(p wxpay.Partnership) bool {
			if p.State != wxpay.PartnershipEstablished && !includeTerminated {
				return true
			}
			// WeChat Pay filters; this checks, so that a filter it ignored never adopts a stranger.
			if !f.matches(p) {
				return true
			}
			id := partnershipID(p.Partner, p.AuthorizedData)
			if seen[id] {
				return true
			}
			seen[id] = true
			if !yield(p) {
				stopped = true
			}
			return !stopped
		})
		if err != nil {
			return err
		}
		if stopped {
			return nil
		}
	}
	return nil
}

func (f partnershipFilterModel) matches(p wxpay.Partnership) bool {
	want := f.partner()
	switch {
	case !f.BusinessType.IsNull() && string(p.AuthorizedData.BusinessType) != f.BusinessType.ValueString():
	case !f.StockID.IsNull() && p.AuthorizedData.StockID != f.StockID.ValueString():
	case want != nil && p.Partner.Type != want.Type:
	case want != nil && want.AppID != "" && p.Partner.AppID != want.AppID:
	case want != nil && want.MerchantID != "" && p.Partner.MerchantID != want.MerchantID:
	default:
		return true
	}
	return false
}

// partnershipListHints adds the refusal a listing without a stock id may get: WeChat Pay's
// documentation can be read as requiring `stock_id` on the list call.
var partnershipListHints = append([]hint{
	{wxpay.ReasonStockIDRequired,
		"WeChat Pay refused to list the partnerships without a stock id. Set `stock_id` to list the grants of one " +
			"stock at a time."},
}, partnershipHints...)
