package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault kinds.
const (
	FaultStatus          = "status"           // answer Status/Code/Message, nothing applied
	FaultLatency         = "latency"          // wait Latency, then answer normally
	FaultReset           = "reset"            // close the connection before doing anything
	FaultDropAfterApply  = "drop_after_apply" // apply the change, then close the connection
	FaultTimeout         = "timeout"          // hold until the caller gives up (or Latency), nothing applied
	FaultTamperSignature = "tamper_signature" // 2xx with a signature that does not verify
	FaultStaleTimestamp  = "stale_timestamp"  // 2xx signed with a timestamp 10 minutes old
	FaultUnknownSerial   = "unknown_serial"   // 2xx whose Wechatpay-Serial names no known key
	FaultGarbledBody     = "garbled_body"     // 2xx with invalid JSON, correctly signed
	FaultSignTest        = "signtest"         // 2xx with a WECHATPAY/SIGNTEST/ probe signature

	// Answers that do not come from WeChat Pay, as a proxy, a gateway or a wrong endpoint sends
	// them: Status (default 404), no Request-ID, nothing applied.
	FaultProxyHTML  = "proxy_html"  // an HTML error page
	FaultProxyEmpty = "proxy_empty" // an empty body
	FaultProxyJSON  = "proxy_json"  // JSON in the gateway's own shape, without code and message
	// FaultOperationFailed answers the gold plan page's 400 INVALID_REQUEST "操作失败" (retry
	// later; spelled as error-texts says unless Message is set), nothing applied.
	FaultOperationFailed = "operation_failed"
)

var faultKinds = map[string]bool{FaultStatus: true, FaultLatency: true, FaultReset: true,
	FaultDropAfterApply: true, FaultTimeout: true, FaultTamperSignature: true,
	FaultStaleTimestamp: true, FaultUnknownSerial: true, FaultGarbledBody: true, FaultSignTest: true,
	FaultProxyHTML: true, FaultProxyEmpty: true, FaultProxyJSON: true, FaultOperationFailed: true}

// Fault makes matching /v3 calls misbehave. Faults apply only to calls that passed header
// and signature checks and the QPS limits; when several match, the earliest injected that
// fires wins, one fault per call.
type Fault struct {
	Method   string        `json:"method,omitempty"` // "" = any
	Path     string        `json:"path,omitempty"`   // prefix of the URL path; "" = any /v3 path
	Kind     string        `json:"kind"`
	Status   int           `json:"status,omitempty"`  // for "status"; default 500
	Code     string        `json:"code,omitempty"`    // for "status"; default SYSTEM_ERROR
	Message  string        `json:"message,omitempty"` // for "status" and "operation_failed"
	Latency  time.Duration `json:"-"`                 // for "latency" / "timeout"
	Count    int           `json:"count,omitempty"`   // next N matching calls; 0 = every one
	Fraction float64       `json:"fraction,omitempty"`
}

