package hub

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestClientRegister(t *testing.T) {
	t.Parallel()
	hub := newFakeHub(t)
	reg := Registration{Name: "llm-service", URL: "http://llm:8080", HealthCheck: "http://llm:8080/health", Version: "2.0.0", Capabilities: []string{"generate_text"}}
	if err := hub.client().Register(context.Background(), reg); err != nil {
		t.Fatalf("Register() = %v, want nil", err)
	}
	regs, _, _ := hub.snapshot()
	if diff := cmp.Diff([]Registration{reg}, regs); diff != "" {
		t.Errorf("registrations mismatch (-want +got):\n%s", diff)
	}
}

func TestClientPostEvent(t *testing.T) {
	t.Parallel()
	hub := newFakeHub(t)
	ev := NewEvent(testTime, "llm.queue.status", "llm-service", map[string]any{"waiting": 3.0})
	ev.CorrelationID = "corr-9"
	if err := hub.client().PostEvent(context.Background(), ev); err != nil {
		t.Fatalf("PostEvent() = %v, want nil", err)
	}
	_, got, _ := hub.snapshot()
	want := []receivedEvent{{Event: ev, IdempotencyKey: ev.Metadata.EventID}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	if err := hub.client().PostEvent(context.Background(), Event{EventType: "x", SourceService: "y"}); err == nil {
		t.Errorf("PostEvent(no event id) = nil, want an error")
	}
}

func TestClientAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		status  int
		body    string
		header  map[string]string
		wantErr string // substring; "" means success
	}{
		{"registered", 200, `{"status":"registered"}`, nil, ""},
		{"created without body", 201, ``, nil, ""},
		{"accepted non-JSON", 202, `ok`, nil, ""},
		{"other status", 200, `{"status":"pending"}`, nil, `hub register: hub answered status "pending"`},
		{"bad request", 400, `{"detail":"name is required"}`, nil, "hub register: hub answered HTTP 400"},
		{"unavailable", 503, `<html>upstream down</html>`, map[string]string{"Retry-After": "7"}, "hub register: hub answered HTTP 503"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			t.Cleanup(srv.Close)
			err := NewClient(srv.URL+"/", nil).Register(context.Background(), Registration{Name: "n", URL: "u"})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Register() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Register() = %v, want error containing %q", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), tc.body) && tc.body != "" {
				t.Errorf("Register() error %q repeats the hub's body", err)
			}
			if ra, ok := tc.header["Retry-After"]; ok {
				var se *statusError
				if !errors.As(err, &se) || se.retryAfter != 7*time.Second {
					t.Errorf("Register() retryAfter with Retry-After %s = %v, want 7s", ra, se)
				}
			}
		})
	}
}

func TestClientErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	const secret = "s3cr3t-token"
	for _, base := range []string{
		strings.Replace(srv.URL, "http://", "http://svc:"+secret+"@", 1) + "/?key=" + secret,
		strings.Replace(closedURL, "http://", "http://svc:"+secret+"@", 1) + "/?key=" + secret,
	} {
		c := NewClient(base, &http.Client{Timeout: 5 * time.Second})
		for name, call := range map[string]func() error{
			"Register":  func() error { return c.Register(context.Background(), Registration{Name: "n", URL: "u"}) },
			"PostEvent": func() error { return c.PostEvent(context.Background(), NewEvent(testTime, "t", "s", nil)) },
			"Health":    func() error { return c.Health(context.Background()) },
		} {
			err := call()
			if err == nil {
				t.Fatalf("%s() = nil, want an error", name)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s() error = %q, leaks the secret", name, err)
			}
		}
	}
}

func TestClientHealth(t *testing.T) {
	t.Parallel()
	hub := newFakeHub(t)
	if err := hub.client().Health(context.Background()); err != nil {
		t.Errorf("Health() = %v, want nil", err)
	}
	hub.setMode(hubUnavailable)
	if err := hub.client().Health(context.Background()); err == nil || !strings.Contains(err.Error(), "hub health") {
		t.Errorf("Health() while down = %v, want a hub health error", err)
	}
	hub.setMode(hubHangUp)
	if err := hub.client().Health(context.Background()); err == nil {
		t.Errorf("Health() while hanging up = nil, want an error")
	}
}

