package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
)

// This file holds what the reliability tests share: child processes of the
// built binary, a Redis server of their own that they may break, and the
// figures each test reports for RELIABILITY.md.

// figures logs one test's measured figures on a line RELIABILITY.md is
// written from: "FIGURES <test>: k=v k=v".
func figures(t testing.TB, kv ...any) {
	t.Helper()
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, " %v=%v", kv[i], kv[i+1])
	}
	t.Logf("FIGURES %s:%s", t.Name(), b.String())
}

// proc is the service binary running as a child process.
type proc struct {
	URL  string
	Logs *servicetest.LogSink
	cmd  *exec.Cmd
	done chan struct{}
	err  error // set when done is closed
}

// serviceBinary returns the path of the built service binary.
func serviceBinary(t testing.TB) string {
	t.Helper()
	dir, err := buildOnce()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return filepath.Join(dir, "bootstrap")
}

// startProc runs the binary with args and exactly env (plus PATH), waits
// until it listens, and kills it at cleanup if it is still running.
func startProc(t testing.TB, env map[string]string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(serviceBinary(t), args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if _, ok := env["PORT"]; !ok {
		cmd.Env = append(cmd.Env, "PORT=0")
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{Logs: &servicetest.LogSink{}, cmd: cmd, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.Logs, p.Logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", args, err)
	}
	go func() {
		p.err = cmd.Wait()
		p.Logs.Write([]byte(`{"msg":"process exited"}` + "\n"))
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("logs of %v:\n%s", args, p.Logs.Tail(8000))
		}
	})
	line := p.Logs.WaitForAny(t, 30*time.Second, "listening", "process exited")
	if line["msg"] != "listening" {
		t.Fatalf("%v exited before listening: %v\n%s", args, p.err, p.Logs.String())
	}
	addr, _ := line["addr"].(string)
	p.URL = "http://127.0.0.1" + addr[strings.LastIndex(addr, ":"):]
	return p
}

// signal sends sig to the process.
func (p *proc) signal(t testing.TB, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits for the process to exit and returns its error.
func (p *proc) wait(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		t.Fatalf("process did not exit within %v", d)
		return nil
	}
}

// ownRedis is a redis-server of the test's own, on a free port, that the
// test may kill, freeze or cut off without harming other tests. It keeps
// an append-only file fsynced on every write, so a SIGKILL loses nothing
// and a restart finds every job again.
type ownRedis struct {
	t        testing.TB
	addr     string
	dir      string
	password string // requirepass, when set
	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{}
	admin    *redis.Client
}

func startOwnRedis(t testing.TB) *ownRedis { return startOwnRedisWithPassword(t, "") }

// startOwnRedisWithPassword starts a server that requires password.
func startOwnRedisWithPassword(t testing.TB, password string) *ownRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is not installed: %v", err)
	}
	r := &ownRedis{t: t, addr: freePort(t), dir: t.TempDir(), password: password}
	r.start()
	r.admin = redis.NewClient(&redis.Options{Addr: r.addr, Password: password, MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: 2 * time.Second})
	t.Cleanup(func() {
		r.admin.Close()
		r.mu.Lock()
		cmd, exited := r.cmd, r.exited
		r.mu.Unlock()
		if cmd != nil {
			cmd.Process.Signal(syscall.SIGCONT)
			cmd.Process.Kill()
			<-exited
		}
	})
	return r
}

// URL is the REDIS_URL of the server.
func (r *ownRedis) URL() string {
	if r.password != "" {
		return "redis://:" + url.QueryEscape(r.password) + "@" + r.addr + "/0"
	}
	return "redis://" + r.addr + "/0"
}

