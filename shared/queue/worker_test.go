package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/provider"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// newRunner returns a runner for kinds "text.echo" and "image.echo"
// running h.
func newRunner(h queue.HandlerFunc, n *queue.Notifier) *queue.Runner {
	return queue.NewRunner(queue.RunnerConfig{Handlers: queue.HandlerMap{"text.echo": h, "image.echo": h}, Notifier: n, Logger: discard})
}

// runNext claims the next job and runs it to its outcome.
func runNext(tb testing.TB, q *queue.Queue, r *queue.Runner) (*queue.Job, queue.Status) {
	tb.Helper()
	j := claimJob(tb, q, "runner")
	st, err := r.Run(context.Background(), q, j)
	if err != nil {
		tb.Fatalf("Run(%s) = %v", j.ID, err)
	}
	return j, st
}

func echo(_ context.Context, j *queue.Job) (queue.Result, error) {
	return queue.Result{Value: j.Payload}, nil
}

func TestRunnerOutcomes(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		tests := []struct {
			name      string
			queue     string // default "text"
			kind      string // default "text.echo"
			err       error
			panics    bool
			want      queue.Status // what Run returns
			wantJob   queue.Status
			code      string // the job's error code
			attempts  int
			pausedMax time.Duration // > 0: the queue is paused for at most this
			detail    string        // part of the problem detail
			last      bool          // the job is on its last attempt
		}{
			{name: "success", want: queue.StatusSucceeded, wantJob: queue.StatusSucceeded, attempts: 1},
			{name: "plain error, last attempt", err: errors.New("boom"), want: queue.StatusFailed, wantJob: queue.StatusFailed,
				code: "TEXT_GENERATION_FAILED", attempts: 1, last: true},
			{name: "plain error, retried", err: errors.New("boom"), want: queue.StatusQueued, wantJob: queue.StatusQueued, attempts: 1},
			{name: "plain error, queue without failure code", queue: "image", kind: "image.echo", err: errors.New("boom"),
				want: queue.StatusFailed, wantJob: queue.StatusFailed, code: "INTERNAL_ERROR", attempts: 1, last: true},
			{name: "permanent", err: queue.Permanent(errors.New("bad payload")), want: queue.StatusFailed, wantJob: queue.StatusFailed,
				code: "TEXT_GENERATION_FAILED", attempts: 1},
			{name: "permanent problem", err: queue.Permanent(httpapi.NewProblem(httpapi.CodeInvalidPrompt, "The prompt is empty.")),
				want: queue.StatusFailed, wantJob: queue.StatusFailed, code: "INVALID_PROMPT", attempts: 1, detail: "The prompt is empty."},
			{name: "problem", err: httpapi.NewProblem(httpapi.CodeProviderRejected, "Refused."),
				want: queue.StatusFailed, wantJob: queue.StatusFailed, code: "PROVIDER_REJECTED", attempts: 1},
			{name: "provider rate limited", err: &provider.Error{Provider: "openai", Kind: provider.RateLimited, RetryAfter: 30 * time.Second},
				want: queue.StatusQueued, wantJob: queue.StatusQueued, attempts: 0, pausedMax: 30 * time.Second},
			{name: "provider rate limited, long hint capped", err: &provider.Error{Provider: "openai", Kind: provider.RateLimited, RetryAfter: time.Hour},
				want: queue.StatusQueued, wantJob: queue.StatusQueued, attempts: 0, pausedMax: 60 * time.Second},
			{name: "provider rate limited, no hint", err: &provider.Error{Provider: "getimg", Kind: provider.RateLimited},
				want: queue.StatusQueued, wantJob: queue.StatusQueued, attempts: 0, pausedMax: 5 * time.Second},
			{name: "provider quota", err: &provider.Error{Provider: "openai", Kind: provider.Quota, Code: "insufficient_quota"},
				want: queue.StatusFailed, wantJob: queue.StatusFailed, code: "QUOTA_EXCEEDED", attempts: 1},
			{name: "provider unauthorized", err: &provider.Error{Provider: "openai", Kind: provider.Unauthorized, Err: errors.New("sk-secret refused")},
				want: queue.StatusFailed, wantJob: queue.StatusFailed, code: "PROVIDER_REJECTED", attempts: 1},
			{name: "provider bad request", err: &provider.Error{Provider: "openai", Kind: provider.BadRequest, Message: "The prompt is too long.", Err: errors.New("raw body")},
				want: queue.StatusFailed, wantJob: queue.StatusFailed, code: "PROVIDER_REJECTED", attempts: 1, detail: "The prompt is too long."},
			{name: "provider timeout, last attempt", err: &provider.Error{Provider: "openai", Kind: provider.Timeout},
				want: queue.StatusFailed, wantJob: queue.StatusFailed, code: "PROVIDER_TIMEOUT", attempts: 1, last: true},
			{name: "provider timeout, retried", err: &provider.Error{Provider: "openai", Kind: provider.Timeout},
				want: queue.StatusQueued, wantJob: queue.StatusQueued, attempts: 1},
			{name: "provider transient, last attempt", err: &provider.Error{Provider: "openai", Kind: provider.Transient, Status: 502},
				want: queue.StatusFailed, wantJob: queue.StatusFailed, code: "PROVIDER_UNAVAILABLE", attempts: 1, last: true},
			{name: "provider canceled", err: &provider.Error{Provider: "openai", Kind: provider.Canceled},
				want: queue.StatusQueued, wantJob: queue.StatusQueued, attempts: 0},
			{name: "unknown kind", kind: "text.nobody", want: queue.StatusFailed, wantJob: queue.StatusFailed, code: "INVALID_PARAMETERS", attempts: 1},
			{name: "handler panics", panics: true, want: queue.StatusFailed, wantJob: queue.StatusFailed, code: "TEXT_GENERATION_FAILED", attempts: 1},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				name, kind := tc.queue, tc.kind
				if name == "" {
					name = "text"
				}
				if kind == "" {
					kind = "text.echo"
				}
				// On its last attempt a retryable failure shows its final code.
				maxAttempts := 3
				if tc.last {
					maxAttempts = 1
				}
				q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{Name: name, MaxAttempts: maxAttempts})
				r := newRunner(func(ctx context.Context, j *queue.Job) (queue.Result, error) {
					if tc.panics {
						panic("handler bug")
					}
					if tc.err != nil {
						return queue.Result{}, tc.err
					}
					return echo(ctx, j)
				}, nil)
				id := enqueue(t, q, queue.EnqueueRequest{Kind: kind, Payload: []byte(`{"p":"x"}`)}).ID
				_, st := runNext(t, q, r)
				if st != tc.want {
					t.Errorf("Run() = %q, want %q", st, tc.want)
				}
				j := get(t, q, id)
				if j.Status != tc.wantJob || j.ErrorCode() != tc.code || j.Attempts != tc.attempts {
					t.Errorf("Get() = %q code %q attempts %d, want %q code %q attempts %d",
						j.Status, j.ErrorCode(), j.Attempts, tc.wantJob, tc.code, tc.attempts)
				}
				if j.Status == queue.StatusSucceeded && string(j.Result) != `{"p":"x"}` {
					t.Errorf("Get().Result = %s, want the echoed payload", j.Result)
				}
				if tc.detail != "" && !strings.Contains(string(j.Error), tc.detail) {
					t.Errorf("Get().Error = %s, want detail %q", j.Error, tc.detail)
				}
				for _, secret := range []string{"sk-secret", "raw body", "handler bug"} {
					if strings.Contains(string(j.Error), secret) {
						t.Errorf("Get().Error = %s shows internal text %q", j.Error, secret)
					}
				}
				if tc.wantJob == queue.StatusQueued && tc.attempts > 0 {
					// A retry waits out its backoff outside the queue; only
					// a claim promotes it once it is due.
					if j.Position != 0 {
						t.Errorf("Get().Position = %d right after a retry, want 0 (scheduled)", j.Position)
					}
					if st := stats(t, q); st.Queued != 1 || st.Running != 0 {
						t.Errorf("Stats() = %+v, want Queued 1 (the scheduled retry) Running 0", st)
					}
					return
				}
				c := claim(t, q, "next")
				switch {
				case tc.pausedMax > 0:
					if c.Paused <= 0 || c.Paused > tc.pausedMax || c.Job != nil {
						t.Errorf("Claim() after back-pressure = %+v, want Paused in (0, %v] and no job", c, tc.pausedMax)
					}
					if st := stats(t, q); st.PausedForS <= 0 || st.Queued != 1 {
						t.Errorf("Stats() = %+v, want PausedForS > 0 and Queued 1", st)
					}
				case tc.wantJob == queue.StatusQueued:
					if c.Job == nil || c.Job.ID != id || c.Job.Attempts != 1 {
						t.Errorf("Claim() after hand-back = %+v, want the job at attempt 1", c)
					}
				default:
					if c.Job != nil || c.Paused != 0 {
						t.Errorf("Claim() after a final outcome = %+v, want nothing", c)
					}
				}
			})
		}
	})
}

