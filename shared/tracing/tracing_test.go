package tracing_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/dndcc/dnd-llm-service/internal/otlptest"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
	"github.com/dndcc/dnd-llm-service/shared/tracing"
)

// The tests of this package install the process's tracer provider one at
// a time: none runs in parallel.

// setup installs a provider that exports to a new receiver, until the test
// ends.
func setup(t *testing.T) (*tracing.Provider, *otlptest.Receiver) {
	t.Helper()
	rcv := otlptest.New(t)
	p, err := tracing.Setup(context.Background(), tracing.Config{Endpoint: rcv.URL(), ServiceName: "tracing-test", Version: "v9"},
		slog.New(slog.DiscardHandler))
	if err != nil || p == nil {
		t.Fatalf("Setup() = %v, %v, want a provider", p, err)
	}
	t.Cleanup(func() { p.Shutdown(context.Background()) })
	return p, rcv
}

func flush(t *testing.T, p *tracing.Provider) {
	t.Helper()
	if err := p.Flush(context.Background()); err != nil {
		t.Fatalf("Flush() = %v", err)
	}
}

func TestOffWithoutEndpoint(t *testing.T) {
	p, err := tracing.Setup(context.Background(), tracing.Config{ServiceName: "x"}, slog.New(slog.DiscardHandler))
	if p != nil || err != nil {
		t.Fatalf("Setup(no endpoint) = %v, %v, want nil, nil", p, err)
	}
	if tracing.Enabled() {
		t.Fatalf("Enabled() = true without an endpoint")
	}
	ctx, span := tracing.Start(context.Background(), "x", trace.SpanKindInternal)
	if span.IsRecording() || tracing.Traceparent(ctx) != "" {
		t.Errorf("Start() while off recorded a span")
	}
}

func TestEndpointURL(t *testing.T) {
	for _, tc := range []struct {
		c    tracing.Config
		want string
	}{
		{tracing.Config{}, ""},
		{tracing.Config{Endpoint: "http://collector:4318"}, "http://collector:4318/v1/traces"},
		{tracing.Config{Endpoint: "http://collector:4318/"}, "http://collector:4318/v1/traces"},
		{tracing.Config{Endpoint: "http://a:4318", TracesEndpoint: "https://b/otlp/traces"}, "https://b/otlp/traces"},
	} {
		if got := tc.c.URL(); got != tc.want {
			t.Errorf("%+v.URL() = %q, want %q", tc.c, got, tc.want)
		}
	}
}

// A request's traceparent is continued: the server span is its child, named
// for the route by httpapi.Observe, and exported with the service's name.
func TestMiddlewareContinuesTraceparent(t *testing.T) {
	p, rcv := setup(t)
	mux := http.NewServeMux()
	var inner string
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		inner = tracing.Traceparent(r.Context())
		w.WriteHeader(http.StatusTeapot)
	})
	h := tracing.Middleware(httpapi.Observe(slog.New(slog.DiscardHandler), nil)(mux))
	const traceID, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req := httptest.NewRequest("GET", "/things/7", nil)
	req.Header.Set("traceparent", "00-"+traceID+"-"+parent+"-01")
	h.ServeHTTP(httptest.NewRecorder(), req)
	flush(t, p)

	spans := rcv.Spans(traceID)
	if len(spans) != 1 {
		t.Fatalf("trace has %d spans, want 1:\n%s", len(spans), otlptest.Describe(spans))
	}
	s := spans[0]
	if s.Name != "GET /things/{id}" || s.Kind != "server" || s.ParentSpanID != parent || s.Service != "tracing-test" {
		t.Errorf("span = %+v, want server span GET /things/{id} under %s of service tracing-test", s, parent)
	}
	if s.Attrs["http.response.status_code"] != "418" || s.Attrs["request_id"] == "" {
		t.Errorf("span attributes = %v, want the status and the request id", s.Attrs)
	}
	if want := "00-" + traceID + "-" + s.SpanID + "-01"; inner != want {
		t.Errorf("Traceparent() in the handler = %q, want %q", inner, want)
	}
}

// A traceparent carried elsewhere (a job record) makes the parent of the
// spans started under WithTraceparent.
func TestWithTraceparent(t *testing.T) {
	p, rcv := setup(t)
	ctx, root := tracing.Start(context.Background(), "request", trace.SpanKindServer)
	tp := tracing.Traceparent(ctx)
	root.End()
	_, child := tracing.Start(tracing.WithTraceparent(context.Background(), tp), "job", trace.SpanKindConsumer)
	child.End()
	flush(t, p)
	rootSC := root.SpanContext()
	spans := rcv.Spans(rootSC.TraceID().String())
	if len(spans) != 2 {
		t.Fatalf("trace has %d spans, want 2:\n%s", len(spans), otlptest.Describe(spans))
	}
	for _, s := range spans {
		if s.Name == "job" && s.ParentSpanID != rootSC.SpanID().String() {
			t.Errorf("job span's parent = %s, want %s", s.ParentSpanID, rootSC.SpanID())
		}
	}
	if got := tracing.WithTraceparent(context.Background(), "garbage"); trace.SpanContextFromContext(got).IsValid() {
		t.Errorf("WithTraceparent(garbage) set a parent")
	}
}

var echo = redis.NewScript(`return ARGV[1]`)

// Script calls within a trace are client spans named for the script;
// outside a trace, and for other commands, nothing is recorded.
func TestRedisHook(t *testing.T) {
	p, rcv := setup(t)
	rdb, prefix := redistest.New(t)
	rdb.AddHook(tracing.RedisHook(map[string]string{echo.Hash(): "test.echo"}))
	ctx := context.Background()
	if err := echo.Run(ctx, rdb, []string{prefix + "k"}, "outside").Err(); err != nil {
		t.Fatal(err)
	}
	tctx, span := tracing.Start(ctx, "request", trace.SpanKindServer)
	if err := echo.Run(tctx, rdb, []string{prefix + "k"}, "inside").Err(); err != nil {
		t.Fatal(err)
	}
	pipe := rdb.Pipeline()
	echo.EvalSha(tctx, pipe, []string{prefix + "k"}, "piped")
	pipe.Get(tctx, prefix+"k")
	pipe.Exec(tctx)
	rdb.Set(tctx, prefix+"k", "v", time.Minute)
	span.End()
	flush(t, p)

	spans := rcv.Spans(span.SpanContext().TraceID().String())
	names := map[string]otlptest.Span{}
	for _, s := range spans {
		names[s.Name] = s
	}
	if s, ok := names["redis test.echo"]; !ok || s.Kind != "client" || s.ParentSpanID != span.SpanContext().SpanID().String() {
		t.Errorf("no client span redis test.echo under the request; spans:\n%s", otlptest.Describe(spans))
	}
	if _, ok := names["redis pipeline test.echo"]; !ok {
		t.Errorf("no span for the pipeline that runs the script; spans:\n%s", otlptest.Describe(spans))
	}
	if len(spans) != 3 {
		t.Errorf("trace has %d spans, want 3 (request, script, pipeline):\n%s", len(spans), otlptest.Describe(spans))
	}
	if all := rcv.All(); len(all) != 3 {
		t.Errorf("%d spans exported, want 3: the call outside a trace recorded one:\n%s", len(all), otlptest.Describe(all))
	}
}

func TestShutdownStopsRecording(t *testing.T) {
	p, _ := setup(t)
	if !tracing.Enabled() {
		t.Fatalf("Enabled() = false after Setup")
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown() = %v", err)
	}
	if tracing.Enabled() {
		t.Errorf("Enabled() = true after Shutdown")
	}
}
