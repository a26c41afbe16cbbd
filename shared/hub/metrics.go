package hub

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Drop reasons, the values of the reason label of
// llm_hub_events_dropped_total.
const (
	DropExpired       = "expired"        // older than DispatcherConfig.EventTTL
	DropGone          = "gone"           // the hub answered 410 Gone
	DropTrimmed       = "trimmed"        // removed by MAXLEN after a dispatcher read it (entries trimmed unread are not seen)
	DropMalformed     = "malformed"      // the stream entry holds no decodable event
	DropParkedExpired = "parked_expired" // parked longer than DispatcherConfig.ParkedTTL
	DropParkedTrimmed = "parked_trimmed" // the oldest parked events beyond DispatcherConfig.ParkedMaxLen
)

// dispatchMetrics are the outbox dispatcher's collectors.
type dispatchMetrics struct {
	depth       *prometheus.GaugeVec
	delivered   *prometheus.CounterVec
	failures    prometheus.Counter
	dropped     *prometheus.CounterVec
	parked      *prometheus.CounterVec
	parkedDepth *prometheus.GaugeVec
}

func newDispatchMetrics(reg prometheus.Registerer) (*dispatchMetrics, error) {
	m := &dispatchMetrics{
		depth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "llm_hub_outbox_depth",
			Help: "Entries in the hub outbox stream (XLEN), by stream.",
		}, []string{"stream"}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_hub_events_delivered_total",
			Help: "Events the hub accepted, by event type.",
		}, []string{"event_type"}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "llm_hub_delivery_failures_total",
			Help: "Failed event deliveries that will be retried.",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_hub_events_dropped_total",
			Help: "Events dropped without delivery, by reason (expired, gone, trimmed, malformed, parked_expired, parked_trimmed).",
		}, []string{"reason"}),
		parked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_hub_events_parked_total",
			Help: "Events the hub refused with a 4xx and that were parked for redelivery, by the hub's status.",
		}, []string{"status"}),
		parkedDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "llm_hub_parked_depth",
			Help: "Parked events waiting for redelivery (XLEN of the parked stream), by outbox stream.",
		}, []string{"stream"}),
	}
	var err error
	if m.depth, err = register(reg, m.depth); err != nil {
		return nil, err
	}
	if m.delivered, err = register(reg, m.delivered); err != nil {
		return nil, err
	}
	if m.failures, err = register(reg, m.failures); err != nil {
		return nil, err
	}
	if m.dropped, err = register(reg, m.dropped); err != nil {
		return nil, err
	}
	if m.parked, err = register(reg, m.parked); err != nil {
		return nil, err
	}
	if m.parkedDepth, err = register(reg, m.parkedDepth); err != nil {
		return nil, err
	}
	return m, nil
}

func newRegistrationMetric(reg prometheus.Registerer) (*prometheus.CounterVec, error) {
	return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "llm_hub_registrations_total",
		Help: "Registration attempts with the hub, by outcome (success, failure).",
	}, []string{"outcome"}))
}

// register adds c to reg (when reg is not nil). When an identical collector
// is already registered, for example by a second dispatcher in the same
// process, that one is returned so both count into the same series.
func register[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	if reg == nil {
		return c, nil
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(T); ok {
				return existing, nil
			}
		}
		return c, fmt.Errorf("register hub metrics: %w", err)
	}
	return c, nil
}
