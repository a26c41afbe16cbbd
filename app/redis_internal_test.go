package app

import (
	"context"
	"log/slog"
	"runtime"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/redisconn"
)

// TestRedisClientsFollowConcurrency: the request pool is sized from the
// jobs the process may run at once (TEXT_WORKERS + IMAGE_WORKERS, as the
// defaults or the environment set them), and every worker pool waits for
// work on the blocking client, never on the request pool.
func TestRedisClientsFollowConcurrency(t *testing.T) {
	t.Parallel()
	remote := map[string]string{"OPENAI_API_KEY": "sk-test", "GETIMG_API_KEY": "getimg-test"}
	for _, tc := range []struct {
		name     string
		env      map[string]string
		poolSize int
	}{
		{"remote defaults", remote, config.DefaultTextWorkers + config.DefaultImageWorkers + redisconn.PoolReserve},
		{"offline defaults", nil, redisconn.PoolSize(2*runtime.NumCPU(), 0)},
		{"given", map[string]string{"TEXT_WORKERS": "500", "IMAGE_WORKERS": "100"}, 500 + 100 + redisconn.PoolReserve},
		{"no workers", map[string]string{"TEXT_WORKERS": "0", "IMAGE_WORKERS": "0"}, redisconn.MinPoolSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Load(func(k string) string { return tc.env[k] }, Functions(Groups)...)
			if err != nil {
				t.Fatalf("config.Load() = %v", err)
			}
			a, err := New(context.Background(), cfg, Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatalf("New() = %v", err)
			}
			defer a.Close()
			if got := a.redis.Client.(*redis.Client).Options().PoolSize; got != tc.poolSize {
				t.Errorf("request pool = %d connections, want %d", got, tc.poolSize)
			}
			if got := a.redis.Blocking.(*redis.Client).Options().PoolSize; got != redisconn.BlockingPoolSize {
				t.Errorf("blocking pool = %d connections, want %d", got, redisconn.BlockingPoolSize)
			}
			if a.redis.Client == a.redis.Blocking {
				t.Fatalf("the blocking client is the request client")
			}
			want := 0
			if cfg.TextWorkers > 0 {
				want++
			}
			if cfg.ImageWorkers > 0 {
				want++
			}
			if len(a.pools) != want {
				t.Errorf("%d worker pools, want %d", len(a.pools), want)
			}
			for _, p := range a.pools {
				if p.Blocking != a.redis.Blocking {
					t.Errorf("the %s pool waits for work on %p, want the blocking client %p", p.Queue().Name(), p.Blocking, a.redis.Blocking)
				}
			}
		})
	}
}
