package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// controlRoutes registers the control API: plain JSON, no signature, for programs on this
// machine only (controlRefusal). Each route mirrors a Go method of *Server. Answers are JSON
// (204 when there is nothing to say); errors are {"error":"…"} with 400, 403, 404, 405 or 415.
func (s *Server) controlRoutes(mux *http.ServeMux) {
	ctl := newRouteSet(mux, guardControl(http.HandlerFunc(controlMethodNotAllowed)))
	for _, rt := range []struct {
		pattern string
		handle  controlFunc
	}{
		{"POST /_emulator/seed", withBody(s.ctlSeed)},                               // Seed (body: Seed JSON)
		{"POST /_emulator/reset", s.ctlReset},                                       // Reset
		{"GET /_emulator/state", s.ctlState},                                        // Snapshot
		{"POST /_emulator/caller-role", withBody(s.ctlCallerRole)},                  // SetCallerRole {"role"}
		{"POST /_emulator/authorize-state", withBody(s.ctlAuthorizeState)},          // SetAuthorizeState {"sub_mchid","authorize_state"}
		{"POST /_emulator/activity-status", withBody(s.ctlActivityStatus)},          // SetActivityStatus {"activity_id","status"}
		{"DELETE /_emulator/activities/{activity_id}", s.ctlRemoveActivity},         // RemoveActivity → {"removed"}
		{"POST /_emulator/activity-members", withBody(s.ctlAddActivityMember)},      // AddActivityMember {"activity_id","mchid"}
		{"DELETE /_emulator/activity-members", withBody(s.ctlRemoveActivityMember)}, // RemoveActivityMember {"activity_id","mchid"}
		{"POST /_emulator/partnerships/terminate", withBody(s.ctlTerminate)},        // TerminatePartnership {"partner","authorized_data"} → {"terminated"}
		{"GET /_emulator/goldplan/{sub_mchid}", s.ctlGoldPlan},                      // GoldPlan
		{"PUT /_emulator/goldplan", withBody(s.ctlSetGoldPlan)},                     // SetGoldPlan (body: GoldPlanState)
		{"POST /_emulator/clock/advance", withBody(s.ctlAdvanceClock)},              // AdvanceClock {"duration":"24h"} → {"clock"}
		{"GET /_emulator/faults", s.ctlFaults},                                      // Faults
		{"POST /_emulator/faults", withBody(s.ctlInjectFault)},                      // InjectFault (body: Fault, latency as "1.5s") → {"id"}
		{"DELETE /_emulator/faults", s.ctlClearFaults},                              // ClearFaults
		{"DELETE /_emulator/faults/{id}", s.ctlRemoveFault},                         // RemoveFault → {"removed"}
		{"GET /_emulator/qps", s.ctlQPSLimits},                                      // QPSLimits
		{"POST /_emulator/qps", withBody(s.ctlSetQPSLimit)},                         // SetQPSLimit {"path_prefix","qps"}
		{"GET /_emulator/dialects", s.ctlDialects},                                  // Dialects
		{"POST /_emulator/dialects", withBody(s.ctlSetDialects)},                    // SetDialects {"name":"value",…} → Dialects
		{"GET /_emulator/calls", s.ctlCalls},                                        // Calls and counters {"calls","counters","total","applied","dialects"}
		{"DELETE /_emulator/calls", s.ctlClearCalls},                                // ClearCalls
	} {
		ctl.handle(rt.pattern, guardControl(rt.handle))
	}
	mux.Handle("/_emulator/", guardControl(http.HandlerFunc(controlNotFound)))
	mux.Handle("/_emulator", guardControl(http.HandlerFunc(controlNotFound)))
}

// controlFunc is a control route: what it returns is answered as JSON (204 when nil), an
// error as a 400.
type controlFunc func(r *http.Request) (any, error)

func (h controlFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, err := h(r)
	switch {
	case err != nil:
		controlError(w, http.StatusBadRequest, err.Error())
	case v == nil:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusOK, v)
	}
}

// withBody makes a control route of h, which takes the request's JSON body.
func withBody[T any](h func(T) (any, error)) controlFunc {
	return func(r *http.Request) (any, error) {
		var in T
		body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		if err == nil {
			err = json.Unmarshal(body, &in)
		}
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		return h(in)
	}
}

