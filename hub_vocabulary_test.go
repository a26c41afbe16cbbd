package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/hub"
)

// utcnow is a timestamp as Python's datetime.utcnow().isoformat() writes
// it: no zone, microseconds.
const utcnow = "2026-12-05T16:47:12.350854"

// TestMessageHubVocabulary walks the table of message types the groups
// declare: the service registers exactly its names (types and aliases) as
// capabilities, the inbound route accepts each name with the message's
// payload and makes the same kind of job for every name of a message, an
// alias that is a job kind makes that kind, and the README lists them.
func TestMessageHubVocabulary(t *testing.T) {
	t.Parallel()
	messages := apptest.New(t, nil).Messages()
	var names []string
	for _, m := range messages {
		names = append(names, m.Names()...)
	}
	fh := newFakeHub(t)
	s := startService(t, map[string]string{"MESSAGE_HUB_URL": fh.URL, "HUB_SERVICE_KEY": "hub-service-key-vocab"})
	owner := servicetest.Token(t, "vocabulary-service")

	servicetest.WaitFor(t, 15*time.Second, "a registration", func() bool { return fh.registered() > 0 })
	fh.mu.Lock()
	caps, _ := fh.registrations[0]["capabilities"].([]any)
	fh.mu.Unlock()
	var registered []string
	for _, c := range caps {
		registered = append(registered, c.(string))
	}
	if diff := servicetest.DiffSorted(names, registered); diff != "" {
		t.Errorf("capabilities = %v, want exactly the accepted names %v: %s", registered, names, diff)
	}

	post := func(name string, payload []byte) servicetest.Response {
		t.Helper()
		env, _ := json.Marshal(hub.Envelope{
			Source: "vocabulary-service", Destination: "llm-service", MessageType: name, CorrelationID: "vocab-" + name,
			Payload: payload, Timestamp: utcnow, ReplyTo: "vocabulary-service",
		})
		return servicetest.Do(t, "POST", s.URL+"/api/v2/hub/messages", "", string(env), servicetest.Header("X-Service-Key", "hub-service-key-vocab"))
	}
	for _, m := range messages {
		payload, err := json.Marshal(m.Payload)
		if err != nil {
			t.Fatalf("%s: example payload: %v", m.Type, err)
		}
		kinds := map[string]string{}
		for _, name := range m.Names() {
			r := post(name, payload)
			reply := r.JSON(t)
			if r.Status != 202 || reply["status"] != "accepted" || reply["correlation_id"] != "vocab-"+name {
				t.Errorf("%s: answer %d %s, want 202 accepted with its correlation id", name, r.Status, r.Body)
				continue
			}
			if ts, _ := reply["timestamp"].(string); !strings.HasSuffix(ts, "Z") {
				t.Errorf("%s: reply timestamp %q, want UTC with Z", name, ts)
			}
			id := reply["data"].(map[string]any)["job_id"].(string)
			job := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/"+id, owner, "").JSON(t)
			kinds[name] = job["kind"].(string)
			if strings.Contains(name, ".") && kinds[name] != name {
				t.Errorf("message %s made a %s job, want %s", name, kinds[name], name)
			}
		}
		for _, name := range m.Names() {
			if kinds[name] != kinds[m.Type] {
				t.Errorf("%s made a %q job and %s a %q one, want the same", name, kinds[name], m.Type, kinds[m.Type])
			}
		}
	}

	r := post("summon_dragon", []byte(`{}`))
	problem := r.JSON(t)["error"].(map[string]any)["message"].(string)
	for _, name := range names {
		if !strings.Contains(problem, name) {
			t.Errorf("unknown type answer %q does not list %s", problem, name)
		}
	}

	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)[strings.Index(string(readme), "## Message Hub"):]
	section = section[:strings.Index(section, "\n## ")]
	for _, name := range names {
		if !strings.Contains(section, "`"+name+"`") {
			t.Errorf("the README's Message Hub section does not list %s", name)
		}
	}
}
