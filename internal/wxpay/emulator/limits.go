package emulator

import (
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"

	"golang.org/x/time/rate"
)

// limitSet holds the per-path-prefix QPS limits. Every prefix that matches a path is charged.
type limitSet struct {
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	prefixes []string // sorted, for a stable charging order
}

// SetQPSLimit limits calls whose path starts with pathPrefix to qps per second (burst
// ceil(qps), at least 1); qps <= 0 removes the limit. Calls beyond it are refused the way
// WeChat Pay does: gold plan paths with 400 INVALID_REQUEST "命中频率限制", others with
// 429 FREQUENCY_LIMITED.
func (s *Server) SetQPSLimit(pathPrefix string, qps float64) {
	ls := &s.limits
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.limiters == nil {
		ls.limiters = map[string]*rate.Limiter{}
	}
	if qps <= 0 {
		delete(ls.limiters, pathPrefix)
	} else {
		burst := int(math.Max(1, math.Ceil(qps)))
		ls.limiters[pathPrefix] = rate.NewLimiter(rate.Limit(qps), burst)
	}
	ls.prefixes = ls.prefixes[:0]
	for p := range ls.limiters {
		ls.prefixes = append(ls.prefixes, p)
	}
	sort.Strings(ls.prefixes)
}

func (ls *limitSet) clear() {
	ls.mu.Lock()
	ls.limiters, ls.prefixes = nil, nil
	ls.mu.Unlock()
}

func (ls *limitSet) check(path string) (result, bool) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	for _, p := range ls.prefixes {
		if strings.HasPrefix(path, p) && !ls.limiters[p].Allow() {
			if strings.HasPrefix(path, "/v3/goldplan/") {
				return invalidRequest("命中频率限制"), true
			}
			return fail(http.StatusTooManyRequests, "FREQUENCY_LIMITED", "频率超限", nil), true
		}
	}
	return result{}, false
}

// QPSLimits lists the limits in force, by path prefix.
func (s *Server) QPSLimits() map[string]float64 {
	ls := &s.limits
	ls.mu.Lock()
	defer ls.mu.Unlock()
	out := make(map[string]float64, len(ls.limiters))
	for p, l := range ls.limiters {
		out[p] = float64(l.Limit())
	}
	return out
}