func TestRunnerRetries(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{MaxAttempts: 3})
		var calls atomic.Int32
		r := newRunner(func(context.Context, *queue.Job) (queue.Result, error) {
			calls.Add(1)
			return queue.Result{}, errors.New("upstream hiccup")
		}, nil)
		id := enqueue(t, q, queue.EnqueueRequest{}).ID

		first, st := runNext(t, q, r)
		if st != queue.StatusQueued {
			t.Fatalf("Run() #1 = %q, want queued", st)
		}
		j := get(t, q, id)
		if j.Status != queue.StatusQueued || j.Attempts != 1 || j.Position != 0 || j.Error != nil {
			t.Errorf("after a retry: Get() = %q attempts %d position %d error %s, want queued 1 0 none", j.Status, j.Attempts, j.Position, j.Error)
		}
		due, err := rdb.ZScore(context.Background(), "{"+prefix+"text}:scheduled", id).Result()
		if err != nil {
			t.Fatalf("job not scheduled for retry: %v", err)
		}
		if earliest := first.StartedAt.Add(250 * time.Millisecond).UnixMilli(); int64(due) < earliest {
			t.Errorf("retry due at %d, want at least %d (the 250ms minimum backoff after the start)", int64(due), earliest)
		}
		if st := stats(t, q); st.Queued != 1 || st.Running != 0 {
			t.Errorf("Stats() = %+v, want Queued 1 Running 0", st)
		}

		for attempt := 2; attempt <= 3; attempt++ {
			var c queue.Claim
			waitFor(t, waitTimeout, "the retry to come due", func() bool {
				c = claim(t, q, "runner")
				return c.Job != nil
			})
			if c.Job.ID != id || c.Job.Attempts != attempt {
				t.Fatalf("Claim() = %s attempt %d, want %s attempt %d", c.Job.ID, c.Job.Attempts, id, attempt)
			}
			st, err := r.Run(context.Background(), q, c.Job)
			if err != nil {
				t.Fatal(err)
			}
			want := queue.StatusQueued
			if attempt == 3 {
				want = queue.StatusFailed
			}
			if st != want {
				t.Errorf("Run() #%d = %q, want %q", attempt, st, want)
			}
		}
		j = get(t, q, id)
		if j.Status != queue.StatusFailed || j.ErrorCode() != "TEXT_GENERATION_FAILED" || j.Attempts != 3 || calls.Load() != 3 {
			t.Errorf("Get() = %q %q attempts %d after %d calls, want failed TEXT_GENERATION_FAILED 3 after 3",
				j.Status, j.ErrorCode(), j.Attempts, calls.Load())
		}
		if st := stats(t, q); st.Queued != 0 || st.Failed1h != 1 {
			t.Errorf("Stats() = %+v, want Queued 0 Failed1h 1", st)
		}
	})
}

