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
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{testTime, "2026-03-04T04:06:07.891Z"},
		{time.Date(2026, 12, 5, 16, 47, 12, 0, time.UTC), "2026-12-05T16:47:12.000Z"},
		{time.Date(2026, 12, 5, 11, 47, 12, 350_854_000, time.FixedZone("EST", -5*3600)), "2026-12-05T16:47:12.350Z"},
	} {
		if got := FormatTime(tc.in); got != tc.want {
			t.Errorf("FormatTime(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestParseTime: lenient on the way in; a time without a zone is UTC.
func TestParseTime(t *testing.T) {
	t.Parallel()
	at := func(ns int) time.Time { return time.Date(2026, 12, 5, 16, 47, 12, ns, time.UTC) }
	cases := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"2026-12-05T16:47:12.350854", at(350_854_000), false}, // datetime.utcnow().isoformat()
		{"2026-12-05T16:47:12", at(0), false},                  // isoformat() without microseconds
		{"2026-12-05 16:47:12.350854", at(350_854_000), false}, // str(datetime)
		{"2026-12-05T16:47:12.3", at(300_000_000), false},
		{"2026-12-05T16:47:12.350854123", at(350_854_123), false},
		{"2026-12-05T16:47:12.350Z", at(350_000_000), false},
		{"2026-12-05T16:47:12.350854+00:00", at(350_854_000), false}, // datetime.now(timezone.utc).isoformat()
		{"2026-12-05T17:47:12.5+01:00", at(500_000_000), false},
		{"2026-12-05T16:47:12Z", at(0), false},
		{"yesterday", time.Time{}, true},
		{"2026-12-05", time.Time{}, true},
		{"2026-12-05T16:47", time.Time{}, true},
		{"", time.Time{}, true},
	}
	for _, tc := range cases {
		got, err := ParseTime(tc.in)
		if (err != nil) != tc.wantErr || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
		if err == nil && got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) location = %v, want UTC", tc.in, got.Location())
		}
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
	if a.CorrelationID != a.Metadata.EventID {
		t.Errorf("NewEvent correlation id = %q, want the event id %q", a.CorrelationID, a.Metadata.EventID)
	}
	if !strings.HasSuffix(a.Metadata.Timestamp, "Z") {
		t.Errorf("NewEvent timestamp = %q, want it in UTC with Z", a.Metadata.Timestamp)
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
		{"no correlation id", func(e *Event) { e.CorrelationID = "" }, ""},
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
			if ev.CorrelationID == "" {
				ev.CorrelationID = ev.Metadata.EventID // never sent empty
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
		{"utcnow timestamp", `{"message_type":"t","payload":{},"timestamp":"2026-12-05T16:47:12.350854"}`, nil},
		{"offset timestamp", `{"message_type":"t","payload":{},"timestamp":"2026-12-05T16:47:12.350854+00:00"}`, nil},
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
