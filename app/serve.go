package app

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

	"github.com/dndcc/dnd-llm-service/shared/awssecrets"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/logs"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// Serve runs the service until ctx ends: it reads the config through
// getenv (function, when set, overrides FUNCTION), logs JSON to stderr,
// builds the app and serves it over HTTP, or under AWS Lambda when
// AWS_LAMBDA_RUNTIME_API is set. After a shutdown its last line is
// "stopped", with the drain figures.
func Serve(ctx context.Context, getenv func(string) string, stderr io.Writer, function, version string) error {
	getenv, err := Environment(ctx, getenv)
	if err != nil {
		return err
	}
	cfg, err := config.Load(getenv, Functions(Groups)...)
	if err != nil {
		return err
	}
	if function != "" {
		cfg.Function = function
	}
	logger, err := NewLogger(stderr, cfg.LogLevel, cfg.LogRepeatWindow.D())
	if err != nil {
		return err
	}
	a, err := New(ctx, cfg, Options{Lambda: config.Lambda(getenv), Version: version, Logger: logger})
	if err != nil {
		return err
	}
	if a.lambda {
		defer a.Close()
		return a.serveLambda(ctx)
	}
	drained, err := a.serveLongRunning(ctx)
	a.Close()
	if h, ok := logger.Handler().(*logs.Handler); ok {
		h.Flush() // the counts of the warnings held back, before the last line
	}
	if err != nil {
		return err
	}
	logger.Info("stopped", drained.attrs()...)
	return nil
}

// Environment layers the process environment over the settings of
// SERVICE_CONFIG_JSON and, when SECRETS_ID names a Secrets Manager secret,
// over the secret's key/value pairs, read through the AWS Parameters and
// Secrets Lambda Extension (which caches it): the environment wins, then
// the secret, then the JSON settings. Without SERVICE_URL, the value of the
// SSM parameter SERVICE_URL_PARAMETER names (the stack's own API URL) is
// read the same way.
func Environment(ctx context.Context, getenv func(string) string) (func(string) string, error) {
	settings, err := config.JSONValues("SERVICE_CONFIG_JSON", getenv("SERVICE_CONFIG_JSON"))
	if err != nil {
		return nil, err
	}
	env := config.Over(getenv, settings)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ext := awssecrets.FromEnv(getenv)
	if id := env("SECRETS_ID"); id != "" {
		secret, err := ext.Values(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("config: SECRETS_ID: %w", err)
		}
		env = config.Over(config.Over(getenv, secret), settings)
	}
	if name := env("SERVICE_URL_PARAMETER"); name != "" && env("SERVICE_URL") == "" {
		u, err := ext.Parameter(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("config: SERVICE_URL_PARAMETER: %w", err)
		}
		env = config.Over(env, map[string]string{"SERVICE_URL": u})
	}
	return env, nil
}

// NewLogger returns the service's JSON logger at level (LOG_LEVEL), with
// repeated warnings coalesced per window (LOG_REPEAT_WINDOW).
func NewLogger(w io.Writer, level string, repeatWindow time.Duration) (*slog.Logger, error) {
	lvl, err := config.ParseLogLevel(level)
	if err != nil {
		return nil, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	return slog.New(logs.New(w, logs.Options{Level: lvl, RepeatWindow: repeatWindow})), nil
}

// serveLongRunning runs the HTTP server and the workers until ctx ends,
// then stops (see stop) and returns what the drain did.
func (a *App) serveLongRunning(ctx context.Context) (drainFigures, error) {
	var bg sync.WaitGroup
	bgCtx, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer func() { stopBG(); bg.Wait() }()
	bg.Add(1)
	go func() { defer bg.Done(); a.notifier.Run(bgCtx) }()
	if a.hub != nil {
		a.hub.run(bgCtx, &bg)
	}

	// Workers claim jobs until the readiness drain is over (workCtx), and
	// run them until the end of the grace period (jobCtx).
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	jobCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	var workers sync.WaitGroup
	for _, p := range a.pools {
		workers.Add(1)
		go func() { defer workers.Done(); p.Run(workCtx, jobCtx) }()
	}

	errc := make(chan error, 2)
	msrv, err := a.serveMetrics(ctx, errc)
	if err != nil {
		return drainFigures{}, err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(a.cfg.Port)))
	if err != nil {
		return drainFigures{}, fmt.Errorf("listen on PORT %d: %w", a.cfg.Port, err)
	}
	srv := a.server(ctx, a.Handler())
	srv.RegisterOnShutdown(a.submit.Drain) // waiting requests answer 202 at once
	a.logger.Info("listening", "addr", ln.Addr().String(), "function", a.cfg.Function, "version", a.version,
		"embedded_redis", a.redis.Embedded)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return drainFigures{}, fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	return a.stop(srv, msrv, &workers, stopWork, stopJobs), nil
}

