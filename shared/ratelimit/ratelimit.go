// Package ratelimit admits requests per caller with GCRA in one Lua script,
// timed by Redis TIME, so the limit is exact across any number of replicas
// sharing one Redis. A limit of N per minute allows a burst of N, refilled
// evenly over the minute.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcra: KEYS[1] the caller's TAT key. ARGV: 1 emission interval (µs),
// 2 burst, 3 requests taken at once. Returns {allowed, remaining,
// retry_after_us, reset_after_us}.
var gcra = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local tolerance = interval * burst
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * n
local allow_at = new_tat - tolerance
local diff = now - allow_at
if diff < 0 then
  return {0, 0, -diff, tat - now}
end
local ttl = new_tat - now
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil(ttl / 1000))
return {1, math.floor(diff / interval), 0, ttl}
`)

// refund gives back requests taken: KEYS[1] the caller's TAT key. ARGV:
// 1 emission interval (µs), 2 requests.
var refund = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local new_tat = tat - tonumber(ARGV[1]) * tonumber(ARGV[2])
if new_tat <= now then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return 1
`)

// Decision is the limiter's answer for one request.
type Decision struct {
	Allowed    bool
	Limit      int
	Remaining  int
	RetryAfter time.Duration // when refused: how long until one request is allowed
	ResetAfter time.Duration // until the caller is back to a full burst
}

// Limiter limits requests per caller and group.
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string
}

// New returns a limiter whose keys start with prefix.
func New(rdb redis.UniversalClient, prefix string) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix}
}

// Allow takes one request for caller in group under a limit of perMinute.
func (l *Limiter) Allow(ctx context.Context, group, caller string, perMinute int) (Decision, error) {
	return l.AllowWith(ctx, group, caller, perMinute, nil)
}

// AllowWith is Allow that also sends the commands with adds (when not nil),
// such as a cache lookup the caller needs next, in the same round trip.
// Their results are the caller's to read; a refusal does not undo them.
func (l *Limiter) AllowWith(ctx context.Context, group, caller string, perMinute int, with func(redis.Pipeliner)) (Decision, error) {
	return l.AllowN(ctx, group, caller, perMinute, 1, with)
}

// AllowN is AllowWith for n requests at once: all are taken or none. More
// than perMinute are never allowed.
func (l *Limiter) AllowN(ctx context.Context, group, caller string, perMinute, n int, with func(redis.Pipeliner)) (Decision, error) {
	if perMinute <= 0 {
		return Decision{Allowed: true, Limit: 0}, nil
	}
	interval := time.Minute.Microseconds() / int64(perMinute)
	keys := []string{l.key(group, caller)}
	var res []int64
	var err error
	if with == nil {
		res, err = gcra.Run(ctx, l.rdb, keys, interval, perMinute, n).Int64Slice()
	} else {
		pipe := l.rdb.Pipeline()
		cmd := gcra.EvalSha(ctx, pipe, keys, interval, perMinute, n)
		with(pipe)
		_, _ = pipe.Exec(ctx) // each command carries its own error
		res, err = cmd.Int64Slice()
		if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
			// Redis lost its script cache (a restart): send the script.
			res, err = gcra.Run(ctx, l.rdb, keys, interval, perMinute, n).Int64Slice()
		}
	}
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit %s: %w", group, err)
	}
	return Decision{
		Allowed:    res[0] == 1,
		Limit:      perMinute,
		Remaining:  int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Microsecond,
		ResetAfter: time.Duration(res[3]) * time.Microsecond,
	}, nil
}

// Refund gives back n requests AllowN took for caller in group under the
// same limit, when what they were taken for did not start.
func (l *Limiter) Refund(ctx context.Context, group, caller string, perMinute, n int) error {
	if perMinute <= 0 || n <= 0 {
		return nil
	}
	interval := time.Minute.Microseconds() / int64(perMinute)
	if err := refund.Run(ctx, l.rdb, []string{l.key(group, caller)}, interval, n).Err(); err != nil {
		return fmt.Errorf("rate limit %s: refund: %w", group, err)
	}
	return nil
}

// key is the caller's bucket in group. The hash tag is the group and
// caller: buckets spread over a Redis Cluster's slots.
func (l *Limiter) key(group, caller string) string {
	return l.prefix + "rl:{" + group + ":" + caller + "}"
}
