// Package provider maps Terraform resources and data sources onto WeChat Pay APIv3 calls made
// through the wxpay client. It knows Terraform; everything about WeChat Pay lives in wxpay.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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

const (
	defaultMaxRetries     = 4
	defaultRequestTimeout = 30 * time.Second
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
					"rate limit, change in progress), with exponential backoff and jitter. 0 to 20, default `" +
					strconv.Itoa(defaultMaxRetries) + "`. Falls back to `" + envMaxRetries + "`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Timeout of one attempt of a call, as a Go duration (`30s`, `1m`). Default `30s`. " +
					"Resource `timeouts` bound the whole operation including retries. Falls back to `" + envRequestTimeout + "`.",
				Optional: true,
			},
			"rate_limit": schema.Float64Attribute{
				MarkdownDescription: "Most requests per second this provider instance sends, shared by all resources, 0.1 to " +
					"1000. By default there is no fixed cap: Terraform's parallelism bounds the calls in flight. Either " +
					"way, when WeChat Pay answers with a rate-limit error the provider slows down the calls to that API by " +
					"itself to just under the rate WeChat Pay accepted for it (other APIs keep their pace), and speeds up " +
					"again step by step after " +
					strconv.Itoa(int(wxpay.RateLimitCooldown.Seconds())) + " seconds without one. Falls back to `" + envRateLimit + "`.",
				Optional:   true,
				Validators: []validator.Float64{float64validator.Between(0.1, 1000)},
			},
		},
	}
}

// setting is one provider attribute resolved against its environment variable.
type setting struct {
	attr, env string
	value     string
	fromEnv   bool
}

// resolve returns the configured value, else the environment variable's.
func resolve(v types.String, attr, env string) setting {
	s := setting{attr: attr, env: env}
	if !v.IsNull() && !v.IsUnknown() {
		s.value = v.ValueString()
	} else {
		s.value, s.fromEnv = os.Getenv(env), true
	}
	return s
}

func (s setting) path() path.Path { return path.Root(s.attr) }

func (s setting) where() string {
	return fmt.Sprintf("Set `%s` in the provider block or the %s environment variable.", s.attr, s.env)
}

// name is the setting as a user wrote it, for error details: `mchid`, or `mchid` (from
// WECHATPAY_MCHID) when the value came from the environment.
func (s setting) name() string {
	if s.fromEnv {
		return fmt.Sprintf("`%s` (from %s)", s.attr, s.env)
	}
	return "`" + s.attr + "`"
}

