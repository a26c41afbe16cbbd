package queue_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redisconn"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// failoverTimeout bounds each wait on the cluster's state around a
// failover; it is generous, since a loaded machine slows the nodes' gossip.
const failoverTimeout = 60 * time.Second

// TestFailover promotes the replica of the master that owns the queue's
// slot (CLUSTER FAILOVER on the replica) while workers run jobs and more
// are enqueued. Every job whose enqueue was acknowledged ends succeeded,
// with its own result, and is completed exactly once in its final record:
// one completion in the stats and one event in the outbox.
//
// It is not parallel: the failover moves a third of the cluster's slots,
// which the package's other tests need not see.
func TestFailover(t *testing.T) {
	addrs := redistest.ClusterAddrs(t)
	ctx := context.Background()
	// The service's own clients, as REDIS_MODE=cluster opens them (no
	// retries; redirections followed).
	conn, err := redisconn.Open(ctx, redisconn.Options{
		URL:  "redis://" + addrs[0] + "?addr=" + strings.Join(addrs[1:], "&addr="),
		Mode: redisconn.ModeCluster,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("redisconn.Open(cluster) = %v", err)
	}
	defer conn.Close()
	rdb := conn.Client.(*redis.ClusterClient)
	prefix := redistest.Prefix(t, rdb)
	q := newQueue(rdb, prefix, queue.Config{Outbox: true, Lease: 2 * time.Second})

	p := queue.NewPool(q, newRunner(func(ctx context.Context, j *queue.Job) (queue.Result, error) {
		select { // a job takes a moment
		case <-ctx.Done():
		case <-time.After(5 * time.Millisecond):
		}
		return queue.Result{Value: j.Payload}, nil
	}, nil), 8, discard)
	p.Blocking = conn.Blocking
	runCtx, stop := context.WithCancel(ctx)
	done := runPool(p, runCtx, ctx)
	defer func() {
		stop()
		waitClosed(t, done, "the pool to stop")
	}()

	// A producer enqueues a job a millisecond, before, during and after
	// the failover, so that workers are busy throughout.
	var mu sync.Mutex
	var accepted []string
	var refused []error
	stopProducing, produced := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(produced)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stopProducing:
				return
			case <-tick.C:
			}
			j, _, err := q.Enqueue(ctx, queue.EnqueueRequest{Kind: "text.echo", Owner: "svc-a", Payload: []byte(fmt.Sprintf(`{"n":%d}`, i))})
			mu.Lock()
			if err != nil {
				refused = append(refused, err)
			} else {
				accepted = append(accepted, j.ID)
			}
			mu.Unlock()
		}
	}()
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(accepted)
	}
	waitFor(t, waitTimeout, "jobs to run", func() bool { return stats(t, q).Succeeded1h >= 50 })

	slot, err := rdb.ClusterKeySlot(ctx, q.OutboxStream()).Result()
	if err != nil {
		t.Fatalf("CLUSTER KEYSLOT = %v", err)
	}
	master, replica := shardOf(t, rdb, slot)
	before, start := count(), time.Now()
	failover(t, master, replica)
	took, during := time.Since(start), count()-before
	// Jobs go on after the failover, on the new master.
	after := stats(t, q).Succeeded1h
	waitFor(t, waitTimeout, "jobs to run after the failover", func() bool { return stats(t, q).Succeeded1h >= after+50 })
	close(stopProducing)
	<-produced

	mu.Lock()
	ids := slices.Clone(accepted)
	t.Logf("failover of slot %d from %s to %s took %v; %d jobs accepted (%d during the failover), %d enqueues refused %v",
		slot, master, replica, took.Round(time.Millisecond), len(ids), during, len(refused), refused)
	mu.Unlock()
	waitFor(t, failoverTimeout, "every accepted job to finish", func() bool {
		st, err := q.Stats(ctx)
		return err == nil && st.Queued == 0 && st.Running == 0
	})
	checkCompletedOnce(t, rdb, q, ids)
}

// checkCompletedOnce checks that each job of ids succeeded with its own
// payload as result, and that the queue counted and announced each once.
func checkCompletedOnce(t *testing.T, rdb redis.UniversalClient, q *queue.Queue, ids []string) {
	t.Helper()
	for _, id := range ids {
		j := get(t, q, id)
		if j.Status != queue.StatusSucceeded || string(j.Result) != string(j.Payload) {
			t.Errorf("Get(%s) = %q result %s payload %s, want succeeded with the payload", id, j.Status, j.Result, j.Payload)
		}
	}
	if st := stats(t, q); st.Succeeded1h != int64(len(ids)) || st.Failed1h != 0 {
		t.Errorf("Stats() = %+v, want %d succeeded and none failed", st, len(ids))
	}
	events := map[string]int{}
	for _, ev := range outboxEvents(t, rdb, q) {
		events[fmt.Sprint(ev.Data["job_id"])]++
	}
	for _, id := range ids {
		if events[id] != 1 {
			t.Errorf("outbox has %d events for %s, want 1", events[id], id)
		}
	}
	if len(events) != len(ids) {
		t.Errorf("outbox has events for %d jobs, want %d", len(events), len(ids))
	}
}

// shardOf returns the addresses of the master that serves slot and of one
// of its replicas.
func shardOf(tb testing.TB, rdb *redis.ClusterClient, slot int64) (master, replica string) {
	tb.Helper()
	// A replica appears in CLUSTER SLOTS once it has synced with its
	// master, which may be a moment after the cluster reports ok.
	waitFor(tb, failoverTimeout, fmt.Sprintf("slot %d to be served by a master and a replica", slot), func() bool {
		slots, err := rdb.ClusterSlots(context.Background()).Result()
		if err != nil {
			return false
		}
		for _, s := range slots {
			if int64(s.Start) <= slot && slot <= int64(s.End) && len(s.Nodes) >= 2 {
				master, replica = s.Nodes[0].Addr, s.Nodes[1].Addr
				return true
			}
		}
		return false
	})
	return master, replica
}

// failover promotes replica over master with CLUSTER FAILOVER, and waits
// until both have swapped roles and every node reports cluster_state:ok.
func failover(tb testing.TB, master, replica string) {
	tb.Helper()
	nodes := map[string]*redis.Client{}
	for _, addr := range append(redistest.ClusterAddrs(tb), master, replica) {
		if nodes[addr] == nil {
			nodes[addr] = redis.NewClient(&redis.Options{Addr: addr})
			defer nodes[addr].Close()
		}
	}
	ctx := context.Background()
	if err := nodes[replica].Do(ctx, "CLUSTER", "FAILOVER").Err(); err != nil {
		tb.Fatalf("CLUSTER FAILOVER on %s = %v", replica, err)
	}
	role := func(addr string) string {
		r, err := nodes[addr].Do(ctx, "ROLE").Slice()
		if err != nil || len(r) == 0 {
			return ""
		}
		s, _ := r[0].(string)
		return s
	}
	waitFor(tb, failoverTimeout, replica+" to become master and "+master+" its replica", func() bool {
		return role(replica) == "master" && role(master) == "slave"
	})
	waitFor(tb, failoverTimeout, "cluster_state:ok on every node", func() bool {
		for _, c := range nodes {
			info, err := c.ClusterInfo(ctx).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") {
				return false
			}
		}
		return true
	})
}
