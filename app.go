package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	queueapi "github.com/dndcc/dnd-llm-service/functions/queue"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/health"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/ratelimit"
	"github.com/dndcc/dnd-llm-service/shared/redisconn"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// app is every dependency, built once by newApp.
type app struct {
	cfg      config.Config
	lambda   bool
	function string
	logger   *slog.Logger
	reg      *prometheus.Registry
	redis    *redisconn.Conn
	verifier *auth.Verifier
	queues   []*queue.Queue
	notifier *queue.Notifier
	runner   *queue.Runner
	qmetrics *queue.Metrics
	submit   *submit.Service
	cache    *cache.Cache
	health   *health.Checker
	httpm    *httpapi.Metrics
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	lvl, err := config.ParseLogLevel(level)
	if err != nil {
		return nil, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl})), nil
}

func serve(ctx context.Context, getenv func(string) string, stderr io.Writer, function string) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if function != "" {
		cfg.Function = function
	}
	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, config.Lambda(getenv), logger)
	if err != nil {
		return err
	}
	defer a.close()
	if a.lambda {
		return a.serveLambda(ctx)
	}
	return a.serveLongRunning(ctx)
}

func newApp(ctx context.Context, cfg config.Config, onLambda bool, logger *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, lambda: onLambda, function: cfg.Function, logger: logger}
	if v := cfg.Version; v != "" && v != "dev" {
		version = v
	}
	key := cfg.SecretKey.Value()
	if key == "" {
		key = auth.RandomKey()
		tok, err := auth.Mint(key, "dev", []string{auth.ScopeAdmin}, 24*time.Hour, time.Now(), cfg.JWTIssuer, cfg.JWTAudience)
		if err != nil {
			return nil, err
		}
		logger.Warn("SECRET_KEY is unset: generated a random key for this process; tokens die with it",
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

	conn, err := redisconn.Open(ctx, cfg.RedisURL.Value(), logger)
	if err != nil {
		return nil, err
	}
	a.redis = conn
	rdb := conn.Client

	a.reg = prometheus.NewRegistry()
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.httpm = httpapi.NewMetrics(a.reg)

	qcfg := func(name string, inFlight int) queue.Config {
		return queue.Config{
			Name: name, Prefix: cfg.RedisKeyPrefix, MaxDepth: cfg.QueueMaxDepth,
			QueueTimeout: cfg.JobQueueTimeout.D(), JobTTL: cfg.JobTTL.D(), Lease: cfg.JobLease.D(),
			MaxAttempts: cfg.JobMaxAttempts, MaxInFlight: inFlight,
			Outbox: cfg.HubEnabled(), OutboxMax: cfg.HubOutboxMax,
		}
	}
	textQ := queue.New(rdb, qcfg("text", cfg.TextMaxInFlight))
	imageQ := queue.New(rdb, qcfg("image", cfg.ImageMaxInFlight))
	a.queues = []*queue.Queue{textQ, imageQ}
	a.notifier = queue.NewNotifier(rdb, cfg.RedisKeyPrefix, logger)
	a.qmetrics = queue.NewMetrics(a.reg, a.queues...)
	a.runner = queue.NewRunner(map[string]queue.Handler{}, a.notifier, a.qmetrics, logger)
	a.runner.MaxRetryAfter = cfg.ProviderMaxRetryAfter.D()
	a.runner.FailureCode["text"] = httpapi.CodeTextGenerationFailed
	a.runner.FailureCode["image"] = httpapi.CodeImageGenerationFailed
	a.cache = cache.New(rdb, cfg.RedisKeyPrefix, a.reg)

	a.submit = submit.New(submit.Config{
		Queues: a.queues, Notifier: a.notifier, Limiter: ratelimit.New(rdb, cfg.RedisKeyPrefix),
		Cache: a.cache, Runner: a.runner, Metrics: a.qmetrics, Logger: logger, Registry: a.reg,
	})
	a.submit.Limits["text"] = cfg.TextRateLimit
	a.submit.Limits["image"] = cfg.ImageRateLimit
	if onLambda {
		a.submit.Inline = true
		a.submit.MaxWait = submit.LambdaMaxWait
	}

	a.health = health.New(rdb, version)
	a.health.Add("queue", a.queueState)
	a.health.Add("message_hub", func(context.Context) string { return "disabled" })
	return a, nil
}

func (a *app) queueState(ctx context.Context) string {
	for _, q := range a.queues {
		st, err := q.Stats(ctx)
		if err != nil {
			return "unreachable"
		}
		if st.PausedForS > 0 {
			return "paused"
		}
	}
	return "ok"
}

func (a *app) close() {
	if err := a.redis.Close(); err != nil {
		a.logger.Warn("close redis", "error", err.Error())
	}
}

// serves reports whether this process serves the endpoint group.
func (a *app) serves(group string) bool {
	return a.function == config.FunctionAll || a.function == group
}

// handler builds the HTTP handler of the process's function.
func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	a.mount(mux)
	return httpapi.Observe(a.logger, a.httpm)(httpapi.ProblemMux(mux))
}

