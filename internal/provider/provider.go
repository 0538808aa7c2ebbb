// Package provider maps Terraform resources and data sources onto WeChat Pay APIv3 calls made
// through the wxpay client. It knows Terraform; everything about WeChat Pay lives in wxpay.
package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ provider.Provider                  = &WechatPayProvider{}
	_ provider.ProviderWithListResources = &WechatPayProvider{}
	_ provider.ProviderWithActions       = &WechatPayProvider{}
)

// New returns the provider factory used by main and by the acceptance tests.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &WechatPayProvider{version: version}
	}
}

// testClientConfig is set only by this package's tests, to shorten the client's retry backoff
// (which has no user-facing setting) so that fault tests take milliseconds, not minutes.
var testClientConfig func(*wxpay.Config)

// WechatPayProvider builds one wxpay.Client per provider instance and hands it to every resource
// and data source, so that they share its connection pool and rate limiter.
type WechatPayProvider struct {
	version string
}

type providerModel struct {
	MchID                types.String  `tfsdk:"mchid"`
	MerchantSerialNumber types.String  `tfsdk:"merchant_serial_number"`
	PrivateKey           types.String  `tfsdk:"private_key"`
	PrivateKeyPath       types.String  `tfsdk:"private_key_path"`
	PublicKeyID          types.String  `tfsdk:"wechatpay_public_key_id"`
	PublicKey            types.String  `tfsdk:"wechatpay_public_key"`
	PublicKeyPath        types.String  `tfsdk:"wechatpay_public_key_path"`
	APIv3Key             types.String  `tfsdk:"apiv3_key"`
	Endpoint             types.String  `tfsdk:"endpoint"`
	BackupEndpoint       types.String  `tfsdk:"backup_endpoint"`
	MaxRetries           types.Int64   `tfsdk:"max_retries"`
	RequestTimeout       types.String  `tfsdk:"request_timeout"`
	RateLimit            types.Float64 `tfsdk:"rate_limit"`
}

// Environment variables each provider attribute falls back to.
const (
	envMchID                = "WECHATPAY_MCHID"
	envMerchantSerialNumber = "WECHATPAY_MERCHANT_SERIAL_NUMBER"
	envPrivateKey           = "WECHATPAY_PRIVATE_KEY"
	envPrivateKeyPath       = "WECHATPAY_PRIVATE_KEY_PATH"
	envPublicKeyID          = "WECHATPAY_PUBLIC_KEY_ID"
	envPublicKey            = "WECHATPAY_PUBLIC_KEY"
	envPublicKeyPath        = "WECHATPAY_PUBLIC_KEY_PATH"
	envAPIv3Key             = "WECHATPAY_APIV3_KEY"
	envEndpoint             = "WECHATPAY_ENDPOINT"
	envBackupEndpoint       = "WECHATPAY_BACKUP_ENDPOINT"
	envMaxRetries           = "WECHATPAY_MAX_RETRIES"
	envRequestTimeout       = "WECHATPAY_REQUEST_TIMEOUT"
	envRateLimit            = "WECHATPAY_RATE_LIMIT"
)

func (p *WechatPayProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "wechatpay"
	resp.Version = p.version
}

