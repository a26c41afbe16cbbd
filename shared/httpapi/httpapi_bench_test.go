package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

func BenchmarkWriteProblem(b *testing.B) {
	r := httptest.NewRequest(http.MethodPost, "/api/v2/text/character", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		p := httpapi.NewProblem(httpapi.CodeRateLimited, "Rate limit of 100 text requests a minute exceeded.")
		p.RetryAfter = 600 * time.Millisecond
		httpapi.WriteProblem(w, r, p)
		if w.Code != http.StatusTooManyRequests {
			b.Fatalf("status = %d, want 429", w.Code)
		}
	}
}

// BenchmarkWriteProblemInvalid is a validation problem naming fields.
func BenchmarkWriteProblemInvalid(b *testing.B) {
	r := httptest.NewRequest(http.MethodPost, "/api/v2/text/character", nil)
	fields := map[string]string{
		"type":                       "must be one of backstory, personality, combat, equipment",
		"parameters.character_level": "must be between 1 and 20",
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		httpapi.WriteProblem(w, r, httpapi.Invalid(fields))
		if w.Code != http.StatusBadRequest {
			b.Fatalf("status = %d, want 400", w.Code)
		}
	}
}

// BenchmarkObserve is the outermost middleware every request goes through:
// request id, access log (discarded) and metrics.
func BenchmarkObserve(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		httpapi.JSON(w, http.StatusOK, map[string]string{"status": "healthy"})
	})
	h := httpapi.Observe(slog.New(slog.DiscardHandler), httpapi.NewMetrics(prometheus.NewRegistry()))(httpapi.ProblemMux(mux))
	r := httptest.NewRequest(http.MethodGet, "/health", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status = %d, want 200", w.Code)
		}
	}
}

type benchBody struct {
	Type       string         `json:"type"`
	Parameters map[string]any `json:"parameters"`
	Seed       int64          `json:"seed"`
}

func (v benchBody) Valid(context.Context) map[string]string {
	if v.Type == "" {
		return map[string]string{"type": "is required"}
	}
	return nil
}

// BenchmarkDecode is the capped, validated decode of a text request body.
func BenchmarkDecode(b *testing.B) {
	const body = `{"type":"personality","parameters":{"character_class":"Cleric","character_race":"Dwarf","character_level":3},"seed":7}`
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/api/v2/text/character", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		v, err := httpapi.Decode[benchBody](r)
		if err != nil || v.Seed != 7 {
			b.Fatalf("Decode = %+v, %v", v, err)
		}
	}
}
