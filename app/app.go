// Package app assembles the service: it builds every dependency once from
// the config, builds the endpoint groups with them, and serves the
// groups of one FUNCTION over HTTP or under AWS Lambda.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/health"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/ratelimit"
	"github.com/dndcc/dnd-llm-service/shared/redisconn"
	"github.com/dndcc/dnd-llm-service/shared/submit"
	"github.com/dndcc/dnd-llm-service/shared/tracing"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

// Options are what the program knows besides the config.
type Options struct {
	Lambda  bool   // runs under AWS Lambda
	Version string // the build's version; SERVICE_VERSION overrides it
	Logger  *slog.Logger
	// Groups are the endpoint groups; default Groups.
	Groups []group.Def
}

// App is every dependency, built once by New.
type App struct {
	cfg      config.Config
	lambda   bool
	version  string
	logger   *slog.Logger
	reg      *prometheus.Registry
	redis    *redisconn.Conn
	verifier *auth.Verifier
	queues   []*queue.Queue
	drain    []queue.DrainQueue // the Lambda worker's queues, with their workers
	notifier *queue.Notifier
	runner   *queue.Runner
	pools    []*queue.Pool
	submit   *submit.Service
	health   *health.Checker
	httpm    *httpapi.Metrics
	qmetrics *queue.Metrics
	tracing  *tracing.Provider
	hub      *hubLink
	messages *group.Messages
	groups   []Built
}

// Built is a group with its parts, as the app built it.
type Built struct {
	group.Def
	group.Parts
}

// New builds the app for cfg.
func New(ctx context.Context, cfg config.Config, o Options) (*App, error) {
	if o.Groups == nil {
		o.Groups = Groups
	}
	a := &App{cfg: cfg, lambda: o.Lambda, version: o.Version, logger: o.Logger, messages: &group.Messages{}}
	if v := cfg.Version; v != "" && v != "dev" {
		a.version = v
	}
	key, err := a.signingKey()
	if err != nil {
		return nil, err
	}
	a.redis, err = redisconn.Open(ctx, redisconn.Options{
		URL: cfg.RedisURL.Value(), Mode: cfg.RedisMode, PoolSize: redisconn.PoolSize(cfg.TextWorkers+cfg.ImageWorkers, 0),
	}, a.logger)
	if err != nil {
		return nil, err
	}
	if err := a.startTracing(ctx); err != nil {
		a.redis.Close()
		return nil, err
	}
	rdb := a.redis.Client
	a.reg = prometheus.NewRegistry()
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.httpm = httpapi.NewMetrics(a.reg)

	specs := a.openQueues(o.Groups)
	a.notifier = queue.NewNotifier(rdb, cfg.RedisKeyPrefix, a.logger)
	qmetrics := queue.NewMetrics(a.reg, a.queues...)
	a.qmetrics = qmetrics
	a.registerOpsMetrics(qmetrics)
	kinds := queue.NewMux()
	a.runner = queue.NewRunner(queue.RunnerConfig{
		Handlers: kinds, Notifier: a.notifier, Metrics: qmetrics, Logger: a.logger,
		MaxRetryAfter: cfg.ProviderMaxRetryAfter.D(),
	})
	c := cache.New(rdb, cfg.RedisKeyPrefix, a.reg)
	events := newHubEvents(cfg, rdb, a.logger)
	a.submit = submit.New(submit.Config{
		Queues: a.submitQueues(specs), Notifier: a.notifier, Limiter: ratelimit.New(rdb, cfg.RedisKeyPrefix),
		Cache: c, Runner: a.runner, Metrics: qmetrics, Logger: a.logger, Registry: a.reg,
		Inline: o.Lambda, MaxWait: a.maxWait(), OnRateLimited: events.notifier(),
	})
	a.health = health.New(rdb, a.version)
	deps := group.Deps{
		Config: cfg, Lambda: o.Lambda, Version: a.version, Logger: a.logger, Registry: a.reg, Redis: rdb,
		Verifier: a.verifier, Submit: a.submit, Runner: a.runner, Cache: c, Usage: usage.New(rdb, cfg.RedisKeyPrefix, nil),
		SigningKey: []byte(key), Messages: a.messages, Queues: a.queues, Health: a.health, Now: time.Now,
	}
	if err := a.build(o.Groups, deps, kinds); err != nil {
		return nil, err
	}
	if a.hub, err = newHubLink(cfg, a.redis, events, a.queues, a.version, a.messages.Names(), a.reg, a.logger); err != nil {
		return nil, err
	}
	a.health.Add("message_hub", a.hub.State)
	return a, nil
}

