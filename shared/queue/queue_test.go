package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

func TestPriorityOrder(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})

		// Each step enqueues one job; pos is its 1-based position right after.
		steps := []struct {
			name string
			prio queue.Priority
			pos  int
		}{
			{"l1", queue.PriorityLow, 1},    // l1
			{"n1", queue.PriorityNormal, 1}, // n1 l1
			{"h1", queue.PriorityHigh, 1},   // h1 n1 l1
			{"u1", queue.PriorityUrgent, 1}, // u1 h1 n1 l1
			{"l2", queue.PriorityLow, 5},    // u1 h1 n1 l1 l2
			{"n2", queue.PriorityNormal, 4}, // u1 h1 n1 n2 l1 l2
			{"u2", queue.PriorityUrgent, 2}, // u1 u2 h1 n1 n2 l1 l2
			{"h2", queue.PriorityHigh, 4},   // u1 u2 h1 h2 n1 n2 l1 l2
			{"n3", "", 7},                   // u1 u2 h1 h2 n1 n2 n3 l1 l2 ("" is normal)
			{"l3", queue.PriorityLow, 10},   // ... l1 l2 l3
			{"u3", queue.PriorityUrgent, 3}, // u1 u2 u3 h1 h2 n1 n2 n3 l1 l2 l3
			{"h3", queue.PriorityHigh, 6},   // u1 u2 u3 h1 h2 h3 n1 n2 n3 l1 l2 l3
		}
		wantOrder := []string{"u1", "u2", "u3", "h1", "h2", "h3", "n1", "n2", "n3", "l1", "l2", "l3"}
		wantPrio := map[byte]queue.Priority{'u': queue.PriorityUrgent, 'h': queue.PriorityHigh, 'n': queue.PriorityNormal, 'l': queue.PriorityLow}

		names := map[string]string{} // id -> name
		ids := map[string]string{}   // name -> id
		for _, s := range steps {
			j := enqueue(t, q, queue.EnqueueRequest{Priority: s.prio})
			if j.Position != s.pos {
				t.Errorf("Enqueue(%s, %q).Position = %d, want %d", s.name, s.prio, j.Position, s.pos)
			}
			if want := wantPrio[s.name[0]]; j.Priority != want || j.Status != queue.StatusQueued || j.CreatedAt == nil {
				t.Errorf("Enqueue(%s) = priority %q status %q created %v, want %q queued with a time", s.name, j.Priority, j.Status, j.CreatedAt, want)
			}
			names[j.ID], ids[s.name] = s.name, j.ID
		}
		for i, name := range wantOrder {
			if got := get(t, q, ids[name]); got.Position != i+1 || got.Priority != wantPrio[name[0]] {
				t.Errorf("Get(%s) = position %d priority %q, want %d %q", name, got.Position, got.Priority, i+1, wantPrio[name[0]])
			}
		}

		var got []string
		for range wantOrder {
			j := claimJob(t, q, "w1")
			got = append(got, names[j.ID])
			if j.Status != queue.StatusRunning || j.Attempts != 1 || j.Position != 0 || j.StartedAt == nil {
				t.Errorf("Claim() = %s status %q attempts %d position %d started %v, want running, 1, 0, set",
					names[j.ID], j.Status, j.Attempts, j.Position, j.StartedAt)
			}
		}
		if diff := cmp.Diff(wantOrder, got); diff != "" {
			t.Errorf("claim order (-want +got):\n%s", diff)
		}
		if c := claim(t, q, "w1"); c.Job != nil || c.Busy || c.Paused != 0 {
			t.Errorf("Claim() on an empty queue = %+v, want nothing", c)
		}
	})
}

