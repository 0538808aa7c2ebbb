package emulator

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
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
	// Dialects picks how the emulator behaves where WeChat Pay's pages leave it open (see
	// doc.go); unset ones keep their default. Reset comes back to these.
	Dialects map[string]string
}

// Server is an http.Handler serving /v3/… (the WeChat Pay API) and /_emulator/… (control).
type Server struct {
	keys        *Keys
	baseNow     func() time.Time
	defaultMode string
	callerAuth  map[string]callerAuth // by mchid
	certPEM     []byte
	mux         *http.ServeMux

	startDialects map[string]string // what Reset brings back
	dialectMu     sync.Mutex        // serializes dialect writers; readers load the pointer
	dialects      atomic.Pointer[map[string]string]

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

// New builds a server with the default state (every caller of Keys with its role, gold plan
// enabled, receipt link configured, nothing seeded). It panics without Keys or with an unknown
// dialect: those are programming errors.
func New(opts Options) *Server {
	if opts.Keys == nil {
		panic("emulator: Options.Keys is required")
	}
	if err := CheckDialects(opts.Dialects); err != nil {
		panic("emulator: Options.Dialects: " + err.Error())
	}
	s := &Server{
		keys:          opts.Keys,
		baseNow:       opts.Now,
		defaultMode:   opts.DefaultMode,
		callerAuth:    callerAuths(opts.Keys),
		certPEM:       opts.Keys.PlatformCertPEM(),
		done:          make(chan struct{}),
		w:             newWorld(opts.Keys),
		startDialects: overlay(defaultDialects(), opts.Dialects),
	}
	start := maps.Clone(s.startDialects)
	s.dialects.Store(&start)
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
	s.mux = s.routes()
	return s
}

// routes lists every WeChat Pay API the emulator serves, then the control API.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	api := newRouteSet(mux, s.serveAPI("", methodNotAllowed))
	for _, rt := range []struct {
		pattern string
		family  *family // callers.go; nil: any caller
		handle  func(*exchange) result
	}{
		{"GET /v3/certificates", nil, s.handleCertificates},
		{"POST /v3/goldplan/merchants/changegoldplanstatus", familyGoldPlan, s.handleGoldPlanStatus},
		{"POST /v3/goldplan/merchants/changecustompagestatus", familyGoldPlan, s.handleCustomPageStatus},
		{"POST /v3/goldplan/merchants/set-advertising-industry-filter", familyGoldPlan, s.handleSetIndustryFilter},
		{"PATCH /v3/goldplan/merchants/open-advertising-show", familyGoldPlan, s.handleOpenAdvertising},
		{"POST /v3/goldplan/merchants/close-advertising-show", familyGoldPlan, s.handleCloseAdvertising},
		{"POST /v3/marketing/paygiftactivity/activities/{activity_id}/merchants/add", familyPayGift, s.handleAddMerchants},
		{"POST /v3/marketing/paygiftactivity/activities/{activity_id}/merchants/delete", familyPayGift, s.handleDeleteMerchants},
		{"GET /v3/marketing/paygiftactivity/activities/{activity_id}/merchants", familyPayGift, s.handleListMerchants},
		{"GET /v3/marketing/paygiftactivity/activities/{activity_id}", familyPayGift, s.handleGetActivity},
		{"POST /v3/marketing/partnerships/build", familyPartnerships, s.handleBuildPartnership},
		{"POST /v3/marketing/partnerships/terminate", familyPartnerships, s.handleTerminatePartnership},
		{"GET /v3/marketing/partnerships", familyPartnerships, s.handleListPartnerships},
		{"GET /v3/apply4subject/applyment/merchants/{sub_mchid}/state", familyApply4Subject, s.handleAuthorizeState},
	} {
		method, _, _ := strings.Cut(rt.pattern, " ")
		api.handle(rt.pattern, s.serveAPI(method, s.roleChecked(rt.family, rt.handle)))
	}
	mux.Handle("/v3/", s.serveAPI("", pathNotFound))
	s.controlRoutes(mux)
	mux.HandleFunc("/", s.serveNotFound)
	mux.HandleFunc("/v3", s.serveNotFound) // else ServeMux redirects it to /v3/
	return mux
}

// routeSet registers "METHOD /path" patterns and answers every other method of a registered
// path with refuse, so that ServeMux never writes its own text/plain 405.
type routeSet struct {
	mux    *http.ServeMux
	refuse http.Handler
	paths  map[string]bool
}

func newRouteSet(mux *http.ServeMux, refuse http.Handler) *routeSet {
	return &routeSet{mux: mux, refuse: refuse, paths: map[string]bool{}}
}

func (rs *routeSet) handle(pattern string, h http.Handler) {
	rs.mux.Handle(pattern, h)
	if _, path, _ := strings.Cut(pattern, " "); !rs.paths[path] {
		rs.paths[path] = true
		rs.mux.Handle(path, rs.refuse)
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if routable(r.URL) {
		s.mux.ServeHTTP(w, r)
		return
	}
	// ServeMux would redirect this path; answer it as an unknown path of its area instead.
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/v3/"):
		s.serveAPI("", pathNotFound).ServeHTTP(w, r)
	case p == "/_emulator" || strings.HasPrefix(p, "/_emulator/"):
		guardControl(http.HandlerFunc(controlNotFound)).ServeHTTP(w, r)
	default:
		s.serveNotFound(w, r)
	}
}

// routable reports whether ServeMux may see a path: it redirects one with empty, "." or ".."
// segments to the cleaned path (a signed request must never be re-sent elsewhere), and it
// matches an encoded "/" inside one segment, where WeChat Pay ids never hold one.
func routable(u *url.URL) bool {
	if !strings.HasPrefix(u.Path, "/") || strings.Contains(strings.ToLower(u.EscapedPath()), "%2f") {
		return false
	}
	segs := strings.Split(u.Path[1:], "/")
	for i, seg := range segs {
		if seg == "." || seg == ".." || (seg == "" && i < len(segs)-1) {
			return false
		}
	}
	return true
}

// serveNotFound answers paths outside both APIs, without checks and without a call log entry.
func (s *Server) serveNotFound(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Request-ID", s.newRequestID())
	writeJSON(w, http.StatusNotFound, errorBody{Code: "NOT_FOUND", Message: "请求的资源不存在"})
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

// wxTime spells a time as WeChat Pay answers do: RFC 3339 in +08:00, with milliseconds under
// time-format=millis as in the pages' examples (2015-05-20T13:29:35.120+08:00).
func (s *Server) wxTime(t time.Time) string {
	if s.dialect(DialectTimeFormat) == "millis" {
		return t.In(cst).Format("2006-01-02T15:04:05.000+08:00")
	}
	return t.In(cst).Format("2006-01-02T15:04:05+08:00")
}
