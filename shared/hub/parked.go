package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// A parked event is one the hub refused with a 4xx that retrying cannot
// change (404: no events route; 422: an event type it does not know yet).
// The dispatcher moves it from its outbox stream to the outbox's parked
// stream, where it waits for an operator to re-send it (Parked.Redeliver)
// once the hub is fixed, or expires after ParkedTTL.

// MaxParkedBody caps the start of the hub's answer kept with a parked event.
const MaxParkedBody = 512

// DefaultParkedTTL is how long a parked event is kept by default.
const DefaultParkedTTL = 7 * 24 * time.Hour

// ServiceOutboxName names the outbox of the events tied to no job (rate
// limits, queue status); the other outboxes are named for their queue.
const ServiceOutboxName = "service"

// ServiceOutbox is the key of the outbox of events tied to no job.
func ServiceOutbox(prefix string) string { return "{" + prefix + "hub}:outbox" }

// OutboxStreams names every outbox stream of the service: the service
// outbox and each queue's.
func OutboxStreams[Q interface {
	Name() string
	OutboxStream() string
}](prefix string, queues []Q) map[string]string {
	out := map[string]string{ServiceOutboxName: ServiceOutbox(prefix)}
	for _, q := range queues {
		out[q.Name()] = q.OutboxStream()
	}
	return out
}

// ParkedStream is the key of the stream that holds the parked events of
// outbox: the outbox's key with ":parked" appended, so that it shares the
// outbox's hash tag and Redis Cluster slot, and one script moves an event
// between the two.
func ParkedStream(outbox string) string { return outbox + ":parked" }

// hasHashTag reports whether key names its Redis Cluster slot with a
// non-empty {tag}.
func hasHashTag(key string) bool {
	_, rest, ok := strings.Cut(key, "{")
	end := strings.IndexByte(rest, '}')
	return ok && end > 0
}

// Fields of a parked-stream entry, besides EntryField.
const (
	fieldStatus = "status" // the hub's HTTP status
	fieldBody   = "body"   // the start of its answer (safeBody)
	fieldTimes  = "n"      // how often the event was parked
	// fieldRedelivered marks an outbox entry re-sent from the parked
	// stream; its value is how often the event was parked. Such an entry
	// ages from when it was re-sent, not from its event's timestamp.
	fieldRedelivered = "r"
)

// parkScript moves one pending outbox entry to the parked stream, then
// trims the parked stream: entries parked longer than the TTL, and the
// oldest beyond the cap.
// KEYS: 1 outbox, 2 parked. ARGV: 1 group, 2 entry id, 3 event JSON,
// 4 status, 5 body, 6 times parked, 7 max length, 8 TTL ms.
// Returns {expired, trimmed}.
var parkScript = redis.NewScript(`
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d', now - tonumber(ARGV[8])))
redis.call('XADD', KEYS[2], '*', 'e', ARGV[3], 'status', ARGV[4], 'body', ARGV[5], 'n', ARGV[6])
local trimmed = redis.call('XTRIM', KEYS[2], 'MAXLEN', ARGV[7])
return {expired, trimmed}
`)

// expireScript deletes the entries of a parked stream older than the TTL
// and returns how many. KEYS: 1 parked. ARGV: 1 TTL ms.
var expireScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d', now - tonumber(ARGV[1])))
`)

// redeliverScript moves parked entries back to the end of their outbox,
// marked as re-sent, and returns how many it moved (an entry already gone
// is skipped, one without an event stays to expire). KEYS: 1 outbox, 2 parked. ARGV: 1 outbox max length,
// 2.. parked entry ids.
var redeliverScript = redis.NewScript(`
local moved = 0
for i = 2, #ARGV do
  local found = redis.call('XRANGE', KEYS[2], ARGV[i], ARGV[i])
  if #found == 1 then
    local f = found[1][2]
    local ev, times
    for j = 1, #f, 2 do
      if f[j] == 'e' then ev = f[j + 1] elseif f[j] == 'n' then times = f[j + 1] end
    end
    if ev then
      redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ev, 'r', times or '1')
      redis.call('XDEL', KEYS[2], ARGV[i])
      moved = moved + 1
    end
  end
