package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// Shared by the marketing partnership (委托营销) resources: their error advice, their enums and
// their id.

// partnershipHints are the partnership answers a user can act on.
var partnershipHints = []hint{
	{wxpay.ReasonFavorStockToMerchant,
		"WeChat Pay coupons (`FAVOR_STOCK`, 代金券) can only be granted to an `APPID` partner. Grant the stock to " +
			"the partner's app id, or grant a merchant coupon stock (`BUSIFAVOR_STOCK`) to the merchant."},
	{wxpay.ReasonAppIDMismatch,
		"WeChat Pay says the app id does not match the merchant. Check `partner.appid`."},
	{wxpay.ReasonResourceNotExists,
		"WeChat Pay does not know this stock or partner. Check `authorized_data.stock_id` and the partner id, and " +
			"that the stock was created by the merchant configured in the provider (`mchid`)."},
	{wxpay.ReasonNoAuth,
		"The merchant configured in the provider (`mchid`) may not grant this stock. Check that it created the " +
			"stock and that marketing partnerships (委托营销) are enabled for it in the merchant platform."},
}

func partnerTypeValidators() []validator.String {
	return []validator.String{stringvalidator.OneOf(string(wxpay.PartnerTypeAppID), string(wxpay.PartnerTypeMerchant))}
}

func businessTypeValidators() []validator.String {
	return []validator.String{stringvalidator.OneOf(
		string(wxpay.BusinessTypeFavorStock), string(wxpay.BusinessTypeBusifavorStock))}
}

// partnershipImport is the partnership's `id`: none of its parts can hold a ':'.
var partnershipImport = importFormat{
	resourceType: "wechatpay_marketing_partnership",
	format: "`<partner.type>:<partner.appid or partner.merchant_id>:<authorized_data.business_type>:" +
		"<authorized_data.stock_id>`",
	sep:     ":",
	example: "APPID:wx4e1916a585d1f4e9:BUSIFAVOR_STOCK:98065001",
}

func partnershipID(p wxpay.Partner, d wxpay.AuthorizedData) string {
	return strings.Join([]string{string(p.Type), partnerIDOf(p), string(d.BusinessType), d.StockID}, partnershipImport.sep)
}

// partnerIDOf is the id of the partner its type uses: the app id or the merchant id.
func partnerIDOf(p wxpay.Partner) string {
	if p.Type == wxpay.PartnerTypeMerchant {
		return p.MerchantID
	}
	return p.AppID
}

// parsePartnershipID reads a partnership's `id`, each part checked as its attribute is in a
// configuration. ok is false when a diagnostic was added.
func parsePartnershipID(ctx context.Context, id string, diags *diag.Diagnostics) (wxpay.Partner, wxpay.AuthorizedData, bool) {
	f := partnershipImport
	parts, ok := f.split(id, 4, diags)
	if !ok {
		return wxpay.Partner{}, wxpay.AuthorizedData{}, false
	}
	partner := wxpay.Partner{Type: wxpay.PartnerType(parts[0]), AppID: parts[1]}
	partnerIDAttr, partnerIDValidators := "appid", appIDValidators()
	if partner.Type == wxpay.PartnerTypeMerchant {
		partner.AppID, partner.MerchantID = "", parts[1]
		partnerIDAttr, partnerIDValidators = "merchant_id", merchantIDValidators()
	}
	data := wxpay.AuthorizedData{BusinessType: wxpay.BusinessType(parts[2]), StockID: parts[3]}
	ok = f.valid(ctx, path.Root("partner").AtName("type"), parts[0], partnerTypeValidators(), diags) &&
		f.valid(ctx, path.Root("partner").AtName(partnerIDAttr), parts[1], partnerIDValidators, diags) &&
		f.valid(ctx, path.Root("authorized_data").AtName("business_type"), parts[2], businessTypeValidators(), diags) &&
		f.valid(ctx, path.Root("authorized_data").AtName("stock_id"), parts[3], stockIDValidators(), diags)
	return partner, data, ok
}

// refuseExistingPartnership reports whether a create may build the partnership: not when it is
// already established (a build would answer the existing one and take it over silently), nor
// when that could not be checked. ok is false when a diagnostic was added.
func refuseExistingPartnership(ctx context.Context, c *wxpay.Client, partner wxpay.Partner, data wxpay.AuthorizedData, diags *diag.Diagnostics) (ok bool) {
	found, err := c.LookupPartnership(ctx, partner, data)
	switch {
	case wxpay.IsNotFound(err):
		return true
	case err != nil:
		addCallError(ctx, diags, "Unable to Build Marketing Partnership", err, partnershipHints...)
		return false
	case found.State != wxpay.PartnershipEstablished:
		return true
	}
	refuseExisting(diags, "Marketing Partnership Already Exists", fmt.Sprintf("The partnership granting %s stock %s to "+
		"%s %s", data.BusinessType, data.StockID, partner.Type, partnerIDOf(partner)), "wechatpay_marketing_partnership",
		partnershipID(partner, data))
	return false
}
