package queue

import (
	"net/http"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/group"
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

// Doc implements apidoc.Described.
func (UsageResponse) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "Usage",
		About: "Answer of GET /api/v2/usage.",
		Fields: map[string]*apidoc.Schema{
			"caller": apidoc.Describe("The caller the rows belong to, or * for everyone."),
			"from":   apidoc.Format("date"), "to": apidoc.Format("date"),
			"rows": apidoc.Describe("One row per day, model (and caller, for *)."),
		},
	}
}

func (h *usageHandler) route() group.Route {
	date := apidoc.With(apidoc.Str(), apidoc.Format("date"))
	return group.Route{
		Method: http.MethodGet, Path: "/api/v2/usage", Auth: group.Bearer, MaxBody: MaxBody, Handler: h.get,
		Sample: group.Sample{Query: "from=2026-11-01&to=2026-11-26"},
		Doc: apidoc.Operation{
			ID: "usageGet", Summary: "Usage by day and model", Tag: "usage",
			Description: "Requests, tokens, images and estimated cost by UTC day and model. Admins may read another caller's usage, or everyone's with `caller=*`.",
			Params: []apidoc.Param{
				{Name: "from", In: "query", Description: "First day (UTC); default today.", Schema: date},
				{Name: "to", In: "query", Description: "Last day (UTC); default today. At most 92 days after from.", Schema: date},
				{Name: "caller", In: "query", Description: "Whose usage (admin only, unless it is you); * for everyone.", Schema: apidoc.Str()},
			},
			Responses: map[int]apidoc.Response{
				200: {Description: "The usage.", Content: []apidoc.Content{apidoc.JSON("Usage")}},
				400: apidoc.Ref("BadRequest"),
				401: apidoc.Ref("Unauthorized"),
				403: {Description: "Only an admin may read another caller's usage: FORBIDDEN.", Content: []apidoc.Content{apidoc.Problem("Problem")}},
				503: apidoc.Ref("Unavailable"),
			},
		},
	}
}

func (h *usageHandler) get(w http.ResponseWriter, r *http.Request) error {
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
		return httpapi.Invalid(errs)
	}
	caller := q.Get("caller")
	switch {
	case caller == "" || (caller == c.Subject && caller != "*"):
		caller = c.Subject
	case !c.Admin():
		return httpapi.NewProblem(httpapi.CodeForbidden, "Only an admin may read another caller's usage.")
	}
	var callers []string
	if caller != "*" {
		callers = []string{caller}
	}
	rows, tot, err := h.store.Query(r.Context(), callers, from, to)
	if err != nil {
		return submit.Unavailable(err)
	}
	if rows == nil {
		rows = []usage.Row{}
	}
	httpapi.JSON(w, http.StatusOK, UsageResponse{
		Caller: caller, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Totals: tot, Rows: rows,
	})
	return nil
}