func (p *WechatPayProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var data providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	unknown := []struct {
		attr      string
		isUnknown bool
	}{
		{"mchid", data.MchID.IsUnknown()}, {"merchant_serial_number", data.MerchantSerialNumber.IsUnknown()},
		{"private_key", data.PrivateKey.IsUnknown()}, {"private_key_path", data.PrivateKeyPath.IsUnknown()},
		{"wechatpay_public_key_id", data.PublicKeyID.IsUnknown()}, {"wechatpay_public_key", data.PublicKey.IsUnknown()},
		{"wechatpay_public_key_path", data.PublicKeyPath.IsUnknown()}, {"apiv3_key", data.APIv3Key.IsUnknown()},
		{"endpoint", data.Endpoint.IsUnknown()}, {"backup_endpoint", data.BackupEndpoint.IsUnknown()},
		{"max_retries", data.MaxRetries.IsUnknown()}, {"request_timeout", data.RequestTimeout.IsUnknown()},
		{"rate_limit", data.RateLimit.IsUnknown()},
	}
	for _, u := range unknown {
		if u.isUnknown {
			resp.Diagnostics.AddAttributeError(path.Root(u.attr), "Unknown WeChat Pay Provider Setting",
				fmt.Sprintf("The provider cannot be configured because `%s` depends on a value that is only known "+
					"after apply. Use a literal, a variable or an environment variable instead.", u.attr))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	cfg := p.clientConfig(data, resp)
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
	resp.ResourceData = client
	resp.ListResourceData = client
	resp.ActionData = client
}

// clientConfig checks every setting it can without a network call and reports one diagnostic per
// problem, so that a user fixes all of them in one round.
func (p *WechatPayProvider) clientConfig(data providerModel, resp *provider.ConfigureResponse) wxpay.Config {
	diags := &resp.Diagnostics
	cfg := wxpay.Config{UserAgentVersion: p.version}

	mchid := resolve(data.MchID, "mchid", envMchID)
	serial := resolve(data.MerchantSerialNumber, "merchant_serial_number", envMerchantSerialNumber)
	for _, s := range []setting{mchid, serial} {
		if s.value == "" {
			diags.AddAttributeError(s.path(), "Missing WeChat Pay Credential", fmt.Sprintf("`%s` is required. %s", s.attr, s.where()))
		}
	}
	checkIdentity(mchid, mchIDValidator, diags)
	checkIdentity(serial, serialValidator, diags)
	cfg.MchID, cfg.MerchantSerialNumber = mchid.value, strings.ToUpper(serial.value)

	keySrc, ok := resolvePEM(data.PrivateKey, data.PrivateKeyPath, privateKeyForms, diags)
	if ok {
		switch pemText, ok := readPEM(keySrc, privateKeyForms, diags); {
		case !ok:
		case pemText == "":
			diags.AddAttributeError(path.Root("private_key"), "Missing WeChat Pay Credential",
				"The merchant API private key (apiclient_key.pem) is required to sign requests. Set `private_key` "+
					"(or "+envPrivateKey+") to its PEM text, or `private_key_path` (or "+envPrivateKeyPath+") to the file.")
		default:
			key, err := wxpay.ParsePrivateKey(pemText)
			if err != nil {
				diags.AddAttributeError(keySrc.path(), "Invalid Merchant Private Key",
					fmt.Sprintf("%s is not a usable RSA private key: %s. Use the apiclient_key.pem downloaded with "+
						"the merchant API certificate.", keySrc.what(), err))
			}
			cfg.PrivateKey = key
		}
	}

	keyID := resolve(data.PublicKeyID, "wechatpay_public_key_id", envPublicKeyID)
	pubSrc, pubOK := resolvePEM(data.PublicKey, data.PublicKeyPath, publicKeyForms, diags)
	switch {
	case !pubOK:
	case keyID.value == "" && pubSrc.value == "":
	case keyID.value == "":
		diags.AddAttributeError(keyID.path(), "Incomplete WeChat Pay Public Key",
			"A WeChat Pay public key is configured but not its id. "+keyID.where()+" It is shown next to the key "+
				"in the merchant platform and starts with "+wxpay.PublicKeyIDPrefix+".")
	case !checkIdentity(keyID, publicKeyIDValidator, diags):
	case pubSrc.value == "":
		diags.AddAttributeError(path.Root("wechatpay_public_key"), "Incomplete WeChat Pay Public Key",
			"`wechatpay_public_key_id` is set but not the key itself. Set `wechatpay_public_key` (or "+envPublicKey+
				") to the PEM text, or `wechatpay_public_key_path` (or "+envPublicKeyPath+") to pub_key.pem.")
	default:
		pubPEM, ok := readPEM(pubSrc, publicKeyForms, diags)
		if !ok {
			break
		}
		key, err := wxpay.ParsePublicKey(pubPEM)
		if err != nil {
			diags.AddAttributeError(pubSrc.path(), "Invalid WeChat Pay Public Key",
				fmt.Sprintf("%s is not a usable RSA public key: %s. Use the pub_key.pem downloaded from the "+
					"merchant platform.", pubSrc.what(), err))
		}
		cfg.PublicKeyID, cfg.PublicKey = keyID.value, key
	}

	// The APIv3 key's value, and any part of it, never appears in a message: only its length.
	apiv3 := resolve(data.APIv3Key, "apiv3_key", envAPIv3Key)
	if n := len(apiv3.value); n != 0 && n != 32 {
		trimmed := ""
		if len(strings.TrimSpace(apiv3.value)) == 32 {
			trimmed = " It has white space or a line break at its start or end, which is not part of the key."
		}
		diags.AddAttributeError(apiv3.path(), "Invalid APIv3 Key",
			fmt.Sprintf("The APIv3 key must be exactly 32 bytes; %s has %d.%s Check `%s` or %s "+
				"(the key is set in the merchant platform under API security).", apiv3.name(), n, trimmed, apiv3.attr, apiv3.env))
	}
	cfg.APIv3Key = apiv3.value
	if keyID.value == "" && pubSrc.value == "" && apiv3.value == "" {
		diags.AddAttributeError(keyID.path(), "No Way to Verify WeChat Pay Answers",
			"Every WeChat Pay answer is verified, so one verification mode is required: public-key mode "+
				"(`wechatpay_public_key_id` with `wechatpay_public_key` or `wechatpay_public_key_path`; "+
				envPublicKeyID+" and "+envPublicKey+"/"+envPublicKeyPath+"), platform-certificate mode (`apiv3_key` "+
				"or "+envAPIv3Key+"), or both during a migration.")
	}

	// The client applies the defaults: the backup host defaults to WeChat Pay's only when the
	// primary does, so that a custom endpoint (a proxy, the emulator) never fails over to production.
	endpoint := resolve(data.Endpoint, "endpoint", envEndpoint)
	backup := resolve(data.BackupEndpoint, "backup_endpoint", envBackupEndpoint)
	for _, s := range []setting{endpoint, backup} {
		if s.value == "" || s.value == wxpay.NoBackup {
			continue
		}
		if err := wxpay.ValidateEndpoint(s.value); err != nil {
			diags.AddAttributeError(s.path(), "Invalid WeChat Pay Endpoint", err.Error()+" "+s.where())
		}
	}
	cfg.Endpoint, cfg.BackupEndpoint = endpoint.value, backup.value

	cfg.MaxRetries = defaultMaxRetries
	if !data.MaxRetries.IsNull() {
		cfg.MaxRetries = int(data.MaxRetries.ValueInt64())
	} else if v := os.Getenv(envMaxRetries); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 20 {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid Max Retries",
				fmt.Sprintf("`max_retries` comes from %s here, which must be a whole number from 0 to 20, got %q.", envMaxRetries, v))
		}
		cfg.MaxRetries = n
	}

	cfg.RequestTimeout = defaultRequestTimeout
	if timeout := resolve(data.RequestTimeout, "request_timeout", envRequestTimeout); timeout.value != "" {
		d, err := time.ParseDuration(timeout.value)
		if err != nil || d < time.Second || d > 10*time.Minute {
			diags.AddAttributeError(timeout.path(), "Invalid Request Timeout",
				fmt.Sprintf("`%s` must be a Go duration from 1s to 10m such as \"30s\", got %q. %s",
					timeout.attr, timeout.value, timeout.where()))
		}
		cfg.RequestTimeout = d
	}

	// No rate_limit leaves cfg.RateLimit 0: no fixed cap, only the client's adaptive slow-down.
	if !data.RateLimit.IsNull() {
		cfg.RateLimit = data.RateLimit.ValueFloat64()
	} else if v := os.Getenv(envRateLimit); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0.1 || f > 1000 {
			diags.AddAttributeError(path.Root("rate_limit"), "Invalid Rate Limit",
				fmt.Sprintf("`rate_limit` comes from %s here, which must be a number of requests per second from 0.1 to 1000, got %q.", envRateLimit, v))
		}
		cfg.RateLimit = f
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = -1 // the client reads 0 as "default"
	}
	return cfg
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

// clientFrom extracts the shared client handed over by Configure. It returns nil without a
// diagnostic while the provider is not configured yet (validation runs before Configure).
func clientFrom(providerData any, diags *diag.Diagnostics) *wxpay.Client {
	if providerData == nil {
		return nil
	}
	client, ok := providerData.(*wxpay.Client)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *wxpay.Client, got %T. This is a bug in the provider; please report it.", providerData))
		return nil
	}
	return client
}
