package queue_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// runPool runs p in the background and returns a channel closed when Run
// returns.
func runPool(p *queue.Pool, ctx, jobCtx context.Context) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx, jobCtx)
	}()
	return done
}

func waitClosed(tb testing.TB, c <-chan struct{}, what string) {
	tb.Helper()
	select {
	case <-c:
	case <-time.After(waitTimeout):
		tb.Fatalf("waited %v for %s", waitTimeout, what)
	}
}

// metricValue returns the value of the series name{labels} in reg.
func metricValue(tb testing.TB, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatalf("Gather() = %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if labelsMatch(m, labels) {
				switch {
				case m.Counter != nil:
					return m.Counter.GetValue()
				case m.Gauge != nil:
					return m.Gauge.GetValue()
				case m.Histogram != nil:
					return float64(m.Histogram.GetSampleCount())
				}
			}
		}
	}
	return 0
}

func labelsMatch(m *dto.Metric, want map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok {
			if v != l.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(want)
}

func TestPoolRunsJobs(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		reg := prometheus.NewRegistry()
		m := queue.NewMetrics(reg, q)
		r := queue.NewRunner(queue.RunnerConfig{Handlers: queue.HandlerMap{"text.echo": queue.HandlerFunc(echo)}, Notifier: startNotifier(t, rdb, prefix), Metrics: m, Logger: discard})
		p := queue.NewPool(q, r, 4, discard)

		const n = 200
		payload := func(i int) string { return fmt.Sprintf(`{"i":%d}`, i) }
		ids := make([]string, 0, n)
		for i := range n / 2 {
			ids = append(ids, enqueue(t, q, queue.EnqueueRequest{Payload: []byte(payload(i))}).ID)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := runPool(p, ctx, context.Background())
		for i := n / 2; i < n; i++ {
			ids = append(ids, enqueue(t, q, queue.EnqueueRequest{Payload: []byte(payload(i))}).ID)
		}
		// The runner counts a job just after recording its outcome.
		jobsTotal := func() float64 {
			return metricValue(t, reg, "llm_queue_jobs_total", map[string]string{"kind": "text.echo", "outcome": "succeeded"})
		}
		waitFor(t, waitTimeout, "the pool to run every job", func() bool {
			return jobsTotal() >= n
		})
		for i, id := range ids {
			j := get(t, q, id)
			if j.Status != queue.StatusSucceeded || string(j.Result) != payload(i) || j.Attempts != 1 {
				t.Errorf("Get(job %d) = %q result %s attempts %d, want succeeded %s 1", i, j.Status, j.Result, j.Attempts, payload(i))
			}
		}
		if st := stats(t, q); st.Succeeded1h != n || st.Queued != 0 || st.Running != 0 {
			t.Errorf("Stats() = %+v, want Succeeded1h %d and nothing queued or running", st, n)
		}
		if got := jobsTotal(); got != n {
			t.Errorf("llm_queue_jobs_total{succeeded} = %v, want %d", got, n)
		}
		if got := metricValue(t, reg, "llm_queue_job_wait_seconds", map[string]string{"queue": "text"}); got != n {
			t.Errorf("llm_queue_job_wait_seconds count = %v, want %d", got, n)
		}
		enqueue(t, q, queue.EnqueueRequest{Payload: []byte(`{}`)}) // may run or stay
		cancel()
		waitClosed(t, done, "Pool.Run to return after its context ended")
	})
}

// TestPoolWakesIdleWorkers: jobs enqueued while every worker waits for
// work start at once, each on a worker of its own, with no worker polling.
// The idle workers hold one blocking connection between them, on the
// pool's Blocking client when it has one, and none of the request pool.
func TestPoolWakesIdleWorkers(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		for _, own := range []bool{true, false} {
			t.Run(fmt.Sprintf("own blocking client %v", own), func(t *testing.T) {
				testPoolWakesIdleWorkers(t, rdb, redistest.Prefix(t, rdb), own)
			})
		}
	})
}

