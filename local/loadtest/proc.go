package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// moduleRoot is the directory of the service's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the service's module: run from the repository")
	}
	return filepath.Dir(mod), nil
}

// goBuild runs go build in the module root with extra environment.
func goBuild(ctx context.Context, root string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", append([]string{"build"}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(args, " "), err, tail(out.String(), 2000))
	}
	return nil
}

// freePort returns a loopback port nobody listens on right now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// proc is a child process in its own process group, so stopping it stops
// whatever it started (the emulator starts the function).
type proc struct {
	name   string
	cmd    *exec.Cmd
	out    *tailBuffer
	exited chan struct{}
	err    error // set when exited is closed
}

// startProc starts bin with a clean environment: PATH, HOME and TMPDIR
// plus env.
func startProc(name, bin string, args, env []string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	base := []string{}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			base = append(base, k+"="+v)
		}
	}
	cmd.Env = append(base, env...)
	out := &tailBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// Pid is the process id.
func (p *proc) Pid() int { return p.cmd.Process.Pid }

// stop sends SIGTERM to the process group, waits up to grace, then kills
// the group.
func (p *proc) stop(grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
	}
}

// kill ends the process group at once.
func (p *proc) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.exited
}

// Output is the tail of what the process wrote.
func (p *proc) Output() string { return p.out.String() }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// service is a running service process.
type service struct {
	*proc
	url string
}

// startService runs the service binary with env and waits until /health
// answers 200.
func (h *harness) startService(ctx context.Context, name string, env ...string) (*service, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	all := append([]string{
		"PORT=" + strconv.Itoa(port),
		"REDIS_URL=" + h.redisURL,
		"REDIS_KEY_PREFIX=" + h.prefix,
		"SECRET_KEY=" + h.secret,
		"OPENAI_BASE_URL=" + h.fake.url,
		"OPENAI_API_KEY=x",
		"LOG_LEVEL=ERROR",
		"MESSAGE_HUB_URL=off",
		"SHUTDOWN_TIMEOUT=2s",
		"READINESS_DRAIN=0s", // stopped after measuring: no balancer to drain
		"TEXT_RATE_LIMIT=1000000",
	}, env...)
	all = append(all, h.opts.Env...)
	p, err := startProc(name, h.bin, nil, all)
	if err != nil {
		return nil, err
	}
	s := &service{proc: p, url: "http://127.0.0.1:" + strconv.Itoa(port)}
	h.mu.Lock()
	h.procs = append(h.procs, p)
	h.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, err := get(ctx, h.hc, s.url+"/health")
		if err == nil && a.Status == 200 {
			return s, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%s exited before answering /health: %v\n%s", name, p.err, tail(p.Output(), 2000))
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop(time.Second)
			return nil, fmt.Errorf("%s: /health did not answer 200 within 30s (last: %v %d)\n%s", name, err, a.Status, tail(p.Output(), 2000))
		}
	}
}
