package queue

import (
	"net/http"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/submit"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

// maxUsageDays bounds one usage query.
const maxUsageDays = 92

// UsageResponse is the answer of GET /api/v2/usage.
type UsageResponse struct {
	Caller string       `json:"caller"`
	From   string       `json:"from"`
	To     string       `json:"to"`
	Totals usage.Totals `json:"totals"`
	Rows   []usage.Row  `json:"rows"`
}

// RegisterUsage mounts GET /api/v2/usage on mux.
func RegisterUsage(mux httpapi.Mux, v *auth.Verifier, store *usage.Store) {
	h := &usageHandler{store: store, now: time.Now}
	mux.Handle("GET /api/v2/usage", httpapi.Chain(http.HandlerFunc(h.get), auth.Middleware(v), httpapi.MaxBody(MaxBody)))
}

type usageHandler struct {
	store *usage.Store
	now   func() time.Time
}

func (h *usageHandler) get(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.FromContext(r.Context())
	q := r.URL.Query()
	errs := map[string]string{}
	today := time.Date(h.now().UTC().Year(), h.now().UTC().Month(), h.now().UTC().Day(), 0, 0, 0, 0, time.UTC)
	parse := func(name string, def time.Time) time.Time {
		v := q.Get(name)
		if v == "" {
			return def
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			errs[name] = "must be a date like 2026-01-31 (UTC)"
		}
		return t
	}
	from := parse("from", today)
	to := parse("to", today)
	if len(errs) == 0 {
		switch {
		case to.Before(from):
			errs["to"] = "must not be before from"
		case to.Sub(from) > maxUsageDays*24*time.Hour:
			errs["to"] = "the range may span at most 92 days"
		}
	}
	if len(errs) > 0 {
		httpapi.WriteProblem(w, r, httpapi.Invalid(errs))
		return
	}
	caller := q.Get("caller")
	switch {
	case caller == "" || caller == c.Subject:
		caller = c.Subject
	case !c.Admin():
		httpapi.WriteProblem(w, r, httpapi.NewProblem(httpapi.CodeForbidden, "Only an admin may read another caller's usage."))
		return
	}
	var callers []string
	if caller != "*" {
		callers = []string{caller}
	}
	rows, tot, err := h.store.Query(r.Context(), callers, from, to)
	if err != nil {
		httpapi.Error(w, r, submit.Unavailable(err))
		return
	}
	if rows == nil {
		rows = []usage.Row{}
	}
	httpapi.JSON(w, http.StatusOK, UsageResponse{
		Caller: caller, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Totals: tot, Rows: rows,
	})
}
