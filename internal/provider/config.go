package provider

import (
	"crypto/rsa"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// Defaults and bounds of the numeric settings. The schema validators, the checks of the
// environment variables and the attribute descriptions all say these.
const (
	defaultMaxRetries                    = 4
	minMaxRetries, maxMaxRetries         = 0, 20
	minRateLimit, maxRateLimit           = 0.1, 1000.0
	defaultRequestTimeout                = 30 * time.Second
	minRequestTimeout, maxRequestTimeout = time.Second, 10 * time.Minute
)

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

// refuseUnknown reports every setting whose value is only known after apply: the client is
// built once, before any resource is planned.
func refuseUnknown(data providerModel, diags *diag.Diagnostics) {
	for _, u := range []struct {
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
	} {
		if u.isUnknown {
			diags.AddAttributeError(path.Root(u.attr), "Unknown WeChat Pay Provider Setting",
				fmt.Sprintf("The provider cannot be configured because `%s` depends on a value that is only known "+
					"after apply. Use a literal, a variable or an environment variable instead.", u.attr))
		}
	}
}

// clientConfig checks every setting it can without a network call and reports one diagnostic per
// problem, so that a user fixes all of them in one round.
func (p *WechatPayProvider) clientConfig(data providerModel, diags *diag.Diagnostics) wxpay.Config {
	cfg := wxpay.Config{UserAgentVersion: p.version}
	cfg.MchID, cfg.MerchantSerialNumber = callerIdentity(data, diags)
	cfg.PrivateKey = signingKey(data, diags)
	cfg.PublicKeyID, cfg.PublicKey, cfg.APIv3Key = verificationKeys(data, diags)
	cfg.Endpoint, cfg.BackupEndpoint = endpoints(data, diags)
	cfg.MaxRetries = maxRetries(data, diags)
	cfg.RequestTimeout = requestTimeout(data, diags)
	cfg.RateLimit = rateLimit(data, diags)
	return cfg
}

// callerIdentity is the merchant making the calls and the serial of its API certificate, which
// go into every Authorization header.
func callerIdentity(data providerModel, diags *diag.Diagnostics) (mchID, serial string) {
	mchid := resolve(data.MchID, "mchid", envMchID)
	cert := resolve(data.MerchantSerialNumber, "merchant_serial_number", envMerchantSerialNumber)
	for _, s := range []setting{mchid, cert} {
		if s.value == "" {
			diags.AddAttributeError(s.path(), "Missing WeChat Pay Credential", fmt.Sprintf("`%s` is required. %s", s.attr, s.where()))
		}
	}
	checkIdentity(mchid, mchIDValidator, diags)
	checkIdentity(cert, serialValidator, diags)
	return mchid.value, strings.ToUpper(cert.value)
}

// signingKey is the merchant API private key that signs every request.
func signingKey(data providerModel, diags *diag.Diagnostics) *rsa.PrivateKey {
	src, ok := resolvePEM(data.PrivateKey, data.PrivateKeyPath, privateKeyForms, diags)
	if !ok {
		return nil
	}
	pemText, ok := readPEM(src, privateKeyForms, diags)
	switch {
	case !ok:
		return nil
	case pemText == "":
		diags.AddAttributeError(path.Root("private_key"), "Missing WeChat Pay Credential",
			"The merchant API private key (apiclient_key.pem) is required to sign requests. Set `private_key` "+
				"(or "+envPrivateKey+") to its PEM text, or `private_key_path` (or "+envPrivateKeyPath+") to the file.")
		return nil
	}
	key, err := wxpay.ParsePrivateKey(pemText)
	if err != nil {
		diags.AddAttributeError(src.path(), "Invalid Merchant Private Key",
			fmt.Sprintf("%s is not a usable RSA private key: %s. Use the apiclient_key.pem downloaded with "+
				"the merchant API certificate.", src.what(), err))
	}
	return key
}

// verificationKeys are what verifies WeChat Pay's answers: the public key and its id
// (public-key mode), the APIv3 key (platform-certificate mode), or both during a migration.
func verificationKeys(data providerModel, diags *diag.Diagnostics) (publicKeyID string, publicKey *rsa.PublicKey, apiv3Key string) {
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
		publicKeyID, publicKey = keyID.value, key
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
	if keyID.value == "" && pubSrc.value == "" && apiv3.value == "" {
		diags.AddAttributeError(keyID.path(), "No Way to Verify WeChat Pay Answers",
			"Every WeChat Pay answer is verified, so one verification mode is required: public-key mode "+
				"(`wechatpay_public_key_id` with `wechatpay_public_key` or `wechatpay_public_key_path`; "+
				envPublicKeyID+" and "+envPublicKey+"/"+envPublicKeyPath+"), platform-certificate mode (`apiv3_key` "+
				"or "+envAPIv3Key+"), or both during a migration.")
	}
	return publicKeyID, publicKey, apiv3.value
}

// endpoints are the primary and backup hosts. The client applies the defaults: the backup host
// defaults to WeChat Pay's only when the primary does, so that a custom endpoint (a proxy, the
// emulator) never fails over to production.
func endpoints(data providerModel, diags *diag.Diagnostics) (primary, backup string) {
	endpoint := resolve(data.Endpoint, "endpoint", envEndpoint)
	backupEndpoint := resolve(data.BackupEndpoint, "backup_endpoint", envBackupEndpoint)
	for _, s := range []setting{endpoint, backupEndpoint} {
		if s.value == "" || s.value == wxpay.NoBackup {
			continue
		}
		if err := wxpay.ValidateEndpoint(s.value); err != nil {
			diags.AddAttributeError(s.path(), "Invalid WeChat Pay Endpoint", err.Error()+" "+s.where())
		}
	}
	return endpoint.value, backupEndpoint.value
}

// maxRetries is how often a call is retried; the schema checks the block's value, this the
// environment's.
func maxRetries(data providerModel, diags *diag.Diagnostics) int {
	n := defaultMaxRetries
	if !data.MaxRetries.IsNull() {
		n = int(data.MaxRetries.ValueInt64())
	} else if v := os.Getenv(envMaxRetries); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		if err != nil || n < minMaxRetries || n > maxMaxRetries {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid Max Retries",
				fmt.Sprintf("`max_retries` comes from %s here, which must be a whole number from %d to %d, got %q.",
					envMaxRetries, minMaxRetries, maxMaxRetries, v))
		}
	}
	if n == 0 {
		return -1 // the client reads 0 as "default"
	}
	return n
}

