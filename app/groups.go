package app

import (
	"net/http"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dndcc/dnd-llm-service/functions/characters"
	"github.com/dndcc/dnd-llm-service/functions/docs"
	imageapi "github.com/dndcc/dnd-llm-service/functions/image"
	queueapi "github.com/dndcc/dnd-llm-service/functions/queue"
	textapi "github.com/dndcc/dnd-llm-service/functions/text"
	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/health"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

// Groups are the endpoint groups the service serves, in the order the API
// document lists them. A new group is one more line here. The characters
// group builds its steps' jobs with the text and image groups' builders,
// so it comes after them.
var Groups = []group.Def{
	textapi.Group,
	imageapi.Group,
	characters.Group,
	queueapi.Group,
	serviceGroup,
	docs.Group,
}

// Functions are the FUNCTION values the binary runs as: all, worker, and
// the function of every group.
func Functions(defs []group.Def) []string {
	fns := []string{config.FunctionAll, config.FunctionWorker}
	for _, d := range defs {
		if d.Function != "" && !slices.Contains(fns, d.Function) {
			fns = append(fns, d.Function)
		}
	}
	return fns
}

// serviceGroup is what every function serves: the probes, and /metrics
// in long-running modes (on METRICS_PORT instead, when it is set).
var serviceGroup = group.Def{
	Name: "service",
	Home: "queue",
	Tags: []apidoc.Tag{{Name: "service", Description: "Probes, health and metrics."}},
	New: func(d group.Deps) (group.Parts, error) {
		routes := probeRoutes(d.Health)
		if d.Config.MetricsPort == nil {
			routes = append(routes, metricsRoute(d.Registry))
		}
		return group.Parts{Types: []any{health.Response{}, health.Probe{}}, Routes: routes}, nil
	},
}

var noStore = apidoc.Header{Name: "Cache-Control", Description: "no-store", Required: true, Schema: apidoc.Str()}

// probeRoutes are /livez, /readyz and /health. The first two serve
// long-running processes only: under AWS Lambda nothing probes a process.
func probeRoutes(c *health.Checker) []group.Route {
	probe := func(d string) apidoc.Response {
		return apidoc.Response{Description: d, Headers: []apidoc.Header{noStore}, Content: []apidoc.Content{apidoc.JSON("Probe")}}
	}
	return []group.Route{
		{Method: http.MethodGet, Path: "/livez", Auth: group.Public, Handler: httpapi.Wrap(http.HandlerFunc(health.ServeLive)), LongRunning: true, Doc: apidoc.Operation{
			ID: "livez", Summary: "Liveness probe", Security: apidoc.Public,
			Description: "The process serves HTTP. Neither Redis nor any provider is touched, so an outage of one never gets a healthy process restarted. Not served under AWS Lambda.",
			Responses:   map[int]apidoc.Response{200: probe("The process serves.")},
		}},
		{Method: http.MethodGet, Path: "/readyz", Auth: group.Public, Handler: httpapi.Wrap(http.HandlerFunc(c.ServeReady)), LongRunning: true, Doc: apidoc.Operation{
			ID: "readyz", Summary: "Readiness probe", Security: apidoc.Public,
			Description: "This replica can take work: Redis answers a PING and the process is not shutting down. On SIGTERM it fails first, for READINESS_DRAIN, while requests are still served. Not served under AWS Lambda.",
			Responses: map[int]apidoc.Response{
				200: probe("Ready."),
				503: probe("Not ready: draining, or Redis is unreachable."),
			},
		}},
		{Method: http.MethodGet, Path: "/health", Auth: group.Public, Handler: httpapi.Wrap(c), Doc: apidoc.Operation{
			ID: "health", Summary: "Health", Security: apidoc.Public,
			Description: "The detailed view. Redis is pinged; provider states come from recent calls (no billed call is made). degraded means a component is impaired.",
			Responses: map[int]apidoc.Response{
				200: {Description: "Healthy or degraded.", Headers: []apidoc.Header{noStore}, Content: []apidoc.Content{apidoc.JSON("Health")}},
				503: {Description: "Unhealthy: Redis is unreachable.", Headers: []apidoc.Header{noStore}, Content: []apidoc.Content{apidoc.JSON("Health")}},
			},
		}},
	}
}

// metricsRoute is /metrics on the public port.
func metricsRoute(reg *prometheus.Registry) group.Route {
	return group.Route{Method: http.MethodGet, Path: "/metrics", Auth: group.Public, Handler: httpapi.Wrap(metricsHandler(reg)), LongRunning: true, Doc: apidoc.Operation{
		ID: "metrics", Summary: "Prometheus metrics", Security: apidoc.Public,
		Description: "HTTP, queue, provider, cache, rate-limit and cost series in the Prometheus text format (llm_* and the Go runtime's). Served on METRICS_PORT instead when it is set. Not served under AWS Lambda.",
		Responses: map[int]apidoc.Response{
			200: {Description: "The metrics.", Content: []apidoc.Content{{MediaType: "text/plain", Inline: apidoc.Str()}}},
		},
	}}
}

func metricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

var _ http.Handler = (*health.Checker)(nil)
