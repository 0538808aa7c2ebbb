package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/helpers/validatordiag"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// The formats of the ids a configuration holds, each with the WeChat Pay page that documents it.
// The schemas, Configure (for the environment variables) and ImportState (validImportPart) check
// an id with the same validator, so that no path lets through what another refuses.

// Rules in the words of the attribute descriptions and the diagnostics.
const (
	mchIDRule       = "8 to 32 digits"
	merchantIDRule  = "8 to 15 digits"
	serialRule      = "40 hex digits"
	publicKeyIDRule = "`" + wxpay.PublicKeyIDPrefix + "` followed by digits"
)

// subMchidValidators check a sub-merchant id (特约商户号): the gold plan pages document sub_mchid
// as string(32) (the authorization state page says string(9), yet takes the 10-digit ids WeChat Pay
// issues today), and WeChat Pay issues digits, 8 of them for early merchants. It is the format the
// client checks the provider's own mchid with (wxpay.ValidateMchID).
func subMchidValidators() []validator.String {
	return []validator.String{checkedBy(wxpay.ValidateMchID,
		"must be a WeChat Pay merchant id (特约商户号): "+mchIDRule+", as issued by WeChat Pay")}
}

// merchantIDValidators check the merchant id of a pay-gift member and of a partnership's partner:
// the pay-gift merchant pages document merchant_id_list entries as string(15), 8 to 15 characters
// on the add page, and the partnership build page documents partner.merchant_id as string(15).
func merchantIDValidators() []validator.String {
	return []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^[0-9]{8,15}$`),
		"must be a WeChat Pay merchant id: "+merchantIDRule)}
}

// activityIDDescription describes activity_id wherever it is configured.
const activityIDDescription = "Pay-gift activity id (活动Id), 1 to 20 characters. The activity must belong to the " +
	"provider's `mchid`."

// activityIDValidators check a pay-gift activity id: activity_id is string(20) on the pay-gift
// pages and a path segment of every pay-gift call, so it holds no '/', '?' or '.'.
func activityIDValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthBetween(1, 20),
		stringvalidator.RegexMatches(regexp.MustCompile(`^[0-9A-Za-z_-]+$`),
			"must be a pay-gift activity id (活动Id) as the merchant platform shows it, for example 10028001"),
	}
}

// appIDValidators check a partner's app id: partner.appid is string(32) on the partnership build
// page. No ':' either, so that the partnership's id splits unambiguously.
func appIDValidators() []validator.String {
	return []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`),
		"must be an app id: 1 to 32 letters, digits, _ or -")}
}

// stockIDValidators check a coupon stock id: authorized_data.stock_id is string(20) on the
// partnership build page. No ':' either, as for the app id.
func stockIDValidators() []validator.String {
	return []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`),
		"must be a stock id: 1 to 20 letters, digits, _ or -")}
}

// checkedBy refuses the values check refuses, with the diagnostic stringvalidator.RegexMatches
// gives: the attribute, what it must be, and the value.
func checkedBy(check func(string) error, mustBe string) validator.String {
	return checkedByValidator{check: check, mustBe: mustBe}
}

type checkedByValidator struct {
	check  func(string) error
	mustBe string
}

func (v checkedByValidator) Description(context.Context) string { return v.mustBe }

func (v checkedByValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v checkedByValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if value := req.ConfigValue.ValueString(); v.check(value) != nil {
		resp.Diagnostics.Append(validatordiag.InvalidAttributeValueMatchDiagnostic(req.Path, v.mustBe, value))
	}
}

// The identities of the provider block go into request headers (mchid and the serial into
// Authorization, the public key id into Wechatpay-Serial). They are checked with the client's
// own checks, which say what is wrong without repeating the value: a misplaced setting may hold
// a secret.
var (
	mchIDValidator = identityValidator{check: wxpay.ValidateMchID, rule: mchIDRule, summary: "Invalid Merchant ID",
		fix: "Use the merchant id (商户号) of the service provider or channel partner making the calls, as shown in " +
			"its merchant platform."}
	serialValidator = identityValidator{check: wxpay.ValidateMerchantSerialNumber, rule: serialRule,
		summary: "Invalid Merchant Certificate Serial Number",
		fix: "Use the serial number of the merchant API certificate (商户API证书序列号) shown in the merchant platform " +
			"under API security, or the hex digits after serial= in the output of `openssl x509 -in apiclient_cert.pem " +
			"-noout -serial`."}
	publicKeyIDValidator = identityValidator{check: wxpay.ValidatePublicKeyID, rule: publicKeyIDRule,
		summary: "Invalid WeChat Pay Public Key ID",
		fix: "Use the id shown next to the WeChat Pay public key in the merchant platform (微信支付公钥ID), for example " +
			"PUB_KEY_ID_0114232134912410000000000000.",
		hint: func(value string) string {
			if certificateSerial.MatchString(value) {
				return " This value looks like a certificate serial, which does not belong here: platform-certificate " +
					"mode is enabled with `apiv3_key`."
			}
			return ""
		}}
)