// requestTimeout bounds one attempt of a call.
func requestTimeout(data providerModel, diags *diag.Diagnostics) time.Duration {
	timeout := resolve(data.RequestTimeout, "request_timeout", envRequestTimeout)
	if timeout.value == "" {
		return defaultRequestTimeout
	}
	d, err := time.ParseDuration(timeout.value)
	if err != nil || d < minRequestTimeout || d > maxRequestTimeout {
		diags.AddAttributeError(timeout.path(), "Invalid Request Timeout",
			fmt.Sprintf("`%s` must be a Go duration from %s to %s such as \"%s\", got %q. %s", timeout.attr,
				durationText(minRequestTimeout), durationText(maxRequestTimeout), durationText(defaultRequestTimeout),
				timeout.value, timeout.where()))
	}
	return d
}

// rateLimit caps requests per second; 0 leaves no fixed cap, only the client's adaptive
// slow-down. The schema checks the block's value, this the environment's.
func rateLimit(data providerModel, diags *diag.Diagnostics) float64 {
	if !data.RateLimit.IsNull() {
		return data.RateLimit.ValueFloat64()
	}
	v := os.Getenv(envRateLimit)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < minRateLimit || f > maxRateLimit {
		diags.AddAttributeError(path.Root("rate_limit"), "Invalid Rate Limit",
			fmt.Sprintf("`rate_limit` comes from %s here, which must be a number of requests per second from %s to %s, got %q.",
				envRateLimit, floatText(minRateLimit), floatText(maxRateLimit), v))
	}
	return f
}

// durationText spells a whole number of seconds, minutes or hours as a user writes it: 10m
// rather than time.Duration's 10m0s.
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func floatText(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
