// Package redistest connects tests to real Redis engines and gives each test
// its own key prefix: the single server named by TEST_REDIS_URL (default
// redis://127.0.0.1:6379/15), and the Redis Cluster whose nodes
// TEST_REDIS_CLUSTER lists (host:port,...).
//
// local/test.sh (make test) starts both and exports the variables. A test
// that needs the cluster fails, and is never skipped, when
// TEST_REDIS_CLUSTER is unset: the message says how to start one
// (local/redis-cluster.sh). The suites must not pass silently on one engine.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultURL is used when TEST_REDIS_URL is unset.
const DefaultURL = "redis://127.0.0.1:6379/15"

// ClusterEnv names the variable that lists the test cluster's nodes.
const ClusterEnv = "TEST_REDIS_CLUSTER"

// URL returns the Redis URL tests use.
func URL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// New returns a client on the test Redis and a key prefix unique to this
// test. Keys under the prefix are deleted when the test ends. A test fails
// (it is never skipped) when Redis does not answer: the suite must not pass
// silently without a real Redis.
func New(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	opt, err := redis.ParseURL(URL())
	if err != nil {
		tb.Fatalf("parse TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opt)
	ping(tb, c, "test Redis at "+opt.Addr, "start redis-server or set TEST_REDIS_URL")
	return c, withPrefix(tb, c)
}

// ClusterAddrs returns the test cluster's node addresses. It fails the test
// when TEST_REDIS_CLUSTER is unset.
func ClusterAddrs(tb testing.TB) []string {
	tb.Helper()
	v := os.Getenv(ClusterEnv)
	if v == "" {
		tb.Fatalf("%s is unset: this test runs against a Redis Cluster too. Run it with `make test`, "+
			"which starts one, or start one yourself: eval \"$(local/redis-cluster.sh start)\"", ClusterEnv)
	}
	return strings.Split(v, ",")
}

// NewCluster returns a client on the test Redis Cluster and a key prefix
// unique to this test, deleted on every master when the test ends.
func NewCluster(tb testing.TB) (*redis.ClusterClient, string) {
	tb.Helper()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: ClusterAddrs(tb)})
	ping(tb, c, "test Redis Cluster at "+os.Getenv(ClusterEnv), "start it with local/redis-cluster.sh")
	return c, withPrefix(tb, c)
}

// Each runs fn twice, as the subtests "single" and "cluster": on the test
// Redis (New) and on the test Redis Cluster (NewCluster), each time with a
// client and a key prefix of its own.
func Each(t *testing.T, fn func(t *testing.T, rdb redis.UniversalClient, prefix string)) {
	t.Helper()
	t.Run("single", func(t *testing.T) {
		rdb, prefix := New(t)
		fn(t, rdb, prefix)
	})
	t.Run("cluster", func(t *testing.T) {
		rdb, prefix := NewCluster(t)
		fn(t, rdb, prefix)
	})
}

// Named returns another client on the engine of rdb (a *redis.Client or a
// *redis.ClusterClient) that names its connections name (CLIENT SETNAME),
// ("" for none), so a test can find them in CLIENT LIST, with a pool of poolSize
// connections per server (0: as rdb's). It is closed when the test ends.
func Named(tb testing.TB, rdb redis.UniversalClient, name string, poolSize int) redis.UniversalClient {
	tb.Helper()
	var c redis.UniversalClient
	switch r := rdb.(type) {
	case *redis.Client:
		opt := *r.Options()
		opt.ClientName = name
		if poolSize > 0 {
			opt.PoolSize = poolSize
		}
		c = redis.NewClient(&opt)
	case *redis.ClusterClient:
		opt := *r.Options()
		opt.ClientName = name
		if poolSize > 0 {
			opt.PoolSize = poolSize
		}
		c = redis.NewClusterClient(&opt)
	default:
		tb.Fatalf("redistest.Named: unsupported client %T", rdb)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// ForEachServer runs fn on a client of every server that holds data: the
// single server, or every master of a cluster.
func ForEachServer(ctx context.Context, rdb redis.UniversalClient, fn func(ctx context.Context, c *redis.Client) error) error {
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, fn)
	}
	return fn(ctx, rdb.(*redis.Client))
}

// ClientInfo is one connection to a server, as CLIENT LIST shows it.
type ClientInfo struct {
	ID, Name string
	Cmd      string // the last command it ran
	Flags    string // "b": blocked in a blocking command
}

