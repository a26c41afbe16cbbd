// Package health answers /health from cheap checks: a Redis PING and the
// states that other components already know. It never calls a billed API.
package health

import (
	"context"
	"net/http"
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