func TestPrioritize(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := newQueue(rdb, prefix, queue.Config{})

		ids := map[string]string{}
		names := map[string]string{}
		for _, s := range []struct {
			name string
			prio queue.Priority
		}{{"a", queue.PriorityNormal}, {"b", queue.PriorityNormal}, {"c", queue.PriorityLow}, {"d", queue.PriorityLow}} {
			id := enqueue(t, q, queue.EnqueueRequest{Priority: s.prio}).ID
			ids[s.name], names[id] = id, s.name
		}
		// Starting order: a b c d. A moved job keeps its arrival place within
		// its new band.
		moves := []struct {
			name    string
			to      queue.Priority
			wantPos int
			after   []string
		}{
			{"d", queue.PriorityHigh, 1, []string{"d", "a", "b", "c"}},
			{"a", queue.PriorityLow, 3, []string{"d", "b", "a", "c"}}, // a arrived before c
			{"c", queue.PriorityUrgent, 1, []string{"c", "d", "b", "a"}},
			{"d", queue.PriorityNormal, 3, []string{"c", "b", "d", "a"}}, // d arrived after b
			{"b", queue.PriorityNormal, 2, []string{"c", "b", "d", "a"}}, // no change
			{"a", queue.PriorityNormal, 2, []string{"c", "a", "b", "d"}}, // a is the oldest normal job
		}
		for _, m := range moves {
			j, err := q.Prioritize(ctx, ids[m.name], m.to)
			if err != nil {
				t.Fatalf("Prioritize(%s, %q) = %v", m.name, m.to, err)
			}
			if j.Position != m.wantPos || j.Priority != m.to || j.Status != queue.StatusQueued {
				t.Errorf("Prioritize(%s, %q) = position %d priority %q status %q, want %d %q queued",
					m.name, m.to, j.Position, j.Priority, j.Status, m.wantPos, m.to)
			}
			for i, name := range m.after {
				if got := get(t, q, ids[name]).Position; got != i+1 {
					t.Errorf("after Prioritize(%s, %q): Get(%s).Position = %d, want %d", m.name, m.to, name, got, i+1)
				}
			}
		}
		claimed := map[string]*queue.Job{}
		var order []string
		for range 4 {
			j := claimJob(t, q, "w")
			claimed[names[j.ID]] = j
			order = append(order, names[j.ID])
		}
		if diff := cmp.Diff([]string{"c", "a", "b", "d"}, order); diff != "" {
			t.Errorf("claim order (-want +got):\n%s", diff)
		}
		if claimed["a"].Priority != queue.PriorityNormal {
			t.Errorf("claimed a has priority %q, want normal", claimed["a"].Priority)
		}

		if _, err := q.Prioritize(ctx, ids["c"], queue.PriorityHigh); !errors.Is(err, queue.ErrWrongState) {
			t.Errorf("Prioritize(running) = %v, want ErrWrongState", err)
		}
		complete(t, q, claimed["c"], queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`)})
		if _, err := q.Prioritize(ctx, ids["c"], queue.PriorityHigh); !errors.Is(err, queue.ErrWrongState) {
			t.Errorf("Prioritize(finished) = %v, want ErrWrongState", err)
		}
		if _, err := q.Prioritize(ctx, "text_missing", queue.PriorityHigh); !isNotFound(err) {
			t.Errorf("Prioritize(unknown) = %v, want ErrJobNotFound", err)
		}
	})
}

func TestCancel(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()

		t.Run("queued", func(t *testing.T) {
			t.Parallel()
			q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{})
			j := enqueue(t, q, queue.EnqueueRequest{})
			other := enqueue(t, q, queue.EnqueueRequest{})
			res, err := q.Cancel(ctx, j.ID)
			if err != nil || res != queue.Canceled {
				t.Fatalf("Cancel(queued) = %v, %v, want Canceled", res, err)
			}
			got := get(t, q, j.ID)
			if got.Status != queue.StatusCanceled || got.ErrorCode() != "JOB_CANCELED" || got.FinishedAt == nil || got.Position != 0 {
				t.Errorf("Get(canceled) = status %q code %q finished %v position %d, want canceled JOB_CANCELED, set, 0",
					got.Status, got.ErrorCode(), got.FinishedAt, got.Position)
			}
			if p := get(t, q, other.ID).Position; p != 1 {
				t.Errorf("Get(other).Position = %d, want 1", p)
			}
			if st := stats(t, q); st.Queued != 1 || st.Canceled1h != 1 {
				t.Errorf("Stats() = %+v, want Queued 1 Canceled1h 1", st)
			}
			if c := claimJob(t, q, "w"); c.ID != other.ID {
				t.Errorf("Claim() = %s, want %s", c.ID, other.ID)
			}
			if c := claim(t, q, "w"); c.Job != nil {
				t.Errorf("Claim() = %s, want none: the canceled job left the queue", c.Job.ID)
			}
		})

		t.Run("retry waiting", func(t *testing.T) {
			t.Parallel()
			q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{})
			enqueue(t, q, queue.EnqueueRequest{})
			j := claimJob(t, q, "w")
			complete(t, q, j, queue.Outcome{Retry: true, RetryIn: time.Hour, Error: json.RawMessage(`{"code":"X"}`)})
			if res, err := q.Cancel(ctx, j.ID); err != nil || res != queue.Canceled {
				t.Fatalf("Cancel(retry waiting) = %v, %v, want Canceled", res, err)
			}
			if st := stats(t, q); st.Queued != 0 {
				t.Errorf("Stats().Queued = %d, want 0", st.Queued)
			}
		})

		t.Run("finished and missing", func(t *testing.T) {
			t.Parallel()
			q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{})
			enqueue(t, q, queue.EnqueueRequest{})
			j := claimJob(t, q, "w")
			complete(t, q, j, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{"a":1}`)})
			if _, err := q.Cancel(ctx, j.ID); !errors.Is(err, queue.ErrWrongState) {
				t.Errorf("Cancel(finished) = %v, want ErrWrongState", err)
			}
			if got := get(t, q, j.ID); got.Status != queue.StatusSucceeded {
				t.Errorf("Get(finished).Status = %q after Cancel, want succeeded", got.Status)
			}
			if _, err := q.Cancel(ctx, "text_nope"); !isNotFound(err) {
				t.Errorf("Cancel(missing) = %v, want ErrJobNotFound", err)
			}
		})
	})
}

