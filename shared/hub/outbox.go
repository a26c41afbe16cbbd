package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/tracing"
)

// EntryField is the single field of an outbox stream entry. Its value is the
// Event JSON produced by EncodeEntry. Anything that writes to an outbox
// stream, such as the job-completion Lua script, follows this contract:
//
//	XADD <stream> MAXLEN ~ <maxLen> * e <EncodeEntry(event)>
const EntryField = "e"

// DefaultMaxLen caps an outbox stream when NewOutbox is given maxLen <= 0.
// With approximate trimming Redis may keep somewhat more.
const DefaultMaxLen = 10000

// EncodeEntry returns the outbox entry value for ev: its JSON. The event
// must carry an event type, a source service, Metadata.EventID (the
// idempotency key, stable across retries) and Metadata.Timestamp; NewEvent
// sets the last two. An empty correlation id is sent as the event id.
func EncodeEntry(ev Event) (string, error) {
	switch {
	case ev.EventType == "":
		return "", errors.New("encode outbox entry: event_type is empty")
	case ev.SourceService == "":
		return "", errors.New("encode outbox entry: source_service is empty")
	case ev.Metadata.EventID == "":
		return "", errors.New("encode outbox entry: metadata.event_id is empty")
	case ev.Metadata.Timestamp == "":
		return "", errors.New("encode outbox entry: metadata.timestamp is empty")
	}
	b, err := json.Marshal(ev.withDefaults())
	if err != nil {
		return "", fmt.Errorf("encode outbox entry %s: %w", ev.Metadata.EventID, err)
	}
	return string(b), nil
}

// decodeEntry reads the event of one stream entry and returns it with its
// JSON, which is what gets posted, unchanged.
func decodeEntry(values map[string]any) (Event, json.RawMessage, error) {
	raw, ok := values[EntryField].(string)
	if !ok {
		return Event{}, nil, fmt.Errorf("outbox entry has no %q field", EntryField)
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber() // keep large integers exact
	var ev Event
	if err := dec.Decode(&ev); err != nil {
		return Event{}, nil, fmt.Errorf("decode outbox entry: %w", err)
	}
	if dec.More() {
		return Event{}, nil, errors.New("decode outbox entry: trailing data after the event")
	}
	if ev.EventType == "" || ev.Metadata.EventID == "" {
		return Event{}, nil, errors.New("decode outbox entry: event_type or metadata.event_id is empty")
	}
	return ev, json.RawMessage(raw), nil
}

// Outbox appends events to one outbox stream. Events that finish a job are
// written by the job's own Lua script into the queue's outbox stream; Outbox
// is for events tied to no job (queue status, rate limit exceeded).
type Outbox struct {
	rdb    redis.UniversalClient
	stream string
	maxLen int64
}

// NewOutbox returns an outbox writing to stream, trimmed to about maxLen
// entries (DefaultMaxLen when <= 0) so a long hub outage cannot grow it
// without bound.
func NewOutbox(rdb redis.UniversalClient, stream string, maxLen int64) *Outbox {
	if maxLen <= 0 {
		maxLen = DefaultMaxLen
	}
	return &Outbox{rdb: rdb, stream: stream, maxLen: maxLen}
}

// Stream returns the key of the outbox stream.
func (o *Outbox) Stream() string { return o.stream }

// Add appends ev (XADD with MAXLEN ~ maxLen). A Dispatcher delivers it.
// An event without a traceparent gets the one of the span in ctx, if any.
func (o *Outbox) Add(ctx context.Context, ev Event) error {
	if ev.Metadata.Traceparent == "" {
		ev.Metadata.Traceparent = tracing.Traceparent(ctx)
	}
	v, err := EncodeEntry(ev)
	if err != nil {
		return fmt.Errorf("outbox add: %w", err)
	}
	err = o.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: o.stream,
		MaxLen: o.maxLen,
		Approx: true,
		Values: []any{EntryField, v},
	}).Err()
	if err != nil {
		return fmt.Errorf("outbox add %s: %w", ev.Metadata.EventID, err)
	}
	return nil
}
