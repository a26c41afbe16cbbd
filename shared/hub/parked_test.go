package hub

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// clock is a settable time for DispatcherConfig.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// parkedOf lists every parked event of p, through every page.
func parkedOf(tb testing.TB, p *Parked, q ParkedQuery) []ParkedEvent {
	tb.Helper()
	var out []ParkedEvent
	for {
		page, err := p.List(context.Background(), q)
		if err != nil {
			tb.Fatalf("List(%+v) = %v", q, err)
		}
		out = append(out, page.Events...)
		if page.NextCursor == "" {
			return out
		}
		q.Cursor = page.NextCursor
	}
}

func statuses(evs []ParkedEvent) []int {
	out := make([]int, len(evs))
	for i, e := range evs {
		out[i] = e.Status
	}
	return out
}

// TestParkedEventRedeliveredUntilAccepted: an event the hub answers 404
// (no events route), then 422 (an event type it does not know yet), then
// accepts after redelivery is delivered once and never lost.
func TestParkedEventRedeliveredUntilAccepted(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		hub := newFakeHub(t)
		hub.setEventsRoute(false)
		stream := outboxKey(prefix, "text")
		evs := addEvents(t, NewOutbox(rdb, stream, 100), 2, time.Now())
		parked := NewParked(rdb, map[string]string{"text": stream}, 100)
		d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{})
		start(t, d)

		waitParked := func(status, times int) []ParkedEvent {
			t.Helper()
			var got []ParkedEvent
			waitFor(t, "both events parked with "+strconv.Itoa(status), func() bool {
				got = parkedOf(t, parked, ParkedQuery{Status: status})
				return len(got) == 2
			})
			for i, p := range got {
				if p.EventID != evs[i].Metadata.EventID || p.Times != times || p.Outbox != "text" || p.EventType != "llm.job.completed" {
					t.Errorf("parked[%d] = %+v, want event %s parked %d times from text", i, p, evs[i].Metadata.EventID, times)
				}
			}
			return got
		}

		got := waitParked(404, 1)
		if !strings.Contains(got[0].Body, `"detail":"Not Found"`) {
			t.Errorf("parked body = %q, want the hub's answer", got[0].Body)
		}
		if n := xlen(t, rdb, stream); n != 0 {
			t.Errorf("outbox holds %d entries after parking, want 0", n)
		}

		// The route is back, but the hub does not know llm.* yet.
		hub.setEventsRoute(true)
		hub.setEventTypes("job.created")
		if res, err := parked.Redeliver(ctx, RedeliverRequest{All: true}); err != nil || res.Redelivered != 2 {
			t.Fatalf("Redeliver(all) = %+v, %v; want 2 redelivered", res, err)
		}
		got = waitParked(422, 2)
		if !strings.Contains(got[0].Body, "llm.job.completed") {
			t.Errorf("parked body = %q, want the hub's validation error", got[0].Body)
		}

		// The hub learns the event types: redelivered once more, accepted.
		hub.setEventTypes()
		if res, err := parked.Redeliver(ctx, RedeliverRequest{Status: 422}); err != nil || res.Redelivered != 2 {
			t.Fatalf("Redeliver(status 422) = %+v, %v; want 2 redelivered", res, err)
		}
		waitFor(t, "both events delivered", func() bool { return len(receivedIDs(hub, stream)) == 2 })
		if diff := cmp.Diff(ids(evs), receivedIDs(hub, stream)); diff != "" {
			t.Errorf("delivered mismatch (-want +got):\n%s", diff)
		}
		for _, e := range evs {
			if n := hub.attemptsFor(e.Metadata.EventID); n != 3 {
				t.Errorf("posts of %s = %d, want 3 (404, 422, accepted)", e.Metadata.EventID, n)
			}
		}
		waitFor(t, "the outbox to empty", func() bool { return xlen(t, rdb, stream) == 0 })
		if n := xlen(t, rdb, ParkedStream(stream)); n != 0 {
			t.Errorf("%d events still parked, want 0", n)
		}
		for status, want := range map[string]float64{"404": 2, "422": 2} {
			if got := value(t, d.m.parked.WithLabelValues(status)); got != want {
				t.Errorf("events_parked_total{status=%s} = %v, want %v", status, got, want)
			}
		}
	})
}

