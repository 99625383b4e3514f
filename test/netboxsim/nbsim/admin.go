package nbsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// faultsBody is Faults with durations written as strings ("2s").
type faultsBody struct {
	ErrorRate           float64  `json:"error_rate"`
	RateLimitRate       float64  `json:"rate_limit_rate"`
	RetryAfter          string   `json:"retry_after"`
	DropAfterCommitRate float64  `json:"drop_after_commit_rate"`
	Methods             []string `json:"methods"`
}

// serveAdmin answers the emulator's controls: GET /_sim/stats, POST /_sim/reset,
// POST /_sim/faults, POST /_sim/latency, GET /_sim/dump, POST /_sim/save, POST /_sim/load.
// They need no token.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + r.URL.Path
	switch route {
	case "GET /_sim/stats":
		writeBody(w, http.StatusOK, s.Stats())
	case "POST /_sim/reset":
		s.Reset()
		writeBody(w, http.StatusOK, map[string]any{"reset": true})
	case "POST /_sim/faults":
		var body faultsBody
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeBody(w, http.StatusBadRequest, map[string]any{"detail": "decode faults: " + err.Error()})
			return
		}
		f := Faults{ErrorRate: body.ErrorRate, RateLimitRate: body.RateLimitRate,
			DropAfterCommitRate: body.DropAfterCommitRate, Methods: body.Methods}
		if body.RetryAfter != "" {
			d, err := time.ParseDuration(body.RetryAfter)
			if err != nil {
				writeBody(w, http.StatusBadRequest, map[string]any{"detail": "retry_after: " + err.Error()})
				return
			}
			f.RetryAfter = d
		}
		s.SetFaults(f)
		writeBody(w, http.StatusOK, body)
	case "POST /_sim/latency":
		var body struct {
			Latency string `json:"latency"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeBody(w, http.StatusBadRequest, map[string]any{"detail": "decode latency: " + err.Error()})
			return
		}
		d, err := time.ParseDuration(body.Latency)
		if err != nil {
			writeBody(w, http.StatusBadRequest, map[string]any{"detail": "latency: " + err.Error()})
			return
		}
		s.SetLatency(d)
		writeBody(w, http.StatusOK, body)
	case "GET /_sim/dump":
		writeBody(w, http.StatusOK, s.Dump())
	case "POST /_sim/save", "POST /_sim/load":
		var err error
		if route == "POST /_sim/save" {
			err = s.Save()
		} else {
			err = s.Load()
		}
		if err != nil {
			writeBody(w, http.StatusInternalServerError, map[string]any{"detail": err.Error()})
			return
		}
		writeBody(w, http.StatusOK, map[string]any{"file": s.file})
	default:
		writeBody(w, http.StatusNotFound, map[string]any{"detail": fmt.Sprintf("no control %s", route)})
	}
}
