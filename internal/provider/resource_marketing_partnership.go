package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ resource.Resource                   = &marketingPartnershipResource{}
	_ resource.ResourceWithConfigure      = &marketingPartnershipResource{}
	_ resource.ResourceWithImportState    = &marketingPartnershipResource{}
	_ resource.ResourceWithValidateConfig = &marketingPartnershipResource{}
	_ resource.ResourceWithIdentity       = &marketingPartnershipResource{}
)

// NewMarketingPartnershipResource manages one marketing partnership (委托营销): a coupon stock
// of the caller granted to a mini program / official account (APPID) or to another merchant.
func NewMarketingPartnershipResource() resource.Resource {
	return &marketingPartnershipResource{}
}

type marketingPartnershipResource struct {
	client *wxpay.Client
}

type marketingPartnershipModel struct {
	ID             types.String   `tfsdk:"id"`
	Partner        types.Object   `tfsdk:"partner"`
	AuthorizedData types.Object   `tfsdk:"authorized_data"`
	State          types.String   `tfsdk:"state"`
	BuildTime      types.String   `tfsdk:"build_time"`
	CreateTime     types.String   `tfsdk:"create_time"`
	UpdateTime     types.String   `tfsdk:"update_time"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

type partnerModel struct {
	Type       types.String `tfsdk:"type"`
	AppID      types.String `tfsdk:"appid"`
	MerchantID types.String `tfsdk:"merchant_id"`
}

type authorizedDataModel struct {
	BusinessType types.String `tfsdk:"business_type"`
	StockID      types.String `tfsdk:"stock_id"`
}

var (
	partnerAttrTypes = map[string]attr.Type{
		"type": types.StringType, "appid": types.StringType, "merchant_id": types.StringType,
	}
	authorizedDataAttrTypes = map[string]attr.Type{
		"business_type": types.StringType, "stock_id": types.StringType,
	}
)

const defaultPartnershipTimeout = 5 * time.Minute

// Ids and stocks never contain ':' so the resource id splits unambiguously.
var (
	appIDPattern      = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	merchantIDPattern = regexp.MustCompile(`^[0-9]{8,15}$`)
	stockIDPattern    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)
)

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

func (r *marketingPartnershipResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_marketing_partnership"
}

func (r *marketingPartnershipResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A marketing partnership (委托营销): grants a coupon stock of the merchant configured in the " +
			"provider to a partner, either an app (mini program or official account, `APPID`) or another merchant " +
			"(`MERCHANT`). WeChat Pay has no update call: every change replaces the partnership (terminate, then " +
			"build). A partnership terminated outside Terraform is built again by the next apply.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<partner.type>:<partner.appid or partner.merchant_id>:<authorized_data.business_type>:" +
					"<authorized_data.stock_id>`, for example `APPID:wx4e1916a585d1f4e9:BUSIFAVOR_STOCK:98065001`. " +
					"Import uses the same format.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"partner": schema.SingleNestedAttribute{
				MarkdownDescription: "Who receives the grant. Changing it replaces the partnership.",
				Required:            true,
				PlanModifiers:       []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"type": schema.StringAttribute{
						MarkdownDescription: "`APPID` (a mini program or official account; set `appid`) or `MERCHANT` " +
							"(another merchant; set `merchant_id`).",
						Required:   true,
						Validators: []validator.String{stringvalidator.OneOf(string(wxpay.PartnerTypeAppID), string(wxpay.PartnerTypeMerchant))},
					},
					"appid": schema.StringAttribute{
						MarkdownDescription: "The partner's app id, 1 to 32 letters, digits, `_` or `-`. Required when " +
							"`type` is `APPID`, not allowed otherwise.",
						Optional: true,
						Validators: []validator.String{stringvalidator.RegexMatches(appIDPattern,
							"must be an app id: 1 to 32 letters, digits, _ or -")},
					},
					"merchant_id": schema.StringAttribute{
						MarkdownDescription: "The partner's merchant id, 8 to 15 digits. Required when `type` is " +
							"`MERCHANT`, not allowed otherwise.",
						Optional: true,
						Validators: []validator.String{stringvalidator.RegexMatches(merchantIDPattern,
							"must be a WeChat Pay merchant id: 8 to 15 digits")},
					},
				},
			},
			"authorized_data": schema.SingleNestedAttribute{
				MarkdownDescription: "What is granted. Changing it replaces the partnership.",
				Required:            true,
				PlanModifiers:       []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"business_type": schema.StringAttribute{
						MarkdownDescription: "`FAVOR_STOCK` (WeChat Pay coupon stock, 代金券; only to an `APPID` partner) " +
							"or `BUSIFAVOR_STOCK` (merchant coupon stock, 商家券).",
						Required: true,
						Validators: []validator.String{stringvalidator.OneOf(
							string(wxpay.BusinessTypeFavorStock), string(wxpay.BusinessTypeBusifavorStock))},
					},
					"stock_id": schema.StringAttribute{
						MarkdownDescription: "The stock (批次) id, 1 to 20 letters, digits, `_` or `-`.",
						Required:            true,
						Validators: []validator.String{stringvalidator.RegexMatches(stockIDPattern,
							"must be a stock id: 1 to 20 letters, digits, _ or -")},
					},
				},
			},
			"state": schema.StringAttribute{
				MarkdownDescription: "`ESTABLISHED` while the grant is in force. A partnership found `TERMINATED` is " +
					"removed from the state and built again by the next apply.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"build_time": schema.StringAttribute{
				MarkdownDescription: "When the partnership was (last) built, RFC 3339 as WeChat Pay reports it.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"create_time": schema.StringAttribute{
				MarkdownDescription: "When WeChat Pay first recorded the partnership, RFC 3339.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"update_time": schema.StringAttribute{
				MarkdownDescription: "When WeChat Pay last changed the partnership, RFC 3339.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Delete: true}),
		},
	}
}

