// Package redisconn opens the service's Redis connection: the server named
// by REDIS_URL, or an embedded in-process store when none is configured.
package redisconn

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Conn is an open Redis connection and what must be closed with it.
type Conn struct {
	Client   *redis.Client
	Embedded bool
	mini     *miniredis.Miniredis
	stop     chan struct{}
	done     chan struct{}
}

// Open connects to url, or starts an embedded store when url is empty. The
// embedded store speaks the Redis protocol on a loopback port, so the same
// go-redis code path is used either way. A background ticker expires its
// TTLs in real time.
func Open(ctx context.Context, url string, logger *slog.Logger) (*Conn, error) {
	redis.SetLogger(clientLog{logger})
	if url == "" {
		return openEmbedded(logger)
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		// The URL may hold a password: never echo it.
		return nil, fmt.Errorf("REDIS_URL: not a valid Redis URL")
	}
	tune(opt)
	c := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		// Start anyway: /health reports the outage and routes answer 503
		// until Redis is back.
		logger.Warn("redis does not answer yet", "addr", opt.Addr, "error", err.Error())
	}
	return &Conn{Client: c}, nil
}

// clientLog sends the Redis client's own messages (failed dials, pool
// trouble) to the service's structured log instead of bare stderr lines.
// The client is process-wide, so the last Open's logger receives them.
type clientLog struct{ l *slog.Logger }

func (c clientLog) Printf(ctx context.Context, format string, v ...any) {
	c.l.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}

// tune bounds every Redis call so a dead server never hangs a request.
func tune(opt *redis.Options) {
	if opt.DialTimeout == 0 || opt.DialTimeout > 2*time.Second {
		opt.DialTimeout = 2 * time.Second
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = 2 * time.Second
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = 2 * time.Second
	}
	if opt.PoolTimeout == 0 {
		opt.PoolTimeout = 2 * time.Second
	}
	if opt.MaxRetries == 0 {
		// No retries: each timeout would add a full read timeout to the
		// request, and a script that timed out may have run already.
		opt.MaxRetries = -1
	}
	if opt.PoolSize < 64 {
		opt.PoolSize = 64
	}
	opt.ContextTimeoutEnabled = true
}

func openEmbedded(logger *slog.Logger) (*Conn, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start embedded store: %w", err)
	}
	logger.Warn("REDIS_URL is unset: using an embedded single-instance store that forgets everything on restart; set REDIS_URL for anything but local development")
	opt := &redis.Options{Addr: m.Addr()}
	tune(opt)
	c := &Conn{
		Client:   redis.NewClient(opt),
		Embedded: true,
		mini:     m,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go c.expire()
	return c, nil
}

// expire makes the embedded store's TTLs pass in real time.
func (c *Conn) expire() {
	defer close(c.done)
	const tick = 250 * time.Millisecond
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-c.stop:
			return
		case now := <-t.C:
			c.mini.FastForward(now.Sub(last))
			last = now
		}
	}
}

// Close closes the client and stops the embedded store.
func (c *Conn) Close() error {
	err := c.Client.Close()
	if c.mini != nil {
		close(c.stop)
		<-c.done
		c.mini.Close()
	}
	return err
}