// start launches redis-server on the fixed port and waits for PING.
func (r *ownRedis) start() {
	r.t.Helper()
	_, port, _ := net.SplitHostPort(r.addr)
	args := []string{"--port", port, "--bind", "127.0.0.1", "--dir", r.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no"}
	if r.password != "" {
		args = append(args, "--requirepass", r.password)
	}
	cmd := exec.Command("redis-server", args...)
	var out servicetest.LogSink
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	r.mu.Lock()
	r.cmd, r.exited = cmd, exited
	r.mu.Unlock()
	c := redis.NewClient(&redis.Options{Addr: r.addr, Password: r.password, MaxRetries: -1})
	defer c.Close()
	servicetest.WaitFor(r.t, 15*time.Second, "redis-server on "+r.addr+" to answer", func() bool {
		select {
		case <-exited:
			r.t.Fatalf("redis-server exited: %s", out.String())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return c.Ping(ctx).Err() == nil
	})
}

// kill stops the server with SIGKILL, as a crash would.
func (r *ownRedis) kill() {
	r.mu.Lock()
	cmd, exited := r.cmd, r.exited
	r.cmd = nil
	r.mu.Unlock()
	cmd.Process.Kill()
	<-exited
}

// freeze stops the server with SIGSTOP: connections stay open and nothing
// answers, as with a hung server or a network black hole.
func (r *ownRedis) freeze() { r.cmd.Process.Signal(syscall.SIGSTOP) }

// thaw resumes a frozen server.
func (r *ownRedis) thaw() { r.cmd.Process.Signal(syscall.SIGCONT) }

// clientKill drops every client connection (normal and pub/sub) except the
// admin one, and returns how many were killed.
func (r *ownRedis) clientKill(t testing.TB) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var total int64
	for _, typ := range []string{"normal", "pubsub"} {
		n, err := r.admin.Do(ctx, "CLIENT", "KILL", "TYPE", typ, "SKIPME", "yes").Int64()
		if err != nil {
			t.Fatalf("CLIENT KILL TYPE %s: %v", typ, err)
		}
		total += n
	}
	return total
}

// tally counts answers by status, and transport errors.
type tally struct {
	mu       sync.Mutex
	byStatus map[int]int
	errs     []string
}

func newTally() *tally { return &tally{byStatus: map[int]int{}} }

func (c *tally) add(status int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.errs = append(c.errs, err.Error())
		return
	}
	c.byStatus[status]++
}

// fivexx counts 5xx answers, except the statuses listed as allowed.
func (c *tally) fivexx(allowed ...int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for st, k := range c.byStatus {
		if st >= 500 && !containsInt(allowed, st) {
			n += k
		}
	}
	return n
}

// total is the number of requests counted.
func (c *tally) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.errs)
	for _, k := range c.byStatus {
		n += k
	}
	return n
}

func (c *tally) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("statuses %v, transport errors %d %q", c.byStatus, len(c.errs), firstN(c.errs, 3))
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// jobID returns the id of the job in an answer (or in its problem), or "".
func jobID(r servicetest.Response) string {
	var m struct {
		ID  string `json:"id"`
		Job struct {
			ID string `json:"id"`
		} `json:"job"`
	}
	if json.Unmarshal(r.Body, &m) != nil {
		return ""
	}
	if m.ID != "" {
		return m.ID
	}
	return m.Job.ID
}

// seeded returns the personality request with its own seed, so requests
// neither share a cache entry nor a job.
func seeded(seed int) string {
	return strings.Replace(personalityBody, `"seed":42`, fmt.Sprintf(`"seed":%d`, seed), 1)
}

// pollFinal polls a job until it is final and returns it.
func pollFinal(t testing.TB, base, tok, id string, d time.Duration) map[string]any {
	t.Helper()
	var job map[string]any
	servicetest.WaitFor(t, d, "job "+id+" to be final", func() bool {
		r, err := servicetest.Send("GET", base+"/api/v2/queue/"+id+"?wait=5", tok, "")
		if err != nil || r.Status != 200 {
			return false // the store is down: WaitFor backs off
		}
		job = jobOf(t, r)
		switch job["status"] {
		case "succeeded", "failed", "canceled":
			return true
		}
		return false
	})
	return job
}

// validAnswers returns a fake OpenAI default that answers every request
// with valid content for the schema it asks for.
func validAnswers(t testing.TB) func(goopenai.ChatCompletionRequest) openaitest.Reply {
	t.Helper()
	files, err := filepath.Glob("shared/dnd/testdata/content/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample content: %v", err)
	}
	content := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		content["_text_"+strings.TrimSuffix(filepath.Base(f), ".json")+"_"] = string(b)
	}
	// For a theme the model writes only a draft; the service adds the rest.
	content["_text_theme_theme_"] = `{"content":"The marine boarded the shuttle to Station Vey.","preserved_elements":["Vey"]}`
	// For a character it writes words for the character the request's
	// schema names: valid for that schema, whatever it is.
	character := openaitest.Arbitrary(1)
	return func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		name := ""
		if req.ResponseFormat != nil && req.ResponseFormat.JSONSchema != nil {
			name = req.ResponseFormat.JSONSchema.Name
		}
		if strings.Contains(name, "_text_character_") {
			return character(req)
		}
		for k, c := range content {
			if strings.Contains(name, k) {
				return openaitest.Completion(req.Model, c, 10, 10)
			}
		}
		return openaitest.Error(400, "invalid_request_error", "", "unknown schema")
	}
}
