// Package tracing traces requests and jobs with OpenTelemetry. It is off
// unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); then spans go to it over OTLP/HTTP.
//
// A request's W3C traceparent is continued by Middleware. A job stores the
// traceparent of the request that created it (queue.EnqueueRequest), so the
// worker that runs it, in any process, continues the same trace: its span
// and the provider calls' spans join the request's trace. Redis script
// calls made within a trace are spans too (RedisHook).
//
// Tracing is process-wide: Setup installs the OpenTelemetry global tracer
// provider, and Start records spans only while one is installed. When
// tracing is off, Start and Middleware cost a load of one flag.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/go-logr/logr"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// scope is the instrumentation scope of every span the service records.
const scope = "github.com/dndcc/dnd-llm-service"

// active is the installed provider, or nil while tracing is off.
var active atomic.Pointer[sdktrace.TracerProvider]

// Enabled reports whether spans are recorded in this process.
func Enabled() bool { return active.Load() != nil }

// Config says where spans go and how the service names itself.
type Config struct {
	// Endpoint is OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL,
	// to which /v1/traces is appended.
	Endpoint string
	// TracesEndpoint is OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the full URL
	// of the traces route, used as is. It wins over Endpoint.
	TracesEndpoint string
	ServiceName    string // service.name
	Version        string // service.version
	Function       string // the FUNCTION the process runs, as faas.name
}

// URL returns where spans are sent, or "" when tracing is off.
func (c Config) URL() string {
	if c.TracesEndpoint != "" {
		return c.TracesEndpoint
	}
	if c.Endpoint != "" {
		return strings.TrimRight(c.Endpoint, "/") + "/v1/traces"
	}
	return ""
}

// Provider is the process's tracer provider, as Setup installed it.
type Provider struct {
	tp *sdktrace.TracerProvider
}

// Setup installs a tracer provider that batches spans to c.URL(), and the
// W3C trace-context propagator. It returns nil when tracing is off. The
// OpenTelemetry SDK's own complaints (an unreachable collector) go to
// logger. The standard OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER and
// OTEL_RESOURCE_ATTRIBUTES are read by the SDK from the process environment.
func Setup(ctx context.Context, c Config, logger *slog.Logger) (*Provider, error) {
	u := c.URL()
	if u == "" {
		return nil, nil
	}
	if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, errors.New("tracing: the OTLP endpoint must be an http:// or https:// URL")
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u))
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", c.ServiceName)}
	if c.Version != "" {
		attrs = append(attrs, attribute.String("service.version", c.Version))
	}
	if c.Function != "" {
		attrs = append(attrs, attribute.String("faas.name", c.Function))
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attrs...))
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetLogger(logr.FromSlogHandler(logger.Handler()))
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		logger.Warn("tracing: spans not exported", "error", err.Error())
	}))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	otel.SetTracerProvider(tp)
	active.Store(tp)
	return &Provider{tp: tp}, nil
}

// Flush exports the spans ended so far; under AWS Lambda it runs before
// each invocation returns, since a frozen process exports nothing. A nil
// Provider has nothing to flush.
func (p *Provider) Flush(ctx context.Context) error {
	if p == nil {
		return nil
	}
	if err := p.tp.ForceFlush(ctx); err != nil {
		return fmt.Errorf("tracing: flush: %w", err)
	}
	return nil
}

// Shutdown flushes the spans and stops recording new ones.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p == nil {
		return nil
	}
	active.CompareAndSwap(p.tp, nil)
	if err := p.tp.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: shutdown: %w", err)
	}
	return nil
}

// noSpan is what Start returns while tracing is off: a span that records
// nothing.
var noSpan = trace.SpanFromContext(context.Background())

// Start starts a span named name of kind as a child of the span in ctx (or
// a root span). While tracing is off it returns ctx and a span that records
// nothing.
func Start(ctx context.Context, name string, kind trace.SpanKind, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	tp := active.Load()
	if tp == nil {
		return ctx, noSpan
	}
	return tp.Tracer(scope).Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
}

// Traceparent returns the W3C traceparent header value of the span in ctx,
// or "" when ctx carries none.
func Traceparent(ctx context.Context) string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ""
	}
	c := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, c)
	return c["traceparent"]
}

// WithTraceparent returns ctx with the remote span of the W3C traceparent
// tp as the parent of the spans started in it. An empty or malformed tp
// leaves ctx as it is.
func WithTraceparent(ctx context.Context, tp string) context.Context {
	if tp == "" {
		return ctx
	}
	return propagation.TraceContext{}.Extract(ctx, propagation.MapCarrier{"traceparent": tp})
}

// Middleware continues the trace of a request's traceparent header (or
// starts one) with a server span around the request. The span is named
// for the method until the route is known; httpapi.Observe, inside it,
// names it for the route pattern and records the status.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tp := active.Load()
		if tp == nil {
			next.ServeHTTP(w, r)
			return
		}
		ctx := propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tp.Tracer(scope).Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("url.path", r.URL.Path)))
		defer span.End()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
