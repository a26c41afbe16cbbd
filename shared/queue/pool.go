package queue

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/provider"
)

// Metrics holds the queue's series.
type Metrics struct {
	jobs      *prometheus.CounterVec
	wait      *prometheus.HistogramVec
	run       *prometheus.HistogramVec
	retries   *prometheus.CounterVec
	recovered *prometheus.CounterVec
	dedup     *prometheus.CounterVec
	direct    *prometheus.CounterVec
	gauges    *gaugeCollector
}

var durationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900}

// NewMetrics registers the queue series on reg, plus depth and running
// gauges read from Redis at scrape time (see ElectGauges).
func NewMetrics(reg prometheus.Registerer, queues ...*Queue) *Metrics {
	m := &Metrics{
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_queue_jobs_total", Help: "Jobs run by kind and outcome.",
		}, []string{"kind", "outcome"}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "llm_queue_job_wait_seconds", Help: "Time from enqueue to first start, by queue.", Buckets: durationBuckets,
		}, []string{"queue"}),
		run: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "llm_queue_job_run_seconds", Help: "Time a worker spent on a job, by queue and outcome.", Buckets: durationBuckets,
		}, []string{"queue", "outcome"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_queue_retries_total", Help: "Job retries after transient failures, by kind.",
		}, []string{"kind"}),
		recovered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_queue_lease_recoveries_total", Help: "Jobs taken back after their worker's lease expired, by queue.",
		}, []string{"queue"}),
		dedup: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_queue_dedup_hits_total", Help: "Requests answered with an identical live job, by queue.",
		}, []string{"queue"}),
		direct: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_queue_direct_runs_total",
			Help: "Jobs claimed as they were enqueued and run for the request that submitted them, with no hand-off to a worker, by queue.",
		}, []string{"queue"}),
	}
	m.gauges = &gaugeCollector{queues: queues}
	reg.MustRegister(m.jobs, m.wait, m.run, m.retries, m.recovered, m.dedup, m.direct, m.gauges)
	return m
}

// DedupHit counts a request that joined an identical live job.
func (m *Metrics) DedupHit(queue string) {
	if m != nil {
		m.dedup.WithLabelValues(queue).Inc()
	}
}

// DirectRun counts a job run for the request that submitted it.
func (m *Metrics) DirectRun(queue string) {
	if m != nil {
		m.direct.WithLabelValues(queue).Inc()
	}
}

func (m *Metrics) recoveredN(queue string, n int) {
	if m != nil && n > 0 {
		m.recovered.WithLabelValues(queue).Add(float64(n))
	}
}

// Pool runs a queue's jobs in a long-lived process (server and worker
// modes). Its n slots bound the jobs running in the process at once: a
// running job holds one, and a request that runs its own job borrows a
// free one (TrySlot).
//
// Jobs mostly wait on a provider, so a slot costs what a waiting job costs:
// the pool's one dispatcher claims a job while a slot is free and runs it
// on a goroutine of its own, which ends with the job. While the queue is
// empty (or at its in-flight cap) only the dispatcher waits, and it waits
// in the process, not on Redis: the pool's one waiter blocks on the queue's
// wake-up key (BZPOPMIN) and hands each wake-up to it, and once every Idle
// it claims anyway, to promote due retries and recover expired leases. So
// an idle pool makes one claim per Idle and holds one blocking connection,
// on the Blocking client, however many slots it has.
type Pool struct {
	q      *Queue
	runner *Runner
	logger *slog.Logger
	slots  chan struct{}
	// Idle is how long the idle dispatcher waits for a wake-up before it
	// claims anyway, to find due retries and expired leases.
	Idle time.Duration
	// Blocking serves the pool's one blocking wait for work; default the
	// queue's client. Give it a client of its own (redisconn.Conn.Blocking)
	// so that the wait never holds a connection of the request pool.
	Blocking redis.UniversalClient

	idle  atomic.Bool   // the dispatcher waits for work
	idled chan struct{} // the dispatcher began to wait (the waiter's signal)
	wake  chan struct{} // a wake-up for the dispatcher

	running sync.WaitGroup // job goroutines still running

	mu      sync.Mutex
	jobCtx  context.Context // set while Run runs; nil before and after
	lent    sync.WaitGroup  // borrowed slots still out
	stopped bool
}

