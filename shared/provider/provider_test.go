package provider

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		hdr  map[string]string
		want time.Duration
	}{
		{"none", nil, 0},
		{"seconds", map[string]string{"Retry-After": "3"}, 3 * time.Second},
		{"fraction", map[string]string{"Retry-After": "0.5"}, 500 * time.Millisecond},
		{"milliseconds first", map[string]string{"retry-after-ms": "250", "Retry-After": "3"}, 250 * time.Millisecond},
		{"http date", map[string]string{"Retry-After": now.Add(7 * time.Second).Format(http.TimeFormat)}, 7 * time.Second},
		{"past date", map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0},
		{"capped", map[string]string{"Retry-After": "3600"}, time.Minute},
		{"negative", map[string]string{"Retry-After": "-5"}, 0},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0},
		{"NaN", map[string]string{"Retry-After": "NaN"}, 0},
		{"infinite", map[string]string{"Retry-After": "+Inf"}, time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.hdr {
				h.Set(k, v)
			}
			if got := RetryAfter(h, now, time.Minute); got != tc.want {
				t.Errorf("RetryAfter(%v) = %v, want %v", tc.hdr, got, tc.want)
			}
		})
	}
}

func TestJitter(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{-1, 0, 1, 2, 3, 500 * time.Millisecond, 8 * time.Second} {
		lo, hi := d/2, d
		if d <= 1 {
			lo = d
		}
		for range 200 {
			if got := Jitter(d); got < lo || got > hi {
				t.Fatalf("Jitter(%v) = %v, want in [%v, %v]", d, got, lo, hi)
			}
		}
	}
}

// TestJitterReachesBothEnds checks that both ends of [d/2, d] are drawn, an
// odd d's upper end included.
func TestJitterReachesBothEnds(t *testing.T) {
	t.Parallel()
	const d = 3 * time.Nanosecond
	seen := map[time.Duration]bool{}
	for range 1000 {
		seen[Jitter(d)] = true
	}
	for _, want := range []time.Duration{1, 2, 3} {
		if !seen[want] {
			t.Errorf("Jitter(%v) never gave %v in 1000 draws; got %v", d, want, seen)
		}
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	if err := Sleep(t.Context(), 0); err != nil {
		t.Errorf("Sleep(0) = %v, want nil", err)
	}
	if err := Sleep(t.Context(), time.Millisecond); err != nil {
		t.Errorf("Sleep(1ms) = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("Sleep(canceled, 1h) = %v, want context.Canceled", err)
	}
	if err := Sleep(ctx, 0); err != context.Canceled {
		t.Errorf("Sleep(canceled, 0) = %v, want context.Canceled", err)
	}
}
