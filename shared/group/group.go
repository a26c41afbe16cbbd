// Package group declares endpoint groups. Each group package (functions/*)
// exports one Def that says everything the rest of the program needs to
// know about it: the Lambda function that serves it, the queues it owns,
// and, once built with the shared dependencies, its routes (each with its
// OpenAPI operation), the job kinds it runs, the Message Hub messages it
// accepts and its health components.
//
// The app mounts a list of Defs. The FUNCTION values, the routes each one
// serves, the OpenAPI document, the sample Lambda events and the check of
// template.yaml are all derived from that list.
package group

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/health"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

// Def declares an endpoint group.
type Def struct {
	// Name names the group; it is also the default tag of its operations.
	Name string
	// Function is the FUNCTION value (and the Lambda function) that serves
	// the group. Empty means every function serves it; template.yaml then
	// routes it to Home.
	Function string
	// Home is where template.yaml routes a group every function serves.
	Home string
	// About says in one line what the function serves (template.yaml's
	// Description).
	About string
	// Tags are the document's tags this group introduces, in order.
	Tags []apidoc.Tag
	// Queues are the queues the group owns.
	Queues []Queue
	// New builds the group's parts from the shared dependencies.
	New func(Deps) (Parts, error)
}

// Queue declares a queue: its name, the problem code of a job that fails
// for an unclassified reason, and its settings, read from the config.
type Queue struct {
	Name        string
	FailureCode string
	Settings    func(config.Config) QueueSettings
}

// QueueSettings are a queue's limits.
type QueueSettings struct {
	RateLimit   int // requests a minute per caller; 0 = none
	Workers     int // jobs running at once per process (a pool's slots; under Lambda, the scheduled worker's)
	MaxInFlight int // running jobs across all processes; 0 = no cap
}

// Deps are the dependencies a group may use, built once by the app.
type Deps struct {
	Config     config.Config
	Lambda     bool // runs under AWS Lambda
	Version    string
	Logger     *slog.Logger
	Registry   *prometheus.Registry
	Redis      redis.UniversalClient
	Verifier   *auth.Verifier
	Submit     *submit.Service
	Cache      *cache.Cache
	Usage      *usage.Store
	SigningKey []byte // SECRET_KEY, or the process's random key
	// Messages are the Message Hub message types every group accepts, for
	// the route that receives them.
	Messages *Messages
	// Queues are every group's queues.
	Queues []*queue.Queue
	// Health is the /health checker; groups' components are added to it.
	Health *health.Checker
	// Now is the clock; time.Now in production.
	Now func() time.Time
	// Runner runs jobs in this process: a group may run a job it started
	// itself, where no worker would (under AWS Lambda).
	Runner *queue.Runner
}

// Queue returns the queue called name, or nil.
func (d Deps) Queue(name string) *queue.Queue {
	for _, q := range d.Queues {
		if q.Name() == name {
			return q
		}
	}
	return nil
}

// Parts are what a built group contributes.
type Parts struct {
	Routes []Route
	Jobs   []Job
	// Messages are the Message Hub message types the group accepts.
	Messages []Message
	Health   []Component
	// Types are values of the Go types whose components the group's
	// operations and schemas refer to by name.
	Types []any
	// Schemas are components the group's operations refer to that no Go
	// type describes (derived shapes).
	Schemas []apidoc.Component
}

// Job is a job kind the group runs.
type Job struct {
	Kind    string
	Queue   string
	Handler queue.Handler
	// Result is the component that describes a finished job's result.
	Result string
	// Schema names the component of a job of this kind, which the document
	// derives from Job with kind fixed and result a Result; the routes that
	// submit the kind answer with it, and Job becomes the union of every
	// kind's, told apart by kind.
	Schema string
	// About, when set, ends the description of the kind's component.
	About string
}

// Message is a Message Hub message type the group accepts.
type Message struct {
	Type string
	// Aliases are other names of the same message, with the same payload:
	// the job kind it makes (text.character for character_content), so a
	// hub may use either vocabulary. They are accepted and registered as
	// capabilities like Type.
	Aliases []string
	Summary string // for the document's example
	Build   submit.Builder
	// Payload is an example payload, of the Go type that describes it.
	Payload any
}

// Names returns the message's type and its aliases.
func (m Message) Names() []string { return append([]string{m.Type}, m.Aliases...) }

// Component is a health component.
type Component struct {
	Name  string
	State func(ctx context.Context) string
}

// Auth says who may call a route.
type Auth int

// Route authentication.
const (
	Bearer Auth = iota // a valid bearer token
	Admin              // a valid bearer token with the admin scope
	Public             // anyone
	Own                // the handler authenticates (signed URLs, service keys)
)

// Route is one route of a group.
type Route struct {
	Method  string
	Path    string
	Auth    Auth
	MaxBody int64 // body cap; 0 = none
	Handler httpapi.HandlerFunc
	// Render writes the handler's error; default a problem.
	Render func(w http.ResponseWriter, r *http.Request, err error)
	// LongRunning routes are not served under AWS Lambda.
	LongRunning bool
	Doc         apidoc.Operation
	// Sample is the request of the route's sample Lambda event: its path
	// with concrete values, query and body. Empty fields take the route's
	// path and its first body example.
	Sample Sample
}

// Sample is a concrete request for a route.
type Sample struct {
	Path  string
	Query string
	// Status is what the sample answers on a fresh service.
	Status int
}

// Pattern is the route's ServeMux pattern, e.g. "GET /health".
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// Handle returns the route's handler behind its guards: the body cap,
// then the auth check. The cap comes first so that an oversized body is
// refused (and drained, see httpapi.BodyLimit) whoever sends it.
func (r Route) Handle(v *auth.Verifier) http.Handler {
	render := r.Render
	if render == nil {
		render = httpapi.Error
	}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if err := r.Handler(w, req); err != nil {
			render(w, req, err)
		}
	})
	var mw []func(http.Handler) http.Handler
	if r.MaxBody > 0 {
		mw = append(mw, httpapi.MaxBody(r.MaxBody))
	}
	switch r.Auth {
	case Bearer:
		mw = append(mw, auth.Middleware(v))
	case Admin:
		mw = append(mw, auth.Middleware(v), requireAdmin)
	}
	return httpapi.Chain(h, mw...)
}

func requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, _ := auth.FromContext(r.Context()); !c.Admin() {
			httpapi.WriteProblem(w, r, httpapi.NewProblem(httpapi.CodeForbidden, "This needs the admin scope."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Messages is the table of Message Hub message types: filled from every
// group's parts when the app is built, read by the route that receives
// messages.
type Messages struct {
	list []Message
}

// Add registers m. A name (type or alias) registered twice is an error.
func (ms *Messages) Add(m Message) error {
	for i, name := range m.Names() {
		if _, ok := ms.Lookup(name); ok || slices.Contains(m.Names()[:i], name) {
			return fmt.Errorf("message type %q is declared twice", name)
		}
	}
	ms.list = append(ms.list, m)
	return nil
}

// Lookup returns the message called name, by its type or an alias.
func (ms *Messages) Lookup(name string) (Message, bool) {
	for _, m := range ms.list {
		if slices.Contains(m.Names(), name) {
			return m, true
		}
	}
	return Message{}, false
}

// All returns the message types in the order they were added.
func (ms *Messages) All() []Message { return append([]Message(nil), ms.list...) }

// Names returns every name the messages are accepted by, types and
// aliases, in the order they were added: what the service registers with
// the hub as its capabilities.
func (ms *Messages) Names() []string {
	var out []string
	for _, m := range ms.list {
		out = append(out, m.Names()...)
	}
	return out
}
