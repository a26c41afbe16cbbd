package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/hub"
)

var fixed = time.Date(2026, 3, 4, 5, 6, 7, 8_000_000, time.UTC)

// lines decodes the hub's stdout, one JSON line each.
func lines(tb testing.TB, out *servicetest.LogSink) []line {
	tb.Helper()
	var ls []line
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			tb.Fatalf("stdout line %q is not JSON: %v", sc.Text(), err)
		}
		ls = append(ls, l)
	}
	return ls
}

func newDevHub(tb testing.TB) (*httptest.Server, *servicetest.LogSink) {
	tb.Helper()
	return newRefusingDevHub(tb, 0)
}

// newRefusingDevHub is a dev hub that answers every event with reject
// (0: accepts them).
func newRefusingDevHub(tb testing.TB, reject int) (*httptest.Server, *servicetest.LogSink) {
	tb.Helper()
	out := &servicetest.LogSink{}
	srv := httptest.NewServer(newHandler(out, func() time.Time { return fixed }, reject))
	tb.Cleanup(srv.Close)
	return srv, out
}

func TestDevHubWithClient(t *testing.T) {
	t.Parallel()
	srv, out := newDevHub(t)
	c := hub.NewClient(srv.URL, nil)
	ctx := context.Background()

	reg := hub.Registration{Name: "llm-service", URL: "http://llm:8000", HealthCheck: "http://llm:8000/health", Version: "dev", Capabilities: []string{"generate_text"}}
	if err := c.Register(ctx, reg); err != nil {
		t.Fatalf("Register() = %v, want nil", err)
	}
	ev := hub.NewEvent(fixed, "llm.job.completed", "llm-service", map[string]any{"job_id": "j-1"})
	if err := c.PostEvent(ctx, ev); err != nil {
		t.Fatalf("PostEvent() = %v, want nil", err)
	}
	if err := c.Health(ctx); err != nil {
		t.Fatalf("Health() = %v, want nil", err)
	}

	want := []line{
		{Time: "2026-03-04T05:06:07.008Z", Kind: "registration", Registration: &reg},
		{Time: "2026-03-04T05:06:07.008Z", Kind: "event", IdempotencyKey: ev.Metadata.EventID, Event: &ev},
	}
	if diff := cmp.Diff(want, lines(t, out)); diff != "" {
		t.Errorf("stdout mismatch (-want +got):\n%s", diff)
	}
}

