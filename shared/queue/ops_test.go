package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

const (
	requestTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	workerTrace  = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01"
)

// eventTraceparents reads metadata.traceparent of each event in q's outbox.
func eventTraceparents(tb testing.TB, rdb redis.UniversalClient, q *queue.Queue) []string {
	tb.Helper()
	entries, err := rdb.XRange(context.Background(), q.OutboxStream(), "-", "+").Result()
	if err != nil {
		tb.Fatalf("XRANGE: %v", err)
	}
	var out []string
	for _, e := range entries {
		var ev struct {
			Metadata struct {
				Traceparent string `json:"traceparent"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal([]byte(e.Values["e"].(string)), &ev); err != nil {
			tb.Fatalf("outbox entry: %v", err)
		}
		out = append(out, ev.Metadata.Traceparent)
	}
	return out
}

// The trace context of the request that created a job is stored with it:
// the worker's claim returns it, and the job's event carries the worker's
// (or, when the job ends without one, the request's).
func TestTraceContextTravelsWithTheJob(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		tests := []struct {
			name   string
			finish func(t *testing.T, q *queue.Queue)
			want   string // the event's traceparent
		}{
			{"run by a worker", func(t *testing.T, q *queue.Queue) {
				enqueue(t, q, queue.EnqueueRequest{TraceParent: requestTrace})
				j := claimJob(t, q, "w")
				if j.TraceParent != requestTrace {
					t.Errorf("claimed job's TraceParent = %q, want %q", j.TraceParent, requestTrace)
				}
				complete(t, q, j, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`), TraceParent: workerTrace})
			}, workerTrace},
			{"worker without a span", func(t *testing.T, q *queue.Queue) {
				enqueue(t, q, queue.EnqueueRequest{TraceParent: requestTrace})
				complete(t, q, claimJob(t, q, "w"), queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`)})
			}, requestTrace},
			{"canceled while queued", func(t *testing.T, q *queue.Queue) {
				j := enqueue(t, q, queue.EnqueueRequest{TraceParent: requestTrace})
				if _, err := q.Cancel(ctx, j.ID); err != nil {
					t.Fatal(err)
				}
			}, requestTrace},
			{"cache hit", func(t *testing.T, q *queue.Queue) {
				if _, err := q.PutSucceeded(ctx, queue.EnqueueRequest{Kind: "text.echo", Owner: "a", TraceParent: requestTrace}, []byte(`{}`)); err != nil {
					t.Fatal(err)
				}
			}, requestTrace},
			{"from the span of the enqueuing context", func(t *testing.T, q *queue.Queue) {
				tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
				sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
				sctx := trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
					TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
				if _, _, err := q.Enqueue(sctx, queue.EnqueueRequest{Kind: "text.echo", Owner: "a"}); err != nil {
					t.Fatal(err)
				}
				complete(t, q, claimJob(t, q, "w"), queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`)})
			}, requestTrace},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{Outbox: true})
				tc.finish(t, q)
				if got := eventTraceparents(t, rdb, q); len(got) != 1 || got[0] != tc.want {
					t.Errorf("events' traceparents = %q, want [%q]", got, tc.want)
				}
			})
		}
	})
}

// A job's log lines name the request that created it.
func TestJobLogLinesCarryTheRequestID(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	q := newQueue(rdb, prefix, queue.Config{})
	sink := &servicetest.LogSink{}
	r := queue.NewRunner(queue.RunnerConfig{Logger: slog.New(slog.NewJSONHandler(sink, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Handlers: queue.HandlerMap{"text.echo": queue.HandlerFunc(func(context.Context, *queue.Job) (queue.Result, error) {
			return queue.Result{}, errors.New("boom")
		})}})
	enqueue(t, q, queue.EnqueueRequest{RequestID: "req-42"})
	if _, err := r.Run(context.Background(), q, claimJob(t, q, "w")); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	lines := sink.Lines()
	if len(lines) < 3 {
		t.Fatalf("logged %d lines, want job started, failed and its detail: %s", len(lines), sink)
	}
	for _, l := range lines {
		if l["request_id"] != "req-42" {
			t.Errorf("job line %v lacks request_id req-42", l)
		}
	}
}

// gather returns the samples of reg as "name{labels} value" lines.
func gather(tb testing.TB, reg *prometheus.Registry) string {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			b.WriteString(mf.GetName())
			for _, l := range m.GetLabel() {
				b.WriteString(" " + l.GetName() + "=" + l.GetValue())
			}
			b.WriteString(" " + strings.TrimSpace(strings.TrimPrefix(m.GetGauge().String(), "value:")) + "\n")
		}
	}
	return b.String()
}

// Of the replicas scraped, one exports the queue gauges, whose values are
// the same everywhere; the others say they don't.
func TestOneReplicaExportsTheQueueGauges(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		enqueue(t, q, queue.EnqueueRequest{})
		enqueue(t, q, queue.EnqueueRequest{})
		claimJob(t, q, "w")
		var regs []*prometheus.Registry
		for range 3 {
			reg := prometheus.NewRegistry()
			queue.NewMetrics(reg, q).ElectGauges(queue.NewGaugeLease(rdb, prefix, 0))
			regs = append(regs, reg)
		}
		exporting := 0
		for round := range 3 {
			for i, reg := range regs {
				got := gather(t, reg)
				held := strings.Contains(got, "llm_queue_gauges_exporter 1")
				if held != strings.Contains(got, "llm_queue_depth queue=text 1") || held != strings.Contains(got, "llm_queue_running queue=text 1") {
					t.Errorf("replica %d, round %d: exporter %v, but the gauges disagree:\n%s", i, round, held, got)
				}
				if held {
					exporting |= 1 << i
				}
			}
		}
		if exporting != 1 {
			t.Errorf("replicas exporting (bits) = %b, want only the first scraped", exporting)
		}
		// Without a lease (a single process) the gauges are always there.
		reg := prometheus.NewRegistry()
		queue.NewMetrics(reg, q)
		if got := gather(t, reg); !strings.Contains(got, "llm_queue_depth queue=text 1") || strings.Contains(got, "exporter") {
			t.Errorf("gauges without a lease:\n%s", got)
		}
	})
}
