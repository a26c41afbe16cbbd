package hub

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// outboxKey names a test outbox stream inside a hash tag, as the queues do.
func outboxKey(prefix, queue string) string { return "{" + prefix + queue + "}:hub:outbox" }

// newTestDispatcher returns a dispatcher with delays short enough for tests.
func newTestDispatcher(tb testing.TB, rdb redis.UniversalClient, hub *fakeHub, streams []string, cfg DispatcherConfig) *Dispatcher {
	tb.Helper()
	if cfg.Consumer == "" {
		cfg.Consumer = "c1"
	}
	if cfg.BlockTimeout == 0 {
		cfg.BlockTimeout = 50 * time.Millisecond
	}
	if cfg.BackoffStart == 0 {
		cfg.BackoffStart = time.Millisecond
	}
	if cfg.BackoffCap == 0 {
		cfg.BackoffCap = 10 * time.Millisecond
	}
	if cfg.Registerer == nil {
		cfg.Registerer = prometheus.NewRegistry()
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(tb)
	}
	d, err := NewDispatcher(rdb, hub.client(), streams, cfg)
	if err != nil {
		tb.Fatalf("NewDispatcher() = %v", err)
	}
	return d
}

// start runs d until the returned stop is called (or the test ends).
func start(tb testing.TB, d *Dispatcher) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		if err := d.Run(ctx); err != nil {
			tb.Errorf("Run() = %v, want nil", err)
		}
		close(done)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				tb.Errorf("Run did not return after cancel")
			}
		})
	}
	tb.Cleanup(stop)
	return stop
}

// addEvents appends n events to ob and returns them in order.
func addEvents(tb testing.TB, ob *Outbox, n int, ts time.Time) []Event {
	tb.Helper()
	evs := make([]Event, n)
	for i := range evs {
		ev := NewEvent(ts, "llm.job.completed", "llm-service", map[string]any{"stream": ob.Stream(), "seq": strconv.Itoa(i)})
		ev.CorrelationID = "corr-" + strconv.Itoa(i)
		if err := ob.Add(context.Background(), ev); err != nil {
			tb.Fatalf("Outbox.Add() = %v", err)
		}
		evs[i] = ev
	}
	return evs
}

func ids(evs []Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Metadata.EventID
	}
	return out
}

// receivedIDs returns the ids of the events the hub got from stream, in
// arrival order.
func receivedIDs(hub *fakeHub, stream string) []string {
	_, evs, _ := hub.snapshot()
	var out []string
	for _, e := range evs {
		if e.Event.Data["stream"] == stream {
			out = append(out, e.Event.Metadata.EventID)
		}
	}
	return out
}

func xlen(tb testing.TB, rdb redis.UniversalClient, stream string) int64 {
	tb.Helper()
	n, err := rdb.XLen(context.Background(), stream).Result()
	if err != nil {
		tb.Fatalf("XLEN %s: %v", stream, err)
	}
	return n
}

func TestDispatcherDeliversEvents(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hub := newFakeHub(t)
		stream := outboxKey(prefix, "misc")
		ob := NewOutbox(rdb, stream, 100)

		ev := NewEvent(time.Now(), EventRateLimitExceeded, "llm-service", map[string]any{
			"caller": "user-7", "group": "text", "limit": 30.0, "window": map[string]any{"seconds": 60.0}, "tags": []any{"a", "b"},
		})
		ev.CorrelationID, ev.CausationID, ev.StreamID = "corr-1", "cause-1", "caller-user-7"
		ev.Metadata.RequestID, ev.Metadata.Destination = "req-1", "billing"
		if err := ob.Add(context.Background(), ev); err != nil {
			t.Fatalf("Add() = %v", err)
		}
		d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{})
		start(t, d)

		waitFor(t, "the event to reach the hub", func() bool { _, evs, _ := hub.snapshot(); return len(evs) == 1 })
		_, got, _ := hub.snapshot()
		if diff := cmp.Diff([]receivedEvent{{Event: ev, IdempotencyKey: ev.Metadata.EventID}}, got); diff != "" {
			t.Errorf("hub events mismatch (-want +got):\n%s", diff)
		}
		waitFor(t, "the stream to empty", func() bool { return xlen(t, rdb, stream) == 0 })
		waitFor(t, "the depth gauge to read 0", func() bool { return value(t, d.m.depth.WithLabelValues(stream)) == 0 })
		waitFor(t, "events_delivered_total to count the event", func() bool {
			return value(t, d.m.delivered.WithLabelValues(EventRateLimitExceeded)) == 1
		})

		// New events wake the blocked reader.
		more := addEvents(t, ob, 3, time.Now())
		waitFor(t, "three more events", func() bool { return len(receivedIDs(hub, stream)) == 3 })
		if diff := cmp.Diff(ids(more), receivedIDs(hub, stream)); diff != "" {
			t.Errorf("order mismatch (-want +got):\n%s", diff)
		}
	})
}