func TestDevHubRoutes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantBody   string // JSON, compared semantically
		wantLines  int
	}{
		{"register", "POST", "/v1/services/register", `{"name":"llm-service","url":"http://llm"}`, 200, `{"status":"registered"}`, 1},
		{"register without url", "POST", "/v1/services/register", `{"name":"llm-service"}`, 422,
			`{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"url: is required","errors":{"url":"is required"}}`, 0},
		{"event", "POST", "/api/v1/events", `{"event_type":"llm.queue.status","source_service":"llm-service","data":{},"metadata":{"event_id":"e-1","timestamp":"2026-03-04T05:06:07.008Z","request_id":""},"correlation_id":"","causation_id":""}`, 202, `{"status":"accepted"}`, 1},
		{"event without type", "POST", "/api/v1/events", `{"source_service":"llm-service"}`, 422,
			`{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"event_type: is required","errors":{"event_type":"is required"}}`, 0},
		{"send echoes", "POST", "/v1/messages/send", `{"source":"character-service","destination":"llm-service","message_type":"generate_text","correlation_id":"c-1","payload":{"prompt":"a dwarf"},"timestamp":"2026-03-04T05:06:07.008Z","reply_to":"character-service"}`, 200,
			`{"correlation_id":"c-1","status":"success","data":{"source":"character-service","destination":"llm-service","message_type":"generate_text","correlation_id":"c-1","payload":{"prompt":"a dwarf"},"timestamp":"2026-03-04T05:06:07.008Z","reply_to":"character-service"},"error":null,"timestamp":"2026-03-04T05:06:07.008Z"}`, 1},
		{"send with a zone-less timestamp", "POST", "/v1/messages/send", `{"message_type":"generate_text","correlation_id":"c-3","payload":{"prompt":"a dwarf"},"timestamp":"2026-12-05T16:47:12.350854"}`, 200,
			`{"correlation_id":"c-3","status":"success","data":{"source":"","destination":"","message_type":"generate_text","correlation_id":"c-3","payload":{"prompt":"a dwarf"},"timestamp":"2026-12-05T16:47:12.350854","reply_to":""},"error":null,"timestamp":"2026-03-04T05:06:07.008Z"}`, 1},
		{"send invalid", "POST", "/v1/messages/send", `{"correlation_id":"c-2","payload":[1]}`, 400,
			`{"correlation_id":"c-2","status":"error","data":null,"error":{"code":"INVALID_MESSAGE","message":"message_type: is required; payload: must be a JSON object"},"timestamp":"2026-03-04T05:06:07.008Z"}`, 0},
		{"not JSON", "POST", "/api/v1/events", `event please`, 400,
			`{"type":"about:blank","title":"Bad Request","status":400,"detail":"body: must be one JSON object of at most 2 MiB","errors":{"body":"must be one JSON object of at most 2 MiB"}}`, 0},
		{"health", "GET", "/health", ``, 200, `{"status":"healthy"}`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, out := newDevHub(t)
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("%s %s status = %d, want %d (body %s)", tc.method, tc.path, resp.StatusCode, tc.wantStatus, body)
			}
			var got, want any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %q is not JSON: %v", body, err)
			}
			if err := json.Unmarshal([]byte(tc.wantBody), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s body mismatch (-want +got):\n%s", tc.method, tc.path, diff)
			}
			if n := len(lines(t, out)); n != tc.wantLines {
				t.Errorf("stdout lines = %d, want %d", n, tc.wantLines)
			}
		})
	}
}

// TestDevHubRejectEvents: with -reject-events every event is refused with
// that status, and the refusal is printed.
func TestDevHubRejectEvents(t *testing.T) {
	t.Parallel()
	srv, out := newRefusingDevHub(t, http.StatusUnprocessableEntity)
	ev := hub.NewEvent(fixed, "llm.text.completed", "llm-service", nil)
	err := hub.NewClient(srv.URL, nil).PostEvent(context.Background(), ev)
	if err == nil || !strings.Contains(err.Error(), "HTTP 422") {
		t.Fatalf("PostEvent() = %v, want HTTP 422", err)
	}
	if ls := lines(t, out); len(ls) != 1 || ls[0].Kind != "refused_event" || ls[0].Event.Metadata.EventID != ev.Metadata.EventID {
		t.Errorf("stdout = %+v, want one refused_event line", ls)
	}
	if err := run(context.Background(), []string{"hub", "-reject-events", "200"}, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
		t.Errorf("run(-reject-events 200) = nil, want an error")
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderrR, stderrW := io.Pipe()
	done := make(chan error, 1)
	getenv := func(k string) string {
		if k == "HUB_ADDR" {
			return "127.0.0.1:0"
		}
		return ""
	}
	go func() { done <- run(ctx, []string{"hub"}, getenv, io.Discard, stderrW) }()

	first, err := bufio.NewReader(stderrR).ReadString('\n')
	if err != nil {
		t.Fatalf("read the listening line: %v", err)
	}
	go io.Copy(io.Discard, stderrR)
	addr := strings.TrimSpace(strings.TrimPrefix(first, "dev message hub listening on "))
	if err := hub.NewClient("http://"+addr, nil).Health(ctx); err != nil {
		t.Errorf("Health() = %v, want nil", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run() = %v, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestRunBadFlag(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), []string{"hub", "-port", "1"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil {
		t.Errorf("run(-port) = nil, want a flag error")
	}
}
