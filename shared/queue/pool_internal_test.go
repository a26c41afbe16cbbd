package queue

import (
	"context"
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// TestCompleteClaim is the Pool worker's round trip: it records the
// outcome, then claims the next job, unless the lease was lost.
func TestCompleteClaim(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := New(rdb, Config{Name: "text", Prefix: prefix})
		var ids []string
		for range 2 {
			j, _, err := q.Enqueue(ctx, EnqueueRequest{Kind: "text.echo", Owner: "svc-a"})
			if err != nil {
				t.Fatalf("Enqueue() = %v", err)
			}
			ids = append(ids, j.ID)
		}
		c, err := q.Claim(ctx, "w", "")
		if err != nil || c.Job == nil || c.Job.ID != ids[0] {
			t.Fatalf("Claim() = %+v, %v, want %s", c, err, ids[0])
		}

		st, _, next, err := q.completeClaim(ctx, c.Job, Outcome{Status: StatusSucceeded, Result: []byte(`{"n":1}`)}, "w")
		if err != nil || st != StatusSucceeded {
			t.Fatalf("completeClaim() = %q, %v, want succeeded", st, err)
		}
		if next.Job == nil || next.Job.ID != ids[1] || next.Job.Status != StatusRunning || next.Job.Attempts != 1 || next.Job.lease != "w" {
			t.Fatalf("completeClaim() claimed %+v, want %s running, attempt 1, leased to w", next.Job, ids[1])
		}
		if got, err := q.Get(ctx, ids[0]); err != nil || got.Status != StatusSucceeded || string(got.Result) != `{"n":1}` {
			t.Errorf("Get(completed) = %+v, %v, want succeeded {\"n\":1}", got, err)
		}

		stale := *next.Job
		stale.lease = "other"
		if _, _, c, err := q.completeClaim(ctx, &stale, Outcome{Status: StatusSucceeded}, "other"); !errors.Is(err, ErrLeaseLost) || c.Job != nil {
			t.Errorf("completeClaim(lost lease) = %+v, %v, want no claim and ErrLeaseLost", c, err)
		}

		st, _, last, err := q.completeClaim(ctx, next.Job, Outcome{Status: StatusSucceeded}, "w")
		if err != nil || st != StatusSucceeded || last.Job != nil || last.Busy || last.Paused != 0 {
			t.Errorf("completeClaim(last job) = %q, %+v, %v, want succeeded and nothing claimed", st, last, err)
		}
		if st, err := q.Stats(ctx); err != nil || st.Succeeded1h != 2 || st.Running != 0 || st.Queued != 0 {
			t.Errorf("Stats() = %+v, %v, want 2 succeeded, none running or queued", st, err)
		}
	})
}