// Blocked reports whether the connection waits in a blocking command.
func (c ClientInfo) Blocked() bool { return strings.Contains(c.Flags, "b") }

// Clients lists the connections to c's server.
func Clients(ctx context.Context, c *redis.Client) ([]ClientInfo, error) {
	list, err := c.ClientList(ctx).Result()
	if err != nil {
		return nil, err
	}
	var out []ClientInfo
	for _, line := range strings.Split(list, "\n") {
		f := map[string]string{}
		for _, kv := range strings.Fields(line) {
			k, v, _ := strings.Cut(kv, "=")
			f[k] = v
		}
		if f["id"] != "" {
			out = append(out, ClientInfo{ID: f["id"], Name: f["name"], Cmd: f["cmd"], Flags: f["flags"]})
		}
	}
	return out, nil
}

// CountClients counts the connections that match on every server of rdb's
// engine.
func CountClients(tb testing.TB, rdb redis.UniversalClient, match func(ClientInfo) bool) int {
	tb.Helper()
	var n atomic.Int32
	err := ForEachServer(context.Background(), rdb, func(ctx context.Context, c *redis.Client) error {
		clients, err := Clients(ctx, c)
		for _, ci := range clients {
			if match(ci) {
				n.Add(1)
			}
		}
		return err
	})
	if err != nil {
		tb.Fatalf("CLIENT LIST = %v", err)
	}
	return int(n.Load())
}

// BlockedAs matches the connections named name that wait in a blocking
// command.
func BlockedAs(name string) func(ClientInfo) bool {
	return func(c ClientInfo) bool { return c.Name == name && c.Blocked() }
}

// Keys returns the keys that match pattern on every server of rdb's engine
// (KEYS on a cluster client asks one node only).
func Keys(tb testing.TB, rdb redis.UniversalClient, pattern string) []string {
	tb.Helper()
	var mu sync.Mutex
	var keys []string
	err := ForEachServer(context.Background(), rdb, func(ctx context.Context, c *redis.Client) error {
		k, err := c.Keys(ctx, pattern).Result()
		mu.Lock()
		keys = append(keys, k...)
		mu.Unlock()
		return err
	})
	if err != nil {
		tb.Fatalf("KEYS %s = %v", pattern, err)
	}
	slices.Sort(keys)
	return keys
}

// Slots returns the distinct hash slots of keys, as the cluster computes
// them (CLUSTER KEYSLOT), sorted.
func Slots(tb testing.TB, c *redis.ClusterClient, keys []string) []int64 {
	tb.Helper()
	var slots []int64
	for _, k := range keys {
		s, err := c.ClusterKeySlot(context.Background(), k).Result()
		if err != nil {
			tb.Fatalf("CLUSTER KEYSLOT %s = %v", k, err)
		}
		if !slices.Contains(slots, s) {
			slots = append(slots, s)
		}
	}
	slices.Sort(slots)
	return slots
}

// Flush deletes every key that contains prefix (keys may wrap the prefix in
// a hash tag, so the match is "*prefix*"), on every master of a cluster.
func Flush(ctx context.Context, rdb redis.UniversalClient, prefix string) {
	_ = ForEachServer(ctx, rdb, func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, "*"+prefix+"*", 1000).Iterator()
		// One key per UNLINK: a cluster node refuses keys of several slots
		// in one command.
		pipe := c.Pipeline()
		for iter.Next(ctx) {
			pipe.Unlink(ctx, iter.Val())
			if pipe.Len() == 500 {
				_, _ = pipe.Exec(ctx)
			}
		}
		_, _ = pipe.Exec(ctx)
		return nil
	})
}

func ping(tb testing.TB, c redis.UniversalClient, what, hint string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		tb.Fatalf("%s does not answer: %v (%s)", what, err, hint)
	}
}

// Prefix returns another key prefix unique to the test, on rdb's engine,
// such as one for each of a test's subtests. Its keys are deleted when the
// test ends.
func Prefix(tb testing.TB, rdb redis.UniversalClient) string {
	prefix := "t" + randHex(6) + ":"
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Flush(ctx, rdb, prefix)
	})
	return prefix
}

// withPrefix returns a new key prefix whose keys are deleted, and c closed,
// when the test ends.
func withPrefix(tb testing.TB, c redis.UniversalClient) string {
	tb.Cleanup(func() { c.Close() }) // after the flush: cleanups run last first
	return Prefix(tb, c)
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