// parkSome parks events in two outboxes: text's are answered 404, 422,
// 404, 422, 404 and image's 404, 404. It returns the store and the
// events by outbox.
func parkSome(t *testing.T, rdb redis.UniversalClient, prefix string) (*Parked, map[string][]Event) {
	t.Helper()
	hub := newFakeHub(t)
	text, image := outboxKey(prefix, "text"), outboxKey(prefix, "image")
	evs := map[string][]Event{
		"text":  addEvents(t, NewOutbox(rdb, text, 100), 5, time.Now()),
		"image": addEvents(t, NewOutbox(rdb, image, 100), 2, time.Now()),
	}
	for i, e := range evs["text"] {
		hub.rejectEvent(e.Metadata.EventID, []int{404, 422}[i%2])
	}
	for _, e := range evs["image"] {
		hub.rejectEvent(e.Metadata.EventID, 404)
	}
	d := newTestDispatcher(t, rdb, hub, []string{text, image}, DispatcherConfig{})
	if n, err := d.Drain(context.Background()); n != 0 || err != nil {
		t.Fatalf("Drain() = %d, %v; want 0 delivered, nil", n, err)
	}
	return NewParked(rdb, map[string]string{"text": text, "image": image}, 100), evs
}

func TestParkedList(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		parked, evs := parkSome(t, rdb, prefix)
		want := append(ids(evs["image"]), ids(evs["text"])...) // outboxes in name order
		cases := []struct {
			name         string
			q            ParkedQuery
			wantIDs      []string
			wantStatuses []int
		}{
			{"all in pages of 2", ParkedQuery{Limit: 2}, want, []int{404, 404, 404, 422, 404, 422, 404}},
			{"all in one page", ParkedQuery{}, want, nil},
			{"page size of the last", ParkedQuery{Limit: 7}, want, nil},
			{"by status", ParkedQuery{Status: 422, Limit: 1}, []string{evs["text"][1].Metadata.EventID, evs["text"][3].Metadata.EventID}, []int{422, 422}},
			{"by outbox", ParkedQuery{Outbox: "image", Limit: 1}, ids(evs["image"]), []int{404, 404}},
			{"by outbox and status", ParkedQuery{Outbox: "text", Status: 404}, []string{evs["text"][0].Metadata.EventID, evs["text"][2].Metadata.EventID, evs["text"][4].Metadata.EventID}, nil},
			{"none match", ParkedQuery{Status: 400}, nil, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got := parkedOf(t, parked, tc.q)
				var gotIDs []string
				for _, p := range got {
					gotIDs = append(gotIDs, p.EventID)
					if p.ParkedAt == "" || !strings.HasSuffix(p.ParkedAt, "Z") || len(p.Event) == 0 {
						t.Errorf("parked event %+v lacks parked_at or the event", p)
					}
				}
				if diff := cmp.Diff(tc.wantIDs, gotIDs); diff != "" {
					t.Errorf("List(%+v) ids mismatch (-want +got):\n%s", tc.q, diff)
				}
				if tc.wantStatuses != nil {
					if diff := cmp.Diff(tc.wantStatuses, statuses(got)); diff != "" {
						t.Errorf("List(%+v) statuses mismatch (-want +got):\n%s", tc.q, diff)
					}
				}
			})
		}
		page, err := parked.List(ctx, ParkedQuery{Limit: 3})
		if err != nil || page.Total != 7 || len(page.Events) != 3 || page.NextCursor == "" {
			t.Errorf("List(limit 3) = %d events, total %d, cursor %q, %v; want 3, 7, a cursor", len(page.Events), page.Total, page.NextCursor, err)
		}
		if _, err := parked.List(ctx, ParkedQuery{Outbox: "audio"}); !errors.Is(err, ErrUnknownOutbox) {
			t.Errorf("List(outbox audio) = %v, want ErrUnknownOutbox", err)
		}
		for _, c := range []string{"text", "text/", "/1-0", "text/soon"} {
			if _, err := parked.List(ctx, ParkedQuery{Cursor: c}); !errors.Is(err, ErrBadCursor) {
				t.Errorf("List(cursor %q) = %v, want ErrBadCursor", c, err)
			}
		}
	})
}