// MarshalJSON spells Latency as a Go duration string.
func (f Fault) MarshalJSON() ([]byte, error) {
	type plain Fault
	out := struct {
		plain
		Latency string `json:"latency,omitempty"`
	}{plain: plain(f)}
	if f.Latency > 0 {
		out.Latency = f.Latency.String()
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads Latency as a Go duration string.
func (f *Fault) UnmarshalJSON(b []byte) error {
	type plain Fault
	var in struct {
		plain
		Latency string `json:"latency,omitempty"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*f = Fault(in.plain)
	if in.Latency != "" {
		d, err := time.ParseDuration(in.Latency)
		if err != nil {
			return fmt.Errorf("latency: %w", err)
		}
		f.Latency = d
	}
	return nil
}

func (f *Fault) validate() error {
	if !faultKinds[f.Kind] {
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if f.Count < 0 || f.Fraction < 0 || f.Fraction > 1 || f.Latency < 0 {
		return fmt.Errorf("count, fraction (0..1) and latency must not be negative")
	}
	if f.Kind == FaultLatency && f.Latency == 0 {
		return fmt.Errorf("latency fault needs a latency")
	}
	return nil
}

// faultBeforeHandler acts out the fault kinds that strike before the handler runs; it
// reports whether the call is over (answered or cut off).
func (s *Server) faultBeforeHandler(w http.ResponseWriter, r *http.Request, reqID string, call *Call, f *Fault) bool {
	switch f.Kind {
	case FaultStatus:
		s.answer(w, r, reqID, call, f.statusResult(), nil)
		return true
	case FaultProxyHTML, FaultProxyEmpty, FaultProxyJSON:
		call.Status = f.proxyStatus()
		s.log.add(*call)
		f.proxyAnswer(w)
		return true
	case FaultOperationFailed:
		msg := f.Message
		if msg == "" {
			msg = s.say(msgOperationFailed)
		}
		s.answer(w, r, reqID, call, invalidRequest(msg), nil)
		return true
	case FaultReset:
		s.log.add(*call)
		abortConnection(w)
		return true
	case FaultTimeout:
		s.hold(r, f.Latency, 10*time.Minute)
		s.log.add(*call)
		abortConnection(w)
		return true
	case FaultLatency:
		if !s.hold(r, f.Latency, f.Latency) {
			// The caller gave up while waiting: nothing is applied, as on a real timeout.
			s.log.add(*call)
			abortConnection(w)
			return true
		}
	}
	return false
}

func (f *Fault) statusResult() result {
	status, code, msg := f.Status, f.Code, f.Message
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if code == "" {
		code = "SYSTEM_ERROR"
	}
	if msg == "" {
		msg = "系统繁忙,请稍后重试"
	}
	return fail(status, code, msg, nil)
}

// proxyAnswer writes the answer of a proxy fault. It is not WeChat Pay's: no Request-ID, no
// signature, and a body in the proxy's own shape.
func (f *Fault) proxyAnswer(w http.ResponseWriter) {
	status := f.proxyStatus()
	var body, contentType string
	switch f.Kind {
	case FaultProxyHTML:
		contentType = "text/html"
		body = fmt.Sprintf("<html>\r\n<head><title>%[1]d %[2]s</title></head>\r\n<body>\r\n<center><h1>%[1]d %[2]s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			status, http.StatusText(status))
	case FaultProxyJSON:
		contentType = "application/json"
		body = fmt.Sprintf(`{"error":%q,"status":%d}`, http.StatusText(status), status)
	}
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (f *Fault) proxyStatus() int {
	if f.Status == 0 {
		return http.StatusNotFound
	}
	return f.Status
}

type faultEntry struct {
	id        int
	f         Fault
	remaining int // for Count > 0
}

type faultSet struct {
	mu      sync.Mutex
	entries []*faultEntry
	nextID  int
	rng     *rand.Rand
}

func (fs *faultSet) init(seed int64) { fs.rng = rand.New(rand.NewSource(seed)) }

// pick returns a copy of the fault that fires for this call, consuming one of its Count.
func (fs *faultSet) pick(method, path string) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, e := range fs.entries {
		if e.f.Method != "" && !strings.EqualFold(e.f.Method, method) {
			continue
		}
		if !strings.HasPrefix(path, e.f.Path) {
			continue
		}
		if e.f.Fraction > 0 && fs.rng.Float64() >= e.f.Fraction {
			continue
		}
		f := e.f
		if e.f.Count > 0 {
			e.remaining--
			if e.remaining <= 0 {
				fs.entries = append(fs.entries[:i:i], fs.entries[i+1:]...)
			}
		}
		return &f
	}
	return nil
}

// InjectFault adds a fault and returns its id (for RemoveFault). An invalid fault panics in
// Go code; the control API answers 400 instead.
func (s *Server) InjectFault(f Fault) int {
	id, err := s.injectFault(f)
	if err != nil {
		panic("emulator: " + err.Error())
	}
	return id
}

func (s *Server) injectFault(f Fault) (int, error) {
	if err := f.validate(); err != nil {
		return 0, err
	}
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.nextID++
	fs.entries = append(fs.entries, &faultEntry{id: fs.nextID, f: f, remaining: f.Count})
	return fs.nextID, nil
}

// RemoveFault drops one fault; it reports whether it was still active.
func (s *Server) RemoveFault(id int) bool {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, e := range fs.entries {
		if e.id == id {
			fs.entries = append(fs.entries[:i:i], fs.entries[i+1:]...)
			return true
		}
	}
	return false
}

// ClearFaults drops every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.entries = nil
	s.faults.mu.Unlock()
}

// ActiveFault is a fault still waiting to fire, with what is left of its Count.
type ActiveFault struct {
	ID        int   `json:"id"`
	Fault     Fault `json:"fault"`
	Remaining int   `json:"remaining,omitempty"`
}

// Faults lists the active faults in the order they are tried.
func (s *Server) Faults() []ActiveFault {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]ActiveFault, 0, len(fs.entries))
	for _, e := range fs.entries {
		af := ActiveFault{ID: e.id, Fault: e.f}
		if e.f.Count > 0 {
			af.Remaining = e.remaining
		}
		out = append(out, af)
	}
	return out
}
