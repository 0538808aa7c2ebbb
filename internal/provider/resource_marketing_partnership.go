package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
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
	_ resource.ResourceWithModifyPlan     = &marketingPartnershipResource{}
)

// NewMarketingPartnershipResource manages one marketing partnership (委托营销): a coupon stock
// of the caller granted to a mini program / official account (APPID) or to another merchant.
func NewMarketingPartnershipResource() resource.Resource {
	return &marketingPartnershipResource{resourceBase{name: "marketing_partnership"}}
}

type marketingPartnershipResource struct {
	resourceBase
}

type marketingPartnershipModel struct {
	ID             types.String   `tfsdk:"id"`
	Partner        types.Object   `tfsdk:"partner"`
	AuthorizedData types.Object   `tfsdk:"authorized_data"`
	State          types.String   `tfsdk:"state"`
	BuildTime      types.String   `tfsdk:"build_time"`
	CreateTime     types.String   `tfsdk:"create_time"`
	UpdateTime     types.String   `tfsdk:"update_time"`
	DeletionPolicy types.String   `tfsdk:"deletion_policy"`
	AdoptExisting  types.Bool     `tfsdk:"adopt_existing"`
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

func (r *marketingPartnershipResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A marketing partnership (委托营销): grants a coupon stock of the merchant configured in the " +
			"provider to a partner, either an app (mini program or official account, `APPID`) or another merchant " +
			"(`MERCHANT`). WeChat Pay has no update call: every change replaces the partnership (terminate, then " +
			"build). A partnership terminated outside Terraform is built again by the next apply.",
		Attributes: map[string]schema.Attribute{
			"id": stableAttribute("`<partner.type>:<partner.appid or partner.merchant_id>:<authorized_data.business_type>:" +
				"<authorized_data.stock_id>`, for example `APPID:wx4e1916a585d1f4e9:BUSIFAVOR_STOCK:98065001`. " +
				"Import uses the same format."),
			"partner": schema.SingleNestedAttribute{
				MarkdownDescription: "Who receives the grant. Changing it replaces the partnership.",
				Required:            true,
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplaceIf(partnerChanged,
					"Changing the partner replaces the partnership.", "Changing the partner replaces the partnership.")},
				Attributes: map[string]schema.Attribute{
					"type": schema.StringAttribute{
						MarkdownDescription: "`APPID` (a mini program or official account; set `appid`) or `MERCHANT` " +
							"(another merchant; set `merchant_id`).",
						Required:   true,
						Validators: partnerTypeValidators(),
					},
					"appid": schema.StringAttribute{
						MarkdownDescription: "The partner's app id, 1 to 32 letters, digits, `_` or `-`. Required when " +
							"`type` is `APPID`, not allowed otherwise.",
						Optional:   true,
						Validators: appIDValidators(),
					},
					"merchant_id": schema.StringAttribute{
						MarkdownDescription: "The partner's merchant id, " + merchantIDRule + ". Required when `type` is " +
							"`MERCHANT`. With `type` `APPID` it is optional: the merchant behind the app (合作方商户ID), which " +
							"WeChat Pay's own build example sends beside the `appid` and answers back; it is no part of the " +
							"partnership's identity, and when it is not set, the value WeChat Pay answers (if any) is kept.",
						Optional:      true,
						Computed:      true,
						Validators:    merchantIDValidators(),
						PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
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
						Required:   true,
						Validators: businessTypeValidators(),
					},
					"stock_id": schema.StringAttribute{
						MarkdownDescription: "The stock (批次) id, 1 to 20 letters, digits, `_` or `-`.",
						Required:            true,
						Validators:          stockIDValidators(),
					},
				},
			},
			"state": stableAttribute("`ESTABLISHED` while the grant is in force. A partnership found `TERMINATED` is " +
				"removed from the state and built again by the next apply."),
			"build_time":      stableAttribute("When the partnership was (last) built, RFC 3339 as WeChat Pay reports it."),
			"create_time":     stableAttribute("When WeChat Pay first recorded the partnership, RFC 3339."),
			"update_time":     stableAttribute("When WeChat Pay last changed the partnership, RFC 3339."),
			"deletion_policy": deletionPolicyAttribute("terminates the partnership"),
			"adopt_existing":  adoptExistingAttribute("the partnership (established)"),
		},
		Blocks: map[string]schema.Block{"timeouts": resourceTimeouts(ctx, timeouts.Opts{Create: true, Read: true, Delete: true}, defaultPartnershipTimeout)},
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
	// Each partner type uses one id field and refuses the other.
	app := partnerIDField{typ: wxpay.PartnerTypeAppID, attr: "appid", title: "App ID", set: !p.AppID.IsNull(),
		what: "the app id of the mini program or official account", grantee: "an app"}
	merchant := partnerIDField{typ: wxpay.PartnerTypeMerchant, attr: "merchant_id", title: "Merchant ID",
		set: !p.MerchantID.IsNull(), what: "the merchant id", grantee: "a merchant"}
	own, other := app, merchant
	switch wxpay.PartnerType(p.Type.ValueString()) {
	case wxpay.PartnerTypeAppID:
	case wxpay.PartnerTypeMerchant:
		own, other = merchant, app
	default:
		return
	}
	partnerPath := path.Root("partner")
	if !own.set {
		resp.Diagnostics.AddAttributeError(partnerPath.AtName(own.attr), "Missing Partner "+own.title,
			fmt.Sprintf("`partner.%s` is required when `partner.type` is `%s`. Set it to %s that receives the grant.",
				own.attr, own.typ, own.what))
	}
	// The build page's own example sends merchant_id beside an APPID partner's appid, and its
	// answer echoes it: only an appid beside a MERCHANT partner is refused.
	if other.set && own.typ == wxpay.PartnerTypeMerchant {
		resp.Diagnostics.AddAttributeError(partnerPath.AtName(other.attr), "Unexpected Partner "+other.title,
			fmt.Sprintf("`partner.%s` must not be set when `partner.type` is `%s`. Remove it, or set `partner.type` to "+
				"`%s` (and remove `partner.%s`) to grant to %s.", other.attr, own.typ, other.typ, own.attr, other.grantee))
	}
	if own.typ != wxpay.PartnerTypeMerchant || data.AuthorizedData.IsNull() || data.AuthorizedData.IsUnknown() {
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

// ModifyPlan warns of every destroy and replacement: they terminate the partnership.
func (r *marketingPartnershipResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	state, plan, ok := planModels[marketingPartnershipModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	replaced := plan != nil && state != nil && (!plan.Partner.Equal(state.Partner) || !plan.AuthorizedData.Equal(state.AuthorizedData))
	if state != nil && (plan == nil || replaced) && !abandons(state.DeletionPolicy) {
		partner, data := expandPartnership(ctx, *state, &resp.Diagnostics)
		warnRemoval(&resp.Diagnostics, removal{
			summary: "Marketing Partnership Will Be Terminated",
			does: fmt.Sprintf("the apply terminates the grant of %s stock %s to %s %s: the partner can no longer "+
				"issue those coupons.", data.BusinessType, data.StockID, partner.Type, partnerIDOf(partner)),
			undone: "terminating it",
		}, replaced)
	}
}

func (r *marketingPartnershipResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan marketingPartnershipModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultPartnershipTimeout, &resp.Diagnostics)
	defer cancel()
	partner, data := expandPartnership(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	if !plan.AdoptExisting.ValueBool() && !refuseExistingPartnership(ctx, r.client, partner, data, &resp.Diagnostics) {
		return
	}
	// One key for this create: the client repeats it on every retry, so a build whose answer was
	// lost is answered from WeChat Pay's record instead of being applied twice.
	key := newIdempotencyKey("tfbuild")
	built, err := r.client.BuildPartnership(ctx, key, partner, data)
	built, err = confirmWrite(err, built, func() (*wxpay.Partnership, bool) {
		found, findErr := r.client.FindPartnership(ctx, partner, data)
		return found, findErr == nil && found.State == wxpay.PartnershipEstablished
	}, untrustedWrite{
		summary: "Partnership Built Without a Trusted Answer",
		call:    "build",
		found:   "the partnership as established",
	}, &resp.Diagnostics)
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
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	partner, data := expandPartnership(ctx, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// Before the call: the framework wants an identity even from a read that removes the resource.
	setIdentity(ctx, resp.Identity, partnershipIdentityOf(partner, data), &resp.Diagnostics)

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
	fillNewArguments(ctx, &resp.State, &resp.Diagnostics)
}

// Update records the arguments that call nothing (inPlaceArguments): every other argument
// replaces the resource.
func (r *marketingPartnershipResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateWithoutCalls(ctx, req, resp)
	var state marketingPartnershipModel
	resp.Diagnostics.Append(resp.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	partner, data := expandPartnership(ctx, state, &resp.Diagnostics)
	setIdentity(ctx, resp.Identity, partnershipIdentityOf(partner, data), &resp.Diagnostics)
}

func (r *marketingPartnershipResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state marketingPartnershipModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if abandons(state.DeletionPolicy) {
		abandon(ctx, "marketing partnership "+state.ID.ValueString())
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultPartnershipTimeout, &resp.Diagnostics)
	defer cancel()
	partner, data := expandPartnership(ctx, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

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
	partner, data, ok := parsePartnershipID(ctx, req.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	var m marketingPartnershipModel
	flattenPartnership(&m, &wxpay.Partnership{Partner: partner, AuthorizedData: data})
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), m.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("partner"), m.Partner)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("authorized_data"), m.AuthorizedData)...)
}

// partnerIDField is the id field one partner type uses, in the words of ValidateConfig.
type partnerIDField struct {
	typ         wxpay.PartnerType
	attr, title string
	set         bool
	what        string // who receives the grant, as the field names it
	grantee     string // who a grant to this type goes to
}

func expandPartnership(ctx context.Context, m marketingPartnershipModel, diags *diag.Diagnostics) (wxpay.Partner, wxpay.AuthorizedData) {
	var p partnerModel
	var d authorizedDataModel
	diags.Append(m.Partner.As(ctx, &p, basetypes.ObjectAsOptions{})...)
	diags.Append(m.AuthorizedData.As(ctx, &d, basetypes.ObjectAsOptions{})...)
	return wxpay.Partner{
			Type:       wxpay.PartnerType(p.Type.ValueString()),
			AppID:      p.AppID.ValueString(),
			MerchantID: p.MerchantID.ValueString(),
		}, wxpay.AuthorizedData{
			BusinessType: wxpay.BusinessType(d.BusinessType.ValueString()),
			StockID:      d.StockID.ValueString(),
		}
}

// flattenPartnership sets everything but timeouts from p. The partner keeps the id field its type
// uses, and for an APPID partner the merchant_id WeChat Pay answers beside it; when WeChat Pay
// answers none, the one m holds (configured or in the state) stays, so that a WeChat Pay that does
// not echo it never shows as a change.
func flattenPartnership(m *marketingPartnershipModel, p *wxpay.Partnership) {
	appID, merchantID := types.StringNull(), stringOrNull(p.Partner.MerchantID)
	if p.Partner.Type != wxpay.PartnerTypeMerchant {
		appID = types.StringValue(p.Partner.AppID)
		if prior := priorMerchantID(m.Partner); p.Partner.MerchantID == "" && !prior.IsUnknown() {
			merchantID = prior
		}
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
	m.BuildTime = keepSpelling(m.BuildTime, p.BuildTime)
	m.CreateTime = keepSpelling(m.CreateTime, p.CreateTime)
	m.UpdateTime = keepSpelling(m.UpdateTime, p.UpdateTime)
}

// partnershipAttributes are the attributes of wechatpay_marketing_partnership that a refresh
// reads for p, without a prior state.
func partnershipAttributes(p wxpay.Partnership) map[string]attr.Value {
	var m marketingPartnershipModel
	flattenPartnership(&m, &p)
	return map[string]attr.Value{
		"id": m.ID, "partner": m.Partner, "authorized_data": m.AuthorizedData, "state": m.State,
		"build_time": m.BuildTime, "create_time": m.CreateTime, "update_time": m.UpdateTime,
	}
}

// priorMerchantID is the partner's merchant_id in a plan or state: null when there is none,
// unknown when it is not known yet.
func priorMerchantID(partner types.Object) types.String {
	if partner.IsNull() || partner.IsUnknown() {
		return types.StringNull()
	}
	if v, ok := partner.Attributes()["merchant_id"].(types.String); ok {
		return v
	}
	return types.StringNull()
}

// partnerChanged decides whether a partner change replaces the partnership: any change of type,
// appid or merchant_id does, except a merchant_id of an APPID partner that the configuration
// leaves out (WeChat Pay's answer fills it in; it is no part of the grant's identity).
func partnerChanged(ctx context.Context, req planmodifier.ObjectRequest, resp *objectplanmodifier.RequiresReplaceIfFuncResponse) {
	var plan, state partnerModel
	resp.Diagnostics.Append(req.PlanValue.As(ctx, &plan, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	resp.Diagnostics.Append(req.StateValue.As(ctx, &state, basetypes.ObjectAsOptions{})...)
	if resp.Diagnostics.HasError() {
		return
	}
	sameMerchantID := plan.MerchantID.Equal(state.MerchantID) ||
		(plan.Type.ValueString() == string(wxpay.PartnerTypeAppID) && plan.MerchantID.IsUnknown())
	resp.RequiresReplace = !plan.Type.Equal(state.Type) || !plan.AppID.Equal(state.AppID) || !sameMerchantID
}
