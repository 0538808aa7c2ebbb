package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ datasource.DataSource              = &merchantAuthorizationStateDataSource{}
	_ datasource.DataSourceWithConfigure = &merchantAuthorizationStateDataSource{}
)

// NewMerchantAuthorizationStateDataSource reads whether a sub-merchant confirmed its account
// opening (开户意愿确认).
func NewMerchantAuthorizationStateDataSource() datasource.DataSource {
	return &merchantAuthorizationStateDataSource{dataSourceBase{name: "merchant_authorization_state"}}
}

type merchantAuthorizationStateDataSource struct {
	dataSourceBase
}

type merchantAuthorizationStateModel struct {
	ID             types.String   `tfsdk:"id"`
	SubMchid       types.String   `tfsdk:"sub_mchid"`
	AuthorizeState types.String   `tfsdk:"authorize_state"`
	Authorized     types.Bool     `tfsdk:"authorized"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (d *merchantAuthorizationStateDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads whether a sub-merchant has confirmed its account opening (商户开户意愿确认) " +
			"in WeChat Pay. Only channel partners (渠道商) and licensed institutions (从业机构) may make this call; " +
			"an ordinary service provider gets an error saying so. The state can go back from authorized to " +
			"unauthorized, so read it on every plan rather than copying it into variables.",
		Attributes: map[string]schema.Attribute{
			"id": readAttribute("The sub-merchant id, same as `sub_mchid`."),
			"sub_mchid": schema.StringAttribute{
				MarkdownDescription: "Sub-merchant id (特约商户号) to look up: " + mchIDRule + ".",
				Required:            true,
				Validators:          subMchidValidators(),
			},
			"authorize_state": readAttribute("State as WeChat Pay spells it: `AUTHORIZE_STATE_AUTHORIZED` or " +
				"`AUTHORIZE_STATE_UNAUTHORIZED`."),
			"authorized": schema.BoolAttribute{
				MarkdownDescription: "Whether `authorize_state` is `AUTHORIZE_STATE_AUTHORIZED`; convenient in a " +
					"`precondition`.",
				Computed: true,
			},
		},
		Blocks: map[string]schema.Block{"timeouts": dataSourceTimeouts(ctx)},
	}
}

func (d *merchantAuthorizationStateDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data merchantAuthorizationStateModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, data.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}

	state, err := d.client.GetAuthorizeState(ctx, data.SubMchid.ValueString())
	if err != nil {
		addCallError(ctx, &resp.Diagnostics, "Unable to Read Merchant Authorization State", err,
			authorizationHints(data.SubMchid.ValueString())...)
		return
	}

	data.ID = data.SubMchid
	data.AuthorizeState = types.StringValue(string(state))
	data.Authorized = types.BoolValue(state == wxpay.AuthorizeStateAuthorized)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// authorizationHints explain the authorization state call's refusals of one sub-merchant. The page
// does not say how WeChat Pay answers for a sub_mchid it does not know: its one business error,
// 400 INVALID_REQUEST 无效请求, is the likeliest, a PARAM_ERROR for a well-formed id the same; a
// 403 NO_AUTH (商户权限异常) also means the caller lacks the permission, so its advice names both.
func authorizationHints(subMchid string) []hint {
	return []hint{
		{wxpay.ReasonSubMerchantUnknown, fmt.Sprintf("WeChat Pay does not know sub-merchant %s, or it is not a "+
			"sub-merchant of the merchant configured in the provider (`mchid`). Check `sub_mchid` for typos, and that "+
			"the provider is configured with the credentials of the channel partner (渠道商) or licensed institution "+
			"(从业机构) that onboarded it.", subMchid)},
		{wxpay.ReasonNoAuth, fmt.Sprintf("WeChat Pay refused the call as not permitted. It answers so when the merchant "+
			"configured in the provider (`mchid`) may not read authorization states, and may answer so for a "+
			"sub-merchant it does not know or that is not the caller's: check both, that `sub_mchid` %s is right and "+
			"is a sub-merchant of `mchid`, and that `mchid` is the channel partner (渠道商) or licensed institution "+
			"(从业机构) with access to this API.", subMchid)},
	}
}