func TestRunnerEventExtra(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{Outbox: true})
		r := newRunner(func(context.Context, *queue.Job) (queue.Result, error) {
			return queue.Result{Value: json.RawMessage(`{"ok":true}`), Event: map[string]any{"model_used": "gpt-4o-mini"}}, nil
		}, nil)
		enqueue(t, q, queue.EnqueueRequest{})
		runNext(t, q, r)
		ev := outboxEvents(t, rdb, q)
		if len(ev) != 1 || ev[0].Data["model_used"] != "gpt-4o-mini" {
			t.Errorf("outbox = %+v, want one event with data.model_used", ev)
		}
	})
}

func TestCancelRunning(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		for _, tc := range []struct {
			name     string
			notifier bool // else the cancel arrives with the lease renewal
			lease    time.Duration
		}{
			// The lease is renewed every 20s, after the test gives up: only
			// the announcement can stop the handler in time.
			{"announced", true, time.Minute},
			{"seen on renewal", false, 300 * time.Millisecond},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				prefix := redistest.Prefix(t, rdb)
				q := newQueue(rdb, prefix, queue.Config{Lease: tc.lease})
				var n *queue.Notifier
				if tc.notifier {
					n = startNotifier(t, rdb, prefix)
				}
				started := make(chan struct{})
				r := newRunner(func(ctx context.Context, _ *queue.Job) (queue.Result, error) {
					close(started)
					<-ctx.Done()
					return queue.Result{}, ctx.Err()
				}, n)
				id := enqueue(t, q, queue.EnqueueRequest{}).ID
				j := claimJob(t, q, "runner")
				type ran struct {
					st  queue.Status
					err error
				}
				done := make(chan ran, 1)
				go func() {
					st, err := r.Run(context.Background(), q, j)
					done <- ran{st, err}
				}()
				<-started
				res, err := q.Cancel(context.Background(), id)
				if err != nil || res != queue.Signalled {
					t.Fatalf("Cancel(running) = %v, %v, want Signalled", res, err)
				}
				select {
				case got := <-done:
					if got.err != nil || got.st != queue.StatusCanceled {
						t.Errorf("Run() = %q, %v, want canceled", got.st, got.err)
					}
				case <-time.After(waitTimeout):
					t.Fatal("the handler's context was not cancelled")
				}
				got := get(t, q, id)
				if got.Status != queue.StatusCanceled || got.ErrorCode() != "JOB_CANCELED" || got.FinishedAt == nil || got.CancelRequested {
					t.Errorf("Get() = %q %q finished %v cancel_requested %v, want canceled JOB_CANCELED set false",
						got.Status, got.ErrorCode(), got.FinishedAt, got.CancelRequested)
				}
				if _, err := q.Cancel(context.Background(), id); !errors.Is(err, queue.ErrWrongState) {
					t.Errorf("Cancel(canceled) = %v, want ErrWrongState", err)
				}
			})
		}
	})
}

