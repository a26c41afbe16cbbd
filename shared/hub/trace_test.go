package hub

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// An event added within a trace carries its traceparent in its metadata,
// unless it names one of its own.
func TestOutboxAddsTraceparent(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	traced := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	const fromCtx = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	for _, tc := range []struct {
		name string
		ctx  context.Context
		set  string
		want string
	}{
		{"within a trace", traced, "", fromCtx},
		{"its own", traced, own, own},
		{"outside a trace", context.Background(), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stream := outboxKey(prefix, tc.name)
			ev := NewEvent(time.Now(), EventRateLimitExceeded, "llm-service", nil)
			ev.Metadata.Traceparent = tc.set
			if err := NewOutbox(rdb, stream, 10).Add(tc.ctx, ev); err != nil {
				t.Fatalf("Add() = %v", err)
			}
			got := readOne(t, rdb, stream)
			if got.Metadata.Traceparent != tc.want {
				t.Errorf("metadata.traceparent = %q, want %q", got.Metadata.Traceparent, tc.want)
			}
		})
	}
}

func readOne(tb testing.TB, rdb redis.UniversalClient, stream string) Event {
	tb.Helper()
	msgs, err := rdb.XRange(context.Background(), stream, "-", "+").Result()
	if err != nil || len(msgs) != 1 {
		tb.Fatalf("XRANGE %s = %d entries, %v, want 1", stream, len(msgs), err)
	}
	ev, _, err := decodeEntry(msgs[0].Values)
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}
