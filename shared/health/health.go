// Package health answers the probes from cheap checks: /livez (the process
// serves), /readyz (this replica can take work: Redis answers and it is not
// draining) and /health, the detailed view (a Redis PING and the states
// that other components already know). It never calls a billed API.
package health

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

// Overall statuses.
const (
	Healthy   = "healthy"
	Degraded  = "degraded"
	Unhealthy = "unhealthy"
)

// StateFunc reports a component's state as a word, such as "ok".
type StateFunc func(ctx context.Context) string

// Checker builds the /health answer.
type Checker struct {
	rdb        redis.UniversalClient
	version    string
	components map[string]StateFunc
	// degradedStates are component states that make the service degraded.
	degradedStates map[string]bool
	draining       atomic.Bool
}

// New returns a checker. Components are added with Add.
func New(rdb redis.UniversalClient, version string) *Checker {
	return &Checker{
		rdb: rdb, version: version,
		components: map[string]StateFunc{},
		degradedStates: map[string]bool{
			"degraded": true, "unauthorized": true, "no_balance": true,
			"unreachable": true, "paused": true, "rejected": true,
		},
	}
}

// Add registers a component.
func (c *Checker) Add(name string, f StateFunc) { c.components[name] = f }

// Response is the /health answer.
type Response struct {
	Status     string            `json:"status"`
	Version    string            `json:"version"`
	Components map[string]string `json:"components"`
}

// Check computes the health answer.
func (c *Checker) Check(ctx context.Context) Response {
	resp := Response{Status: Healthy, Version: c.version, Components: map[string]string{}}
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := c.rdb.Ping(pctx).Err(); err != nil {
		resp.Components["redis"] = "unreachable"
		resp.Status = Unhealthy
	} else {
		resp.Components["redis"] = "ok"
	}
	for name, f := range c.components {
		st := f(pctx)
		resp.Components[name] = st
		if c.degradedStates[st] && resp.Status == Healthy {
			resp.Status = Degraded
		}
	}
	return resp
}

// ServeHTTP answers 200 unless Redis is unreachable (503).
func (c *Checker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resp := c.Check(r.Context())
	status := http.StatusOK
	if resp.Status == Unhealthy {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	httpapi.JSON(w, status, resp)
}

// Probe answers /livez and /readyz.
type Probe struct {
	Status string `json:"status"`           // ok, or unavailable
	Reason string `json:"reason,omitempty"` // why not ready: draining, redis_unreachable
}

// Probe statuses and reasons.
const (
	ProbeOK          = "ok"
	ProbeUnavailable = "unavailable"
	ReasonDraining   = "draining"
	ReasonRedis      = "redis_unreachable"
)

// Drain makes /readyz fail from now on: the process is shutting down and
// load balancers should send it no more work.
func (c *Checker) Drain() { c.draining.Store(true) }

// Ready reports whether this replica can take work: it is not draining and
// Redis answers a PING within a second.
func (c *Checker) Ready(ctx context.Context) Probe {
	if c.draining.Load() {
		return Probe{Status: ProbeUnavailable, Reason: ReasonDraining}
	}
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := c.rdb.Ping(pctx).Err(); err != nil {
		return Probe{Status: ProbeUnavailable, Reason: ReasonRedis}
	}
	return Probe{Status: ProbeOK}
}

// ServeReady answers /readyz: 200 when ready, 503 otherwise.
func (c *Checker) ServeReady(w http.ResponseWriter, r *http.Request) {
	p := c.Ready(r.Context())
	status := http.StatusOK
	if p.Status != ProbeOK {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	httpapi.JSON(w, status, p)
}

// ServeLive answers /livez: 200 while the process serves HTTP. It touches
// neither Redis nor any provider, so an outage of either never gets a
// healthy process restarted.
func ServeLive(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	httpapi.JSON(w, http.StatusOK, Probe{Status: ProbeOK})
}