func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := newQueue(rdb, prefix, queue.Config{Lease: 300 * time.Millisecond, Outbox: true})
		id := enqueue(t, q, queue.EnqueueRequest{}).ID

		a := claimJob(t, q, "worker-a")
		// Worker A dies: it never renews nor completes. Worker B keeps claiming
		// until the lease runs out and it recovers the job.
		recovered := 0
		var b *queue.Job
		waitFor(t, waitTimeout, "worker B to recover the job", func() bool {
			c := claim(t, q, "worker-b")
			recovered += c.Recovered
			b = c.Job
			return b != nil
		})
		if b.ID != id || b.Attempts != 2 {
			t.Fatalf("recovered Claim() = %s attempts %d, want %s attempts 2", b.ID, b.Attempts, id)
		}
		if recovered != 1 {
			t.Errorf("Claim().Recovered summed = %d, want 1", recovered)
		}

		if _, err := q.Complete(ctx, a, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{"by":"a"}`)}); !errors.Is(err, queue.ErrLeaseLost) {
			t.Fatalf("late Complete(A) = %v, want ErrLeaseLost", err)
		}
		if _, err := q.Renew(ctx, a); !errors.Is(err, queue.ErrLeaseLost) {
			t.Errorf("late Renew(A) = %v, want ErrLeaseLost", err)
		}
		if got := get(t, q, id); got.Status != queue.StatusRunning || got.Result != nil {
			t.Errorf("after late Complete(A): status %q result %s, want running, none", got.Status, got.Result)
		}
		if cancel, err := q.Renew(ctx, b); err != nil || cancel {
			t.Errorf("Renew(B) = %v, %v, want false, nil", cancel, err)
		}
		if st := complete(t, q, b, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{"by":"b"}`)}); st != queue.StatusSucceeded {
			t.Errorf("Complete(B) = %q, want succeeded", st)
		}
		if _, err := q.Complete(ctx, b, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{"by":"b2"}`)}); !errors.Is(err, queue.ErrLeaseLost) {
			t.Errorf("second Complete(B) = %v, want ErrLeaseLost", err)
		}
		got := get(t, q, id)
		if got.Status != queue.StatusSucceeded || string(got.Result) != `{"by":"b"}` {
			t.Errorf("Get() = %q %s, want succeeded {\"by\":\"b\"}", got.Status, got.Result)
		}
		if st := stats(t, q); st.Succeeded1h != 1 || st.Running != 0 {
			t.Errorf("Stats() = %+v, want Succeeded1h 1 Running 0", st)
		}
		if n := len(outboxEvents(t, rdb, q)); n != 1 {
			t.Errorf("outbox has %d events, want 1", n)
		}
	})
}

func TestHousekeepingOncePerInterval(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		cfg := queue.Config{Lease: 50 * time.Millisecond, Housekeeping: time.Hour}
		q := newQueue(rdb, prefix, cfg)
		cfg.Name, cfg.Prefix = "text", prefix
		id := enqueue(t, q, queue.EnqueueRequest{}).ID
		j := claimJob(t, q, "worker-a") // this claim's housekeeping starts the hour
		waitFor(t, waitTimeout, "the lease to expire", func() bool {
			return redisNow(t, rdb).After(j.StartedAt.Add(cfg.Lease))
		})
		// Neither this process nor another one looks for expired leases again
		// within the interval.
		for _, q := range []*queue.Queue{q, queue.New(rdb, cfg)} {
			if c := claim(t, q, "worker-b"); c.Job != nil || c.Recovered != 0 {
				t.Errorf("Claim() within the housekeeping interval = %+v, want nothing recovered", c)
			}
		}
		if got := get(t, q, id); got.Status != queue.StatusRunning {
			t.Errorf("Get().Status = %q, want running (not yet recovered)", got.Status)
		}
	})
}

// TestAbandonedCancelRequested: a job whose worker died after its cancel
// was requested is canceled when its lease is recovered, not run again.
func TestAbandonedCancelRequested(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{Lease: 200 * time.Millisecond})
		id := enqueue(t, q, queue.EnqueueRequest{}).ID
		claimJob(t, q, "worker-a") // and abandon it
		if res, err := q.Cancel(context.Background(), id); err != nil || res != queue.Signalled {
			t.Fatalf("Cancel(running) = %v, %v, want Signalled", res, err)
		}
		recovered := 0
		waitFor(t, waitTimeout, "the abandoned job to be recovered", func() bool {
			c := claim(t, q, "worker-b")
			if c.Job != nil {
				t.Fatalf("Claim() = %s, want the cancel-requested job not to run again", c.Job.ID)
			}
			recovered += c.Recovered
			return recovered > 0
		})
		if got := get(t, q, id); got.Status != queue.StatusCanceled || got.ErrorCode() != "JOB_CANCELED" {
			t.Errorf("Get() = %q %q, want canceled JOB_CANCELED", got.Status, got.ErrorCode())
		}
	})
}

func TestAbandonedLeasesExhaustAttempts(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{Lease: 200 * time.Millisecond, MaxAttempts: 2})
		id := enqueue(t, q, queue.EnqueueRequest{}).ID

		claims, recovered := 0, 0
		waitFor(t, waitTimeout, "the abandoned job to fail", func() bool {
			c := claim(t, q, fmt.Sprintf("worker-%d", claims))
			recovered += c.Recovered
			if c.Job != nil {
				claims++ // and abandon it
			}
			return get(t, q, id).Status.Final()
		})
		got := get(t, q, id)
		if got.Status != queue.StatusFailed || got.ErrorCode() != "ATTEMPTS_EXHAUSTED" || got.Attempts != 2 {
			t.Errorf("Get() = %q %q attempts %d, want failed ATTEMPTS_EXHAUSTED 2", got.Status, got.ErrorCode(), got.Attempts)
		}
		if claims != 2 || recovered != 2 {
			t.Errorf("claims = %d recovered = %d, want 2 and 2", claims, recovered)
		}
	})
}

func TestDedup(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := newQueue(rdb, prefix, queue.Config{})

		const n = 50
		type res struct {
			id  string
			dup bool
			err error
		}
		out := make([]res, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				j, dup, err := q.Enqueue(ctx, queue.EnqueueRequest{Kind: "text.echo", Owner: "svc-a", DedupKey: "same", Payload: []byte(fmt.Sprintf(`{"i":%d}`, i))})
				if err != nil {
					out[i] = res{err: err}
					return
				}
				out[i] = res{id: j.ID, dup: dup}
			}()
		}
		close(start)
		wg.Wait()
		firsts, ids := 0, map[string]bool{}
		for i, r := range out {
			if r.err != nil {
				t.Fatalf("Enqueue #%d = %v", i, r.err)
			}
			ids[r.id] = true
			if !r.dup {
				firsts++
			}
		}
		if firsts != 1 || len(ids) != 1 {
			t.Fatalf("concurrent Enqueue: %d created, %d distinct ids, want 1 and 1", firsts, len(ids))
		}
		if st := stats(t, q); st.Queued != 1 {
			t.Errorf("Stats().Queued = %d, want 1", st.Queued)
		}
		var id string
		for k := range ids {
			id = k
		}

		other := enqueue(t, q, queue.EnqueueRequest{DedupKey: "different"})
		if other.ID == id {
			t.Errorf("Enqueue(different key) = %s, want a new job", other.ID)
		}

		// Still a duplicate while running.
		j := claimJob(t, q, "w")
		if j.ID != id {
			t.Fatalf("Claim() = %s, want %s", j.ID, id)
		}
		d, dup, err := q.Enqueue(ctx, queue.EnqueueRequest{Kind: "text.echo", DedupKey: "same"})
		if err != nil || !dup || d.ID != id || d.Status != queue.StatusRunning {
			t.Errorf("Enqueue(running dup) = %v dup %v err %v, want %s running dup", d, dup, err, id)
		}

		complete(t, q, j, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`)})
		again := enqueue(t, q, queue.EnqueueRequest{DedupKey: "same"})
		if again.ID == id {
			t.Errorf("Enqueue(same key) after the job finished = %s, want a new job", again.ID)
		}
	})
}

