package queue_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// The benchmarks run on the real Redis of redistest, one round trip per
// operation, so ns/op is dominated by the loopback round trip and the
// script's work inside Redis.

var benchPayload = []byte(`{"kind":"character","request":{"type":"personality","seed":1}}`)

// benchQueue returns a queue with room for every job a benchmark adds.
func benchQueue(b *testing.B) *queue.Queue {
	b.Helper()
	rdb, prefix := redistest.New(b)
	return queue.New(rdb, queue.Config{Name: "text", Prefix: prefix, MaxDepth: 1 << 30})
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
	q := benchQueue(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := q.Enqueue(ctx, queue.EnqueueRequest{Kind: "character", Owner: "bench", Payload: benchPayload}); err != nil {
			b.Fatalf("Enqueue: %v", err)
		}
	}
}

// BenchmarkEnqueueParallel shows how far concurrent producers scale on one
// connection pool.
func BenchmarkEnqueueParallel(b *testing.B) {
	q := benchQueue(b)
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
	q := benchQueue(b)
	ctx := context.Background()
	r := queue.EnqueueRequest{Kind: "character", Owner: "bench", Payload: benchPayload, DedupKey: "same-request"}
	first := benchEnqueue(b, q, r)
	b.ReportAllocs()
	for b.Loop() {
		j, dup, err := q.Enqueue(ctx, r)
		if err != nil || !dup || j.ID != first.ID {
			b.Fatalf("Enqueue(duplicate) = %v, %v, %v; want job %s, true, nil", j, dup, err, first.ID)
		}
	}
}

func BenchmarkClaim(b *testing.B) {
	q := benchQueue(b)
	ctx := context.Background()
	benchFill(b, q, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c, err := q.Claim(ctx, "bench-worker", "")
		if err != nil || c.Job == nil {
			b.Fatalf("Claim = %+v, %v; want a job", c, err)
		}
	}
}

func BenchmarkComplete(b *testing.B) {
	q := benchQueue(b)
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
	b.ResetTimer()
	for _, j := range jobs {
		st, err := q.Complete(ctx, j, queue.Outcome{Status: queue.StatusSucceeded, Result: result})
		if err != nil || st != queue.StatusSucceeded {
			b.Fatalf("Complete = %v, %v; want succeeded", st, err)
		}
	}
}

// BenchmarkJobCycle is one job's whole life in the queue: enqueue, claim,
// complete, and the waiter's read of the finished job.
func BenchmarkJobCycle(b *testing.B) {
	q := benchQueue(b)
	ctx := context.Background()
	result := []byte(`{"type":"personality","content":{"voice":"slow"}}`)
	b.ReportAllocs()
	n := 0
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
}