func TestParkedRedeliverSelects(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		parked, evs := parkSome(t, rdb, prefix)
		text := evs["text"]
		steps := []struct {
			name        string
			req         RedeliverRequest
			want        RedeliverResult
			leftInTexts int
		}{
			{"by id", RedeliverRequest{IDs: []string{text[0].Metadata.EventID, "no-such-event"}}, RedeliverResult{Redelivered: 1, Missing: []string{"no-such-event"}}, 4},
			{"by id and status that do not match", RedeliverRequest{IDs: []string{text[1].Metadata.EventID}, Status: 404}, RedeliverResult{Missing: []string{text[1].Metadata.EventID}}, 4},
			{"by status in one outbox", RedeliverRequest{Status: 422, Outbox: "text"}, RedeliverResult{Redelivered: 2, Missing: []string{}}, 2},
			{"by outbox", RedeliverRequest{Outbox: "image"}, RedeliverResult{Redelivered: 2, Missing: []string{}}, 2},
			{"all", RedeliverRequest{All: true}, RedeliverResult{Redelivered: 2, Missing: []string{}}, 0},
			{"nothing left", RedeliverRequest{All: true}, RedeliverResult{Missing: []string{}}, 0},
		}
		for _, s := range steps {
			got, err := parked.Redeliver(ctx, s.req)
			if err != nil {
				t.Fatalf("%s: Redeliver(%+v) = %v", s.name, s.req, err)
			}
			if diff := cmp.Diff(s.want, got); diff != "" {
				t.Errorf("%s: Redeliver(%+v) mismatch (-want +got):\n%s", s.name, s.req, diff)
			}
			if n := len(parkedOf(t, parked, ParkedQuery{Outbox: "text"})); n != s.leftInTexts {
				t.Errorf("%s: %d text events parked, want %d", s.name, n, s.leftInTexts)
			}
		}
		// Every event is back in its outbox once, marked as re-sent.
		for name, want := range evs {
			entries, err := rdb.XRange(ctx, outboxKey(prefix, name), "-", "+").Result()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				ev, _, err := decodeEntry(e.Values)
				if err != nil || e.Values[fieldRedelivered] != "1" {
					t.Errorf("outbox entry %v: %v, want an event marked r=1", e.Values, err)
				}
				got = append(got, ev.Metadata.EventID)
			}
			if diff := cmp.Diff(ids(want), got, sortStrings); diff != "" {
				t.Errorf("%s outbox after redelivery mismatch (-want +got):\n%s", name, diff)
			}
		}
		if _, err := parked.Redeliver(ctx, RedeliverRequest{Outbox: "audio"}); !errors.Is(err, ErrUnknownOutbox) {
			t.Errorf("Redeliver(outbox audio) = %v, want ErrUnknownOutbox", err)
		}
	})
}

func TestRedeliverRequestValid(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		req  RedeliverRequest
		want []string
	}{
		{"all", RedeliverRequest{All: true}, nil},
		{"all in one outbox", RedeliverRequest{All: true, Outbox: "text"}, nil},
		{"ids", RedeliverRequest{IDs: []string{"a", "b"}}, nil},
		{"status", RedeliverRequest{Status: 404}, nil},
		{"outbox", RedeliverRequest{Outbox: "text"}, nil},
		{"nothing", RedeliverRequest{}, []string{"all"}},
		{"all and ids", RedeliverRequest{All: true, IDs: []string{"a"}}, []string{"all"}},
		{"all and status", RedeliverRequest{All: true, Status: 404}, []string{"all"}},
		{"empty id", RedeliverRequest{IDs: []string{""}}, []string{"ids"}},
		{"too many ids", RedeliverRequest{IDs: make([]string, MaxRedeliverIDs+1)}, []string{"ids"}},
		{"5xx status", RedeliverRequest{Status: 503}, []string{"status"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for k := range tc.req.Valid(context.Background()) {
				got = append(got, k)
			}
			if diff := cmp.Diff(tc.want, got, sortStrings); diff != "" {
				t.Errorf("Valid(%+v) fields mismatch (-want +got):\n%s", tc.req, diff)
			}
		})
	}
}

// TestParkedExpireAndTrim: parked events expire after ParkedTTL and the
// oldest beyond ParkedMaxLen are dropped, each counted.
func TestParkedExpireAndTrim(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		hub := newFakeHub(t)
		hub.setEventsRoute(false)
		stream := outboxKey(prefix, "text")
		addEvents(t, NewOutbox(rdb, stream, 100), 3, time.Now())
		clk := newClock(time.Now())
		d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{ParkedMaxLen: 2, Now: clk.Now})
		if _, err := d.Drain(ctx); err != nil {
			t.Fatalf("Drain() = %v", err)
		}
		if got := value(t, d.m.dropped.WithLabelValues(DropParkedTrimmed)); got != 1 {
			t.Errorf("events_dropped_total{parked_trimmed} = %v, want 1", got)
		}
		if n := xlen(t, rdb, ParkedStream(stream)); n != 2 {
			t.Fatalf("%d parked, want 2 (the cap)", n)
		}

		// A dispatcher with a short TTL sweeps them once a minute.
		short := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{Consumer: "c2", ParkedTTL: time.Millisecond, Now: clk.Now})
		waitFor(t, "the parked events to expire", func() bool {
			clk.Add(sweepEvery)
			if _, err := short.Drain(ctx); err != nil {
				t.Fatalf("Drain() = %v", err)
			}
			return xlen(t, rdb, ParkedStream(stream)) == 0
		})
		if got := value(t, short.m.dropped.WithLabelValues(DropParkedExpired)); got != 2 {
			t.Errorf("events_dropped_total{parked_expired} = %v, want 2", got)
		}
		if got := value(t, short.m.parkedDepth.WithLabelValues(stream)); got != 0 {
			t.Errorf("parked depth gauge = %v, want 0", got)
		}
	})
}

