package queue

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/hub"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// HubConfig configures the Message Hub's inbound route.
type HubConfig struct {
	Verifier   *auth.Verifier
	Submit     *submit.Service
	ServiceKey string          // accepted as X-Service-Key when set
	Messages   *group.Messages // the message types served
	Logger     *slog.Logger
	Now        func() time.Time
}

// HubMaxBody caps the hub envelope.
const HubMaxBody = 1 << 20

// Route is POST /api/v2/hub/messages. It answers in the hub's own reply
// shape, not as problems, because the hub reads it.
func (c HubConfig) Route() group.Route {
	if c.Now == nil {
		c.Now = time.Now
	}
	h := &hubHandler{cfg: c}
	return group.Route{
		Method: http.MethodPost, Path: "/api/v2/hub/messages", Auth: group.Own, MaxBody: HubMaxBody,
		Handler: h.post, Render: h.render, Doc: hubDoc(c.examples, vocabulary(c.Messages)),
		Sample: group.Sample{Status: http.StatusAccepted},
	}
}

// examples are one envelope per message type.
func (c HubConfig) examples() []apidoc.Example {
	var out []apidoc.Example
	for _, m := range c.Messages.All() {
		p, err := json.Marshal(m.Payload)
		if err != nil {
			continue // example payloads are plain request values
		}
		out = append(out, apidoc.Example{Name: m.Type, Summary: m.Summary, Value: hub.Envelope{
			Source: "character-service", Destination: "llm-service", MessageType: m.Type,
			CorrelationID: "corr-" + m.Type, Payload: p, Timestamp: "2026-01-31T12:00:00.000Z",
			ReplyTo: "character-service",
		}})
	}
	return out
}

type hubHandler struct{ cfg HubConfig }

// rejected is a refusal of an envelope, answered as a rejected reply.
type rejected struct {
	env hub.Envelope
	p   *httpapi.Problem
}

func (e *rejected) Error() string { return e.p.Error() }
func (e *rejected) Unwrap() error { return e.p }

func reject(env hub.Envelope, err error) error {
	return &rejected{env: env, p: httpapi.AsProblem(err)}
}

func (h *hubHandler) reply(w http.ResponseWriter, status int, env hub.Envelope, st string, data any, rerr *hub.ReplyError) {
	httpapi.JSON(w, status, hub.Reply{
		CorrelationID: env.CorrelationID, Status: st, Data: data, Error: rerr,
		Timestamp: hub.FormatTime(h.cfg.Now()),
	})
}