func testPoolWakesIdleWorkers(t *testing.T, rdb redis.UniversalClient, prefix string, ownBlocking bool) {
	const n = 8
	// Named clients, so that CLIENT LIST shows which one blocks; the
	// request pool is smaller than the number of workers.
	reqName, blockName := "req-"+strings.TrimSuffix(prefix, ":"), "block-"+strings.TrimSuffix(prefix, ":")
	req := redistest.Named(t, rdb, reqName, 2)
	cfg := queue.Config{Name: "text", Prefix: prefix}
	started, release := make(chan string, n), make(chan struct{})
	r := queue.NewRunner(queue.RunnerConfig{Handlers: queue.HandlerMap{"text.echo": queue.HandlerFunc(func(_ context.Context, j *queue.Job) (queue.Result, error) {
		started <- j.ID
		<-release // every job runs until all have started
		return queue.Result{}, nil
	})}, Logger: discard})
	p := queue.NewPool(queue.New(req, cfg), r, n, discard)
	p.Idle = time.Hour // a worker that waits for work starts only when woken
	waiter := reqName
	if ownBlocking {
		p.Blocking = redistest.Named(t, rdb, blockName, 1)
		waiter = blockName
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := runPool(p, ctx, context.Background())
	defer func() {
		select {
		case <-release:
		default:
			close(release) // the test failed
		}
		cancel()
		waitClosed(t, done, "Pool.Run to return")
	}()
	waitFor(t, waitTimeout, "the pool's waiter to block", func() bool {
		return redistest.CountClients(t, rdb, redistest.BlockedAs(waiter)) == 1
	})
	if ownBlocking {
		if got := redistest.CountClients(t, rdb, redistest.BlockedAs(reqName)); got != 0 {
			t.Errorf("%d request-pool connections block, want 0", got)
		}
		waitFor(t, waitTimeout, "the request pool to hold no connection", func() bool {
			st := req.PoolStats()
			return st.TotalConns == st.IdleConns
		})
	}

	q := queue.New(rdb, cfg)
	for range n {
		enqueue(t, q, queue.EnqueueRequest{})
	}
	for i := range n {
		select {
		case <-started:
		case <-time.After(waitTimeout):
			t.Fatalf("%d of %d jobs started within %v", i, n, waitTimeout)
		}
	}
	close(release)
	waitFor(t, waitTimeout, "the jobs to finish", func() bool { return stats(t, q).Succeeded1h == n })
	if got := redistest.CountClients(t, rdb, func(c redistest.ClientInfo) bool {
		return c.Name == waiter && c.Cmd == "bzpopmin"
	}); got > 1 {
		t.Errorf("%d connections of %s ran BZPOPMIN, want at most 1", got, waiter)
	}
}

func TestPoolHandsBackOnShutdown(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		started := make(chan struct{})
		r := queue.NewRunner(queue.RunnerConfig{Handlers: queue.HandlerMap{"text.echo": queue.HandlerFunc(func(ctx context.Context, _ *queue.Job) (queue.Result, error) {
			close(started)
			<-ctx.Done()
			return queue.Result{}, ctx.Err()
		})}, Notifier: nil, Metrics: nil, Logger: discard})
		p := queue.NewPool(q, r, 1, discard)
		id := enqueue(t, q, queue.EnqueueRequest{}).ID

		ctx, cancel := context.WithCancel(context.Background())
		jobCtx, cancelJobs := context.WithCancel(context.Background())
		defer cancelJobs()
		done := runPool(p, ctx, jobCtx)
		waitClosed(t, started, "the job to start")
		cancel() // stop claiming; the running job goes on
		if j := get(t, q, id); j.Status != queue.StatusRunning {
			t.Fatalf("Get() after the pool's context ended = %q, want still running", j.Status)
		}
		cancelJobs() // the grace period is over
		waitClosed(t, done, "Pool.Run to return")
		j := get(t, q, id)
		if j.Status != queue.StatusQueued || j.Attempts != 0 || j.Position != 1 {
			t.Errorf("Get() of the handed-back job = %q attempts %d position %d, want queued 0 1", j.Status, j.Attempts, j.Position)
		}
		if c := claimJob(t, q, "next"); c.ID != id || c.Attempts != 1 {
			t.Errorf("Claim() = %s attempt %d, want %s attempt 1", c.ID, c.Attempts, id)
		}
	})
}

