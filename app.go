package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dndcc/dnd-llm-service/functions/docs"
	imageapi "github.com/dndcc/dnd-llm-service/functions/image"
	queueapi "github.com/dndcc/dnd-llm-service/functions/queue"
	textapi "github.com/dndcc/dnd-llm-service/functions/text"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/getimg"
	"github.com/dndcc/dnd-llm-service/shared/health"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
	"github.com/dndcc/dnd-llm-service/shared/openai"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/ratelimit"
	"github.com/dndcc/dnd-llm-service/shared/redisconn"
	"github.com/dndcc/dnd-llm-service/shared/submit"
	"github.com/dndcc/dnd-llm-service/shared/textgen"
	"github.com/dndcc/dnd-llm-service/shared/usage"
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
	usage    *usage.Store
	text     *textapi.Service
	image    *imageapi.Service
	hub      *hubLink
	builders map[string]submit.Builder
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

	conn, err := redisconn.Open(ctx, redisconn.Options{URL: cfg.RedisURL.Value(), Mode: cfg.RedisMode, PoolSize: redisconn.PoolSize(cfg.TextWorkers+cfg.ImageWorkers, 0)}, logger)
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
	handlers := map[string]queue.Handler{}
	a.runner = queue.NewRunner(handlers, a.notifier, a.qmetrics, logger)
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

	a.usage = usage.New(rdb, cfg.RedisKeyPrefix, nil)
	gen, err := newTextGenerator(cfg, logger, a.reg)
	if err != nil {
		return nil, err
	}
	prices, _ := usage.ParsePrices(cfg.OpenAIPrices) // validated with the config
	a.text = textapi.New(textapi.Config{
		Submit: a.submit, Generator: gen, Cache: a.cache, Usage: a.usage, Prices: prices,
		CacheTTL: cfg.TextCacheTTL.D(), DailyTokenQuota: cfg.TextDailyTokenQuota, Logger: logger, Registry: a.reg,
	})
	for k, h := range a.text.Handlers() {
		handlers[k] = h
	}

	gc, err := newGetImg(cfg, logger, a.reg)
	if err != nil {
		return nil, err
	}
	a.image = imageapi.New(imageapi.Config{
		Verifier: a.verifier, Submit: a.submit, Queue: imageQ, Redis: rdb, Prefix: cfg.RedisKeyPrefix,
		Cache: a.cache, Usage: a.usage, Logger: logger, Registry: a.reg,
		GetImg: gc, Offline: imagegen.New(), GenerateModel: cfg.GetImgGenerateModel,
		SigningKey: []byte(key), ImageTTL: cfg.ImageTTL.D(), URLTTL: cfg.ImageURLTTL.D(),
		StoreBudget: cfg.ImageStoreBudget, DailyCostQuota: cfg.ImageDailyCostQuota,
		Lambda: onLambda,
	})
	maps.Copy(handlers, a.image.Handlers())

	a.builders = a.text.HubBuilders()
	maps.Copy(a.builders, a.image.HubBuilders())

	kinds := a.runner.Kinds()
	slices.Sort(kinds)
	if a.hub, err = newHubLink(cfg, a, kinds, a.reg); err != nil {
		return nil, err
	}
	if a.hub != nil {
		a.submit.OnRateLimited = a.hub
	}

	a.health = health.New(rdb, version)
	a.health.Add("openai", a.text.ProviderState)
	a.health.Add("getimg", a.image.ProviderState)
	a.health.Add("message_hub", a.hub.State)
	a.health.Add("queue", a.queueState)
	return a, nil
}

