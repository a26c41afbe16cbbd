package queue

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// TestLuaISO runs the scripts' iso() date formatter on fixed and random
// instants and compares it with Go's formatting.
func TestLuaISO(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		fixed := []int64{
			0,                   // 1970-01-01T00:00:00.000Z
			999,                 // last millisecond of the first second
			86_399_999,          // last millisecond of the first day
			951_782_400_000,     // 2000-02-29, a leap day of a 400-year leap year
			951_868_800_000,     // 2000-03-01
			1_709_164_800_123,   // 2024-02-29T00:00:00.123Z
			1_735_689_599_999,   // 2024-12-31T23:59:59.999Z
			1_735_689_600_000,   // 2025-01-01
			1_740_787_199_999,   // 2025-02-28T23:59:59.999Z
			1_740_787_200_000,   // 2025-03-01
			4_107_542_400_000,   // 2100-03-01, after a skipped leap day
			4_102_444_799_999,   // 2099-12-31T23:59:59.999Z
			253_402_300_799_999, // 9999-12-31T23:59:59.999Z
		}
		rng := rand.New(rand.NewPCG(1, 2))
		ms := append([]int64(nil), fixed...)
		for range 500 {
			ms = append(ms, rng.Int64N(13_000_000_000_000)) // 1970 to about 2380
		}
		args := make([]any, len(ms))
		for i, v := range ms {
			args[i] = strconv.FormatInt(v, 10)
		}
		script := luaLib + `
	local out = {}
	for i = 1, #ARGV do out[i] = iso(tonumber(ARGV[i])) end
	return out`
		got, err := rdb.Eval(context.Background(), script, nil, args...).StringSlice()
		if err != nil {
			t.Fatalf("EVAL iso: %v", err)
		}
		if len(got) != len(ms) {
			t.Fatalf("EVAL iso returned %d values, want %d", len(got), len(ms))
		}
		for i, v := range ms {
			want := time.UnixMilli(v).UTC().Format("2006-01-02T15:04:05.000Z")
			if got[i] != want {
				t.Errorf("iso(%d) = %q, want %q", v, got[i], want)
			}
		}
	})
}
