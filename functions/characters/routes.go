// Package characters serves POST /api/v2/characters: a whole character in
// one call. The call is one job on the text queue that makes the others:
// the sheet first; then, written from it, the backstory, personality,
// combat profile and equipment list it includes, and the portrait. Each
// of those is an ordinary job of its kind (text.character, image.generate),
// with its cache, de-duplication, usage and quota; the whole character's
// job shows their progress and ends when they have.
//
// The whole character's job never waits in a worker for its steps: each
// run advances what is ready, records the steps in its result and asks
// the queue to run it again shortly (queue.Result.Again). Under AWS
// Lambda, where no worker runs, a run also runs the steps the function
// may run itself: the text steps in the text function, all of them in
// the scheduled worker.
package characters

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/dndcc/dnd-llm-service/functions/image"
	"github.com/dndcc/dnd-llm-service/functions/text"
	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// Kind is the job kind of a whole character.
const Kind = "characters.create"

// Component names of the document.
const (
	JobName    = "CharactersJob"
	ResultName = "CharactersResult"
)

// DefaultPoll is how soon a whole character waiting for its steps looks
// at them again.
const DefaultPoll = 500 * time.Millisecond

// Group declares the whole-character endpoint group. The text function
// serves it; its job runs on the text queue.
var Group = group.Def{
	Name:     "characters",
	Function: "text",
	About:    "A whole character in one call: sheet, documents and portrait.",
	Tags:     []apidoc.Tag{{Name: "characters", Description: "A whole character in one call: the sheet, the documents written from it, and its portrait."}},
	New:      newGroup,
}

func newGroup(d group.Deps) (group.Parts, error) {
	build := func(kind string) (submit.Builder, error) {
		m, ok := d.Messages.Lookup(kind)
		if !ok {
			return nil, fmt.Errorf("no group builds %s jobs: the characters group needs the text and image groups before it", kind)
		}
		return m.Build, nil
	}
	textBuild, err := build(dnd.KindCharacter)
	if err != nil {
		return group.Parts{}, err
	}
	imageBuild, err := build(image.KindGenerate)
	if err != nil {
		return group.Parts{}, err
	}
	s := New(Config{
		Submit: d.Submit, Runner: d.Runner, Text: textBuild, Image: imageBuild,
		Queues: map[string]*queue.Queue{text.QueueName: d.Queue(text.QueueName), image.QueueName: d.Queue(image.QueueName)},
		Inline: inlineQueues(d), Logger: d.Logger,
	})
	return group.Parts{
		Routes: []group.Route{s.route()},
		Jobs: []group.Job{{Kind: Kind, Queue: text.QueueName, Handler: s.Handler(), Result: ResultName, Schema: JobName,
			About: "It runs in steps: result shows their progress while it is queued or running, and keeps the steps finished when it failed or was canceled."}},
		Types:   []any{Request{}, Result{}, Step{}},
		Schemas: schemas(),
	}, nil
}

// inlineQueues are the queues whose steps a whole character runs itself:
// none in long-running modes, where workers run them; under AWS Lambda,
// the text steps in the text function (the portrait waits for the
// scheduled worker, which holds the image provider's key), and every step
// in the worker.
func inlineQueues(d group.Deps) []string {
	if !d.Lambda {
		return nil
	}
	switch d.Config.Function {
	case config.FunctionAll, config.FunctionWorker:
		return []string{text.QueueName, image.QueueName}
	case "text":
		return []string{text.QueueName}
	}
	return nil
}

// Config lists the Service's dependencies.
type Config struct {
	Submit *submit.Service
	Runner *queue.Runner
	// Queues are the queues of the steps' jobs (text and image) by name.
	Queues map[string]*queue.Queue
	// Text builds a text.character job from a character request's body;
	// Image an image.generate job from a generate request's body (the
	// groups' Message Hub builders of those kinds).
	Text, Image submit.Builder
	// Inline are the queues whose steps the job runs in its own run.
	Inline []string
	// Poll is how soon a job waiting for its steps runs again; default
	// DefaultPoll.
	Poll   time.Duration
	Logger *slog.Logger
}

// Service serves the route and runs the whole characters' jobs.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(c Config) *Service {
	if c.Poll <= 0 {
		c.Poll = DefaultPoll
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: c}
}

