package queue_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// received reports whether c yields a value within waitTimeout.
func received(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	case <-time.After(waitTimeout):
		return false
	}
}

func TestNotifierWaitReturnsWhenFinished(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		n := startNotifier(t, rdb, prefix)
		id := enqueue(t, q, queue.EnqueueRequest{}).ID

		// The waiter's deadline is far beyond the test's: if it returns a final
		// job it was woken by the announcement, not by its deadline.
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		type waited struct {
			j   *queue.Job
			err error
		}
		done := make(chan waited, 1)
		go func() {
			j, err := n.Wait(ctx, q, id)
			done <- waited{j, err}
		}()
		j := claimJob(t, q, "w")
		complete(t, q, j, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{"v":1}`)})
		select {
		case got := <-done:
			if got.err != nil || got.j.Status != queue.StatusSucceeded || string(got.j.Result) != `{"v":1}` {
				t.Errorf("Wait() = %+v, %v, want the succeeded job", got.j, got.err)
			}
		case <-time.After(waitTimeout):
			t.Fatal("Wait() did not return after the job finished")
		}
	})
}

func TestNotifierWaitTimeout(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		n := startNotifier(t, rdb, prefix)
		id := enqueue(t, q, queue.EnqueueRequest{}).ID
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		j, err := n.Wait(ctx, q, id)
		if err != nil || j.Status != queue.StatusQueued || j.Position != 1 {
			t.Errorf("Wait() past its deadline = %+v, %v, want the queued job at position 1, nil", j, err)
		}
		if _, err := n.Wait(context.Background(), q, "text_missing"); !isNotFound(err) {
			t.Errorf("Wait(missing) = %v, want ErrJobNotFound", err)
		}
	})
}

func TestNotifierWatch(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := newQueue(rdb, prefix, queue.Config{})
		n := startNotifier(t, rdb, prefix)
		id := enqueue(t, q, queue.EnqueueRequest{}).ID
		other := enqueue(t, q, queue.EnqueueRequest{}).ID
		changed, stop := n.Watch(id)
		defer stop()
		otherChanged, stopOther := n.Watch(other)
		defer stopOther()

		// Only the end of a job wakes its watchers: starting and cancel
		// signals do not.
		j := claimJob(t, q, "w")
		if _, err := q.Cancel(ctx, id); err != nil {
			t.Fatal(err)
		}
		select {
		case <-changed:
			t.Fatal("Watch() woken before the job ended")
		default:
		}
		complete(t, q, j, queue.Outcome{Status: queue.StatusCanceled})
		if !received(changed) {
			t.Fatal("Watch() not woken when the job finished")
		}
		select {
		case <-otherChanged:
			t.Error("Watch(other) woken by announcements about another job")
		default:
		}
	})
}

// TestNotifierHoldsNoPoolConnection: the subscription has a connection of
// its own, outside the client's pool, so a client with a single pooled
// connection still serves requests while the notifier listens.
func TestNotifierHoldsNoPoolConnection(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		c := redistest.Named(t, rdb, strings.TrimSuffix(prefix, ":")+"-one", 1)
		startNotifier(t, c, prefix)
		if st := c.PoolStats(); st.TotalConns != st.IdleConns {
			t.Errorf("PoolStats() = %+v while subscribed, want every pooled connection idle", st)
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		q := newQueue(c, prefix, queue.Config{})
		enqueue(t, q, queue.EnqueueRequest{})
		if st, err := q.Stats(ctx); err != nil || st.Queued != 1 {
			t.Errorf("Stats() = %+v, %v, want 1 queued", st, err)
		}
		if st := c.PoolStats(); st.Timeouts != 0 {
			t.Errorf("PoolStats().Timeouts = %d, want 0", st.Timeouts)
		}
	})
}

// TestNotifierResubscribe checks that waiters re-read their job after the
// subscription's connection is lost, since announcements sent meanwhile
// are gone.
func TestNotifierResubscribe(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		name := strings.TrimSuffix(prefix, ":") + "-notifier"
		n := startNotifier(t, redistest.Named(t, rdb, name, 0), prefix)

		changed, stop := n.Watch("text_any")
		defer stop()
		killed, err := killClients(ctx, rdb, name)
		if err != nil || killed == 0 {
			t.Fatalf("killing the notifier's connection: %d killed, %v", killed, err)
		}
		if !received(changed) {
			t.Fatal("waiter not woken after the notifier re-subscribed")
		}
		// Announcements flow again on the new subscription.
		if err := rdb.Publish(ctx, queue.Channel(prefix), "text_any succeeded").Err(); err != nil {
			t.Fatal(err)
		}
		if !received(changed) {
			t.Fatal("waiter not woken by an announcement after the re-subscription")
		}
	})
}

// killClients kills the connections named name, on every server of rdb's
// engine, and reports how many.
func killClients(ctx context.Context, rdb redis.UniversalClient, name string) (int, error) {
	var killed atomic.Int32
	err := redistest.ForEachServer(ctx, rdb, func(ctx context.Context, c *redis.Client) error {
		clients, err := redistest.Clients(ctx, c)
		for _, ci := range clients {
			if ci.Name != name {
				continue
			}
			if err := c.Do(ctx, "CLIENT", "KILL", "ID", ci.ID).Err(); err != nil {
				return err
			}
			killed.Add(1)
		}
		return err
	})
	return int(killed.Load()), err
}

func TestNotifierRunEndsWithContext(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		n := queue.NewNotifier(rdb, prefix, discard)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			n.Run(ctx)
		}()
		select {
		case <-n.Ready():
		case <-time.After(waitTimeout):
			t.Fatal("notifier not ready")
		}
		id := enqueue(t, q, queue.EnqueueRequest{}).ID
		changed, stop := n.Watch(id)
		defer stop()
		cancel()
		select {
		case <-done:
		case <-time.After(waitTimeout):
			t.Fatal("Run() did not return after its context ended")
		}
		if !received(changed) {
			t.Error("waiters not woken when the notifier stopped")
		}
	})
}
