package queue

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics holds the queue's series.
type Metrics struct {
	jobs      *prometheus.CounterVec
	wait      *prometheus.HistogramVec
	run       *prometheus.HistogramVec
	retries   *prometheus.CounterVec
	recovered *prometheus.CounterVec
	dedup     *prometheus.CounterVec
}

var durationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900}

// NewMetrics registers the queue series on reg, plus depth and running
// gauges read from Redis at scrape time.
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
	}
	reg.MustRegister(m.jobs, m.wait, m.run, m.retries, m.recovered, m.dedup, &depthCollector{queues: queues})
	return m
}

// DedupHit counts a request that joined an identical live job.
func (m *Metrics) DedupHit(queue string) {
	if m != nil {
		m.dedup.WithLabelValues(queue).Inc()
	}
}

func (m *Metrics) recoveredN(queue string, n int) {
	if m != nil && n > 0 {
		m.recovered.WithLabelValues(queue).Add(float64(n))
	}
}

type depthCollector struct{ queues []*Queue }

var (
	depthDesc   = prometheus.NewDesc("llm_queue_depth", "Jobs waiting in the queue.", []string{"queue"}, nil)
	runningDesc = prometheus.NewDesc("llm_queue_running", "Jobs running across all workers.", []string{"queue"}, nil)
)

func (c *depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- depthDesc; ch <- runningDesc }

func (c *depthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, q := range c.queues {
		pipe := q.rdb.Pipeline()
		p := pipe.ZCard(ctx, q.kPending)
		s := pipe.ZCard(ctx, q.kScheduled)
		r := pipe.ZCard(ctx, q.kRunning)
		if _, err := pipe.Exec(ctx); err != nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(p.Val()+s.Val()), q.Name())
		ch <- prometheus.MustNewConstMetric(runningDesc, prometheus.GaugeValue, float64(r.Val()), q.Name())
	}
}

// Pool runs long-lived workers on a queue (server and worker modes).
type Pool struct {
	q       *Queue
	runner  *Runner
	workers int
	logger  *slog.Logger
	// Idle is how long an idle worker blocks on Redis before it looks for
	// due retries and expired leases again.
	Idle time.Duration
}

// NewPool returns n workers for q.
func NewPool(q *Queue, r *Runner, n int, logger *slog.Logger) *Pool {
	return &Pool{q: q, runner: r, workers: n, logger: logger, Idle: time.Second}
}

// Run works until ctx ends, then lets running jobs finish (they are handed
// back if jobCtx ends first) and returns. jobCtx bounds the jobs themselves:
// cancel it after the shutdown grace period.
func (p *Pool) Run(ctx, jobCtx context.Context) {
	var wg sync.WaitGroup
	for i := 0; i < p.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.work(ctx, jobCtx)
		}()
	}
	wg.Wait()
}

func (p *Pool) work(ctx, jobCtx context.Context) {
	token := NewJobID("w")
	failures := 0
	var next *Claim // made while recording the last job's outcome
	for {
		var c Claim
		if next != nil {
			c, next = *next, nil
		} else {
			if ctx.Err() != nil {
				return
			}
			var err error
			c, err = p.q.Claim(ctx, token, "")
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				failures++
				p.logger.Warn("claim failed", "queue", p.q.Name(), "error", err.Error())
				sleep(ctx, min(time.Duration(failures)*250*time.Millisecond, 5*time.Second))
				continue
			}
			failures = 0
		}
		p.runner.metrics.recoveredN(p.q.Name(), c.Recovered)
		switch {
		case c.Job != nil:
			var err error
			next, err = p.runner.runNext(jobCtx, ctx, p.q, c.Job, token)
			if err != nil && !errors.Is(err, ErrLeaseLost) {
				p.logger.Warn("record job outcome", "job_id", c.Job.ID, "error", err.Error())
			}
		case c.Paused > 0:
			sleep(ctx, c.Paused)
		default:
			if err := p.q.WaitForWork(ctx, p.Idle); err != nil && ctx.Err() == nil {
				sleep(ctx, 250*time.Millisecond)
			}
		}
	}
}

// Drain runs jobs from the queues until none is left or ctx is within
// margin of its deadline (the Lambda worker function). It returns how many
// jobs it ran.
func Drain(ctx context.Context, r *Runner, margin time.Duration, queues ...*Queue) (int, error) {
	token := NewJobID("lambda")
	ran := 0
	for {
		progressed := false
		for _, q := range queues {
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < margin {
				return ran, nil
			}
			c, err := q.Claim(ctx, token, "")
			if err != nil {
				return ran, err
			}
			r.metrics.recoveredN(q.Name(), c.Recovered)
			if c.Job == nil {
				continue
			}
			jctx, cancel := jobContext(ctx, margin)
			_, err = r.Run(jctx, q, c.Job)
			cancel()
			if err != nil && !errors.Is(err, ErrLeaseLost) {
				return ran, err
			}
			ran++
			progressed = true
		}
		if !progressed {
			return ran, nil
		}
	}
}

// jobContext bounds a job run by ctx's deadline less margin, so the outcome
// can still be recorded before the invocation ends.
func jobContext(ctx context.Context, margin time.Duration) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, dl.Add(-margin/2))
	}
	return context.WithCancel(ctx)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