func TestQueueFull(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{MaxDepth: 3})
		for range 3 {
			enqueue(t, q, queue.EnqueueRequest{})
		}
		if _, _, err := q.Enqueue(context.Background(), queue.EnqueueRequest{Kind: "text.echo"}); !errors.Is(err, queue.ErrQueueFull) {
			t.Fatalf("4th Enqueue() = %v, want ErrQueueFull", err)
		}
		claimJob(t, q, "w")
		enqueue(t, q, queue.EnqueueRequest{}) // room again
	})
}

func TestQueueTimeout(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := newQueue(rdb, prefix, queue.Config{QueueTimeout: 200 * time.Millisecond})
		id := enqueue(t, q, queue.EnqueueRequest{DedupKey: "k"}).ID

		// Claiming a job id that does not exist sweeps timed-out jobs without
		// taking the one under test.
		waitFor(t, waitTimeout, "the queued job to time out", func() bool {
			if _, err := q.Claim(ctx, "sweeper", "text_none"); err != nil {
				t.Fatalf("Claim() = %v", err)
			}
			return get(t, q, id).Status.Final()
		})
		got := get(t, q, id)
		if got.Status != queue.StatusFailed || got.ErrorCode() != "QUEUE_TIMEOUT" || got.Attempts != 0 {
			t.Errorf("Get() = %q %q attempts %d, want failed QUEUE_TIMEOUT 0", got.Status, got.ErrorCode(), got.Attempts)
		}
		if c := claim(t, q, "w"); c.Job != nil {
			t.Errorf("Claim() = %s, want none", c.Job.ID)
		}
		if st := stats(t, q); st.Queued != 0 || st.Failed1h != 1 || st.OldestQueuedAgeS != 0 {
			t.Errorf("Stats() = %+v, want Queued 0 Failed1h 1 OldestQueuedAgeS 0", st)
		}
		// The dedup key died with the job.
		if again := enqueue(t, q, queue.EnqueueRequest{DedupKey: "k"}); again.ID == id {
			t.Errorf("Enqueue(same key) = %s, want a new job", again.ID)
		}
	})
}

