package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// hint is what to do about one kind of WeChat Pay answer; the client tells the kinds apart
// (wxpay.ReasonOf).
type hint struct {
	reason wxpay.Reason
	advice string
}

// knownAnswers advise on the answers any call may get, after the hints of the call's API family.
var knownAnswers = []hint{
	{wxpay.ReasonChannelPartnersOnly,
		"Only channel partners (渠道商) and licensed institutions (从业机构) may read a merchant's authorization " +
			"state; the merchant configured in the provider (`mchid`) is not one. Configure the provider with the " +
			"channel partner's credentials."},
	{wxpay.ReasonNoAuth,
		"The calling merchant (`mchid`) lacks the permission for this call or this object. Check that the " +
			"sub-merchant or activity belongs to it and that the product is enabled in the merchant platform."},
	{wxpay.ReasonMerchantNotExists,
		"WeChat Pay does not know this merchant id. Check the id for typos."},
	// WeChat Pay checks a signature against the certificate that mchid and serial_no name together,
	// and answers SIGN_ERROR alike whether the merchant, the serial or the key is wrong: the advice
	// names all three, the merchant first, since a serial is only looked up under its merchant.
	{wxpay.ReasonSignatureRefused,
		"WeChat Pay did not accept the request signature. It checks it with the merchant API certificate that " +
			"`mchid` and `merchant_serial_number` name together, so check that `mchid` is the merchant id of the " +
			"service provider or channel partner the certificate was issued to, that `merchant_serial_number` is " +
			"that certificate's serial and the private key is its key (apiclient_key.pem), and that this machine's " +
			"clock is correct."},
	{wxpay.ReasonUnknownSerial,
		"WeChat Pay does not know the key named in the request's Wechatpay-Serial header, which is " +
			"`wechatpay_public_key_id` in public-key mode: check it against the id shown next to the WeChat Pay " +
			"public key in the merchant platform."},
	{wxpay.ReasonRateLimited,
		"WeChat Pay kept refusing the call for its rate limit after all retries. Lower `rate_limit`, raise " +
			"`max_retries`, or run with less parallelism (`terraform apply -parallelism=N`)."},
	{wxpay.ReasonSystemError,
		"WeChat Pay answered with an internal error (SYSTEM_ERROR) to the last attempt; the attempts before it may " +
			"have failed otherwise. Try again later: a retry of this change is safe to repeat."},
}

// reasonUntrusted stands for an answer whose signature could not be verified, so that an API
// family can say what is true of its own calls then (the gold plan cannot be read back).
const reasonUntrusted wxpay.Reason = "provider:untrusted-answer"

// untrustedAdvice is what is true after an untrusted answer to a call whose effect a refresh shows.
const untrustedAdvice = "If the call changes something, it may have been applied: run `terraform plan` to see " +
	"what WeChat Pay now holds before applying again."

// untrustedWrite is a create's write that failed without a trusted answer, as its warning names it.
type untrustedWrite struct {
	summary string // the warning's summary
	call    string // "the answer to the <call> could not be used"
	found   string // "but WeChat Pay lists <found>"
}

// confirmWrite settles a create's write that failed with err. When err left the write without
// a trusted answer (wxpay.IsUntrustedAnswer), the write may have been applied: find looks the
// object up, and when it exists confirmWrite warns and returns what find found and no error, so
// that the create records what really exists. Otherwise the next apply would refuse the object
// as one that already exists, or leave an unmanaged one behind. Any other outcome returns
// answer and err as they were.
func confirmWrite[T any](err error, answer T, find func() (T, bool), w untrustedWrite, diags *diag.Diagnostics) (T, error) {
	if !wxpay.IsUntrustedAnswer(err) {
		return answer, err
	}
	found, ok := find()
	if !ok {
		return answer, err
	}
	diags.AddWarning(w.summary, fmt.Sprintf("The answer to the %s could not be used (%s), but WeChat Pay lists %s, "+
		"so it is now managed by Terraform.", w.call, err, w.found))
	return found, nil
}

// addCallError adds one diagnostic for a failed WeChat Pay call in the provider's single style:
// a Title Case summary naming the operation, then what happened, what to do, and WeChat Pay's own
// code, message and Request-ID, so that nobody needs TF_LOG to act on it. A resource passes the
// hints for its own API family; they are tried before the common ones.
func addCallError(ctx context.Context, diags *diag.Diagnostics, summary string, err error, hints ...hint) {
	diags.AddError(summary, callErrorDetail(ctx, err, hints))
}