// TestDispatcherWaitsOnBlockingClient: each stream's wait for new events
// holds a connection of the Blocking client, and none of the dispatcher's
// own client, whose connections stay free for requests.
func TestDispatcherWaitsOnBlockingClient(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ownName, blockingName := "own-"+strings.TrimSuffix(prefix, ":"), "blocking-"+strings.TrimSuffix(prefix, ":")
		own := redistest.Named(t, rdb, ownName, 0)
		hub := newFakeHub(t)
		streams := []string{outboxKey(prefix, "text"), outboxKey(prefix, "image")}
		d := newTestDispatcher(t, own, hub, streams, DispatcherConfig{
			Blocking: redistest.Named(t, rdb, blockingName, 0), BlockTimeout: time.Second,
		})
		start(t, d)
		waitFor(t, "a blocking read per stream", func() bool {
			return redistest.CountClients(t, rdb, redistest.BlockedAs(blockingName)) == len(streams)
		})
		if got := redistest.CountClients(t, rdb, redistest.BlockedAs(ownName)); got != 0 {
			t.Errorf("%d connections of the dispatcher's own client block, want 0", got)
		}
		evs := addEvents(t, NewOutbox(own, streams[0], 100), 2, time.Now())
		waitFor(t, "the events", func() bool { return len(receivedIDs(hub, streams[0])) == len(evs) })
	})
}

func TestDispatcherSurvivesOutageAndRestart(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hub := newFakeHub(t)
		hub.setMode(hubUnavailable)
		hub.retryAfter = "0"
		text, image := outboxKey(prefix, "text"), outboxKey(prefix, "image")
		textOut, imageOut := NewOutbox(rdb, text, 1000), NewOutbox(rdb, image, 1000)
		wantText := addEvents(t, textOut, 6, time.Now())
		wantImage := addEvents(t, imageOut, 6, time.Now())

		// The first replica reads entries, fails to deliver them, and dies with
		// them pending.
		first := newTestDispatcher(t, rdb, hub, []string{text, image}, DispatcherConfig{Consumer: "replica-1", BatchSize: 4})
		stop := start(t, first)
		waitFor(t, "delivery attempts while the hub is down", func() bool { _, _, refused := hub.snapshot(); return refused >= 6 })
		stop()
		for _, s := range []string{text, image} {
			p, err := rdb.XPending(context.Background(), s, "hub-dispatcher").Result()
			if err != nil || p.Consumers["replica-1"] == 0 {
				t.Fatalf("XPENDING %s = %+v, %v; want entries pending with replica-1", s, p, err)
			}
		}
		// Stopping may cut off the answer of one in-flight post per stream.
		if got := value(t, first.m.failures); got < 4 {
			t.Errorf("delivery_failures_total = %v, want >= 4", got)
		}

		// A new replica takes over while the hub still drops connections, and
		// more events arrive meanwhile.
		hub.setMode(hubHangUp)
		_, _, refusedBefore := hub.snapshot()
		second := newTestDispatcher(t, rdb, hub, []string{text, image}, DispatcherConfig{Consumer: "replica-2", BatchSize: 4, ClaimIdle: time.Millisecond})
		start(t, second)
		wantText = append(wantText, addEvents(t, textOut, 4, time.Now())...)
		waitFor(t, "the new replica to try", func() bool { _, _, refused := hub.snapshot(); return refused >= refusedBefore+4 })

		hub.setMode(hubUp)
		waitFor(t, "every event", func() bool {
			return len(receivedIDs(hub, text)) >= len(wantText) && len(receivedIDs(hub, image)) >= len(wantImage)
		})
		if diff := cmp.Diff(ids(wantText), receivedIDs(hub, text)); diff != "" {
			t.Errorf("text stream delivery mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(ids(wantImage), receivedIDs(hub, image)); diff != "" {
			t.Errorf("image stream delivery mismatch (-want +got):\n%s", diff)
		}
		_, got, _ := hub.snapshot()
		for _, e := range got {
			if e.IdempotencyKey != e.Event.Metadata.EventID {
				t.Errorf("Idempotency-Key = %q, want the event id %q", e.IdempotencyKey, e.Event.Metadata.EventID)
			}
		}
		waitFor(t, "both streams to empty", func() bool { return xlen(t, rdb, text) == 0 && xlen(t, rdb, image) == 0 })
	})
}

