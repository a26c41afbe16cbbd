// Command eventgen writes the sample AWS Lambda events in local/events: an
// HTTP API (payload 2.0) event for every route, signed with the development
// secret of local/env.json, and the worker's scheduled event.
//
//	go run ./local/eventgen
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/auth"
)

// Event is one sample event file.
type Event struct {
	File     string // name under local/events
	Function string // FUNCTION that serves it
	Method   string
	Path     string // path with concrete values
	Route    string // HttpApi route key, e.g. "GET /api/v2/queue/{job_id}"
	Query    string
	Body     string
	Headers  map[string]string
	Public   bool // no Authorization header
}

// Events lists every sample event. The Lambda emulator test invokes each.
var Events = []Event{
	{File: "health.json", Function: "queue", Method: "GET", Path: "/health", Route: "GET /health", Public: true},
	{File: "queue-status.json", Function: "queue", Method: "GET", Path: "/api/v2/queue/status", Route: "GET /api/v2/queue/status"},
	{File: "queue-get.json", Function: "queue", Method: "GET", Path: "/api/v2/queue/text_000000000000000000000000", Route: "GET /api/v2/queue/{job_id}"},
	{File: "queue-cancel.json", Function: "queue", Method: "DELETE", Path: "/api/v2/queue/text_000000000000000000000000", Route: "DELETE /api/v2/queue/{job_id}"},
	{File: "queue-prioritize.json", Function: "queue", Method: "POST", Path: "/api/v2/queue/prioritize", Route: "POST /api/v2/queue/prioritize",
		Body: `{"job_id":"text_000000000000000000000000","priority":"high"}`},
}

// devSecret is the development SECRET_KEY in local/env.json. It protects
// nothing: never use it outside a laptop.
const devSecret = "local-development-secret-key-do-not-use-in-production-0123456789abcdef"

func main() {
	dir := "local/events"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := write(dir); err != nil {
		fmt.Fprintln(os.Stderr, "eventgen:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	// Far-future expiry: these files are committed and used offline.
	exp := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	tok, err := auth.Mint(devSecret, "local-dev", []string{auth.ScopeAdmin}, exp.Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "", "")
	if err != nil {
		return err
	}
	for _, e := range Events {
		b, err := json.MarshalIndent(httpEvent(e, tok), "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, e.File), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(scheduledEvent(), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "worker-schedule.json"), append(b, '\n'), 0o644)
}

func httpEvent(e Event, tok string) map[string]any {
	headers := map[string]string{
		"accept":       "application/json",
		"host":         "localhost:3000",
		"user-agent":   "curl/8.5.0",
		"x-request-id": "local-" + strings.TrimSuffix(e.File, ".json"),
	}
	if !e.Public {
		headers["authorization"] = "Bearer " + tok
	}
	if e.Body != "" {
		headers["content-type"] = "application/json"
	}
	for k, v := range e.Headers {
		headers[k] = v
	}
	ev := map[string]any{
		"version":        "2.0",
		"routeKey":       e.Route,
		"rawPath":        e.Path,
		"rawQueryString": e.Query,
		"headers":        headers,
		"requestContext": map[string]any{
			"accountId":    "123456789012",
			"apiId":        "local",
			"domainName":   "localhost",
			"domainPrefix": "localhost",
			"http": map[string]any{
				"method":    e.Method,
				"path":      e.Path,
				"protocol":  "HTTP/1.1",
				"sourceIp":  "127.0.0.1",
				"userAgent": "curl/8.5.0",
			},
			"requestId": "local-" + strings.TrimSuffix(e.File, ".json"),
			"routeKey":  e.Route,
			"stage":     "$default",
			"time":      "26/Nov/2026:00:00:00 +0000",
			"timeEpoch": 1795651200000,
		},
		"isBase64Encoded": false,
	}
	if e.Query != "" {
		q := map[string]string{}
		for _, kv := range strings.Split(e.Query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			q[k] = v
		}
		ev["queryStringParameters"] = q
	}
	if e.Body != "" {
		ev["body"] = e.Body
	}
	if strings.Contains(e.Route, "{") {
		params := map[string]string{}
		rp := strings.Split(strings.SplitN(e.Route, " ", 2)[1], "/")
		pp := strings.Split(e.Path, "/")
		for i, seg := range rp {
			if strings.HasPrefix(seg, "{") && i < len(pp) {
				params[strings.Trim(seg, "{}")] = pp[i]
			}
		}
		ev["pathParameters"] = params
	}
	return ev
}

func scheduledEvent() map[string]any {
	return map[string]any{
		"version":     "0",
		"id":          "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
		"detail-type": "Scheduled Event",
		"source":      "aws.events",
		"account":     "123456789012",
		"time":        "2026-11-26T00:00:00Z",
		"region":      "us-east-1",
		"resources":   []string{"arn:aws:events:us-east-1:123456789012:rule/dnd-llm-service-worker"},
		"detail":      map[string]any{},
	}
}