func (p *WechatPayProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages WeChat Pay (微信支付) merchant settings of a service provider (服务商) or " +
			"channel partner (渠道商) through signed WeChat Pay APIv3 calls. Every answer is verified, in " +
			"WeChat Pay public-key mode, platform-certificate mode, or both during a migration.",
		Attributes: map[string]schema.Attribute{
			"mchid": schema.StringAttribute{
				MarkdownDescription: "Merchant id (商户号) of the service provider or channel partner making the calls: " +
					mchIDRule + ". Falls back to `" + envMchID + "`. Required through one of the two.",
				Optional:   true,
				Validators: []validator.String{mchIDValidator},
			},
			"merchant_serial_number": schema.StringAttribute{
				MarkdownDescription: "Serial number of the merchant API certificate (商户API证书序列号): " + serialRule +
					", shown in the merchant platform under API security; lower case is accepted and sent in upper case. " +
					"Falls back to `" + envMerchantSerialNumber + "`.",
				Optional:   true,
				Validators: []validator.String{serialValidator},
			},
			"private_key": schema.StringAttribute{
				MarkdownDescription: "PEM text of the merchant API private key (`apiclient_key.pem`) used to sign every " +
					"request. Sensitive; never stored in state. Conflicts with `private_key_path`. Falls back to `" +
					envPrivateKey + "`. " + pemPrecedence(envPrivateKey, envPrivateKeyPath),
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("private_key_path"))},
			},
			"private_key_path": schema.StringAttribute{
				MarkdownDescription: "Path of the merchant API private key PEM file (`apiclient_key.pem`); the key's text " +
					"goes into `private_key` instead. Conflicts with `private_key`. Falls back to `" + envPrivateKeyPath +
					"`; see `private_key` for which setting wins.",
				Optional: true,
			},
			"wechatpay_public_key_id": schema.StringAttribute{
				MarkdownDescription: "Id of the WeChat Pay public key (微信支付公钥ID): " + publicKeyIDRule + ". Together " +
					"with `wechatpay_public_key` or `wechatpay_public_key_path` it enables public-key mode. Falls back to `" +
					envPublicKeyID + "`.",
				Optional:   true,
				Validators: []validator.String{publicKeyIDValidator},
			},
			"wechatpay_public_key": schema.StringAttribute{
				MarkdownDescription: "PEM text of the WeChat Pay public key (`pub_key.pem`) that verifies answers in " +
					"public-key mode. Conflicts with `wechatpay_public_key_path`. Falls back to `" + envPublicKey + "`. " +
					pemPrecedence(envPublicKey, envPublicKeyPath),
				Optional:   true,
				Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("wechatpay_public_key_path"))},
			},
			"wechatpay_public_key_path": schema.StringAttribute{
				MarkdownDescription: "Path of the WeChat Pay public key PEM file (`pub_key.pem`); the key's text goes " +
					"into `wechatpay_public_key` instead. Falls back to `" + envPublicKeyPath + "`; see " +
					"`wechatpay_public_key` for which setting wins.",
				Optional: true,
			},
			"apiv3_key": schema.StringAttribute{
				MarkdownDescription: "APIv3 key (APIv3密钥), exactly 32 bytes. Enables platform-certificate mode: the " +
					"provider downloads the platform certificates from `GET /v3/certificates`, decrypts them with this " +
					"key and refreshes them periodically. Sensitive; never stored in state. Falls back to `" + envAPIv3Key + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Primary API endpoint. Defaults to `" + wxpay.DefaultEndpoint + "`. Plain `http://` is " +
					"accepted only for a loopback host (the local emulator). Falls back to `" + envEndpoint + "`.",
				Optional: true,
			},
			"backup_endpoint": schema.StringAttribute{
				MarkdownDescription: "Backup API endpoint in another region, used after connection errors, timeouts and " +
					"5xx answers from the primary; the provider returns to the primary after a cool-down. Defaults to `" +
					wxpay.DefaultBackupEndpoint + "` when `endpoint` is the default; a custom `endpoint` has no backup " +
					"unless one is set. `-` turns failover off. " +
					"Falls back to `" + envBackupEndpoint + "`.",
				Optional: true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a call is retried after a transient answer (network error, 5xx, " +
					"rate limit, change in progress), with exponential backoff and jitter. " + strconv.Itoa(minMaxRetries) +
					" to " + strconv.Itoa(maxMaxRetries) + ", default `" + strconv.Itoa(defaultMaxRetries) + "`. A call " +
					"refused for going too fast is retried up to " + strconv.Itoa(wxpay.MaxRateLimitedRetries) + " more " +
					"times (WeChat Pay did nothing with it), unless this is 0. Falls back to `" + envMaxRetries + "`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(minMaxRetries, maxMaxRetries)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Timeout of one attempt of a call, as a Go duration (`30s`, `1m`). Default `" +
					durationText(defaultRequestTimeout) + "`. " +
					"Resource `timeouts` bound the whole operation including retries. Falls back to `" + envRequestTimeout + "`.",
				Optional: true,
			},
			"rate_limit": schema.Float64Attribute{
				MarkdownDescription: "Most requests per second this provider instance sends, shared by all resources, " +
					floatText(minRateLimit) + " to " + floatText(maxRateLimit) + ". By default there is no fixed cap: " +
					"Terraform's parallelism bounds the calls in flight. Either way, when WeChat Pay answers with a rate-limit error the provider slows down the calls to that API by " +
					"itself to just under the rate WeChat Pay accepted for it (other APIs keep their pace), and speeds up " +
					"again step by step after " +
					strconv.Itoa(int(wxpay.RateLimitCooldown.Seconds())) + " seconds without one. Falls back to `" + envRateLimit + "`.",
				Optional:   true,
				Validators: []validator.Float64{float64validator.Between(minRateLimit, maxRateLimit)},
			},
		},
	}
}

func (p *WechatPayProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var data providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	refuseUnknown(data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	cfg := p.clientConfig(data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.Logger = newTFLogLogger()
	if testClientConfig != nil {
		testClientConfig(&cfg)
	}
	client, err := wxpay.New(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create WeChat Pay Client", err.Error())
		return
	}
	resp.DataSourceData = client
	resp.ResourceData = &resourceData{client: client, overlaps: newOverlaps()}
	resp.ListResourceData = client
	resp.ActionData = client
}

func (p *WechatPayProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewMarketingPartnershipResource,
		NewPayGiftActivityMerchantsResource,
		NewPayGiftActivityMerchantResource,
		NewGoldPlanStatusResource,
		NewGoldPlanCustomPageResource,
		NewGoldPlanAdvertisingResource,
	}
}

func (p *WechatPayProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewMerchantAuthorizationStateDataSource,
		NewMerchantAuthorizationStatesDataSource,
		NewPayGiftActivityDataSource,
		NewPayGiftActivityMerchantsDataSource,
		NewMarketingPartnershipsDataSource,
	}
}

// ListResources are the types `terraform query` (Terraform 1.14 and later) can find: those whose
// objects WeChat Pay can enumerate. The gold plan cannot be read back, so it has none.
func (p *WechatPayProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewMarketingPartnershipListResource,
		NewPayGiftActivityMerchantsListResource,
		NewPayGiftActivityMerchantListResource,
	}
}

// Actions (Terraform 1.14 and later) do what no resource change should: re-send the gold plan's
// settings in place, which a replacement could only do by closing the gold plan for 24 hours.
func (p *WechatPayProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		NewGoldPlanReapplyAction,
	}
}