// render answers an error as a rejected reply.
func (h *hubHandler) render(w http.ResponseWriter, _ *http.Request, err error) {
	var rj *rejected
	if !errors.As(err, &rj) {
		rj = &rejected{p: httpapi.AsProblem(err)}
	}
	p := rj.p
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="dnd-llm-service"`)
	}
	if p.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((p.RetryAfter+time.Second-1)/time.Second)))
	}
	if p.Err != nil {
		h.cfg.Logger.Warn("hub message refused", "error", p.Err.Error())
	}
	h.reply(w, p.Status, rj.env, "rejected", nil, &hub.ReplyError{Code: p.Code, Message: problemMessage(p)})
}

func (h *hubHandler) post(w http.ResponseWriter, r *http.Request) error {
	var env hub.Envelope
	claims, ok := h.authenticate(r)
	if !ok {
		return reject(env, httpapi.NewProblem(httpapi.CodeUnauthorized, "A bearer token or a valid X-Service-Key is required."))
	}
	if err := httpapi.DecodeJSON(r, &env); err != nil {
		return reject(env, err)
	}
	if errs := env.Valid(r.Context()); len(errs) > 0 {
		return reject(env, httpapi.Invalid(errs))
	}
	msg, ok := h.cfg.Messages.Lookup(env.MessageType)
	if !ok {
		return reject(env, httpapi.Invalid(map[string]string{
			"message_type": "unknown; one of " + strings.Join(slices.Sorted(slices.Values(h.cfg.Messages.Names())), ", ")}))
	}
	if claims.Subject == "" {
		claims.Subject = env.Source
		if claims.Subject == "" {
			return reject(env, httpapi.Invalid(map[string]string{"source": "is required with X-Service-Key"}))
		}
	}
	req, err := msg.Build(auth.WithClaims(r.Context(), claims), env.Payload)
	if err != nil {
		return reject(env, err)
	}
	req.CorrelationID = env.CorrelationID
	req.Destination = env.ReplyTo
	a, err := h.cfg.Submit.Admit(r.Context(), w.Header(), claims, req, "", "")
	if err != nil {
		return reject(env, err)
	}
	if env.CorrelationID == "" {
		env.CorrelationID = a.Job.ID
	}
	h.reply(w, http.StatusAccepted, env, "accepted", map[string]any{
		"job_id": a.Job.ID, "status": a.Job.Status, "location": "/api/v2/queue/" + a.Job.ID,
	}, nil)
	return nil
}

// authenticate accepts a bearer token or the hub's service key.
func (h *hubHandler) authenticate(r *http.Request) (auth.Claims, bool) {
	if tok, ok := auth.BearerToken(r); ok {
		c, err := h.cfg.Verifier.Verify(tok)
		if err != nil {
			return auth.Claims{}, false
		}
		httpapi.SetCaller(r.Context(), c.Subject)
		return c, true
	}
	key := r.Header.Get("X-Service-Key")
	if h.cfg.ServiceKey != "" && key != "" && subtle.ConstantTimeCompare([]byte(key), []byte(h.cfg.ServiceKey)) == 1 {
		httpapi.SetCaller(r.Context(), "hub")
		return auth.Claims{}, true
	}
	return auth.Claims{}, false
}

func problemMessage(p *httpapi.Problem) string {
	if len(p.Errors) == 0 {
		return p.Detail
	}
	parts := make([]string, 0, len(p.Errors))
	for _, e := range p.Errors {
		parts = append(parts, e.Field+": "+e.Message)
	}
	return strings.Join(parts, "; ")
}

// vocabulary is the table of the message types the route accepts, each
// with its other names: the names the service registers with the hub as
// its capabilities.
func vocabulary(ms *group.Messages) string {
	var sb strings.Builder
	sb.WriteString("| message_type | also accepted as | payload |\n| --- | --- | --- |\n")
	for _, m := range ms.All() {
		aliases := "—"
		if len(m.Aliases) > 0 {
			aliases = "`" + strings.Join(m.Aliases, "`, `") + "`"
		}
		fmt.Fprintf(&sb, "| `%s` | %s | %s |\n", m.Type, aliases, m.Summary)
	}
	return sb.String()
}

func hubDoc(examples func() []apidoc.Example, vocabulary string) apidoc.Operation {
	reply := []apidoc.Content{apidoc.JSON("HubReply")}
	retry := submit.RetryAfterHeader(true, "retrying")
	return apidoc.Operation{
		ID: "hubMessage", Summary: "Accept a Message Hub request", Tag: "hub",
		Description: "The Message Hub delivers requests here. The message becomes a job (admitted like a REST request: priority, rate limit, quota) and is answered at once; " +
			"the job's events go to the hub and carry the envelope's `correlation_id` (the job id when it is empty). " +
			"Answers use the hub's reply shape, not problems. Authenticate with a bearer token, or the hub's X-Service-Key (then `source` is the caller).\n\n" +
			"Each operation is accepted by its message type or by the name of the job kind it makes, with the same payload; " +
			"the service registers every name below as its capabilities.\n\n" + vocabulary + "\n" +
			"`timestamp` is RFC 3339; a time without a zone (Python's `datetime.utcnow().isoformat()`, e.g. `2026-12-05T16:47:12.350854`) is taken as UTC. " +
			"Every timestamp the service sends is UTC with `Z`.",
		Security: apidoc.BearerOrServiceKey,
		Body:     &apidoc.Body{Schema: "HubEnvelope", Description: "The hub's envelope.", More: examples},
		Responses: map[int]apidoc.Response{
			202: {Description: "Accepted: data holds the job's id, status and location.", Content: reply},
			400: {Description: "Rejected: INVALID_PARAMETERS or INVALID_JSON (error.message names the fields).", Content: reply},
			401: {Description: "Rejected: no valid bearer token or X-Service-Key (UNAUTHORIZED).",
				Headers: []apidoc.Header{{Name: "WWW-Authenticate", Description: `Bearer realm="dnd-llm-service"`, Required: true, Schema: apidoc.Str()}}, Content: reply},
			403: {Description: "Rejected: priority urgent needs the admin scope (FORBIDDEN).", Content: reply},
			413: {Description: "The envelope is over 1 MiB: PAYLOAD_TOO_LARGE, as a problem when Content-Length declares it, else as a rejected reply.",
				Content: []apidoc.Content{apidoc.JSON("HubReply"), apidoc.Problem("Problem")}},
			415: {Description: "Rejected: the Content-Type is not JSON (UNSUPPORTED_MEDIA_TYPE).", Content: reply},
			429: {Description: "Rejected: RATE_LIMITED or QUOTA_EXCEEDED.",
				Headers: append([]apidoc.Header{submit.RetryAfterHeader(true, "retrying")}, submit.RateLimitHeaders()...), Content: reply},
			503: {Description: "Rejected: QUEUE_FULL or SERVICE_UNAVAILABLE.", Headers: []apidoc.Header{retry}, Content: reply},
		},
	}
}
