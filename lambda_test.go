package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dndcc/dnd-llm-service/app"
	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/local/eventgen"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// samFunction is one function of template.yaml.
type samFunction struct {
	Name     string
	Function string   // its FUNCTION variable
	Routes   []string // "METHOD /path" of its HttpApi events
	Schedule bool
}

// loadTemplate reads template.yaml's functions. CloudFormation short tags
// (!Ref, !Sub) decode as their plain values.
func loadTemplate(t testing.TB) map[string]samFunction {
	t.Helper()
	b, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Transform string `yaml:"Transform"`
		Globals   struct {
			Function map[string]any `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string         `yaml:"Type"`
			Metadata   map[string]any `yaml:"Metadata"`
			Properties struct {
				ReservedConcurrentExecutions any `yaml:"ReservedConcurrentExecutions"`
				Environment                  struct {
					Variables map[string]string `yaml:"Variables"`
				} `yaml:"Environment"`
				Events map[string]struct {
					Type       string         `yaml:"Type"`
					Properties map[string]any `yaml:"Properties"`
				} `yaml:"Events"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
		Outputs map[string]any `yaml:"Outputs"`
	}
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		t.Fatalf("parse template.yaml: %v", err)
	}
	if tpl.Transform != "AWS::Serverless-2016-10-31" {
		t.Errorf("Transform = %q", tpl.Transform)
	}
	g := tpl.Globals.Function
	for k, want := range map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap", "CodeUri": "."} {
		if g[k] != want {
			t.Errorf("Globals.Function.%s = %v, want %v", k, g[k], want)
		}
	}
	if archs, _ := g["Architectures"].([]any); len(archs) != 1 || archs[0] != "arm64" {
		t.Errorf("Globals.Function.Architectures = %v, want [arm64]", g["Architectures"])
	}
	if _, ok := tpl.Outputs["ApiUrl"]; !ok {
		t.Errorf("Outputs lack ApiUrl")
	}
	fns := map[string]samFunction{}
	for name, r := range tpl.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		if r.Metadata["BuildMethod"] != "go1.x" {
			t.Errorf("%s: Metadata.BuildMethod = %v, want go1.x", name, r.Metadata["BuildMethod"])
		}
		if r.Properties.ReservedConcurrentExecutions == nil {
			t.Errorf("%s: no ReservedConcurrentExecutions", name)
		}
		f := samFunction{Name: name, Function: r.Properties.Environment.Variables["FUNCTION"]}
		for evName, ev := range r.Properties.Events {
			switch ev.Type {
			case "HttpApi":
				if v := fmt.Sprint(ev.Properties["PayloadFormatVersion"]); v != "2.0" {
					t.Errorf("%s.%s: PayloadFormatVersion = %s, want 2.0", name, evName, v)
				}
				f.Routes = append(f.Routes, fmt.Sprint(ev.Properties["Method"])+" "+fmt.Sprint(ev.Properties["Path"]))
			case "Schedule", "ScheduleV2":
				f.Schedule = true
			}
		}
		sort.Strings(f.Routes)
		fns[f.Function] = f
	}
	return fns
}

// lambdaRoutes lists what the binary routes under Lambda as function fn.
func lambdaRoutes(t testing.TB, fn string) []string {
	t.Helper()
	a := apptest.New(t, map[string]string{"FUNCTION": fn, "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1"})
	var patterns []string
	for _, r := range a.Routes() {
		patterns = append(patterns, r.Pattern())
	}
	sort.Strings(patterns)
	return patterns
}

// builtGroups builds the app on embedded defaults and returns its groups.
func builtGroups(t testing.TB) []app.Built {
	t.Helper()
	a, err := app.Embedded(app.Groups)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	return a.Built()
}

