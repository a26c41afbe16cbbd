// Package hub speaks to the Message Hub: it registers the service, delivers
// durable events through a Redis-stream outbox, and defines the envelopes the
// hub sends us.
//
// Routes (see the hub's API):
//
//	POST {hub}/v1/services/register   Registration -> {"status":"registered"}
//	POST {hub}/api/v1/events          Event (header Idempotency-Key: event id)
//	POST {hub}/v1/messages/send       Envelope -> Reply
//	GET  {hub}/health
package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// TimeFormat is the layout of every timestamp the service sends: RFC 3339
// with milliseconds, always in UTC with a literal Z.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// FormatTime renders t in TimeFormat, in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// zoneless are the layouts of a time without a zone that ParseTime takes
// as UTC: Python's datetime.utcnow().isoformat() and str(datetime). A
// fractional second of any length is accepted after the seconds.
var zoneless = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05"}

// ParseTime reads a timestamp sent to the service: RFC 3339 (any zone,
// any number of fractional digits), or the same without a zone, which is
// taken as UTC ("2026-12-05T16:47:12.350854"). The result is in UTC.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t.UTC(), nil
	}
	for _, layout := range zoneless {
		if t, zerr := time.ParseInLocation(layout, s, time.UTC); zerr == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("parse time %q: want RFC 3339, or a time without a zone taken as UTC", truncate(s, MaxTimestampLen))
}

// EventRateLimitExceeded is the event emitted (through Throttle) when a
// caller runs into a rate limit.
const EventRateLimitExceeded = "llm.ratelimit.exceeded"

// Registration is the body of POST /v1/services/register.
type Registration struct {
	Name         string   `json:"name"`
	URL          string   `json:"url"`
	HealthCheck  string   `json:"health_check"`
	Version      string   `json:"version"`
	Capabilities []string `json:"capabilities"`
}

// Event is the body of POST /api/v1/events, and the value stored in an
// outbox stream entry (see EntryField).
type Event struct {
	EventType     string         `json:"event_type"`
	SourceService string         `json:"source_service"`
	Data          map[string]any `json:"data"`
	Metadata      Metadata       `json:"metadata"`
	CorrelationID string         `json:"correlation_id"`
	CausationID   string         `json:"causation_id"`
	// StreamID names the hub's event-store stream (aggregate) the event
	// belongs to. It is unrelated to the Redis stream entry id.
	StreamID string `json:"stream_id,omitempty"`
}

// Metadata identifies one event. EventID is the idempotency key: it is set
// once when the event is created and never changes across retries.
type Metadata struct {
	EventID     string `json:"event_id"`
	Timestamp   string `json:"timestamp"` // TimeFormat, UTC
	RequestID   string `json:"request_id"`
	Destination string `json:"destination,omitempty"`
	// Traceparent is the W3C trace context of the work that produced the
	// event, so the hub's handling can join its trace.
	Traceparent string `json:"traceparent,omitempty"`
}

// NewEvent returns an event with a fresh EventID and Timestamp set from now.
// Data is never nil, so it encodes as an object; the correlation id is the
// event id until the caller sets another.
func NewEvent(now time.Time, eventType, source string, data map[string]any) Event {
	id := uuid.NewString()
	return Event{
		EventType:     eventType,
		SourceService: source,
		Data:          data,
		Metadata: Metadata{
			EventID:   id,
			Timestamp: FormatTime(now),
		},
		CorrelationID: id,
	}.withDefaults()
}

// withDefaults fills what an event must never send empty: Data is an
// object, and the correlation id is the event id when none was given.
func (ev Event) withDefaults() Event {
	if ev.Data == nil {
		ev.Data = map[string]any{}
	}
	if ev.CorrelationID == "" {
		ev.CorrelationID = ev.Metadata.EventID
	}
	return ev
}

// Envelope is a request the hub delivers to us (POST /v1/messages/send on
// the hub's side). Older clients send message types "generate_text"
// (payload prompt, context, model) and "generate_image" (payload prompt,
// style).
type Envelope struct {
	Source        string          `json:"source"`
	Destination   string          `json:"destination"`
	MessageType   string          `json:"message_type"`
	CorrelationID string          `json:"correlation_id"`
	Payload       json.RawMessage `json:"payload"`
	// Timestamp is read by ParseTime: a time without a zone is UTC.
	Timestamp string `json:"timestamp"`
	ReplyTo   string `json:"reply_to"`
}

// Length caps (in bytes) enforced by Envelope.Valid.
const (
	MaxNameLen          = 100     // source, destination, message_type
	MaxCorrelationIDLen = 200     // correlation_id
	MaxReplyToLen       = 500     // reply_to (a service name or URL)
	MaxTimestampLen     = 64      // timestamp
	MaxPayloadLen       = 1 << 20 // payload
)

// Valid reports the problems with e, keyed by JSON field name. An empty map
// means the envelope is acceptable.
func (e Envelope) Valid(ctx context.Context) map[string]string {
	problems := map[string]string{}
	capLen := func(field, v string, limit int) {
		if len(v) > limit {
			problems[field] = fmt.Sprintf("must be at most %d bytes", limit)
		}
	}
	if strings.TrimSpace(e.MessageType) == "" {
		problems["message_type"] = "is required"
	}
	capLen("message_type", e.MessageType, MaxNameLen)
	capLen("source", e.Source, MaxNameLen)
	capLen("destination", e.Destination, MaxNameLen)
	capLen("correlation_id", e.CorrelationID, MaxCorrelationIDLen)
	capLen("reply_to", e.ReplyTo, MaxReplyToLen)
	capLen("timestamp", e.Timestamp, MaxTimestampLen)
	if _, bad := problems["timestamp"]; !bad && e.Timestamp != "" {
		if _, err := ParseTime(e.Timestamp); err != nil {
			problems["timestamp"] = "must be an RFC 3339 time, or one without a zone (taken as UTC)"
		}
	}
	switch {
	case len(e.Payload) > MaxPayloadLen:
		problems["payload"] = fmt.Sprintf("must be at most %d bytes", MaxPayloadLen)
	case !isJSONObject(e.Payload):
		problems["payload"] = "must be a JSON object"
	}
	return problems
}

// isJSONObject reports whether raw is one valid JSON object.
func isJSONObject(raw json.RawMessage) bool {
	s := strings.TrimLeft(string(raw), " \t\r\n")
	return strings.HasPrefix(s, "{") && json.Valid(raw)
}

// Reply statuses.
const (
	StatusSuccess = "success"
	StatusError   = "error"
)

// Reply answers an Envelope. Error is null on the wire when nil.
type Reply struct {
	CorrelationID string      `json:"correlation_id"`
	Status        string      `json:"status"`
	Data          any         `json:"data"`
	Error         *ReplyError `json:"error"`
	Timestamp     string      `json:"timestamp"`
}

// ReplyError is the error part of a failed Reply. Message is safe to show.
type ReplyError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
