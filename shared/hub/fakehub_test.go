package hub

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
)

// hubMode is how the fake hub answers.
type hubMode int

const (
	hubUp          hubMode = iota
	hubUnavailable         // 503 with a JSON error body and Retry-After
	hubHangUp              // closes the connection without an answer
)

// receivedEvent is one event the fake hub stored.
type receivedEvent struct {
	Event          Event
	IdempotencyKey string
}

// fakeHub speaks the hub's routes and records what arrives. It can be
// switched down and up, and "restarted" (forgetting registrations).
type fakeHub struct {
	srv *httptest.Server

	mu            sync.Mutex
	mode          hubMode
	registrations []Registration
	events        []receivedEvent
	reject        map[string]int    // event id -> status answered for it
	attempts      map[string]int    // event id -> posts that reached the hub while up
	bodies        map[string]string // event id -> last body posted
	refused       int               // requests answered while down
	retryAfter    string            // Retry-After sent while down
	noEventsRoute bool              // answer the events route 404, as a hub that lacks it
	eventTypes    []string          // when set, the only event types stored; others are answered 422
}

func newFakeHub(tb testing.TB) *fakeHub {
	tb.Helper()
	h := &fakeHub{reject: map[string]int{}, attempts: map[string]int{}, bodies: map[string]string{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	tb.Cleanup(h.srv.Close)
	return h
}

func (h *fakeHub) client() *Client {
	return NewClient(h.srv.URL, &http.Client{Timeout: 5 * time.Second})
}

func (h *fakeHub) setMode(m hubMode) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.mode = m
}

// restart forgets every registration, like a hub that was restarted.
func (h *fakeHub) restart() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.registrations = nil
}

func (h *fakeHub) rejectEvent(id string, status int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reject[id] = status
}

// setEventsRoute makes the hub serve the events route or answer it 404.
func (h *fakeHub) setEventsRoute(served bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.noEventsRoute = !served
}

// setEventTypes limits the event types the hub stores; nil stores any.
func (h *fakeHub) setEventTypes(types ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.eventTypes = types
}

func (h *fakeHub) accept(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.reject, id)
}

func (h *fakeHub) attemptsFor(id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.attempts[id]
}

func (h *fakeHub) bodyOf(id string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bodies[id]
}

func (h *fakeHub) snapshot() (regs []Registration, events []receivedEvent, refused int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Registration(nil), h.registrations...), append([]receivedEvent(nil), h.events...), h.refused
}

func (h *fakeHub) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch h.mode {
	case hubUnavailable:
		h.refused++
		if h.retryAfter != "" {
			w.Header().Set("Retry-After", h.retryAfter)
		}
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]string{"code": "SERVICE_UNAVAILABLE", "message": "hub is starting"}})
		return
	case hubHangUp:
		h.refused++
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/services/register":
		var reg Registration
		if err := json.Unmarshal(body, &reg); err != nil || reg.Name == "" || reg.URL == "" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"detail": "name and url are required"})
			return
		}
		h.registrations = append(h.registrations, reg)
		writeJSON(w, http.StatusOK, map[string]string{"status": "registered"})
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/events" && h.noEventsRoute:
		var ev Event
		_ = json.Unmarshal(body, &ev)
		h.attempts[ev.Metadata.EventID]++
		writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Not Found"})
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/events":
		var ev Event
		if err := json.Unmarshal(body, &ev); err != nil || ev.EventType == "" || ev.SourceService == "" {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": "event_type and source_service are required"})
			return
		}
		h.attempts[ev.Metadata.EventID]++
		h.bodies[ev.Metadata.EventID] = string(body)
		if status, ok := h.reject[ev.Metadata.EventID]; ok {
			writeJSON(w, status, map[string]any{"detail": "event refused"})
			return
		}
		if len(h.eventTypes) > 0 && !slices.Contains(h.eventTypes, ev.EventType) {
			// The shape of a FastAPI validation error.
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []map[string]any{{
				"type": "enum", "loc": []string{"body", "event_type"}, "input": ev.EventType,
				"msg": "Input should be " + strings.Join(h.eventTypes, " or "),
			}}})
			return
		}
		h.events = append(h.events, receivedEvent{Event: ev, IdempotencyKey: r.Header.Get("Idempotency-Key")})
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
	case r.Method == http.MethodGet && r.URL.Path == "/health":
		writeJSON(w, http.StatusOK, map[string]string{"status": "healthy"})
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"detail": "not found"})
	}
}

// answering returns the URL of a server that answers every request with
// status and body.
func answering(tb testing.TB, status int, body string) string {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

// closedURL returns the URL of a server that no longer listens.
func closedURL() string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// waitFor waits for cond with a generous deadline.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	servicetest.WaitFor(tb, 15*time.Second, what, cond)
}

func testLogger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tb.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// sortStrings makes cmp.Diff ignore the order of string slices.
var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// value reads one counter or gauge.
func value(tb testing.TB, m prometheus.Metric) float64 {
	tb.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		tb.Fatalf("read metric: %v", err)
	}
	switch {
	case out.Counter != nil:
		return out.Counter.GetValue()
	case out.Gauge != nil:
		return out.Gauge.GetValue()
	}
	tb.Fatalf("metric %v is neither a counter nor a gauge", m.Desc())
	return 0
}

// series counts the gathered series of the metric family name.
func series(tb testing.TB, g prometheus.Gatherer, name string) int {
	tb.Helper()
	families, err := g.Gather()
	if err != nil {
		tb.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return len(f.GetMetric())
		}
	}
	return 0
}
