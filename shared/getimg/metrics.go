package getimg

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the llm_getimg_* series; a nil *metrics records nothing.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	costs    *prometheus.CounterVec
	retries  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_getimg_requests_total",
			Help: "HTTP requests sent to GetImg.AI (each attempt), by endpoint and outcome (ok or the failure kind).",
		}, []string{"endpoint", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "llm_getimg_request_duration_seconds",
			Help:    "Duration of each HTTP request to GetImg.AI, by endpoint.",
			Buckets: []float64{0.25, 0.5, 1, 2, 4, 8, 16, 32, 64},
		}, []string{"endpoint"}),
		costs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_getimg_cost_dollars_total",
			Help: "US dollars GetImg.AI reported charging, by endpoint.",
		}, []string{"endpoint"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_getimg_retries_total",
			Help: "Retries of GetImg.AI calls after a retryable failure, by endpoint.",
		}, []string{"endpoint"}),
	}
	var err error
	m.requests, err = register(reg, m.requests)
	if err != nil {
		return nil, err
	}
	m.duration, err = register(reg, m.duration)
	if err != nil {
		return nil, err
	}
	m.costs, err = register(reg, m.costs)
	if err != nil {
		return nil, err
	}
	m.retries, err = register(reg, m.retries)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the collector already registered under
// the same description so that several clients can share one registry.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}

func (m *metrics) request(endpoint, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(endpoint, outcome).Inc()
	m.duration.WithLabelValues(endpoint).Observe(d.Seconds())
}

func (m *metrics) cost(endpoint string, usd float64) {
	if m == nil {
		return
	}
	m.costs.WithLabelValues(endpoint).Add(usd)
}

func (m *metrics) retry(endpoint string) {
	if m == nil {
		return
	}
	m.retries.WithLabelValues(endpoint).Inc()
}
