package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
)

// waitTimeout bounds every wait on a condition; it is generous so a slow
// machine only makes a test slower, never wrong.
const waitTimeout = 10 * time.Second

var discard = slog.New(slog.DiscardHandler)

// newQueue returns a queue on rdb under prefix. cfg.Name defaults to
// "text"; cfg.Prefix is always prefix. Unclassified failures on the text
// queue carry TEXT_GENERATION_FAILED.
func newQueue(rdb redis.UniversalClient, prefix string, cfg queue.Config) *queue.Queue {
	if cfg.Name == "" {
		cfg.Name = "text"
	}
	if cfg.Name == "text" && cfg.FailureCode == "" {
		cfg.FailureCode = httpapi.CodeTextGenerationFailed
	}
	cfg.Prefix = prefix
	return queue.New(rdb, cfg)
}

// waitFor polls cond until it holds, failing the test when it does not
// within timeout.
var waitFor = servicetest.WaitFor

// startNotifier runs a notifier until the test ends and waits until it is
// subscribed.
func startNotifier(tb testing.TB, rdb redis.UniversalClient, prefix string) *queue.Notifier {
	tb.Helper()
	n := queue.NewNotifier(rdb, prefix, discard)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.Run(ctx)
	}()
	tb.Cleanup(func() {
		cancel()
		<-done
	})
	select {
	case <-n.Ready():
	case <-time.After(waitTimeout):
		tb.Fatalf("notifier not ready after %v", waitTimeout)
	}
	return n
}

func enqueue(tb testing.TB, q *queue.Queue, r queue.EnqueueRequest) *queue.Job {
	tb.Helper()
	if r.Kind == "" {
		r.Kind = "text.echo"
	}
	if r.Owner == "" {
		r.Owner = "svc-a"
	}
	j, dup, err := q.Enqueue(context.Background(), r)
	if err != nil {
		tb.Fatalf("Enqueue(%+v) = %v", r, err)
	}
	if dup {
		tb.Fatalf("Enqueue(%+v) dup = true, want false", r)
	}
	return j
}

func claim(tb testing.TB, q *queue.Queue, token string) queue.Claim {
	tb.Helper()
	c, err := q.Claim(context.Background(), token, "")
	if err != nil {
		tb.Fatalf("Claim(%q) = %v", token, err)
	}
	return c
}

// claimJob claims the next job and fails the test when there is none.
func claimJob(tb testing.TB, q *queue.Queue, token string) *queue.Job {
	tb.Helper()
	c := claim(tb, q, token)
	if c.Job == nil {
		tb.Fatalf("Claim(%q) = %+v, want a job", token, c)
	}
	return c.Job
}

func complete(tb testing.TB, q *queue.Queue, j *queue.Job, o queue.Outcome) queue.Status {
	tb.Helper()
	st, err := q.Complete(context.Background(), j, o)
	if err != nil {
		tb.Fatalf("Complete(%s, %+v) = %v", j.ID, o, err)
	}
	return st
}

func get(tb testing.TB, q *queue.Queue, id string) *queue.Job {
	tb.Helper()
	j, err := q.Get(context.Background(), id)
	if err != nil {
		tb.Fatalf("Get(%s) = %v", id, err)
	}
	return j
}

func stats(tb testing.TB, q *queue.Queue) queue.Stats {
	tb.Helper()
	st, err := q.Stats(context.Background())
	if err != nil {
		tb.Fatalf("Stats() = %v", err)
	}
	return st
}

// redisNow is the Redis server's clock, which the scripts use.
func redisNow(tb testing.TB, rdb redis.UniversalClient) time.Time {
	tb.Helper()
	t, err := rdb.Time(context.Background()).Result()
	if err != nil {
		tb.Fatalf("TIME = %v", err)
	}
	return t
}

// problemCode returns the code of a problem JSON object.
func problemCode(tb testing.TB, b json.RawMessage) string {
	tb.Helper()
	var p struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		tb.Fatalf("problem %s: %v", b, err)
	}
	return p.Code
}

func isNotFound(err error) bool { return errors.Is(err, queue.ErrJobNotFound) }