func TestDispatcherReplicasKeepStreamOrder(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hub := newFakeHub(t)
		stream := outboxKey(prefix, "text")
		ob := NewOutbox(rdb, stream, 1000)
		metrics := prometheus.NewRegistry()
		a := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{Consumer: "a", BatchSize: 2, Registerer: metrics})
		b := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{Consumer: "b", BatchSize: 2, Registerer: metrics})
		start(t, a)
		start(t, b)

		var want []Event
		for range 8 {
			want = append(want, addEvents(t, ob, 5, time.Now())...)
		}
		waitFor(t, "every event", func() bool { return len(receivedIDs(hub, stream)) >= len(want) })
		if diff := cmp.Diff(ids(want), receivedIDs(hub, stream)); diff != "" {
			t.Errorf("delivery mismatch (-want +got):\n%s", diff)
		}
		waitFor(t, "the shared delivered counter to count every event", func() bool {
			return value(t, a.m.delivered.WithLabelValues("llm.job.completed")) == float64(len(want))
		})
	})
}

func TestOutboxMaxLenBoundsStream(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		stream := outboxKey(prefix, "misc")
		ob := NewOutbox(rdb, stream, 10)
		addEvents(t, ob, 1000, time.Now())
		// Approximate trimming removes whole stream nodes (stream-node-max-entries,
		// 100 by default), so up to one node more than maxLen survives.
		if n := xlen(t, rdb, stream); n < 10 || n > 10+100 {
			t.Errorf("XLEN after 1000 adds with MAXLEN ~ 10 = %d, want within [10, 110]", n)
		}
		if got := NewOutbox(rdb, stream, 0).maxLen; got != DefaultMaxLen {
			t.Errorf("NewOutbox(maxLen 0).maxLen = %d, want %d", got, DefaultMaxLen)
		}
		if err := ob.Add(context.Background(), Event{EventType: "x"}); err == nil {
			t.Errorf("Add(incomplete event) = nil, want an error")
		}
	})
}

