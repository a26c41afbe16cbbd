package queue

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// cancelWait is how long DELETE waits for a running job's worker to stop.
const cancelWait = 5 * time.Second

// StatusResponse is the answer of GET /api/v2/queue/status.
type StatusResponse struct {
	Queues map[string]queue.Stats `json:"queues"`
	Jobs   []*queue.Job           `json:"jobs"`
}

// Doc implements apidoc.Described.
func (StatusResponse) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "QueueStatus",
		About: "Answer of GET /api/v2/queue/status.",
		Fields: map[string]*apidoc.Schema{
			"queues": apidoc.Describe("Counts by queue: text and image."),
			"jobs":   apidoc.Describe("Your queued and running jobs, oldest first; or the one job asked for with job_id."),
		},
	}
}

func statusDoc() apidoc.Operation {
	return apidoc.Operation{
		ID: "queueStatus", Summary: "Queue counts and your jobs",
		Description: "Counts per queue, and your queued and running jobs (or the one job named by `job_id`).",
		Params:      []apidoc.Param{{Name: "job_id", In: "query", Description: "Show only this job.", Schema: apidoc.Comp("JobID")}},
		Responses: map[int]apidoc.Response{
			200: {Description: "Counts and jobs.", Content: []apidoc.Content{apidoc.JSON("QueueStatus")}},
			400: apidoc.Ref("BadRequest"),
			401: apidoc.Ref("Unauthorized"),
			404: apidoc.Ref("NotFound"),
			503: apidoc.Ref("Unavailable"),
		},
	}
}