// guardControl lets h answer only requests that pass controlRefusal.
func guardControl(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status, refusal := controlRefusal(r); refusal != "" {
			controlError(w, status, refusal)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// controlRefusal keeps the control API to programs on this machine; a web page in the
// user's browser is a loopback client too. A foreign Host means DNS rebinding, a foreign
// Origin a cross-site request, and JSON-only writes need a CORS preflight, never granted.
// The /v3 API serves any Host: its calls need the merchant's signature anyway.
func controlRefusal(r *http.Request) (int, string) {
	switch {
	case !isLoopback(r.RemoteAddr):
		return http.StatusForbidden, "the control API answers loopback clients only"
	case !isLoopback(r.Host):
		return http.StatusForbidden, "the control API answers only requests for 127.0.0.1, [::1] or localhost, not Host " + strconv.Quote(r.Host)
	case r.Header.Get("Origin") != "" && !isLoopbackOrigin(r.Header.Get("Origin")):
		return http.StatusForbidden, "the control API refuses requests from web pages outside this machine"
	case r.Method != http.MethodGet && r.Method != http.MethodHead && !isJSON(r.Header.Get("Content-Type")):
		return http.StatusUnsupportedMediaType, "control API writes need Content-Type: application/json"
	}
	return 0, ""
}

// isLoopback reports whether hostport (a RemoteAddr or Host, the port optional) names this
// machine: 127.0.0.0/8, ::1 or localhost.
func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isLoopbackOrigin reports whether an Origin header names a page served from this machine;
// "null" (a sandboxed or file page) does not.
func isLoopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && isLoopback(u.Host)
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func controlNotFound(w http.ResponseWriter, r *http.Request) {
	controlError(w, http.StatusNotFound, "unknown control route "+r.Method+" "+r.URL.Path)
}

func controlMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	controlError(w, http.StatusMethodNotAllowed, "control route "+r.URL.Path+" does not take "+r.Method)
}

func (s *Server) ctlSeed(seed Seed) (any, error) { return nil, s.Seed(seed) }

func (s *Server) ctlReset(*http.Request) (any, error) {
	s.Reset()
	return nil, nil
}

func (s *Server) ctlState(*http.Request) (any, error) { return s.Snapshot(), nil }

func (s *Server) ctlCallerRole(in struct {
	Role string `json:"role"`
}) (any, error) {
	if in.Role == "" || s.Seed(Seed{CallerRole: in.Role}) != nil {
		return nil, fmt.Errorf("role must be one of %s", strings.Join(roles, ", "))
	}
	return nil, nil
}

func (s *Server) ctlAuthorizeState(in struct {
	SubMchid       string `json:"sub_mchid"`
	AuthorizeState string `json:"authorize_state"`
}) (any, error) {
	if in.SubMchid == "" || (in.AuthorizeState != AuthorizeStateAuthorized && in.AuthorizeState != AuthorizeStateUnauthorized) {
		return nil, fmt.Errorf("sub_mchid and authorize_state (%s or %s) are required", AuthorizeStateAuthorized, AuthorizeStateUnauthorized)
	}
	s.SetAuthorizeState(in.SubMchid, in.AuthorizeState)
	return nil, nil
}

func (s *Server) ctlActivityStatus(in struct {
	ActivityID string `json:"activity_id"`
	Status     string `json:"status"`
}) (any, error) {
	if in.ActivityID == "" || in.Status == "" {
		return nil, errors.New("activity_id and status are required")
	}
	s.SetActivityStatus(in.ActivityID, in.Status)
	return nil, nil
}

type activityMember struct {
	ActivityID string `json:"activity_id"`
	Mchid      string `json:"mchid"`
}

func (m activityMember) check() error {
	if m.ActivityID == "" || m.Mchid == "" {
		return errors.New("activity_id and mchid are required")
	}
	return nil
}

func (s *Server) ctlRemoveActivity(r *http.Request) (any, error) {
	return map[string]bool{"removed": s.RemoveActivity(r.PathValue("activity_id"))}, nil
}

func (s *Server) ctlAddActivityMember(in activityMember) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	s.AddActivityMember(in.ActivityID, in.Mchid)
	return nil, nil
}

func (s *Server) ctlRemoveActivityMember(in activityMember) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	s.RemoveActivityMember(in.ActivityID, in.Mchid)
	return nil, nil
}

func (s *Server) ctlTerminate(in struct {
	Partner        Partner        `json:"partner"`
	AuthorizedData AuthorizedData `json:"authorized_data"`
}) (any, error) {
	return map[string]bool{"terminated": s.TerminatePartnership(in.Partner, in.AuthorizedData)}, nil
}

func (s *Server) ctlGoldPlan(r *http.Request) (any, error) {
	return s.GoldPlan(r.PathValue("sub_mchid")), nil
}

func (s *Server) ctlSetGoldPlan(st GoldPlanState) (any, error) { return nil, s.SetGoldPlan(st) }

func (s *Server) ctlAdvanceClock(in struct {
	Duration string `json:"duration"`
}) (any, error) {
	d, err := time.ParseDuration(in.Duration)
	if err != nil {
		return nil, fmt.Errorf("duration: %w", err)
	}
	s.AdvanceClock(d)
	return map[string]time.Time{"clock": s.Now()}, nil
}

func (s *Server) ctlFaults(*http.Request) (any, error) { return s.Faults(), nil }

func (s *Server) ctlInjectFault(f Fault) (any, error) {
	id, err := s.injectFault(f)
	return map[string]int{"id": id}, err
}

func (s *Server) ctlClearFaults(*http.Request) (any, error) {
	s.ClearFaults()
	return nil, nil
}

func (s *Server) ctlRemoveFault(r *http.Request) (any, error) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return nil, fmt.Errorf("fault id: %w", err)
	}
	return map[string]bool{"removed": s.RemoveFault(id)}, nil
}

func (s *Server) ctlQPSLimits(*http.Request) (any, error) { return s.QPSLimits(), nil }

func (s *Server) ctlSetQPSLimit(in struct {
	PathPrefix string  `json:"path_prefix"`
	QPS        float64 `json:"qps"`
}) (any, error) {
	s.SetQPSLimit(in.PathPrefix, in.QPS)
	return nil, nil
}

func (s *Server) ctlDialects(*http.Request) (any, error) { return s.Dialects(), nil }

func (s *Server) ctlSetDialects(set map[string]string) (any, error) {
	if len(set) == 0 {
		return nil, fmt.Errorf("name the dialects to set, as {\"name\": \"value\"}; the dialects are %s", strings.Join(dialectNames(), ", "))
	}
	if err := CheckDialects(set); err != nil {
		return nil, err
	}
	if err := s.SetDialects(set); err != nil {
		return nil, err
	}
	return s.Dialects(), nil
}

func (s *Server) ctlCalls(*http.Request) (any, error) {
	return map[string]any{"calls": s.Calls(), "counters": s.CallCounters(),
		"total": s.CountCalls("", ""), "applied": s.CountApplied("", ""), "dialects": s.ActiveDialects()}, nil
}

func (s *Server) ctlClearCalls(*http.Request) (any, error) {
	s.ClearCalls()
	return nil, nil
}
