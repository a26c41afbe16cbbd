package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// fakeHub records what the service sends to the Message Hub.
type fakeHub struct {
	*httptest.Server
	mu            sync.Mutex
	down          bool
	refuseEvents  int // answer every event with this 4xx, as a misconfigured hub does; 0 stores them
	registrations []map[string]any
	events        []map[string]any
}

// refusals are what a misconfigured hub answers events with: FastAPI's
// shapes for a missing route and an event type it does not know.
var refusals = map[int]string{
	http.StatusNotFound:            `{"detail":"Not Found"}`,
	http.StatusUnprocessableEntity: `{"detail":[{"type":"enum","loc":["body","event_type"],"msg":"Input should be 'job.created' or 'job.completed'"}]}`,
}

func newFakeHub(t testing.TB) *fakeHub {
	h := &fakeHub{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		down := h.down
		h.mu.Unlock()
		if down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		h.mu.Lock()
		defer h.mu.Unlock()
		switch r.URL.Path {
		case "/v1/services/register":
			h.registrations = append(h.registrations, m)
			w.Write([]byte(`{"status":"registered"}`))
		case "/api/v1/events":
			if h.refuseEvents != 0 {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(h.refuseEvents)
				w.Write([]byte(refusals[h.refuseEvents]))
				return
			}
			h.events = append(h.events, m)
			w.WriteHeader(http.StatusAccepted)
			w.Write([]byte(`{"status":"accepted"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *fakeHub) setDown(down bool) {
	h.mu.Lock()
	h.down = down
	h.mu.Unlock()
}

// refuse makes the hub answer events with status (0: store them).
func (h *fakeHub) refuse(status int) {
	h.mu.Lock()
	h.refuseEvents = status
	h.mu.Unlock()
}

func (h *fakeHub) eventsOf(typ string) []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]any
	for _, e := range h.events {
		if e["event_type"] == typ {
			out = append(out, e)
		}
	}
	return out
}

func (h *fakeHub) registered() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.registrations)
}

func TestMessageHub(t *testing.T) {
	t.Parallel()
	fh := newFakeHub(t)
	s := startService(t, map[string]string{
		"MESSAGE_HUB_URL": fh.URL, "HUB_SERVICE_KEY": "hub-service-key-123", "SERVICE_URL": "http://llm:8000",
	})
	tok := servicetest.Token(t, "campaign-service")

	t.Run("registers with capabilities", func(t *testing.T) {
		servicetest.WaitFor(t, 15*time.Second, "a registration", func() bool { return fh.registered() > 0 })
		fh.mu.Lock()
		reg := fh.registrations[0]
		fh.mu.Unlock()
		if reg["name"] != "llm-service" || reg["url"] != "http://llm:8000" || reg["health_check"] != "/health" {
			t.Errorf("registration = %v", reg)
		}
		caps, _ := reg["capabilities"].([]any)
		if !strings.Contains(jsonString(caps), `"text.character"`) || !strings.Contains(jsonString(caps), `"character_content"`) {
			t.Errorf("capabilities = %v, want both spellings", caps)
		}
		servicetest.WaitFor(t, 10*time.Second, "/health to say registered", func() bool {
			return servicetest.Do(t, "GET", s.URL+"/health", "", "").JSON(t)["components"].(map[string]any)["message_hub"] == "registered"
		})
	})

	t.Run("completion event", func(t *testing.T) {
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody, servicetest.Header("X-Correlation-ID", "corr-42"))
		if r.Status != 200 {
			t.Fatalf("status %d %s", r.Status, r.Body)
		}
		id := jobOf(t, r)["id"].(string)
		servicetest.WaitFor(t, 15*time.Second, "an llm.text.completed event", func() bool { return len(fh.eventsOf("llm.text.completed")) > 0 })
		ev := fh.eventsOf("llm.text.completed")[0]
		data := ev["data"].(map[string]any)
		if data["job_id"] != id || data["kind"] != "text.character" || data["status"] != "succeeded" || data["owner"] != "campaign-service" || data["correlation_id"] != "corr-42" {
			t.Errorf("event data = %v", data)
		}
		if data["model_used"] == nil || data["token_usage"] == nil {
			t.Errorf("event data lacks model_used/token_usage: %v", data)
		}
		md := ev["metadata"].(map[string]any)
		if md["event_id"] != id+":succeeded" || md["timestamp"] == nil || ev["source_service"] != "llm-service" || ev["correlation_id"] != "corr-42" {
			t.Errorf("event = %v", ev)
		}
		if _, err := time.Parse(time.RFC3339Nano, md["timestamp"].(string)); err != nil {
			t.Errorf("metadata.timestamp %v: %v", md["timestamp"], err)
		}
	})

	t.Run("inbound generate_text with service key", func(t *testing.T) {
		env := `{"source":"character-service","destination":"llm-service","message_type":"generate_text","correlation_id":"hub-corr-1","payload":{"prompt":"Name a tavern in a port town","context":"gritty","model":"gpt-4"},"timestamp":"2026-11-26T00:00:00Z","reply_to":"character-service.replies"}`
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/hub/messages", "", env, servicetest.Header("X-Service-Key", "hub-service-key-123"))
		if r.Status != 202 {
			t.Fatalf("status %d %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		if m["status"] != "accepted" || m["correlation_id"] != "hub-corr-1" || m["error"] != nil {
			t.Errorf("reply = %v", m)
		}
		jobID := m["data"].(map[string]any)["job_id"].(string)
		servicetest.WaitFor(t, 15*time.Second, "the hub job's llm.text.completed event", func() bool {
			for _, e := range fh.eventsOf("llm.text.completed") {
				if e["data"].(map[string]any)["job_id"] == jobID {
					return true
				}
			}
			return false
		})
		for _, e := range fh.eventsOf("llm.text.completed") {
			if e["data"].(map[string]any)["job_id"] != jobID {
				continue
			}
			if e["correlation_id"] != "hub-corr-1" || e["data"].(map[string]any)["owner"] != "character-service" {
				t.Errorf("event = %v", e)
			}
			if e["metadata"].(map[string]any)["destination"] != "character-service.replies" {
				t.Errorf("metadata.destination = %v", e["metadata"])
			}
		}
	})

	t.Run("correlation defaults to the job id", func(t *testing.T) {
		// A hub message without a correlation id, its timestamp as Python's
		// utcnow().isoformat() writes it; and a REST request without
		// X-Correlation-ID.
		env := `{"source":"character-service","message_type":"text.campaign","payload":{"type":"quest","parameters":{"party_level":2},"seed":7},"timestamp":"` + utcnow + `"}`
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/hub/messages", "", env, servicetest.Header("X-Service-Key", "hub-service-key-123"))
		m := r.JSON(t)
		if r.Status != 202 {
			t.Fatalf("status %d %s", r.Status, r.Body)
		}
		hubJob := m["data"].(map[string]any)["job_id"].(string)
		if m["correlation_id"] != hubJob {
			t.Errorf("reply correlation_id = %v, want the job id %s", m["correlation_id"], hubJob)
		}
		r = servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, strings.Replace(personalityBody, `"seed":42`, `"seed":4242`, 1))
		if r.Status != 200 {
			t.Fatalf("status %d %s", r.Status, r.Body)
		}
		restJob := jobOf(t, r)["id"].(string)
		for _, id := range []string{hubJob, restJob} {
			var ev map[string]any
			servicetest.WaitFor(t, 15*time.Second, "the event of "+id, func() bool {
				for _, typ := range []string{"llm.text.completed", "llm.text.failed"} {
					for _, e := range fh.eventsOf(typ) {
						if e["data"].(map[string]any)["job_id"] == id {
							ev = e
							return true
						}
					}
				}
				return false
			})
			if ev["correlation_id"] != id || ev["data"].(map[string]any)["correlation_id"] != id {
				t.Errorf("event of %s: correlation_id %v, data %v; want the job id in both", id, ev["correlation_id"], ev["data"])
			}
			if ts := ev["metadata"].(map[string]any)["timestamp"].(string); !strings.HasSuffix(ts, "Z") {
				t.Errorf("event of %s: timestamp %q, want UTC with Z", id, ts)
			}
		}
	})

	t.Run("inbound rejections", func(t *testing.T) {
		r := servicetest.Do(t, "POST", s.URL+"/api/v2/hub/messages", "", `{"message_type":"generate_text","payload":{}}`, servicetest.Header("X-Service-Key", "wrong"))
		if r.Status != 401 || r.JSON(t)["status"] != "rejected" {
			t.Errorf("wrong key = %d %s", r.Status, r.Body)
		}
		r = servicetest.Do(t, "POST", s.URL+"/api/v2/hub/messages", tok, `{"message_type":"summon_dragon","correlation_id":"c1","payload":{}}`)
		m := r.JSON(t)
		if r.Status != 400 || m["status"] != "rejected" || m["correlation_id"] != "c1" || m["error"].(map[string]any)["code"] == nil {
			t.Errorf("unknown type = %d %s", r.Status, r.Body)
		}
		r = servicetest.Do(t, "POST", s.URL+"/api/v2/hub/messages", tok, `{"message_type":"character_content","payload":{"type":"poem"}}`)
		if r.Status != 400 || r.JSON(t)["status"] != "rejected" {
			t.Errorf("bad payload = %d %s", r.Status, r.Body)
		}
	})

	t.Run("hub down then up", func(t *testing.T) {
		fh.setDown(true)
		var ids []string
		for i := 0; i < 3; i++ {
			body := strings.Replace(personalityBody, `"seed":42`, `"seed":`+string(rune('1'+i)), 1)
			r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, body)
			if r.Status != 200 {
				t.Fatalf("status %d %s", r.Status, r.Body)
			}
			ids = append(ids, jobOf(t, r)["id"].(string))
		}
		fh.setDown(false)
		servicetest.WaitFor(t, 60*time.Second, "the events held while the hub was down", func() bool {
			got := map[string]bool{}
			for _, e := range fh.eventsOf("llm.text.completed") {
				got[e["data"].(map[string]any)["job_id"].(string)] = true
			}
			for _, id := range ids {
				if !got[id] {
					return false
				}
			}
			return true
		})
	})
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestMessageHubEventTypes(t *testing.T) {
	t.Parallel()
	fh := newFakeHub(t)
	fake := openaitest.New(t)
	s := startService(t, map[string]string{
		"MESSAGE_HUB_URL": fh.URL, "TEXT_RATE_LIMIT": "3", "HUB_QUEUE_STATUS_INTERVAL": "1",
		"OPENAI_BASE_URL": fake.URL(), "OPENAI_API_KEY": "sk-test-key-0123456789",
	})
	tok := servicetest.Token(t, "events-caller")
	fake.SetDefault(func(goopenai.ChatCompletionRequest) openaitest.Reply { return openaitest.InsufficientQuota() })

	// failed: the provider account is out of quota
	fake.Push("", openaitest.InsufficientQuota())
	r := servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, personalityBody)
	if r.Status != 429 {
		t.Fatalf("quota failure = %d %s", r.Status, r.Body)
	}
	failedID := jobOf(t, r)["id"].(string)

	// image completed
	r = servicetest.Do(t, "POST", s.URL+"/api/v2/image/generate", tok, `{"type":"map_background","prompt":"a crypt","size":{"width":256,"height":256},"parameters":{"seed":1}}`)
	if r.Status != 200 {
		t.Fatalf("image = %d %s", r.Status, r.Body)
	}
	imageID := resultOf(t, r)["image_id"].(string)

	// rate limit exceeded: the limit is 3 text requests a minute
	for i := 0; i < 3; i++ {
		servicetest.Do(t, "POST", s.URL+"/api/v2/text/character", tok, `{"type":"combat"`+strings.Repeat(" ", i)+`}`, servicetest.Header("Prefer", "respond-async"))
	}

	servicetest.WaitFor(t, 20*time.Second, "failed, image, rate-limit and queue-status events", func() bool {
		return len(fh.eventsOf("llm.text.failed")) > 0 && len(fh.eventsOf("llm.image.completed")) > 0 &&
			len(fh.eventsOf("llm.ratelimit.exceeded")) > 0 && len(fh.eventsOf("llm.queue.status")) > 0
	})
	f := fh.eventsOf("llm.text.failed")[0]["data"].(map[string]any)
	if f["job_id"] != failedID || f["error_code"] != "QUOTA_EXCEEDED" || f["status"] != "failed" {
		t.Errorf("failed event data = %v", f)
	}
	im := fh.eventsOf("llm.image.completed")[0]["data"].(map[string]any)
	if im["image_id"] != imageID || !strings.Contains(im["url"].(string), "sig=") {
		t.Errorf("image event data = %v, want image_id and a signed url", im)
	}
	if strings.Contains(jsonString(fh.eventsOf("llm.image.completed")), "image_data") {
		t.Errorf("an image event carries image bytes")
	}
	rl := fh.eventsOf("llm.ratelimit.exceeded")
	if d := rl[0]["data"].(map[string]any); d["caller"] != "events-caller" || d["group"] != "text" {
		t.Errorf("rate limit event data = %v", d)
	}
	if len(rl) != 1 {
		t.Errorf("%d rate limit events, want 1 a minute", len(rl))
	}
	qs := fh.eventsOf("llm.queue.status")[0]["data"].(map[string]any)
	if qs["queue"] == nil || qs["queued"] == nil {
		t.Errorf("queue status data = %v", qs)
	}
}

func TestMessageHubCanceledAndRestart(t *testing.T) {
	t.Parallel()
	fh := newFakeHub(t)
	fh.setDown(true)
	_, prefix := redistest.New(t)
	env := func() map[string]string {
		return map[string]string{
			"MESSAGE_HUB_URL": fh.URL, "REDIS_URL": redistest.URL(), "REDIS_KEY_PREFIX": prefix,
			"TEXT_WORKERS": "0", "IMAGE_WORKERS": "0", "HUB_CLAIM_IDLE": "2s",
		}
	}
	a := startService(t, env())
	tok := servicetest.Token(t, "restart-caller")
	var ids []string
	for i := 0; i < 5; i++ {
		r := servicetest.Do(t, "POST", a.URL+"/api/v2/text/character", tok, fmt.Sprintf(`{"type":"combat","seed":%d}`, i), servicetest.Header("Prefer", "respond-async"))
		id := jobOf(t, r)["id"].(string)
		if d := servicetest.Do(t, "DELETE", a.URL+"/api/v2/queue/"+id, tok, ""); d.Status != 200 {
			t.Fatalf("cancel = %d %s", d.Status, d.Body)
		}
		ids = append(ids, id)
	}
	if err := a.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	// The hub comes back; a new process delivers what the old one left.
	fh.setDown(false)
	startService(t, env())
	servicetest.WaitFor(t, 60*time.Second, "an llm.text.canceled event per job", func() bool { return len(fh.eventsOf("llm.text.canceled")) >= len(ids) })
	seen := map[string]int{}
	for _, e := range fh.eventsOf("llm.text.canceled") {
		d := e["data"].(map[string]any)
		seen[d["job_id"].(string)]++
		if d["error_code"] != "JOB_CANCELED" {
			t.Errorf("canceled event data = %v", d)
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("job %s: %d canceled events, want 1", id, seen[id])
		}
	}
}