func TestDispatcherCountsTrimmed(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hub := newFakeHub(t)
		hub.setMode(hubUnavailable)
		stream := outboxKey(prefix, "text")
		ob := NewOutbox(rdb, stream, 10)
		first := addEvents(t, ob, 5, time.Now())
		reader := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{BatchSize: 5})
		stop := start(t, reader)
		waitFor(t, "a failed delivery", func() bool { _, _, refused := hub.snapshot(); return refused >= 1 })
		stop()

		// A burst trims the entries that are pending with the stopped reader.
		rest := addEvents(t, ob, 300, time.Now())
		left := xlen(t, rdb, stream)
		hub.setMode(hubUp)
		d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{BatchSize: 5})
		start(t, d)
		waitFor(t, "the surviving events", func() bool { return len(receivedIDs(hub, stream)) >= int(left) })

		if got := value(t, d.m.dropped.WithLabelValues(DropTrimmed)); got != float64(len(first)) {
			t.Errorf("events_dropped_total{trimmed} = %v, want %d", got, len(first))
		}
		got := receivedIDs(hub, stream)
		if diff := cmp.Diff(ids(rest[len(rest)-int(left):]), got); diff != "" {
			t.Errorf("delivered events mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestDispatcherDropsExpired(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hub := newFakeHub(t)
		stream := outboxKey(prefix, "misc")
		ob := NewOutbox(rdb, stream, 100)
		wall := time.Now()
		now := wall.Add(8 * 24 * time.Hour)

		old := addEvents(t, ob, 2, wall)
		fresh := addEvents(t, ob, 1, now.Add(-time.Hour))
		// An entry whose timestamp is unreadable ages by its stream entry id.
		bad := NewEvent(wall, "llm.job.completed", "llm-service", nil)
		bad.Metadata.Timestamp = "yesterday"
		raw, err := EncodeEntry(bad)
		if err != nil {
			t.Fatal(err)
		}
		if err := rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: stream, Values: []any{EntryField, raw}}).Err(); err != nil {
			t.Fatal(err)
		}
		fresh = append(fresh, addEvents(t, ob, 1, now)...)

		d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{Now: func() time.Time { return now }})
		delivered, err := d.Drain(context.Background())
		if err != nil || delivered != 2 {
			t.Fatalf("Drain() = %d, %v; want 2, nil", delivered, err)
		}
		if diff := cmp.Diff(ids(fresh), receivedIDs(hub, stream)); diff != "" {
			t.Errorf("delivered mismatch (-want +got):\n%s", diff)
		}
		if got, want := value(t, d.m.dropped.WithLabelValues(DropExpired)), float64(len(old)+1); got != want {
			t.Errorf("events_dropped_total{expired} = %v, want %v", got, want)
		}
		if n := xlen(t, rdb, stream); n != 0 {
			t.Errorf("XLEN after Drain = %d, want 0", n)
		}
	})
}

func TestDispatcherHubRefusals(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		cases := []struct {
			status int
			want   fate
		}{
			{http.StatusBadRequest, fateParked},
			{http.StatusNotFound, fateParked},
			{http.StatusUnprocessableEntity, fateParked},
			{http.StatusConflict, fateDelivered}, // already stored
			{http.StatusGone, fateGone},
			{http.StatusRequestTimeout, fateRetry},
			{http.StatusTooManyRequests, fateRetry},
			{http.StatusInternalServerError, fateRetry},
		}
		for _, tc := range cases {
			t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
				t.Parallel()
				prefix := redistest.Prefix(t, rdb)
				hub := newFakeHub(t)
				stream := outboxKey(prefix, "misc")
				ob := NewOutbox(rdb, stream, 100)
				evs := addEvents(t, ob, 3, time.Now())
				poison := evs[1].Metadata.EventID
				hub.rejectEvent(poison, tc.status)
				d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{})
				start(t, d)

				if tc.want == fateRetry {
					// Retried, and nothing after it overtakes it.
					waitFor(t, "retries", func() bool { return hub.attemptsFor(poison) >= 3 })
					if diff := cmp.Diff([]string{evs[0].Metadata.EventID}, receivedIDs(hub, stream)); diff != "" {
						t.Errorf("delivered while retrying mismatch (-want +got):\n%s", diff)
					}
					hub.accept(poison)
					waitFor(t, "every event", func() bool { return len(receivedIDs(hub, stream)) == 3 })
					if diff := cmp.Diff(ids(evs), receivedIDs(hub, stream)); diff != "" {
						t.Errorf("delivered mismatch (-want +got):\n%s", diff)
					}
					return
				}
				// Settled at the first answer: the events after it go on.
				waitFor(t, "the events after the refused one", func() bool { return len(receivedIDs(hub, stream)) == 2 })
				waitFor(t, "the stream to empty", func() bool { return xlen(t, rdb, stream) == 0 })
				if got := hub.attemptsFor(poison); got != 1 {
					t.Errorf("posts of the refused event = %d, want 1", got)
				}
				parked := xlen(t, rdb, ParkedStream(stream))
				status := strconv.Itoa(tc.status)
				switch tc.want {
				case fateParked:
					if parked != 1 || value(t, d.m.parked.WithLabelValues(status)) != 1 {
						t.Errorf("HTTP %d: %d parked, events_parked_total{%s} = %v; want 1 and 1", tc.status, parked, status, value(t, d.m.parked.WithLabelValues(status)))
					}
				case fateDelivered:
					if parked != 0 || value(t, d.m.delivered.WithLabelValues("llm.job.completed")) != 3 {
						t.Errorf("HTTP 409: %d parked, events_delivered_total = %v; want 0 and 3", parked, value(t, d.m.delivered.WithLabelValues("llm.job.completed")))
					}
				case fateGone:
					if parked != 0 || value(t, d.m.dropped.WithLabelValues(DropGone)) != 1 {
						t.Errorf("HTTP 410: %d parked, events_dropped_total{gone} = %v; want 0 and 1", parked, value(t, d.m.dropped.WithLabelValues(DropGone)))
					}
				}
			})
		}
	})
}

