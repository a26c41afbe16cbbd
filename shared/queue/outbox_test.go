package queue_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

type outboxEvent struct {
	EventType     string         `json:"event_type"`
	SourceService string         `json:"source_service"`
	Data          map[string]any `json:"data"`
	Metadata      struct {
		EventID     string `json:"event_id"`
		Timestamp   string `json:"timestamp"`
		RequestID   string `json:"request_id"`
		Destination string `json:"destination"`
	} `json:"metadata"`
	CorrelationID string `json:"correlation_id"`
	CausationID   string `json:"causation_id"`
}

// outboxEvents reads every event in q's outbox stream.
func outboxEvents(tb testing.TB, rdb redis.UniversalClient, q *queue.Queue) []outboxEvent {
	tb.Helper()
	entries, err := rdb.XRange(context.Background(), q.OutboxStream(), "-", "+").Result()
	if err != nil {
		tb.Fatalf("XRANGE %s: %v", q.OutboxStream(), err)
	}
	var out []outboxEvent
	for _, e := range entries {
		s, ok := e.Values["e"].(string)
		if !ok || len(e.Values) != 1 {
			tb.Fatalf("outbox entry %v, want one field e", e.Values)
		}
		var ev outboxEvent
		if err := json.Unmarshal([]byte(s), &ev); err != nil {
			tb.Fatalf("outbox entry %s: %v", s, err)
		}
		out = append(out, ev)
	}
	return out
}

const isoMillis = "2006-01-02T15:04:05.000Z"

func TestOutbox(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		req := queue.EnqueueRequest{
			Kind: "text.character", Owner: "svc-a", RequestID: "req-1", CorrelationID: "corr-1", Destination: "reply.queue",
			Payload: []byte(`{"p":1}`),
		}
		tests := []struct {
			name      string
			kind      string
			finish    func(t *testing.T, q *queue.Queue) string // returns the job id
			eventType string
			status    string
			extra     map[string]any // more data fields
		}{
			{
				name: "succeeded", eventType: "llm.text.completed", status: "succeeded",
				extra: map[string]any{"model_used": "gpt-4o-mini", "tokens": float64(42)},
				finish: func(t *testing.T, q *queue.Queue) string {
					enqueue(t, q, req)
					j := claimJob(t, q, "w")
					complete(t, q, j, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{"name":"Thorin"}`),
						EventExtra: map[string]any{"model_used": "gpt-4o-mini", "tokens": 42}})
					return j.ID
				},
			},
			{
				name: "failed", eventType: "llm.text.failed", status: "failed",
				extra: map[string]any{"error_code": "PROVIDER_REJECTED"},
				finish: func(t *testing.T, q *queue.Queue) string {
					enqueue(t, q, req)
					j := claimJob(t, q, "w")
					complete(t, q, j, queue.Outcome{Status: queue.StatusFailed, Error: json.RawMessage(`{"code":"PROVIDER_REJECTED"}`), ErrorCode: "PROVIDER_REJECTED"})
					return j.ID
				},
			},
			{
				name: "canceled while queued", eventType: "llm.text.canceled", status: "canceled",
				extra: map[string]any{"error_code": "JOB_CANCELED"},
				finish: func(t *testing.T, q *queue.Queue) string {
					j := enqueue(t, q, req)
					if _, err := q.Cancel(ctx, j.ID); err != nil {
						t.Fatal(err)
					}
					return j.ID
				},
			},
			{
				name: "cache hit", eventType: "llm.text.completed", status: "succeeded",
				finish: func(t *testing.T, q *queue.Queue) string {
					j, err := q.PutSucceeded(ctx, req, []byte(`{"cached":true}`))
					if err != nil {
						t.Fatal(err)
					}
					return j.ID
				},
			},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{Outbox: true, Source: "llm-test"})
				id := tc.finish(t, q)
				evs := outboxEvents(t, rdb, q)
				if len(evs) != 1 {
					t.Fatalf("outbox has %d events, want 1: %+v", len(evs), evs)
				}
				ev := evs[0]
				if ev.EventType != tc.eventType || ev.SourceService != "llm-test" {
					t.Errorf("event = %q from %q, want %q from llm-test", ev.EventType, ev.SourceService, tc.eventType)
				}
				wantData := map[string]any{"job_id": id, "kind": "text.character", "status": tc.status, "owner": "svc-a", "correlation_id": "corr-1"}
				for k, v := range tc.extra {
					wantData[k] = v
				}
				if diff := cmp.Diff(wantData, ev.Data); diff != "" {
					t.Errorf("event data (-want +got):\n%s", diff)
				}
				if ev.Metadata.EventID != id+":"+tc.status || ev.Metadata.RequestID != "req-1" || ev.Metadata.Destination != "reply.queue" ||
					ev.CorrelationID != "corr-1" || ev.CausationID != "req-1" {
					t.Errorf("event metadata %+v correlation %q causation %q, want %s:%s req-1 reply.queue corr-1 req-1",
						ev.Metadata, ev.CorrelationID, ev.CausationID, id, tc.status)
				}
				ts, err := time.Parse(isoMillis, ev.Metadata.Timestamp)
				if err != nil {
					t.Fatalf("metadata.timestamp %q is not RFC 3339 UTC with milliseconds: %v", ev.Metadata.Timestamp, err)
				}
				if d := time.Since(ts); d < -5*time.Second || d > 5*time.Second {
					t.Errorf("metadata.timestamp %s is %v from now", ev.Metadata.Timestamp, d)
				}
				if fin := get(t, q, id).FinishedAt; fin == nil || !fin.Equal(ts) {
					t.Errorf("metadata.timestamp %s, want the job's finished_at %v", ev.Metadata.Timestamp, fin)
				}
			})
		}

		t.Run("kind without group", func(t *testing.T) {
			t.Parallel()
			q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{Outbox: true})
			j, err := q.PutSucceeded(ctx, queue.EnqueueRequest{}, []byte(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			evs := outboxEvents(t, rdb, q)
			if len(evs) != 1 || evs[0].EventType != "llm.job.completed" || evs[0].SourceService != "llm-service" {
				t.Fatalf("outbox = %+v, want one llm.job.completed from llm-service", evs)
			}
			// Without a correlation id of its own, the job's id correlates.
			if evs[0].CorrelationID != j.ID || evs[0].Data["correlation_id"] != j.ID {
				t.Errorf("event correlation_id %q, data %v; want the job id %s in both", evs[0].CorrelationID, evs[0].Data, j.ID)
			}
		})

		t.Run("off", func(t *testing.T) {
			t.Parallel()
			q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{})
			enqueue(t, q, req)
			j := claimJob(t, q, "w")
			complete(t, q, j, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`)})
			if evs := outboxEvents(t, rdb, q); len(evs) != 0 {
				t.Errorf("outbox without Config.Outbox = %+v, want none", evs)
			}
		})

		t.Run("retry and hand-back write nothing", func(t *testing.T) {
			t.Parallel()
			q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{Outbox: true})
			enqueue(t, q, req)
			j := claimJob(t, q, "w")
			complete(t, q, j, queue.Outcome{Handback: true})
			j = claimJob(t, q, "w")
			complete(t, q, j, queue.Outcome{Retry: true, RetryIn: time.Hour, Error: json.RawMessage(`{"code":"X"}`), ErrorCode: "X"})
			if evs := outboxEvents(t, rdb, q); len(evs) != 0 {
				t.Errorf("outbox = %+v, want none before the job is final", evs)
			}
		})
	})
}

