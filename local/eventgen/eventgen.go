// Package eventgen writes the sample AWS Lambda events in local/events:
// an HTTP API (payload 2.0) event for every route the groups serve under
// Lambda, signed with the development secret of local/env.json, and the
// worker's scheduled event. Each route's sample (its path with concrete
// values, its query, its first body example and the status it answers on
// a fresh service) comes from the route's declaration.
//
//	make events   (go run ./local/eventgen/cmd/eventgen)
package eventgen

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dndcc/dnd-llm-service/app"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/group"
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
	Public   bool // no Authorization header
	Status   int  // what it answers on a fresh service
}

// Schedule is the file of the worker's scheduled event.
const Schedule = "worker-schedule.json"

// Events lists the sample event of every route groups serve under Lambda,
// sorted by file.
func Events(groups []app.Built) ([]Event, error) {
	var out []Event
	for _, g := range groups {
		fn := g.Function
		if fn == "" {
			fn = g.Home
		}
		for _, r := range g.Routes {
			if r.LongRunning {
				continue
			}
			e, err := event(fn, r)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b Event) int { return strings.Compare(a.File, b.File) })
	return out, nil
}

func event(fn string, r group.Route) (Event, error) {
	e := Event{
		File: kebab(r.Doc.ID) + ".json", Function: fn, Method: r.Method, Path: r.Sample.Path, Route: r.Pattern(),
		Query: r.Sample.Query, Public: r.Auth == group.Public, Status: r.Sample.Status,
	}
	if e.Path == "" {
		e.Path = r.Path
	}
	if strings.Contains(e.Path, "{") {
		return Event{}, fmt.Errorf("route %s: its sample needs a path with concrete values", r.Pattern())
	}
	if e.Status == 0 {
		e.Status = http.StatusOK
	}
	if b := r.Doc.Body; b != nil {
		xs := b.Examples
		if b.More != nil {
			xs = append(slices.Clone(xs), b.More()...)
		}
		if len(xs) == 0 {
			return Event{}, fmt.Errorf("route %s: its body has no example for its sample", r.Pattern())
		}
		body, err := json.Marshal(xs[0].Value)
		if err != nil {
			return Event{}, fmt.Errorf("route %s: %w", r.Pattern(), err)
		}
		e.Body = string(body)
	}
	return e, nil
}

// kebab turns an operation id such as queueStatus into queue-status.
func kebab(id string) string {
	var sb strings.Builder
	for i, c := range id {
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				sb.WriteByte('-')
			}
			c += 'a' - 'A'
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

// devSecret is the development SECRET_KEY in local/env.json. It protects
// nothing: never use it outside a laptop.
const devSecret = "local-development-secret-key-do-not-use-in-production-0123456789abcdef"

// Write writes the sample events of the app's groups into dir.
func Write(dir string) error {
	a, err := app.Embedded(app.Groups)
	if err != nil {
		return fmt.Errorf("build the app: %w", err)
	}
	defer a.Close()
	events, err := Events(a.Built())
	if err != nil {
		return err
	}
	return write(dir, events)
}

func write(dir string, events []Event) error {
	// Far-future expiry: these files are committed and used offline.
	exp := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	tok, err := auth.Mint(devSecret, "local-dev", []string{auth.ScopeAdmin}, exp.Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "", "")
	if err != nil {
		return err
	}
	for _, e := range events {
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
	return os.WriteFile(filepath.Join(dir, Schedule), append(b, '\n'), 0o644)
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
