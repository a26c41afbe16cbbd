package openai

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	goopenai "github.com/sashabaranov/go-openai"

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

// limits is an answer's x-ratelimit-* headers for one dimension.
func limits(dim string, limit, remaining int, reset string) http.Header {
	h := http.Header{}
	h.Set("x-ratelimit-limit-"+dim, strconv.Itoa(limit))
	h.Set("x-ratelimit-remaining-"+dim, strconv.Itoa(remaining))
	h.Set("x-ratelimit-reset-"+dim, reset)
	return h
}

func TestPacerSpreadsWaitersOverTheReset(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	p := newPacer()
	admit := func(at time.Duration) (ticket, time.Duration) {
		t.Helper()
		tk, wait, ok := p.admit("m", 0, t0.Add(at), time.Minute)
		if !ok {
			t.Fatalf("admit at %v: not admitted", at)
		}
		return tk, wait
	}
	// Unknown budget: no wait.
	first, wait := admit(0)
	if wait != 0 {
		t.Fatalf("admit before any answer waits %v, want 0", wait)
	}
	// 4 a second, 1 left, full again in 1s.
	p.done(first, limits("requests", 4, 1, "1s"), t0)

	var waits []time.Duration
	var tickets []ticket
	for range 4 {
		tk, w := admit(0)
		tickets, waits = append(tickets, tk), append(waits, w)
	}
	// One left now; the next three start at the reset, a quarter second apart.
	want := []time.Duration{0, time.Second, 1250 * time.Millisecond, 1500 * time.Millisecond}
	if diff := cmp.Diff(want, waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	// After the reset the window holds 4 less the 3 promised to it.
	if _, w := admit(time.Second); w != 0 {
		t.Errorf("first admit after the reset waits %v, want 0", w)
	}
	// The window after it is spent too (3 promised, 1 admitted): the
	// next call goes at the following reset, 2s.
	if _, w := admit(time.Second); w != time.Second {
		t.Errorf("second admit after the reset waits %v, want 1s", w)
	}

	// An answer counts the calls still out as spent: 3 left less 4 out.
	p.done(tickets[0], limits("requests", 4, 3, "500ms"), t0.Add(time.Second))
	if got := p.models["m"].requests.remaining; got != -2 {
		t.Errorf("remaining after an answer with others out = %d, want -2", got)
	}
}

func TestPacerTokens(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	p := newPacer()
	tk, _, _ := p.admit("m", 0, t0, time.Minute)
	p.done(tk, limits("tokens", 10000, 1500, "6s"), t0)

	if _, wait, ok := p.admit("m", 1000, t0, time.Minute); !ok || wait != 0 {
		t.Errorf("admit(1000 tokens of 1500 left) = %v, %v; want at once", wait, ok)
	}
	if _, wait, ok := p.admit("m", 1000, t0, time.Minute); !ok || wait != 6*time.Second {
		t.Errorf("admit(1000 tokens of 500 left) = %v, %v; want at the 6s reset", wait, ok)
	}
	// Past the inline cap nothing is spent.
	if _, wait, ok := p.admit("other", 1, t0, 0); !ok || wait != 0 {
		t.Errorf("admit on a model without a budget = %v, %v; want at once", wait, ok)
	}
	if _, wait, ok := p.admit("m", 1000, t0, time.Second); ok || wait != 6600*time.Millisecond {
		t.Errorf("admit past the cap = %v, %v; want refused, 6.6s", wait, ok)
	}
	if got := p.models["m"].tokens.promised; got != 1000 {
		t.Errorf("promised tokens = %d, want 1000 (the refused call spends none)", got)
	}
}

func TestEstimateTokens(t *testing.T) {
	msgs := []goopenai.ChatCompletionMessage{{Content: strings.Repeat("a", 9)}, {Content: "abc"}}
	if got := estimateTokens(msgs, 100); got != 103 {
		t.Errorf("estimateTokens(12 chars, 100) = %d, want 103", got)
	}
}

func FuzzPacerHeaders(f *testing.F) {
	f.Add("10000", "9999", "6ms")
	f.Add("4", "0", "6m0s")
	f.Add("-1", "x", "-1s")
	f.Fuzz(func(t *testing.T, limit, remaining, reset string) {
		h := http.Header{}
		h.Set("x-ratelimit-limit-requests", limit)
		h.Set("x-ratelimit-remaining-requests", remaining)
		h.Set("x-ratelimit-reset-requests", reset)
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		p := newPacer()
		tk, _, _ := p.admit("m", 1, t0, time.Hour)
		p.done(tk, h, t0)
		w := p.models["m"].requests
		if w.limit < 0 || w.remaining > w.limit || w.spacing < 0 {
			t.Fatalf("window after %q/%q/%q = %+v", limit, remaining, reset, w)
		}
		if _, wait, ok := p.admit("m", 1, t0, 26*time.Hour); !ok || wait < 0 || wait > 25*time.Hour {
			t.Fatalf("admit after %q/%q/%q = %v, %v", limit, remaining, reset, wait, ok)
		}
	})
}

// The service's own client goes straight to a transport with small
// connection buffers; a caller's client keeps its own transport, wrapped.
func TestAttemptTransport(t *testing.T) {
	t.Parallel()
	d, ok := withAttemptTransport(nil).(roundTripDoer)
	if !ok {
		t.Fatalf("withAttemptTransport(nil) = %T, want roundTripDoer", withAttemptTransport(nil))
	}
	tr := d.rt.(attemptTransport).next.(*http.Transport)
	if tr.ReadBufferSize != connReadBuffer || tr.WriteBufferSize != connWriteBuffer || tr.MaxIdleConnsPerHost != 64 {
		t.Errorf("transport buffers %d, %d and idle conns %d, want %d, %d and 64",
			tr.ReadBufferSize, tr.WriteBufferSize, tr.MaxIdleConnsPerHost, connReadBuffer, connWriteBuffer)
	}
	own := &http.Transport{}
	hc, ok := withAttemptTransport(&http.Client{Transport: own}).(*http.Client)
	if !ok || hc.Transport.(attemptTransport).next != own {
		t.Errorf("withAttemptTransport(client) does not wrap the client's transport")
	}
}