// Handler returns the queue handler of Kind.
func (s *Service) Handler() queue.Handler { return queue.HandlerFunc(s.run) }

// payload is a whole character job's payload.
type payload struct {
	Request Request `json:"request"` // normalised, include filled in
	// CacheControl is the request's, for the steps' admission.
	CacheControl string `json:"cache_control,omitempty"`
}

func (s *Service) route() group.Route {
	return group.Route{
		Method: http.MethodPost, Path: "/api/v2/characters", Auth: group.Bearer, MaxBody: text.MaxBody, Handler: s.create,
		Doc: createDoc(),
		// The text function writes the text steps itself; the portrait
		// waits for the scheduled worker.
		Sample: group.Sample{Query: "wait=2", Status: http.StatusAccepted},
	}
}

// create admits a whole character and answers under the sync/async
// contract.
func (s *Service) create(w http.ResponseWriter, r *http.Request) error {
	req, err := httpapi.Decode[Request](r)
	if err != nil {
		return err
	}
	sr, err := s.admission(r.Context(), req.normalized(), r.Header.Get("Cache-Control"))
	if err != nil {
		return err
	}
	return s.cfg.Submit.Handle(w, r, sr)
}

// admission is the submission of a whole character: its own job, charged
// to the caller's text and image rate limits for every step it will
// start, and refused at once when a step's quota would refuse it.
func (s *Service) admission(ctx context.Context, req Request, cacheControl string) (submit.Request, error) {
	// Building the sheet's job checks what the character route checks
	// (the model's name among it), and gives the text quota.
	body, err := req.stepRequest(StepSheet, nil)
	if err != nil {
		return submit.Request{}, fmt.Errorf("sheet request: %w", err)
	}
	sheet, err := s.cfg.Text(ctx, body)
	if err != nil {
		return submit.Request{}, unprefixed(err)
	}
	quotas := []func(context.Context, string) error{sheet.Quota}
	textN, images := req.charges()
	if images > 0 {
		// The image quota, from a portrait of the same priority (its
		// prompt stands in for the sheet, not written yet).
		b, _ := json.Marshal(image.GenerateRequest{Type: imagegen.TypeCharacterPortrait, Prompt: "a portrait", Priority: req.Priority})
		portrait, err := s.cfg.Image(ctx, b)
		if err != nil {
			return submit.Request{}, unprefixed(err)
		}
		quotas = append(quotas, portrait.Quota)
	}
	p, err := json.Marshal(payload{Request: req, CacheControl: cacheControl})
	if err != nil {
		return submit.Request{}, fmt.Errorf("whole character payload: %w", err)
	}
	canonical, err := json.Marshal(req)
	if err != nil {
		return submit.Request{}, fmt.Errorf("whole character payload: %w", err)
	}
	return submit.Request{
		Queue: text.QueueName, Kind: Kind, Priority: req.Priority, Payload: p,
		Canonical: cache.Hash("characters", string(canonical)), Quota: allOf(quotas),
		Charges: []submit.Charge{{Group: text.QueueName, N: textN}, {Group: image.QueueName, N: images}},
	}, nil
}

// allOf is a quota check that passes when each of checks does.
func allOf(checks []func(context.Context, string) error) func(context.Context, string) error {
	return func(ctx context.Context, owner string) error {
		for _, check := range checks {
			if check == nil {
				continue
			}
			if err := check(ctx, owner); err != nil {
				return err
			}
		}
		return nil
	}
}

// unprefixed is a builder's refusal as the route's: its fields are named
// by their path in the body, not in a hub payload.
func unprefixed(err error) error {
	p := httpapi.AsProblem(err)
	if len(p.Errors) == 0 {
		return p
	}
	c := *p
	c.Errors = append([]httpapi.FieldError(nil), p.Errors...)
	for i := range c.Errors {
		c.Errors[i].Field = strings.TrimPrefix(c.Errors[i].Field, "payload.")
	}
	return &c
}

// stepContext is the context a step's job is built and admitted in: the
// caller's claims (the image builder reads the owner), the no-store of the
// request, and its request id.
func stepContext(ctx context.Context, job *queue.Job, cacheControl string) context.Context {
	ctx = auth.WithClaims(ctx, auth.Claims{Subject: job.Owner})
	ctx = submit.WithNoStore(ctx, submit.NoStore(cacheControl))
	return httpapi.WithInfo(ctx, job.RequestID)
}
