// Package queue serves /api/v2/queue: queue status, a job, its priority and
// its cancellation.
package queue

import (
	"log/slog"
	"net/http"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// MaxBody caps request bodies of the queue routes.
const MaxBody = 64 << 10

// Register mounts the queue routes on mux, each behind auth and the body cap.
func Register(mux httpapi.Mux, v *auth.Verifier, svc *submit.Service, logger *slog.Logger) {
	h := &handlers{svc: svc, logger: logger}
	guard := func(f http.HandlerFunc) http.Handler {
		return httpapi.Chain(f, auth.Middleware(v), httpapi.MaxBody(MaxBody))
	}
	mux.Handle("GET /api/v2/queue/status", guard(h.status))
	mux.Handle("GET /api/v2/queue/{job_id}", guard(h.get))
	mux.Handle("DELETE /api/v2/queue/{job_id}", guard(h.cancel))
	mux.Handle("POST /api/v2/queue/prioritize", guard(h.prioritize))
}
