package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redisconn"
)

// store is the service's Redis and queues, as a command run from a shell
// (hub parked, jobs) sees them.
type store struct {
	cfg    config.Config
	conn   *redisconn.Conn
	queues []*queue.Queue
}

// openStore connects command to the service's Redis (REDIS_URL,
// REDIS_MODE, REDIS_KEY_PREFIX, through getenv) and opens the queues as
// the service does. The embedded store is refused: it lives, and dies,
// inside a service process, so what (the data the command is about) is
// not there. Close it with close.
func openStore(ctx context.Context, getenv func(string) string, command, what string) (*store, error) {
	cfg, err := config.Load(getenv, Functions(Groups)...)
	if err != nil {
		return nil, err
	}
	if cfg.RedisURL.Value() == "" {
		return nil, fmt.Errorf("%s: REDIS_URL is unset; %s live in the service's Redis", command, what)
	}
	conn, err := redisconn.Open(ctx, redisconn.Options{URL: cfg.RedisURL.Value(), Mode: cfg.RedisMode, PoolSize: 2}, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	s := &store{cfg: cfg, conn: conn}
	for _, d := range Groups {
		for _, q := range d.Queues {
			s.queues = append(s.queues, queue.New(conn.Client, queueConfig(cfg, q)))
		}
	}
	return s, nil
}

func (s *store) close() error { return s.conn.Close() }
