package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/provider"
	"github.com/dndcc/dnd-llm-service/shared/tracing"
)

// Result is what a handler produced.
type Result struct {
	Value json.RawMessage
	// Event adds fields to the job's completion event (model_used, image_id...).
	Event map[string]any
	// Undo, when set, takes back what the handler kept that belongs to a
	// successful job only, such as its cache entry. The runner calls it when
	// the job does not end succeeded although the handler returned this
	// result: its cancel was requested while it ran.
	Undo func(ctx context.Context)
	// Again, when > 0, says the job is not done: it runs in steps and waits
	// for work that runs elsewhere (jobs it started). Value is its progress,
	// kept as its result while it waits, and the job runs again after
	// Again without using an attempt. When a handler fails, the Value it
	// returns (the steps it finished) stays with the failed job.
	Again time.Duration
}

// Handler runs jobs of one kind. Errors are classified by Classify.
type Handler interface {
	Handle(ctx context.Context, job *Job) (Result, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, job *Job) (Result, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, job *Job) (Result, error) { return f(ctx, job) }

var _ Handler = HandlerFunc(nil)

// Handlers finds the handler of a job kind: a Handlers map, or a Mux
// that groups register their kinds on.
type Handlers interface {
	Handler(kind string) (Handler, bool)
}

// HandlerMap is a fixed table of handlers by kind.
type HandlerMap map[string]Handler

// Handler implements Handlers.
func (m HandlerMap) Handler(kind string) (Handler, bool) { h, ok := m[kind]; return h, ok }

// Mux is the table of job kinds an app runs. Like an http.ServeMux, it is
// filled when the app is built, from each group's kinds, and then only
// read.
type Mux struct {
	mu sync.RWMutex
	m  map[string]Handler
}

var (
	_ Handlers = (*Mux)(nil)
	_ Handlers = HandlerMap(nil)
)

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{m: map[string]Handler{}} }

// Handle registers the handler of kind. A kind registered twice is an
// error.
func (m *Mux) Handle(kind string, h Handler) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[kind]; ok {
		return fmt.Errorf("job kind %q is registered twice", kind)
	}
	m.m[kind] = h
	return nil
}

// Handler implements Handlers.
func (m *Mux) Handler(kind string) (Handler, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	h, ok := m.m[kind]
	return h, ok
}

// RunnerConfig lists a Runner's dependencies.
type RunnerConfig struct {
	Handlers Handlers
	Notifier *Notifier // hears cancels; may be nil
	Metrics  *Metrics  // may be nil
	Logger   *slog.Logger
	// MaxRetryAfter caps how long provider back-pressure pauses a queue;
	// default 60s.
	MaxRetryAfter time.Duration
}

// Runner executes leased jobs: it renews the lease, listens for cancel,
// runs the kind's handler, and records the outcome.
type Runner struct {
	handlers      Handlers
	notifier      *Notifier
	logger        *slog.Logger
	metrics       *Metrics
	maxRetryAfter time.Duration
}

// NewRunner returns a runner.
func NewRunner(c RunnerConfig) *Runner {
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = 60 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{
		handlers: c.Handlers, notifier: c.Notifier, logger: c.Logger, metrics: c.Metrics,
		maxRetryAfter: c.MaxRetryAfter,
	}
}

// Run executes one leased job to its outcome. When ctx ends (the process is
// shutting down) the job is handed back unless it finishes first. Run
// returns the status the job was left in.
func (r *Runner) Run(ctx context.Context, q *Queue, job *Job) (Status, error) {
	j, err := r.Execute(ctx, q, job)
	if err != nil {
		return "", err
	}
	return j.Status, nil
}

// Execute is Run returning the job as the outcome left it: final, with its
// result or error, or queued again (a retry or a hand-back), so a caller
// that ran its own job needs no second read.
func (r *Runner) Execute(ctx context.Context, q *Queue, job *Job) (*Job, error) {
	return r.run(ctx, q, job, func(ctx context.Context, o Outcome) (Status, time.Time, error) {
		return q.complete(ctx, job, o)
	})
}

// runNext is Run for a Pool worker: until stop ends, the round trip that
// records the outcome also claims the worker's next job for token. next is
// that claim, or nil when none was made.
func (r *Runner) runNext(ctx, stop context.Context, q *Queue, job *Job, token string) (next *Claim, err error) {
	_, err = r.run(ctx, q, job, func(ctx context.Context, o Outcome) (Status, time.Time, error) {
		if stop.Err() != nil {
			return q.complete(ctx, job, o)
		}
		st, at, c, err := q.completeClaim(ctx, job, o, token)
		if err == nil {
			next = &c
		}
		return st, at, err
	})
	return next, err
}

