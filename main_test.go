package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/auth"
)

// serve runs the program as the binary does with no command.
func serve(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	return run(ctx, []string{"dnd-llm-service"}, getenv, io.Discard, stderr)
}

// startService runs the program through run() on port 0 with env and
// waits for it to listen (see apptest.Start, which fills in env).
func startService(t testing.TB, env map[string]string) *apptest.Service {
	t.Helper()
	return apptest.Start(t, env, apptest.Serve(serve))
}

func TestServiceFoundation(t *testing.T) {
	t.Parallel()
	s := startService(t, map[string]string{})
	tok := servicetest.Token(t, "character-service")

	t.Run("health", func(t *testing.T) {
		r := servicetest.Do(t, "GET", s.URL+"/health", "", "")
		if r.Status != 200 {
			t.Fatalf("GET /health = %d, want 200: %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		comps, _ := m["components"].(map[string]any)
		for _, c := range []string{"redis", "openai", "getimg", "message_hub", "queue"} {
			if _, ok := comps[c]; !ok && (c == "redis" || c == "message_hub" || c == "queue") {
				t.Errorf("health components lack %q: %v", c, comps)
			}
		}
		if m["status"] != "healthy" {
			t.Errorf("health status = %v, want healthy", m["status"])
		}
		if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
		}
	})

	t.Run("queue status needs a token", func(t *testing.T) {
		r := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/status", "", "")
		if r.Status != 401 {
			t.Fatalf("status = %d, want 401", r.Status)
		}
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WWW-Authenticate = %q, want Bearer", r.Header.Get("WWW-Authenticate"))
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("Content-Type = %q, want application/problem+json", ct)
		}
		if r.JSON(t)["code"] != "UNAUTHORIZED" {
			t.Errorf("code = %v, want UNAUTHORIZED", r.JSON(t)["code"])
		}
	})

	t.Run("queue status with a token", func(t *testing.T) {
		r := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/status", tok, "", servicetest.Header("X-Request-ID", "req-123"))
		if r.Status != 200 {
			t.Fatalf("status = %d, want 200: %s", r.Status, r.Body)
		}
		if got := r.Header.Get("X-Request-ID"); got != "req-123" {
			t.Errorf("X-Request-ID = %q, want req-123 echoed", got)
		}
		m := r.JSON(t)
		queues, _ := m["queues"].(map[string]any)
		for _, q := range []string{"text", "image"} {
			st, ok := queues[q].(map[string]any)
			if !ok {
				t.Fatalf("queues.%s missing: %s", q, r.Body)
			}
			if st["queued"] != 0.0 || st["running"] != 0.0 {
				t.Errorf("queues.%s = %v, want zero counts", q, st)
			}
		}
	})

	t.Run("bad tokens", func(t *testing.T) {
		expired, _ := auth.Mint(servicetest.TestKey, "x", nil, -time.Hour, time.Now(), "", "")
		wrongKey, _ := auth.Mint(strings.Repeat("k", 64), "x", nil, time.Hour, time.Now(), "", "")
		for name, tk := range map[string]string{"expired": expired, "wrong key": wrongKey, "garbage": "abc.def.ghi", "huge": strings.Repeat("a", 5000)} {
			r := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/status", tk, "")
			if r.Status != 401 {
				t.Errorf("%s token: status = %d, want 401", name, r.Status)
			}
		}
	})

	t.Run("unknown route and wrong method are problems", func(t *testing.T) {
		r := servicetest.Do(t, "GET", s.URL+"/nope", "", "")
		if r.Status != 404 || r.JSON(t)["code"] != "NOT_FOUND" {
			t.Errorf("GET /nope = %d %s, want 404 NOT_FOUND problem", r.Status, r.Body)
		}
		r = servicetest.Do(t, "DELETE", s.URL+"/health", "", "")
		if r.Status != 405 || r.JSON(t)["code"] != "METHOD_NOT_ALLOWED" {
			t.Errorf("DELETE /health = %d %s, want 405 problem", r.Status, r.Body)
		}
		if r.Header.Get("Allow") == "" {
			t.Errorf("405 without Allow header")
		}
	})

	t.Run("body cap and content type", func(t *testing.T) {
		big := `{"job_id":"` + strings.Repeat("a", 70<<10) + `","priority":"high"}`
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/queue/prioritize", tok, big)
		if r.Status != 413 {
			t.Errorf("70 KiB body: status = %d, want 413", r.Status)
		}
		r = servicetest.Do(t, "POST", s.URL+"/api/v2/queue/prioritize", tok, `{"job_id":"text_x","priority":"high"}`, servicetest.Header("Content-Type", "text/plain"))
		if r.Status != 415 {
			t.Errorf("text/plain body: status = %d, want 415", r.Status)
		}
		r = servicetest.Do(t, "POST", s.URL+"/api/v2/queue/prioritize", tok, `{"job_id":`)
		if r.Status != 400 {
			t.Errorf("malformed JSON: status = %d, want 400", r.Status)
		}
		r = servicetest.Do(t, "POST", s.URL+"/api/v2/queue/prioritize", tok, `{"job_id":"text_0123456789abcdef01234567","priority":"soon"}`)
		m := r.JSON(t)
		errs, _ := m["errors"].([]any)
		if r.Status != 400 || len(errs) != 1 || errs[0].(map[string]any)["field"] != "priority" {
			t.Errorf("bad priority = %d %s, want 400 naming priority", r.Status, r.Body)
		}
	})

	t.Run("metrics", func(t *testing.T) {
		r := servicetest.Do(t, "GET", s.URL+"/metrics", "", "")
		if r.Status != 200 {
			t.Fatalf("GET /metrics = %d", r.Status)
		}
		for _, want := range []string{"llm_http_requests_total", "llm_http_request_duration_seconds", "go_goroutines", "process_resident_memory_bytes", `route="GET /health"`} {
			if !bytes.Contains(r.Body, []byte(want)) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})

	t.Run("access log", func(t *testing.T) {
		servicetest.Do(t, "GET", s.URL+"/api/v2/queue/status", tok, "", servicetest.Header("X-Request-ID", "log-check-1"))
		line := s.Logs.WaitFor(t, "request", 5*time.Second)
		for _, k := range []string{"method", "route", "status", "duration_ms", "request_id"} {
			if _, ok := line[k]; !ok {
				t.Errorf("access log line lacks %q: %v", k, line)
			}
		}
		if strings.Contains(s.Logs.String(), tok) {
			t.Errorf("a bearer token appears in the logs")
		}
		if strings.Contains(s.Logs.String(), servicetest.TestKey) {
			t.Errorf("SECRET_KEY appears in the logs")
		}
	})
}

func TestRunRefusesBadConfig(t *testing.T) {
	t.Parallel()
	cases := map[string]map[string]string{
		"short secret":        {"SECRET_KEY": "short"},
		"bad port":            {"PORT": "eighty"},
		"lambda without keys": {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"},
		"bad function":        {"FUNCTION": "everything"},
		"redis without key":   {"REDIS_URL": "redis://127.0.0.1:6379/0"},
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			err := run(context.Background(), []string{"x"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
			if err == nil {
				t.Fatalf("run() = nil, want a config error")
			}
		})
	}
}

func TestTokenCommand(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env := map[string]string{"SECRET_KEY": servicetest.TestKey}
	if err := run(context.Background(), []string{"x", "token", "--sub", "campaign-service", "--scope", "admin", "--ttl", "2h"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatalf("token: %v", err)
	}
	c, err := auth.NewVerifier(servicetest.TestKey, "").Verify(strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatalf("minted token does not verify: %v", err)
	}
	if c.Subject != "campaign-service" || !c.Admin() {
		t.Errorf("claims = %+v, want sub campaign-service with admin", c)
	}
	if err := run(context.Background(), []string{"x", "token"}, func(k string) string { return env[k] }, io.Discard, io.Discard); err == nil {
		t.Errorf("token without --sub succeeded")
	}
}

func TestHealthcheckCommand(t *testing.T) {
	t.Parallel()
	s := startService(t, map[string]string{})
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	check := func(port string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"x", "healthcheck"}, args...), func(k string) string {
			if k == "PORT" {
				return port
			}
			return ""
		}, &out, io.Discard)
		return out.String(), err
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, `"status":"healthy"`},
		{[]string{"health"}, `"status":"healthy"`},
		{[]string{"live"}, `{"status":"ok"}`},
		{[]string{"ready"}, `{"status":"ok"}`},
	} {
		out, err := check(port, tc.args...)
		if err != nil || !strings.Contains(out, tc.want) {
			t.Errorf("healthcheck %v = %q, %v, want %s", tc.args, out, err, tc.want)
		}
	}
	if _, err := check(port, "deep"); err == nil || !strings.Contains(err.Error(), "live, ready, health") {
		t.Errorf("healthcheck deep = %v, want an error naming the probes", err)
	}
	if _, err := check("1", "live"); err == nil {
		t.Errorf("healthcheck against a closed port succeeded")
	}
}

