package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Key modes for Options.DefaultMode: which key signs an answer when the request's
// Wechatpay-Serial names no key the emulator knows.
const (
	ModePublicKey   = "public_key"
	ModeCertificate = "certificate"
)

// Options configures New.
type Options struct {
	Keys *Keys
	// Now is the base of the business clock (recorded times, the 24 h reopen rule); default
	// time.Now. Signature windows and answer timestamps always use the real clock, since the
	// caller checks them against its own.
	Now         func() time.Time
	DefaultMode string // ModePublicKey (default) or ModeCertificate
	// RandSeed makes Fault.Fraction decisions reproducible; 0 picks 1.
	RandSeed int64
}

// Server is an http.Handler serving /v3/… (the WeChat Pay API) and /_emulator/… (control).
type Server struct {
	keys        *Keys
	baseNow     func() time.Time
	defaultMode string
	merchantPub *rsa.PublicKey
	certPEM     []byte

	done      chan struct{}
	closeOnce sync.Once

	clockOffset atomic.Int64 // nanoseconds added to baseNow by AdvanceClock
	reqSeq      atomic.Uint64

	mu sync.Mutex // guards w
	w  *world

	nonces nonceCache
	log    callLog
	faults faultSet
	limits limitSet
}

// New builds a server with the default state (caller role CHANNEL_PARTNER, gold plan enabled,
// receipt link configured, nothing seeded). It panics without Keys: that is a programming error.
func New(opts Options) *Server {
	if opts.Keys == nil {
		panic("emulator: Options.Keys is required")
	}
	s := &Server{
		keys:        opts.Keys,
		baseNow:     opts.Now,
		defaultMode: opts.DefaultMode,
		merchantPub: &opts.Keys.MerchantKey.PublicKey,
		certPEM:     opts.Keys.PlatformCertPEM(),
		done:        make(chan struct{}),
		w:           newWorld(),
	}
	if s.baseNow == nil {
		s.baseNow = time.Now
	}
	if s.defaultMode != ModeCertificate {
		s.defaultMode = ModePublicKey
	}
	s.nonces.init()
	s.log.init()
	seed := opts.RandSeed
	if seed == 0 {
		seed = 1
	}
	s.faults.init(seed)
	return s
}

// Keys returns the identity the server was built with.
func (s *Server) Keys() *Keys { return s.keys }

// Close releases requests held by "timeout" faults; the server keeps answering afterwards.
func (s *Server) Close() { s.closeOnce.Do(func() { close(s.done) }) }

// Now is the business clock: Options.Now plus every AdvanceClock.
func (s *Server) Now() time.Time {
	return s.baseNow().Add(time.Duration(s.clockOffset.Load()))
}

// AdvanceClock moves the business clock only; signature windows keep using real time.
func (s *Server) AdvanceClock(d time.Duration) { s.clockOffset.Add(int64(d)) }

var cst = time.FixedZone("CST", 8*3600)

// wxTime spells a time as WeChat Pay answers do: RFC 3339 in +08:00.
func wxTime(t time.Time) string { return t.In(cst).Format("2006-01-02T15:04:05+08:00") }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_emulator" || strings.HasPrefix(r.URL.Path, "/_emulator/"):
		s.serveControl(w, r)
	case strings.HasPrefix(r.URL.Path, "/v3/"):
		s.serveAPI(w, r)
	default:
		w.Header().Set("Request-ID", s.newRequestID())
		writeJSON(w, http.StatusNotFound, errorBody{Code: "NOT_FOUND", Message: "请求的资源不存在"})
	}
}

// result is what a handler decided; serveAPI turns it into bytes on the wire.
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

func invalidRequest(message string) result {
	return fail(http.StatusBadRequest, "INVALID_REQUEST", message, nil)
}

func okJSON(v any) result {
	b, err := json.Marshal(v)
	if err != nil {
		return fail(http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误", nil)
	}
	return result{status: http.StatusOK, body: b}
}

func noContent() result { return result{status: http.StatusNoContent} }

// exchange is one /v3 call on its way through serveAPI.
type exchange struct {
	r         *http.Request
	body      []byte
	params    map[string]string
	requestNo string // add/delete_request_no or Idempotency-Key, for the call log
}

const maxBody = 1 << 20

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	reqID := s.newRequestID()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	call := Call{Time: s.Now(), Host: r.Host, Method: r.Method, Path: r.URL.Path,
		RawQuery: r.URL.RawQuery, Body: string(body)}
	if err != nil || len(body) > maxBody {
		s.answer(w, r, reqID, &call, invalidRequest("HTTP 请求不符合微信支付 APIv3 接口规则"), nil)
		return
	}
	if res, bad := checkHeaders(r, body); bad {
		s.answer(w, r, reqID, &call, res, nil)
		return
	}
	nonce, res, bad := s.verifyRequest(r, body)
	call.Nonce = nonce
	if bad {
		s.answer(w, r, reqID, &call, res, nil)
		return
	}
	rt, params, res, bad := matchRoute(r.Method, r.URL.Path)
	if bad {
		s.answer(w, r, reqID, &call, res, nil)
		return
	}
	if res, bad := s.limits.check(r.URL.Path); bad {
		s.answer(w, r, reqID, &call, res, nil)
		return
	}
	f := s.faults.pick(r.Method, r.URL.Path)
	if f != nil {
		call.Fault = f.Kind
		switch f.Kind {
		case FaultStatus:
			s.answer(w, r, reqID, &call, f.statusResult(), nil)
			return
		case FaultReset:
			s.log.add(call)
			abortConnection(w)
			return
		case FaultTimeout:
			s.hold(r, f.Latency, 10*time.Minute)
			s.log.add(call)
			abortConnection(w)
			return
		case FaultLatency:
			if !s.hold(r, f.Latency, f.Latency) {
				// The caller gave up while waiting: nothing is applied, as on a real timeout.
				s.log.add(call)
				abortConnection(w)
				return
			}
		}
	}
	ex := &exchange{r: r, body: body, params: params}
	res = rt.handle(s, ex)
	call.RequestNo = ex.requestNo
	if f != nil && f.Kind == FaultDropAfterApply {
		call.Status, call.Code, call.Applied = 0, "", res.applied
		s.log.add(call)
		abortConnection(w)
		return
	}
	s.answer(w, r, reqID, &call, res, f)
}

// hold waits d (or, when d is 0, up to limit) unless the caller or Close ends it first; it
// reports whether the full wait elapsed.
func (s *Server) hold(r *http.Request, d, limit time.Duration) bool {
	if d <= 0 {
		d = limit
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

// abortConnection closes the connection without an answer, so the caller sees a network error.
func abortConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// answer writes res, signing 2xx answers (and corrupting them as fault f says), and logs the call.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, reqID string, call *Call, res result, f *Fault) {
	call.Status, call.Applied = res.status, res.applied
	if res.status >= 300 {
		call.Code = res.code
	}
	h := w.Header()
	h.Set("Request-ID", reqID)
	body := res.body
	status := res.status
	if status >= 200 && status < 300 {
		if f != nil && f.Kind == FaultGarbledBody {
			body = []byte(`{"code":"OK","data":[{"unterminated`)
			if status == http.StatusNoContent {
				status = http.StatusOK
			}
		}
		s.signAnswer(h, r, body, f)
	}
	s.log.add(*call)
	if len(body) > 0 {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = w.Write(body)
	}
}

func (s *Server) newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%016X%s%08X", time.Now().UnixNano(), strings.ToUpper(hex.EncodeToString(b[:])), s.reqSeq.Add(1))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"SYSTEM_ERROR","message":"系统错误"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
