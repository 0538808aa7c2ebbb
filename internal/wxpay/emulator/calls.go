package emulator

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Call is one /v3 request as the emulator saw it, refused ones included.
type Call struct {
	Seq       int       `json:"seq"`
	Time      time.Time `json:"time"` // business clock
	Host      string    `json:"host"`
	Mchid     string    `json:"mchid,omitempty"` // the caller, once its signature verified
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	RawQuery  string    `json:"raw_query,omitempty"`
	Body      string    `json:"body,omitempty"`
	Status    int       `json:"status"`         // 0 when the connection was closed without an answer
	Code      string    `json:"code,omitempty"` // error code of a non-2xx answer
	Applied   bool      `json:"applied"`        // this call changed state (not a replay, not refused)
	Fault     string    `json:"fault,omitempty"`
	Nonce     string    `json:"nonce,omitempty"`
	RequestNo string    `json:"request_no,omitempty"` // add/delete_request_no or Idempotency-Key
}

// CallCounter counts calls to one METHOD path.
type CallCounter struct {
	Method  string `json:"method"`
	Path    string `json:"path"`
	Calls   int    `json:"calls"`
	Applied int    `json:"applied"`
}

// maxLoggedCalls bounds memory in long benchmarks; counters keep counting past it.
const maxLoggedCalls = 50000

type counterKey struct{ method, path string }

type callLog struct {
	mu       sync.Mutex
	seq      int
	calls    []Call
	counters map[counterKey]*CallCounter
}

func (l *callLog) init() { l.counters = map[counterKey]*CallCounter{} }

func (l *callLog) add(c Call) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	c.Seq = l.seq
	if len(l.calls) >= maxLoggedCalls {
		l.calls = append(l.calls[:0:0], l.calls[len(l.calls)-maxLoggedCalls/2:]...)
	}
	l.calls = append(l.calls, c)
	k := counterKey{c.Method, c.Path}
	ctr := l.counters[k]
	if ctr == nil {
		ctr = &CallCounter{Method: c.Method, Path: c.Path}
		l.counters[k] = ctr
	}
	ctr.Calls++
	if c.Applied {
		ctr.Applied++
	}
}

// Calls returns the call log, oldest first.
func (s *Server) Calls() []Call {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return append(make([]Call, 0, len(s.log.calls)), s.log.calls...)
}

// CountCalls counts logged calls; method "" and path "" match anything, else path is exact.
func (s *Server) CountCalls(method, path string) int {
	n, _ := s.count(method, path)
	return n
}

// CountApplied counts the calls that changed state; matching as in CountCalls.
func (s *Server) CountApplied(method, path string) int {
	_, n := s.count(method, path)
	return n
}

func (s *Server) count(method, path string) (calls, applied int) {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	for k, c := range s.log.counters {
		if (method == "" || method == k.method) && (path == "" || path == k.path) {
			calls += c.Calls
			applied += c.Applied
		}
	}
	return calls, applied
}

// CallCounters returns the counters per METHOD path.
func (s *Server) CallCounters() []CallCounter {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]CallCounter, 0, len(s.log.counters))
	for _, c := range s.log.counters {
		out = append(out, *c)
	}
	sortCounters(out)
	return out
}

// ClearCalls empties the log and the counters.
func (s *Server) ClearCalls() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.calls = nil
	s.log.counters = map[counterKey]*CallCounter{}
}

func sortCounters(cs []CallCounter) {
	slices.SortFunc(cs, func(a, b CallCounter) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
}
