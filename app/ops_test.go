package app_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
)

const characterBody = `{"type":"personality","parameters":{"character_class":"Cleric","character_race":"Dwarf","character_level":3},"seed":7}`

// closedRedis is a Redis URL on which nothing listens.
func closedRedis(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "redis://" + addr + "/0"
}

// /livez answers 200 while the process serves, whatever Redis does;
// /readyz and /health say when Redis is unreachable.
func TestProbes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                string
		env                 map[string]string
		ready, health       int
		readyBody, liveBody string
	}{
		{"redis up", map[string]string{}, 200, 200, `{"status":"ok"}`, `{"status":"ok"}`},
		{"redis down", map[string]string{"REDIS_URL": closedRedis(t)}, 503, 503,
			`{"status":"unavailable","reason":"redis_unreachable"}`, `{"status":"ok"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := apptest.Start(t, tc.env)
			for _, p := range []struct {
				path   string
				status int
				body   string
			}{
				{"/livez", 200, tc.liveBody},
				{"/readyz", tc.ready, tc.readyBody},
				{"/health", tc.health, ""},
			} {
				r := servicetest.Do(t, "GET", s.URL+p.path, "", "")
				if r.Status != p.status || (p.body != "" && strings.TrimSpace(string(r.Body)) != p.body) {
					t.Errorf("GET %s = %d %s, want %d %s", p.path, r.Status, r.Body, p.status, p.body)
				}
				if r.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("GET %s: Cache-Control = %q, want no-store", p.path, r.Header.Get("Cache-Control"))
				}
			}
		})
	}
}

// On SIGTERM /readyz fails first, for READINESS_DRAIN, while the process
// still serves requests; then it stops, and its last line gives the
// drain figures.
func TestShutdownDrainsReadinessFirst(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"READINESS_DRAIN": "3s", "SHUTDOWN_TIMEOUT": "6s"})
	tok := servicetest.Token(t, "drain-caller")
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop() }()
	s.Logs.WaitFor(t, "shutting down", 10*time.Second)

	if r := servicetest.Do(t, "GET", s.URL+"/readyz", "", ""); r.Status != 503 || !strings.Contains(string(r.Body), `"draining"`) {
		t.Errorf("GET /readyz while draining = %d %s, want 503 draining", r.Status, r.Body)
	}
	if r := servicetest.Do(t, "GET", s.URL+"/livez", "", ""); r.Status != 200 {
		t.Errorf("GET /livez while draining = %d, want 200", r.Status)
	}
	if r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, characterBody); r.Status != 200 {
		t.Errorf("POST /api/v2/text/character while draining = %d %s, want 200: requests are served until the listener closes", r.Status, r.Body)
	}

	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("run() = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the service did not stop")
	}
	if _, err := servicetest.Send("GET", s.URL+"/livez", "", ""); err == nil {
		t.Errorf("GET /livez after the stop answered")
	}
	lines := s.Logs.Lines()
	last := lines[len(lines)-1]
	if last["msg"] != "stopped" {
		t.Fatalf("last line = %v, want stopped", last)
	}
	if n, _ := last["requests_drained"].(float64); n < 3 {
		t.Errorf("requests_drained = %v, want the 3 requests answered during the drain", last["requests_drained"])
	}
	if n, _ := last["jobs_finished"].(float64); n < 1 {
		t.Errorf("jobs_finished = %v, want the request's job", last["jobs_finished"])
	}
	if d, _ := last["duration_ms"].(float64); d < 3000 || d > 6500 {
		t.Errorf("duration_ms = %v, want at least READINESS_DRAIN (3s) and within SHUTDOWN_TIMEOUT (6s)", last["duration_ms"])
	}
	if _, ok := last["jobs_handed_back"]; !ok {
		t.Errorf("stopped line lacks jobs_handed_back: %v", last)
	}
}

// With METRICS_PORT, /metrics leaves the public port for a listener of its
// own; the build and the queue gauges' exporter are there.
func TestMetricsPort(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"METRICS_PORT": "0"})
	line := s.Logs.WaitFor(t, "metrics listening", 10*time.Second)
	addr, _ := line["addr"].(string)
	metricsURL := "http://127.0.0.1" + addr[strings.LastIndex(addr, ":"):] + "/metrics"
	if r := servicetest.Do(t, "GET", s.URL+"/metrics", "", ""); r.Status != 404 {
		t.Errorf("GET /metrics on the API port = %d, want 404", r.Status)
	}
	r := servicetest.Do(t, "GET", metricsURL, "", "")
	if r.Status != 200 {
		t.Fatalf("GET %s = %d", metricsURL, r.Status)
	}
	for _, want := range []string{`llm_build_info{go_version="go`, `version="dev"} 1`, "llm_queue_gauges_exporter 1", `llm_queue_depth{queue="text"} 0`} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// Through a Redis outage the pools' repeated warnings make at most two
// lines per window: the first at once, then one with the count of the
// rest. Each pool's dispatcher backs off between failed claims (250ms,
// 500ms, ...), so a window of 2s holds several of them.
func TestOutageWarningsAreCoalesced(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"REDIS_URL": closedRedis(t), "LOG_REPEAT_WINDOW": "2s"})
	counted := func() int {
		n := 0
		for _, l := range s.Logs.Lines() {
			if l["msg"] == "claim failed" && l["repeated"] != nil {
				n++
			}
		}
		return n
	}
	servicetest.WaitFor(t, 20*time.Second, "a window of claim failures", func() bool { return counted() >= 1 })
	if err := s.Stop(); err != nil {
		t.Fatalf("run() = %v", err)
	}
	lines, warnings := 0, 0
	for _, l := range s.Logs.Lines() {
		if l["msg"] != "claim failed" {
			continue
		}
		lines++
		r, _ := l["repeated"].(float64)
		warnings += 1 + int(r)
	}
	if warnings <= 2*lines {
		t.Errorf("%d claim failed lines stand for %d warnings, want far fewer lines than warnings", lines, warnings)
	}
}