// TestTemplateMatchesRoutes checks template.yaml against the group list:
// every FUNCTION value has its function, each routes exactly what that
// FUNCTION serves under Lambda, and the worker runs on a schedule.
func TestTemplateMatchesRoutes(t *testing.T) {
	t.Parallel()
	fns := loadTemplate(t)
	if w, ok := fns[config.FunctionWorker]; !ok || !w.Schedule {
		t.Errorf("template has no worker function on a Schedule event")
	}
	// Routes every function serves are routed to their group's home.
	everywhere := map[string]string{}
	for _, g := range builtGroups(t) {
		if g.Function == "" {
			for _, r := range g.Routes {
				everywhere[r.Pattern()] = g.Home
			}
		}
	}
	for _, fn := range app.Functions(app.Groups) {
		if fn == config.FunctionAll || fn == config.FunctionWorker {
			continue
		}
		served := lambdaRoutes(t, fn)
		own := slices.DeleteFunc(slices.Clone(served), func(r string) bool { home, ok := everywhere[r]; return ok && home != fn })
		f, declared := fns[fn]
		if !declared {
			t.Errorf("FUNCTION=%s serves %v but template.yaml declares no function for it", fn, served)
			continue
		}
		if f.Schedule {
			t.Errorf("%s: an HTTP function runs on a schedule", f.Name)
		}
		for _, r := range f.Routes {
			if !slices.Contains(own, r) {
				t.Errorf("template routes %q to %s, but FUNCTION=%s does not serve it (serves %v)", r, f.Name, fn, served)
			}
		}
		for _, r := range own {
			if !slices.Contains(f.Routes, r) {
				t.Errorf("FUNCTION=%s serves %q, but template.yaml does not route it to %s", fn, r, f.Name)
			}
		}
		if slices.Contains(served, "GET /metrics") {
			t.Errorf("FUNCTION=%s routes /metrics under Lambda", fn)
		}
	}
	for fn, f := range fns {
		if !slices.Contains(app.Functions(app.Groups), fn) {
			t.Errorf("template.yaml's %s runs FUNCTION=%q, which the binary does not know", f.Name, fn)
		}
	}
}

// expectedStatus is what each sample event must answer on a fresh queue,
// by file, as the routes declare it.
func expectedStatus(t testing.TB) map[string]int {
	t.Helper()
	events, err := eventgen.Events(builtGroups(t))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range events {
		out[e.File] = e.Status
	}
	return out
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// buildOnce builds the service binary and the Runtime Interface Emulator.
var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "dnd-llm-service-build")
	if err != nil {
		return "", err
	}
	for _, b := range [][]string{
		{"go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "bootstrap"), "."},
		{"go", "build", "-o", filepath.Join(dir, "aws-lambda-rie"), "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"},
	} {
		cmd := exec.Command(b[0], b[1:]...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %v\n%s", strings.Join(b, " "), err, out)
		}
	}
	return dir, nil
})

// emulator runs the binary under the AWS Lambda Runtime Interface Emulator.
type emulator struct {
	url  string
	logs *servicetest.LogSink
}

