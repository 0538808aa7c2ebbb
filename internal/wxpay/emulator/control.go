package emulator

import (
	"encoding/json"
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

// Control API (programs on this machine only, see controlRefusal), each route mirroring a Go method:
//
//	POST   /_emulator/seed                  Seed (body: Seed JSON)
//	POST   /_emulator/reset                 Reset
//	GET    /_emulator/state                 Snapshot
//	POST   /_emulator/caller-role           SetCallerRole        {"role"}
//	POST   /_emulator/authorize-state       SetAuthorizeState    {"sub_mchid","authorize_state"}
//	POST   /_emulator/activity-status       SetActivityStatus    {"activity_id","status"}
//	POST   /_emulator/activity-members      AddActivityMember    {"activity_id","mchid"}
//	DELETE /_emulator/activity-members      RemoveActivityMember {"activity_id","mchid"}
//	POST   /_emulator/partnerships/terminate TerminatePartnership {"partner","authorized_data"}
//	GET    /_emulator/goldplan/{sub_mchid}  GoldPlan
//	PUT    /_emulator/goldplan              SetGoldPlan (body: GoldPlanState)
//	POST   /_emulator/clock/advance         AdvanceClock         {"duration":"24h"}
//	GET    /_emulator/faults                Faults
//	POST   /_emulator/faults                InjectFault (body: Fault, latency as "1.5s") → {"id"}
//	DELETE /_emulator/faults                ClearFaults
//	DELETE /_emulator/faults/{id}           RemoveFault
//	GET    /_emulator/qps                   QPSLimits
//	POST   /_emulator/qps                   SetQPSLimit          {"path_prefix","qps"}
//	GET    /_emulator/calls                 Calls + CallCounters {"calls":[…],"counters":[…],"total":n}
//	DELETE /_emulator/calls                 ClearCalls
//
// Answers are JSON; errors are {"error":"…"} with 400, 404 or 405.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if status, refusal := controlRefusal(r); refusal != "" {
		writeJSON(w, status, map[string]string{"error": refusal})
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/_emulator")
	route := r.Method + " " + path
	bad := func(err error) { writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()}) }
	done := func() { w.WriteHeader(http.StatusNoContent) }
	decode := func(v any) bool {
		body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		if err == nil {
			err = json.Unmarshal(body, v)
		}
		if err != nil {
			bad(fmt.Errorf("body: %w", err))
			return false
		}
		return true
	}
	switch {
	case route == "POST /seed":
		var seed Seed
		if decode(&seed) {
			if err := s.Seed(seed); err != nil {
				bad(err)
				return
			}
			done()
		}
	case route == "POST /reset":
		s.Reset()
		done()
	case route == "GET /state":
		writeJSON(w, http.StatusOK, s.Snapshot())
	case route == "POST /caller-role":
		var in struct {
			Role string `json:"role"`
		}
		if decode(&in) {
			if err := s.Seed(Seed{CallerRole: in.Role}); err != nil || in.Role == "" {
				bad(fmt.Errorf("role must be one of %s", strings.Join(roles, ", ")))
				return
			}
			done()
		}
	case route == "POST /authorize-state":
		var in struct {
			SubMchid       string `json:"sub_mchid"`
			AuthorizeState string `json:"authorize_state"`
		}
		if decode(&in) {
			if in.SubMchid == "" || (in.AuthorizeState != AuthorizeStateAuthorized && in.AuthorizeState != AuthorizeStateUnauthorized) {
				bad(fmt.Errorf("sub_mchid and authorize_state (%s or %s) are required", AuthorizeStateAuthorized, AuthorizeStateUnauthorized))
				return
			}
			s.SetAuthorizeState(in.SubMchid, in.AuthorizeState)
			done()
		}
	case route == "POST /activity-status":
		var in struct {
			ActivityID string `json:"activity_id"`
			Status     string `json:"status"`
		}
		if decode(&in) {
			if in.ActivityID == "" || in.Status == "" {
				bad(fmt.Errorf("activity_id and status are required"))
				return
			}
			s.SetActivityStatus(in.ActivityID, in.Status)
			done()
		}
	case route == "POST /activity-members" || route == "DELETE /activity-members":
		var in struct {
			ActivityID string `json:"activity_id"`
			Mchid      string `json:"mchid"`
		}
		if decode(&in) {
			if in.ActivityID == "" || in.Mchid == "" {
				bad(fmt.Errorf("activity_id and mchid are required"))
				return
			}
			if r.Method == http.MethodPost {
				s.AddActivityMember(in.ActivityID, in.Mchid)
			} else {
				s.RemoveActivityMember(in.ActivityID, in.Mchid)
			}
			done()
		}
	case route == "POST /partnerships/terminate":
		var in struct {
			Partner        Partner        `json:"partner"`
			AuthorizedData AuthorizedData `json:"authorized_data"`
		}
		if decode(&in) {
			writeJSON(w, http.StatusOK, map[string]bool{"terminated": s.TerminatePartnership(in.Partner, in.AuthorizedData)})
		}
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/goldplan/"):
		writeJSON(w, http.StatusOK, s.GoldPlan(strings.TrimPrefix(path, "/goldplan/")))
	case route == "PUT /goldplan":
		var st GoldPlanState
		if decode(&st) {
			if err := s.SetGoldPlan(st); err != nil {
				bad(err)
				return
			}
			done()
		}
	case route == "POST /clock/advance":
		var in struct {
			Duration string `json:"duration"`
		}
		if decode(&in) {
			d, err := time.ParseDuration(in.Duration)
			if err != nil {
				bad(fmt.Errorf("duration: %w", err))
				return
			}
			s.AdvanceClock(d)
			writeJSON(w, http.StatusOK, map[string]time.Time{"clock": s.Now()})
		}
	case route == "GET /faults":
		writeJSON(w, http.StatusOK, s.Faults())
	case route == "POST /faults":
		var f Fault
		if decode(&f) {
			id, err := s.injectFault(f)
			if err != nil {
				bad(err)
				return
			}
			writeJSON(w, http.StatusOK, map[string]int{"id": id})
		}
	case route == "DELETE /faults":
		s.ClearFaults()
		done()
	case r.Method == http.MethodDelete && strings.HasPrefix(path, "/faults/"):
		var id int
		if _, err := fmt.Sscanf(strings.TrimPrefix(path, "/faults/"), "%d", &id); err != nil {
			bad(fmt.Errorf("fault id: %w", err))
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"removed": s.RemoveFault(id)})
	case route == "GET /qps":
		writeJSON(w, http.StatusOK, s.QPSLimits())
	case route == "POST /qps":
		var in struct {
			PathPrefix string  `json:"path_prefix"`
			QPS        float64 `json:"qps"`
		}
		if decode(&in) {
			s.SetQPSLimit(in.PathPrefix, in.QPS)
			done()
		}
	case route == "GET /calls":
		calls := s.Calls()
		writeJSON(w, http.StatusOK, map[string]any{"calls": calls, "counters": s.CallCounters(),
			"total": s.CountCalls("", ""), "applied": s.CountApplied("", "")})
	case route == "DELETE /calls":
		s.ClearCalls()
		done()
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown control route " + route})
	}
}

// controlRefusal keeps the control API to programs on this machine. A loopback peer is not
// enough: a web page in the user's browser is one too. A foreign Host means DNS rebinding, a
// foreign Origin a cross-site request, and requiring JSON on writes forces a CORS preflight,
// which the emulator never grants, on any write a page might still try. The /v3 API keeps
// serving any Host: each of its calls needs the merchant's signature, so a rebound page only
// collects refusals, while a Host check would break reaching a loopback emulator by another name.
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
