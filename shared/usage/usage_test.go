package usage

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

func TestAddQueryToday(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		day1 := time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC)
		now := day1
		s := New(rdb, prefix, func() time.Time { return now })
		add := func(r Record) {
			t.Helper()
			if err := s.Add(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		add(Record{Caller: "a", Model: "gpt-4o", Requests: 1, PromptTokens: 100, CompletionTokens: 50, CostUSD: 0.00075})
		add(Record{Caller: "a", Model: "gpt-4o", Requests: 1, PromptTokens: 10, CompletionTokens: 5, CostUSD: 0.000075})
		add(Record{Caller: "a", Model: "getimg/stable-diffusion-xl", Requests: 1, Images: 1, CostUSD: 0.0066})
		add(Record{Caller: "b", Model: "gpt-4o-mini", Requests: 2, PromptTokens: 7, CompletionTokens: 3})
		now = day1.Add(2 * time.Hour) // the next UTC day
		add(Record{Caller: "a", Model: "gpt-4o", Requests: 1, PromptTokens: 1, CompletionTokens: 1})

		today, err := s.Today(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		if today.Requests != 1 || today.TotalTokens != 2 {
			t.Errorf("Today(a) = %+v, want the new day's 1 request and 2 tokens", today)
		}
		rows, tot, err := s.Query(ctx, []string{"a"}, day1, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("rows = %+v, want 3 (two models on day 1, one on day 2)", rows)
		}
		if tot.Requests != 4 || tot.PromptTokens != 111 || tot.CompletionTokens != 56 || tot.TotalTokens != 167 || tot.Images != 1 {
			t.Errorf("totals = %+v", tot)
		}
		if math.Abs(tot.CostUSD-0.007425) > 1e-9 {
			t.Errorf("cost = %v, want 0.007425", tot.CostUSD)
		}
		all, _, err := s.Query(ctx, nil, day1, day1)
		if err != nil {
			t.Fatal(err)
		}
		callers := map[string]bool{}
		for _, r := range all {
			callers[r.Caller] = true
		}
		if !callers["a"] || !callers["b"] || len(callers) != 2 {
			t.Errorf("all callers on day 1 = %v", callers)
		}
		if ttl := rdb.TTL(ctx, s.dayKey("a", Day(day1))).Val(); ttl <= 0 || ttl > Retention {
			t.Errorf("usage TTL = %v, want within 90 days", ttl)
		}
		if got := s.UntilMidnight(); got != 23*time.Hour {
			t.Errorf("UntilMidnight at 01:00 = %v, want 23h", got)
		}
	})
}

func TestPrices(t *testing.T) {
	p, err := ParsePrices("gpt-4o=5:15, local-llama=0:0")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Cost("gpt-4o", 1_000_000, 1_000_000); got != 20 {
		t.Errorf("Cost(gpt-4o) = %v, want 20", got)
	}
	if got := p.Cost("gpt-4o-mini", 1_000_000, 0); got != 0.15 {
		t.Errorf("default gpt-4o-mini price kept: %v", got)
	}
	if got := p.Cost("unknown", 100, 100); got != 0 {
		t.Errorf("unknown model cost = %v", got)
	}
	for _, bad := range []string{"gpt-4o", "gpt-4o=1", "gpt-4o=a:b", "x=-1:2"} {
		if _, err := ParsePrices(bad); err == nil {
			t.Errorf("ParsePrices(%q) accepted", bad)
		}
	}
}

// TestAddWith: usage rows and the caller's own commands (a cache write, on
// a slot of its own on a cluster) are written together.
func TestAddWith(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		s := New(rdb, prefix, nil)
		rs := []Record{{Caller: "a", Model: "gpt-4o", Requests: 1, PromptTokens: 3}, {Caller: "b", Model: "gpt-4o", Requests: 1}}
		err := s.AddWith(ctx, rs, func(p redis.Pipeliner) { p.Set(ctx, prefix+"cache:k", "v", time.Minute) })
		if err != nil {
			t.Fatalf("AddWith() = %v", err)
		}
		if v, err := rdb.Get(ctx, prefix+"cache:k").Result(); v != "v" || err != nil {
			t.Errorf("GET of with's key = %q, %v, want v", v, err)
		}
		for _, r := range rs {
			if got, err := s.Today(ctx, r.Caller); err != nil || got.Requests != 1 || got.PromptTokens != r.PromptTokens {
				t.Errorf("Today(%s) = %+v, %v, want 1 request and %d prompt tokens", r.Caller, got, err, r.PromptTokens)
			}
		}
	})
}

// TestRowsSpreadAcrossSlots: each caller's row hashes on its own, so rows
// spread over a Redis Cluster's slots, and a record still writes in one
// call although its keys are on several slots.
func TestRowsSpreadAcrossSlots(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.NewCluster(t)
	s := New(rdb, prefix, nil)
	const callers = 40
	var rs []Record
	for i := range callers {
		rs = append(rs, Record{Caller: fmt.Sprintf("caller-%d", i), Model: "gpt-4o", Requests: 1})
	}
	if err := s.AddWith(context.Background(), rs, nil); err != nil {
		t.Fatalf("AddWith(%d callers) = %v", callers, err)
	}
	keys := redistest.Keys(t, rdb, "*"+prefix+"usage:{*")
	if slots := redistest.Slots(t, rdb, keys); len(keys) != callers || len(slots) < callers/2 {
		t.Errorf("%d rows on %d slots, want %d rows spread over the slots", len(keys), len(slots), callers)
	}
}