func TestQueuedJobOutlivesShortRetention(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		// Retention of finished jobs is shorter than the time the job waits.
		q := newQueue(rdb, prefix, queue.Config{JobTTL: 100 * time.Millisecond})
		j := enqueue(t, q, queue.EnqueueRequest{Payload: []byte(`{"p":1}`)})
		waitFor(t, waitTimeout, "three retention periods to pass", func() bool {
			return redisNow(t, rdb).Sub(j.CreatedAt.Time) > 300*time.Millisecond
		})
		got, err := q.Get(ctx, j.ID)
		if err != nil {
			t.Fatalf("Get(job queued past JobTTL but within QueueTimeout) = %v, want the job", err)
		}
		if got.Status != queue.StatusQueued {
			t.Errorf("Get().Status = %q, want queued", got.Status)
		}
		c := claimJob(t, q, "w")
		if c.ID != j.ID || string(c.Payload) != `{"p":1}` {
			t.Errorf("Claim() = %s payload %s, want %s {\"p\":1}", c.ID, c.Payload, j.ID)
		}
	})
}

func TestRetention(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()

		t.Run("ttl set on finish", func(t *testing.T) {
			t.Parallel()
			const ttl = time.Hour
			prefix := redistest.Prefix(t, rdb)
			q := newQueue(rdb, prefix, queue.Config{JobTTL: ttl})
			enqueue(t, q, queue.EnqueueRequest{})
			j := claimJob(t, q, "w")
			complete(t, q, j, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`)})
			pttl, err := rdb.PTTL(ctx, "{"+prefix+"text}:job:"+j.ID).Result()
			if err != nil {
				t.Fatal(err)
			}
			if pttl <= 0 || pttl > ttl {
				t.Errorf("PTTL(finished job) = %v, want in (0, %v]", pttl, ttl)
			}
		})

		t.Run("finished job disappears", func(t *testing.T) {
			t.Parallel()
			q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{JobTTL: 300 * time.Millisecond})
			j, err := q.PutSucceeded(ctx, queue.EnqueueRequest{Kind: "text.echo", Owner: "svc-a"}, []byte(`{"x":1}`))
			if err != nil {
				t.Fatal(err)
			}
			get(t, q, j.ID)
			waitFor(t, waitTimeout, "the finished job to expire", func() bool {
				_, err := q.Get(ctx, j.ID)
				return isNotFound(err)
			})
		})

		t.Run("worked job disappears", func(t *testing.T) {
			t.Parallel()
			q := newQueue(rdb, redistest.Prefix(t, rdb), queue.Config{FailedJobTTL: 300 * time.Millisecond})
			enqueue(t, q, queue.EnqueueRequest{})
			j := claimJob(t, q, "w")
			complete(t, q, j, queue.Outcome{Status: queue.StatusFailed, Error: json.RawMessage(`{"code":"X"}`), ErrorCode: "X"})
			waitFor(t, waitTimeout, "the failed job to expire", func() bool {
				_, err := q.Get(ctx, j.ID)
				return isNotFound(err)
			})
		})
	})
}

func TestStats(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		if st := stats(t, q); st != (queue.Stats{}) {
			t.Errorf("Stats() of an empty queue = %+v, want zero", st)
		}
		var ids []string
		for range 6 {
			ids = append(ids, enqueue(t, q, queue.EnqueueRequest{}).ID)
		}
		succ := claimJob(t, q, "w")
		complete(t, q, succ, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`)})
		fail := claimJob(t, q, "w")
		complete(t, q, fail, queue.Outcome{Status: queue.StatusFailed, Error: json.RawMessage(`{"code":"X"}`)})
		if _, err := q.Cancel(context.Background(), ids[5]); err != nil {
			t.Fatal(err)
		}
		claimJob(t, q, "w") // ids[2] running
		// queued: ids[3], ids[4]; the oldest is ids[3]
		oldest := get(t, q, ids[3]).CreatedAt.Time

		before := redisNow(t, rdb)
		st := stats(t, q)
		after := redisNow(t, rdb)
		if st.Queued != 2 || st.Running != 1 || st.Succeeded1h != 1 || st.Failed1h != 1 || st.Canceled1h != 1 || st.PausedForS != 0 {
			t.Errorf("Stats() = %+v, want Queued 2 Running 1 Succeeded1h 1 Failed1h 1 Canceled1h 1", st)
		}
		lo := before.Sub(oldest).Truncate(time.Millisecond).Seconds() - 0.001
		hi := after.Sub(oldest).Seconds() + 0.001
		if st.OldestQueuedAgeS < lo || st.OldestQueuedAgeS > hi {
			t.Errorf("Stats().OldestQueuedAgeS = %v, want in [%v, %v]", st.OldestQueuedAgeS, lo, hi)
		}
	})
}