// TestQueueKeysShareOneSlot: everything a queue writes (jobs, dedup keys,
// owner sets, stats, the wake-up key, the outbox) is on the queue's one
// Redis Cluster slot, which every script requires.
func TestQueueKeysShareOneSlot(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.NewCluster(t)
	ctx := context.Background()
	q := newQueue(rdb, prefix, queue.Config{Outbox: true})
	a := enqueue(t, q, queue.EnqueueRequest{DedupKey: "same", Payload: []byte(`{}`)})
	if _, dup, err := q.Enqueue(ctx, queue.EnqueueRequest{Kind: "text.echo", Owner: "svc-a", DedupKey: "same"}); err != nil || !dup {
		t.Fatalf("Enqueue(same dedup key) = dup %v, %v, want the first job", dup, err)
	}
	b := enqueue(t, q, queue.EnqueueRequest{Owner: "svc-b"})
	if _, err := q.Cancel(ctx, b.ID); err != nil {
		t.Fatalf("Cancel() = %v", err)
	}
	j := claimJob(t, q, "w")
	if j.ID != a.ID {
		t.Fatalf("Claim() = %s, want %s", j.ID, a.ID)
	}
	complete(t, q, j, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`)})
	if _, err := q.PutSucceeded(ctx, queue.EnqueueRequest{Kind: "text.echo", Owner: "svc-c"}, []byte(`{}`)); err != nil {
		t.Fatalf("PutSucceeded() = %v", err)
	}
	keys := redistest.Keys(t, rdb, "*"+prefix+"*")
	if len(keys) < 5 {
		t.Fatalf("keys %v, want the queue's records, stats and outbox", keys)
	}
	if slots := redistest.Slots(t, rdb, keys); len(slots) != 1 {
		t.Errorf("keys %v hash to slots %v, want one", keys, slots)
	}
}