func (r *marketingPartnershipResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = partnershipIdentitySchema()
}

// ValidateConfig refuses at plan time the combinations WeChat Pay would refuse at apply time.
func (r *marketingPartnershipResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var data marketingPartnershipModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() || data.Partner.IsNull() || data.Partner.IsUnknown() {
		return
	}
	var p partnerModel
	resp.Diagnostics.Append(data.Partner.As(ctx, &p, basetypes.ObjectAsOptions{})...)
	if resp.Diagnostics.HasError() || p.Type.IsUnknown() {
		return
	}
	partnerPath := path.Root("partner")
	switch p.Type.ValueString() {
	case string(wxpay.PartnerTypeAppID):
		if p.AppID.IsNull() {
			resp.Diagnostics.AddAttributeError(partnerPath.AtName("appid"), "Missing Partner App ID",
				"`partner.appid` is required when `partner.type` is `APPID`. Set it to the app id of the mini "+
					"program or official account that receives the grant.")
		}
		if !p.MerchantID.IsNull() {
			resp.Diagnostics.AddAttributeError(partnerPath.AtName("merchant_id"), "Unexpected Partner Merchant ID",
				"`partner.merchant_id` must not be set when `partner.type` is `APPID`. Remove it, or set "+
					"`partner.type` to `MERCHANT` (and remove `partner.appid`) to grant to a merchant.")
		}
	case string(wxpay.PartnerTypeMerchant):
		if p.MerchantID.IsNull() {
			resp.Diagnostics.AddAttributeError(partnerPath.AtName("merchant_id"), "Missing Partner Merchant ID",
				"`partner.merchant_id` is required when `partner.type` is `MERCHANT`. Set it to the merchant id "+
					"that receives the grant.")
		}
		if !p.AppID.IsNull() {
			resp.Diagnostics.AddAttributeError(partnerPath.AtName("appid"), "Unexpected Partner App ID",
				"`partner.appid` must not be set when `partner.type` is `MERCHANT`. Remove it, or set "+
					"`partner.type` to `APPID` (and remove `partner.merchant_id`) to grant to an app.")
		}
		if data.AuthorizedData.IsNull() || data.AuthorizedData.IsUnknown() {
			return
		}
		var d authorizedDataModel
		resp.Diagnostics.Append(data.AuthorizedData.As(ctx, &d, basetypes.ObjectAsOptions{})...)
		if !resp.Diagnostics.HasError() && d.BusinessType.ValueString() == string(wxpay.BusinessTypeFavorStock) {
			resp.Diagnostics.AddAttributeError(path.Root("authorized_data").AtName("business_type"),
				"WeChat Pay Coupons Cannot Be Granted to a Merchant",
				"`authorized_data.business_type` `FAVOR_STOCK` (WeChat Pay coupon, 代金券) can only be granted to "+
					"an `APPID` partner. Grant it to the partner's app id, or grant a `BUSIFAVOR_STOCK` (merchant "+
					"coupon) stock to the merchant.")
		}
	}
}

