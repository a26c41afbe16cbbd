package main

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// z99 is the standard normal's 0.99 quantile.
const z99 = 2.3263478740408408

// latencySeed seeds every sampler, so each run draws the same sequence.
const latencySeed = 1

// latency is how long the fake provider takes to answer: P50 always, or
// lognormal with the given median and 0.99 quantile when P99 > P50.
type latency struct {
	P50, P99 time.Duration
}

// fixedLatency answers every call after d.
func fixedLatency(d time.Duration) latency { return latency{P50: d, P99: d} }

// Fixed reports whether every call takes P50.
func (l latency) Fixed() bool { return l.P99 <= l.P50 }

// sigma is the standard deviation of the latency's logarithm.
func (l latency) sigma() float64 {
	if l.Fixed() || l.P50 <= 0 {
		return 0
	}
	return math.Log(float64(l.P99)/float64(l.P50)) / z99
}

// Mean is the expected latency, which sets the ideal rate of closed-loop
// clients (clients ÷ mean).
func (l latency) Mean() time.Duration {
	s := l.sigma()
	return time.Duration(float64(l.P50) * math.Exp(s*s/2))
}

func (l latency) String() string {
	if l.Fixed() {
		return l.P50.String()
	}
	return fmt.Sprintf("lognormal p50=%s,p99=%s", l.P50, l.P99)
}

// parseLatency reads "5s" (fixed) or "p50=5s,p99=12s" (lognormal).
func parseLatency(s string) (latency, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "=") {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return latency{}, fmt.Errorf("%q is neither a duration (5s) nor p50=5s,p99=12s", s)
		}
		return fixedLatency(d), nil
	}
	var l latency
	for _, part := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 {
			return latency{}, fmt.Errorf("%q: %s is not a positive duration", s, k)
		}
		switch strings.TrimSpace(k) {
		case "p50":
			l.P50 = d
		case "p99":
			l.P99 = d
		default:
			return latency{}, fmt.Errorf("%q: unknown quantile %q (p50, p99)", s, k)
		}
	}
	switch {
	case l.P50 == 0 || l.P99 == 0:
		return latency{}, fmt.Errorf("%q: give both p50 and p99", s)
	case l.P99 < l.P50:
		return latency{}, errors.New("p99 must not be below p50")
	}
	return l, nil
}

// latencySampler draws latencies from one seeded generator; it is safe
// for concurrent use.
type latencySampler struct {
	l     latency
	sigma float64

	mu  sync.Mutex
	rng *rand.Rand
}

func newLatencySampler(l latency, seed uint64) *latencySampler {
	return &latencySampler{l: l, sigma: l.sigma(), rng: rand.New(rand.NewPCG(seed, seed))}
}

// next is the latency of the next call.
func (s *latencySampler) next() time.Duration {
	if s.sigma == 0 {
		return s.l.P50
	}
	s.mu.Lock()
	z := s.rng.NormFloat64()
	s.mu.Unlock()
	return time.Duration(float64(s.l.P50) * math.Exp(s.sigma*z))
}
