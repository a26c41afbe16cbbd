package queue_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// runLabelled runs p until the test ends, on a goroutine carrying the
// pprof label test=<the test's name>, which every goroutine it starts
// inherits, so that goroutines can count them while other tests run.
func runLabelled(t *testing.T, p *queue.Pool) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go pprof.Do(context.Background(), pprof.Labels("test", t.Name()), func(context.Context) {
		defer close(done)
		p.Run(ctx, context.Background())
	})
	t.Cleanup(func() {
		cancel()
		waitClosed(t, done, "Pool.Run to return")
	})
}

// concurrency tracks how many calls run at once, and the most that did.
type concurrency struct{ now, most atomic.Int64 }

// enter counts a call in and returns how many run now; leave counts it out.
func (c *concurrency) enter() int64 {
	n := c.now.Add(1)
	for m := c.most.Load(); n > m && !c.most.CompareAndSwap(m, n); m = c.most.Load() {
	}
	return n
}

func (c *concurrency) leave() { c.now.Add(-1) }

// goroutines counts the goroutines labelled test=name that run the
// queue package's code (the Redis client may start goroutines of its own
// from them).
func goroutines(tb testing.TB, name string) int {
	tb.Helper()
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		tb.Fatalf("goroutine profile: %v", err)
	}
	// Groups of goroutines, separated by blank lines, read "<count> @
	// <pcs>", then "# labels: {...}" when labelled, then a line per frame.
	_, profile, _ := strings.Cut(b.String(), "\n") // "goroutine profile: total N"
	label := fmt.Sprintf(`"test":%q`, name)
	n := 0
	for group := range strings.SplitSeq(profile, "\n\n") {
		count, _, _ := strings.Cut(group, " @ ")
		c, err := strconv.Atoi(count)
		if err == nil && strings.Contains(group, "# labels: ") && strings.Contains(group, label) &&
			strings.Contains(group, "/shared/queue.") {
			n += c
		}
	}
	return n
}

// claimCounter counts the scripts (claims) a client runs.
type claimCounter struct{ n atomic.Int64 }

var _ redis.Hook = (*claimCounter)(nil)

func (c *claimCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *claimCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); name == "evalsha" || name == "eval" {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (c *claimCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestIdlePoolClaimsOncePerIdle: an idle pool of 256 slots makes one claim
// per Idle (its housekeeping claim), not one per slot, and runs two
// goroutines: the dispatcher and the waiter.
func TestIdlePoolClaimsOncePerIdle(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		const slots, idle = 256, 20 * time.Millisecond
		req := redistest.Named(t, rdb, "", 0)
		var claims claimCounter
		req.AddHook(&claims)
		p := queue.NewPool(newQueue(req, prefix, queue.Config{}), newRunner(echo, nil), slots, discard)
		p.Idle = idle
		p.Blocking = redistest.Named(t, rdb, "", 1)

		start := time.Now()
		runLabelled(t, p)
		const enough = 10
		waitFor(t, waitTimeout, fmt.Sprintf("%d housekeeping claims", enough), func() bool { return claims.n.Load() >= enough })
		got, periods := claims.n.Load(), int64(time.Since(start)/idle)
		// One claim at the start and one per Idle since; the slack covers
		// a script's first EVAL and a slow machine's late timers.
		if limit := 2*periods + 4; got > limit {
			t.Errorf("an idle pool of %d slots made %d claims in %d Idle periods, want at most %d", slots, got, periods, limit)
		}
		if n := goroutines(t, t.Name()); n != 2 {
			t.Errorf("an idle pool of %d slots runs %d goroutines, want 2 (dispatcher and waiter)", slots, n)
		}
	})
}

// TestPoolRunsSlowJobsAtOnce: 256 jobs that wait (on a provider, here on
// a channel) all run at once in a pool of 256 slots, each on one
// goroutine; a 257th waits in the queue for a slot.
func TestPoolRunsSlowJobsAtOnce(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		const slots = 256
		var jobs concurrency
		release := make(chan struct{})
		var once sync.Once
		defer once.Do(func() { close(release) })
		r := newRunner(func(ctx context.Context, j *queue.Job) (queue.Result, error) {
			jobs.enter()
			defer jobs.leave()
			<-release
			return queue.Result{Value: j.Payload}, nil
		}, nil)
		q := newQueue(rdb, prefix, queue.Config{})
		p := queue.NewPool(q, r, slots, discard)
		for range slots + 1 {
			enqueue(t, q, queue.EnqueueRequest{})
		}

		runLabelled(t, p)
		waitFor(t, waitTimeout, fmt.Sprintf("%d jobs running at once", slots), func() bool { return jobs.now.Load() == slots })
		if st := stats(t, q); st.Running != slots || st.Queued != 1 {
			t.Errorf("Stats() with every slot busy = %d running, %d queued, want %d and 1", st.Running, st.Queued, slots)
		}
		// The jobs, the dispatcher (waiting for a slot) and the waiter.
		if n := goroutines(t, t.Name()); n < slots || n > slots+2 {
			t.Errorf("%d running jobs take %d goroutines, want %d to %d", slots, n, slots, slots+2)
		}
		if p.TrySlot() != nil {
			t.Errorf("TrySlot() with every slot busy = a slot, want nil")
		}
		once.Do(func() { close(release) })
		waitFor(t, waitTimeout, "every job to finish", func() bool { return stats(t, q).Succeeded1h == slots+1 })
		if got := jobs.most.Load(); got != slots {
			t.Errorf("at most %d jobs ran at once, want %d (the slots)", got, slots)
		}
		waitFor(t, waitTimeout, "the job goroutines to end", func() bool { return goroutines(t, t.Name()) <= 2 })
	})
}

