package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

func TestEnqueueClaimsForTheCaller(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		j := enqueue(t, q, queue.EnqueueRequest{Payload: []byte(`{"n":1}`), DedupKey: "d1", ClaimAs: "me"})
		if j.Status != queue.StatusRunning || !j.LeasedTo("me") || j.Attempts != 1 || j.StartedAt == nil || j.Position != 0 {
			t.Fatalf("Enqueue(ClaimAs) = %+v, want running under lease me, attempt 1", j)
		}
		if st := stats(t, q); st.Queued != 0 || st.Running != 1 {
			t.Errorf("stats %+v, want 0 queued, 1 running", st)
		}
		// No worker may take it.
		if c := claim(t, q, "worker"); c.Job != nil {
			t.Errorf("Claim() = job %s, want none", c.Job.ID)
		}
		// It is a live job: identical requests join it.
		dup, isDup, err := q.Enqueue(context.Background(), queue.EnqueueRequest{Kind: "text.echo", Owner: "svc-a", DedupKey: "d1", ClaimAs: "other"})
		if err != nil || !isDup || dup.ID != j.ID || dup.LeasedTo("other") {
			t.Fatalf("duplicate Enqueue = %+v, %v, %v; want job %s, not leased to other", dup, isDup, err, j.ID)
		}
		if got := get(t, q, j.ID); got.Status != queue.StatusRunning || !got.LeasedTo("me") {
			t.Errorf("Get = %+v, want running under lease me", got)
		}
		if st := complete(t, q, j, queue.Outcome{Status: queue.StatusSucceeded, Result: []byte(`{"ok":true}`)}); st != queue.StatusSucceeded {
			t.Fatalf("Complete = %s, want succeeded", st)
		}
		active, err := q.Active(context.Background(), "svc-a")
		if err != nil || len(active) != 0 {
			t.Errorf("Active = %v, %v; want none", active, err)
		}
		// The dedup entry went with the job.
		next := enqueue(t, q, queue.EnqueueRequest{DedupKey: "d1"})
		if next.ID == j.ID {
			t.Errorf("Enqueue after the job ended joined it")
		}
	})
}

func TestEnqueueClaimOnlyWhenItCanRunNow(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		tests := []struct {
			name    string
			cfg     queue.Config
			setup   func(t *testing.T, q *queue.Queue)
			ahead   bool
			claimed bool
		}{
			{name: "idle queue", claimed: true},
			{
				name:  "a job waits before it",
				setup: func(t *testing.T, q *queue.Queue) { enqueue(t, q, queue.EnqueueRequest{}) },
			},
			{
				name:    "a job waits before it, claim ahead",
				setup:   func(t *testing.T, q *queue.Queue) { enqueue(t, q, queue.EnqueueRequest{}) },
				ahead:   true,
				claimed: true,
			},
			{
				name: "in-flight cap reached",
				cfg:  queue.Config{MaxInFlight: 1},
				setup: func(t *testing.T, q *queue.Queue) {
					enqueue(t, q, queue.EnqueueRequest{})
					claimJob(t, q, "w")
				},
				ahead: true,
			},
			{
				name: "paused by back-pressure",
				setup: func(t *testing.T, q *queue.Queue) {
					enqueue(t, q, queue.EnqueueRequest{})
					j := claimJob(t, q, "w")
					complete(t, q, j, queue.Outcome{Handback: true, Pause: time.Minute})
				},
				ahead: true,
			},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				q := newQueue(rdb, redistest.Prefix(t, rdb), tc.cfg)
				if tc.setup != nil {
					tc.setup(t, q)
				}
				before := stats(t, q)
				j := enqueue(t, q, queue.EnqueueRequest{ClaimAs: "me", ClaimAhead: tc.ahead})
				if got := j.LeasedTo("me"); got != tc.claimed {
					t.Fatalf("claimed = %v (job %+v), want %v", got, j, tc.claimed)
				}
				after := stats(t, q)
				if tc.claimed && (after.Running != before.Running+1 || after.Queued != before.Queued) {
					t.Errorf("stats %+v after %+v, want one more running", after, before)
				}
				if !tc.claimed && (j.Status != queue.StatusQueued || after.Queued != before.Queued+1) {
					t.Errorf("job %+v, stats %+v after %+v: want one more queued", j, after, before)
				}
			})
		}
	})
}

func TestPoolLendsFreeSlots(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		n := startNotifier(t, rdb, prefix)
		release := make(chan struct{})
		ran := make(chan string, 4)
		r := queue.NewRunner(queue.RunnerConfig{Handlers: queue.HandlerMap{"text.echo": queue.HandlerFunc(func(ctx context.Context, j *queue.Job) (queue.Result, error) {
			ran <- j.ID
			<-release
			return queue.Result{Value: []byte(`{"echo":true}`)}, nil
		})}, Notifier: n, Metrics: nil, Logger: discard})
		// Idle workers wait for a wake-up, holding no slot.
		p := queue.NewPool(q, r, 2, discard)
		p.Idle = time.Hour
		if s := p.TrySlot(); s != nil {
			t.Fatal("TrySlot before Run lent a slot")
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := runPool(p, ctx, context.Background())

		var s1, s2 *queue.Slot
		waitFor(t, waitTimeout, "both slots free while the pool runs", func() bool {
			if s1 == nil {
				s1 = p.TrySlot()
			}
			if s2 == nil {
				s2 = p.TrySlot()
			}
			return s1 != nil && s2 != nil
		})
		if s3 := p.TrySlot(); s3 != nil {
			t.Fatal("TrySlot lent a third slot of 2")
		}
		s2.Release()
		s2.Release() // twice is harmless

		j := enqueue(t, q, queue.EnqueueRequest{ClaimAs: s1.Token()})
		if !j.LeasedTo(s1.Token()) {
			t.Fatalf("Enqueue(ClaimAs) = %+v, want it claimed", j)
		}
		out := s1.Run(j)
		if id := <-ran; id != j.ID {
			t.Fatalf("ran %s, want %s", id, j.ID)
		}
		// While the lent slot runs a job, a queued job takes the other slot and
		// nothing else can be lent.
		other := enqueue(t, q, queue.EnqueueRequest{})
		if id := <-ran; id != other.ID {
			t.Fatalf("ran %s, want %s", id, other.ID)
		}
		if s := p.TrySlot(); s != nil {
			t.Fatal("TrySlot lent a slot while both run jobs")
		}
		close(release)
		res := <-out
		if res.Err != nil || res.Job.Status != queue.StatusSucceeded || string(res.Job.Result) != `{"echo":true}` || res.Job.FinishedAt == nil {
			t.Fatalf("Run = %+v, %v; want succeeded with the result", res.Job, res.Err)
		}
		if got := get(t, q, j.ID); got.Status != queue.StatusSucceeded || string(got.Result) != `{"echo":true}` {
			t.Errorf("stored job %+v, want succeeded with the result", got)
		}
		waitFor(t, waitTimeout, "a free slot again", func() bool {
			s := p.TrySlot()
			if s != nil {
				s.Release()
			}
			return s != nil
		})
		cancel()
		waitClosed(t, done, "the pool to stop")
		if s := p.TrySlot(); s != nil {
			t.Error("TrySlot after Run returned lent a slot")
		}
	})
}