func (r *marketingPartnershipResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *marketingPartnershipResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan marketingPartnershipModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultPartnershipTimeout)
	resp.Diagnostics.Append(diags...)
	partner, data, diags := expandPartnership(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// One key for this create: the client repeats it on every retry, so a build whose answer was
	// lost is answered from WeChat Pay's record instead of being applied twice.
	key := newIdempotencyKey("tfbuild")
	built, err := r.client.BuildPartnership(ctx, key, partner, data)
	var apiErr *wxpay.APIError
	if err != nil && !errors.As(err, &apiErr) {
		// No trustworthy answer (retries used up without one, or a signature that did not
		// verify): the build may have been applied. Keep what really exists rather than leave
		// an unmanaged grant behind.
		if found, lookupErr := r.client.FindPartnership(ctx, partner, data); lookupErr == nil &&
			found.State == wxpay.PartnershipEstablished {
			resp.Diagnostics.AddWarning("Partnership Built Without a Trusted Answer",
				fmt.Sprintf("The answer to the build could not be used (%s), but WeChat Pay lists the partnership as "+
					"established, so it is now managed by Terraform.", err))
			built, err = found, nil
		}
	}
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, "Unable to Build Marketing Partnership", err, partnershipHints...)
		return
	}
	flattenPartnership(&plan, built)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, partnershipIdentityOf(partner, data), &resp.Diagnostics)
}

func (r *marketingPartnershipResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state marketingPartnershipModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultPartnershipTimeout)
	resp.Diagnostics.Append(diags...)
	partner, data, diags := expandPartnership(ctx, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Before the call: the framework wants an identity even from a read that removes the resource.
	setIdentity(ctx, resp.Identity, partnershipIdentityOf(partner, data), &resp.Diagnostics)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	found, err := r.client.LookupPartnership(ctx, partner, data)
	if wxpay.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, "Unable to Read Marketing Partnership", err, partnershipHints...)
		return
	}
	flattenPartnership(&state, found)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update only ever changes `timeouts`: every other argument replaces the partnership.
func (r *marketingPartnershipResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state marketingPartnershipModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	partner, data, diags := expandPartnership(ctx, state)
	resp.Diagnostics.Append(diags...)
	setIdentity(ctx, resp.Identity, partnershipIdentityOf(partner, data), &resp.Diagnostics)
}

func (r *marketingPartnershipResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state marketingPartnershipModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultPartnershipTimeout)
	resp.Diagnostics.Append(diags...)
	partner, data, diags := expandPartnership(ctx, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	_, err := r.client.TerminatePartnership(ctx, newIdempotencyKey("tfterminate"), partner, data)
	if err != nil && !wxpay.IsNotFound(err) {
		addCallError(ctx, &resp.Diagnostics, "Unable to Terminate Marketing Partnership", err, partnershipHints...)
	}
}

// ImportState accepts the id format documented on `id`; Read then fills in the rest.
func (r *marketingPartnershipResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil {
		if req.ID = identityImportID[partnershipIdentity](ctx, req.Identity, &resp.Diagnostics); resp.Diagnostics.HasError() {
			return
		}
	}
	partner, data, err := parsePartnershipID(req.ID)
	if err != nil {
		// The error is a Go error (no closing period); the diagnostic detail is a sentence.
		resp.Diagnostics.AddError("Invalid Marketing Partnership Import ID", err.Error()+".")
		return
	}
	var m marketingPartnershipModel
	flattenPartnership(&m, &wxpay.Partnership{Partner: partner, AuthorizedData: data})
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), m.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("partner"), m.Partner)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("authorized_data"), m.AuthorizedData)...)
}

