package redisconn

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

var discard = slog.New(slog.DiscardHandler)

func TestPoolSize(t *testing.T) {
	for _, tc := range []struct {
		workers, requests, want int
	}{
		{0, 0, MinPoolSize},
		{8 + 4, 0, MinPoolSize},
		{256 + 64, 0, 256 + 64 + PoolReserve},
		{256 + 64, 1000, 256 + 64 + 1000 + PoolReserve},
		{-1, -1, MinPoolSize},
	} {
		if got := PoolSize(tc.workers, tc.requests); got != tc.want {
			t.Errorf("PoolSize(%d, %d) = %d, want %d", tc.workers, tc.requests, got, tc.want)
		}
	}
}

// TestOpen connects in each mode to a real engine: the request client has
// the pool it was asked for, and blocking commands have a client and pool
// of their own, of the same kind.
func TestOpen(t *testing.T) {
	t.Parallel()
	addrs := redistest.ClusterAddrs(t)
	clusterURL := "redis://" + addrs[0] + "?addr=" + strings.Join(addrs[1:], "&addr=")
	for _, tc := range []struct {
		name, mode, url string
		kind            redis.UniversalClient
	}{
		{"single", ModeSingle, redistest.URL(), (*redis.Client)(nil)},
		{"no mode", "", redistest.URL(), (*redis.Client)(nil)},
		{"cluster", ModeCluster, clusterURL, (*redis.ClusterClient)(nil)},
		{"sentinel", ModeSentinel, startSentinel(t), (*redis.Client)(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const size = 300
			c, err := Open(context.Background(), Options{URL: tc.url, Mode: tc.mode, PoolSize: size}, discard)
			if err != nil {
				t.Fatalf("Open(%s) = %v", tc.mode, err)
			}
			defer c.Close()
			if fmt.Sprintf("%T", c.Client) != fmt.Sprintf("%T", tc.kind) || fmt.Sprintf("%T", c.Blocking) != fmt.Sprintf("%T", tc.kind) {
				t.Errorf("Open(%s) clients = %T, %T, want %T", tc.mode, c.Client, c.Blocking, tc.kind)
			}
			if c.Client == c.Blocking {
				t.Errorf("Open(%s): Blocking is the request client", tc.mode)
			}
			if got := poolSize(t, c.Client); got != size {
				t.Errorf("Open(%s) request pool = %d, want %d", tc.mode, got, size)
			}
			if got := poolSize(t, c.Blocking); got != BlockingPoolSize {
				t.Errorf("Open(%s) blocking pool = %d, want %d", tc.mode, got, BlockingPoolSize)
			}
			want := [4]int{connBuffer, connBuffer, pipelineBuffer, pipelineBuffer}
			if got := bufferSizes(t, c.Client); got != want {
				t.Errorf("Open(%s) buffers (read, write, pipeline read, pipeline write) = %v, want %v", tc.mode, got, want)
			}
			checkClients(t, c)
		})
	}
}

// checkClients runs a command on the request client and a blocking one on
// the blocking client.
func checkClients(t *testing.T, c *Conn) {
	t.Helper()
	ctx := context.Background()
	key := "redisconn-test:" + strconv.FormatInt(time.Now().UnixNano(), 36)
	defer c.Client.Del(ctx, key)
	if err := c.Client.ZAdd(ctx, key, redis.Z{Score: 1, Member: "m"}).Err(); err != nil {
		t.Fatalf("ZADD = %v", err)
	}
	got, err := c.Blocking.BZPopMin(ctx, time.Second, key).Result()
	if err != nil || got.Member != "m" {
		t.Errorf("BZPOPMIN on Blocking = %+v, %v, want m", got, err)
	}
}

func poolSize(tb testing.TB, c redis.UniversalClient) int {
	tb.Helper()
	switch c := c.(type) {
	case *redis.Client:
		return c.Options().PoolSize
	case *redis.ClusterClient:
		return c.Options().PoolSize
	}
	tb.Fatalf("client %T", c)
	return 0
}

func bufferSizes(tb testing.TB, c redis.UniversalClient) [4]int {
	tb.Helper()
	switch c := c.(type) {
	case *redis.Client:
		o := c.Options()
		return [4]int{o.ReadBufferSize, o.WriteBufferSize, o.PipelineReadBufferSize, o.PipelineWriteBufferSize}
	case *redis.ClusterClient:
		o := c.Options()
		return [4]int{o.ReadBufferSize, o.WriteBufferSize, o.PipelineReadBufferSize, o.PipelineWriteBufferSize}
	}
	tb.Fatalf("client %T", c)
	return [4]int{}
}

func TestOpenEmbedded(t *testing.T) {
	t.Parallel()
	c, err := Open(context.Background(), Options{}, discard)
	if err != nil {
		t.Fatalf("Open(embedded) = %v", err)
	}
	defer c.Close()
	if !c.Embedded || poolSize(t, c.Client) != MinPoolSize || poolSize(t, c.Blocking) != BlockingPoolSize {
		t.Errorf("Open(embedded) = embedded %v, pools %d and %d, want true, %d and %d",
			c.Embedded, poolSize(t, c.Client), poolSize(t, c.Blocking), MinPoolSize, BlockingPoolSize)
	}
	checkClients(t, c)
}

// TestOpenRefuses: a bad URL or mode is named, and the URL (which may hold a
// password) is never echoed.
func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode, url, want string
	}{
		{ModeSingle, "redis://:hunter2@localhost:6379/x", "REDIS_URL"},
		{ModeCluster, "redis://:hunter2@localhost:6379?bogus=1", "REDIS_URL"},
		{ModeSentinel, "redis://:hunter2@localhost:26379", "REDIS_URL"}, // no master_name
		{"ring", "redis://:hunter2@localhost:6379", "REDIS_MODE"},
		{ModeCluster, "", "REDIS_MODE"},
	} {
		c, err := Open(context.Background(), Options{URL: tc.url, Mode: tc.mode}, discard)
		if err == nil {
			c.Close()
			t.Errorf("Open(%s, %s) = nil error, want one naming %s", tc.mode, tc.url, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%s, %s) = %v, want an error naming %s without the password", tc.mode, tc.url, err, tc.want)
		}
	}
}

// startSentinel starts a Redis server and a Sentinel that watches it as
// "mymaster", both on free loopback ports, and returns the Sentinel URL.
func startSentinel(tb testing.TB) string {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		tb.Fatalf("redis-server is not installed (make test installs it): %v", err)
	}
	dir := tb.TempDir()
	master := freePort(tb)
	startProcess(tb, master, "redis-server", "--port", strconv.Itoa(master), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir)
	sentinel := freePort(tb)
	conf := filepath.Join(dir, "sentinel.conf")
	text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor mymaster 127.0.0.1 %d 1\n", sentinel, dir, master)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	startProcess(tb, sentinel, "redis-server", conf, "--sentinel")
	return fmt.Sprintf("redis://127.0.0.1:%d?master_name=mymaster", sentinel)
}

// startProcess runs a Redis process until the test ends and waits until it
// answers PING on port.
func startProcess(tb testing.TB, port int, name string, args ...string) {
	tb.Helper()
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", name, err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			tb.Fatalf("%s %v does not answer on port %d", name, args, port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
