package app

import (
	"context"
	"log/slog"
	"net/url"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/tracing"
)

// startTracing installs the tracer provider when an OTLP endpoint is set,
// and makes Redis script calls spans.
func (a *App) startTracing(ctx context.Context) error {
	cfg := a.cfg
	p, err := tracing.Setup(ctx, tracing.Config{
		Endpoint: cfg.OTLPEndpoint, TracesEndpoint: cfg.OTLPTracesEndpoint,
		ServiceName: cfg.OTelServiceName, Version: a.version, Function: cfg.Function,
	}, a.logger)
	if err != nil || p == nil {
		return err
	}
	a.tracing = p
	hook := tracing.RedisHook(queue.ScriptNames())
	a.redis.Client.AddHook(hook)
	endpoint := tracing.Config{Endpoint: cfg.OTLPEndpoint, TracesEndpoint: cfg.OTLPTracesEndpoint}.URL()
	if u, err := url.Parse(endpoint); err == nil {
		endpoint = u.Redacted() // a password in the URL stays out of the log
	}
	a.logger.Info("tracing on", "endpoint", endpoint, "service_name", cfg.OTelServiceName)
	return nil
}

// flushTraces exports the spans ended so far, within d (under AWS Lambda,
// before each invocation returns).
func (a *App) flushTraces(ctx context.Context, d time.Duration) {
	if a.tracing == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d)
	defer cancel()
	if err := a.tracing.Flush(ctx); err != nil {
		a.logger.Warn("spans not flushed", "error", err.Error())
	}
}

// registerOpsMetrics registers llm_build_info and, in long-running modes,
// elects the one replica that exports the queue gauges.
func (a *App) registerOpsMetrics(qm *queue.Metrics) {
	a.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "llm_build_info",
		Help:        "1, labelled with the running build's version and Go version.",
		ConstLabels: prometheus.Labels{"version": a.version, "go_version": runtime.Version()},
	}, func() float64 { return 1 }))
	if !a.lambda {
		qm.ElectGauges(queue.NewGaugeLease(a.redis.Client, a.cfg.RedisKeyPrefix, 0))
	}
}

// drainFigures are what a shutdown did: requests answered and jobs ended
// after SIGTERM.
type drainFigures struct {
	requests   float64 // HTTP requests answered
	finished   float64 // jobs that ended: succeeded, failed or canceled
	handedBack float64 // jobs left queued for another worker: handed back, paused or to retry
	took       time.Duration
}

// counts reads the figures' counters: their values now. (Not through the
// app's registry, whose queue gauges would take the exporter lease.)
func (a *App) counts() drainFigures {
	var f drainFigures
	reg := prometheus.NewRegistry()
	if err := reg.Register(a.httpm.Requests()); err != nil {
		return f
	}
	if err := reg.Register(a.qmetrics.Jobs()); err != nil {
		return f
	}
	mfs, err := reg.Gather()
	if err != nil {
		return f
	}
	for _, mf := range mfs {
		switch mf.GetName() {
		case "llm_http_requests_total":
			for _, m := range mf.GetMetric() {
				f.requests += m.GetCounter().GetValue()
			}
		case "llm_queue_jobs_total":
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() != "outcome" {
						continue
					}
					switch l.GetValue() {
					case "succeeded", "failed", "canceled":
						f.finished += m.GetCounter().GetValue()
					default:
						f.handedBack += m.GetCounter().GetValue()
					}
				}
			}
		}
	}
	return f
}

// since is what happened between before and f, taken took after it.
func (f drainFigures) since(before drainFigures, took time.Duration) drainFigures {
	return drainFigures{
		requests: f.requests - before.requests, finished: f.finished - before.finished,
		handedBack: f.handedBack - before.handedBack, took: took,
	}
}

func (f drainFigures) attrs() []any {
	return []any{
		slog.Int64("requests_drained", int64(f.requests)), slog.Int64("jobs_finished", int64(f.finished)),
		slog.Int64("jobs_handed_back", int64(f.handedBack)),
		slog.Float64("duration_ms", float64(f.took.Microseconds())/1000),
	}
}