func TestClientContextReachesCall(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := NewClient(srv.URL, nil).Health(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Health(cancelled ctx) = %v, want context.Canceled", err)
	}
}

func TestFateOf(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]fate{
		400: fateParked, 401: fateParked, 403: fateParked, 404: fateParked, 413: fateParked, 422: fateParked,
		409: fateDelivered, 410: fateGone,
		408: fateRetry, 429: fateRetry, 500: fateRetry, 502: fateRetry, 503: fateRetry,
	} {
		if got := fateOf(&statusError{status: status}); got != want {
			t.Errorf("fateOf(HTTP %d) = %v, want %v", status, got, want)
		}
	}
	if got := fateOf(nil); got != fateDelivered {
		t.Errorf("fateOf(nil) = %v, want fateDelivered", got)
	}
	if got := fateOf(errors.New("dial tcp: connection refused")); got != fateRetry {
		t.Errorf("fateOf(network error) = %v, want fateRetry", got)
	}
}

// TestDescribe: a failed hub call is described by what happened, never by
// the URL's credentials.
func TestDescribe(t *testing.T) {
	t.Parallel()
	answer := func(status int, body string) string { return answering(t, status, body) }
	closed := closedURL()
	const secret = "s3cr3t-hub-pass"
	cases := []struct {
		name, base string
		want       string // prefix
	}{
		{"rejected", answer(422, `{"detail": [{"loc": ["body","capabilities"],
			"msg": "unknown capability"}]}`), `rejected (422: {"detail": [{"loc": ["body","capabilities"], "msg": "unknown capability"}]})`},
		{"rejected without body", answer(404, ""), "rejected (404)"},
		{"server error", answer(503, "<html>upstream down</html>"), "server error (503)"},
		{"other status", answer(200, `{"status":"pending"}`), `rejected (status "pending", want "registered")`},
		{"unreachable", strings.Replace(closed, "http://", "http://svc:"+secret+"@", 1), "unreachable (dial tcp "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := NewClient(tc.base, nil).Register(context.Background(), Registration{Name: "n", URL: "u"})
			got := describe(err)
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("describe(%v) = %q, want it to start with %q", err, got, tc.want)
			}
			if strings.Contains(got, secret) {
				t.Errorf("describe(%v) = %q, leaks the URL's password", err, got)
			}
		})
	}
}

func TestSafeBody(t *testing.T) {
	t.Parallel()
	c := NewClient("http://svc:hub-password-1@hub:8200/?token=tok-abcdef", nil)
	cases := []struct{ name, in, want string }{
		{"plain", `{"detail":"Not Found"}`, `{"detail":"Not Found"}`},
		{"control characters and runs of space", "a\n\n\tb\x00c   d", "a b c d"},
		{"bad UTF-8", "ok\xffok", "ok\uFFFDok"},
		{"URL credentials", "auth hub-password-1 for svc, tok-abcdef", "auth *** for svc, ***"},
		{"key-like and bearer", "sk-proj-abcdef Bearer eyJhbGc", "sk-*** Bearer ***"},
		{"long", strings.Repeat("é", 400), strings.Repeat("é", (MaxParkedBody-3)/2) + "…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.safeBody([]byte(tc.in), MaxParkedBody)
			if got != tc.want {
				t.Errorf("safeBody(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if len(got) > MaxParkedBody {
				t.Errorf("safeBody(%q) is %d bytes, want at most %d", tc.in, len(got), MaxParkedBody)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tc := range cases {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestReplyErrorIsNullWhenNil(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Reply{CorrelationID: "c", Status: StatusSuccess})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"error":null`) {
		t.Errorf("json.Marshal(Reply) = %s, want \"error\":null", b)
	}
}
