package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// Resource identity (Terraform 1.12 and later) of the types WeChat Pay can list: the attributes
// that name one remote object, kept by Terraform beside the state, written by `terraform query`
// into the import blocks it generates, and accepted by `import { identity = { … } }`. Each
// identity says the same as the type's import id, and import by identity goes through the same
// checks as import by id. The gold plan resources have none: WeChat Pay cannot read a gold plan
// back, so an object found by its identity alone would have no settings to adopt.

// payGiftMembershipIdentity identifies a wechatpay_paygift_activity_merchant.
type payGiftMembershipIdentity struct {
	ActivityID types.String `tfsdk:"activity_id"`
	MerchantID types.String `tfsdk:"merchant_id"`
}

// payGiftMembersIdentity identifies a wechatpay_paygift_activity_merchants.
type payGiftMembersIdentity struct {
	ActivityID types.String `tfsdk:"activity_id"`
}

// partnershipIdentity identifies a wechatpay_marketing_partnership. The partner's id is one
// attribute, whichever field its type uses, so that the identity is flat as Terraform requires.
type partnershipIdentity struct {
	PartnerType  types.String `tfsdk:"partner_type"`
	PartnerID    types.String `tfsdk:"partner_id"`
	BusinessType types.String `tfsdk:"business_type"`
	StockID      types.String `tfsdk:"stock_id"`
}

func payGiftMembershipIdentitySchema() identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"activity_id": identityschema.StringAttribute{RequiredForImport: true,
			Description: "Pay-gift activity id (活动Id), as `activity_id`."},
		"merchant_id": identityschema.StringAttribute{RequiredForImport: true,
			Description: "Merchant id (商户号) of the member, as `merchant_id`."},
	}}
}

func payGiftMembersIdentitySchema() identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"activity_id": identityschema.StringAttribute{RequiredForImport: true,
			Description: "Pay-gift activity id (活动Id), as `activity_id`."},
	}}
}

func partnershipIdentitySchema() identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"partner_type": identityschema.StringAttribute{RequiredForImport: true,
			Description: "`APPID` or `MERCHANT`, as `partner.type`."},
		"partner_id": identityschema.StringAttribute{RequiredForImport: true,
			Description: "`partner.appid` of an `APPID` partner, `partner.merchant_id` of a `MERCHANT` partner."},
		"business_type": identityschema.StringAttribute{RequiredForImport: true,
			Description: "`FAVOR_STOCK` or `BUSIFAVOR_STOCK`, as `authorized_data.business_type`."},
		"stock_id": identityschema.StringAttribute{RequiredForImport: true,
			Description: "The stock (批次) id, as `authorized_data.stock_id`."},
	}}
}

func payGiftMembershipIdentityOf(activityID, merchantID string) payGiftMembershipIdentity {
	return payGiftMembershipIdentity{ActivityID: types.StringValue(activityID), MerchantID: types.StringValue(merchantID)}
}

func payGiftMembersIdentityOf(activityID string) payGiftMembersIdentity {
	return payGiftMembersIdentity{ActivityID: types.StringValue(activityID)}
}

func partnershipIdentityOf(p wxpay.Partner, d wxpay.AuthorizedData) partnershipIdentity {
	return partnershipIdentity{
		PartnerType:  types.StringValue(string(p.Type)),
		PartnerID:    types.StringValue(partnerIDOf(p)),
		BusinessType: types.StringValue(string(d.BusinessType)),
		StockID:      types.StringValue(d.StockID),
	}
}

// setIdentity records a resource's identity. The framework hands a resource an identity to
// fill only when it has an identity schema; Terraform before 1.12 ignores it.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, value any, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.Set(ctx, value)...)
}

// identityImportID reads the identity of an `import { identity = … }` block and returns the
// import id that says the same, so that both ways of importing pass the same checks. Each part
// of the id is checked once the id is split again, and a separator inside a part makes that
// split fail: no identity can name a different object than its import id would.
func identityImportID[T interface{ importID() string }](ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	var v T
	diags.Append(identity.Get(ctx, &v)...)
	return v.importID()
}

func (i payGiftMembershipIdentity) importID() string {
	return i.ActivityID.ValueString() + "/" + i.MerchantID.ValueString()
}

func (i payGiftMembersIdentity) importID() string { return i.ActivityID.ValueString() }

func (i partnershipIdentity) importID() string {
	return strings.Join([]string{i.PartnerType.ValueString(), i.PartnerID.ValueString(),
		i.BusinessType.ValueString(), i.StockID.ValueString()}, ":")
}