// run executes job, records its outcome with record, and returns the job
// as the outcome left it. The run is a span of the trace the job's request
// began.
//
// The handler waits for its provider with this frame on the job's stack:
// logging before the run and recording after it happen in helpers.
func (r *Runner) run(ctx context.Context, q *Queue, job *Job, record func(context.Context, Outcome) (Status, time.Time, error)) (*Job, error) {
	start := time.Now()
	ctx, span := r.startSpan(ctx, q, job)
	defer span.End()
	r.started(ctx, q, job)
	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if r.notifier != nil {
		stopCancel := r.notifier.onCancel(job.ID, func() { cancel(errCancelRequested) })
		defer stopCancel()
	}
	renewal := r.renew(ctx, q, job, cancel)
	res, err := r.handle(jobCtx, job)
	renewal.stop()
	return r.finish(ctx, jobCtx, span, q, job, record, &res, err, start)
}

// started logs a job's start and observes how long it waited.
func (r *Runner) started(ctx context.Context, q *Queue, job *Job) {
	// Per-job debug lines are built only when they are written.
	if r.logger.Enabled(ctx, slog.LevelDebug) {
		r.logger.DebugContext(ctx, "job started", "job_id", job.ID, "request_id", job.RequestID, "kind", job.Kind, "attempt", job.Attempts, "queue", q.Name())
	}
	if r.metrics != nil && job.CreatedAt != nil && job.Attempts <= 1 {
		r.metrics.wait.WithLabelValues(q.Name()).Observe(time.Since(job.CreatedAt.Time).Seconds())
	}
}

// finish records the outcome of a run whose handler returned (res, err)
// and returns the job as the outcome left it.
func (r *Runner) finish(ctx, jobCtx context.Context, span trace.Span, q *Queue, job *Job, record func(context.Context, Outcome) (Status, time.Time, error),
	res *Result, err error, start time.Time) (*Job, error) {
	var o Outcome
	switch {
	case errors.Is(context.Cause(jobCtx), ErrLeaseLost):
		r.logger.WarnContext(ctx, "job lease lost; its result is discarded", "job_id", job.ID, "request_id", job.RequestID)
		endSpan(span, "lease_lost", ErrLeaseLost)
		return nil, fmt.Errorf("run %s: %w", job.ID, ErrLeaseLost)
	case errors.Is(context.Cause(jobCtx), errCancelRequested) && err == nil && res.Again > 0:
		// A job that runs in steps reports its progress, which it keeps;
		// the cancel recorded before decides that it ends canceled.
		o = Outcome{Again: res.Again, Result: res.Value}
	case errors.Is(context.Cause(jobCtx), errCancelRequested):
		// The cancel decides, even when the handler ran on to success.
		o = Outcome{Status: StatusCanceled, Error: problemJSON(httpapi.CodeJobCanceled, "The job was canceled while it ran.")}
	case err == nil && res.Again > 0:
		o = Outcome{Again: res.Again, Result: res.Value}
	case err == nil:
		o = Outcome{Status: StatusSucceeded, Result: res.Value, EventExtra: res.Event}
	case ctx.Err() != nil:
		// Shutdown or deadline of the process: give the job back intact.
		o = Outcome{Handback: true}
	default:
		o = r.classify(q, job, err)
		// What a failing handler did before it failed (a job that runs in
		// steps keeps the steps it finished) stays with the failed job.
		o.Result = res.Value
	}
	o.TraceParent = tracing.Traceparent(ctx)
	// The outcome must be recorded even when ctx has ended (shutdown). The
	// Redis client's own timeouts bound the call (redisconn sets them), so
	// no deadline of ours is needed: a timer per job costs 5% of a worker's
	// CPU with short jobs.
	st, at, cerr := record(context.WithoutCancel(ctx), o)
	want := StatusSucceeded
	if o.Again > 0 {
		want = StatusQueued
	}
	if err == nil && res.Undo != nil && (cerr != nil || st != want) {
		res.Undo(context.WithoutCancel(ctx))
	}
	if cerr != nil {
		endSpan(span, "not_recorded", cerr)
		return nil, fmt.Errorf("run %s: %w", job.ID, cerr)
	}
	outcome := r.observe(ctx, q, job, o, st, err, time.Since(start))
	endSpan(span, outcome, err)
	return recorded(job, o, st, at), nil
}

// startSpan starts the span of a job run, in the trace of the request
// that created the job.
func (r *Runner) startSpan(ctx context.Context, q *Queue, job *Job) (context.Context, trace.Span) {
	if !tracing.Enabled() {
		return tracing.Start(ctx, "", trace.SpanKindConsumer) // ctx, and a span that records nothing
	}
	return tracing.Start(tracing.WithTraceparent(ctx, job.TraceParent), "job "+job.Kind, trace.SpanKindConsumer,
		attribute.String("job.id", job.ID), attribute.String("job.kind", job.Kind), attribute.String("job.queue", q.Name()),
		attribute.Int("job.attempt", job.Attempts), attribute.String("request_id", job.RequestID))
}