func TestCancelRequestedWins(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		for _, o := range []queue.Outcome{
			{Retry: true, RetryIn: time.Millisecond, Error: json.RawMessage(`{"code":"PROVIDER_UNAVAILABLE"}`)},
			{Handback: true, Pause: time.Minute},
			// The worker ran on past the request and reports success or
			// failure: the cancel still decides.
			{Status: queue.StatusSucceeded, Result: json.RawMessage(`{"late":true}`)},
			{Status: queue.StatusFailed, Error: json.RawMessage(`{"code":"PROVIDER_REJECTED"}`), ErrorCode: "PROVIDER_REJECTED"},
		} {
			q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{})
			id := enqueue(t, q, queue.EnqueueRequest{}).ID
			j := claimJob(t, q, "w")
			if res, err := q.Cancel(ctx, id); err != nil || res != queue.Signalled {
				t.Fatalf("Cancel() = %v, %v, want Signalled", res, err)
			}
			if got := get(t, q, id); got.Status != queue.StatusRunning || !got.CancelRequested {
				t.Errorf("Get() after the signal = %q cancel_requested %v, want running true", got.Status, got.CancelRequested)
			}
			if cancel, err := q.Renew(ctx, j); err != nil || !cancel {
				t.Errorf("Renew() = %v, %v, want true, nil", cancel, err)
			}
			if st := complete(t, q, j, o); st != queue.StatusCanceled {
				t.Errorf("Complete(%+v) of a cancel-requested job = %q, want canceled", o, st)
			}
			if got := get(t, q, id); got.Status != queue.StatusCanceled || got.ErrorCode() != "JOB_CANCELED" || got.Result != nil {
				t.Errorf("Get() = %q code %q result %s, want canceled JOB_CANCELED without a result", got.Status, got.ErrorCode(), got.Result)
			}
			if c := claim(t, q, "w"); c.Job != nil || c.Paused != 0 {
				t.Errorf("Claim() = %+v, want nothing", c)
			}
		}
	})
}