// signingKey sets up the token verifier and returns the key that signs
// tokens and image URLs: SECRET_KEY, or a random key whose development
// token is logged.
func (a *App) signingKey() (string, error) {
	cfg := a.cfg
	key := cfg.SecretKey.Value()
	if key == "" {
		key = auth.RandomKey()
		tok, err := auth.Mint(key, "dev", []string{auth.ScopeAdmin}, 24*time.Hour, time.Now(), cfg.JWTIssuer, cfg.JWTAudience)
		if err != nil {
			return "", err
		}
		a.logger.Warn("SECRET_KEY is unset: generated a random key for this process; tokens die with it",
			"dev_token", tok, "sub", "dev", "scope", auth.ScopeAdmin, "expires_in", "24h")
	}
	var opts []auth.Option
	if cfg.JWTIssuer != "" {
		opts = append(opts, auth.WithIssuer(cfg.JWTIssuer))
	}
	if cfg.JWTAudience != "" {
		opts = append(opts, auth.WithAudience(cfg.JWTAudience))
	}
	a.verifier = auth.NewVerifier(key, cfg.SecretKeyPrevious.Value(), opts...)
	return key, nil
}

// queueSpec is a queue as opened: its declaration and settings.
type queueSpec struct {
	queue    *queue.Queue
	settings group.QueueSettings
	function string // the FUNCTION of the group that owns it
}

// openQueues opens every group's queues.
func (a *App) openQueues(defs []group.Def) []queueSpec {
	cfg := a.cfg
	var specs []queueSpec
	for _, d := range defs {
		for _, q := range d.Queues {
			qq := queue.New(a.redis.Client, queueConfig(cfg, q))
			a.queues = append(a.queues, qq)
			s := queueSpec{queue: qq, settings: q.Settings(cfg), function: d.Function}
			specs = append(specs, s)
			a.drain = append(a.drain, queue.DrainQueue{Queue: qq, Workers: s.settings.Workers})
		}
	}
	return specs
}

// queueConfig is the configuration of the queue q under cfg.
func queueConfig(cfg config.Config, q group.Queue) queue.Config {
	return queue.Config{
		Name: q.Name, Prefix: cfg.RedisKeyPrefix, MaxDepth: cfg.QueueMaxDepth,
		QueueTimeout: cfg.JobQueueTimeout.D(), JobTTL: cfg.JobTTL.D(), FailedJobTTL: cfg.FailedJobTTL.D(), Lease: cfg.JobLease.D(),
		MaxAttempts: cfg.JobMaxAttempts, MaxInFlight: q.Settings(cfg).MaxInFlight, FailureCode: q.FailureCode,
		Outbox: cfg.HubEnabled(), OutboxMax: cfg.HubOutboxMax,
	}
}

// submitQueues are the queues with their rate limits and, in long-running
// modes, the worker pools of the queues this process works on: their free
// slots are lent to synchronous requests.
func (a *App) submitQueues(specs []queueSpec) []submit.QueueConfig {
	var out []submit.QueueConfig
	for _, s := range specs {
		qc := submit.QueueConfig{Queue: s.queue, RateLimit: s.settings.RateLimit}
		if a.worksOn(s) && s.settings.Workers > 0 {
			p := queue.NewPool(s.queue, a.runner, s.settings.Workers, a.logger)
			p.Blocking = a.redis.Blocking
			a.pools = append(a.pools, p)
			qc.Slots = p
		}
		out = append(out, qc)
	}
	return out
}

