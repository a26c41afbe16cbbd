package queue

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// jobsHandler serves the operators' view of the jobs: the jobs of a status,
// listed, and a failed or canceled job retried.
type jobsHandler struct {
	*handlers
	inspector *queue.Inspector
}

// routes are GET /api/v2/queue/jobs and POST /api/v2/queue/{job_id}/retry,
// for admins.
func (h *jobsHandler) routes() []group.Route {
	return []group.Route{
		{Method: http.MethodGet, Path: "/api/v2/queue/jobs", Auth: group.Admin, MaxBody: MaxBody,
			Handler: h.list, Doc: jobsDoc(h.inspector.Queues()), Sample: group.Sample{Query: "status=failed"}},
		{Method: http.MethodPost, Path: "/api/v2/queue/{job_id}/retry", Auth: group.Admin, MaxBody: MaxBody,
			Handler: h.retry, Doc: retryDoc(),
			Sample: group.Sample{Path: "/api/v2/queue/text_000000000000000000000000/retry", Status: http.StatusNotFound}},
	}
}

func (h *jobsHandler) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lq := queue.ListQuery{Status: queue.Status(q.Get("status")), Queue: q.Get("queue"), Kind: q.Get("kind"), Owner: q.Get("owner"), Cursor: q.Get("cursor")}
	problems := lq.Valid(r.Context())
	lq.Limit = limitParam(q, queue.MaxListLimit, problems)
	if len(problems) > 0 {
		return httpapi.Invalid(problems)
	}
	page, err := h.inspector.List(r.Context(), lq)
	switch {
	case errors.Is(err, queue.ErrUnknownQueue):
		return httpapi.Invalid(map[string]string{"queue": "must be one of " + strings.Join(h.inspector.Queues(), ", ")})
	case errors.Is(err, queue.ErrBadCursor):
		return httpapi.Invalid(map[string]string{"cursor": "is not a cursor a page of this status gave"})
	case err != nil:
		return submit.Unavailable(err)
	}
	httpapi.JSON(w, http.StatusOK, page)
	return nil
}

func (h *jobsHandler) retry(w http.ResponseWriter, r *http.Request) error {
	c, _ := auth.FromContext(r.Context())
	old, err := h.lookup(r.Context(), c, r.PathValue("job_id"))
	if err != nil {
		return err
	}
	j, err := h.inspector.Retry(r.Context(), old.ID, queue.RetryRequest{RequestID: httpapi.RequestID(r.Context())})
	switch {
	case errors.Is(err, queue.ErrRetried), errors.Is(err, queue.ErrWrongState):
		// what the job is now, for the answer
		if old, err = h.lookup(r.Context(), c, old.ID); err != nil {
			return err
		}
		return notRetried(old)
	case errors.Is(err, queue.ErrJobNotFound):
		return notFound(old.ID)
	case errors.Is(err, queue.ErrQueueFull):
		p := httpapi.NewProblem(httpapi.CodeQueueFull, "The "+old.Queue()+" queue is full; try again shortly.")
		p.RetryAfter = 5 * time.Second
		return p
	case err != nil:
		return submit.Unavailable(err)
	}
	w.Header().Set("Location", "/api/v2/queue/"+j.ID)
	w.Header().Set("Retry-After", "1")
	httpapi.JSON(w, http.StatusAccepted, j)
	return nil
}

// limitParam reads the query's page size, limit: 0 when absent, and a
// problem when it is not a whole number from 1 to most.
func limitParam(q url.Values, most int, problems map[string]string) int {
	v := q.Get("limit")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		problems["limit"] = fmt.Sprintf("must be a whole number from 1 to %d", most)
	}
	return n
}

// notRetried is the 409 of a job that cannot be retried, with the job.
func notRetried(j *queue.Job) error {
	detail := "Only a failed or canceled job can be retried; this one is " + string(j.Status) + "."
	if j.RetriedAs != "" {
		detail = "The job was already retried as " + j.RetriedAs + "; retry that job instead."
	}
	p := httpapi.NewProblem(httpapi.CodeConflict, detail)
	p.Job = j
	return p
}