// mount registers the routes of the process's function on mux.
func (a *app) mount(mux httpapi.Mux) {
	mux.Handle("GET /health", a.health)
	if !a.lambda {
		mux.Handle("GET /metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{Registry: a.reg}))
	}
	if a.serves(config.FunctionQueue) {
		queueapi.Register(mux, a.verifier, a.submit, a.logger)
	}
}

// workerQueues are the queues this process works on in long-running modes.
func (a *app) workerPools() []*queue.Pool {
	var pools []*queue.Pool
	for _, q := range a.queues {
		n := a.cfg.TextWorkers
		if q.Name() == "image" {
			n = a.cfg.ImageWorkers
		}
		if n > 0 && (a.function == config.FunctionAll || a.function == config.FunctionWorker || a.function == q.Name()) {
			pools = append(pools, queue.NewPool(q, a.runner, n, a.logger))
		}
	}
	return pools
}

// serveLongRunning runs the HTTP server and the workers until ctx ends,
// then stops in order: HTTP first (in-flight requests finish), then
// workers (running jobs finish or are handed back), Redis last.
func (a *app) serveLongRunning(ctx context.Context) error {
	var bg sync.WaitGroup
	bgCtx, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer func() { stopBG(); bg.Wait() }()
	bg.Add(1)
	go func() { defer bg.Done(); a.notifier.Run(bgCtx) }()

	jobCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	var workers sync.WaitGroup
	for _, p := range a.workerPools() {
		workers.Add(1)
		go func() { defer workers.Done(); p.Run(ctx, jobCtx) }()
	}

	ln, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(a.cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen on PORT %d: %w", a.cfg.Port, err)
	}
	srv := &http.Server{
		Handler:           a.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      submit.MaxWait + 30*time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	a.logger.Info("listening", "addr", ln.Addr().String(), "function", a.function, "version", version,
		"embedded_redis", a.redis.Embedded)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	a.logger.Info("shutting down", "grace", a.cfg.Shutdown.D().String())
	grace := a.cfg.Shutdown.D()
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		a.logger.Warn("http shutdown", "error", err.Error())
	}
	// Workers stopped claiming when ctx ended; running jobs get the rest of
	// the grace period, then are handed back.
	done := make(chan struct{})
	go func() { workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-sctx.Done():
		stopJobs()
		<-done
	}
	return nil
}

// serveLambda runs the function under the Lambda runtime.
func (a *app) serveLambda(ctx context.Context) error {
	var bg sync.WaitGroup
	bgCtx, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer func() { stopBG(); bg.Wait() }()
	bg.Add(1)
	go func() { defer bg.Done(); a.notifier.Run(bgCtx) }()
	select {
	case <-a.notifier.Ready():
	case <-time.After(5 * time.Second):
		a.logger.Warn("job announcements not subscribed yet; waiting requests will see results late")
	}
	if a.function == config.FunctionWorker {
		lambda.StartWithOptions(a.workerInvocation, lambda.WithContext(ctx))
		return nil
	}
	lambda.StartWithOptions(httpadapter.NewV2(a.handler()).ProxyWithContext, lambda.WithContext(ctx))
	return nil
}

// WorkerResult is what the scheduled worker invocation reports.
type WorkerResult struct {
	Ran int `json:"jobs_ran"`
}

// lambdaMargin is kept free at the end of a worker invocation to record
// outcomes before the deadline.
const lambdaMargin = 5 * time.Second

func (a *app) workerInvocation(ctx context.Context, _ events.EventBridgeEvent) (WorkerResult, error) {
	ran, err := queue.Drain(ctx, a.runner, lambdaMargin, a.queues...)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		a.logger.Error("worker invocation", "jobs_ran", ran, "error", err.Error())
		return WorkerResult{Ran: ran}, fmt.Errorf("drain queues: %w", err)
	}
	a.logger.Info("worker invocation", "jobs_ran", ran)
	return WorkerResult{Ran: ran}, nil
}