func expandPartnership(ctx context.Context, m marketingPartnershipModel) (wxpay.Partner, wxpay.AuthorizedData, diag.Diagnostics) {
	var p partnerModel
	var d authorizedDataModel
	diags := m.Partner.As(ctx, &p, basetypes.ObjectAsOptions{})
	diags.Append(m.AuthorizedData.As(ctx, &d, basetypes.ObjectAsOptions{})...)
	return wxpay.Partner{
			Type:       wxpay.PartnerType(p.Type.ValueString()),
			AppID:      p.AppID.ValueString(),
			MerchantID: p.MerchantID.ValueString(),
		}, wxpay.AuthorizedData{
			BusinessType: wxpay.BusinessType(d.BusinessType.ValueString()),
			StockID:      d.StockID.ValueString(),
		}, diags
}

// flattenPartnership sets everything but timeouts from p. The partner keeps only the id field
// its type uses, as the configuration must.
func flattenPartnership(m *marketingPartnershipModel, p *wxpay.Partnership) {
	appID, merchantID := types.StringNull(), types.StringNull()
	if p.Partner.Type == wxpay.PartnerTypeMerchant {
		merchantID = types.StringValue(p.Partner.MerchantID)
	} else {
		appID = types.StringValue(p.Partner.AppID)
	}
	m.Partner = types.ObjectValueMust(partnerAttrTypes, map[string]attr.Value{
		"type": types.StringValue(string(p.Partner.Type)), "appid": appID, "merchant_id": merchantID,
	})
	m.AuthorizedData = types.ObjectValueMust(authorizedDataAttrTypes, map[string]attr.Value{
		"business_type": types.StringValue(string(p.AuthorizedData.BusinessType)),
		"stock_id":      types.StringValue(p.AuthorizedData.StockID),
	})
	m.ID = types.StringValue(partnershipID(p.Partner, p.AuthorizedData))
	m.State = stringOrNull(string(p.State))
	m.BuildTime = stringOrNull(p.BuildTime)
	m.CreateTime = stringOrNull(p.CreateTime)
	m.UpdateTime = stringOrNull(p.UpdateTime)
}

// stringOrNull keeps a time WeChat Pay did not send null rather than an empty string.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func partnershipID(p wxpay.Partner, d wxpay.AuthorizedData) string {
	id := p.AppID
	if p.Type == wxpay.PartnerTypeMerchant {
		id = p.MerchantID
	}
	return strings.Join([]string{string(p.Type), id, string(d.BusinessType), d.StockID}, ":")
}

func parsePartnershipID(id string) (wxpay.Partner, wxpay.AuthorizedData, error) {
	const format = "Expected `<partner type>:<appid or merchant_id>:<business_type>:<stock_id>`, for example " +
		"`APPID:wx4e1916a585d1f4e9:BUSIFAVOR_STOCK:98065001` or `MERCHANT:1900000109:BUSIFAVOR_STOCK:98065001`"
	parts := strings.Split(id, ":")
	if len(parts) != 4 {
		return wxpay.Partner{}, wxpay.AuthorizedData{}, fmt.Errorf("%s; got %q", format, id)
	}
	partner := wxpay.Partner{Type: wxpay.PartnerType(parts[0])}
	data := wxpay.AuthorizedData{BusinessType: wxpay.BusinessType(parts[2]), StockID: parts[3]}
	switch partner.Type {
	case wxpay.PartnerTypeAppID:
		if !appIDPattern.MatchString(parts[1]) {
			return partner, data, fmt.Errorf("%s; %q is not an app id", format, parts[1])
		}
		partner.AppID = parts[1]
	case wxpay.PartnerTypeMerchant:
		if !merchantIDPattern.MatchString(parts[1]) {
			return partner, data, fmt.Errorf("%s; %q is not a merchant id (8 to 15 digits)", format, parts[1])
		}
		partner.MerchantID = parts[1]
	default:
		return partner, data, fmt.Errorf("%s; the partner type must be APPID or MERCHANT, got %q", format, parts[0])
	}
	switch data.BusinessType {
	case wxpay.BusinessTypeFavorStock, wxpay.BusinessTypeBusifavorStock:
	default:
		return partner, data, fmt.Errorf("%s; the business type must be FAVOR_STOCK or BUSIFAVOR_STOCK, got %q", format, parts[2])
	}
	if !stockIDPattern.MatchString(data.StockID) {
		return partner, data, fmt.Errorf("%s; %q is not a stock id", format, parts[3])
	}
	return partner, data, nil
}

// newIdempotencyKey is a fresh key for one logical change: prefix, '-', 32 hex digits, within
// WeChat Pay's 48 characters of letters, digits and |_*-.
func newIdempotencyKey(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}