// TestDrainRunsJobsAtOnce: the Lambda worker runs a queue's jobs side by
// side, up to its Workers and never past the queue's MaxInFlight across
// processes. Each job waits until the cap is reached (a serial drain would
// wait in vain), so jobs as many as the workers finish in one job's time.
func TestDrainRunsJobsAtOnce(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		for _, tc := range []struct {
			name                             string
			jobs, workers, maxInFlight, want int
		}{
			{"as many workers as jobs", 8, 8, 0, 8},
			{"fewer workers", 7, 3, 0, 3},
			{"max in flight", 7, 8, 2, 2},
		} {
			t.Run(tc.name, func(t *testing.T) {
				total := tc.jobs
				var jobs concurrency
				reached, once := make(chan struct{}), sync.Once{}
				r := newRunner(func(ctx context.Context, j *queue.Job) (queue.Result, error) {
					c := jobs.enter()
					defer jobs.leave()
					if c >= int64(tc.want) {
						once.Do(func() { close(reached) })
					}
					select {
					case <-reached:
					case <-time.After(waitTimeout):
					}
					return queue.Result{Value: j.Payload}, nil
				}, nil)
				q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{MaxInFlight: tc.maxInFlight})
				for range total {
					enqueue(t, q, queue.EnqueueRequest{})
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				ran, err := queue.Drain(ctx, r, time.Second, queue.DrainQueue{Queue: q, Workers: tc.workers})
				if err != nil || ran != total {
					t.Fatalf("Drain() = %d, %v, want %d, nil", ran, err, total)
				}
				if got := jobs.most.Load(); got != int64(tc.want) {
					t.Errorf("Drain(workers %d, max in flight %d) ran at most %d jobs at once, want %d", tc.workers, tc.maxInFlight, got, tc.want)
				}
			})
		}
	})
}

// TestDrainFollowsWorkAcrossQueues: a job's end may leave work in another
// queue (a job that waits for the jobs it started); Drain claims again on
// every queue when a job ends, so it runs that work in the same run.
func TestDrainFollowsWorkAcrossQueues(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		text := queue.New(rdb, queue.Config{Name: "text", Prefix: prefix})
		image := queue.New(rdb, queue.Config{Name: "image", Prefix: prefix})
		r := queue.NewRunner(queue.RunnerConfig{Handlers: queue.HandlerMap{
			"text.echo": queue.HandlerFunc(func(ctx context.Context, j *queue.Job) (queue.Result, error) {
				// The image queue was found empty before this job ends.
				_, _, err := image.Enqueue(ctx, queue.EnqueueRequest{Kind: "image.echo", Owner: "svc-a"})
				return queue.Result{Value: j.Payload}, err
			}),
			"image.echo": queue.HandlerFunc(echo),
		}, Logger: discard})
		enqueue(t, text, queue.EnqueueRequest{})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ran, err := queue.Drain(ctx, r, time.Second, drainAll(image, text)...)
		if err != nil || ran != 2 {
			t.Errorf("Drain() = %d, %v, want 2 (the text job and the image job it left), nil", ran, err)
		}
		if st := stats(t, image); st.Succeeded1h != 1 {
			t.Errorf("image Stats() = %+v, want 1 succeeded", st)
		}
	})
}

// TestDrainWaitsForJobsDueBack: a job Drain ran that runs again shortly
// (Result.Again: it waits for the jobs it started) runs again in the same
// Drain, however soon the queues are empty.
func TestDrainWaitsForJobsDueBack(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		var runs atomic.Int32
		r := newRunner(func(ctx context.Context, j *queue.Job) (queue.Result, error) {
			if runs.Add(1) == 1 {
				return queue.Result{Value: []byte(`{"step":1}`), Again: 50 * time.Millisecond}, nil
			}
			return queue.Result{Value: []byte(`{"step":2}`)}, nil
		}, nil)
		id := enqueue(t, q, queue.EnqueueRequest{}).ID
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ran, err := queue.Drain(ctx, r, time.Second, drainAll(q)...)
		if err != nil || ran != 2 {
			t.Errorf("Drain() = %d, %v, want 2 (the job's two runs), nil", ran, err)
		}
		if j := get(t, q, id); j.Status != queue.StatusSucceeded || string(j.Result) != `{"step":2}` {
			t.Errorf("Get() = %q %s, want succeeded {\"step\":2}", j.Status, j.Result)
		}
	})
}
