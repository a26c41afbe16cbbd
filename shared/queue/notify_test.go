package queue_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/queue"
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
	q, rdb, prefix := newQueue(t, queue.Config{})
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
}

func TestNotifierWaitTimeout(t *testing.T) {
	t.Parallel()
	q, rdb, prefix := newQueue(t, queue.Config{})
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
}

func TestNotifierWatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	q, rdb, prefix := newQueue(t, queue.Config{})
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
}

// TestNotifierResubscribe checks that waiters re-read their job after the
// subscription's connection is lost, since announcements sent meanwhile
// are gone.
func TestNotifierResubscribe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base, prefix := newRedis(t)
	opt := *base.Options()
	opt.ClientName = strings.TrimSuffix(prefix, ":") + "-notifier"
	rdb := redis.NewClient(&opt)
	t.Cleanup(func() { rdb.Close() })
	n := startNotifier(t, rdb, prefix)

	changed, stop := n.Watch("text_any")
	defer stop()
	killed, err := killClients(ctx, base, opt.ClientName)
	if err != nil || killed == 0 {
		t.Fatalf("killing the notifier's connection: %d killed, %v", killed, err)
	}
	if !received(changed) {
		t.Fatal("waiter not woken after the notifier re-subscribed")
	}
	// Announcements flow again on the new subscription.
	if err := base.Publish(ctx, queue.Channel(prefix), "text_any succeeded").Err(); err != nil {
		t.Fatal(err)
	}
	if !received(changed) {
		t.Fatal("waiter not woken by an announcement after the re-subscription")
	}
}

// killClients kills the connections named name and reports how many.
func killClients(ctx context.Context, rdb *redis.Client, name string) (int, error) {
	list, err := rdb.ClientList(ctx).Result()
	if err != nil {
		return 0, err
	}
	killed := 0
	for _, line := range strings.Split(list, "\n") {
		var id string
		found := false
		for _, f := range strings.Fields(line) {
			k, v, _ := strings.Cut(f, "=")
			switch {
			case k == "id":
				id = v
			case k == "name" && v == name:
				found = true
			}
		}
		if found && id != "" {
			if err := rdb.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err != nil {
				return killed, err
			}
			killed++
		}
	}
	return killed, nil
}

func TestNotifierRunEndsWithContext(t *testing.T) {
	t.Parallel()
	q, rdb, prefix := newQueue(t, queue.Config{})
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
}
