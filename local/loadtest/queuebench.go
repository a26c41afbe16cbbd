package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/queue"
)

// queueRun is one system's result: P producers enqueue N no-op jobs, then
// W workers process them.
type queueRun struct {
	Jobs             int
	Enqueue, Process time.Duration
	// CPU of Redis and of this process (producers or workers) per phase.
	EnqueueCPU, ProcessCPU cpuUse
}

// EnqueueRate, ProcessRate and Rate are jobs a second: enqueueing alone,
// processing alone, and the whole (N over both phases).
func (r queueRun) EnqueueRate() float64 { return rate(r.Jobs, r.Enqueue) }
func (r queueRun) ProcessRate() float64 { return rate(r.Jobs, r.Process) }
func (r queueRun) Rate() float64        { return rate(r.Jobs, r.Enqueue+r.Process) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// queueRow is row 2: the median round of each system.
type queueRow struct {
	Jobs, Workers, Producers, Rounds int
	Ours, Asynq                      queueRun
}

// Ratio is our jobs/s over asynq's.
func (r queueRow) Ratio() float64 {
	if r.Asynq.Rate() == 0 {
		return 0
	}
	return r.Ours.Rate() / r.Asynq.Rate()
}

var benchPayload = []byte(`{"kind":"character","request":{"type":"personality","seed":1}}`)

// rowQueue alternates rounds of ours and asynq on the same Redis and keeps
// each one's median round (by total rate).
func (h *harness) rowQueue(ctx context.Context) (queueRow, error) {
	r := queueRow{Jobs: h.opts.QueueJobs, Workers: h.opts.Workers, Producers: h.opts.Workers, Rounds: 5}
	if h.opts.Smoke {
		r.Rounds = 1
	}
	opt, err := redis.ParseURL(h.redisURL)
	if err != nil {
		return r, err
	}
	var ours, theirs []queueRun
	for round := range r.Rounds {
		fmt.Fprintf(h.opts.Log, "loadtest: row 2, round %d: ours\n", round+1)
		o, err := runOurs(ctx, opt, fmt.Sprintf("%sq%d:", h.prefix, round), r.Jobs, r.Producers, r.Workers)
		if err != nil {
			return r, fmt.Errorf("our queue: %w", err)
		}
		ours = append(ours, o)
		fmt.Fprintf(h.opts.Log, "loadtest: row 2, round %d: asynq\n", round+1)
		a, err := runAsynq(ctx, opt, fmt.Sprintf("%sq%d", h.prefix[:len(h.prefix)-1], round), r.Jobs, r.Producers, r.Workers)
		if err != nil {
			return r, fmt.Errorf("asynq: %w", err)
		}
		theirs = append(theirs, a)
	}
	r.Ours, r.Asynq = median(ours), median(theirs)
	return r, nil
}

func median(runs []queueRun) queueRun {
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b queueRun) int {
		switch {
		case a.Rate() < b.Rate():
			return -1
		case a.Rate() > b.Rate():
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

// produce enqueues n jobs from p goroutines and returns the time it took.
func produce(ctx context.Context, n, p int, enqueue func(ctx context.Context) error) (time.Duration, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, p)
	start := time.Now()
	for range p {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := enqueue(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	close(errs)
	return d, <-errs
}

// waitDone waits until handled reaches n and done reports the store
// agrees (the last outcomes are recorded), or the deadline passes.
func waitDone(ctx context.Context, handled *atomic.Int64, n int, done func() (bool, error)) error {
	deadline := time.Now().Add(5 * time.Minute)
	for handled.Load() < int64(n) {
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d jobs ran within 5 minutes", handled.Load(), n)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("jobs still recorded as running after 5 minutes")
		}
		time.Sleep(time.Millisecond)
	}
}

// runOurs runs the shared/queue side: Queue.Enqueue, then a Pool of W
// workers with a no-op handler (with the process's Notifier, as in the
// service).
func runOurs(ctx context.Context, opt *redis.Options, prefix string, n, p, w int) (queueRun, error) {
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		flushPrefix(cctx, rdb, prefix)
	}()
	m := cpuMeter{rdb: rdb}
	logger := slog.New(slog.DiscardHandler)
	q := queue.New(rdb, queue.Config{Name: "bench", Prefix: prefix, MaxDepth: n + 1, JobTTL: 10 * time.Minute})
	run := queueRun{Jobs: n}
	var err error
	before := m.snap(ctx)
	run.Enqueue, err = produce(ctx, n, p, func(ctx context.Context) error {
		_, _, err := q.Enqueue(ctx, queue.EnqueueRequest{Kind: "bench.noop", Owner: "bench", Payload: benchPayload})
		return err
	})
	run.EnqueueCPU = before.to(m.snap(ctx))
	if err != nil {
		return run, err
	}

	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	notifier := queue.NewNotifier(rdb, prefix, logger)
	wg.Add(1)
	go func() { defer wg.Done(); notifier.Run(wctx) }()
	select {
	case <-notifier.Ready():
	case <-time.After(10 * time.Second):
		return run, fmt.Errorf("notifier not subscribed after 10s")
	}
	var handled atomic.Int64
	noop := queue.HandlerFunc(func(context.Context, *queue.Job) (queue.Result, error) {
		handled.Add(1)
		return queue.Result{}, nil
	})
	runner := queue.NewRunner(queue.RunnerConfig{Handlers: queue.HandlerMap{"bench.noop": noop}, Notifier: notifier, Metrics: nil, Logger: logger})
	pool := queue.NewPool(q, runner, w, logger)
	before = m.snap(ctx)
	start := time.Now()
	wg.Add(1)
	go func() { defer wg.Done(); pool.Run(wctx, wctx) }()
	err = waitDone(ctx, &handled, n, func() (bool, error) {
		st, err := q.Stats(ctx)
		return err == nil && st.Queued == 0 && st.Running == 0, err
	})
	run.Process = time.Since(start)
	run.ProcessCPU = before.to(m.snap(ctx))
	return run, err
}

// runAsynq runs the same on hibiken/asynq: Client.Enqueue, then a Server
// with Concurrency W and a no-op handler, in a queue of its own.
func runAsynq(ctx context.Context, opt *redis.Options, qname string, n, p, w int) (queueRun, error) {
	crdb, srdb := redis.NewClient(opt), redis.NewClient(opt)
	defer crdb.Close()
	defer srdb.Close()
	client := asynq.NewClientFromRedisClient(crdb)
	defer client.Close()
	insp := asynq.NewInspectorFromRedisClient(crdb)
	defer func() {
		insp.DeleteQueue(qname, true)
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		flushPrefix(cctx, crdb, "asynq:{"+qname+"}")
	}()
	m := cpuMeter{rdb: crdb}
	run := queueRun{Jobs: n}
	var err error
	before := m.snap(ctx)
	run.Enqueue, err = produce(ctx, n, p, func(ctx context.Context) error {
		_, err := client.EnqueueContext(ctx, asynq.NewTask("bench:noop", benchPayload), asynq.Queue(qname))
		return err
	})
	run.EnqueueCPU = before.to(m.snap(ctx))
	if err != nil {
		return run, err
	}
	var handled atomic.Int64
	srv := asynq.NewServerFromRedisClient(srdb, asynq.Config{
		Concurrency: w, Queues: map[string]int{qname: 1},
		Logger: discardAsynq{}, LogLevel: asynq.FatalLevel, ShutdownTimeout: 5 * time.Second,
	})
	before = m.snap(ctx)
	start := time.Now()
	if err := srv.Start(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		handled.Add(1)
		return nil
	})); err != nil {
		return run, err
	}
	defer srv.Shutdown()
	err = waitDone(ctx, &handled, n, func() (bool, error) {
		info, err := insp.GetQueueInfo(qname)
		return err == nil && info.Pending == 0 && info.Active == 0, err
	})
	run.Process = time.Since(start)
	run.ProcessCPU = before.to(m.snap(ctx))
	return run, err
}

// discardAsynq is an asynq.Logger that drops everything.
type discardAsynq struct{}

var _ asynq.Logger = discardAsynq{}

func (discardAsynq) Debug(...any) {}
func (discardAsynq) Info(...any)  {}
func (discardAsynq) Warn(...any)  {}
func (discardAsynq) Error(...any) {}
func (discardAsynq) Fatal(...any) {}