func TestMaxInFlight(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{MaxInFlight: 1})
		enqueue(t, q, queue.EnqueueRequest{})
		second := enqueue(t, q, queue.EnqueueRequest{})
		first := claimJob(t, q, "w1")
		if c := claim(t, q, "w2"); !c.Busy || c.Job != nil {
			t.Fatalf("Claim() with one running = %+v, want Busy", c)
		}
		if _, err := q.Claim(context.Background(), "w2", second.ID); err != nil {
			t.Fatal(err)
		} else if got := get(t, q, second.ID); got.Status != queue.StatusQueued {
			t.Errorf("named Claim() while busy took the job: status %q", got.Status)
		}
		complete(t, q, first, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`)})
		if c := claimJob(t, q, "w2"); c.ID != second.ID {
			t.Errorf("Claim() after completion = %s, want %s", c.ID, second.ID)
		}
	})
}

func TestClaimNamedJob(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := newQueue(rdb, prefix, queue.Config{})
		first := enqueue(t, q, queue.EnqueueRequest{})
		second := enqueue(t, q, queue.EnqueueRequest{})
		c, err := q.Claim(ctx, "inline", second.ID)
		if err != nil || c.Job == nil || c.Job.ID != second.ID {
			t.Fatalf("Claim(%s) = %+v, %v, want that job", second.ID, c, err)
		}
		if c, err := q.Claim(ctx, "inline", second.ID); err != nil || c.Job != nil {
			t.Errorf("Claim(%s) again = %+v, %v, want none", second.ID, c, err)
		}
		if p := get(t, q, first.ID).Position; p != 1 {
			t.Errorf("Get(first).Position = %d, want 1", p)
		}
	})
}

func TestPutSucceeded(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := newQueue(rdb, prefix, queue.Config{})
		result := json.RawMessage(`{"name":"Thorin","cached":true}`)
		put, err := q.PutSucceeded(ctx, queue.EnqueueRequest{Kind: "text.character", Owner: "svc-a", Priority: queue.PriorityHigh, Payload: []byte(`{"secret":1}`)}, result)
		if err != nil {
			t.Fatalf("PutSucceeded() = %v", err)
		}
		got := get(t, q, put.ID)
		if got.Status != queue.StatusSucceeded || string(got.Result) != string(result) || got.Kind != "text.character" ||
			got.Owner != "svc-a" || got.Priority != queue.PriorityHigh || got.FinishedAt == nil || got.Position != 0 || len(got.Payload) != 0 {
			t.Errorf("Get(PutSucceeded) = %+v, want succeeded text.character svc-a high with the result and no payload", got)
		}
		if got.Queue() != "text" || queue.QueueOf(got.ID) != "text" {
			t.Errorf("Queue() = %q QueueOf(%s) = %q, want text", got.Queue(), got.ID, queue.QueueOf(got.ID))
		}
		if st := stats(t, q); st.Queued != 0 || st.Running != 0 || st.Succeeded1h != 1 {
			t.Errorf("Stats() = %+v, want Queued 0 Running 0 Succeeded1h 1", st)
		}
		if _, err := q.Cancel(ctx, put.ID); !errors.Is(err, queue.ErrWrongState) {
			t.Errorf("Cancel(PutSucceeded) = %v, want ErrWrongState", err)
		}
	})
}

func TestActive(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := newQueue(rdb, prefix, queue.Config{})
		a1 := enqueue(t, q, queue.EnqueueRequest{Owner: "a"})
		a2 := enqueue(t, q, queue.EnqueueRequest{Owner: "a"})
		enqueue(t, q, queue.EnqueueRequest{Owner: "b"})
		a3 := enqueue(t, q, queue.EnqueueRequest{Owner: "a"})
		if _, err := q.Cancel(ctx, a3.ID); err != nil {
			t.Fatal(err)
		}
		claimJob(t, q, "w") // a1 running
		jobs, err := q.Active(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]queue.Status{}
		for _, j := range jobs {
			got[j.ID] = j.Status
		}
		want := map[string]queue.Status{a1.ID: queue.StatusRunning, a2.ID: queue.StatusQueued}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Active(a) (-want +got):\n%s", diff)
		}
	})
}

func TestJobJSON(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		put, err := q.PutSucceeded(context.Background(), queue.EnqueueRequest{Kind: "text.echo", Owner: "o", RequestID: "r1", CorrelationID: "c1"}, []byte(`{"a":1}`))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(get(t, q, put.ID))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, hidden := range []string{"payload", "Payload", "RequestID", "CorrelationID", "Destination", "position", "error"} {
			if _, ok := m[hidden]; ok {
				t.Errorf("job JSON %s has %q", b, hidden)
			}
		}
		for _, k := range []string{"created_at", "started_at", "finished_at"} {
			s, _ := m[k].(string)
			if _, err := time.Parse("2006-01-02T15:04:05.000Z", s); err != nil {
				t.Errorf("job JSON %s = %q, want RFC 3339 UTC with milliseconds", k, s)
			}
		}
		var back queue.Job
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s) = %v", b, err)
		}
		if !back.FinishedAt.Equal(put.FinishedAt.Time) {
			t.Errorf("round-tripped finished_at = %v, want %v", back.FinishedAt, put.FinishedAt)
		}
	})
}

func TestParsePriority(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want queue.Priority
		ok   bool
	}{
		{"", queue.PriorityNormal, true},
		{"low", queue.PriorityLow, true},
		{"normal", queue.PriorityNormal, true},
		{"high", queue.PriorityHigh, true},
		{"urgent", queue.PriorityUrgent, true},
		{"URGENT", "", false},
		{"critical", "", false},
	}
	for _, tc := range tests {
		got, ok := queue.ParsePriority(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParsePriority(%q) = %q, %v, want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStatusFinal(t *testing.T) {
	t.Parallel()
	for s, want := range map[queue.Status]bool{
		queue.StatusQueued: false, queue.StatusRunning: false,
		queue.StatusSucceeded: true, queue.StatusFailed: true, queue.StatusCanceled: true,
	} {
		if got := s.Final(); got != want {
			t.Errorf("%q.Final() = %v, want %v", s, got, want)
		}
	}
}

func TestJobIDs(t *testing.T) {
	t.Parallel()
	a, b := queue.NewJobID("image"), queue.NewJobID("image")
	if a == b || queue.QueueOf(a) != "image" || len(a) != len("image_")+24 {
		t.Errorf("NewJobID(image) = %q, %q, want distinct image_<24 hex>", a, b)
	}
	if got := queue.QueueOf("nounderscore"); got != "" {
		t.Errorf("QueueOf(nounderscore) = %q, want \"\"", got)
	}
	pattern := queue.IDPattern("text", "image")
	if want := "^(image|text)_[0-9a-f]{24}$"; pattern != want {
		t.Errorf("IDPattern(text, image) = %q, want %q", pattern, want)
	}
	re := regexp.MustCompile(pattern)
	for _, id := range []string{a, queue.NewJobID("text")} {
		if !re.MatchString(id) {
			t.Errorf("IDPattern(text, image) does not match NewJobID's %q", id)
		}
	}
	for _, id := range []string{"status", "prioritize", "text_" + strings.Repeat("0", 23), "text_" + strings.Repeat("A", 24),
		"w_" + strings.Repeat("0", 24), "text_" + strings.Repeat("0", 24) + "\n", queue.NewJobID("lambda")} {
		if re.MatchString(id) {
			t.Errorf("IDPattern(text, image) matches %q", id)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{0, 250 * time.Millisecond, 500 * time.Millisecond},
		{1, 250 * time.Millisecond, 500 * time.Millisecond},
		{2, 500 * time.Millisecond, time.Second},
		{3, time.Second, 2 * time.Second},
		{7, 15 * time.Second, 30 * time.Second},
		{8, 15 * time.Second, 30 * time.Second},
		{50, 15 * time.Second, 30 * time.Second},
	}
	for _, tc := range tests {
		for range 50 {
			if got := queue.Backoff(tc.attempt); got < tc.lo || got > tc.hi {
				t.Errorf("Backoff(%d) = %v, want in [%v, %v]", tc.attempt, got, tc.lo, tc.hi)
				break
			}
		}
	}
}
