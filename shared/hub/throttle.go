package hub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Throttle lets an action happen at most once per period per key across all
// replicas, e.g. one llm.ratelimit.exceeded event per caller and limit group
// per minute. It uses SET key 1 NX PX, so the key expires by itself.
type Throttle struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewThrottle returns a throttle whose keys are prefix+key.
func NewThrottle(rdb redis.UniversalClient, prefix string) *Throttle {
	return &Throttle{rdb: rdb, prefix: prefix}
}

// Allow reports whether the action named by key may happen now; it then
// refuses the same key until every has passed.
func (t *Throttle) Allow(ctx context.Context, key string, every time.Duration) (bool, error) {
	if every < time.Millisecond {
		return false, fmt.Errorf("throttle %s: period %v is shorter than 1ms", key, every)
	}
	err := t.rdb.Do(ctx, "set", t.prefix+key, 1, "nx", "px", every.Milliseconds()).Err()
	switch {
	case errors.Is(err, redis.Nil):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("throttle %s: %w", key, err)
	}
	return true, nil
}