func TestDispatcherPostsEntryUnchanged(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hub := newFakeHub(t)
		stream := outboxKey(prefix, "text")
		// As a Lua script might write it: a large integer, a field this package
		// does not know, and its own key order.
		entry := `{"metadata":{"event_id":"e-big","timestamp":"` + FormatTime(time.Now()) + `","request_id":"r"},"event_type":"llm.job.completed","source_service":"llm-service","data":{"job_id":"j-1","seed":9007199254740993},"correlation_id":"c","causation_id":"","schema_version":2}`
		if err := rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: stream, Values: []any{EntryField, entry}}).Err(); err != nil {
			t.Fatal(err)
		}
		d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{})
		if n, err := d.Drain(context.Background()); n != 1 || err != nil {
			t.Fatalf("Drain() = %d, %v; want 1, nil", n, err)
		}
		if got := hub.bodyOf("e-big"); got != entry {
			t.Errorf("posted body = %s, want the entry unchanged %s", got, entry)
		}
	})
}

func TestDispatcherDropsMalformed(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hub := newFakeHub(t)
		stream := outboxKey(prefix, "misc")
		for _, values := range [][]any{
			{EntryField, "not json"},
			{"x", "1"},
			{EntryField, `{"event_type":"","metadata":{}}`},
			{EntryField, `{"event_type":"t","metadata":{"event_id":"e"}} {}`},
		} {
			if err := rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: stream, Values: values}).Err(); err != nil {
				t.Fatal(err)
			}
		}
		good := addEvents(t, NewOutbox(rdb, stream, 100), 1, time.Now())
		d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{})
		if n, err := d.Drain(context.Background()); n != 1 || err != nil {
			t.Fatalf("Drain() = %d, %v; want 1, nil", n, err)
		}
		if diff := cmp.Diff(ids(good), receivedIDs(hub, stream)); diff != "" {
			t.Errorf("delivered mismatch (-want +got):\n%s", diff)
		}
		if got := value(t, d.m.dropped.WithLabelValues(DropMalformed)); got != 4 {
			t.Errorf("events_dropped_total{malformed} = %v, want 4", got)
		}
	})
}

func TestDispatcherDrain(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hub := newFakeHub(t)
		text, image := outboxKey(prefix, "text"), outboxKey(prefix, "image")
		wantText := addEvents(t, NewOutbox(rdb, text, 100), 7, time.Now())
		wantImage := addEvents(t, NewOutbox(rdb, image, 100), 3, time.Now())
		d := newTestDispatcher(t, rdb, hub, []string{text, image}, DispatcherConfig{BatchSize: 2})

		// Hub down: Drain gives up on the first failure and keeps the events.
		hub.setMode(hubUnavailable)
		n, err := d.Drain(context.Background())
		var se *statusError
		if n != 0 || !errors.As(err, &se) || se.status != http.StatusServiceUnavailable {
			t.Fatalf("Drain() with the hub down = %d, %v; want 0 and an HTTP 503 error", n, err)
		}
		if got := value(t, d.m.depth.WithLabelValues(text)); got != 7 {
			t.Errorf("outbox_depth{text} = %v, want 7", got)
		}

		hub.setMode(hubUp)
		n, err = d.Drain(context.Background())
		if n != 10 || err != nil {
			t.Fatalf("Drain() = %d, %v; want 10, nil", n, err)
		}
		if diff := cmp.Diff(ids(wantText), receivedIDs(hub, text)); diff != "" {
			t.Errorf("text mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(ids(wantImage), receivedIDs(hub, image)); diff != "" {
			t.Errorf("image mismatch (-want +got):\n%s", diff)
		}
		if n, err := d.Drain(context.Background()); n != 0 || err != nil {
			t.Errorf("Drain() of empty streams = %d, %v; want 0, nil", n, err)
		}

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		addEvents(t, NewOutbox(rdb, text, 100), 1, time.Now())
		if _, err := d.Drain(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Drain(cancelled ctx) = %v, want context.Canceled", err)
		}
	})
}