// wakeWait bounds each of the waiter's blocking waits, so that it notices
// the end of Run (a blocking command does not end with its context).
const wakeWait = time.Second

// NewPool returns a pool of n slots on q.
func NewPool(q *Queue, r *Runner, n int, logger *slog.Logger) *Pool {
	return &Pool{
		q: q, runner: r, logger: logger, Idle: time.Second, slots: make(chan struct{}, n),
		idled: make(chan struct{}, 1), wake: make(chan struct{}, 1),
	}
}

// Queue returns the pool's queue.
func (p *Pool) Queue() *Queue { return p.q }

// Run works until ctx ends, then lets running jobs finish (they are handed
// back if jobCtx ends first) and returns. jobCtx bounds the jobs themselves:
// cancel it after the shutdown grace period.
func (p *Pool) Run(ctx, jobCtx context.Context) {
	p.mu.Lock()
	p.jobCtx = jobCtx
	p.mu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() { p.waitForWake(ctx) })
	p.dispatch(ctx, jobCtx)
	wg.Wait()
	p.running.Wait()
	p.mu.Lock()
	p.stopped, p.jobCtx = true, nil
	p.mu.Unlock()
	p.lent.Wait()
}

// dispatch claims jobs while a slot is free and starts each on a goroutine
// that holds the slot, until ctx ends. After a claim that found nothing to
// run it waits for work; while the queue is paused, for the pause.
func (p *Pool) dispatch(ctx, jobCtx context.Context) {
	failures := 0
	for {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		token := NewJobID("w")
		c, err := p.q.Claim(ctx, token, "")
		if err != nil {
			<-p.slots
			if ctx.Err() != nil {
				return
			}
			failures++
			p.logger.Warn("claim failed", "queue", p.q.Name(), "error", err.Error())
			_ = provider.Sleep(ctx, min(time.Duration(failures)*250*time.Millisecond, 5*time.Second))
			continue
		}
		failures = 0
		p.runner.metrics.recoveredN(p.q.Name(), c.Recovered)
		if c.Job != nil {
			p.running.Go(func() { p.work(ctx, jobCtx, c.Job) })
			continue
		}
		<-p.slots
		if c.Paused > 0 {
			_ = provider.Sleep(ctx, c.Paused)
		} else {
			p.waitForWork(ctx)
		}
	}
}

// work runs job in the slot the dispatcher took for it, and releases the
// slot. Until ctx ends, the round trip that records a job's outcome also
// claims the next job, which then runs in the same slot.
func (p *Pool) work(ctx, jobCtx context.Context, job *Job) {
	defer func() { <-p.slots }()
	for job != nil {
		next, err := p.runner.runNext(jobCtx, ctx, p.q, job, NewJobID("w"))
		if err != nil && !errors.Is(err, ErrLeaseLost) {
			p.logger.Warn("record job outcome", "job_id", job.ID, "request_id", job.RequestID, "error", err.Error())
		}
		job = nil
		if next != nil {
			p.runner.metrics.recoveredN(p.q.Name(), next.Recovered)
			job = next.Job
		}
	}
}

// waitForWork blocks the dispatcher until the waiter hands it a wake-up,
// Idle passes or ctx ends.
func (p *Pool) waitForWork(ctx context.Context) {
	p.idle.Store(true)
	defer p.idle.Store(false)
	select {
	case p.idled <- struct{}{}:
	default:
	}
	t := time.NewTimer(p.Idle)
	defer t.Stop()
	select {
	case <-p.wake:
	case <-t.C:
	case <-ctx.Done():
	}
}