// TestParkedLoggedOncePerStatusPerMinute: the first parked event of a
// status is logged at once, the next ones of the minute in one line with
// their count.
func TestParkedLoggedOncePerStatusPerMinute(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	ctx := context.Background()
	hub := newFakeHub(t)
	stream := outboxKey(prefix, "text")
	ob := NewOutbox(rdb, stream, 100)
	var logs servicetest.LogSink
	clk := newClock(time.Now())
	d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{Now: clk.Now, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	const msg = "hub refused events; parked them for redelivery (GET /api/v2/hub/parked)"
	park := func(status, n int) {
		t.Helper()
		for _, e := range addEvents(t, ob, n, time.Now()) {
			hub.rejectEvent(e.Metadata.EventID, status)
		}
		if _, err := d.Drain(ctx); err != nil {
			t.Fatalf("Drain() = %v", err)
		}
	}
	counts := func() map[float64][]float64 { // status -> counts logged, in order
		out := map[float64][]float64{}
		for _, l := range logs.Lines() {
			if l["msg"] == msg {
				out[l["status"].(float64)] = append(out[l["status"].(float64)], l["count"].(float64))
			}
		}
		return out
	}

	park(404, 3)
	park(422, 1)
	if diff := cmp.Diff(map[float64][]float64{404: {1}, 422: {1}}, counts()); diff != "" {
		t.Errorf("log lines in the first minute mismatch (-want +got):\n%s", diff)
	}
	clk.Add(parkLogEvery)
	park(404, 1)
	if diff := cmp.Diff(map[float64][]float64{404: {1, 3}, 422: {1}}, counts()); diff != "" {
		t.Errorf("log lines a minute later mismatch (-want +got):\n%s", diff)
	}
	l := logs.WaitFor(t, msg, time.Second)
	if l["stream"] != stream || l["event_type"] != "llm.job.completed" || !strings.Contains(l["answer"].(string), "event refused") {
		t.Errorf("log line = %v, want the stream, event type and the hub's answer", l)
	}
}

// TestRedeliveredEventAgesFromResend: an event older than EventTTL that
// an operator re-sends is delivered, not dropped as expired.
func TestRedeliveredEventAgesFromResend(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		hub := newFakeHub(t)
		stream := outboxKey(prefix, "text")
		stamp := time.Now().Add(-2 * time.Hour)
		evs := addEvents(t, NewOutbox(rdb, stream, 100), 1, stamp)
		hub.rejectEvent(evs[0].Metadata.EventID, 404)
		clk := newClock(stamp.Add(time.Minute))
		d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{EventTTL: time.Hour, Now: clk.Now})
		if _, err := d.Drain(ctx); err != nil {
			t.Fatalf("Drain() = %v", err)
		}
		hub.accept(evs[0].Metadata.EventID)
		if _, err := NewParked(rdb, map[string]string{"text": stream}, 100).Redeliver(ctx, RedeliverRequest{All: true}); err != nil {
			t.Fatal(err)
		}
		clk.Add(2 * time.Hour) // now, the event's timestamp is 2h old
		if n, err := d.Drain(ctx); n != 1 || err != nil {
			t.Fatalf("Drain() after redelivery = %d, %v; want 1, nil", n, err)
		}
		if got := value(t, d.m.dropped.WithLabelValues(DropExpired)); got != 0 {
			t.Errorf("events_dropped_total{expired} = %v, want 0", got)
		}
	})
}

func TestOutboxStreams(t *testing.T) {
	t.Parallel()
	got := OutboxStreams("p:", []namedOutbox{{"text", "{p:text}:outbox"}, {"image", "{p:image}:outbox"}})
	want := map[string]string{"service": "{p:hub}:outbox", "text": "{p:text}:outbox", "image": "{p:image}:outbox"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OutboxStreams() mismatch (-want +got):\n%s", diff)
	}
	for _, s := range got {
		if !hasHashTag(s) || !strings.HasPrefix(ParkedStream(s), s[:strings.IndexByte(s, '}')+1]) {
			t.Errorf("ParkedStream(%q) = %q, want the same hash tag", s, ParkedStream(s))
		}
	}
}

type namedOutbox struct{ name, stream string }

func (n namedOutbox) Name() string         { return n.name }
func (n namedOutbox) OutboxStream() string { return n.stream }