func TestDispatcherWaitsForOlderEntryOfLiveConsumer(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hub := newFakeHub(t)
		stream := outboxKey(prefix, "text")
		evs := addEvents(t, NewOutbox(rdb, stream, 100), 3, time.Now())
		d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{Consumer: "drainer"})
		if err := d.ensureGroup(context.Background(), stream); err != nil {
			t.Fatal(err)
		}
		// A live replica holds the first entry.
		if err := rdb.XReadGroup(context.Background(), &redis.XReadGroupArgs{
			Group: "hub-dispatcher", Consumer: "busy", Streams: []string{stream, ">"}, Count: 1, Block: -1,
		}).Err(); err != nil {
			t.Fatal(err)
		}
		n, err := d.Drain(context.Background())
		if n != 0 || err != nil {
			t.Fatalf("Drain() behind a live consumer = %d, %v; want 0, nil", n, err)
		}
		if got := receivedIDs(hub, stream); len(got) != 0 {
			t.Errorf("delivered %v ahead of the older pending entry, want nothing", got)
		}

		// Once that replica counts as dead, its entry is taken over and order
		// holds.
		taker := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{Consumer: "drainer", ClaimIdle: time.Millisecond})
		waitFor(t, "the takeover", func() bool {
			_, err := taker.Drain(context.Background())
			return err == nil && len(receivedIDs(hub, stream)) == 3
		})
		if diff := cmp.Diff(ids(evs), receivedIDs(hub, stream)); diff != "" {
			t.Errorf("delivered mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestDispatcherPrunesIdleConsumers(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hub := newFakeHub(t)
		stream := outboxKey(prefix, "text")
		var now atomic.Int64
		now.Store(time.Now().UnixNano())
		d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{
			Consumer: "live", ConsumerIdle: time.Millisecond, ClaimIdle: time.Hour,
			Now: func() time.Time { return time.Unix(0, now.Load()) },
		})
		ctx := context.Background()
		if err := d.ensureGroup(ctx, stream); err != nil {
			t.Fatal(err)
		}
		if err := rdb.XGroupCreateConsumer(ctx, stream, "hub-dispatcher", "gone").Err(); err != nil {
			t.Fatal(err)
		}
		addEvents(t, NewOutbox(rdb, stream, 100), 1, time.Now())
		if err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "hub-dispatcher", Consumer: "holder", Streams: []string{stream, ">"}, Block: -1}).Err(); err != nil {
			t.Fatal(err)
		}
		names := func() map[string]bool {
			cs, err := rdb.XInfoConsumers(ctx, stream, "hub-dispatcher").Result()
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, c := range cs {
				out[c.Name] = true
			}
			return out
		}
		waitFor(t, "the idle consumer to go", func() bool {
			now.Add(int64(pruneEvery + time.Second))
			if _, err := d.Drain(ctx); err != nil {
				t.Fatalf("Drain() = %v", err)
			}
			return !names()["gone"]
		})
		if got := names(); !got["holder"] || !got["live"] {
			t.Errorf("consumers after pruning = %v, want holder (it has a pending entry) and live kept", got)
		}
	})
}

