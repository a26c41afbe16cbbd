package ratelimit_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/ratelimit"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// replicas returns n limiters under prefix, each on its own client of
// rdb's engine, as n service replicas would be.
func replicas(tb testing.TB, rdb redis.UniversalClient, prefix string, n int) []*ratelimit.Limiter {
	tb.Helper()
	ls := []*ratelimit.Limiter{ratelimit.New(rdb, prefix)}
	for range n - 1 {
		ls = append(ls, ratelimit.New(redistest.Named(tb, rdb, "", 0), prefix))
	}
	return ls
}

func allow(tb testing.TB, l *ratelimit.Limiter, group, caller string, limit int) ratelimit.Decision {
	tb.Helper()
	d, err := l.Allow(context.Background(), group, caller, limit)
	if err != nil {
		tb.Fatalf("Allow(%s, %s, %d) = %v", group, caller, limit, err)
	}
	return d
}

func TestAllowExactAcrossReplicas(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ls := replicas(t, rdb, prefix, 3)
		const limit, requests = 100, 300
		ctx := context.Background()

		start, err := rdb.Time(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		var allowed atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, requests)
		gate := make(chan struct{})
		for i := range requests {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				d, err := ls[i%len(ls)].Allow(ctx, "text", "caller-1", limit)
				if err != nil {
					errs <- err
					return
				}
				if d.Allowed {
					allowed.Add(1)
				} else if d.RetryAfter <= 0 || d.Remaining != 0 {
					errs <- fmt.Errorf("denied decision %+v, want RetryAfter > 0 and Remaining 0", d)
				}
			}()
		}
		close(gate)
		wg.Wait()
		end, err := rdb.Time(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		// The bucket refills one request every 600ms; a burst that took longer
		// than that (a very slow machine) may have earned a few more.
		refill := int32(end.Sub(start) / (time.Minute / limit))
		if got := allowed.Load(); got < limit || got > limit+refill {
			t.Errorf("%d concurrent requests from 3 replicas under %d/min: %d allowed, want %d (+%d refilled)", requests, limit, got, limit, refill)
		}
	})
}

func TestRemainingCountsDown(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ls := replicas(t, rdb, prefix, 2)
		const limit = 5 // one request every 12 s comes back
		for i := range limit {
			d := allow(t, ls[i%2], "text", "c", limit)
			want := limit - 1 - i
			if !d.Allowed || d.Limit != limit || d.Remaining != want {
				t.Errorf("Allow() #%d = %+v, want allowed, limit %d, remaining %d", i+1, d, limit, want)
			}
			if d.ResetAfter <= 0 || d.ResetAfter > time.Minute || d.RetryAfter != 0 {
				t.Errorf("Allow() #%d ResetAfter %v RetryAfter %v, want in (0, 1m] and 0", i+1, d.ResetAfter, d.RetryAfter)
			}
		}
		d := allow(t, ls[0], "text", "c", limit)
		if d.Allowed || d.Remaining != 0 || d.RetryAfter <= 0 || d.RetryAfter > 12*time.Second || d.ResetAfter <= 0 || d.ResetAfter > time.Minute {
			t.Errorf("Allow() over the limit = %+v, want denied, remaining 0, RetryAfter in (0, 12s], ResetAfter in (0, 1m]", d)
		}
		// A refusal does not consume: the next one waits no longer.
		again := allow(t, ls[1], "text", "c", limit)
		if again.Allowed || again.RetryAfter > d.RetryAfter {
			t.Errorf("Allow() again = %+v, want denied with RetryAfter <= %v", again, d.RetryAfter)
		}
	})
}

func TestCallersAndGroupsIndependent(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ls := replicas(t, rdb, prefix, 1)
		l := ls[0]
		const limit = 3
		for range limit {
			allow(t, l, "text", "a", limit)
		}
		if d := allow(t, l, "text", "a", limit); d.Allowed {
			t.Fatalf("Allow(text, a) past the limit = %+v, want denied", d)
		}
		tests := []struct{ group, caller string }{
			{"text", "b"},
			{"image", "a"},
			{"text", "a:b"},
		}
		for _, tc := range tests {
			for i := range limit {
				if d := allow(t, l, tc.group, tc.caller, limit); !d.Allowed || d.Remaining != limit-1-i {
					t.Errorf("Allow(%s, %s) #%d = %+v, want allowed with remaining %d", tc.group, tc.caller, i+1, d, limit-1-i)
				}
			}
		}
	})
}

func TestPrefixesIndependent(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		a, b := ratelimit.New(rdb, prefix+"a:"), ratelimit.New(rdb, prefix+"b:")
		allow(t, a, "text", "c", 1)
		if d := allow(t, b, "text", "c", 1); !d.Allowed {
			t.Errorf("Allow() under another prefix = %+v, want allowed", d)
		}
	})
}

func TestNoLimit(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		l := ratelimit.New(rdb, prefix)
		for _, limit := range []int{0, -1} {
			for range 20 {
				if d := allow(t, l, "text", "c", limit); !d.Allowed || d.RetryAfter != 0 {
					t.Fatalf("Allow(limit %d) = %+v, want allowed", limit, d)
				}
			}
		}
		if keys := redistest.Keys(t, rdb, "*"+prefix+"*"); len(keys) != 0 {
			t.Errorf("Allow() without a limit wrote keys %v, want none", keys)
		}
	})
}

