package apptest_test

import (
	"slices"
	"testing"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
)

func TestStart(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	s := apptest.Start(t, env)
	if env["REDIS_KEY_PREFIX"] == "" || env["SECRET_KEY"] != servicetest.TestKey || env["PORT"] != "0" {
		t.Errorf("Start filled env = %v, want a Redis prefix, the test key and port 0", env)
	}
	r := servicetest.Do(t, "GET", s.URL+"/health", "", "")
	if r.Status != 200 {
		t.Fatalf("GET /health = %d %s, want 200", r.Status, r.Body)
	}
	apptest.LoadSpec(t).CheckResponse(t, "GET /health", r)
	if s.Logs.Count("listening") != 1 || s.LogLines() == 0 {
		t.Errorf("logs: %d listening lines of %d, want 1", s.Logs.Count("listening"), s.LogLines())
	}
	if err := s.Stop(); err != nil {
		t.Errorf("Stop() = %v", err)
	}
	if _, err := servicetest.Send("GET", s.URL+"/health", "", ""); err == nil {
		t.Errorf("GET /health after Stop answered")
	}
}

func TestStartLean(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil, apptest.Lean())
	if s.Logs != nil || s.LogLines() == 0 {
		t.Errorf("lean service: Logs %v, %d lines counted; want no sink and the lines counted", s.Logs, s.LogLines())
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		env     map[string]string
		metrics bool
	}{
		{"server", nil, true},
		{"lambda", map[string]string{"FUNCTION": "queue", "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var patterns []string
			for _, r := range apptest.New(t, tc.env).Routes() {
				patterns = append(patterns, r.Pattern())
			}
			if !slices.Contains(patterns, "GET /health") || slices.Contains(patterns, "GET /metrics") != tc.metrics {
				t.Errorf("routes %v: want GET /health, and GET /metrics %v", patterns, tc.metrics)
			}
		})
	}
}

func TestLoadSpec(t *testing.T) {
	t.Parallel()
	d := apptest.LoadSpec(t)
	if ops := d.Operations(); !slices.Contains(ops, "GET /health") || !slices.IsSorted(ops) {
		t.Errorf("Operations() = %v, want them sorted, GET /health among them", ops)
	}
	if len(d.MessageTypes()) == 0 || len(d.FirstExample(t, "POST /api/v2/text/character")) == 0 {
		t.Errorf("the document lacks message types or the character example")
	}
}
