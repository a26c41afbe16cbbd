package hub

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/name.golden, rewriting it with -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read golden (run with -update to create): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		tb.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func indent(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return append(b, '\n')
}

var testTime = time.Date(2026, 3, 4, 5, 6, 7, 891_234_567, time.FixedZone("CET", 3600))

func TestFormatTime(t *testing.T) {
	t.Parallel()
	if got, want := FormatTime(testTime), "2026-03-04T04:06:07.891Z"; got != want {
		t.Errorf("FormatTime(%v) = %q, want %q", testTime, got, want)
	}
}

func TestWireGolden(t *testing.T) {
	t.Parallel()
	ev := Event{
		EventType:     "llm.job.completed",
		SourceService: "llm-service",
		Data:          map[string]any{"job_id": "j-1", "queue": "text", "tokens": 812},
		Metadata:      Metadata{EventID: "0b0c2f7e-2d9a-4b1e-9a39-6c7b8a2f1e10", Timestamp: FormatTime(testTime), RequestID: "req-7"},
		CorrelationID: "corr-1",
		CausationID:   "cause-1",
	}
	entry, err := EncodeEntry(ev)
	if err != nil {
		t.Fatalf("EncodeEntry: %v", err)
	}
	cases := []struct {
		name string
		v    any
	}{
		{"registration", Registration{Name: "llm-service", URL: "http://llm:8080", HealthCheck: "http://llm:8080/health", Version: "2.0.0", Capabilities: []string{"generate_text", "generate_image"}}},
		{"event", ev},
		{"event_with_destination", func() Event {
			e := ev
			e.Metadata.Destination = "character-service"
			e.StreamID = "job-j-1"
			return e
		}()},
		{"reply_success", Reply{CorrelationID: "c-1", Status: StatusSuccess, Data: map[string]string{"content": "A tale"}, Timestamp: FormatTime(testTime)}},
		{"reply_error", Reply{CorrelationID: "c-2", Status: StatusError, Error: &ReplyError{Code: "INVALID_PROMPT", Message: "prompt is required"}, Timestamp: FormatTime(testTime)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, indent(t, tc.v))
		})
	}
	t.Run("outbox_entry", func(t *testing.T) {
		golden(t, "outbox_entry", []byte(entry+"\n"))
	})
}

func TestNewEvent(t *testing.T) {
	t.Parallel()
	a := NewEvent(testTime, "llm.queue.status", "llm-service", nil)
	b := NewEvent(testTime, "llm.queue.status", "llm-service", nil)
	if a.Metadata.EventID == "" || a.Metadata.EventID == b.Metadata.EventID {
		t.Errorf("NewEvent event ids = %q, %q, want distinct non-empty ids", a.Metadata.EventID, b.Metadata.EventID)
	}
	if got, want := a.Metadata.Timestamp, FormatTime(testTime); got != want {
		t.Errorf("NewEvent timestamp = %q, want %q", got, want)
	}
	if a.Data == nil {
		t.Errorf("NewEvent data = nil, want an empty map")
	}
}

