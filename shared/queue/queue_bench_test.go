package queue_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// The benchmarks run on the real Redis of redistest, one round trip per
// operation, so ns/op is dominated by the loopback round trip and the
// script's work inside Redis. Each also reports script-µs/op: the time
// Redis spent running scripts per operation (INFO commandstats, so other
// clients of the same Redis add noise).

var benchPayload = []byte(`{"kind":"character","request":{"type":"personality","seed":1}}`)

// benchQueue returns a queue with room for every job a benchmark adds, and
// its Redis client.
func benchQueue(b *testing.B) (*queue.Queue, *redis.Client) {
	b.Helper()
	rdb, prefix := redistest.New(b)
	return queue.New(rdb, queue.Config{Name: "text", Prefix: prefix, MaxDepth: 1 << 30}), rdb
}

// scriptMicros is the total time Redis has spent in EVALSHA, in µs.
func scriptMicros(b *testing.B, rdb *redis.Client) int64 {
	b.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatalf("INFO commandstats: %v", err)
	}
	for _, line := range strings.Split(info, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_evalsha:")
		if !ok {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(kv, "usec="); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				return n
			}
		}
	}
	return 0
}

// reportScriptTime reports script-µs/op from a scriptMicros taken before
// the timed loop; call it after the loop.
func reportScriptTime(b *testing.B, rdb *redis.Client, before int64, ops int) {
	b.Helper()
	if ops > 0 {
		b.ReportMetric(float64(scriptMicros(b, rdb)-before)/float64(ops), "script-µs/op")
	}
}

func benchEnqueue(b *testing.B, q *queue.Queue, r queue.EnqueueRequest) *queue.Job {
	b.Helper()
	j, _, err := q.Enqueue(context.Background(), r)
	if err != nil {
		b.Fatalf("Enqueue: %v", err)
	}
	return j
}

// benchFill enqueues n jobs; callers reset the timer afterwards.
func benchFill(b *testing.B, q *queue.Queue, n int) {
	b.Helper()
	for range n {
		benchEnqueue(b, q, queue.EnqueueRequest{Kind: "character", Owner: "bench", Payload: benchPayload})
	}
}

func BenchmarkEnqueue(b *testing.B) {
	q, rdb := benchQueue(b)
	ctx := context.Background()
	b.ReportAllocs()
	before, n := scriptMicros(b, rdb), 0
	for b.Loop() {
		n++
		if _, _, err := q.Enqueue(ctx, queue.EnqueueRequest{Kind: "character", Owner: "bench", Payload: benchPayload}); err != nil {
			b.Fatalf("Enqueue: %v", err)
		}
	}
	reportScriptTime(b, rdb, before, n)
}

// BenchmarkEnqueueParallel shows how far concurrent producers scale on one
// connection pool.
func BenchmarkEnqueueParallel(b *testing.B) {
	q, _ := benchQueue(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, _, err := q.Enqueue(ctx, queue.EnqueueRequest{Kind: "character", Owner: "bench", Payload: benchPayload}); err != nil {
				b.Errorf("Enqueue: %v", err)
				return
			}
		}
	})
}

// BenchmarkEnqueueDuplicate is the de-duplication path: the dedup key names
// a live job, so Enqueue returns that job instead of adding one.
func BenchmarkEnqueueDuplicate(b *testing.B) {
	q, rdb := benchQueue(b)
	ctx := context.Background()
	r := queue.EnqueueRequest{Kind: "character", Owner: "bench", Payload: benchPayload, DedupKey: "same-request"}
	first := benchEnqueue(b, q, r)
	b.ReportAllocs()
	before, n := scriptMicros(b, rdb), 0
	for b.Loop() {
		n++
		j, dup, err := q.Enqueue(ctx, r)
		if err != nil || !dup || j.ID != first.ID {
			b.Fatalf("Enqueue(duplicate) = %v, %v, %v; want job %s, true, nil", j, dup, err, first.ID)
		}
	}
	reportScriptTime(b, rdb, before, n)
}

func BenchmarkClaim(b *testing.B) {
	q, rdb := benchQueue(b)
	ctx := context.Background()
	benchFill(b, q, b.N)
	b.ReportAllocs()
	before := scriptMicros(b, rdb)
	b.ResetTimer()
	for range b.N {
		c, err := q.Claim(ctx, "bench-worker", "")
		if err != nil || c.Job == nil {
			b.Fatalf("Claim = %+v, %v; want a job", c, err)
		}
	}
	b.StopTimer()
	reportScriptTime(b, rdb, before, b.N)
}

// BenchmarkClaimEmpty is a worker finding nothing to do: the claim a
// worker makes after each job and after each idle wait.
func BenchmarkClaimEmpty(b *testing.B) {
	q, rdb := benchQueue(b)
	ctx := context.Background()
	b.ReportAllocs()
	before, n := scriptMicros(b, rdb), 0
	for b.Loop() {
		n++
		c, err := q.Claim(ctx, "bench-worker", "")
		if err != nil || c.Job != nil {
			b.Fatalf("Claim = %+v, %v; want nothing", c, err)
		}
	}
	reportScriptTime(b, rdb, before, n)
}

func BenchmarkComplete(b *testing.B) {
	q, rdb := benchQueue(b)
	ctx := context.Background()
	benchFill(b, q, b.N)
	jobs := make([]*queue.Job, 0, b.N)
	for range b.N {
		c, err := q.Claim(ctx, "bench-worker", "")
		if err != nil || c.Job == nil {
			b.Fatalf("Claim = %+v, %v; want a job", c, err)
		}
		jobs = append(jobs, c.Job)
	}
	result := []byte(`{"type":"personality","content":{"voice":"slow"}}`)
	b.ReportAllocs()
	before := scriptMicros(b, rdb)
	b.ResetTimer()
	for _, j := range jobs {
		st, err := q.Complete(ctx, j, queue.Outcome{Status: queue.StatusSucceeded, Result: result})
		if err != nil || st != queue.StatusSucceeded {
			b.Fatalf("Complete = %v, %v; want succeeded", st, err)
		}
	}
	b.StopTimer()
	reportScriptTime(b, rdb, before, b.N)
}

// BenchmarkJobCycle is one job's whole life in the queue: enqueue, claim,
// complete, and the waiter's read of the finished job.
func BenchmarkJobCycle(b *testing.B) {
	q, rdb := benchQueue(b)
	ctx := context.Background()
	result := []byte(`{"type":"personality","content":{"voice":"slow"}}`)
	b.ReportAllocs()
	before, n := scriptMicros(b, rdb), 0
	for b.Loop() {
		n++
		j := benchEnqueue(b, q, queue.EnqueueRequest{Kind: "character", Owner: "bench", Payload: benchPayload, DedupKey: strconv.Itoa(n)})
		c, err := q.Claim(ctx, "bench-worker", j.ID)
		if err != nil || c.Job == nil {
			b.Fatalf("Claim(%s) = %+v, %v; want the job", j.ID, c, err)
		}
		if _, err := q.Complete(ctx, c.Job, queue.Outcome{Status: queue.StatusSucceeded, Result: result}); err != nil {
			b.Fatalf("Complete: %v", err)
		}
		if _, err := q.Get(ctx, j.ID); err != nil {
			b.Fatalf("Get: %v", err)
		}
	}
	reportScriptTime(b, rdb, before, n)
}