func jobsDoc(queues []string) apidoc.Operation {
	statuses := make([]string, len(queue.ListStatuses))
	for i, s := range queue.ListStatuses {
		statuses[i] = string(s)
	}
	return apidoc.Operation{
		ID: "queueJobs", Summary: "List jobs by status (admin)",
		Description: "One page of the jobs of a status, every caller's. failed, canceled and succeeded jobs come newest first " +
			"(by finished_at), running jobs by started_at, newest first, the queues merged; queued jobs in queue order " +
			"(position 1 first, then those waiting to retry after a transient failure), one queue after the other. " +
			"Failed and canceled jobs are kept for FAILED_JOB_TTL (7 days by default), succeeded ones for JOB_TTL. " +
			fmt.Sprintf("A page examines at most %d jobs a queue, so with kind or owner a page may hold fewer jobs than limit, or none, ", queue.ListBudget) +
			"and still have a next_cursor: follow it (with the same status) until it is absent. Admin only; `dnd-llm-service jobs list` does the same from a shell.",
		Params: []apidoc.Param{
			{Name: "status", In: "query", Description: "The status of the jobs.",
				Schema: apidoc.With(apidoc.Str(), apidoc.Enum(statuses...), apidoc.Default(statuses[0]))},
			{Name: "queue", In: "query", Description: "Only this queue.", Schema: apidoc.With(apidoc.Str(), apidoc.Enum(queues...))},
			{Name: "kind", In: "query", Description: "Only jobs of this kind, e.g. text.character.", Schema: apidoc.With(apidoc.Str(), apidoc.MaxLen(100))},
			{Name: "owner", In: "query", Description: "Only the jobs of this caller (its token's sub).", Schema: apidoc.With(apidoc.Str(), apidoc.MaxLen(200))},
			limitParamDoc(queue.DefaultListLimit, queue.MaxListLimit), cursorParamDoc(400),
		},
		Responses: pageResponses("One page of jobs.", "JobPage"),
	}
}

// limitParamDoc and cursorParamDoc are the parameters of an admin's paged
// list.
func limitParamDoc(def, most int) apidoc.Param {
	return apidoc.Param{Name: "limit", In: "query", Description: fmt.Sprintf("Page size; default %d.", def),
		Schema: apidoc.With(apidoc.Int(1), apidoc.Between(1, float64(most)))}
}

func cursorParamDoc(maxLen int) apidoc.Param {
	return apidoc.Param{Name: "cursor", In: "query", Description: "The next_cursor of the previous page.", Schema: apidoc.With(apidoc.Str(), apidoc.MaxLen(maxLen))}
}

// pageResponses are the answers of an admin's paged list whose page is the
// component page.
func pageResponses(about, page string) map[int]apidoc.Response {
	return map[int]apidoc.Response{
		200: {Description: about, Content: []apidoc.Content{apidoc.JSON(page)}},
		400: apidoc.Ref("BadRequest"),
		401: apidoc.Ref("Unauthorized"),
		403: apidoc.Ref("Forbidden"),
		503: apidoc.Ref("Unavailable"),
	}
}

var hdrLocation = apidoc.Header{Name: "Location", Description: "The new job: /api/v2/queue/{id}.", Required: true, Schema: apidoc.Str()}

func retryDoc() apidoc.Operation {
	return apidoc.Operation{
		ID: "queueRetry", Summary: "Retry a failed or canceled job (admin)",
		Description: "Queues a new job with the request of a failed or canceled job: its kind, payload, owner, priority, " +
			"correlation id and hub destination. The new job has an id of its own (so its hub events are new events), " +
			"retry_of naming the old job, and runs as the owner's job; the old job keeps its outcome and gains retried_as. " +
			"A job is retried once: to try again, retry the new job. Takes no body. " +
			"Admin only; `dnd-llm-service jobs retry` does the same from a shell.",
		Params: []apidoc.Param{{Ref: "JobID"}},
		Responses: map[int]apidoc.Response{
			202: {Description: "The new job, queued: poll Location until its status is final.",
				Headers: []apidoc.Header{hdrLocation, submit.RetryAfterHeader(true, "polling")}, Content: []apidoc.Content{apidoc.JSON("Job")}},
			400: apidoc.Ref("BadRequest"),
			401: apidoc.Ref("Unauthorized"),
			403: apidoc.Ref("Forbidden"),
			404: apidoc.Ref("NotFound"),
			409: {Description: "The job is not failed or canceled, or was already retried (retried_as names the retry): CONFLICT, with the job.",
				Content: []apidoc.Content{apidoc.Problem("JobProblem")}},
			503: {Description: "QUEUE_FULL: the job's queue is at QUEUE_MAX_DEPTH. SERVICE_UNAVAILABLE: the job store (Redis) is unavailable.",
				Headers: []apidoc.Header{submit.RetryAfterHeader(true, "retrying")}, Content: []apidoc.Content{apidoc.Problem("Problem")}},
		},
	}
}