end
return moved
`)

// ParkedEvent is one parked event, as listed.
type ParkedEvent struct {
	// Outbox names the outbox it came from: a queue, or "service".
	Outbox    string `json:"outbox"`
	EventID   string `json:"event_id"`
	EventType string `json:"event_type"`
	// Status and Body are the hub's answer: its HTTP status and the start
	// of its body.
	Status int    `json:"status"`
	Body   string `json:"body"`
	// ParkedAt is when it was (last) parked; Times how often it was.
	ParkedAt string `json:"parked_at"`
	Times    int    `json:"times_parked"`
	// Event is the event as it is posted again.
	Event json.RawMessage `json:"event"`

	entryID string
}

// ParkedPage is one page of parked events.
type ParkedPage struct {
	Events []ParkedEvent `json:"events"`
	// Total counts the parked events of every outbox, before any filter.
	Total int64 `json:"total"`
	// NextCursor fetches the next page; empty on the last one.
	NextCursor string `json:"next_cursor,omitempty"`
}

// Page sizes of Parked.List.
const (
	DefaultParkedLimit = 50
	MaxParkedLimit     = 500
)

// ParkedQuery selects parked events. Zero fields select everything.
type ParkedQuery struct {
	Outbox string // one outbox
	Status int    // one hub status
	Limit  int    // page size: DefaultParkedLimit when 0, at most MaxParkedLimit
	Cursor string // a previous page's NextCursor
}

// RedeliverRequest says which parked events to re-send: All, or those
// matching every given selector (IDs, Status, Outbox).
type RedeliverRequest struct {
	All    bool     `json:"all,omitempty"`
	IDs    []string `json:"ids,omitempty"` // event ids
	Status int      `json:"status,omitempty"`
	Outbox string   `json:"outbox,omitempty"`
}

// MaxRedeliverIDs caps RedeliverRequest.IDs.
const MaxRedeliverIDs = 1000

// Valid reports the problems with r, keyed by JSON field name.
func (r RedeliverRequest) Valid(context.Context) map[string]string {
	problems := map[string]string{}
	switch {
	case r.All && (len(r.IDs) > 0 || r.Status != 0):
		problems["all"] = "cannot be combined with ids or status"
	case !r.All && len(r.IDs) == 0 && r.Status == 0 && r.Outbox == "":
		problems["all"] = "must be true when no ids, status or outbox is given"
	}
	if len(r.IDs) > MaxRedeliverIDs {
		problems["ids"] = fmt.Sprintf("must list at most %d ids", MaxRedeliverIDs)
	}
	for _, id := range r.IDs {
		if id == "" || len(id) > MaxCorrelationIDLen {
			problems["ids"] = fmt.Sprintf("must be non-empty event ids of at most %d bytes", MaxCorrelationIDLen)
			break
		}
	}
	if r.Status != 0 && (r.Status < 400 || r.Status > 499) {
		problems["status"] = "must be a 4xx status"
	}
	return problems
}

// RedeliverResult says what Redeliver did.
type RedeliverResult struct {
	// Redelivered counts the events put back in their outbox.
	Redelivered int `json:"redelivered"`
	// Missing lists the ids asked for that no parked event has.
	Missing []string `json:"missing"`
}

// ErrUnknownOutbox is returned for an outbox the service does not have.
var ErrUnknownOutbox = errors.New("unknown outbox")

// ErrBadCursor is returned for a cursor no page gave.
var ErrBadCursor = errors.New("invalid cursor")

// Parked lists and re-sends the parked events of the service's outboxes.
type Parked struct {
	rdb     redis.UniversalClient
	names   []string          // sorted
	streams map[string]string // name -> outbox stream
	maxLen  int64
}

// NewParked returns the parked events of outboxes (name -> outbox stream,
// see OutboxStreams). A re-sent event joins its outbox trimmed to about
// maxLen entries (DefaultMaxLen when <= 0).
func NewParked(rdb redis.UniversalClient, outboxes map[string]string, maxLen int64) *Parked {
	if maxLen <= 0 {
		maxLen = DefaultMaxLen
	}
	return &Parked{rdb: rdb, names: slices.Sorted(maps.Keys(outboxes)), streams: maps.Clone(outboxes), maxLen: maxLen}
}

// Outboxes returns the outbox names, sorted.
func (p *Parked) Outboxes() []string { return slices.Clone(p.names) }

// selected returns the outboxes to look at: name, or all when "".
func (p *Parked) selected(name string) ([]string, error) {
	if name == "" {
		return p.names, nil
	}
	if _, ok := p.streams[name]; !ok {
		return nil, fmt.Errorf("%w %q; one of %s", ErrUnknownOutbox, name, strings.Join(p.names, ", "))
	}
	return []string{name}, nil
}

// scanBatch is how many entries one XRANGE of a parked stream reads.
const scanBatch = 200

// List returns one page of parked events, oldest first within each
// outbox, the outboxes in name order.
func (p *Parked) List(ctx context.Context, q ParkedQuery) (ParkedPage, error) {
	page := ParkedPage{Events: []ParkedEvent{}}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultParkedLimit
	}
	limit = min(limit, MaxParkedLimit)
	names, err := p.selected(q.Outbox)
	if err != nil {
		return page, err
	}
	fromName, fromID, err := parseCursor(q.Cursor)
	if err != nil {
		return page, err
	}
	for _, name := range names {
		if fromName != "" && name < fromName {
			continue
		}
		start := "-"
		if name == fromName {
			start = "(" + fromID
		}
		err := p.scan(ctx, name, start, "+", func(ev ParkedEvent) bool {
			if q.Status != 0 && ev.Status != q.Status {
				return true
			}
			page.Events = append(page.Events, ev)
			return len(page.Events) <= limit
		})
		if err != nil {
			return page, err
		}
		if len(page.Events) > limit {
			break
		}
	}
	if len(page.Events) > limit {
		page.Events = page.Events[:limit]
		last := page.Events[limit-1]
		page.NextCursor = last.Outbox + "/" + last.entryID
	}
	page.Total, err = p.total(ctx)
	return page, err
}

func parseCursor(c string) (name, id string, err error) {
	if c == "" {
		return "", "", nil
	}
	name, id, ok := strings.Cut(c, "/")
	if _, _, valid := parseID(id); !ok || name == "" || !valid {
		return "", "", fmt.Errorf("%w %q", ErrBadCursor, truncate(c, 80))
	}
	return name, id, nil
}

// total counts the parked events of every outbox.
func (p *Parked) total(ctx context.Context) (int64, error) {
	var n int64
	for _, name := range p.names {
		l, err := p.rdb.XLen(ctx, ParkedStream(p.streams[name])).Result()
		if err != nil {
			return 0, fmt.Errorf("count parked events: %w", err)
		}
		n += l
	}
	return n, nil
}

// scan calls fn with each parked event of outbox name between start and
// end (XRANGE bounds), in order, until fn returns false.
func (p *Parked) scan(ctx context.Context, name, start, end string, fn func(ParkedEvent) bool) error {
	stream := ParkedStream(p.streams[name])
	for {
		msgs, err := p.rdb.XRangeN(ctx, stream, start, end, scanBatch).Result()
		if err != nil {
			return fmt.Errorf("read parked events of %s: %w", name, err)
		}
		for _, m := range msgs {
			if !fn(decodeParked(name, m)) {
				return nil
			}
		}
		if len(msgs) < scanBatch {
			return nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

// decodeParked reads one parked-stream entry. An entry whose event cannot
// be read is still listed, so that it can be seen and expires like the
// others.
func decodeParked(outbox string, m redis.XMessage) ParkedEvent {
	str := func(k string) string { s, _ := m.Values[k].(string); return s }
	ev := ParkedEvent{Outbox: outbox, Body: str(fieldBody), entryID: m.ID, Times: 1}
	ev.Status, _ = strconv.Atoi(str(fieldStatus))
	if n, err := strconv.Atoi(str(fieldTimes)); err == nil && n > 0 {
		ev.Times = n
	}
	ms, _, _ := parseID(m.ID)
	ev.ParkedAt = FormatTime(time.UnixMilli(int64(ms)))
	if e, raw, err := decodeEntry(m.Values); err == nil {
		ev.EventID, ev.EventType, ev.Event = e.Metadata.EventID, e.EventType, raw
	} else {
		ev.Event = json.RawMessage("null")
	}
	return ev
}

// Redeliver puts the selected parked events back at the end of their
// outbox, where the dispatcher posts them again. Events parked while it
// runs are not included.
func (p *Parked) Redeliver(ctx context.Context, r RedeliverRequest) (RedeliverResult, error) {
	res := RedeliverResult{Missing: []string{}}
	names, err := p.selected(r.Outbox)
	if err != nil {
		return res, err
	}
	wanted := map[string]bool{}
	for _, id := range r.IDs {
		wanted[id] = false
	}
	for _, name := range names {
		n, err := p.redeliverFrom(ctx, name, r, wanted)
		res.Redelivered += n
		if err != nil {
			return res, err
		}
	}
	for _, id := range r.IDs {
		if !wanted[id] && !slices.Contains(res.Missing, id) {
			res.Missing = append(res.Missing, id)
		}
	}
	return res, nil
}

// redeliverFrom re-sends the selected events of one outbox, in batches,
// up to the last entry parked when it started. wanted holds the ids asked
// for (none: any); it marks those found.
func (p *Parked) redeliverFrom(ctx context.Context, name string, r RedeliverRequest, wanted map[string]bool) (int, error) {
	outbox := p.streams[name]
	stream := ParkedStream(outbox)
	last, err := p.rdb.XRevRangeN(ctx, stream, "+", "-", 1).Result()
	if err != nil {
		return 0, fmt.Errorf("redeliver parked events of %s: %w", name, err)
	}
	if len(last) == 0 {
		return 0, nil
	}
	moved := 0
	var batch []any
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := redeliverScript.Run(ctx, p.rdb, []string{outbox, stream}, append([]any{p.maxLen}, batch...)...).Int()
		moved += n
		batch = batch[:0]
		if err != nil {
			return fmt.Errorf("redeliver parked events of %s: %w", name, err)
		}
		return nil
	}
	var sendErr error
	err = p.scan(ctx, name, "-", last[0].ID, func(ev ParkedEvent) bool {
		if r.Status != 0 && ev.Status != r.Status {
			return true
		}
		if len(wanted) > 0 {
			if _, ok := wanted[ev.EventID]; !ok {
				return true
			}
			wanted[ev.EventID] = true
		}
		batch = append(batch, ev.entryID)
		if len(batch) == scanBatch {
			sendErr = send()
		}
		return sendErr == nil
	})
	if err == nil {
		err = sendErr
	}
	if err == nil {
		err = send()
	}
	return moved, err
}
