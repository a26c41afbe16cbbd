package hub

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
)

// fakeTimer hands every requested wait to the test, which decides when it
// ends.
type fakeTimer struct{ waits chan timerWait }

type timerWait struct {
	d    time.Duration
	fire chan time.Time
}

func newFakeTimer() *fakeTimer { return &fakeTimer{waits: make(chan timerWait)} }

func (f *fakeTimer) After(d time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	f.waits <- timerWait{d: d, fire: c}
	return c
}

// next returns the wait the code under test is now blocked on.
func (f *fakeTimer) next(tb testing.TB) timerWait {
	tb.Helper()
	select {
	case w := <-f.waits:
		return w
	case <-time.After(15 * time.Second):
		tb.Fatal("timed out waiting for the registrar to wait")
		return timerWait{}
	}
}

func (w timerWait) elapse() { w.fire <- time.Time{} }

func TestRegistrarRetriesThenHeartbeats(t *testing.T) {
	t.Parallel()
	hub := newFakeHub(t)
	hub.setMode(hubUnavailable)
	timer := newFakeTimer()
	reg := Registration{Name: "llm-service", URL: "http://llm:8080", HealthCheck: "http://llm:8080/health", Version: "2.0.0", Capabilities: []string{"generate_text", "generate_image"}}
	metrics := prometheus.NewRegistry()
	r := NewRegistrar(hub.client(), reg, time.Minute, testLogger(t),
		WithAfter(timer.After),
		WithJitter(func(d time.Duration) time.Duration { return d }), // always the longest delay
		WithBackoff(500*time.Millisecond, 3*time.Second),
		WithRegisterer(metrics),
	)
	if got := r.State(); got != StateUnreachable {
		t.Errorf("State() before Run = %q, want %q", got, StateUnreachable)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	// The hub is down: capped exponential backoff.
	for i, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second} {
		w := timer.next(t)
		if w.d != want {
			t.Errorf("retry %d waits %v, want %v", i+1, w.d, want)
		}
		if got := r.State(); got != StateUnreachable {
			t.Errorf("State() while down = %q, want %q", got, StateUnreachable)
		}
		if i == 2 {
			hub.setMode(hubHangUp) // a hub that drops connections is just as down
		}
		if i == 4 {
			hub.setMode(hubUp)
		}
		w.elapse()
	}

	// Registered: the next wait is the heartbeat.
	w := timer.next(t)
	if w.d != time.Minute {
		t.Errorf("wait after registering = %v, want the heartbeat %v", w.d, time.Minute)
	}
	if got := r.State(); got != StateRegistered {
		t.Errorf("State() after registering = %q, want %q", got, StateRegistered)
	}
	regs, _, _ := hub.snapshot()
	if diff := cmp.Diff([]Registration{reg}, regs); diff != "" {
		t.Errorf("registrations mismatch (-want +got):\n%s", diff)
	}

	// The hub restarts and forgets us; the heartbeat registers again.
	hub.restart()
	w.elapse()
	w = timer.next(t)
	if w.d != time.Minute {
		t.Errorf("wait after re-registering = %v, want %v", w.d, time.Minute)
	}
	if regs, _, _ := hub.snapshot(); len(regs) != 1 {
		t.Errorf("registrations after hub restart = %d, want 1", len(regs))
	}

	// The hub goes away again: back to unreachable and a fresh backoff.
	hub.setMode(hubUnavailable)
	w.elapse()
	w = timer.next(t)
	if w.d != 500*time.Millisecond {
		t.Errorf("wait after a failed heartbeat = %v, want %v", w.d, 500*time.Millisecond)
	}
	if got := r.State(); got != StateUnreachable {
		t.Errorf("State() after a failed heartbeat = %q, want %q", got, StateUnreachable)
	}

	if got := value(t, r.outcomes.WithLabelValues("success")); got != 2 {
		t.Errorf("registrations_total{success} = %v, want 2", got)
	}
	if got := value(t, r.outcomes.WithLabelValues("failure")); got != 6 {
		t.Errorf("registrations_total{failure} = %v, want 6", got)
	}
	if n := series(t, metrics, "llm_hub_registrations_total"); n != 2 {
		t.Errorf("gathered llm_hub_registrations_total series = %d, want 2", n)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestRegistrarRegisterOnce(t *testing.T) {
	t.Parallel()
	hub := newFakeHub(t)
	r := NewRegistrar(hub.client(), Registration{Name: "llm-service", URL: "http://llm"}, 0, nil)
	if err := r.RegisterOnce(context.Background()); err != nil {
		t.Fatalf("RegisterOnce() = %v, want nil", err)
	}
	if got := r.State(); got != StateRegistered {
		t.Errorf("State() = %q, want %q", got, StateRegistered)
	}
	hub.setMode(hubUnavailable)
	if err := r.RegisterOnce(context.Background()); err == nil {
		t.Fatalf("RegisterOnce() while down = nil, want an error")
	}
	if got := r.State(); got != StateUnreachable {
		t.Errorf("State() = %q, want %q", got, StateUnreachable)
	}
}

// TestRegistrarLogsWhatHappened: a failed registration is logged as what
// happened (rejected with the hub's answer, server error, unreachable),
// with the retry delay, and the state says whether the hub refused.
func TestRegistrarLogsWhatHappened(t *testing.T) {
	t.Parallel()
	closed := closedURL()
	cases := []struct {
		name, base, want, state string
	}{
		{"rejected", answering(t, 422, `{"detail":"capabilities: unknown value"}`),
			`message hub registration rejected (422: {"detail":"capabilities: unknown value"}); retrying in 500ms`, StateRejected},
		{"server error", answering(t, 503, `<html>bad gateway</html>`), "message hub registration server error (503); retrying in 500ms", StateUnreachable},
		{"unreachable", closed, "message hub registration unreachable (dial tcp " + strings.TrimPrefix(closed, "http://"), StateUnreachable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs servicetest.LogSink
			timer := newFakeTimer()
			r := NewRegistrar(NewClient(tc.base, nil), Registration{Name: "llm-service", URL: "http://llm"}, time.Minute,
				slog.New(slog.NewJSONHandler(&logs, nil)), WithAfter(timer.After), WithJitter(func(d time.Duration) time.Duration { return d }))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { r.Run(ctx); close(done) }()
			t.Cleanup(func() { cancel(); <-done })

			timer.next(t).elapse()
			timer.next(t) // the second failure, of the same kind: not logged again
			var lines []string
			for _, l := range logs.Lines() {
				lines = append(lines, l["msg"].(string))
				if l["retry_in"] != "500ms" {
					t.Errorf("log line %v, want retry_in 500ms", l)
				}
			}
			if len(lines) != 1 || !strings.HasPrefix(lines[0], tc.want) {
				t.Errorf("log lines = %q, want one starting with %q", lines, tc.want)
			}
			if got := r.State(); got != tc.state {
				t.Errorf("State() = %q, want %q", got, tc.state)
			}
		})
	}
}

// TestRegistrarLogsEachChange: a new kind of failure is logged again.
func TestRegistrarLogsEachChange(t *testing.T) {
	t.Parallel()
	hub := newFakeHub(t)
	hub.setMode(hubUnavailable)
	var logs servicetest.LogSink
	timer := newFakeTimer()
	r := NewRegistrar(hub.client(), Registration{Name: "llm-service", URL: "http://llm"}, time.Minute,
		slog.New(slog.NewJSONHandler(&logs, nil)), WithAfter(timer.After), WithJitter(func(d time.Duration) time.Duration { return d }))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	for _, mode := range []hubMode{hubUnavailable, hubHangUp, hubHangUp, hubUp} {
		w := timer.next(t)
		hub.setMode(mode)
		w.elapse()
	}
	timer.next(t) // the heartbeat
	var got []string
	for _, l := range logs.Lines() {
		got = append(got, l["msg"].(string))
	}
	want := []struct{ prefix, suffix string }{
		{"message hub registration server error (503); retrying in 500ms", ""},
		{"message hub registration unreachable (", "); retrying in 2s"}, // the connection was dropped
		{"registered with message hub", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("log lines = %q, want %d", got, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w.prefix) || !strings.HasSuffix(got[i], w.suffix) {
			t.Errorf("log line %d = %q, want %q…%q", i, got[i], w.prefix, w.suffix)
		}
	}
}

func TestRegistrarDisabled(t *testing.T) {
	t.Parallel()
	var nilRegistrar *Registrar
	disabled := NewRegistrar(nil, Registration{Name: "llm-service"}, 0, nil)
	for name, r := range map[string]*Registrar{"nil": nilRegistrar, "no client": disabled} {
		if got := r.State(); got != StateDisabled {
			t.Errorf("%s: State() = %q, want %q", name, got, StateDisabled)
		}
		if err := r.RegisterOnce(context.Background()); err != nil {
			t.Errorf("%s: RegisterOnce() = %v, want nil", name, err)
		}
		r.Run(context.Background()) // returns at once
	}
}

func TestRegistrarMetricsShareRegistry(t *testing.T) {
	t.Parallel()
	metrics := prometheus.NewRegistry()
	a := NewRegistrar(NewClient("http://hub", nil), Registration{}, 0, nil, WithRegisterer(metrics))
	b := NewRegistrar(NewClient("http://hub", nil), Registration{}, 0, nil, WithRegisterer(metrics))
	if a.outcomes != b.outcomes {
		t.Errorf("two registrars on one registry got different counters, want the same")
	}
}

func TestBackoffDelay(t *testing.T) {
	t.Parallel()
	low := backoff{start: 500 * time.Millisecond, cap: 30 * time.Second, jitter: func(time.Duration) time.Duration { return 0 }}
	high := low
	high.jitter = func(d time.Duration) time.Duration { return d }
	cases := []struct {
		n         int
		low, high time.Duration
	}{
		{1, 250 * time.Millisecond, 500 * time.Millisecond},
		{2, 500 * time.Millisecond, time.Second},
		{3, time.Second, 2 * time.Second},
		{7, 15 * time.Second, 30 * time.Second},
		{8, 15 * time.Second, 30 * time.Second},
		{200, 15 * time.Second, 30 * time.Second},
	}
	for _, tc := range cases {
		if got := low.delay(tc.n); got != tc.low {
			t.Errorf("delay(%d) with no jitter = %v, want %v", tc.n, got, tc.low)
		}
		if got := high.delay(tc.n); got != tc.high {
			t.Errorf("delay(%d) with full jitter = %v, want %v", tc.n, got, tc.high)
		}
	}
	random := backoff{start: 500 * time.Millisecond, cap: 30 * time.Second}
	for range 100 {
		if got := random.delay(3); got < time.Second || got > 2*time.Second {
			t.Fatalf("delay(3) = %v, want within [1s, 2s]", got)
		}
	}
}