func startEmulator(t testing.TB, env map[string]string) *emulator {
	t.Helper()
	dir, err := buildOnce()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	rieAddr := freePort(t)
	cmd := exec.Command(filepath.Join(dir, "aws-lambda-rie"),
		"--runtime-api-address", freePort(t),
		"--runtime-interface-emulator-address", rieAddr,
		filepath.Join(dir, "bootstrap"))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "AWS_LAMBDA_FUNCTION_TIMEOUT=60"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logs := &servicetest.LogSink{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("emulator logs:\n%s", logs)
		}
	})
	servicetest.WaitFor(t, 30*time.Second, "the emulator to listen on "+rieAddr, func() bool {
		c, err := net.DialTimeout("tcp", rieAddr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return &emulator{url: "http://" + rieAddr + "/2015-03-31/functions/function/invocations", logs: logs}
}

// invoke posts an event and returns the function's answer, failing the
// test when the invocation itself failed (the emulator still answers 200).
func (e *emulator) invoke(t testing.TB, event []byte) []byte {
	t.Helper()
	resp, err := http.Post(e.url, "application/json", bytes.NewReader(event))
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var fail struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if json.Unmarshal(b, &fail) == nil && (fail.ErrorMessage != "" || fail.ErrorType != "") {
		t.Fatalf("invocation failed: %s: %s", fail.ErrorType, fail.ErrorMessage)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("emulator answered %d: %s", resp.StatusCode, b)
	}
	return b
}

// apiResponse is an HTTP API payload 2.0 answer.
type apiResponse struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}

func lambdaEnv(t testing.TB, fn string) map[string]string {
	t.Helper()
	b, err := os.ReadFile("local/env.json")
	if err != nil {
		t.Fatal(err)
	}
	var envFile struct {
		Parameters map[string]string `json:"Parameters"`
	}
	if err := json.Unmarshal(b, &envFile); err != nil {
		t.Fatalf("local/env.json: %v", err)
	}
	_, prefix := redistest.New(t)
	env := envFile.Parameters
	env["REDIS_URL"] = redistest.URL()
	env["REDIS_KEY_PREFIX"] = prefix
	env["FUNCTION"] = fn
	env["LOG_LEVEL"] = "INFO"
	return env
}

func TestLambdaEventsUnderEmulator(t *testing.T) {
	servicetest.SkipShort(t, "emulator: builds the binary and the Lambda emulator, then invokes every sample event")
	t.Parallel()
	fns := loadTemplate(t)
	files, err := filepath.Glob("local/events/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no local/events: %v", err)
	}
	statuses := expectedStatus(t)
	byFunction := map[string][]string{}
	for _, f := range files {
		name := filepath.Base(f)
		if name == eventgen.Schedule {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			RouteKey string `json:"routeKey"`
		}
		if err := json.Unmarshal(b, &ev); err != nil || ev.RouteKey == "" {
			t.Fatalf("%s: not an HTTP API v2 event: %v", name, err)
		}
		fn := ""
		for _, sf := range fns {
			if slices.Contains(sf.Routes, ev.RouteKey) {
				fn = sf.Function
			}
		}
		if fn == "" {
			t.Fatalf("%s: route %q is not in template.yaml", name, ev.RouteKey)
		}
		if _, ok := statuses[name]; !ok {
			t.Fatalf("%s: no expected status in this test", name)
		}
		byFunction[fn] = append(byFunction[fn], f)
	}
	for fn, files := range byFunction {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t, lambdaEnv(t, fn))
			for _, f := range files {
				b, _ := os.ReadFile(f)
				var resp apiResponse
				out := emu.invoke(t, b)
				if err := json.Unmarshal(out, &resp); err != nil {
					t.Fatalf("%s: answer is not an HTTP API response: %v\n%s", f, err, out)
				}
				if want := statuses[filepath.Base(f)]; resp.StatusCode != want {
					t.Errorf("%s: statusCode = %d, want %d; body %s", f, resp.StatusCode, want, resp.Body)
				}
				if strings.Contains(resp.Headers["Content-Type"], "json") && !json.Valid([]byte(resp.Body)) {
					t.Errorf("%s: body is not JSON: %q", f, resp.Body)
				}
				if resp.Headers["X-Content-Type-Options"] != "nosniff" {
					t.Errorf("%s: headers lack nosniff: %v", f, resp.Headers)
				}
			}
			// The queue status answer has the documented shape.
			if fn == "queue" {
				b, _ := os.ReadFile("local/events/queue-status.json")
				var resp apiResponse
				json.Unmarshal(emu.invoke(t, b), &resp)
				var body struct {
					Queues map[string]map[string]float64 `json:"queues"`
				}
				if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Queues["text"] == nil || body.Queues["image"] == nil {
					t.Errorf("queue status body = %s, want queues.text and queues.image", resp.Body)
				}
			}
		})
	}
}

func TestLambdaWorkerDrainsQueues(t *testing.T) {
	servicetest.SkipShort(t, "emulator: builds the binary and the Lambda emulator, then runs the scheduled worker")
	t.Parallel()
	env := lambdaEnv(t, config.FunctionWorker)
	// A server with no workers queues the jobs; the scheduled worker runs them.
	s := startService(t, map[string]string{
		"REDIS_URL": env["REDIS_URL"], "REDIS_KEY_PREFIX": env["REDIS_KEY_PREFIX"],
		"TEXT_WORKERS": "0", "IMAGE_WORKERS": "0",
	})
	tok := servicetest.Token(t, "worker-test")
	var ids []string
	for i := 0; i < 3; i++ {
		body := strings.Replace(personalityBody, `"seed":42`, fmt.Sprintf(`"seed":%d`, 100+i), 1)
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, body, servicetest.Header("Prefer", "respond-async"))
		if r.Status != 202 {
			t.Fatalf("enqueue = %d %s", r.Status, r.Body)
		}
		ids = append(ids, jobOf(t, r)["id"].(string))
	}
	emu := startEmulator(t, env)
	ev, err := os.ReadFile("local/events/worker-schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	var res app.WorkerResult
	if err := json.Unmarshal(emu.invoke(t, ev), &res); err != nil {
		t.Fatal(err)
	}
	if res.Ran != 3 {
		t.Errorf("worker ran %d jobs, want 3", res.Ran)
	}
	for _, id := range ids {
		g := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/"+id, tok, "")
		if st := jobOf(t, g)["status"]; st != "succeeded" {
			t.Errorf("job %s = %v after the worker ran, want succeeded", id, st)
		}
	}
}
