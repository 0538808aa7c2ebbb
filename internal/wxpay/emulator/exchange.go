package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// exchange is one /v3 call as a handler sees it: the request, its body, the caller whose
// signature it carries, and the request number the handler found (for the call log).
type exchange struct {
	r         *http.Request
	body      []byte
	caller    string // mchid
	requestNo string // add/delete_request_no or Idempotency-Key
}

// result is what a handler decided; answer turns it into bytes on the wire.
type result struct {
	status  int
	body    []byte // nil: no body (204)
	code    string // error code for non-2xx
	applied bool   // the call changed state
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Detail  any    `json:"detail,omitempty"`
}

type fieldDetail struct {
	Field    string `json:"field"`
	Value    string `json:"value"`
	Issue    string `json:"issue"`
	Location string `json:"location"`
}

func fail(status int, code, message string, detail any) result {
	b, _ := json.Marshal(errorBody{Code: code, Message: message, Detail: detail})
	return result{status: status, body: b, code: code}
}

func paramError(field, issue string) result {
	return fail(http.StatusBadRequest, "PARAM_ERROR", "参数错误: "+field+" "+issue,
		fieldDetail{Field: field, Issue: issue, Location: "body"})
}

func queryError(field, value, issue string) result {
	return fail(http.StatusBadRequest, "PARAM_ERROR", "参数错误: "+field+" "+issue,
		fieldDetail{Field: field, Value: value, Issue: issue, Location: "query"})
}

func invalidRequest(message string) result {
	return fail(http.StatusBadRequest, "INVALID_REQUEST", message, nil)
}

func systemError() result {
	return fail(http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误", nil)
}

func okJSON(v any) result {
	b, err := json.Marshal(v)
	if err != nil {
		return systemError()
	}
	return result{status: http.StatusOK, body: b}
}

func noContent() result { return result{status: http.StatusNoContent} }

func (r result) withApplied(applied bool) result {
	r.applied = applied
	return r
}

// decodeBody reads the JSON body: broken JSON is a malformed request, a wrong type a bad field.
func decodeBody(ex *exchange, v any) (result, bool) {
	err := json.Unmarshal(ex.body, v)
	if err == nil {
		return result{}, false
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return paramError(te.Field, "has the wrong JSON type"), true
	}
	return fail(http.StatusBadRequest, "INVALID_REQUEST", msgBadRequest,
		fieldDetail{Field: "body", Issue: "body is not valid JSON", Location: "body"}), true
}

// queryInt reads an optional integer query parameter.
func queryInt(ex *exchange, name string, def int) (int, result, bool) {
	v := ex.r.URL.Query().Get(name)
	if v == "" {
		return def, result{}, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, queryError(name, v, "is not an integer"), true
	}
	return n, result{}, false
}

// queryPage reads offset (>= 0, default 0) and limit (1..most, default def).
func queryPage(ex *exchange, def, most int) (offset, limit int, res result, bad bool) {
	if offset, res, bad = queryInt(ex, "offset", 0); bad {
		return 0, 0, res, true
	}
	if limit, res, bad = queryInt(ex, "limit", def); bad {
		return 0, 0, res, true
	}
	q := ex.r.URL.Query()
	if offset < 0 {
		return 0, 0, queryError("offset", q.Get("offset"), "must not be negative"), true
	}
	if limit < 1 || limit > most {
		return 0, 0, queryError("limit", q.Get("limit"), "must be 1 to "+strconv.Itoa(most)), true
	}
	return offset, limit, result{}, false
}

// page returns the items a page of offset and limit holds.
func page[T any](items []T, offset, limit int) []T {
	if offset >= len(items) {
		return nil
	}
	return items[offset:min(len(items), offset+limit)]
}

func lenBetween(s string, lo, hi int) bool {
	n := utf8.RuneCountInString(s)
	return n >= lo && n <= hi
}

// requestNoChars is the charset WeChat Pay allows in request numbers and Idempotency-Key.
var requestNoChars = regexp.MustCompile(`^[A-Za-z0-9|_*\-]+$`)
