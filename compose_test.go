package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
)

// TestComposeFile reads local/compose.yaml as Docker Compose does (the
// compose specification's own Go parser) and, when it is installed, as
// Debian's podman-compose 1.0.3 does, and checks that both see the same
// settings: a key left unset on the host is empty, not a literal.
func TestComposeFile(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("local/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// podman-compose 1.0.3 passes ${NAME:-} and ${NAME-} through as text.
	if m := regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*:?[-?][^}]*\}`).FindString(string(raw)); m != "" {
		t.Errorf("local/compose.yaml uses %s, which podman-compose 1.0.3 passes through literally; write ${NAME}", m)
	}
	opts, err := cli.NewProjectOptions([]string{"local/compose.yaml"},
		cli.WithWorkingDirectory("local"), cli.WithEnv([]string{}), cli.WithName("dnd-llm"))
	if err != nil {
		t.Fatal(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("compose-go: %v", err)
	}
	api, err := project.GetService("llm-service")
	if err != nil {
		t.Fatal(err)
	}
	worker, err := project.GetService("worker")
	if err != nil {
		t.Fatal(err)
	}
	env := func(s string, m map[string]*string) string {
		if v := m[s]; v != nil {
			return *v
		}
		return "(unset)"
	}
	for k, want := range map[string]string{"OPENAI_API_KEY": "", "GETIMG_API_KEY": "", "TEXT_WORKERS": "0", "IMAGE_WORKERS": "0"} {
		if got := env(k, api.Environment); got != want {
			t.Errorf("llm-service %s = %q, want %q", k, got, want)
		}
	}
	if got := env("TEXT_WORKERS", worker.Environment); got != "(unset)" {
		t.Errorf("worker TEXT_WORKERS = %q, want the default", got)
	}
	if len(worker.Command) != 1 || worker.Command[0] != "worker" {
		t.Errorf("worker command = %v, want [worker]", worker.Command)
	}
	redis, err := project.GetService("redis")
	if err != nil {
		t.Fatal(err)
	}
	cmd := strings.Join(redis.Command, " ")
	if !strings.Contains(cmd, "--maxmemory-policy noeviction") || !strings.Contains(cmd, "--maxmemory ") {
		t.Errorf("redis command %q: want a maxmemory that never evicts (noeviction)", cmd)
	}

	if _, err := exec.LookPath("podman-compose"); err != nil {
		t.Log("podman-compose is not installed; only compose-go read the file")
		return
	}
	run := exec.Command("podman-compose", "-f", "compose.yaml", "--dry-run", "up")
	run.Dir = "local"
	run.Env = append(os.Environ(), "OPENAI_API_KEY=", "GETIMG_API_KEY=")
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("podman-compose --dry-run up: %v\n%s", err, out)
	}
	for _, want := range []string{"-e OPENAI_API_KEY= ", "-e TEXT_WORKERS=0 ", "--maxmemory-policy noeviction"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("podman-compose would not run %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "${") {
		t.Errorf("podman-compose passes a ${...} through literally:\n%s", out)
	}
}
