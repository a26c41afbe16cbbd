package queue

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// cancelWait is how long DELETE waits for a running job's worker to stop.
const cancelWait = 5 * time.Second

type handlers struct {
	svc    *submit.Service
	logger *slog.Logger
}

// StatusResponse is the answer of GET /api/v2/queue/status.
type StatusResponse struct {
	Queues map[string]queue.Stats `json:"queues"`
	Jobs   []*queue.Job           `json:"jobs"`
}

func (h *handlers) status(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.FromContext(r.Context())
	resp := StatusResponse{Queues: map[string]queue.Stats{}, Jobs: []*queue.Job{}}
	if id := r.URL.Query().Get("job_id"); id != "" {
		j, err := h.lookup(r.Context(), c, id)
		if err != nil {
			httpapi.Error(w, r, err)
			return
		}
		resp.Jobs = append(resp.Jobs, j)
	}
	for _, name := range []string{"text", "image"} {
		q := h.svc.Queue(name)
		if q == nil {
			continue
		}
		st, err := q.Stats(r.Context())
		if err != nil {
			httpapi.Error(w, r, submit.Unavailable(err))
			return
		}
		resp.Queues[name] = st
		if r.URL.Query().Get("job_id") != "" {
			continue
		}
		jobs, err := q.Active(r.Context(), c.Subject)
		if err != nil {
			httpapi.Error(w, r, submit.Unavailable(err))
			return
		}
		resp.Jobs = append(resp.Jobs, jobs...)
	}
	slices.SortFunc(resp.Jobs, func(a, b *queue.Job) int {
		if a.CreatedAt == nil || b.CreatedAt == nil {
			return 0
		}
		return a.CreatedAt.Compare(b.CreatedAt.Time)
	})
	httpapi.JSON(w, http.StatusOK, resp)
}

// lookup returns the job if it exists and the caller may see it: its owner
// or an admin. Anyone else gets the same 404 as for a missing job.
func (h *handlers) lookup(ctx context.Context, c auth.Claims, id string) (*queue.Job, error) {
	q := h.svc.Queue(queue.QueueOf(id))
	if q == nil || len(id) > 100 {
		return nil, notFound(id)
	}
	j, err := q.Get(ctx, id)
	if errors.Is(err, queue.ErrJobNotFound) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, submit.Unavailable(err)
	}
	if j.Owner != c.Subject && !c.Admin() {
		return nil, notFound(id)
	}
	return j, nil
}

func notFound(id string) error {
	return httpapi.NewProblem(httpapi.CodeNotFound, "No job "+truncate(id, 100)+" is visible to you.")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (h *handlers) get(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.FromContext(r.Context())
	j, err := h.lookup(r.Context(), c, r.PathValue("job_id"))
	if err != nil {
		httpapi.Error(w, r, err)
		return
	}
	wait, err := h.svc.WaitParam(r, 0)
	if err != nil {
		httpapi.Error(w, r, err)
		return
	}
	if wait > 0 && !j.Status.Final() {
		if j, err = h.svc.Await(r.Context(), j, wait); err != nil {
			httpapi.Error(w, r, err)
			return
		}
	}
	if !j.Status.Final() {
		w.Header().Set("Retry-After", "1")
	}
	httpapi.JSON(w, http.StatusOK, j)
}

func (h *handlers) cancel(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.FromContext(r.Context())
	j, err := h.lookup(r.Context(), c, r.PathValue("job_id"))
	if err != nil {
		httpapi.Error(w, r, err)
		return
	}
	q := h.svc.Queue(queue.QueueOf(j.ID))
	res, err := q.Cancel(r.Context(), j.ID)
	switch {
	case errors.Is(err, queue.ErrWrongState):
		p := httpapi.NewProblem(httpapi.CodeConflict, "The job has already finished ("+string(j.Status)+").")
		p.Job = j
		httpapi.WriteProblem(w, r, p)
		return
	case errors.Is(err, queue.ErrJobNotFound):
		httpapi.Error(w, r, notFound(j.ID))
		return
	case err != nil:
		httpapi.Error(w, r, submit.Unavailable(err))
		return
	}
	if res == queue.Signalled {
		j, err = h.svc.Await(r.Context(), j, cancelWait)
		if err != nil {
			httpapi.Error(w, r, err)
			return
		}
		if !j.Status.Final() {
			j.CancelRequested = true
			httpapi.JSON(w, http.StatusAccepted, j)
			return
		}
	} else if j, err = q.Get(r.Context(), j.ID); err != nil {
		httpapi.Error(w, r, submit.Unavailable(err))
		return
	}
	httpapi.JSON(w, http.StatusOK, j)
}

// PrioritizeRequest is the body of POST /api/v2/queue/prioritize.
type PrioritizeRequest struct {
	JobID    string `json:"job_id"`
	Priority string `json:"priority"`
}

// Valid implements httpapi.Validator.
func (p PrioritizeRequest) Valid(context.Context) map[string]string {
	errs := map[string]string{}
	if p.JobID == "" {
		errs["job_id"] = "is required"
	} else if len(p.JobID) > 100 {
		errs["job_id"] = "is too long"
	}
	if _, ok := queue.ParsePriority(p.Priority); !ok || p.Priority == "" {
		errs["priority"] = "must be one of low, normal, high, urgent"
	}
	return errs
}

func (h *handlers) prioritize(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.FromContext(r.Context())
	req, err := httpapi.Decode[PrioritizeRequest](r)
	if err != nil {
		httpapi.Error(w, r, err)
		return
	}
	prio, _ := queue.ParsePriority(req.Priority)
	if prio == queue.PriorityUrgent && !c.Admin() {
		httpapi.WriteProblem(w, r, httpapi.NewProblem(httpapi.CodeForbidden, "Priority urgent needs the admin scope."))
		return
	}
	j, err := h.lookup(r.Context(), c, req.JobID)
	if err != nil {
		httpapi.Error(w, r, err)
		return
	}
	q := h.svc.Queue(queue.QueueOf(j.ID))
	j, err = q.Prioritize(r.Context(), j.ID, prio)
	switch {
	case errors.Is(err, queue.ErrWrongState):
		p := httpapi.NewProblem(httpapi.CodeConflict, "Only a queued job can be reprioritized.")
		httpapi.WriteProblem(w, r, p)
		return
	case errors.Is(err, queue.ErrJobNotFound):
		httpapi.Error(w, r, notFound(req.JobID))
		return
	case err != nil:
		httpapi.Error(w, r, submit.Unavailable(err))
		return
	}
	httpapi.JSON(w, http.StatusOK, j)
}