// waitForWake is the pool's waiter: while the dispatcher is idle, it waits
// on the queue's wake-up key and passes each wake-up on. While it is not,
// it leaves wake-ups to the other processes' pools. A wake-up that finds
// the dispatcher busy again is kept for its next wait (a spare claim at
// worst); one is enough, since each claim that leaves jobs waiting posts
// another.
func (p *Pool) waitForWake(ctx context.Context) {
	client := p.Blocking
	if client == nil {
		client = p.q.rdb
	}
	failures := 0
	for ctx.Err() == nil {
		if !p.idle.Load() {
			select {
			case <-p.idled:
			case <-ctx.Done():
			}
			continue
		}
		woke, err := p.q.waitWake(ctx, client, wakeWait)
		if ctx.Err() != nil {
			if woke {
				// Stopping: leave the wake-up to the other processes.
				_ = p.q.postWake(context.WithoutCancel(ctx))
			}
			return
		}
		if err != nil {
			failures++
			if failures == 1 || failures%20 == 0 {
				p.logger.Warn("wait for work failed", "queue", p.q.Name(), "error", err.Error(), "failures", failures)
			}
			_ = provider.Sleep(ctx, min(time.Duration(failures)*250*time.Millisecond, 5*time.Second))
			continue
		}
		failures = 0
		if woke {
			select {
			case p.wake <- struct{}{}:
			default: // one is already on its way
			}
		}
	}
}

// Slot is a pool slot lent to a caller that runs its own job: enqueue the
// job with EnqueueRequest.ClaimAs set to Token, then Run it if it was
// claimed, or Release the slot.
type Slot struct {
	p      *Pool
	jobCtx context.Context
	token  string
	once   sync.Once
}

// TrySlot lends a free slot, or returns nil when every slot is busy or the
// pool is not running.
func (p *Pool) TrySlot() *Slot {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped || p.jobCtx == nil || p.jobCtx.Err() != nil {
		return nil
	}
	select {
	case p.slots <- struct{}{}:
	default:
		return nil
	}
	p.lent.Add(1)
	return &Slot{p: p, jobCtx: p.jobCtx, token: NewJobID("w")}
}

// Token is the lease token to claim the caller's job with.
func (s *Slot) Token() string { return s.token }

// Release returns the slot unused. It is safe to call more than once.
func (s *Slot) Release() {
	s.once.Do(func() {
		<-s.p.slots
		s.p.lent.Done()
	})
}

// Ran is the end of a job run on a lent slot.
type Ran struct {
	Job *Job // as the outcome left it
	Err error
}

// Run runs job, claimed with Token, in the background like any of the
// pool's jobs (it outlives the caller's request and is handed back when the
// pool's job context ends), and releases the slot when it is done. The
// channel receives the outcome.
func (s *Slot) Run(job *Job) <-chan Ran {
	done := make(chan Ran, 1)
	go func() {
		j, err := s.p.runner.Execute(s.jobCtx, s.p.q, job)
		if err != nil && !errors.Is(err, ErrLeaseLost) {
			s.p.logger.Warn("record job outcome", "job_id", job.ID, "request_id", job.RequestID, "error", err.Error())
		}
		s.Release() // before the caller hears: its next request may borrow it
		done <- Ran{Job: j, Err: err}
	}()
	return done
}

// DrainQueue is a queue Drain works on and how many of its jobs it runs at
// once (at least 1).
type DrainQueue struct {
	Queue   *Queue
	Workers int
}