func TestEncodeEntry(t *testing.T) {
	t.Parallel()
	good := NewEvent(testTime, "llm.job.completed", "llm-service", map[string]any{"job_id": "j-1"})
	cases := []struct {
		name    string
		mutate  func(*Event)
		wantErr string
	}{
		{"complete", func(*Event) {}, ""},
		{"nil data", func(e *Event) { e.Data = nil }, ""},
		{"no event type", func(e *Event) { e.EventType = "" }, "event_type"},
		{"no source", func(e *Event) { e.SourceService = "" }, "source_service"},
		{"no event id", func(e *Event) { e.Metadata.EventID = "" }, "event_id"},
		{"no timestamp", func(e *Event) { e.Metadata.Timestamp = "" }, "timestamp"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := good
			tc.mutate(&ev)
			got, err := EncodeEntry(ev)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("EncodeEntry() error = %v, want one naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("EncodeEntry() error = %v", err)
			}
			back, raw, err := decodeEntry(map[string]any{EntryField: got})
			if err != nil {
				t.Fatalf("decodeEntry(EncodeEntry()) error = %v", err)
			}
			if string(raw) != got {
				t.Errorf("decodeEntry() JSON = %s, want the entry unchanged %s", raw, got)
			}
			if ev.Data == nil {
				ev.Data = map[string]any{}
			}
			if diff := cmp.Diff(ev, back); diff != "" {
				t.Errorf("decodeEntry(EncodeEntry()) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEnvelopeValid(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name string
		json string
		want []string // fields with problems
	}{
		{"generate_text", `{"source":"character-service","destination":"llm-service","message_type":"generate_text","correlation_id":"c-1","payload":{"prompt":"a dwarf","context":{},"model":"gpt-4o-mini"},"timestamp":"2026-03-04T04:06:07.891Z","reply_to":"character-service"}`, nil},
		{"generate_image minimal", `{"message_type":"generate_image","payload":{"prompt":"a castle","style":"oil"}}`, nil},
		{"empty payload object", `{"message_type":"ping","payload":{}}`, nil},
		{"payload with spaces", `{"message_type":"ping","payload":  {"a":1}}`, nil},
		{"missing message_type", `{"payload":{}}`, []string{"message_type"}},
		{"blank message_type", `{"message_type":"  ","payload":{}}`, []string{"message_type"}},
		{"missing payload", `{"message_type":"generate_text"}`, []string{"payload"}},
		{"null payload", `{"message_type":"generate_text","payload":null}`, []string{"payload"}},
		{"array payload", `{"message_type":"generate_text","payload":[1,2]}`, []string{"payload"}},
		{"string payload", `{"message_type":"generate_text","payload":"{\"prompt\":1}"}`, []string{"payload"}},
		{"correlation id at cap", `{"message_type":"t","payload":{},"correlation_id":"` + long(200) + `"}`, nil},
		{"correlation id too long", `{"message_type":"t","payload":{},"correlation_id":"` + long(201) + `"}`, []string{"correlation_id"}},
		{"message_type too long", `{"message_type":"` + long(101) + `","payload":{}}`, []string{"message_type"}},
		{"source too long", `{"message_type":"t","payload":{},"source":"` + long(101) + `"}`, []string{"source"}},
		{"destination too long", `{"message_type":"t","payload":{},"destination":"` + long(101) + `"}`, []string{"destination"}},
		{"reply_to too long", `{"message_type":"t","payload":{},"reply_to":"` + long(501) + `"}`, []string{"reply_to"}},
		{"bad timestamp", `{"message_type":"t","payload":{},"timestamp":"yesterday"}`, []string{"timestamp"}},
		{"timestamp too long", `{"message_type":"t","payload":{},"timestamp":"` + long(65) + `"}`, []string{"timestamp"}},
		{"payload too large", `{"message_type":"t","payload":{"p":"` + long(MaxPayloadLen) + `"}}`, []string{"payload"}},
		{"everything wrong", `{"payload":[],"correlation_id":"` + long(300) + `"}`, []string{"correlation_id", "message_type", "payload"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e Envelope
			if err := json.Unmarshal([]byte(tc.json), &e); err != nil {
				t.Fatalf("decode: %v", err)
			}
			var got []string
			for k := range e.Valid(context.Background()) {
				got = append(got, k)
			}
			if diff := cmp.Diff(tc.want, got, sortStrings); diff != "" {
				t.Errorf("Valid() fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEnvelopeValidConstructed(t *testing.T) {
	t.Parallel()
	e := Envelope{MessageType: "t", Payload: json.RawMessage(`{"a":`)}
	if p := e.Valid(context.Background()); p["payload"] == "" {
		t.Errorf("Valid(truncated payload) = %v, want a payload problem", p)
	}
}

func FuzzEnvelope(f *testing.F) {
	f.Add([]byte(`{"message_type":"generate_text","payload":{"prompt":"a dwarf"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Envelope
		if json.Unmarshal(data, &e) != nil {
			return
		}
		problems := e.Valid(context.Background())
		if len(problems) > 0 {
			return
		}
		// Accepted envelopes keep the promises handlers rely on.
		var payload map[string]any
		if err := json.Unmarshal(e.Payload, &payload); err != nil || payload == nil {
			t.Errorf("Valid accepted payload %q that is not a JSON object", e.Payload)
		}
		if strings.TrimSpace(e.MessageType) == "" || len(e.MessageType) > MaxNameLen || len(e.CorrelationID) > MaxCorrelationIDLen {
			t.Errorf("Valid accepted %+v", e)
		}
	})
}