func TestNewDispatcherRejects(t *testing.T) {
	t.Parallel()
	rdb, _ := redistest.New(t)
	c := NewClient("http://hub", nil)
	cases := []struct {
		name    string
		rdb     redis.UniversalClient
		client  *Client
		streams []string
	}{
		{"no redis", nil, c, []string{"{s}"}},
		{"no client", rdb, nil, []string{"{s}"}},
		{"no streams", rdb, c, nil},
		{"empty stream", rdb, c, []string{""}},
		{"repeated stream", rdb, c, []string{"{s}", "{s}"}},
		{"stream without hash tag", rdb, c, []string{"s:outbox"}},
		{"stream with empty hash tag", rdb, c, []string{"{}:outbox"}},
	}
	for _, tc := range cases {
		if _, err := NewDispatcher(tc.rdb, tc.client, tc.streams, DispatcherConfig{}); err == nil {
			t.Errorf("NewDispatcher(%s) = nil error, want one", tc.name)
		}
	}
	d, err := NewDispatcher(rdb, c, []string{"{s}:outbox"}, DispatcherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	want := DispatcherConfig{Group: "hub-dispatcher", EventTTL: 7 * 24 * time.Hour, ParkedTTL: 7 * 24 * time.Hour, ParkedMaxLen: DefaultMaxLen, BatchSize: 50, BackoffStart: 500 * time.Millisecond, BackoffCap: 30 * time.Second, BlockTimeout: 5 * time.Second, ClaimIdle: 2 * time.Minute, ConsumerIdle: 24 * time.Hour}
	got := d.cfg
	if got.Consumer == "" {
		t.Errorf("default Consumer is empty")
	}
	got.Consumer, got.Logger, got.Now, got.After = "", nil, nil, nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults mismatch (-want +got):\n%s", diff)
	}
}

func TestCompareIDs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want int
	}{
		{"1-0", "1-0", 0},
		{"1-0", "1-1", -1},
		{"2-0", "1-9", 1},
		{"9-0", "10-0", -1},
		{"1700000000000-5", "1700000000000-12", -1},
	}
	for _, tc := range cases {
		if got := compareIDs(tc.a, tc.b); got != tc.want {
			t.Errorf("compareIDs(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		th := NewThrottle(rdb, prefix+"ratelimit-event:")
		ctx := context.Background()
		steps := []struct {
			key  string
			want bool
		}{
			{"user-1:text", true},
			{"user-1:text", false},
			{"user-1:image", true},
			{"user-2:text", true},
			{"user-1:text", false},
		}
		for i, s := range steps {
			got, err := th.Allow(ctx, s.key, time.Minute)
			if err != nil || got != s.want {
				t.Errorf("step %d: Allow(%q) = %v, %v; want %v, nil", i, s.key, got, err, s.want)
			}
		}
		ttl, err := rdb.PTTL(ctx, prefix+"ratelimit-event:user-1:text").Result()
		if err != nil || ttl <= 0 || ttl > time.Minute {
			t.Errorf("PTTL = %v, %v; want within (0, 1m]", ttl, err)
		}
		if _, err := th.Allow(ctx, "k", time.Microsecond); err == nil {
			t.Errorf("Allow(period 1µs) = nil error, want one")
		}

		// Across replicas exactly one caller wins.
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				ok, err := NewThrottle(rdb, prefix+"ratelimit-event:").Allow(ctx, "race", time.Minute)
				if err != nil {
					t.Errorf("replica %d: Allow() = %v", i, err)
				}
				if ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if got := wins.Load(); got != 1 {
			t.Errorf("concurrent Allow() winners = %d, want 1", got)
		}
	})
}

func TestEntryWrittenByLuaIsDelivered(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		hub := newFakeHub(t)
		stream := outboxKey(prefix, "text")
		// The shape of the job-completion script's outbox write.
		script := redis.NewScript(`
	redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', ARGV[2], ARGV[3])
	return 1`)
		ev := NewEvent(time.Now(), "llm.job.completed", "llm-service", map[string]any{"job_id": "text_1", "stream": stream})
		entry, err := EncodeEntry(ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := script.Run(context.Background(), rdb, []string{stream}, DefaultMaxLen, EntryField, entry).Err(); err != nil {
			t.Fatalf("script: %v", err)
		}
		d := newTestDispatcher(t, rdb, hub, []string{stream}, DispatcherConfig{})
		if n, err := d.Drain(context.Background()); n != 1 || err != nil {
			t.Fatalf("Drain() = %d, %v; want 1, nil", n, err)
		}
		_, got, _ := hub.snapshot()
		if diff := cmp.Diff([]receivedEvent{{Event: ev, IdempotencyKey: ev.Metadata.EventID}}, got); diff != "" {
			t.Errorf("hub events mismatch (-want +got):\n%s", diff)
		}
	})
}
