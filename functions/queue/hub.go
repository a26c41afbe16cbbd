package queue

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/hub"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// HubConfig configures the Message Hub's inbound route.
type HubConfig struct {
	Verifier   *auth.Verifier
	Submit     *submit.Service
	ServiceKey string                    // accepted as X-Service-Key when set
	Builders   map[string]submit.Builder // by message_type
	Logger     *slog.Logger
	Now        func() time.Time
}

// HubMaxBody caps the hub envelope.
const HubMaxBody = 1 << 20

// RegisterHub mounts POST /api/v2/hub/messages. It answers in the hub's own
// reply shape, not as problems, because the hub reads it.
func RegisterHub(mux httpapi.Mux, c HubConfig) {
	if c.Now == nil {
		c.Now = time.Now
	}
	h := &hubHandler{cfg: c}
	mux.Handle("POST /api/v2/hub/messages", httpapi.MaxBody(HubMaxBody)(http.HandlerFunc(h.post)))
}

type hubHandler struct{ cfg HubConfig }

// MessageTypes lists the inbound message types served.
func (c HubConfig) MessageTypes() []string {
	types := make([]string, 0, len(c.Builders))
	for t := range c.Builders {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}

func (h *hubHandler) reply(w http.ResponseWriter, status int, env hub.Envelope, st string, data any, rerr *hub.ReplyError) {
	httpapi.JSON(w, status, hub.Reply{
		CorrelationID: env.CorrelationID, Status: st, Data: data, Error: rerr,
		Timestamp: hub.FormatTime(h.cfg.Now()),
	})
}

func (h *hubHandler) reject(w http.ResponseWriter, status int, env hub.Envelope, code, msg string) {
	h.reply(w, status, env, "rejected", nil, &hub.ReplyError{Code: code, Message: msg})
}

func (h *hubHandler) post(w http.ResponseWriter, r *http.Request) {
	var env hub.Envelope
	claims, ok := h.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="dnd-llm-service"`)
		h.reject(w, http.StatusUnauthorized, env, httpapi.CodeUnauthorized, "A bearer token or a valid X-Service-Key is required.")
		return
	}
	if err := httpapi.DecodeJSON(r, &env); err != nil {
		p := httpapi.AsProblem(err)
		h.reject(w, p.Status, env, p.Code, problemMessage(p))
		return
	}
	if errs := env.Valid(r.Context()); len(errs) > 0 {
		h.reject(w, http.StatusBadRequest, env, httpapi.CodeInvalidParameters, problemMessage(httpapi.Invalid(errs)))
		return
	}
	build, ok := h.cfg.Builders[env.MessageType]
	if !ok {
		h.reject(w, http.StatusBadRequest, env, httpapi.CodeInvalidParameters,
			"message_type: unknown; one of "+strings.Join(h.cfg.MessageTypes(), ", "))
		return
	}
	if claims.Subject == "" {
		claims.Subject = env.Source
		if claims.Subject == "" {
			h.reject(w, http.StatusBadRequest, env, httpapi.CodeInvalidParameters, "source: is required with X-Service-Key")
			return
		}
	}
	req, err := build(auth.WithClaims(r.Context(), claims), env.Payload)
	if err != nil {
		p := httpapi.AsProblem(err)
		h.reject(w, p.Status, env, p.Code, problemMessage(p))
		return
	}
	req.CorrelationID = env.CorrelationID
	req.Destination = env.ReplyTo
	a, err := h.cfg.Submit.Admit(r.Context(), w.Header(), claims, req, "", "")
	if err != nil {
		p := httpapi.AsProblem(err)
		if p.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((p.RetryAfter+time.Second-1)/time.Second)))
		}
		if p.Err != nil {
			h.cfg.Logger.Warn("hub message refused", "error", p.Err.Error())
		}
		h.reject(w, p.Status, env, p.Code, problemMessage(p))
		return
	}
	if env.CorrelationID == "" {
		env.CorrelationID = a.Job.ID
	}
	h.reply(w, http.StatusAccepted, env, "accepted", map[string]any{
		"job_id": a.Job.ID, "status": a.Job.Status, "location": "/api/v2/queue/" + a.Job.ID,
	}, nil)
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
