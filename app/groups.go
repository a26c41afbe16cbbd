package app

import (
	"net/http"
	"slices"

	"github.com/prometheus/client_golang/prometheus/promhttp"

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
// document lists them. A new group is one more line here.
var Groups = []group.Def{
	textapi.Group,
	imageapi.Group,
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

// serviceGroup is what every function serves: /health, and /metrics in
// long-running modes.
var serviceGroup = group.Def{
	Name: "service",
	Home: "queue",
	Tags: []apidoc.Tag{{Name: "service", Description: "Health and metrics."}},
	New: func(d group.Deps) (group.Parts, error) {
		noStore := apidoc.Header{Name: "Cache-Control", Description: "no-store", Required: true, Schema: apidoc.Str()}
		metrics := promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{Registry: d.Registry})
		return group.Parts{Types: []any{health.Response{}}, Routes: []group.Route{
			{Method: http.MethodGet, Path: "/health", Auth: group.Public, Handler: httpapi.Wrap(d.Health), Doc: apidoc.Operation{
				ID: "health", Summary: "Health", Security: apidoc.Public,
				Description: "Redis is pinged; provider states come from recent calls (no billed call is made). degraded means a component is impaired.",
				Responses: map[int]apidoc.Response{
					200: {Description: "Healthy or degraded.", Headers: []apidoc.Header{noStore}, Content: []apidoc.Content{apidoc.JSON("Health")}},
					503: {Description: "Unhealthy: Redis is unreachable.", Headers: []apidoc.Header{noStore}, Content: []apidoc.Content{apidoc.JSON("Health")}},
				},
			}},
			{Method: http.MethodGet, Path: "/metrics", Auth: group.Public, Handler: httpapi.Wrap(metrics), LongRunning: true, Doc: apidoc.Operation{
				ID: "metrics", Summary: "Prometheus metrics", Security: apidoc.Public,
				Description: "HTTP, queue, provider, cache, rate-limit and cost series in the Prometheus text format (llm_* and the Go runtime's). Not served under AWS Lambda.",
				Responses: map[int]apidoc.Response{
					200: {Description: "The metrics.", Content: []apidoc.Content{{MediaType: "text/plain", Inline: apidoc.Str()}}},
				},
			}},
		}}, nil
	},
}

var _ http.Handler = (*health.Checker)(nil)