func TestDrain(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		text := queue.New(rdb, queue.Config{Name: "text", Prefix: prefix})
		image := queue.New(rdb, queue.Config{Name: "image", Prefix: prefix})
		r := newRunner(echo, nil)

		var ids []string
		for i := range 5 {
			ids = append(ids, enqueue(t, text, queue.EnqueueRequest{Kind: "text.echo", Payload: []byte(fmt.Sprintf(`{"t":%d}`, i))}).ID)
		}
		for i := range 3 {
			ids = append(ids, enqueue(t, image, queue.EnqueueRequest{Kind: "image.echo", Payload: []byte(fmt.Sprintf(`{"m":%d}`, i))}).ID)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ran, err := queue.Drain(ctx, r, time.Second, drainAll(text, image)...)
		if err != nil || ran != len(ids) {
			t.Fatalf("Drain() = %d, %v, want %d, nil", ran, err, len(ids))
		}
		for _, id := range ids {
			q := text
			if queue.QueueOf(id) == "image" {
				q = image
			}
			if j := get(t, q, id); j.Status != queue.StatusSucceeded {
				t.Errorf("Get(%s) = %q, want succeeded", id, j.Status)
			}
		}
		if ran, err := queue.Drain(ctx, r, time.Second, drainAll(text, image)...); err != nil || ran != 0 {
			t.Errorf("Drain() of empty queues = %d, %v, want 0, nil", ran, err)
		}
	})
}

func TestDrainStopsAtMargin(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		id := enqueue(t, q, queue.EnqueueRequest{}).ID
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ran, err := queue.Drain(ctx, newRunner(echo, nil), 2*time.Minute, drainAll(q)...)
		if err != nil || ran != 0 {
			t.Errorf("Drain() within the margin = %d, %v, want 0, nil", ran, err)
		}
		if j := get(t, q, id); j.Status != queue.StatusQueued {
			t.Errorf("Get() = %q, want queued: Drain must not start a job it has no time for", j.Status)
		}
	})
}

func TestDrainSkipsPausedQueue(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		text := queue.New(rdb, queue.Config{Name: "text", Prefix: prefix})
		image := queue.New(rdb, queue.Config{Name: "image", Prefix: prefix})
		enqueue(t, text, queue.EnqueueRequest{Kind: "text.echo"})
		j := claimJob(t, text, "w")
		complete(t, text, j, queue.Outcome{Handback: true, Pause: time.Minute})
		enqueue(t, image, queue.EnqueueRequest{Kind: "image.echo", Payload: json.RawMessage(`{}`)})

		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ran, err := queue.Drain(ctx, newRunner(echo, nil), time.Second, drainAll(text, image)...)
		if err != nil || ran != 1 {
			t.Errorf("Drain() with the text queue paused = %d, %v, want 1, nil", ran, err)
		}
		if st := stats(t, text); st.Queued != 1 || st.PausedForS <= 0 {
			t.Errorf("text Stats() = %+v, want the job still queued and the queue paused", st)
		}
	})
}

// drainAll is queues for Drain, each with two jobs running at once.
func drainAll(queues ...*queue.Queue) []queue.DrainQueue {
	out := make([]queue.DrainQueue, 0, len(queues))
	for _, q := range queues {
		out = append(out, queue.DrainQueue{Queue: q, Workers: 2})
	}
	return out
}
