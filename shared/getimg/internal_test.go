package getimg

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want errorDetail
	}{
		{"object", `{"error":{"code":"rate_limit","message":"Too many","type":"rate_limit_error"}}`, errorDetail{message: "Too many", typ: "rate_limit_error", code: "rate_limit", json: true}},
		{"numeric code", `{"error":{"code":402,"message":"pay"}}`, errorDetail{message: "pay", code: "402", json: true}},
		{"string", `{"error":"Bad things"}`, errorDetail{message: "Bad things", json: true}},
		{"nested junk", `{"error":{"message":{"nested":true},"code":["x"]}}`, errorDetail{json: true}},
		{"null", `{"error":null}`, errorDetail{}},
		{"array", `{"error":[1,2]}`, errorDetail{}},
		{"no error key", `{"detail":"x"}`, errorDetail{}},
		{"html", `<html><body>502</body></html>`, errorDetail{}},
		{"empty", ``, errorDetail{}},
		{"truncated", `{"error":{"code":"x"`, errorDetail{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := parseError([]byte(tc.body))
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(errorDetail{})); diff != "" {
				t.Errorf("parseError(%s) (-want +got):\n%s", tc.body, diff)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := &Client{cfg: Config{MaxRetryAfter: time.Minute, Now: func() time.Time { return now }}}
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"seconds", map[string]string{"Retry-After": "3"}, 3 * time.Second},
		{"zero", map[string]string{"Retry-After": "0"}, 0},
		{"negative", map[string]string{"Retry-After": "-5"}, 0},
		{"capped", map[string]string{"Retry-After": "1e12"}, time.Minute},
		{"date", map[string]string{"Retry-After": now.Add(10 * time.Second).Format(http.TimeFormat)}, 10 * time.Second},
		{"past date", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0},
		{"reset when spent", map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1772366405"}, 5 * time.Second},
		{"reset ignored when not spent", map[string]string{"X-RateLimit-Remaining": "4", "X-RateLimit-Reset": "1772366405"}, 0},
		{"bad reset", map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "NaN"}, 0},
		{"none", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			if got := c.retryAfter(h); got != tc.want {
				t.Errorf("retryAfter(%v) = %v, want %v", tc.header, got, tc.want)
			}
		})
	}
}

func TestRecordRateLimitIgnoresGarbage(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := &Client{cfg: Config{Now: func() time.Time { return now }}}
	c.recordRateLimit(http.Header{"X-Ratelimit-Limit": {"many"}, "X-Ratelimit-Reset": {"-1"}})
	if got := c.RateLimit(); got != (RateLimit{}) {
		t.Errorf("RateLimit() after garbage headers = %+v, want zero", got)
	}
	c.recordRateLimit(http.Header{"X-Ratelimit-Remaining": {"3"}, "X-Ratelimit-Reset": {"1772366400.5"}})
	want := RateLimit{Remaining: 3, Reset: time.Unix(1772366400, 5e8), Updated: now}
	if diff := cmp.Diff(want, c.RateLimit()); diff != "" {
		t.Errorf("RateLimit() (-want +got):\n%s", diff)
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	c := &Client{key: "sk-secret"}
	long := strings.Repeat("é", maxProviderTextLength)
	tests := []struct{ in, want string }{
		{"key sk-secret refused", "key REDACTED refused"},
		{long, long[:maxProviderTextLength] + "…"},
	}
	for _, tc := range tests {
		if got := c.clean(tc.in); got != tc.want {
			t.Errorf("clean(%.20q) = %.20q (%d bytes), want %.20q (%d bytes)", tc.in, got, len(got), tc.want, len(tc.want))
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, w := range want {
		if got := backoff(i); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i, got, w)
		}
	}
	if got := backoff(1000); got != backoffCap {
		t.Errorf("backoff(1000) = %v, want %v", got, backoffCap)
	}
}
