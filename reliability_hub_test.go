package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// hubDownFor is how much longer the hub stays down once every job is done:
// RELIABILITY_HUB_DOWN, none by default (the outage then lasts as long as
// the jobs and the restart take, about 10 s).
func hubDownFor(t testing.TB) time.Duration {
	t.Helper()
	v := os.Getenv("RELIABILITY_HUB_DOWN")
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		t.Fatalf("RELIABILITY_HUB_DOWN=%q: want a duration", v)
	}
	return d
}

// TestHubDownThroughRestart finishes 60 jobs while the Message Hub is
// down, with the service restarted in between (the first process read
// events it could not deliver). Once the hub is back every job's
// completion event reaches it.
func TestHubDownThroughRestart(t *testing.T) {
	servicetest.SkipShort(t, "fault: 60 jobs through a Message Hub outage and a service restart")
	t.Parallel()
	fh := newFakeHub(t)
	fh.setDown(true)
	_, prefix := redistest.New(t)
	env := func() map[string]string {
		return map[string]string{
			"REDIS_URL": redistest.URL(), "REDIS_KEY_PREFIX": prefix,
			"MESSAGE_HUB_URL": fh.URL, "HUB_SERVICE_KEY": "hub-key-reliability", "TEXT_RATE_LIMIT": "10000", "IMAGE_RATE_LIMIT": "10000",
		}
	}
	tok := servicetest.Token(t, "hub-volume")
	submit := func(s *apptest.Service, n, from int) []string {
		t.Helper()
		var ids []string
		for i := range n {
			path, body := "/api/v2/text/character", seeded(from+i)
			if i%5 == 4 {
				path = "/api/v2/image/generate"
				body = fmt.Sprintf(`{"type":"map_background","prompt":"a sunken keep","size":{"width":256,"height":256},"parameters":{"seed":%d}}`, from+i)
			}
			r := servicetest.Do(t, "POST", s.URL+path, tok, body, servicetest.Header("Prefer", "respond-async"))
			if r.Status != 202 && r.Status != 200 {
				t.Fatalf("submit = %d %s", r.Status, r.Body)
			}
			ids = append(ids, jobID(r))
		}
		for _, id := range ids {
			if j := pollFinal(t, s.URL, tok, id, 60*time.Second); j["status"] != "succeeded" {
				t.Fatalf("job %s = %v", id, j["status"])
			}
		}
		return ids
	}

	first := startService(t, env())
	ids := submit(first, 50, 20000)
	// The first process has read its events and is retrying them.
	servicetest.WaitFor(t, 20*time.Second, "failing hub deliveries in the log", func() bool { return strings.Contains(first.Logs.String(), "hub event delivery failing") })
	if err := first.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	second := startService(t, env())
	ids = append(ids, submit(second, 10, 30000)...)
	if n := len(fh.eventsOf("llm.text.completed")) + len(fh.eventsOf("llm.image.completed")); n != 0 {
		t.Fatalf("the hub got %d events while down", n)
	}
	if d := hubDownFor(t); d > 0 {
		time.Sleep(d) // a longer outage, when asked for: delivery backs off to its cap
	}
	up := time.Now()
	fh.setDown(false)

	delivered := func() (map[string]int, int) {
		got := map[string]int{}
		total := 0
		for _, typ := range []string{"llm.text.completed", "llm.image.completed"} {
			for _, e := range fh.eventsOf(typ) {
				got[e["data"].(map[string]any)["job_id"].(string)]++
				total++
			}
		}
		return got, total
	}
	deadline := time.Now().Add(120 * time.Second)
	for {
		got, _ := delivered()
		missing := 0
		for _, id := range ids {
			if got[id] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d completion events never reached the hub", missing, len(ids))
		}
		time.Sleep(50 * time.Millisecond)
	}
	after := time.Since(up)
	got, total := delivered()
	dups := total - len(got)
	t.Logf("all %d events delivered %v after the hub came back (%d repeated deliveries)", len(ids), after.Round(time.Millisecond), dups)
	figures(t, "events_produced", len(ids), "events_delivered", len(got), "events_lost", len(ids)-len(got),
		"repeated_deliveries", dups, "delivered_after_hub_up", after.Round(time.Millisecond))
}