// endSpan records a job run's outcome on its span.
func endSpan(span trace.Span, outcome string, err error) {
	if !span.IsRecording() {
		return
	}
	span.SetAttributes(attribute.String("job.outcome", outcome))
	if err != nil {
		span.SetStatus(codes.Error, warnText(err))
	}
}

// recorded is job as Complete left it.
func recorded(job *Job, o Outcome, st Status, at time.Time) *Job {
	j := *job
	j.Status, j.lease, j.Payload, j.CancelRequested = st, "", nil, false
	switch st {
	case StatusSucceeded:
		j.Result, j.FinishedAt = o.Result, &Time{at}
	case StatusFailed, StatusCanceled:
		j.Error, j.FinishedAt = o.Error, &Time{at}
		if st == StatusFailed && len(o.Result) > 0 {
			j.Result = o.Result // the steps it finished
		}
	case StatusQueued:
		if o.Handback || o.Again > 0 {
			j.Attempts--
		}
		if o.Again > 0 {
			j.Result = o.Result
		}
	}
	return &j
}

var errCancelRequested = errors.New("cancel requested")

// renewal renews a running job's lease every third of a lease, and
// cancels the job with the cause when the lease is lost or a cancel is
// requested. A timer does it, so a job that ends within a third of its
// lease (most do) costs no goroutine.
type renewal struct {
	r      *Runner
	ctx    context.Context
	q      *Queue
	job    *Job
	cancel context.CancelCauseFunc

	mu       sync.Mutex
	stopped  bool
	t        *time.Timer
	inFlight sync.WaitGroup
}

func (r *Runner) renew(ctx context.Context, q *Queue, job *Job, cancel context.CancelCauseFunc) *renewal {
	rn := &renewal{r: r, ctx: ctx, q: q, job: job, cancel: cancel}
	rn.mu.Lock()
	defer rn.mu.Unlock()
	rn.t = time.AfterFunc(q.cfg.Lease/3, rn.fire)
	return rn
}

func (rn *renewal) fire() {
	rn.mu.Lock()
	if rn.stopped {
		rn.mu.Unlock()
		return
	}
	rn.inFlight.Add(1)
	rn.mu.Unlock()
	defer rn.inFlight.Done()
	cancelled, err := rn.q.Renew(context.WithoutCancel(rn.ctx), rn.job)
	switch {
	case errors.Is(err, ErrLeaseLost):
		rn.cancel(ErrLeaseLost)
		return
	case err != nil:
		rn.r.logger.Warn("lease renewal failed", "job_id", rn.job.ID, "request_id", rn.job.RequestID, "error", err.Error())
	case cancelled:
		rn.cancel(errCancelRequested)
	}
	rn.mu.Lock()
	if !rn.stopped {
		rn.t.Reset(rn.q.cfg.Lease / 3)
	}
	rn.mu.Unlock()
}

// stop ends the renewals; it returns once none runs.
func (rn *renewal) stop() {
	rn.mu.Lock()
	rn.stopped = true
	rn.t.Stop()
	rn.mu.Unlock()
	rn.inFlight.Wait()
}

func (r *Runner) handle(ctx context.Context, job *Job) (res Result, err error) {
	h, ok := r.handlers.Handler(job.Kind)
	if !ok {
		return Result{}, Permanent(httpapi.NewProblem(httpapi.CodeInvalidParameters, "No handler serves job kind "+job.Kind+"."))
	}
	defer func() {
		if p := recover(); p != nil {
			err = Permanent(fmt.Errorf("handler for %s panicked: %v", job.Kind, p))
		}
	}()
	return h.Handle(ctx, job)
}

// permanentError marks an error that no retry can fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that retrying cannot fix (bad payload).
func Permanent(err error) error { return &permanentError{err: err} }