// server returns the HTTP server of h.
func (a *App) server(ctx context.Context, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      submit.MaxWait + 30*time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
}

// serveMetrics serves /metrics on METRICS_PORT, when it is set (nil
// otherwise); errc hears when it fails.
func (a *App) serveMetrics(ctx context.Context, errc chan<- error) (*http.Server, error) {
	if a.cfg.MetricsPort == nil {
		return nil, nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(*a.cfg.MetricsPort)))
	if err != nil {
		return nil, fmt.Errorf("listen on METRICS_PORT %d: %w", *a.cfg.MetricsPort, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metricsHandler(a.reg))
	srv := a.server(ctx, mux)
	a.logger.Info("metrics listening", "addr", ln.Addr().String())
	go func() { errc <- fmt.Errorf("metrics server: %w", srv.Serve(ln)) }()
	return srv, nil
}

// stop shuts down within SHUTDOWN_TIMEOUT, in order: /readyz fails for
// READINESS_DRAIN while requests are still served and jobs claimed (load
// balancers take the replica out), then workers stop claiming, the
// listener closes and in-flight requests finish (waiting ones answer 202
// at once), then running jobs finish or, at the deadline, are handed back;
// Redis closes last (Serve).
func (a *App) stop(srv, msrv *http.Server, workers *sync.WaitGroup, stopWork, stopJobs func()) drainFigures {
	began, before := time.Now(), a.counts()
	a.logger.Info("shutting down", "grace", a.cfg.Shutdown.D().String(), "readiness_drain", a.cfg.ReadinessDrain.D().String())
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.Shutdown.D())
	defer cancel()
	a.health.Drain()
	if d := a.cfg.ReadinessDrain.D(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-sctx.Done():
		}
		t.Stop()
	}
	stopWork()
	if err := srv.Shutdown(sctx); err != nil {
		a.logger.Warn("http shutdown", "error", err.Error())
	}
	done := make(chan struct{})
	go func() { workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-sctx.Done():
		stopJobs()
		<-done
	}
	if msrv != nil {
		// Scrapes were served through the drain; the last one may still run.
		mctx, mcancel := context.WithTimeout(context.Background(), time.Second)
		_ = msrv.Shutdown(mctx)
		mcancel()
	}
	return a.counts().since(before, time.Since(began))
}

// serveLambda runs the function under the Lambda runtime.
func (a *App) serveLambda(ctx context.Context) error {
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
	if a.cfg.Function == config.FunctionWorker {
		lambda.StartWithOptions(a.workerInvocation, lambda.WithContext(ctx))
		return nil
	}
	proxy := httpadapter.NewV2(a.Handler()).ProxyWithContext
	lambda.StartWithOptions(func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		resp, err := proxy(ctx, ev)
		// Deliver the events this invocation produced; what is left waits
		// for the scheduled worker. Spans are exported before the
		// invocation returns: a frozen process exports nothing.
		a.hub.flush(ctx, 2*time.Second)
		a.flushTraces(ctx, time.Second)
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

func (a *App) workerInvocation(ctx context.Context, _ events.EventBridgeEvent) (WorkerResult, error) {
	if a.hub != nil {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if err := a.hub.registrar.RegisterOnce(rctx); err != nil {
			a.logger.Warn("hub registration failed; next run retries", "error", err.Error())
		}
		cancel()
	}
	ran, err := queue.Drain(ctx, a.runner, lambdaMargin, a.drain...)
	grace := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		grace = min(grace, time.Until(dl))
	}
	a.hub.flush(ctx, grace)
	defer a.flushTraces(ctx, time.Second)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		a.logger.Error("worker invocation", "jobs_ran", ran, "error", err.Error())
		return WorkerResult{Ran: ran}, fmt.Errorf("drain queues: %w", err)
	}
	a.logger.Info("worker invocation", "jobs_ran", ran)
	return WorkerResult{Ran: ran}, nil
}
