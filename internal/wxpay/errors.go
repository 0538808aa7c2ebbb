package wxpay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// APIError is a non-2xx answer. Code and Message are what the server sent; the
// same Code carries different meanings depending on Message, so callers match
// on both (HasCode, MessageContains).
//
// Error answers are not signed, so anything on the way (a proxy, a gateway, a
// wrong endpoint) can send one. WellFormed says the answer at least looks like
// WeChat Pay's own: a JSON body with a code and a message, and a Request-ID
// header. Only such an answer may mean something beyond "the call failed"
// (IsNotFound); any other is reported with its host and status.
type APIError struct {
	StatusCode int
	Code       string
	Message    string
	Detail     json.RawMessage
	RequestID  string
	WellFormed bool
	// API is the API the call belongs to (Request.API): what its answers mean depends on it.
	API      string
	Host     string
	Method   string
	Path     string
	Attempts int

	malformed string // why the answer is not a well-formed WeChat Pay error
}

func (e *APIError) Error() string {
	var b strings.Builder
	if !e.WellFormed {
		fmt.Fprintf(&b, "wechatpay: %s %s: HTTP %d from host %s is not a WeChat Pay error answer (%s)",
			e.Method, e.Path, e.StatusCode, e.Host, orDefault(e.malformed, "not parsed from an answer"))
		if e.Code != "" {
			b.WriteString(": " + e.Code)
		}
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
		if e.RequestID != "" {
			b.WriteString(" (Request-ID " + e.RequestID + ", ")
		} else {
			b.WriteString(" (")
		}
		fmt.Fprintf(&b, "attempts %d)", e.Attempts)
		return b.String()
	}
	fmt.Fprintf(&b, "wechatpay: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	b.WriteString(" (")
	if e.RequestID != "" {
		b.WriteString("Request-ID " + e.RequestID + ", ")
	}
	fmt.Fprintf(&b, "host %s, attempts %d)", e.Host, e.Attempts)
	return b.String()
}

// VerificationError means an answer arrived but could not be trusted: its
// signature, timestamp, serial or headers did not check out. The body of such
// an answer is never decoded. It is deliberately not transient: for a
// state-changing call the change may have happened, so it is reported rather
// than retried.
type VerificationError struct {
	Reason    string
	RequestID string
	Host      string
	Method    string
	Path      string
	Err       error
}

func (e *VerificationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wechatpay: %s %s: answer could not be trusted: %s", e.Method, e.Path, e.Reason)
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	b.WriteString(" (")
	if e.RequestID != "" {
		b.WriteString("Request-ID " + e.RequestID + ", ")
	}
	b.WriteString("host " + e.Host + ")")
	return b.String()
}

func (e *VerificationError) Unwrap() error { return e.Err }

// NetworkError is a call that never got an HTTP answer on its last attempt:
// connection refused or reset, TLS failure, per-attempt timeout, or the
// caller's context ending.
type NetworkError struct {
	Host     string
	Method   string
	Path     string
	Attempts int
	Err      error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("wechatpay: %s %s: %v (host %s, attempts %d)", e.Method, e.Path, e.Err, e.Host, e.Attempts)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// CertificateError is a call that failed because the server's TLS certificate could not be
// verified: a proxy that intercepts TLS, a wrong endpoint, or a man in the middle. It is never
// retried, on either host.
type CertificateError struct {
	Host string
	Err  error
}

func (e *CertificateError) Error() string {
	return fmt.Sprintf("the TLS certificate of host %s could not be verified, so the call was not retried "+
		"(a proxy that intercepts TLS, a wrong endpoint, or a man in the middle): %v", e.Host, e.Err)
}

func (e *CertificateError) Unwrap() error { return e.Err }

// RetryWaitError is a call given up because an answer asked to wait (Retry-After) longer than
// the call may still wait: the rest of the caller's deadline, or, since error answers are not
// signed, the rest of the client's own limit on such waits per call. Err is the last answer.
type RetryWaitError struct {
	Wait       time.Duration // what the answer asked for
	Left       time.Duration // what the call had left to wait
	ByDeadline bool          // Left is the rest of the caller's deadline, not of the client's limit
	Host       string
	Method     string
	Path       string
	Err        error
}

func (e *RetryWaitError) Error() string {
	who := "WeChat Pay"
	var ae *APIError
	if errors.As(e.Err, &ae) && !ae.WellFormed {
		who = "host " + e.Host
	}
	var left string
	if e.ByDeadline {
		left = fmt.Sprintf("the time left for this operation (%s); raise the resource's timeouts or try later", seconds(e.Left))
	} else {
		left = fmt.Sprintf("what the client still waits for one call (%s of %s); try later", seconds(e.Left), seconds(maxRetryAfter))
	}
	return fmt.Sprintf("wechatpay: %s %s: %s asked to wait %s (Retry-After) before trying again, which exceeds %s. Last answer: %v",
		e.Method, e.Path, who, seconds(e.Wait), left, e.Err)
}

func (e *RetryWaitError) Unwrap() error { return e.Err }

// seconds spells d in whole seconds, rounded up, as "90 s".
func seconds(d time.Duration) string {
	return fmt.Sprintf("%d s", int64(math.Ceil(d.Seconds())))
}

// IsNotFound reports whether err says that the object a call looked for does not exist: WeChat
// Pay's own answer for that, a well-formed WeChat Pay error (see APIError) that the called API
// documents for it (goneAnswers), or a NotFoundError, the client's conclusion from answers it
// verified. Resources drop an object from the state, and deletes count as done, on this alone,
// so nothing else qualifies: a 404 from a proxy, a gateway or a wrong endpoint, or an error of an
// API that documents no such answer, stays an error.
func IsNotFound(err error) bool {
	var ae *APIError
	var nf *NotFoundError
	return (errors.As(err, &ae) && ae.saysGone()) || errors.As(err, &nf)
}

// NotFoundError is the client's conclusion that an object does not exist, drawn from verified
// answers: a filtered list that does not show it, a record that shows it terminated, or two
// readings in a row of a member list without it. IsNotFound is true for it.
type NotFoundError struct {
	Object string // what was looked for, as WeChat Pay names it
	Reason string // what the answers showed
}

func (e *NotFoundError) Error() string {
	return "wechatpay: " + e.Object + " not found: " + e.Reason
}

// goneAnswer is an error answer that means "no such object": its status, its code and, where
// the code alone is ambiguous, a part of its message ("" = any message).
type goneAnswer struct {
	status  int
	code    string
	message string
}

// goneAnswers lists, per API (Request.API), every answer that says the object the call names
// does not exist. An API not listed has none: its errors never make an object look gone.
//
// Where the docs leave the answer open, every plausible reading belongs here, each with its
// source, so that the provider converges whichever one WeChat Pay uses; a reading that is only
// a guess must be narrow (code and message), since a wrong entry makes Terraform forget a live
// object or report a delete that did not happen.
var goneAnswers = map[string][]goneAnswer{
	// Pay-gift pages (seed paygift-delete-activity-merchants) list two answers for an activity
	// WeChat Pay does not know, without saying which one it gives: 404 RESOURCE_NOT_EXISTS
	// "资源不存在或无可用", and 400 INVALID_REQUEST "查询活动详情结果为空,请确认活动ID是否正确"
	// (the activity's details are empty: check the activity id). Any other 400 stays an error.
	apiActivity:                activityGone,
	apiActivityMerchants:       activityGone,
	apiActivityMerchantsAdd:    activityGone,
	apiActivityMerchantsDelete: activityGone,
	// The list answers an error when nothing matches, without naming it: 404
	// RESOURCE_NOT_EXISTS, the partnership pages' documented "资源不存在或无可用", or 400
	// INVALID_REQUEST with the build page's description of a business-rule refusal
	// ("请求参数符合参数格式,但不符合业务规则"): a filtered read breaks no other business rule known.
	// An empty 200 needs no entry. A wrong conclusion here costs little: Terraform plans to
	// build the partnership, and a build of one that exists answers it without a change.
	apiPartnerships: {
		{http.StatusNotFound, codeResourceNotExists, ""},
		{http.StatusBadRequest, "INVALID_REQUEST", msgBusinessRule},
	},
	// Terminate of a partnership that does not exist: the family's 404 RESOURCE_NOT_EXISTS. A
	// refusal of one already terminated has no documented text; TerminatePartnership confirms
	// it with a read instead (never on a message alone).
	apiPartnershipTerminate: {{http.StatusNotFound, codeResourceNotExists, ""}},
}

var activityGone = []goneAnswer{
	{http.StatusNotFound, codeResourceNotExists, ""},
	{http.StatusBadRequest, "INVALID_REQUEST", "查询活动详情结果为空"},
}

// msgBusinessRule is the partnership build page's description of 400 INVALID_REQUEST: the
// request is well formed but breaks a business rule.
const msgBusinessRule = "请求参数符合参数格式,但不符合业务规则"

const codeResourceNotExists = "RESOURCE_NOT_EXISTS"

// saysGone reports whether e is one of its API's answers for an object that does not exist.
func (e *APIError) saysGone() bool {
	if !e.WellFormed {
		return false
	}
	for _, g := range goneAnswers[e.API] {
		if e.StatusCode == g.status && e.Code == g.code && strings.Contains(e.Message, g.message) {
			return true
		}
	}
	return false
}

// IsRateLimited reports whether err is the server refusing a call for
// exceeding a rate limit (429, or gold plan's 400 "命中频率限制").
func IsRateLimited(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.rateLimited()
}

// IsTransient reports whether err is worth trying again later: network
// failures, timeouts, 5xx, rate limits, pay-gift's "change in progress" and
// the gold plan's "操作失败" (operation failed, retry later).
// A VerificationError or a CertificateError is never transient.
func IsTransient(err error) bool {
	var ve *VerificationError
	var ce *CertificateError
	if errors.As(err, &ve) || errors.As(err, &ce) {
		return false
	}
	var ne *NetworkError
	if errors.As(err, &ne) {
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.transient()
	}
	return false
}

// IsUntrustedAnswer reports whether err leaves a call without an answer from WeChat Pay the
// client could use: none came (retries used up, the caller's deadline; a NetworkError), the one
// that came failed verification (VerificationError) or could not be decoded, or the last one
// came from something in between (a proxy's or gateway's page, not WellFormed), which cannot
// say whether an earlier attempt reached WeChat Pay. A call that changes something may then have
// been applied, and only a look-up tells. WeChat Pay's own error answer (also inside a
// RetryWaitError or an ActivityNotRunningError) is taken at its word: the call was refused.
func IsUntrustedAnswer(err error) bool {
	var ae *APIError
	return err != nil && (!errors.As(err, &ae) || !ae.WellFormed)
}

// HasCode reports whether err is an APIError with the given code. Callers decide on ReasonOf;
// this is for answers no Reason describes.
func HasCode(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

// MessageContains reports whether err is an APIError whose message contains s. Callers decide on
// ReasonOf; this is for answers no Reason describes.
func MessageContains(err error, s string) bool {
	var ae *APIError
	return errors.As(err, &ae) && strings.Contains(ae.Message, s)
}

func (e *APIError) rateLimited() bool {
	if e.StatusCode == http.StatusTooManyRequests {
		return true
	}
	return e.StatusCode == http.StatusBadRequest && e.Code == "INVALID_REQUEST" && e.reason() == ReasonRateLimited
}

func (e *APIError) transient() bool {
	switch {
	case e.StatusCode >= 500:
		return true
	case e.rateLimited():
		return true
	case e.StatusCode == http.StatusBadRequest && strings.HasPrefix(e.Path, goldPlanPaths):
		// The gold plan page: "400 | INVALID_REQUEST | 操作失败 | 操作失败，请稍后重试" (retry
		// later). Its writes set a state, so sending one again is safe.
		return e.reason() == ReasonOperationFailed
	case e.StatusCode == http.StatusForbidden:
		r := e.reason()
		return r == ReasonChangeInProgress || r == ReasonConcurrentChange
	}
	return false
}

// parseAPIError builds an APIError from an error answer and decides whether it is a
// well-formed WeChat Pay error. Bodies that are not the documented JSON (a proxy's HTML page,
// an empty 502) still give a useful message: a trimmed snippet of the body.
func parseAPIError(status int, header http.Header, body []byte) *APIError {
	e := &APIError{StatusCode: status, RequestID: strings.TrimSpace(header.Get("Request-ID"))}
	var wire struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	decodeErr := json.Unmarshal(body, &wire)
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		e.malformed = "empty body"
	case decodeErr != nil:
		e.malformed = "body is not a JSON object"
	case wire.Code == "" || wire.Message == "":
		e.malformed = "JSON without a code and a message"
	case e.RequestID == "":
		e.malformed = "no Request-ID header"
	}
	e.WellFormed = e.malformed == ""
	if decodeErr == nil && (wire.Code != "" || wire.Message != "") {
		e.Code, e.Message = wire.Code, wire.Message
		if len(wire.Detail) > 0 && string(wire.Detail) != "null" {
			e.Detail = wire.Detail
		}
		return e
	}
	e.Message = snippet(body, 200)
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// snippet collapses whitespace and cuts s to at most n bytes on a rune boundary.
func snippet(b []byte, n int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