// classify turns a handler error into an outcome: back-pressure hands the
// job back and pauses the queue; transient faults retry with backoff;
// everything else fails the job with a problem safe to show.
func (r *Runner) classify(q *Queue, job *Job, err error) Outcome {
	failCode := q.cfg.FailureCode
	if pe, ok := provider.As(err); ok {
		switch pe.Kind {
		case provider.RateLimited:
			pause := pe.RetryAfter
			if pause <= 0 {
				pause = 5 * time.Second
			}
			pause = min(pause, r.maxRetryAfter)
			return Outcome{Handback: true, Pause: pause}
		case provider.Quota:
			return failed(httpapi.CodeQuotaExceeded, "The provider account is out of quota or balance.")
		case provider.Unauthorized:
			return failed(httpapi.CodeProviderRejected, "The provider refused the service's credentials.")
		case provider.BadRequest:
			msg := "The provider refused the request."
			if pe.Message != "" {
				msg += " " + pe.Message
			}
			return failed(httpapi.CodeProviderRejected, msg)
		case provider.Timeout:
			return retry(job, httpapi.CodeProviderTimeout, "The provider did not answer in time.")
		case provider.Canceled:
			return Outcome{Handback: true}
		default:
			msg := "The provider failed."
			if pe.Message != "" {
				msg = pe.Message
			}
			return retry(job, httpapi.CodeProviderUnavailable, msg)
		}
	}
	var pe *permanentError
	if errors.As(err, &pe) {
		var p *httpapi.Problem
		if errors.As(err, &p) {
			b, _ := json.Marshal(problemOf(p))
			return Outcome{Status: StatusFailed, Error: b, ErrorCode: p.Code}
		}
		return failed(failCode, "The job cannot succeed.")
	}
	var p *httpapi.Problem
	if errors.As(err, &p) {
		b, _ := json.Marshal(problemOf(p))
		return Outcome{Status: StatusFailed, Error: b, ErrorCode: p.Code}
	}
	return retry(job, failCode, "The job failed.")
}

func problemOf(p *httpapi.Problem) *httpapi.Problem {
	c := *p
	c.Instance, c.RequestID, c.Job = "", "", nil
	return &c
}

func problemJSON(code, detail string) json.RawMessage {
	b, _ := json.Marshal(httpapi.NewProblem(code, detail))
	return b
}

func failed(code, detail string) Outcome {
	return Outcome{Status: StatusFailed, Error: problemJSON(code, detail), ErrorCode: code}
}

func retry(job *Job, code, detail string) Outcome {
	return Outcome{
		Retry: true, RetryIn: Backoff(job.Attempts),
		Status: StatusFailed, Error: problemJSON(code, detail), ErrorCode: code,
	}
}

// Backoff is the delay before retry number attempt (1-based): exponential
// from 500ms, capped at 30s, with equal jitter (provider.Jitter: [d/2, d]).
func Backoff(attempt int) time.Duration {
	d := 500 * time.Millisecond
	for i := 1; i < attempt && d < 30*time.Second; i++ {
		d *= 2
	}
	return provider.Jitter(min(d, 30*time.Second))
}

// observe counts and logs a job's outcome, and returns its name.
func (r *Runner) observe(ctx context.Context, q *Queue, job *Job, o Outcome, st Status, err error, d time.Duration) string {
	outcome := string(st)
	switch {
	case o.Handback && o.Pause > 0:
		outcome = "backpressure"
	case o.Handback:
		outcome = "handed_back"
	case o.Retry && st == StatusQueued:
		outcome = "retry"
	case o.Again > 0 && st == StatusQueued:
		outcome = "again"
	}
	if r.metrics != nil {
		r.metrics.jobs.WithLabelValues(job.Kind, outcome).Inc()
		r.metrics.run.WithLabelValues(q.Name(), outcome).Observe(d.Seconds())
		if outcome == "retry" {
			r.metrics.retries.WithLabelValues(job.Kind).Inc()
		}
	}
	switch {
	case err != nil && (st == StatusFailed || outcome == "retry"):
		r.logger.WarnContext(ctx, "job failed", "job_id", job.ID, "request_id", job.RequestID, "kind", job.Kind, "attempt", job.Attempts,
			"outcome", outcome, "code", o.ErrorCode, "error", warnText(err))
		r.logger.DebugContext(ctx, "job failure detail", "job_id", job.ID, "request_id", job.RequestID, "error", err.Error())
	case err != nil && outcome == "backpressure":
		r.logger.WarnContext(ctx, "provider back-pressure: queue paused", "queue", q.Name(), "pause", o.Pause.String(),
			"job_id", job.ID, "request_id", job.RequestID)
	case r.logger.Enabled(ctx, slog.LevelDebug):
		r.logger.DebugContext(ctx, "job finished", "job_id", job.ID, "request_id", job.RequestID, "kind", job.Kind,
			"outcome", outcome, "duration_ms", d.Milliseconds())
	}
	return outcome
}

// warnText is err as a WARN line may show it. A provider's own words can
// quote the caller's prompt, so a provider failure is named by provider,
// kind, status and code only; the full text is logged at DEBUG.
func warnText(err error) string {
	pe, ok := provider.As(err)
	if !ok {
		return err.Error()
	}
	s := pe.Provider + " " + pe.Kind.String()
	if pe.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", pe.Status)
	}
	if pe.Code != "" {
		s += " code=" + pe.Code
	}
	return s
}
