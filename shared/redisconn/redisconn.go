// Package redisconn opens the service's Redis connections: to the server,
// Redis Cluster or Sentinel-managed group named by REDIS_URL and REDIS_MODE,
// or to an embedded in-process store when no URL is configured.
//
// A process holds two clients on the same Redis. Client serves requests and
// jobs. Blocking serves the commands that wait on the server (the idle
// pools' BZPOPMIN, the hub dispatcher's XREADGROUP BLOCK), so a wait never
// holds a connection a request needs. Pub/sub needs neither pool: go-redis
// gives every subscription a connection of its own.
package redisconn

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Modes say how a URL is read (REDIS_MODE).
const (
	ModeSingle   = "single"   // one server: redis.ParseURL
	ModeCluster  = "cluster"  // Redis Cluster seeds: redis.ParseClusterURL
	ModeSentinel = "sentinel" // Sentinels, with master_name: redis.ParseFailoverURL
)

// Pool sizes.
const (
	// MinPoolSize is the smallest request pool Open makes.
	MinPoolSize = 64
	// PoolReserve is what PoolSize adds for background work that holds a
	// connection briefly: the hub dispatcher's reads and acknowledgements,
	// metrics scrapes, health checks, re-subscription catch-up.
	PoolReserve = 16
	// BlockingPoolSize is the blocking client's pool: enough for the
	// process's blocking waits, one per queue whose workers it runs and one
	// per hub outbox stream (5 in all today).
	BlockingPoolSize = 16
)

// Buffers of each connection, read and write. go-redis gives every
// connection 32 kB of each (128 kB on a pipeline connection), for as long
// as it lives, and a process that runs a thousand jobs keeps a hundred
// connections or more: replies and commands here are a job's record or
// less, and larger ones are read and written past the buffer.
const (
	connBuffer     = 8 << 10
	pipelineBuffer = 16 << 10
)

// PoolSize is the request pool's size, per Redis node, for a process that
// runs up to workers jobs at once (the slots of every queue's pool; a request
// that runs its own job borrows a worker's slot, so it is counted here) and
// serves up to requests concurrent requests. A job or a request uses one
// connection at a time, for the length of one command, script or pipeline;
// with a connection for each of them, plus PoolReserve, no caller waits for
// one, so a pool timeout under load is a bug rather than back-pressure.
// Blocking commands use a client of their own (Conn.Blocking) and are not
// counted. Connections are dialled as they are needed, so a large pool
// costs nothing while it is idle. The result is at least MinPoolSize.
func PoolSize(workers, requests int) int {
	return max(MinPoolSize, max(workers, 0)+max(requests, 0)+PoolReserve)
}

// Options says what Open connects to.
type Options struct {
	URL      string // REDIS_URL; "" starts the embedded store
	Mode     string // REDIS_MODE: ModeSingle (also for ""), ModeCluster or ModeSentinel
	PoolSize int    // the request pool per node; default MinPoolSize (see PoolSize)
}

// Conn is an open Redis connection and what must be closed with it.
type Conn struct {
	// Client serves every command but the blocking ones. It is a
	// *redis.Client (single, sentinel, embedded) or a *redis.ClusterClient.
	Client redis.UniversalClient
	// Blocking is a client of its own, of the same kind, for commands that
	// wait on the server: its pool of BlockingPoolSize connections is never
	// shared with requests.
	Blocking redis.UniversalClient
	Embedded bool
	mini     *miniredis.Miniredis
	stop     chan struct{}
	done     chan struct{}
}

// Open connects to opt.URL, read as opt.Mode says, or starts an embedded
// store when the URL is empty. The embedded store speaks the Redis protocol
// on a loopback port, so the same go-redis code path is used either way. A
// background ticker expires its TTLs in real time.
func Open(ctx context.Context, opt Options, logger *slog.Logger) (*Conn, error) {
	redis.SetLogger(clientLog{logger})
	if opt.PoolSize <= 0 {
		opt.PoolSize = MinPoolSize
	}
	if opt.URL == "" {
		if opt.Mode != "" && opt.Mode != ModeSingle {
			return nil, fmt.Errorf("REDIS_MODE: %s needs REDIS_URL", opt.Mode)
		}
		return openEmbedded(logger, opt.PoolSize)
	}
	newClient, err := clientFactory(opt.URL, opt.Mode)
	if err != nil {
		return nil, err
	}
	c := &Conn{Client: newClient(opt.PoolSize), Blocking: newClient(BlockingPoolSize)}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Client.Ping(pctx).Err(); err != nil {
		// Start anyway: /health reports the outage and routes answer 503
		// until Redis is back.
		logger.Warn("redis does not answer yet", "mode", modeName(opt.Mode), "error", err.Error())
	}
	return c, nil
}

func modeName(mode string) string {
	if mode == "" {
		return ModeSingle
	}
	return mode
}

