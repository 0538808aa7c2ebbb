package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

const maxBody = 1 << 20

// serveAPI runs one /v3 call through the steps WeChat Pay takes, in its order: headers,
// signature, route, QPS limits, faults, the handler, the signed answer; every call is logged.
// method "" marks a refusal route (unknown path or method), which skips limits and faults.
func (s *Server) serveAPI(method string, handle func(*exchange) result) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqID := s.newRequestID()
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		call := Call{Time: s.Now(), Host: r.Host, Method: r.Method, Path: r.URL.Path,
			RawQuery: r.URL.RawQuery, Body: string(body)}
		if err != nil || len(body) > maxBody {
			s.answer(w, r, reqID, &call, invalidRequest(msgBadRequest), nil)
			return
		}
		if res, bad := checkHeaders(r, body); bad {
			s.answer(w, r, reqID, &call, res, nil)
			return
		}
		auth, res, bad := s.verifyRequest(r, body)
		call.Nonce = auth.nonce
		if bad {
			s.answer(w, r, reqID, &call, res, nil)
			return
		}
		call.Mchid = auth.mchid
		ex := &exchange{r: r, body: body, caller: auth.mchid}
		if method != "" && r.Method != method { // a GET pattern also matches HEAD
			method, handle = "", methodNotAllowed
		}
		if method == "" {
			s.answer(w, r, reqID, &call, handle(ex), nil)
			return
		}
		if res, bad := s.limits.check(r.URL.Path); bad {
			s.answer(w, r, reqID, &call, res, nil)
			return
		}
		f := s.faults.pick(r.Method, r.URL.Path)
		if f != nil {
			call.Fault = f.Kind
			if s.faultBeforeHandler(w, r, reqID, &call, f) {
				return
			}
		}
		res = handle(ex)
		call.RequestNo = ex.requestNo
		if f != nil && f.Kind == FaultDropAfterApply {
			call.Status, call.Code, call.Applied = 0, "", res.applied
			s.log.add(call)
			abortConnection(w)
			return
		}
		s.answer(w, r, reqID, &call, res, f)
	})
}

func pathNotFound(*exchange) result {
	return fail(http.StatusNotFound, "NOT_FOUND", "请求的资源不存在", nil)
}

// methodNotAllowed answers a known path called with another method (a PATCH path called
// with POST is a classic client bug worth a precise answer).
func methodNotAllowed(ex *exchange) result {
	return fail(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "请求方法不被允许: "+ex.r.Method, nil)
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

func (s *Server) newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%016X%s%08X", time.Now().UnixNano(), strings.ToUpper(hex.EncodeToString(b[:])), s.reqSeq.Add(1))
}
