package hub

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Registration states reported by Registrar.State.
const (
	StateRegistered  = "registered"
	StateUnreachable = "unreachable" // no answer, or a 5xx
	StateRejected    = "rejected"    // the hub answered but refused the registration (4xx)
	StateDisabled    = "disabled"
)

// Registrar keeps the service registered with the hub in the background. It
// never blocks start-up: Run retries while the hub is down and re-registers
// every heartbeat, so a restarted hub (which forgets registrations) learns
// about the service again.
type Registrar struct {
	client    *Client
	reg       Registration
	heartbeat time.Duration
	logger    *slog.Logger
	after     func(time.Duration) <-chan time.Time
	backoff   backoff
	outcomes  *prometheus.CounterVec

	mu    sync.Mutex
	state string
}

// RegistrarOption configures a Registrar.
type RegistrarOption func(*Registrar)

// WithAfter replaces time.After, so tests decide when waits end.
func WithAfter(after func(time.Duration) <-chan time.Time) RegistrarOption {
	return func(r *Registrar) { r.after = after }
}

// WithBackoff sets the retry delay while the hub is unreachable: it starts
// at start, doubles per failure up to limit, and the upper half is random.
// Defaults: 500ms and 30s.
func WithBackoff(start, limit time.Duration) RegistrarOption {
	return func(r *Registrar) {
		if start > 0 {
			r.backoff.start = start
		}
		if limit > 0 {
			r.backoff.cap = limit
		}
	}
}

// WithJitter replaces the random part of the backoff: j(d) returns a value
// in [0, d].
func WithJitter(j func(time.Duration) time.Duration) RegistrarOption {
	return func(r *Registrar) { r.backoff.jitter = j }
}

// WithRegisterer registers llm_hub_registrations_total{outcome} with reg.
// It panics when reg holds a conflicting collector, like
// prometheus.MustRegister.
func WithRegisterer(reg prometheus.Registerer) RegistrarOption {
	return func(r *Registrar) {
		c, err := newRegistrationMetric(reg)
		if err != nil {
			panic(err)
		}
		r.outcomes = c
	}
}

// DefaultHeartbeat is how often a registered service registers again.
const DefaultHeartbeat = 30 * time.Second

// NewRegistrar returns a registrar that announces reg through c every
// heartbeat (DefaultHeartbeat when <= 0). A nil c gives a disabled
// registrar: the hub is not configured. A nil logger discards logs.
func NewRegistrar(c *Client, reg Registration, heartbeat time.Duration, logger *slog.Logger, opts ...RegistrarOption) *Registrar {
	if heartbeat <= 0 {
		heartbeat = DefaultHeartbeat
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Registrar{
		client:    c,
		reg:       reg,
		heartbeat: heartbeat,
		logger:    logger,
		after:     time.After,
		backoff:   backoff{start: 500 * time.Millisecond, cap: 30 * time.Second},
		state:     StateUnreachable,
	}
	for _, o := range opts {
		o(r)
	}
	if r.outcomes == nil {
		r.outcomes, _ = newRegistrationMetric(nil)
	}
	if c == nil {
		r.state = StateDisabled
	}
	return r
}

// State returns StateRegistered after the last attempt succeeded,
// StateRejected after the hub refused it, StateUnreachable before the
// first attempt or after another failure, and StateDisabled for a nil or
// disabled registrar.
func (r *Registrar) State() string {
	if r == nil {
		return StateDisabled
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// RegisterOnce makes one registration attempt and records its outcome. A
// disabled registrar does nothing. It suits a scheduled worker that cannot
// keep Run going.
func (r *Registrar) RegisterOnce(ctx context.Context) error {
	if r == nil || r.client == nil {
		return nil
	}
	err := r.client.Register(ctx, r.reg)
	if err != nil && ctx.Err() != nil {
		return err // stopped, not a verdict on the hub
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.outcomes.WithLabelValues("failure").Inc()
		r.state = StateUnreachable
		if failureKey(err) != keyUnreachable && failureKey(err) != keyServerError {
			r.state = StateRejected
		}
		return err
	}
	r.outcomes.WithLabelValues("success").Inc()
	r.state = StateRegistered
	return nil
}

// Run registers at once, retries with capped exponential backoff while the
// hub is unreachable or refuses, and registers again every heartbeat. It
// logs the first failure, and each change in what went wrong, saying what
// happened ("rejected (422: …)", "unreachable (dial tcp …)", "server error
// (503)") and when it tries again. It returns when ctx is cancelled; a
// disabled registrar returns at once.
func (r *Registrar) Run(ctx context.Context) {
	if r == nil || r.client == nil {
		return
	}
	failures := 0
	registered := false // logged as registered since the last failure
	lastKey := ""       // the kind of the last failure logged
	for ctx.Err() == nil {
		err := r.RegisterOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		next := r.heartbeat
		if err != nil {
			failures++
			registered = false
			next = r.backoff.delay(failures)
			if key := failureKey(err); key != lastKey {
				r.logger.WarnContext(ctx, "message hub registration "+describe(err)+"; retrying in "+next.String(),
					"retry_in", next.String(), "failed_attempts", failures, "error", err)
				lastKey = key
			}
		} else if !registered {
			r.logger.InfoContext(ctx, "registered with message hub", "name", r.reg.Name, "failed_attempts", failures)
			registered, failures, lastKey = true, 0, ""
		}
		if !wait(ctx, r.after, next) {
			return
		}
	}
}

// Kinds of registration failure that failureKey returns besides a status.
const (
	keyUnreachable = "unreachable"
	keyServerError = "server error"
)

// failureKey names the kind of a failed call: unreachable, server error,
// or the refusing status.
func failureKey(err error) string {
	var se *statusError
	var ae *answerError
	switch {
	case errors.As(err, &se) && se.status >= 500:
		return keyServerError
	case errors.As(err, &se):
		return strconv.Itoa(se.status)
	case errors.As(err, &ae):
		return "answer"
	}
	return keyUnreachable
}
