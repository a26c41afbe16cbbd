// Package cache stores finished generation results in Redis under a hash of
// the canonical request, so a repeated request costs nothing.
package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Cache is a Redis-backed result cache.
type Cache struct {
	rdb    redis.UniversalClient
	prefix string
	hits   *prometheus.CounterVec
	misses *prometheus.CounterVec
}

// New returns a cache whose keys start with prefix. reg may be nil.
func New(rdb redis.UniversalClient, prefix string, reg prometheus.Registerer) *Cache {
	c := &Cache{
		rdb: rdb, prefix: prefix,
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_cache_hits_total", Help: "Result cache hits by group.",
		}, []string{"group"}),
		misses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_cache_misses_total", Help: "Result cache misses by group.",
		}, []string{"group"}),
	}
	if reg != nil {
		reg.MustRegister(c.hits, c.misses)
	}
	return c
}

// Format names what the cache stores: results as a hit answers them, with
// "cached": true. It is part of every key, so a change of format starts
// from an empty cache instead of answering with old entries.
const Format = "hit-v2"

// Key hashes the canonical form of v (JSON with sorted map keys) with a
// group name and Format, so equal requests share a key.
func Key(group string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("cache key: %w", err)
	}
	// Round-trip through a generic value: encoding/json sorts map keys, so
	// field order in the input does not matter.
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return "", fmt.Errorf("cache key: %w", err)
	}
	b, _ = json.Marshal(generic)
	sum := sha256.Sum256(append([]byte(group+"\x00"+Format+"\x00"), b...))
	return group + ":" + hex.EncodeToString(sum[:]), nil
}

// Hash is the key of a request identified by parts that are canonical
// already (e.g. JSON of a normalised struct): it hashes them, with group
// and Format, without Key's round trip through a generic value.
func Hash(group string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(group + "\x00" + Format + "\x00"))
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return group + ":" + hex.EncodeToString(h.Sum(nil))
}

// Get returns the cached value for key.
func (c *Cache) Get(ctx context.Context, group, key string) ([]byte, bool, error) {
	return c.GetIn(ctx, c.rdb, group, key)()
}

// GetIn sends Get's command through cmd, such as a pipeline that carries
// other commands in the same round trip, and returns the function that
// reads its answer once the command has run.
func (c *Cache) GetIn(ctx context.Context, cmd redis.Cmdable, group, key string) func() ([]byte, bool, error) {
	get := cmd.Get(ctx, c.prefix+"cache:"+key)
	return func() ([]byte, bool, error) {
		b, err := get.Bytes()
		if errors.Is(err, redis.Nil) {
			c.misses.WithLabelValues(group).Inc()
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("cache get: %w", err)
		}
		c.hits.WithLabelValues(group).Inc()
		return b, true, nil
	}
}

// Set stores value under key for ttl.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := c.SetIn(ctx, c.rdb, key, value, ttl).Err(); err != nil {
		return fmt.Errorf("cache set: %w", err)
	}
	return nil
}

// SetIn sends Set's command through cmd, such as a pipeline that carries
// other writes in the same round trip.
func (c *Cache) SetIn(ctx context.Context, cmd redis.Cmdable, key string, value []byte, ttl time.Duration) *redis.StatusCmd {
	return cmd.Set(ctx, c.prefix+"cache:"+key, value, ttl)
}

// Delete removes the value under key, if any.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if err := c.rdb.Del(ctx, c.prefix+"cache:"+key).Err(); err != nil {
		return fmt.Errorf("cache delete: %w", err)
	}
	return nil
}