func TestKeyExpires(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		l := ratelimit.New(rdb, prefix)
		allow(t, l, "text", "c", 60) // one request a second
		keys := redistest.Keys(t, rdb, "*"+prefix+"*")
		if len(keys) != 1 {
			t.Fatalf("keys = %v, want one", keys)
		}
		ttl, err := rdb.PTTL(context.Background(), keys[0]).Result()
		if err != nil || ttl <= 0 || ttl > time.Second {
			t.Errorf("PTTL(%s) = %v, %v, want in (0, 1s]: the key lives until the bucket is full again", keys[0], ttl, err)
		}
	})
}

func TestAllowWithSharesTheRoundTrip(t *testing.T) {
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ls := replicas(t, rdb, prefix, 1)
		l := ls[0]
		ctx := context.Background()
		if err := rdb.Set(ctx, prefix+"other", "v", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		for i, flush := range []bool{false, true, false} {
			if flush {
				// As after a Redis restart: the script must be sent again, and
				// the request still counts once.
				if err := rdb.ScriptFlush(ctx).Err(); err != nil {
					t.Fatal(err)
				}
			}
			var get *redis.StringCmd
			d, err := l.AllowWith(ctx, "text", "caller-w", 2, func(p redis.Pipeliner) { get = p.Get(ctx, prefix+"other") })
			if err != nil {
				t.Fatalf("AllowWith #%d = %v", i+1, err)
			}
			if v, err := get.Result(); v != "v" || err != nil {
				t.Errorf("AllowWith #%d: the pipelined GET = %q, %v; want \"v\"", i+1, v, err)
			}
			if want := i < 2; d.Allowed != want {
				t.Errorf("AllowWith #%d allowed = %v, want %v (limit 2)", i+1, d.Allowed, want)
			}
		}
	})
}

// TestKeysSpreadAcrossSlots: each caller's bucket has a hash tag of its own,
// so callers spread over a Redis Cluster's slots, and its nodes.
func TestKeysSpreadAcrossSlots(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.NewCluster(t)
	l := ratelimit.New(rdb, prefix)
	const callers = 40
	for i := range callers {
		allow(t, l, "text", fmt.Sprintf("caller-%d", i), 10)
	}
	keys := redistest.Keys(t, rdb, "*"+prefix+"*")
	if len(keys) != callers {
		t.Fatalf("%d limiter keys, want %d", len(keys), callers)
	}
	if slots := redistest.Slots(t, rdb, keys); len(slots) < callers/2 {
		t.Errorf("%d callers' keys hash to %d slots %v, want them spread", callers, len(slots), slots)
	}
}

func allowN(tb testing.TB, l *ratelimit.Limiter, caller string, limit, n int) ratelimit.Decision {
	tb.Helper()
	d, err := l.AllowN(context.Background(), "text", caller, limit, n, nil)
	if err != nil {
		tb.Fatalf("AllowN(%s, %d, %d) = %v", caller, limit, n, err)
	}
	return d
}

func TestAllowNTakesAllOrNone(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		l := ratelimit.New(rdb, prefix)
		const limit = 5 // one request every 12 s comes back
		if d := allowN(t, l, "c", limit, 3); !d.Allowed || d.Remaining != 2 {
			t.Errorf("AllowN(3 of 5) = %+v, want allowed with 2 remaining", d)
		}
		d := allowN(t, l, "c", limit, 3)
		if d.Allowed || d.RetryAfter <= 0 || d.RetryAfter > 12*time.Second {
			t.Errorf("AllowN(3 more of 5) = %+v, want denied, RetryAfter in (0, 12s]", d)
		}
		// The refusal took nothing: the two left are still there.
		if d := allowN(t, l, "c", limit, 2); !d.Allowed || d.Remaining != 0 {
			t.Errorf("AllowN(the 2 left) = %+v, want allowed with 0 remaining", d)
		}
		if d := allowN(t, l, "other", limit, limit+1); d.Allowed {
			t.Errorf("AllowN(more than the limit) = %+v, want denied", d)
		}
	})
}

func TestRefund(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		l := ratelimit.New(rdb, prefix)
		ctx := context.Background()
		const limit = 4
		allowN(t, l, "c", limit, 3)
		if err := l.Refund(ctx, "text", "c", limit, 2); err != nil {
			t.Fatal(err)
		}
		if d := allowN(t, l, "c", limit, 3); !d.Allowed || d.Remaining != 0 {
			t.Errorf("AllowN(3) after 2 of 3 were given back = %+v, want allowed with 0 remaining", d)
		}
		// Giving back more than was taken leaves a full bucket, no more.
		if err := l.Refund(ctx, "text", "c", limit, 10); err != nil {
			t.Fatal(err)
		}
		if keys := redistest.Keys(t, rdb, "*"+prefix+"*"); len(keys) != 0 {
			t.Errorf("keys after a full refund = %v, want none (a full bucket)", keys)
		}
		if d := allowN(t, l, "c", limit, limit); !d.Allowed {
			t.Errorf("AllowN(the whole limit) after the refund = %+v, want allowed", d)
		}
	})
}
