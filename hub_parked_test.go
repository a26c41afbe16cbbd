package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
)

// parkedEvents lists what GET /api/v2/hub/parked answers, checked against
// the API document.
func parkedEvents(t testing.TB, spec apptest.Spec, base, tok, query string) []map[string]any {
	t.Helper()
	r := servicetest.Do(t, "GET", base+"/api/v2/hub/parked"+query, tok, "")
	if r.Status != 200 {
		t.Fatalf("GET /api/v2/hub/parked%s = %d %s", query, r.Status, r.Body)
	}
	spec.CheckResponse(t, "GET /api/v2/hub/parked", r)
	var page struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(r.Body, &page); err != nil {
		t.Fatalf("parked page %s: %v", r.Body, err)
	}
	return page.Events
}

// TestMessageHubParksRefusedEvents: a job's event the hub answers 404 (no
// events route), then 422 after a redelivery through the admin route
// (an event type it does not know), then accepts after a redelivery
// through the CLI, reaches the hub once and is never lost.
func TestMessageHubParksRefusedEvents(t *testing.T) {
	t.Parallel()
	fh := newFakeHub(t)
	fh.refuse(404)
	env := map[string]string{"MESSAGE_HUB_URL": fh.URL}
	s := startService(t, env) // env now holds the service's Redis and key prefix
	spec := apptest.LoadSpec(t)
	tok, admin := servicetest.Token(t, "campaign-service"), servicetest.Token(t, "ops", "admin")

	r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody)
	if r.Status != 200 {
		t.Fatalf("character = %d %s", r.Status, r.Body)
	}
	eventID := jobOf(t, r)["id"].(string) + ":succeeded"
	waitParked := func(status float64, times float64) map[string]any {
		t.Helper()
		var got map[string]any
		servicetest.WaitFor(t, 20*time.Second, "the event parked with its status", func() bool {
			for _, e := range parkedEvents(t, spec, s.URL, admin, "?outbox=text") {
				if e["event_id"] == eventID && e["status"] == status && e["times_parked"] == times {
					got = e
					return true
				}
			}
			return false
		})
		return got
	}

	p := waitParked(404, 1)
	if p["outbox"] != "text" || p["event_type"] != "llm.text.completed" || !strings.Contains(p["body"].(string), "Not Found") {
		t.Errorf("parked event = %v, want the text outbox's llm.text.completed with the hub's answer", p)
	}
	if ev, _ := p["event"].(map[string]any); ev["correlation_id"] == "" || ev["correlation_id"] == nil {
		t.Errorf("parked event %v has no correlation id", ev)
	}
	if r := servicetest.Do(t, "GET", s.URL+"/api/v2/hub/parked", tok, ""); r.Status != 403 {
		t.Errorf("GET /api/v2/hub/parked without admin = %d, want 403", r.Status)
	}
	s.Logs.WaitFor(t, "hub refused events; parked them for redelivery (GET /api/v2/hub/parked)", 10*time.Second)

	// The hub has the route now, but not the event type.
	fh.refuse(422)
	r = servicetest.Do(t, "POST", s.URL+"/api/v2/hub/parked/redeliver", admin, `{"ids":["`+eventID+`","text_000000000000000000000000:failed"]}`)
	spec.CheckResponse(t, "POST /api/v2/hub/parked/redeliver", r)
	if m := r.JSON(t); r.Status != 200 || m["redelivered"] != 1.0 || jsonString(m["missing"]) != `["text_000000000000000000000000:failed"]` {
		t.Fatalf("redeliver by id = %d %s, want 1 redelivered and the unknown id missing", r.Status, r.Body)
	}
	waitParked(422, 2)
	if r := servicetest.Do(t, "POST", s.URL+"/api/v2/hub/parked/redeliver", admin, `{}`, servicetest.BeyondSchema()); r.Status != 400 {
		t.Errorf("redeliver {} = %d %s, want 400 (all must be said)", r.Status, r.Body)
	}

	// The hub is fixed; an operator re-sends from a shell.
	fh.refuse(0)
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	if err := run(context.Background(), []string{"x", "hub", "parked", "list"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("hub parked list: %v", err)
	}
	if !strings.Contains(out.String(), eventID) || !strings.Contains(out.String(), "1 shown, 1 parked in all") {
		t.Errorf("hub parked list printed:\n%s\nwant the event and its count", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"x", "hub", "parked", "redeliver", "--status", "422"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("hub parked redeliver: %v", err)
	}
	if !strings.HasPrefix(out.String(), "redelivered 1 events") {
		t.Errorf("hub parked redeliver printed %q, want 1 redelivered", out.String())
	}
	servicetest.WaitFor(t, 20*time.Second, "the event at the hub", func() bool { return len(fh.eventsOf("llm.text.completed")) > 0 })
	if evs := fh.eventsOf("llm.text.completed"); len(evs) != 1 || evs[0]["metadata"].(map[string]any)["event_id"] != eventID {
		t.Errorf("hub events = %v, want the one event once", evs)
	}
	if left := parkedEvents(t, spec, s.URL, admin, ""); len(left) != 0 {
		t.Errorf("still parked: %v", left)
	}
	metrics := servicetest.Do(t, "GET", s.URL+"/metrics", "", "").Body
	for _, want := range []string{`llm_hub_events_parked_total{status="404"} 1`, `llm_hub_events_parked_total{status="422"} 1`} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// refusal is a command line run must refuse, with an error containing want.
type refusal struct {
	name string
	args []string // after the program's name
	want string
}

// expectRefusals runs each case on the embedded store's settings (no
// REDIS_URL) and checks the error.
func expectRefusals(t *testing.T, cases []refusal) {
	t.Helper()
	getenv := func(k string) string { return "" }
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), append([]string{"x"}, tc.args...), getenv, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestHubParkedCommandRefuses(t *testing.T) {
	t.Parallel()
	expectRefusals(t, []refusal{
		{"no subcommand", []string{"hub"}, "hub parked list"},
		{"unknown subcommand", []string{"hub", "parked", "purge"}, "hub parked list"},
		{"redeliver without a selector", []string{"hub", "parked", "redeliver"}, "all: must be true"},
		{"redeliver all and by status", []string{"hub", "parked", "redeliver", "--all", "--status", "404"}, "all: cannot be combined"},
		{"stray argument", []string{"hub", "parked", "list", "text"}, "unexpected arguments"},
		{"embedded store", []string{"hub", "parked", "list"}, "REDIS_URL is unset"},
	})
}
