package queue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/hub"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// Seeds live in testdata/fuzz/<target>; the default test run replays them.

// FuzzPrioritizeRequest checks that any body either decodes into a request
// naming a job id of sane length and a known priority, or is a 4xx problem
// naming its fields.
func FuzzPrioritizeRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/v2/queue/prioritize", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Body = http.MaxBytesReader(nil, r.Body, MaxBody)
		req, err := httpapi.Decode[PrioritizeRequest](r)
		if err != nil {
			var p *httpapi.Problem
			if !errors.As(err, &p) || p.Status < 400 || p.Status >= 500 {
				t.Fatalf("Decode(%q) error = %v, want a 4xx problem", body, err)
			}
			for _, fe := range p.Errors {
				if fe.Field == "" || fe.Message == "" {
					t.Fatalf("empty field error %+v", fe)
				}
			}
			return
		}
		if req.JobID == "" || len(req.JobID) > 100 {
			t.Fatalf("accepted job id of %d bytes", len(req.JobID))
		}
		if _, ok := queue.ParsePriority(req.Priority); !ok || req.Priority == "" {
			t.Fatalf("accepted priority %q", req.Priority)
		}
	})
}

// hubKey is the service key of the fuzzed hub route.
const hubKey = "fuzz-hub-service-key"

// FuzzHubMessage posts any body to the Message Hub route with a valid
// service key. The route always answers in the hub's reply shape with a
// 4xx and status "rejected" (its builder refuses every payload here, so
// nothing is queued), and never fails.
func FuzzHubMessage(f *testing.F) {
	refuse := func(_ context.Context, payload json.RawMessage) (submit.Request, error) {
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			return submit.Request{}, httpapi.Invalid(map[string]string{"payload": "must be an object"})
		}
		return submit.Request{}, httpapi.Invalid(map[string]string{"payload.prompt": "is refused by this test"})
	}
	msgs := &group.Messages{}
	for _, typ := range []string{"generate_text", "portrait"} {
		if err := msgs.Add(group.Message{Type: typ, Build: refuse}); err != nil {
			f.Fatal(err)
		}
	}
	route := HubConfig{
		Verifier: auth.NewVerifier(strings.Repeat("k", 64), ""), ServiceKey: hubKey,
		Messages: msgs, Logger: slog.New(slog.DiscardHandler),
	}.Route()
	mux := http.NewServeMux()
	mux.Handle(route.Pattern(), route.Handle(nil))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/v2/hub/messages", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Service-Key", hubKey)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code < 400 || w.Code >= 500 {
			t.Fatalf("POST %q = %d %s, want a 4xx", body, w.Code, w.Body)
		}
		var reply hub.Reply
		if err := json.Unmarshal(w.Body.Bytes(), &reply); err != nil {
			t.Fatalf("reply %s is not the hub's shape: %v", w.Body, err)
		}
		if reply.Status != "rejected" || reply.Error == nil || reply.Error.Code == "" || reply.Error.Message == "" || reply.Timestamp == "" {
			t.Fatalf("reply = %+v, want rejected with a code and message", reply)
		}
	})
}
