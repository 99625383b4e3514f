package nbsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// faultsJSON is the wire form of Faults: snake_case names, RetryAfter as a duration string.
type faultsJSON struct {
	ErrorRate           float64  `json:"error_rate"`
	RateLimitRate       float64  `json:"rate_limit_rate"`
	RetryAfter          string   `json:"retry_after"`
	DropAfterCommitRate float64  `json:"drop_after_commit_rate"`
	Methods             []string `json:"methods"`
}

// MarshalJSON writes Faults with snake_case names and RetryAfter as a duration string ("2s").
func (f Faults) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultsJSON{ErrorRate: f.ErrorRate, RateLimitRate: f.RateLimitRate, RetryAfter: f.RetryAfter.String(),
		DropAfterCommitRate: f.DropAfterCommitRate, Methods: f.Methods})
}

// UnmarshalJSON reads Faults with snake_case names or Go's field names; RetryAfter is a
// duration string ("2s") or a number of nanoseconds.
func (f *Faults) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("decode faults: %w", err)
	}
	pick := func(names ...string) json.RawMessage {
		for _, n := range names {
			if v, ok := raw[n]; ok {
				return v
			}
		}
		return nil
	}
	var out Faults
	for _, field := range []struct {
		dst   any
		names []string
	}{
		{&out.ErrorRate, []string{"error_rate", "ErrorRate"}},
		{&out.RateLimitRate, []string{"rate_limit_rate", "RateLimitRate"}},
		{&out.DropAfterCommitRate, []string{"drop_after_commit_rate", "DropAfterCommitRate"}},
		{&out.Methods, []string{"methods", "Methods"}},
	} {
		if v := pick(field.names...); v != nil {
			if err := json.Unmarshal(v, field.dst); err != nil {
				return fmt.Errorf("decode faults %s: %w", field.names[0], err)
			}
		}
	}
	if v := pick("retry_after", "RetryAfter"); v != nil {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			d, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("decode faults retry_after: %w", err)
			}
			out.RetryAfter = d
		} else {
			var ns int64
			if err := json.Unmarshal(v, &ns); err != nil {
				return fmt.Errorf("decode faults retry_after: %w", err)
			}
			out.RetryAfter = time.Duration(ns)
		}
	}
	*f = out
	return nil
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
		var f Faults
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			writeBody(w, http.StatusBadRequest, map[string]any{"detail": err.Error()})
			return
		}
		s.SetFaults(f)
		writeBody(w, http.StatusOK, f)
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
