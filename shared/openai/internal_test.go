package openai

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/shared/provider"
)

func TestRetryHint(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"none", nil, 0},
		{"seconds", map[string]string{"Retry-After": "2"}, 2 * time.Second},
		{"fractional seconds", map[string]string{"Retry-After": "0.5"}, 500 * time.Millisecond},
		{"milliseconds win", map[string]string{"retry-after-ms": "120", "Retry-After": "9"}, 120 * time.Millisecond},
		{"bad milliseconds fall back to Retry-After", map[string]string{"retry-after-ms": "soon", "Retry-After": "3"}, 3 * time.Second},
		{"HTTP date", map[string]string{"Retry-After": now.Add(7 * time.Second).Format(http.TimeFormat)}, 7 * time.Second},
		{"HTTP date in the past", map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0},
		{"capped", map[string]string{"Retry-After": "3600"}, time.Minute},
		{"huge milliseconds capped", map[string]string{"retry-after-ms": "1e300"}, time.Minute},
		{"negative", map[string]string{"Retry-After": "-5"}, 0},
		{"NaN", map[string]string{"retry-after-ms": "NaN"}, 0},
		{"infinite", map[string]string{"Retry-After": "+Inf"}, time.Minute},
		{"garbage", map[string]string{"Retry-After": "later"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			if got := retryHint(h, now, time.Minute); got != tc.want {
				t.Errorf("retryHint(%v) = %v, want %v", tc.header, got, tc.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	var got []time.Duration
	for n := range 8 {
		got = append(got, backoff(n))
	}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second,
		8 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("backoff(0..7) mismatch (-want +got):\n%s", diff)
	}
	for _, d := range want {
		for range 100 {
			if j := provider.Jitter(d); j < d/2 || j > d {
				t.Fatalf("provider.Jitter(%v) = %v, want within [%v, %v]", d, j, d/2, d)
			}
		}
	}
}

func TestSpliceZeroTemperature(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: `{"model":"m"}`, want: `{"temperature":0,"model":"m"}`},
		{in: ` { "model":"m"}`, want: `{"temperature":0,"model":"m"}`},
		{in: `{}`, want: `{"temperature":0}`},
		{in: `[]`, wantErr: true},
		{in: `{`, wantErr: true},
		{in: `{ `, wantErr: true},
		{in: ``, wantErr: true},
	}
	for _, tc := range tests {
		got, err := spliceZeroTemperature([]byte(tc.in))
		if (err != nil) != tc.wantErr || string(got) != tc.want {
			t.Errorf("spliceZeroTemperature(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestStripFence(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"a":1}`, `{"a":1}`},
		{"  {\"a\":1}\n", `{"a":1}`},
		{"```json\n{\"a\":1}\n```", `{"a":1}`},
		{"```\n{\"a\":1}\n```", `{"a":1}`},
		{"text ```json\n{}\n```", "text ```json\n{}\n```"},
	}
	for _, tc := range tests {
		if got := string(stripFence([]byte(tc.in))); got != tc.want {
			t.Errorf("stripFence(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSafeText(t *testing.T) {
	t.Parallel()
	c := &Client{apiKey: "local-secret-123"}
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"key sk-proj-abc_DEF-123*** end", "key sk-*** end"},
		{"uses local-secret-123 here", "uses *** here"},
		{"Authorization: Bearer abc.def", "Authorization: Bearer ***"},
		{"line1\n\tline2\x00", "line1 line2"},
		{"task-force", "task-force"},
	}
	for _, tc := range tests {
		if got := c.safeText(tc.in); got != tc.want {
			t.Errorf("safeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	short := &Client{apiKey: "x"}
	if got := short.safeText("max tokens exceeded"); got != "max tokens exceeded" {
		t.Errorf("safeText with a placeholder key = %q, want the text intact", got)
	}
}

func TestSafeCode(t *testing.T) {
	t.Parallel()
	c := &Client{apiKey: "local-secret-123"}
	tests := []struct{ in, want string }{
		{"rate_limit_exceeded", "rate_limit_exceeded"},
		{"", ""},
		{"has space", ""},
		{"sk-proj-abcdef", ""},
		{"local-secret-123", ""},
		{strings.Repeat("a", 65), ""},
	}
	for _, tc := range tests {
		if got := c.safeCode(tc.in); got != tc.want {
			t.Errorf("safeCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzSafeText(f *testing.F) {
	const key = "sk-proj-FuzzKey0123456789"
	for _, s := range []string{"", "hello", key, "Bearer " + key, "a\x00b", strings.Repeat("é", 400)} {
		f.Add(s)
	}
	c := &Client{apiKey: key}
	f.Fuzz(func(t *testing.T, s string) {
		got := c.safeText(s)
		if strings.Contains(got, key) {
			t.Errorf("safeText(%q) = %q keeps the key", s, got)
		}
		if n := utf8.RuneCountInString(got); n > maxMessageLen {
			t.Errorf("safeText(%q) has %d runes, want <= %d", s, n, maxMessageLen)
		}
		if strings.ContainsFunc(got, func(r rune) bool { return r < ' ' }) {
			t.Errorf("safeText(%q) = %q keeps control characters", s, got)
		}
	})
}

func FuzzRetryHint(f *testing.F) {
	for _, s := range []string{"1", "0.25", "-1", "NaN", "1e400", "Wed, 21 Oct 2026 07:28:00 GMT", ""} {
		f.Add(s, s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, ms, after string) {
		h := http.Header{}
		h.Set("retry-after-ms", ms)
		h.Set("Retry-After", after)
		if got := retryHint(h, now, time.Minute); got < 0 || got > time.Minute {
			t.Errorf("retryHint(ms=%q, after=%q) = %v, want within [0, 1m]", ms, after, got)
		}
	})
}