// worksOn reports whether this process runs workers on the queue: in
// long-running modes, as FUNCTION=all, worker, or the function of the
// queue's group.
func (a *App) worksOn(s queueSpec) bool {
	if a.lambda {
		return false
	}
	switch a.cfg.Function {
	case config.FunctionAll, config.FunctionWorker, s.function:
		return true
	}
	return false
}

func (a *App) maxWait() time.Duration {
	if a.lambda {
		return submit.LambdaMaxWait
	}
	return submit.MaxWait
}

// build builds every group and registers its job kinds, message types and
// health components.
func (a *App) build(defs []group.Def, deps group.Deps, kinds *queue.Mux) error {
	for _, d := range defs {
		parts, err := d.New(deps)
		if err != nil {
			return fmt.Errorf("group %s: %w", d.Name, err)
		}
		for _, j := range parts.Jobs {
			if err := kinds.Handle(j.Kind, j.Handler); err != nil {
				return fmt.Errorf("group %s: %w", d.Name, err)
			}
		}
		for _, m := range parts.Messages {
			if err := a.messages.Add(m); err != nil {
				return fmt.Errorf("group %s: %w", d.Name, err)
			}
		}
		for _, c := range parts.Health {
			a.health.Add(c.Name, c.State)
		}
		a.groups = append(a.groups, Built{Def: d, Parts: parts})
	}
	return nil
}

// kindsOf lists every job kind of the groups, sorted.
func kindsOf(groups []Built) []string {
	var kinds []string
	for _, g := range groups {
		for _, j := range g.Jobs {
			kinds = append(kinds, j.Kind)
		}
	}
	slices.Sort(kinds)
	return kinds
}

// Kinds returns every job kind the app runs, sorted.
func (a *App) Kinds() []string { return kindsOf(a.groups) }

// Built returns the groups as built, in order.
func (a *App) Built() []Built { return slices.Clone(a.groups) }

// Messages returns the Message Hub message types every group accepts.
func (a *App) Messages() []group.Message { return a.messages.All() }

// Close releases the app's connections, and exports the spans not yet
// exported (within a second).
func (a *App) Close() {
	if err := a.redis.Close(); err != nil {
		a.logger.Warn("close redis", "error", err.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := a.tracing.Shutdown(ctx); err != nil {
		a.logger.Warn("spans not exported at exit", "error", err.Error())
	}
}

// Routes returns the routes the process's function serves.
func (a *App) Routes() []group.Route {
	var out []group.Route
	for _, g := range a.groups {
		if g.Function != "" && a.cfg.Function != config.FunctionAll && a.cfg.Function != g.Function {
			continue
		}
		for _, r := range g.Routes {
			if r.LongRunning && a.lambda {
				continue
			}
			out = append(out, r)
		}
	}
	return out
}

// Handler builds the HTTP handler of the process's function.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range a.Routes() {
		mux.Handle(r.Pattern(), r.Handle(a.verifier))
	}
	return tracing.Middleware(httpapi.Observe(a.logger, a.httpm)(httpapi.ProblemMux(mux)))
}

// Embedded builds the app of defs on its embedded defaults (an in-process
// store, offline providers, no hub), for tools that read the groups' declarations:
// the API document and the sample Lambda events. Close it after use.
func Embedded(defs []group.Def) (*App, error) {
	cfg, err := config.Load(func(string) string { return "" }, Functions(defs)...)
	if err != nil {
		return nil, err
	}
	return New(context.Background(), cfg, Options{Logger: slog.New(slog.DiscardHandler), Groups: defs})
}
