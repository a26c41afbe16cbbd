package logs_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/logs"
)

func newLogger(window time.Duration) (*slog.Logger, *logs.Handler, *servicetest.LogSink) {
	sink := &servicetest.LogSink{}
	h := logs.New(sink, logs.Options{Level: slog.LevelInfo, RepeatWindow: window})
	return slog.New(h), h, sink
}

// An outage's repeated warning makes one line at once, then one line per
// window with the count of the lines held back; lines that name a job or a
// request, and INFO lines, are all written.
func TestRepeatedWarningsAreCoalesced(t *testing.T) {
	t.Parallel()
	log, _, sink := newLogger(time.Second)
	for i := range 150 {
		log.Warn("claim failed", "queue", "text", "n", i)
		log.Info("request", "status", 503)
		log.Warn("job failed", "job_id", "text_1")
		log.Warn("lease renewal failed", "request_id", "r1")
	}
	line := sink.WaitFor(t, "claim failed", time.Second)
	if line["n"] != float64(0) || line["repeated"] != nil {
		t.Errorf("first line = %v, want n 0 and no count", line)
	}
	servicetest.WaitFor(t, 5*time.Second, "the count of the repeats", func() bool { return sink.Count("claim failed") == 2 })
	var last map[string]any
	for _, l := range sink.Lines() {
		if l["msg"] == "claim failed" {
			last = l
		}
	}
	if last["repeated"] != float64(149) || last["n"] != float64(149) || last["level"] != "WARN" {
		t.Errorf("count line = %v, want the last repeat (n 149) with repeated 149", last)
	}
	if got, _ := last["repeated_over_s"].(float64); got <= 0 || got > 5 {
		t.Errorf("repeated_over_s = %v, want the window's length so far", last["repeated_over_s"])
	}
	for msg, want := range map[string]int{"request": 150, "job failed": 150, "lease renewal failed": 150} {
		if got := sink.Count(msg); got != want {
			t.Errorf("%q lines = %d, want %d (never coalesced)", msg, got, want)
		}
	}
}

// The count line opens the next window: while the outage lasts, a repeat
// is held back again and counted at that window's end, so a steady
// outage writes one line per window.
func TestOneLinePerWindow(t *testing.T) {
	t.Parallel()
	log, _, sink := newLogger(300 * time.Millisecond)
	for range 3 {
		log.Warn("redis client", "detail", "dial failed")
	}
	servicetest.WaitFor(t, 5*time.Second, "the first count line", func() bool { return sink.Count("redis client") == 2 })
	log.Warn("redis client", "detail", "dial failed")
	if got := sink.Count("redis client"); got != 2 {
		t.Fatalf("a repeat right after the count line was written (%d lines), want it held for the next window", got)
	}
	servicetest.WaitFor(t, 5*time.Second, "the second count line", func() bool { return sink.Count("redis client") == 3 })
	var counts []any
	for _, l := range sink.Lines() {
		if l["msg"] == "redis client" {
			counts = append(counts, l["repeated"])
		}
	}
	if counts[0] != nil || counts[1] != float64(2) || counts[2] != float64(1) {
		t.Errorf("repeated per line = %v, want [<nil> 2 1]", counts)
	}
}

// Flush writes the counts held back at once, for the process's last lines.
func TestFlush(t *testing.T) {
	t.Parallel()
	log, h, sink := newLogger(time.Hour)
	for range 5 {
		log.Error("hub dispatcher stopped", "error", "boom")
	}
	h.Flush()
	if got := sink.Count("hub dispatcher stopped"); got != 2 {
		t.Fatalf("lines after Flush = %d, want 2", got)
	}
	if last := sink.Lines()[1]; last["repeated"] != float64(4) {
		t.Errorf("count line = %v, want repeated 4", last)
	}
	log.Error("hub dispatcher stopped", "error", "boom")
	if got := sink.Count("hub dispatcher stopped"); got != 3 {
		t.Errorf("lines = %d, want 3: after Flush a repeat is written at once", got)
	}
}

// A line logged with the context of a span carries its trace and span ids.
func TestTraceIDs(t *testing.T) {
	t.Parallel()
	log, _, sink := newLogger(0)
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid}))
	log.InfoContext(ctx, "request", "status", 200)
	log.With("queue", "text").WarnContext(ctx, "claim failed")
	log.Info("no span")
	lines := sink.Lines()
	for _, l := range lines[:2] {
		if l["trace_id"] != tid.String() || l["span_id"] != sid.String() {
			t.Errorf("line %v lacks the trace and span ids", l)
		}
	}
	if _, ok := lines[2]["trace_id"]; ok {
		t.Errorf("line without a span has a trace id: %v", lines[2])
	}
	if lines[1]["queue"] != "text" {
		t.Errorf("With's attribute lost: %v", lines[1])
	}
}
