package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// The queue gauges are read from Redis, so they are the same on every
// replica: exported by all, a sum over replicas would count each job once
// per replica. With a GaugeLease (ElectGauges) one replica at a time
// exports them, and llm_queue_gauges_exporter says which.
var (
	depthDesc    = prometheus.NewDesc("llm_queue_depth", "Jobs waiting in the queue, across all replicas (exported by one replica: see llm_queue_gauges_exporter).", []string{"queue"}, nil)
	runningDesc  = prometheus.NewDesc("llm_queue_running", "Jobs running across all replicas (exported by one replica: see llm_queue_gauges_exporter).", []string{"queue"}, nil)
	exporterDesc = prometheus.NewDesc("llm_queue_gauges_exporter", "1 on the replica that exports llm_queue_depth and llm_queue_running, 0 on the others.", nil, nil)
)

// GaugeLease elects the replica that exports the queue gauges: the first
// replica scraped takes a lease in Redis and keeps it while it is scraped
// within the lease's TTL; when it stops being scraped (or dies) the next
// replica scraped after the TTL takes over. Replicas that are never
// scraped never take it.
type GaugeLease struct {
	rdb redis.UniversalClient
	key string
	id  string
	ttl time.Duration
}

// DefaultGaugeLeaseTTL outlives the usual scrape intervals (15 to 60 s).
const DefaultGaugeLeaseTTL = 90 * time.Second

// NewGaugeLease returns the lease under prefix for this process; ttl <= 0
// is DefaultGaugeLeaseTTL.
func NewGaugeLease(rdb redis.UniversalClient, prefix string, ttl time.Duration) *GaugeLease {
	if prefix == "" {
		prefix = "llm:"
	}
	if ttl <= 0 {
		ttl = DefaultGaugeLeaseTTL
	}
	return &GaugeLease{rdb: rdb, key: prefix + "metrics:gauges-exporter", id: NewJobID("exporter"), ttl: ttl}
}

// leaseScript takes the lease for ARGV[1] or renews it. KEYS: 1 lease.
// ARGV: 1 holder, 2 ttl ms. Returns 1 when ARGV[1] holds it.
var leaseScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`)

// Hold takes or renews the lease, and reports whether this process holds
// it.
func (l *GaugeLease) Hold(ctx context.Context) (bool, error) {
	n, err := leaseScript.Run(ctx, l.rdb, []string{l.key}, l.id, l.ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("gauge exporter lease: %w", err)
	}
	return n == 1, nil
}

// Jobs is llm_queue_jobs_total, by kind and outcome, for a reader of its
// own (the drain figures at shutdown).
func (m *Metrics) Jobs() prometheus.Collector { return m.jobs }

// ElectGauges makes the queue gauges exported only while l is held. Call
// it before the first scrape; without it every process exports them.
func (m *Metrics) ElectGauges(l *GaugeLease) { m.gauges.lease = l }

type gaugeCollector struct {
	queues []*Queue
	lease  *GaugeLease // nil: always export
}

func (c *gaugeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- depthDesc
	ch <- runningDesc
	ch <- exporterDesc
}

func (c *gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if c.lease != nil {
		held, err := c.lease.Hold(ctx)
		ch <- prometheus.MustNewConstMetric(exporterDesc, prometheus.GaugeValue, float64(boolInt(held && err == nil)))
		if !held || err != nil {
			return
		}
	}
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

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
