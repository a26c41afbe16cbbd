// Package queue serves /api/v2/queue (queue status, a job, its priority and
// its cancellation; for admins, the jobs by status and the retry of a
// failed one), /api/v2/usage, the Message Hub's inbound route, and the
// admin routes of the events the hub refused (/api/v2/hub/parked).
package queue

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/group"
	hubapi "github.com/dndcc/dnd-llm-service/shared/hub"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

// MaxBody caps request bodies of the queue routes.
const MaxBody = 64 << 10

// Group declares the queue endpoint group.
var Group = group.Def{
	Name:     "queue",
	Function: "queue",
	About:    "Queue status, jobs, priority, cancel and retry; usage; Message Hub requests; health and API docs.",
	Tags: []apidoc.Tag{
		{Name: "queue", Description: "Jobs: status, polling, priority and cancel; for admins, jobs by status and retries."},
		{Name: "usage", Description: "Tokens, images and cost by caller and day."},
		{Name: "hub", Description: "Requests from the Message Hub."},
	},
	New: newGroup,
}

func newGroup(d group.Deps) (group.Parts, error) {
	names := make([]string, len(d.Queues))
	for i, q := range d.Queues {
		names[i] = q.Name()
	}
	pattern := queue.IDPattern(names...)
	h := &handlers{svc: d.Submit, queues: d.Queues, logger: d.Logger, ids: regexp.MustCompile(pattern)}
	u := &usageHandler{store: d.Usage, now: d.Now}
	hub := HubConfig{
		Verifier: d.Verifier, Submit: d.Submit, ServiceKey: d.Config.HubServiceKey.Value(),
		Messages: d.Messages, Logger: d.Logger, Now: d.Now,
	}
	parked := &parkedHandler{store: hubapi.NewParked(d.Redis, hubapi.OutboxStreams(d.Config.RedisKeyPrefix, d.Queues), d.Config.HubOutboxMax)}
	jobs := &jobsHandler{handlers: h, inspector: queue.NewInspector(d.Queues...)}
	routes := append(h.routes(), u.route(), hub.Route())
	routes = append(routes, jobs.routes()...)
	return group.Parts{
		Routes: append(routes, parked.routes()...),
		Health: []group.Component{{Name: "queue", State: h.state}},
		Types: []any{PrioritizeRequest{}, StatusResponse{}, UsageResponse{}, queue.Job{}, queue.JobPage{}, hubapi.Envelope{}, hubapi.Reply{},
			hubapi.ParkedPage{}, hubapi.ParkedEvent{}, hubapi.RedeliverRequest{}, hubapi.RedeliverResult{}},
		Schemas: []apidoc.Component{{Name: "JobID", Schema: &apidoc.Schema{
			Type: "string", Pattern: pattern, Examples: []any{"text_5f1c2a9b3d4e6f7081920a1b"},
			Description: "A job id: its queue's name, `_` and 24 lowercase hex digits. Anything else is refused with 400 naming `job_id`.",
		}}},
	}, nil
}

// routes are the job routes, each behind a bearer token and the body cap.
func (h *handlers) routes() []group.Route {
	route := func(method, path string, f func(http.ResponseWriter, *http.Request) error, doc apidoc.Operation, sample group.Sample) group.Route {
		return group.Route{Method: method, Path: path, Auth: group.Bearer, MaxBody: MaxBody, Handler: f, Doc: doc, Sample: sample}
	}
	const sampleJob = "/api/v2/queue/text_000000000000000000000000"
	return []group.Route{
		route(http.MethodGet, "/api/v2/queue/status", h.status, statusDoc(), group.Sample{}),
		route(http.MethodGet, "/api/v2/queue/{job_id}", h.get, getDoc(), group.Sample{Path: sampleJob, Status: http.StatusNotFound}),
		route(http.MethodDelete, "/api/v2/queue/{job_id}", h.cancel, cancelDoc(), group.Sample{Path: sampleJob, Status: http.StatusNotFound}),
		route(http.MethodPost, "/api/v2/queue/prioritize", h.prioritize, prioritizeDoc(), group.Sample{Status: http.StatusNotFound}),
	}
}

// state is the queues' word for /health: paused while a provider's rate
// limit holds one back.
func (h *handlers) state(ctx context.Context) string {
	for _, q := range h.queues {
		st, err := q.Stats(ctx)
		if err != nil {
			return "unreachable"
		}
		if st.PausedForS > 0 {
			return "paused"
		}
	}
	return "ok"
}

type handlers struct {
	svc    *submit.Service
	queues []*queue.Queue
	logger *slog.Logger
	ids    *regexp.Regexp // the ids the queues make (queue.IDPattern)
}

type usageHandler struct {
	store *usage.Store
	now   func() time.Time
}
