package cache_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

func TestSetGet(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		reg := prometheus.NewRegistry()
		c := cache.New(rdb, prefix, reg)
		key, err := cache.Key("text", map[string]any{"kind": "character", "seed": 1})
		if err != nil {
			t.Fatalf("Key() = %v", err)
		}
		if v, ok, err := c.Get(ctx, "text", key); v != nil || ok || err != nil {
			t.Errorf("Get(unset) = %q, %v, %v, want a miss", v, ok, err)
		}
		if err := c.Set(ctx, key, []byte(`{"a":1}`), time.Minute); err != nil {
			t.Fatalf("Set() = %v", err)
		}
		if v, ok, err := c.Get(ctx, "text", key); string(v) != `{"a":1}` || !ok || err != nil {
			t.Errorf("Get(set) = %q, %v, %v, want the value", v, ok, err)
		}
		if ttl := rdb.PTTL(ctx, prefix+"cache:"+key).Val(); ttl <= 0 || ttl > time.Minute {
			t.Errorf("PTTL = %v, want within (0, 1m]", ttl)
		}
		for name, want := range map[string]float64{"llm_cache_hits_total": 1, "llm_cache_misses_total": 1} {
			if got := counter(t, reg, name); got != want {
				t.Errorf("%s{group=\"text\"} = %v, want %v", name, got, want)
			}
		}
	})
}

// counter returns the value of name{group="text"} in reg.
func counter(tb testing.TB, reg *prometheus.Registry, name string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatalf("Gather() = %v", err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if mf.GetName() == name && len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == "text" {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestInPipeline: GetIn and SetIn ride in a pipeline with other commands,
// whose keys are on other slots of a cluster.
func TestInPipeline(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		c := cache.New(rdb, prefix, nil)
		key := cache.Hash("text", "a", "b")
		pipe := rdb.Pipeline()
		c.SetIn(ctx, pipe, key, []byte("v"), time.Minute)
		other := pipe.Incr(ctx, prefix+"other")
		if _, err := pipe.Exec(ctx); err != nil || other.Val() != 1 {
			t.Fatalf("pipeline Exec() = %v, INCR = %d, want nil, 1", err, other.Val())
		}
		pipe = rdb.Pipeline()
		get := c.GetIn(ctx, pipe, "text", key)
		other = pipe.Incr(ctx, prefix+"other")
		if _, err := pipe.Exec(ctx); err != nil || other.Val() != 2 {
			t.Fatalf("pipeline Exec() = %v, INCR = %d, want nil, 2", err, other.Val())
		}
		if v, ok, err := get(); string(v) != "v" || !ok || err != nil {
			t.Errorf("GetIn() = %q, %v, %v, want v", v, ok, err)
		}
	})
}

// TestKeysSpreadAcrossSlots: entries hash on their own, so they spread over
// a Redis Cluster's slots.
func TestKeysSpreadAcrossSlots(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.NewCluster(t)
	c := cache.New(rdb, prefix, nil)
	const n = 40
	for i := range n {
		if err := c.Set(context.Background(), cache.Hash("text", fmt.Sprint(i)), []byte("v"), time.Minute); err != nil {
			t.Fatalf("Set(%d) = %v", i, err)
		}
	}
	keys := redistest.Keys(t, rdb, "*"+prefix+"*")
	if slots := redistest.Slots(t, rdb, keys); len(keys) != n || len(slots) < n/2 {
		t.Errorf("%d entries on %d slots, want %d spread over the slots", len(keys), len(slots), n)
	}
}
