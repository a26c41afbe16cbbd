// Package apptest builds the service for tests. Start runs it in this
// process on a free port, as the binary runs it; New builds its *app.App;
// LoadSpec loads the API document it serves, to check answers against.
//
// Start and New fill in what the test's environment leaves unset: the
// test Redis (shared/redistest) under a key prefix of the test's own,
// PORT 0 and servicetest.TestKey.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/app"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// ServeFunc runs the service until ctx ends, reading its environment
// through getenv and logging to stderr.
type ServeFunc func(ctx context.Context, getenv func(string) string, stderr io.Writer) error

// An Option changes how the service is built.
type Option func(*options)

type options struct {
	serve  ServeFunc
	lean   bool
	groups []group.Def
}

// Serve makes Start run fn instead of app.Serve; the command's tests pass
// the program's run.
func Serve(fn ServeFunc) Option { return func(o *options) { o.serve = fn } }

// Lean makes Start count the log lines and keep none, so a long run's log
// does not fill the heap it measures: Service.Logs is nil. Nor are its
// exchanges checked against the document.
func Lean() Option { return func(o *options) { o.lean = true } }

// Groups makes New build the app of defs instead of app.Groups.
func Groups(defs []group.Def) Option { return func(o *options) { o.groups = defs } }

func build(opts []Option) options {
	o := options{
		serve: func(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
			return app.Serve(ctx, getenv, stderr, "", "dev")
		},
		groups: app.Groups,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// fill sets, in env, what a test service needs and env leaves unset:
// REDIS_URL and REDIS_KEY_PREFIX (the test Redis and a fresh prefix, both
// only when REDIS_URL is absent; "" means the embedded store), PORT 0 and
// SECRET_KEY. It returns env, a new map when env is nil.
func fill(tb testing.TB, env map[string]string) map[string]string {
	tb.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["REDIS_URL"]; !ok {
		_, prefix := redistest.New(tb)
		env["REDIS_URL"] = redistest.URL()
		env["REDIS_KEY_PREFIX"] = prefix
	}
	if _, ok := env["PORT"]; !ok {
		env["PORT"] = "0"
	}
	if _, ok := env["SECRET_KEY"]; !ok {
		env["SECRET_KEY"] = servicetest.TestKey
	}
	return env
}

// New builds the app for env (filled in as Start does), under AWS Lambda
// when env sets AWS_LAMBDA_RUNTIME_API, and closes it when the test ends.
func New(tb testing.TB, env map[string]string, opts ...Option) *app.App {
	tb.Helper()
	o := build(opts)
	env = fill(tb, env)
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load(getenv, app.Functions(o.groups)...)
	if err != nil {
		tb.Fatalf("config.Load: %v", err)
	}
	a, err := app.New(context.Background(), cfg, app.Options{
		Lambda: config.Lambda(getenv), Logger: slog.New(slog.DiscardHandler), Groups: o.groups,
	})
	if err != nil {
		tb.Fatalf("app.New: %v", err)
	}
	tb.Cleanup(a.Close)
	return a
}

// Service is the service running in this process.
type Service struct {
	URL  string
	Logs *servicetest.LogSink // what it logged; nil with Lean

	lines, errors atomic.Int64
	stop          func() error
}

// LogLines returns how many lines the service logged.
func (s *Service) LogLines() int64 { return s.lines.Load() }

// ErrorLines returns how many of them were at level ERROR.
func (s *Service) ErrorLines() int64 { return s.errors.Load() }

// Stop ends the service and returns what it returned. Later calls return
// the same.
func (s *Service) Stop() error { return s.stop() }

// logWriter is the service's stderr: it counts the lines, hands them to
// the sink and reports the address of the "listening" line.
type logWriter struct {
	s         *Service
	listening chan string
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.s.lines.Add(1) // the JSON logger writes one line per call
	if bytes.Contains(p, []byte(`"level":"ERROR"`)) {
		w.s.errors.Add(1)
	}
	var m struct{ Addr string }
	if bytes.Contains(p, []byte(`"msg":"listening"`)) && json.Unmarshal(p, &m) == nil {
		select {
		case w.listening <- m.Addr:
		default:
		}
	}
	if w.s.Logs != nil {
		return w.s.Logs.Write(p)
	}
	return len(p), nil
}

// Start runs the service with env (see fill; env itself is filled in, so
// the test can read the prefix) until the test ends, and waits until it
// listens. Unless Lean, every exchange the test has with it through
// servicetest.Send is checked against /openapi.json (see contract), and
// the test fails on any mismatch.
func Start(tb testing.TB, env map[string]string, opts ...Option) *Service {
	tb.Helper()
	o := build(opts)
	env = fill(tb, env)
	s := &Service{}
	if !o.lean {
		s.Logs = &servicetest.LogSink{}
	}
	w := &logWriter{s: s, listening: make(chan string, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- o.serve(ctx, func(k string) string { return env[k] }, w) }()
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-errc:
			case <-time.After(60 * time.Second):
				stopErr = fmt.Errorf("the service did not stop within 60s")
			}
		})
		return stopErr
	}
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Errorf("run() = %v", err)
		}
	})
	select {
	case addr := <-w.listening:
		s.URL = "http://127.0.0.1" + addr[strings.LastIndex(addr, ":"):]
		if !o.lean {
			c := newContract(tb)
			stop := servicetest.Watch(strings.TrimPrefix(s.URL, "http://"), c.check)
			tb.Cleanup(func() {
				stop()
				c.report(tb)
			})
		}
	case err := <-errc:
		errc <- err // for Stop
		tb.Fatalf("run() returned before listening: %v\nlogs:\n%s", err, s.logs())
	case <-time.After(30 * time.Second):
		tb.Fatalf("the service did not listen within 30s; logs:\n%s", s.logs())
	}
	return s
}

func (s *Service) logs() string {
	if s.Logs == nil {
		return "(not kept)"
	}
	return s.Logs.Tail(8000)
}
