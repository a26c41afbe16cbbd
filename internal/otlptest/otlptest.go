// Package otlptest is an in-process OpenTelemetry collector for tests: an
// HTTP server that accepts OTLP/HTTP trace exports (protobuf or JSON, as
// the SDK's exporter sends them) and keeps the spans. Install also turns
// the process's tracing on, exporting to it.
package otlptest

import (
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/dndcc/dnd-llm-service/shared/tracing"
)

// Span is a received span, flattened.
type Span struct {
	Name         string
	TraceID      string // hex
	SpanID       string // hex
	ParentSpanID string // hex; "" for a root span
	Kind         string // server, client, consumer, internal, producer
	Service      string // the resource's service.name
	Attrs        map[string]string
	Error        bool // the span's status is an error
}

// Receiver collects the spans exported to it.
type Receiver struct {
	srv      *httptest.Server
	provider *tracing.Provider // set by Install

	mu    sync.Mutex
	spans []Span
}

// New starts a receiver, closed when the test ends.
func New(tb testing.TB) *Receiver {
	tb.Helper()
	r := &Receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(r.srv.Close)
	return r
}

// Install starts a receiver and turns this process's tracing on, exporting
// to it, until the test ends. Tracing is process-wide: a test that calls
// Install must not run in parallel with others (their spans would be
// exported too, and the test's end turns tracing off for them).
func Install(tb testing.TB) *Receiver {
	tb.Helper()
	r := New(tb)
	p, err := tracing.Setup(context.Background(), tracing.Config{Endpoint: r.URL(), ServiceName: "otlptest"}, slog.New(slog.DiscardHandler))
	if err != nil || p == nil {
		tb.Fatalf("tracing.Setup() = %v, %v", p, err)
	}
	r.provider = p
	tb.Cleanup(func() { p.Shutdown(context.Background()) })
	return r
}

// Flush exports the spans ended so far (after Install).
func (r *Receiver) Flush(tb testing.TB) {
	tb.Helper()
	if err := r.provider.Flush(context.Background()); err != nil {
		tb.Fatalf("Flush() = %v", err)
	}
}

// URL is the collector's base URL (OTEL_EXPORTER_OTLP_ENDPOINT).
func (r *Receiver) URL() string { return r.srv.URL }

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" {
		http.NotFound(w, req)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var msg coltracepb.ExportTraceServiceRequest
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/json") {
		err = protojson.Unmarshal(body, &msg)
	} else {
		err = proto.Unmarshal(body, &msg)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.add(&msg)
	w.Header().Set("Content-Type", "application/x-protobuf")
	b, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Write(b)
}

func (r *Receiver) add(msg *coltracepb.ExportTraceServiceRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range msg.GetResourceSpans() {
		service := attrs(rs.GetResource().GetAttributes())["service.name"]
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				kind := strings.ToLower(strings.TrimPrefix(s.GetKind().String(), "SPAN_KIND_"))
				r.spans = append(r.spans, Span{
					Name: s.GetName(), TraceID: hex.EncodeToString(s.GetTraceId()), SpanID: hex.EncodeToString(s.GetSpanId()),
					ParentSpanID: hex.EncodeToString(s.GetParentSpanId()), Kind: kind, Service: service,
					Attrs: attrs(s.GetAttributes()), Error: s.GetStatus().GetCode().String() == "STATUS_CODE_ERROR",
				})
			}
		}
	}
}

// attrs flattens attributes to strings.
func attrs(kvs []*commonpb.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		switch v := kv.GetValue().GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			m[kv.GetKey()] = v.StringValue
		case *commonpb.AnyValue_IntValue:
			m[kv.GetKey()] = strconv.FormatInt(v.IntValue, 10)
		case *commonpb.AnyValue_DoubleValue:
			m[kv.GetKey()] = strconv.FormatFloat(v.DoubleValue, 'g', -1, 64)
		case *commonpb.AnyValue_BoolValue:
			m[kv.GetKey()] = strconv.FormatBool(v.BoolValue)
		default:
			m[kv.GetKey()] = protojson.Format(kv.GetValue())
		}
	}
	return m
}

// Spans returns the spans of trace traceID received so far.
func (r *Receiver) Spans(traceID string) []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Span
	for _, s := range r.spans {
		if s.TraceID == traceID {
			out = append(out, s)
		}
	}
	return out
}

// All returns every span received so far.
func (r *Receiver) All() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans)
}

// WaitFor waits up to d until trace traceID has a span for which each of
// match holds, and returns the trace's spans.
func (r *Receiver) WaitFor(tb testing.TB, traceID string, d time.Duration, match ...func(Span) bool) []Span {
	tb.Helper()
	deadline := time.Now().Add(d)
	pause := time.Millisecond
	for {
		spans := r.Spans(traceID)
		if allFound(spans, match) {
			return spans
		}
		if time.Now().After(deadline) {
			tb.Fatalf("trace %s lacks spans after %v; it has:\n%s", traceID, d, Describe(spans))
		}
		time.Sleep(pause)
		pause = min(2*pause, 50*time.Millisecond)
	}
}

func allFound(spans []Span, match []func(Span) bool) bool {
	for _, m := range match {
		if !slices.ContainsFunc(spans, m) {
			return false
		}
	}
	return true
}

// Named matches a span by name.
func Named(name string) func(Span) bool {
	return func(s Span) bool { return s.Name == name }
}

// Describe lists spans one a line, for failure messages.
func Describe(spans []Span) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.Kind + " " + s.Name + " span=" + s.SpanID + " parent=" + s.ParentSpanID + " service=" + s.Service + "\n")
	}
	return b.String()
}
