package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	// The runtime the generated client imports: required here so that go.mod
	// lists it and go mod download fetches it, as it does the generator,
	// which go.mod pins as a tool.
	_ "github.com/oapi-codegen/runtime"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
)

// TestGeneratedClient generates a Go client from openapi.json with
// oapi-codegen, compiles it with a driver (testdata/genclient) in a module
// of its own, and runs the driver against the service: a synchronous text
// and image job, a job submitted without waiting and polled, and a
// canceled one, each read through the typed job and result the document's
// discriminators pick. On a warm build cache it takes seconds; on a cold
// one, building the generator takes minutes, the client seconds.
func TestGeneratedClient(t *testing.T) {
	t.Parallel()
	servicetest.SkipShort(t, "generates, compiles and runs a client")
	dir := clientModule(t)
	s := startService(t, nil)
	held := startService(t, map[string]string{"TEXT_WORKERS": "0", "IMAGE_WORKERS": "0"})
	start := time.Now()
	out := goCommand(t, dir, "run", ".", s.URL, held.URL, servicetest.Token(t, "generated-client"))
	t.Logf("driver built and ran in %v:\n%s", time.Since(start).Round(time.Millisecond), out)
}

var moduleLine = regexp.MustCompile(`(?m)^module .*$`)

// clientModule lays out a module in a temporary directory: this module's
// requirements (go.mod and go.sum under another module path, so that it
// builds from the same module cache and needs no network), the client
// oapi-codegen generates from the served document, and the driver.
func clientModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	driver, err := os.ReadFile(filepath.Join("testdata", "genclient", "driver.go"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"go.mod":    moduleLine.ReplaceAll(mod, []byte("module clientcheck")),
		"go.sum":    sum,
		"driver.go": driver,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "client"), 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	goCommand(t, ".", "tool", "oapi-codegen", "-generate", "types,client", "-package", "client",
		"-o", filepath.Join(dir, "client", "client.gen.go"), filepath.Join("functions", "docs", "openapi.json"))
	t.Logf("client generated in %v", time.Since(start).Round(time.Millisecond))
	return dir
}

// goCommand runs the go command in dir with no network and no workspace,
// failing the test with its output when it fails.
func goCommand(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=readonly"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