func (h *handlers) status(w http.ResponseWriter, r *http.Request) error {
	c, _ := auth.FromContext(r.Context())
	resp := StatusResponse{Queues: map[string]queue.Stats{}, Jobs: []*queue.Job{}}
	one := r.URL.Query().Get("job_id")
	if one != "" {
		j, err := h.lookup(r.Context(), c, one)
		if err != nil {
			return err
		}
		resp.Jobs = append(resp.Jobs, j)
	}
	for _, q := range h.queues {
		st, err := q.Stats(r.Context())
		if err != nil {
			return submit.Unavailable(err)
		}
		resp.Queues[q.Name()] = st
		if one != "" {
			continue
		}
		jobs, err := q.Active(r.Context(), c.Subject)
		if err != nil {
			return submit.Unavailable(err)
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
	return nil
}

// lookup returns the job if it exists and the caller may see it: its owner
// or an admin. Anyone else gets the same 404 as for a missing job. An id
// the queues cannot have made is a 400 naming job_id.
func (h *handlers) lookup(ctx context.Context, c auth.Claims, id string) (*queue.Job, error) {
	if !h.ids.MatchString(id) {
		return nil, httpapi.Invalid(map[string]string{"job_id": h.badID()})
	}
	q := h.svc.Queue(queue.QueueOf(id))
	if q == nil {
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

// badID is the message of a job_id that does not match the pattern.
func (h *handlers) badID() string {
	return "must match " + h.ids.String() + ", like text_5f1c2a9b3d4e6f7081920a1b"
}

func notFound(id string) error {
	return httpapi.NewProblem(httpapi.CodeNotFound, "No job "+id+" is visible to you.")
}

func getDoc() apidoc.Operation {
	return apidoc.Operation{
		ID: "queueGet", Summary: "Get a job (long poll)",
		Description: "The job, whatever its status. With `wait`, waits up to that many seconds for it to finish. A job that is not final comes with `Retry-After: 1`.",
		Params:      []apidoc.Param{{Ref: "JobID"}, {Ref: "PollWait"}},
		Responses: map[int]apidoc.Response{
			200: {Description: "The job.", Headers: []apidoc.Header{submit.RetryAfterHeader(false, "polling again (the job is not final)")},
				Content: []apidoc.Content{apidoc.JSON("Job")}},
			400: apidoc.Ref("BadRequest"),
			401: apidoc.Ref("Unauthorized"),
			404: apidoc.Ref("NotFound"),
			503: apidoc.Ref("Unavailable"),
		},
	}
}

func (h *handlers) get(w http.ResponseWriter, r *http.Request) error {
	c, _ := auth.FromContext(r.Context())
	wait, err := h.svc.WaitParam(r, 0)
	if err != nil {
		return err
	}
	j, err := h.lookup(r.Context(), c, r.PathValue("job_id"))
	if err != nil {
		return err
	}
	if wait > 0 && !j.Status.Final() {
		if j, err = h.svc.Await(r.Context(), j, wait); err != nil {
			return err
		}
	}
	if !j.Status.Final() {
		w.Header().Set("Retry-After", "1")
	}
	httpapi.JSON(w, http.StatusOK, j)
	return nil
}

func cancelDoc() apidoc.Operation {
	return apidoc.Operation{
		ID: "queueCancel", Summary: "Cancel a job",
		Description: "Cancels a queued job at once. A running job's context is canceled and its worker stops at its next checkpoint; " +
			"the answer waits up to 5 s for that. Once requested, the cancel decides: the job ends `canceled` with no result, " +
			"even if its worker finishes first. A job that started others (a whole character, POST /api/v2/characters) passes the cancel on " +
			"to those not finished, and keeps in `result` the steps it finished.",
		Params: []apidoc.Param{{Ref: "JobID"}},
		Responses: map[int]apidoc.Response{
			200: {Description: "The job, now canceled.", Content: []apidoc.Content{apidoc.JSON("Job")}},
			400: apidoc.Ref("BadRequest"),
			202: {Description: "The job is still running; its worker was told to stop (cancel_requested is true). Poll it.", Content: []apidoc.Content{apidoc.JSON("Job")}},
			401: apidoc.Ref("Unauthorized"),
			404: apidoc.Ref("NotFound"),
			409: {Description: "The job has already finished: CONFLICT, with the job.", Content: []apidoc.Content{apidoc.Problem("JobProblem")}},
			503: apidoc.Ref("Unavailable"),
		},
	}
}

func (h *handlers) cancel(w http.ResponseWriter, r *http.Request) error {
	c, _ := auth.FromContext(r.Context())
	j, err := h.lookup(r.Context(), c, r.PathValue("job_id"))
	if err != nil {
		return err
	}
	q := h.svc.Queue(queue.QueueOf(j.ID))
	res, err := q.Cancel(r.Context(), j.ID)
	switch {
	case errors.Is(err, queue.ErrWrongState):
		if j.Status.Final() {
			return finished(j)
		}
		// It finished between the lookup and the cancel.
		if j, err = q.Get(r.Context(), j.ID); err != nil {
			return submit.Unavailable(err)
		}
		return finished(j)
	case errors.Is(err, queue.ErrJobNotFound):
		return notFound(j.ID)
	case err != nil:
		return submit.Unavailable(err)
	}
	if res == queue.Signalled {
		if j, err = h.svc.Await(r.Context(), j, cancelWait); err != nil {
			return err
		}
		h.cancelChildren(r.Context(), j)
		if !j.Status.Final() {
			j.CancelRequested = true
			httpapi.JSON(w, http.StatusAccepted, j)
			return nil
		}
	} else if j, err = q.Get(r.Context(), j.ID); err != nil {
		return submit.Unavailable(err)
	} else {
		h.cancelChildren(r.Context(), j)
	}
	if j.Status != queue.StatusCanceled {
		// It finished otherwise before the cancel could take effect.
		return finished(j)
	}
	httpapi.JSON(w, http.StatusOK, j)
	return nil
}

// finished is the 409 of a job that has already finished, with the job.
func finished(j *queue.Job) error {
	p := httpapi.NewProblem(httpapi.CodeConflict, "The job has already finished ("+string(j.Status)+").")
	p.Job = j
	return p
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

// Doc implements apidoc.Described.
func (PrioritizeRequest) Doc() apidoc.Type {
	return apidoc.Type{
		About:    "Body of POST /api/v2/queue/prioritize: a queued job of yours (any job, for an admin) and its new priority.",
		Required: []string{"job_id", "priority"},
		Fields: map[string]*apidoc.Schema{
			"priority": apidoc.With(apidoc.Enum(queue.Priorities...), apidoc.Describe("The new priority. urgent needs the admin scope.")),
		},
		Refs: map[string]string{"job_id": "JobID"},
	}
}

func prioritizeDoc() apidoc.Operation {
	return apidoc.Operation{
		ID: "queuePrioritize", Summary: "Change a queued job's priority",
		Description: "Moves a queued job to another priority band; it keeps its arrival order within the band.",
		Body: &apidoc.Body{Schema: "PrioritizeRequest", Description: "The job and its new priority.", Examples: []apidoc.Example{
			{Name: "high", Summary: "Move a queued job up", Value: PrioritizeRequest{JobID: "text_5f1c2a9b3d4e6f7081920a1b", Priority: string(queue.PriorityHigh)}},
		}},
		Responses: map[int]apidoc.Response{
			200: {Description: "The job with its new priority.", Content: []apidoc.Content{apidoc.JSON("Job")}},
			400: apidoc.Ref("BadRequest"),
			401: apidoc.Ref("Unauthorized"),
			403: {Description: "Priority urgent needs the admin scope: FORBIDDEN.", Content: []apidoc.Content{apidoc.Problem("Problem")}},
			404: apidoc.Ref("NotFound"),
			409: {Description: "Only a queued job can be reprioritized: CONFLICT.", Content: []apidoc.Content{apidoc.Problem("Problem")}},
			413: apidoc.Ref("PayloadTooLarge"),
			415: apidoc.Ref("UnsupportedMediaType"),
			503: apidoc.Ref("Unavailable"),
		},
	}
}

func (h *handlers) prioritize(w http.ResponseWriter, r *http.Request) error {
	c, _ := auth.FromContext(r.Context())
	var req PrioritizeRequest
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		return err
	}
	errs := req.Valid(r.Context())
	if _, named := errs["job_id"]; !named && !h.ids.MatchString(req.JobID) {
		errs["job_id"] = h.badID()
	}
	if len(errs) > 0 {
		return httpapi.Invalid(errs)
	}
	prio, _ := queue.ParsePriority(req.Priority)
	if prio == queue.PriorityUrgent && !c.Admin() {
		return httpapi.NewProblem(httpapi.CodeForbidden, "Priority urgent needs the admin scope.")
	}
	j, err := h.lookup(r.Context(), c, req.JobID)
	if err != nil {
		return err
	}
	q := h.svc.Queue(queue.QueueOf(j.ID))
	j, err = q.Prioritize(r.Context(), j.ID, prio)
	switch {
	case errors.Is(err, queue.ErrWrongState):
		return httpapi.NewProblem(httpapi.CodeConflict, "Only a queued job can be reprioritized.")
	case errors.Is(err, queue.ErrJobNotFound):
		return notFound(req.JobID)
	case err != nil:
		return submit.Unavailable(err)
	}
	httpapi.JSON(w, http.StatusOK, j)
	return nil
}