func callErrorDetail(ctx context.Context, err error, hints []hint) string {
	var apiErr *wxpay.APIError
	var verErr *wxpay.VerificationError
	var waitErr *wxpay.RetryWaitError
	var certErr *wxpay.CertificateError
	switch {
	case errors.As(err, &waitErr):
		who := "WeChat Pay"
		if errors.As(err, &apiErr) && !apiErr.WellFormed {
			who = "Host " + waitErr.Host
		}
		advice := "The provider waits at most 2 minutes in all for such requests per call, because error answers " +
			"are not signed. Apply again later."
		if waitErr.ByDeadline {
			advice = fmt.Sprintf("Only %s were left of this operation's time. Raise the resource's `timeouts`, or "+
				"apply again later.", waitDuration(waitErr.Left))
		}
		last := ""
		if errors.As(err, &apiErr) {
			last = "\n\n" + apiErrorFacts(apiErr)
		}
		return fmt.Sprintf("%s asked to wait %s (Retry-After) before the call is tried again, longer than the call "+
			"could still wait. %s%s", who, waitDuration(waitErr.Wait), advice, last)
	case errors.As(err, &certErr):
		return fmt.Sprintf("The TLS certificate of %s could not be verified, so the call was stopped there and not "+
			"retried. This happens behind a proxy that intercepts TLS, with a wrong `endpoint`, or when someone "+
			"intercepts the traffic. Check the `endpoint` and the network path; do not turn certificate checks off.\n\n%s",
			certErr.Host, err)
	case errors.As(err, &apiErr) && !apiErr.WellFormed:
		return fmt.Sprintf("Host %s answered HTTP %d with an answer that is not a WeChat Pay error (no JSON code and "+
			"message, or no Request-ID), so nothing was concluded from it: an object is never taken as deleted on such "+
			"an answer. It usually comes from a proxy, a gateway or a wrong `endpoint`, not from WeChat Pay. Check the "+
			"provider's `endpoint` and the network path, then try again.\n\n%s", apiErr.Host, apiErr.StatusCode, apiErr)
	case errors.As(err, &verErr):
		return fmt.Sprintf("The answer from WeChat Pay could not be trusted and was not used: %s. This happens when "+
			"a proxy alters answers, when this machine's clock is off by five minutes or more, or when the "+
			"verification settings (`wechatpay_public_key_id`, `wechatpay_public_key`, `apiv3_key`) do not match "+
			"the merchant. %s\n\n%s", verErr.Reason, adviceOr(reasonUntrusted, hints, untrustedAdvice), verErr.Error())
	case errors.As(err, &apiErr):
		var b strings.Builder
		if advice := adviceFor(wxpay.ReasonOf(err), hints); advice != "" {
			b.WriteString(advice)
			b.WriteString("\n\n")
		}
		b.WriteString(apiErrorFacts(apiErr))
		return b.String()
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Sprintf("The operation was cancelled, because Terraform was interrupted (Ctrl-C), before WeChat "+
			"Pay answered: %s. %s", err, unsureChange)
	case ctx.Err() != nil:
		return fmt.Sprintf("The operation ran out of time before WeChat Pay answered: %s. Raise the resource's "+
			"`timeouts` or the provider's `request_timeout` if WeChat Pay is slow. %s", err, unsureChange)
	default:
		return fmt.Sprintf("The call to WeChat Pay failed: %s. Check the network path to the endpoint. %s", err, unsureChange)
	}
}

// adviceFor is the advice of the first hint for reason: the API family's, then the common ones.
func adviceFor(reason wxpay.Reason, hints []hint) string {
	if reason == "" {
		return ""
	}
	for _, h := range append(hints, knownAnswers...) {
		if h.reason == reason {
			return h.advice
		}
	}
	return ""
}

// adviceOr is the advice of the first hint for reason, or fallback when none has one.
func adviceOr(reason wxpay.Reason, hints []hint, fallback string) string {
	if advice := adviceFor(reason, hints); advice != "" {
		return advice
	}
	return fallback
}

// unsureChange is what is true of a call whose answer never came. Within one operation the
// client's retries cannot apply a change twice (request numbers and idempotency keys are repeated,
// gold plan changes set a state); the next apply is a new operation with new requests, and knows
// only what the state records and what a refresh can read.
const unsureChange = "If this operation changes something, whether the change was applied is not known. " +
	"Within this operation the provider's retries could not apply it twice: pay-gift and partnership changes " +
	"repeat their request number or idempotency key, and a gold plan change sets a state, which is the same " +
	"when set twice. The next `terraform apply` sends new requests for whatever the Terraform state does not " +
	"record as done, after refreshing what WeChat Pay can show."

// apiErrorFacts states a WeChat Pay answer: status, code, message, detail, Request-ID, host.
func apiErrorFacts(apiErr *wxpay.APIError) string {
	if !apiErr.WellFormed {
		return apiErr.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "WeChat Pay answered HTTP %d %s: %s", apiErr.StatusCode, apiErr.Code, apiErr.Message)
	if len(apiErr.Detail) > 0 {
		fmt.Fprintf(&b, " (detail %s)", apiErr.Detail)
	}
	fmt.Fprintf(&b, ".\nRequest-ID: %s (quote it to WeChat Pay support). Host: %s. Attempts: %d.",
		orNone(apiErr.RequestID), apiErr.Host, apiErr.Attempts)
	return b.String()
}

// waitDuration spells a wait in seconds, as Retry-After does.
func waitDuration(d time.Duration) string {
	return fmt.Sprintf("%d s", int64(math.Ceil(d.Seconds())))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
