package ratelimit_test

import (
	"context"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/ratelimit"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// BenchmarkAllow is one admission decision on the real Redis: one script
// round trip. The limit is high enough that every request is allowed.
func BenchmarkAllow(b *testing.B) {
	rdb, prefix := redistest.New(b)
	l := ratelimit.New(rdb, prefix)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		d, err := l.Allow(ctx, "text", "bench", 1_000_000)
		if err != nil || !d.Allowed {
			b.Fatalf("Allow = %+v, %v; want allowed", d, err)
		}
	}
}

// BenchmarkAllowRefused is the refusal path: the caller is over its limit.
func BenchmarkAllowRefused(b *testing.B) {
	rdb, prefix := redistest.New(b)
	l := ratelimit.New(rdb, prefix)
	ctx := context.Background()
	if _, err := l.Allow(ctx, "text", "bench", 1); err != nil {
		b.Fatalf("Allow: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		d, err := l.Allow(ctx, "text", "bench", 1)
		if err != nil || d.Allowed {
			b.Fatalf("Allow = %+v, %v; want refused", d, err)
		}
	}
}
