package openai

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the llm_openai_* series. A nil *metrics records nothing.
type metrics struct {
	requests  *prometheus.CounterVec   // model, outcome
	durations *prometheus.HistogramVec // model
	retries   *prometheus.CounterVec   // model
	fallbacks *prometheus.CounterVec   // from, to
	tokenUse  *prometheus.CounterVec   // model, kind, type
	paceWaits *prometheus.HistogramVec // model
	deferrals *prometheus.CounterVec   // model
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_openai_requests_total",
			Help: "Chat completion attempts by model and outcome.",
		}, []string{"model", "outcome"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "llm_openai_request_duration_seconds",
			Help:    "Duration of chat completion attempts.",
			Buckets: []float64{0.25, 0.5, 1, 2, 4, 8, 15, 30, 60},
		}, []string{"model"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_openai_retries_total",
			Help: "Retries of a chat completion on the same model.",
		}, []string{"model"}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_openai_fallbacks_total",
			Help: "Hand-overs from one model of the chain to the next.",
		}, []string{"from", "to"}),
		tokenUse: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_openai_tokens_total",
			Help: "Tokens billed by model, request kind and type (prompt or completion).",
		}, []string{"model", "kind", "type"}),
		paceWaits: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "llm_openai_pace_wait_seconds",
			Help:    "Waits before a call for the model's rate-limit budget to reset.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5},
		}, []string{"model"}),
		deferrals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_openai_pace_deferrals_total",
			Help: "Calls not made because the model's rate-limit budget was spent for longer than the inline wait.",
		}, []string{"model"}),
	}
	var errs [7]error
	m.requests, errs[0] = register(reg, m.requests)
	m.durations, errs[1] = register(reg, m.durations)
	m.retries, errs[2] = register(reg, m.retries)
	m.fallbacks, errs[3] = register(reg, m.fallbacks)
	m.tokenUse, errs[4] = register(reg, m.tokenUse)
	m.paceWaits, errs[5] = register(reg, m.paceWaits)
	m.deferrals, errs[6] = register(reg, m.deferrals)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the collector already registered under
// the same description (several clients may share one registry).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}

func (m *metrics) request(model, outcome string) {
	if m != nil {
		m.requests.WithLabelValues(model, outcome).Inc()
	}
}

func (m *metrics) duration(model string, d time.Duration) {
	if m != nil {
		m.durations.WithLabelValues(model).Observe(d.Seconds())
	}
}

func (m *metrics) retry(model string) {
	if m != nil {
		m.retries.WithLabelValues(model).Inc()
	}
}

func (m *metrics) fallback(from, to string) {
	if m != nil {
		m.fallbacks.WithLabelValues(from, to).Inc()
	}
}

func (m *metrics) tokens(model, kind string, u Usage) {
	if m == nil || (u.PromptTokens == 0 && u.CompletionTokens == 0) {
		return
	}
	if kind == "" {
		kind = "unknown"
	}
	m.tokenUse.WithLabelValues(model, kind, "prompt").Add(float64(u.PromptTokens))
	m.tokenUse.WithLabelValues(model, kind, "completion").Add(float64(u.CompletionTokens))
}

func (m *metrics) paced(model string, wait time.Duration) {
	if m != nil {
		m.paceWaits.WithLabelValues(model).Observe(wait.Seconds())
	}
}

func (m *metrics) deferred(model string) {
	if m != nil {
		m.deferrals.WithLabelValues(model).Inc()
	}
}
