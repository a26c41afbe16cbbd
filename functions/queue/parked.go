package queue

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/hub"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// parkedHandler serves the events the Message Hub refused: listed and
// re-sent by an admin.
type parkedHandler struct{ store *hub.Parked }

// routes are GET /api/v2/hub/parked and POST /api/v2/hub/parked/redeliver,
// for admins.
func (h *parkedHandler) routes() []group.Route {
	return []group.Route{
		{Method: http.MethodGet, Path: "/api/v2/hub/parked", Auth: group.Admin, MaxBody: MaxBody,
			Handler: h.list, Doc: parkedDoc(h.store.Outboxes())},
		{Method: http.MethodPost, Path: "/api/v2/hub/parked/redeliver", Auth: group.Admin, MaxBody: MaxBody,
			Handler: h.redeliver, Doc: redeliverDoc()},
	}
}

func (h *parkedHandler) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pq := hub.ParkedQuery{Outbox: q.Get("outbox"), Cursor: q.Get("cursor")}
	errs := map[string]string{}
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 400 || n > 499 {
			errs["status"] = "must be a 4xx status"
		}
		pq.Status = n
	}
	pq.Limit = limitParam(q, hub.MaxParkedLimit, errs)
	if len(errs) > 0 {
		return httpapi.Invalid(errs)
	}
	page, err := h.store.List(r.Context(), pq)
	if err != nil {
		return h.problem(err)
	}
	httpapi.JSON(w, http.StatusOK, page)
	return nil
}

func (h *parkedHandler) redeliver(w http.ResponseWriter, r *http.Request) error {
	req, err := httpapi.Decode[hub.RedeliverRequest](r)
	if err != nil {
		return err
	}
	res, err := h.store.Redeliver(r.Context(), req)
	if err != nil {
		return h.problem(err)
	}
	httpapi.JSON(w, http.StatusOK, res)
	return nil
}

// problem maps the store's errors: a bad selector is the caller's fault,
// anything else is Redis.
func (h *parkedHandler) problem(err error) error {
	switch {
	case errors.Is(err, hub.ErrUnknownOutbox):
		return httpapi.Invalid(map[string]string{"outbox": "must be one of " + strings.Join(h.store.Outboxes(), ", ")})
	case errors.Is(err, hub.ErrBadCursor):
		return httpapi.Invalid(map[string]string{"cursor": "is not a cursor a page gave"})
	}
	return submit.Unavailable(err)
}

func parkedDoc(outboxes []string) apidoc.Operation {
	return apidoc.Operation{
		ID: "hubParkedList", Summary: "List the events the Message Hub refused", Tag: "hub",
		Description: "Events the hub answered with a 4xx other than 408, 409, 410 and 429 (a missing events route, an event type it does not know) " +
			"are parked instead of dropped: kept with the hub's status and the start of its answer until they are re-sent " +
			"(POST /api/v2/hub/parked/redeliver) or expire after HUB_PARKED_TTL. Oldest first within each outbox, the outboxes in name order. Admin only.",
		Params: []apidoc.Param{
			{Name: "outbox", In: "query", Description: "Only this outbox.", Schema: apidoc.Enum(outboxes...)},
			{Name: "status", In: "query", Description: "Only the events the hub refused with this status.", Schema: apidoc.With(apidoc.Int(400), apidoc.Between(400, 499))},
			limitParamDoc(hub.DefaultParkedLimit, hub.MaxParkedLimit), cursorParamDoc(200),
		},
		Responses: pageResponses("One page of parked events.", "HubParkedPage"),
	}
}

func redeliverDoc() apidoc.Operation {
	return apidoc.Operation{
		ID: "hubParkedRedeliver", Summary: "Re-send parked events to the Message Hub", Tag: "hub",
		Description: "Puts the selected parked events back at the end of their outbox; the dispatcher posts them again in order " +
			"(the hub de-duplicates by Idempotency-Key). An event the hub refuses again is parked again, with times_parked one higher. " +
			"A re-sent event's HUB_EVENT_TTL counts from now. Events parked while the call runs are left for the next one. Admin only; " +
			"`dnd-llm-service hub parked redeliver` does the same from a shell.",
		Body: &apidoc.Body{Schema: "HubRedeliverRequest", Description: "Which parked events.", Examples: []apidoc.Example{
			{Name: "all", Summary: "Every parked event", Value: hub.RedeliverRequest{All: true}},
			{Name: "status", Summary: "Those the hub answered 422", Value: hub.RedeliverRequest{Status: http.StatusUnprocessableEntity}},
			{Name: "ids", Summary: "Two events by id", Value: hub.RedeliverRequest{IDs: []string{"text_5f1c2a9b3d4e6f7081920a1b:succeeded", "image_0a1b2c3d4e5f60718293a4b5:failed"}}},
		}},
		Responses: map[int]apidoc.Response{
			200: {Description: "How many were re-sent, and the ids not found.", Content: []apidoc.Content{apidoc.JSON("HubRedeliverResult")}},
			400: apidoc.Ref("BadRequest"),
			401: apidoc.Ref("Unauthorized"),
			403: apidoc.Ref("Forbidden"),
			413: apidoc.Ref("PayloadTooLarge"),
			415: apidoc.Ref("UnsupportedMediaType"),
			503: apidoc.Ref("Unavailable"),
		},
	}
}
