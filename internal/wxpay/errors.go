package wxpay

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// APIError is a non-2xx answer from WeChat Pay. Code and Message are what the
// server sent; the same Code carries different meanings depending on Message,
// so callers match on both (HasCode, MessageContains).
type APIError struct {
	StatusCode int
	Code       string
	Message    string
	Detail     json.RawMessage
	RequestID  string
	Host       string
	Method     string
	Path       string
	Attempts   int
}

func (e *APIError) Error() string {
	var b strings.Builder
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

// IsNotFound reports whether err is an answer saying the object does not exist.
func IsNotFound(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.StatusCode == http.StatusNotFound || ae.Code == "RESOURCE_NOT_EXISTS"
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
// failures, timeouts, 5xx, rate limits and pay-gift's "change in progress".
// A VerificationError is never transient.
func IsTransient(err error) bool {
	var ve *VerificationError
	if errors.As(err, &ve) {
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

// HasCode reports whether err is an APIError with the given code.
func HasCode(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

// MessageContains reports whether err is an APIError whose message contains s.
func MessageContains(err error, s string) bool {
	var ae *APIError
	return errors.As(err, &ae) && strings.Contains(ae.Message, s)
}

const (
	msgGoldPlanRateLimit = "命中频率限制"
	msgChangeInProgress  = "上一次修改还未完成"
	msgConcurrentChange  = "并发修改"
)

func (e *APIError) rateLimited() bool {
	if e.StatusCode == http.StatusTooManyRequests {
		return true
	}
	return e.StatusCode == http.StatusBadRequest && e.Code == "INVALID_REQUEST" &&
		strings.Contains(e.Message, msgGoldPlanRateLimit)
}

func (e *APIError) transient() bool {
	switch {
	case e.StatusCode >= 500:
		return true
	case e.rateLimited():
		return true
	case e.StatusCode == http.StatusForbidden && e.Code == "RULE_LIMIT":
		return strings.Contains(e.Message, msgChangeInProgress) || strings.Contains(e.Message, msgConcurrentChange)
	}
	return false
}

// parseAPIError builds an APIError from an error answer. Bodies that are not
// the documented JSON (a proxy's HTML page, an empty 502) still give a useful
// message: a trimmed snippet of the body.
func parseAPIError(status int, body []byte) *APIError {
	e := &APIError{StatusCode: status}
	var wire struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(body, &wire); err == nil && (wire.Code != "" || wire.Message != "") {
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