// clientFactory parses url as mode says and returns what makes a client of
// a given pool size on it. Parse errors never echo the URL: it may hold a
// password.
func clientFactory(url, mode string) (func(poolSize int) redis.UniversalClient, error) {
	switch modeName(mode) {
	case ModeSingle:
		o, err := redis.ParseURL(url)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: not a valid Redis URL")
		}
		return factory(o, func(c *redis.Options) limits {
			return limits{&c.DialTimeout, &c.ReadTimeout, &c.WriteTimeout, &c.PoolTimeout, &c.MaxRetries, &c.PoolSize, &c.ContextTimeoutEnabled,
				[4]*int{&c.ReadBufferSize, &c.WriteBufferSize, &c.PipelineReadBufferSize, &c.PipelineWriteBufferSize}}
		}, func(c *redis.Options) redis.UniversalClient { return redis.NewClient(c) }), nil
	case ModeCluster:
		o, err := redis.ParseClusterURL(url)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: not a valid Redis Cluster URL (redis://host1:6379?addr=host2:6379&addr=host3:6379)")
		}
		return factory(o, func(c *redis.ClusterOptions) limits {
			return limits{&c.DialTimeout, &c.ReadTimeout, &c.WriteTimeout, &c.PoolTimeout, &c.MaxRetries, &c.PoolSize, &c.ContextTimeoutEnabled,
				[4]*int{&c.ReadBufferSize, &c.WriteBufferSize, &c.PipelineReadBufferSize, &c.PipelineWriteBufferSize}}
		}, func(c *redis.ClusterOptions) redis.UniversalClient { return redis.NewClusterClient(c) }), nil
	case ModeSentinel:
		o, err := redis.ParseFailoverURL(url)
		if err != nil || o.MasterName == "" {
			return nil, fmt.Errorf("REDIS_URL: not a valid Redis Sentinel URL (redis://sentinel1:26379?master_name=mymaster&addr=sentinel2:26379)")
		}
		return factory(o, func(c *redis.FailoverOptions) limits {
			return limits{&c.DialTimeout, &c.ReadTimeout, &c.WriteTimeout, &c.PoolTimeout, &c.MaxRetries, &c.PoolSize, &c.ContextTimeoutEnabled,
				[4]*int{&c.ReadBufferSize, &c.WriteBufferSize, &c.PipelineReadBufferSize, &c.PipelineWriteBufferSize}}
		}, func(c *redis.FailoverOptions) redis.UniversalClient { return redis.NewFailoverClient(c) }), nil
	}
	return nil, fmt.Errorf("REDIS_MODE: %q is not one of %s, %s, %s", mode, ModeSingle, ModeCluster, ModeSentinel)
}

// factory returns what makes clients from copies of the parsed options o,
// each tuned (see tune) through the limits that limitsOf finds in it.
func factory[O any](o *O, limitsOf func(*O) limits, newClient func(*O) redis.UniversalClient) func(int) redis.UniversalClient {
	return func(poolSize int) redis.UniversalClient {
		c := *o
		tune(limitsOf(&c), poolSize)
		return newClient(&c)
	}
}

// clientLog sends the Redis client's own messages (failed dials, pool
// trouble) to the service's structured log instead of bare stderr lines.
// The client is process-wide, so the last Open's logger receives them.
type clientLog struct{ l *slog.Logger }

func (c clientLog) Printf(ctx context.Context, format string, v ...any) {
	c.l.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}

// limits are the settings tune bounds, in whichever options struct holds
// them (single, cluster or failover).
type limits struct {
	dial, read, write, pool *time.Duration
	retries, size           *int
	ctxTimeout              *bool
	// buffers are the read and write buffers of a connection, then of a
	// pipeline connection.
	buffers [4]*int
}

// tune bounds every Redis call so a dead server never hangs a request, and
// sizes the pool to poolSize unless the URL asked for more.
func tune(l limits, poolSize int) {
	if *l.dial == 0 || *l.dial > 2*time.Second {
		*l.dial = 2 * time.Second
	}
	if *l.read == 0 {
		*l.read = 2 * time.Second
	}
	if *l.write == 0 {
		*l.write = 2 * time.Second
	}
	if *l.pool == 0 {
		*l.pool = 2 * time.Second
	}
	if *l.retries == 0 {
		// No retries: each timeout would add a full read timeout to the
		// request, and a script that timed out may have run already.
		// (A cluster client still follows MOVED and ASK redirections.)
		*l.retries = -1
	}
	if *l.size < poolSize {
		*l.size = poolSize
	}
	*l.ctxTimeout = true
	for i, b := range l.buffers {
		if *b == 0 {
			*b = connBuffer
			if i >= 2 {
				*b = pipelineBuffer
			}
		}
	}
}

func openEmbedded(logger *slog.Logger, poolSize int) (*Conn, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start embedded store: %w", err)
	}
	logger.Warn("REDIS_URL is unset: using an embedded single-instance store that forgets everything on restart; set REDIS_URL for anything but local development")
	newClient, err := clientFactory("redis://"+m.Addr(), ModeSingle)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("start embedded store: %w", err)
	}
	c := &Conn{
		Client:   newClient(poolSize),
		Blocking: newClient(BlockingPoolSize),
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

// Close closes both clients and stops the embedded store.
func (c *Conn) Close() error {
	err := c.Client.Close()
	if berr := c.Blocking.Close(); err == nil {
		err = berr
	}
	if c.mini != nil {
		close(c.stop)
		<-c.done
		c.mini.Close()
	}
	return err
}