// Drain runs jobs from the queues until none is left or ctx is within
// margin of its deadline (the Lambda worker function). It runs up to each
// queue's Workers of its jobs at once, the claim script holding every
// queue to its MaxInFlight across processes. A queue that has nothing to
// run now (empty, paused or at its cap) is tried again whenever one of the
// jobs ends, since that may leave work anywhere or room; and while a job it
// ran waits to run again (Result.Again: it waits for the jobs it started,
// which may be running here), Drain looks for it once per housekeeping
// interval until it is due. It returns how many jobs it ran, and the first
// error that stopped it.
func Drain(ctx context.Context, r *Runner, margin time.Duration, queues ...DrainQueue) (int, error) {
	token := NewJobID("lambda")
	ended := make(chan drained)
	running := make([]int, len(queues))      // jobs running, by queue
	idle := make([]bool, len(queues))        // nothing to run at the last claim
	expect := make([]time.Time, len(queues)) // a job run here is due back by then
	inFlight, ran := 0, 0
	var first error
	take := func(d drained) {
		running[d.queue]--
		inFlight--
		switch {
		case d.err == nil || errors.Is(d.err, ErrLeaseLost):
			ran++
		case first == nil:
			first = d.err
		}
		if d.again > 0 {
			// Due after again, and claimable once a claim's housekeeping
			// has promoted it.
			hk := queues[d.queue].Queue.cfg.Housekeeping
			if due := time.Now().Add(d.again + 2*hk); due.After(expect[d.queue]) {
				expect[d.queue] = due
			}
		}
		clear(idle)
	}
	for first == nil {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < margin {
			break
		}
		for i, dq := range queues {
			for first == nil && !idle[i] && running[i] < max(dq.Workers, 1) {
				c, err := dq.Queue.Claim(ctx, token, "")
				if err != nil {
					first = err
					break
				}
				r.metrics.recoveredN(dq.Queue.Name(), c.Recovered)
				if c.Job == nil {
					idle[i] = true
					break
				}
				running[i]++
				inFlight++
				go func() { ended <- drainOne(ctx, r, margin, i, dq.Queue, c.Job) }()
			}
		}
		poll := pollInterval(queues, expect, time.Now())
		if first != nil || (inFlight == 0 && poll == 0) {
			break
		}
		var tick <-chan time.Time
		var t *time.Timer
		if poll > 0 {
			t = time.NewTimer(poll)
			tick = t.C
		}
		select {
		case d := <-ended:
			take(d)
		case <-tick:
			clear(idle)
		}
		if t != nil {
			t.Stop()
		}
	}
	for inFlight > 0 {
		take(<-ended)
	}
	return ran, first
}

// drained is the end of a job Drain ran: its queue's index, the error that
// kept its outcome from being recorded, and, when it is to run again (a
// job that waits for the jobs it started), how soon.
type drained struct {
	queue int
	err   error
	again time.Duration
}

// drainOne runs job, bounded by ctx's deadline less margin.
func drainOne(ctx context.Context, r *Runner, margin time.Duration, i int, q *Queue, job *Job) drained {
	ctx, cancel := jobContext(ctx, margin)
	defer cancel()
	d := drained{queue: i}
	_, d.err = r.run(ctx, q, job, func(ctx context.Context, o Outcome) (Status, time.Time, error) {
		st, at, err := q.complete(ctx, job, o)
		if err == nil && st == StatusQueued && o.Again > 0 {
			d.again = o.Again
		}
		return st, at, err
	})
	return d
}

// pollInterval is how often Drain looks for the jobs it expects back: the
// shortest housekeeping interval of the queues that expect one, or 0 when
// none does.
func pollInterval(queues []DrainQueue, expect []time.Time, now time.Time) time.Duration {
	var poll time.Duration
	for i, dq := range queues {
		if hk := dq.Queue.cfg.Housekeeping; now.Before(expect[i]) && (poll == 0 || hk < poll) {
			poll = hk
		}
	}
	return poll
}

// jobContext bounds a job run by ctx's deadline less margin, so the outcome
// can still be recorded before the invocation ends.
func jobContext(ctx context.Context, margin time.Duration) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, dl.Add(-margin/2))
	}
	return context.WithCancel(ctx)
}