func TestRunnerLeaseLost(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{Lease: 300 * time.Millisecond})
		started := make(chan struct{})
		r := newRunner(func(ctx context.Context, _ *queue.Job) (queue.Result, error) {
			close(started)
			<-ctx.Done()
			return queue.Result{Value: json.RawMessage(`{"late":true}`)}, nil
		}, nil)
		id := enqueue(t, q, queue.EnqueueRequest{}).ID
		j := claimJob(t, q, "runner")
		done := make(chan error, 1)
		go func() {
			_, err := r.Run(context.Background(), q, j)
			done <- err
		}()
		<-started
		// Another worker took the job over (as after a recovery).
		if err := rdb.HSet(context.Background(), "{"+prefix+"text}:job:"+id, "lease", "other-worker").Err(); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if !errors.Is(err, queue.ErrLeaseLost) {
				t.Errorf("Run() = %v, want ErrLeaseLost", err)
			}
		case <-time.After(waitTimeout):
			t.Fatal("Run() did not notice the lost lease")
		}
		if got := get(t, q, id); got.Status != queue.StatusRunning || got.Result != nil {
			t.Errorf("Get() = %q result %s, want running with no result", got.Status, got.Result)
		}
	})
}

// TestCancelDecidesOverALateSuccess runs a handler that is running when
// the cancel arrives and only returns, with success, once told: the job
// ends canceled, with no result, and what the handler kept for a success
// is taken back.
func TestCancelDecidesOverALateSuccess(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		for _, tc := range []struct {
			name     string
			notifier bool // the cancel reaches the handler's context; else only Redis knows
		}{{"announced", true}, {"unheard", false}} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				prefix := redistest.Prefix(t, rdb)
				q := newQueue(rdb, prefix, queue.Config{Lease: time.Minute})
				var n *queue.Notifier
				if tc.notifier {
					n = startNotifier(t, rdb, prefix)
				}
				started, release := make(chan struct{}), make(chan struct{})
				var undone atomic.Int32
				r := newRunner(func(ctx context.Context, _ *queue.Job) (queue.Result, error) {
					close(started)
					<-release
					if tc.notifier {
						<-ctx.Done() // the cancel reached the job
					}
					return queue.Result{Value: json.RawMessage(`{"late":true}`), Undo: func(context.Context) { undone.Add(1) }}, nil
				}, n)
				id := enqueue(t, q, queue.EnqueueRequest{}).ID
				j := claimJob(t, q, "runner")
				done := make(chan queue.Status, 1)
				go func() {
					st, err := r.Run(context.Background(), q, j)
					if err != nil {
						t.Errorf("Run() = %v", err)
					}
					done <- st
				}()
				<-started
				if res, err := q.Cancel(context.Background(), id); err != nil || res != queue.Signalled {
					t.Fatalf("Cancel(running) = %v, %v, want Signalled", res, err)
				}
				close(release)
				select {
				case st := <-done:
					if st != queue.StatusCanceled {
						t.Errorf("Run() = %q, want canceled", st)
					}
				case <-time.After(waitTimeout):
					t.Fatal("Run() did not return")
				}
				if got := get(t, q, id); got.Status != queue.StatusCanceled || got.Result != nil || got.ErrorCode() != "JOB_CANCELED" {
					t.Errorf("Get() = %q result %s code %q, want canceled JOB_CANCELED without a result", got.Status, got.Result, got.ErrorCode())
				}
				if u := undone.Load(); u != 1 {
					t.Errorf("Undo called %d times, want 1", u)
				}
			})
		}
	})
}
