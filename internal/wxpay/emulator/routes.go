package emulator

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

type route struct {
	method  string
	pattern []string // path segments; "{name}" captures one
	handle  func(*Server, *exchange) result
}

func newRoute(method, pattern string, h func(*Server, *exchange) result) route {
	return route{method: method, pattern: strings.Split(strings.TrimPrefix(pattern, "/"), "/"), handle: h}
}

var routes = []route{
	newRoute(http.MethodGet, "/v3/certificates", handleCertificates),
	newRoute(http.MethodPost, "/v3/goldplan/merchants/changegoldplanstatus", handleGoldPlanStatus),
	newRoute(http.MethodPost, "/v3/goldplan/merchants/changecustompagestatus", handleCustomPageStatus),
	newRoute(http.MethodPost, "/v3/goldplan/merchants/set-advertising-industry-filter", handleSetIndustryFilter),
	newRoute(http.MethodPatch, "/v3/goldplan/merchants/open-advertising-show", handleOpenAdvertising),
	newRoute(http.MethodPost, "/v3/goldplan/merchants/close-advertising-show", handleCloseAdvertising),
	newRoute(http.MethodPost, "/v3/marketing/paygiftactivity/activities/{activity_id}/merchants/add", handleAddMerchants),
	newRoute(http.MethodPost, "/v3/marketing/paygiftactivity/activities/{activity_id}/merchants/delete", handleDeleteMerchants),
	newRoute(http.MethodGet, "/v3/marketing/paygiftactivity/activities/{activity_id}/merchants", handleListMerchants),
	newRoute(http.MethodGet, "/v3/marketing/paygiftactivity/activities/{activity_id}", handleGetActivity),
	newRoute(http.MethodPost, "/v3/marketing/partnerships/build", handleBuildPartnership),
	newRoute(http.MethodPost, "/v3/marketing/partnerships/terminate", handleTerminatePartnership),
	newRoute(http.MethodGet, "/v3/marketing/partnerships", handleListPartnerships),
	newRoute(http.MethodGet, "/v3/apply4subject/applyment/merchants/{sub_mchid}/state", handleAuthorizeState),
}

// matchRoute finds the handler; a known path with another method is 405 (a PATCH path
// called with POST is a classic client bug worth a precise answer).
func matchRoute(method, path string) (*route, map[string]string, result, bool) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	pathKnown := false
	for i := range routes {
		rt := &routes[i]
		params, ok := matchSegments(rt.pattern, segs)
		if !ok {
			continue
		}
		if rt.method != method {
			pathKnown = true
			continue
		}
		return rt, params, result{}, false
	}
	if pathKnown {
		return nil, nil, fail(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "请求方法不被允许: "+method, nil), true
	}
	return nil, nil, fail(http.StatusNotFound, "NOT_FOUND", "请求的资源不存在", nil), true
}

func matchSegments(pattern, segs []string) (map[string]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var params map[string]string
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") {
			if segs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[p[1:len(p)-1]] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return params, true
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

func lenBetween(s string, lo, hi int) bool {
	n := utf8.RuneCountInString(s)
	return n >= lo && n <= hi
}

// requestNoChars is the charset WeChat Pay allows in request numbers and Idempotency-Key.
var requestNoChars = regexp.MustCompile(`^[A-Za-z0-9|_*\-]+$`)

// queryInt reads an optional integer query parameter.
func queryInt(ex *exchange, name string, def int) (int, result, bool) {
	v := ex.r.URL.Query().Get(name)
	if v == "" {
		return def, result{}, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fail(http.StatusBadRequest, "PARAM_ERROR", "参数错误: "+name+" is not an integer",
			fieldDetail{Field: name, Value: v, Issue: "is not an integer", Location: "query"}), true
	}
	return n, result{}, false
}

func queryError(field, value, issue string) result {
	return fail(http.StatusBadRequest, "PARAM_ERROR", "参数错误: "+field+" "+issue,
		fieldDetail{Field: field, Value: value, Issue: issue, Location: "query"})
}

type encryptedCertificate struct {
	Algorithm      string `json:"algorithm"`
	Nonce          string `json:"nonce"`
	AssociatedData string `json:"associated_data"`
	Ciphertext     string `json:"ciphertext"`
}

type certificateItem struct {
	SerialNo           string               `json:"serial_no"`
	EffectiveTime      string               `json:"effective_time"`
	ExpireTime         string               `json:"expire_time"`
	EncryptCertificate encryptedCertificate `json:"encrypt_certificate"`
}

// handleCertificates serves the platform certificate encrypted with the APIv3 key, a fresh
// nonce per answer.
func handleCertificates(s *Server, _ *exchange) result {
	block, err := aes.NewCipher([]byte(s.keys.APIv3Key))
	if err != nil {
		return fail(http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误", nil)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return fail(http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误", nil)
	}
	nonce := randomAlnum(12)
	const aad = "certificate"
	ct := gcm.Seal(nil, []byte(nonce), s.certPEM, []byte(aad))
	c := s.keys.PlatformCert
	return okJSON(map[string][]certificateItem{"data": {{
		SerialNo:      s.keys.PlatformSerial,
		EffectiveTime: wxTime(c.NotBefore),
		ExpireTime:    wxTime(c.NotAfter),
		EncryptCertificate: encryptedCertificate{Algorithm: "AEAD_AES_256_GCM", Nonce: nonce,
			AssociatedData: aad, Ciphertext: base64.StdEncoding.EncodeToString(ct)},
	}}})
}

func handleAuthorizeState(s *Server, ex *exchange) result {
	sub := ex.params["sub_mchid"]
	s.mu.Lock()
	defer s.mu.Unlock()
	if role := s.w.callerRole; role != RoleChannelPartner && role != RoleInstitution {
		return fail(http.StatusBadRequest, "PARAM_ERROR", "只能由从业机构或渠道商调用该接口", nil)
	}
	sm := s.w.subs[sub]
	if sm == nil {
		return fail(http.StatusBadRequest, "MCH_NOT_EXISTS", "商户号不存在", nil)
	}
	if !s.isCaller(sm.Owner) {
		return fail(http.StatusForbidden, "NO_AUTH", "无权限查询该商户", nil)
	}
	state := sm.AuthorizeState
	if state == "" {
		state = AuthorizeStateUnauthorized
	}
	return okJSON(map[string]string{"authorize_state": state})
}