// newTextGenerator picks the text provider: OpenAI (or a compatible
// server) when configured, the offline generator otherwise.
func newTextGenerator(cfg config.Config, logger *slog.Logger, reg prometheus.Registerer) (textgen.Generator, error) {
	if cfg.TextProviderName() == "offline" {
		logger.Info("text provider: offline generator (no OPENAI_API_KEY or OPENAI_BASE_URL)")
		return textgen.NewOffline(cfg.OpenAIModels), nil
	}
	retries := cfg.OpenAIMaxRetries
	if retries == 0 {
		retries = openai.NoRetries
	}
	base := cfg.OpenAIBaseURL
	if base == "" {
		base = "https://api.openai.com/v1"
	}
	c, err := openai.New(openai.Config{
		APIKey: cfg.OpenAIAPIKey.Value(), BaseURL: base, Models: cfg.OpenAIModels,
		RequestTimeout: cfg.OpenAIRequestTimeout.D(), MaxRetries: retries,
		MaxRetryAfter: cfg.ProviderMaxRetryAfter.D(), Logger: logger, Registerer: reg,
	})
	if err != nil {
		return nil, fmt.Errorf("OPENAI settings: %w", err)
	}
	logger.Info("text provider: openai", "base_url", base, "models", cfg.OpenAIModels)
	return textgen.NewOpenAI(c), nil
}

// newGetImg returns the GetImg client when images go to GetImg, or nil for
// the offline renderer.
func newGetImg(cfg config.Config, logger *slog.Logger, reg prometheus.Registerer) (*getimg.Client, error) {
	if cfg.ImageProviderName() == "offline" {
		logger.Info("image provider: offline renderer (no GETIMG_API_KEY or GETIMG_BASE_URL)")
		return nil, nil
	}
	key := cfg.GetImgAPIKey.Value()
	if key == "" {
		key = "none" // a keyless proxy named by GETIMG_BASE_URL
	}
	gc, err := getimg.New(getimg.Config{
		APIKey: key, BaseURL: cfg.GetImgBaseURL,
		RequestTimeout: cfg.GetImgRequestTimeout.D(), MaxRetryAfter: cfg.ProviderMaxRetryAfter.D(),
		Logger: logger, Registerer: reg,
	})
	if err != nil {
		return nil, fmt.Errorf("GETIMG settings: %w", err)
	}
	logger.Info("image provider: getimg", "model", cfg.GetImgGenerateModel)
	return gc, nil
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
	if a.serves(config.FunctionText) {
		a.text.Register(mux, a.verifier)
	}
	if a.serves(config.FunctionImage) {
		a.image.Register(mux)
	}
	if a.serves(config.FunctionQueue) {
		queueapi.Register(mux, a.verifier, a.submit, a.logger)
		queueapi.RegisterUsage(mux, a.verifier, a.usage)
		queueapi.RegisterHub(mux, queueapi.HubConfig{
			Verifier: a.verifier, Submit: a.submit, ServiceKey: a.cfg.HubServiceKey.Value(),
			Builders: a.builders, Logger: a.logger,
		})
		docs.Register(mux)
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
	pools := a.workerPools()
	for _, p := range pools {
		// Synchronous requests may run their own job on a free worker slot.
		a.submit.Local[p.Queue().Name()] = p
	}
	var bg sync.WaitGroup
	bgCtx, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer func() { stopBG(); bg.Wait() }()
	bg.Add(1)
	go func() { defer bg.Done(); a.notifier.Run(bgCtx) }()
	if a.hub != nil {
		a.hub.run(bgCtx, &bg)
	}

	jobCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	var workers sync.WaitGroup
	for _, p := range pools {
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
	srv.RegisterOnShutdown(a.submit.Drain) // waiting requests answer 202 at once
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
	proxy := httpadapter.NewV2(a.handler()).ProxyWithContext
	lambda.StartWithOptions(func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		resp, err := proxy(ctx, ev)
		// Deliver the events this invocation produced; what is left waits
		// for the scheduled worker.
		a.hub.flush(ctx, 2*time.Second)
		return resp, err
	}, lambda.WithContext(ctx))
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
	if a.hub != nil {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if err := a.hub.registrar.RegisterOnce(rctx); err != nil {
			a.logger.Warn("hub registration failed; next run retries", "error", err.Error())
		}
		cancel()
	}
	ran, err := queue.Drain(ctx, a.runner, lambdaMargin, a.queues...)
	grace := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		grace = min(grace, time.Until(dl))
	}
	a.hub.flush(ctx, grace)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		a.logger.Error("worker invocation", "jobs_ran", ran, "error", err.Error())
		return WorkerResult{Ran: ran}, fmt.Errorf("drain queues: %w", err)
	}
	a.logger.Info("worker invocation", "jobs_ran", ran)
	return WorkerResult{Ran: ran}, nil
}