// certificateSerial is what a platform certificate serial looks like: a common mix-up with the
// public key id.
var certificateSerial = regexp.MustCompile(`^[0-9A-Fa-f]{32,40}$`)

// identityValidator checks one identity in the provider block, with the client's own check.
type identityValidator struct {
	check         func(string) error
	rule, summary string
	fix           string
	hint          func(value string) string // optional: advice for a common mix-up
}

var _ validator.String = identityValidator{}

func (v identityValidator) Description(context.Context) string { return "must be " + v.rule }

func (v identityValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v identityValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attr := req.Path.String()
	if detail := v.problem(fmt.Sprintf("`%s`", attr), req.ConfigValue.ValueString()); detail != "" {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, detail)
	}
}

// problem describes what is wrong with value, named as name, or returns "".
func (v identityValidator) problem(name, value string) string {
	err := v.check(value)
	if err == nil {
		return ""
	}
	detail := fmt.Sprintf("%s is not valid: %s. %s", name, err, v.fix)
	if v.hint != nil {
		detail += v.hint(value)
	}
	return detail
}

// checkIdentity checks a resolved identity in Configure (where the environment variables are
// read) and reports whether it is valid. An empty value is reported elsewhere, as missing.
func checkIdentity(s setting, v identityValidator, diags *diag.Diagnostics) bool {
	if s.value == "" {
		return true
	}
	if detail := v.problem(s.name(), s.value); detail != "" {
		diags.AddAttributeError(s.path(), v.summary, detail)
		return false
	}
	return true
}

// payScenesAllowed are the values of `pay_scenes`: the scenes one by one (the API's
// JSAPI_AND_MINIPROGRAM is both of them, sent when both are configured).
var payScenesAllowed = []string{string(wxpay.PaySceneJSAPI), string(wxpay.PaySceneMiniProgram)}

// payScenesValidators check `pay_scenes` of the gold plan, wherever it is configured: at least
// one scene, each one WeChat Pay opens the gold plan for.
func payScenesValidators() []validator.Set {
	return []validator.Set{
		setvalidator.SizeAtLeast(1),
		setvalidator.ValueStringsAre(stringvalidator.OneOf(payScenesAllowed...)),
	}
}

// industryFiltersValidators check `industry_filters` of the gold plan ads, wherever they are
// configured: 1 to 3 advertising industries.
func industryFiltersValidators() []validator.Set {
	return []validator.Set{
		setvalidator.SizeBetween(1, wxpay.MaxIndustryFilters),
		setvalidator.ValueStringsAre(industryValidator{}),
	}
}

// industryValidator checks one advertising industry. WeChat Pay spells three of them its own way
// (POTOGRAPHY, BUSSINESS, INDUSTY): the correct English spelling is refused with WeChat Pay's.
type industryValidator struct{}

var _ validator.String = industryValidator{}

func (industryValidator) Description(context.Context) string {
	return "must be one of WeChat Pay's advertising industries"
}

func (v industryValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (industryValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	value := req.ConfigValue.ValueString()
	if slices.Contains(wxpay.AdvertisingIndustries, value) {
		return
	}
	detail := fmt.Sprintf("%q is not one of WeChat Pay's advertising industries: %s.", value,
		strings.Join(wxpay.AdvertisingIndustries, ", "))
	if own, ok := wxpay.IndustrySpellings[strings.ToUpper(value)]; ok {
		detail = fmt.Sprintf("WeChat Pay spells this industry %q, not %q: write %q (the misspelling is WeChat Pay's "+
			"own, and the API refuses any other spelling).", own, value, own)
	} else if up := strings.ToUpper(value); slices.Contains(wxpay.AdvertisingIndustries, up) {
		detail += fmt.Sprintf(" Write it in capitals: %q.", up)
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Advertising Industry", detail)
}