// A setting that stops the service is reported as a JSON line, like every
// other line it logs, naming the variable.
func TestConfigErrorIsAJSONLine(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	env := map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/0"}
	err := run(context.Background(), []string{"x"}, func(k string) string { return env[k] }, io.Discard, &stderr)
	if err == nil {
		t.Fatalf("run() = nil, want the missing SECRET_KEY")
	}
	var line struct{ Level, Msg, Error string }
	if jerr := json.Unmarshal(stderr.Bytes(), &line); jerr != nil {
		t.Fatalf("stderr is not one JSON line: %v\n%s", jerr, stderr.String())
	}
	if line.Level != "ERROR" || line.Msg != "exit" || !strings.Contains(line.Error, "SECRET_KEY: is required when REDIS_URL is set") {
		t.Errorf("stderr line = %+v, want an ERROR exit naming SECRET_KEY", line)
	}
	if !errors.As(err, new(logged)) {
		t.Errorf("run() = %T, want it marked as logged so main does not print it again", err)
	}
}

func TestEmbeddedDefaults(t *testing.T) {
	t.Parallel()
	// No REDIS_URL, no SECRET_KEY: the embedded store and a dev token.
	s := startService(t, map[string]string{"REDIS_URL": "", "SECRET_KEY": ""})
	line := s.Logs.WaitFor(t, "SECRET_KEY is unset: generated a random key for this process; tokens die with it", 5*time.Second)
	tok, _ := line["dev_token"].(string)
	if tok == "" {
		t.Fatalf("no dev_token in the warning: %v", line)
	}
	r := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/status", tok, "")
	if r.Status != 200 {
		t.Fatalf("queue status with the dev token = %d %s", r.Status, r.Body)
	}
	if !strings.Contains(s.Logs.String(), "embedded single-instance store") {
		t.Errorf("no warning about the embedded store")
	}
	// The queue's scripts run on the embedded store too: a job finishes,
	// is listed, and cannot be retried.
	r = servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody)
	if r.Status != 200 {
		t.Fatalf("character = %d %s", r.Status, r.Body)
	}
	id := r.JSON(t)["id"].(string)
	for _, status := range []string{"succeeded", "failed", "queued", "running"} {
		l := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/jobs?status="+status, tok, "")
		jobs, _ := l.JSON(t)["jobs"].([]any)
		if l.Status != 200 || (status == "succeeded") != (len(jobs) == 1) {
			t.Errorf("GET /api/v2/queue/jobs?status=%s on the embedded store = %d %s, want 200 and the job when succeeded", status, l.Status, l.Body)
		}
	}
	if r := servicetest.Do(t, "POST", s.URL+"/api/v2/queue/"+id+"/retry", tok, ""); r.Status != 409 {
		t.Errorf("retry of a succeeded job on the embedded store = %d %s, want 409", r.Status, r.Body)
	}
}
