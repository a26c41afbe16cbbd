package hub

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// DispatcherConfig tunes a Dispatcher. Zero values take the defaults noted
// beside each field.
type DispatcherConfig struct {
	// Group is the consumer group every replica joins, one per stream.
	// Default "hub-dispatcher".
	Group string
	// Consumer names this replica inside the group; it must be unique among
	// live replicas. Default: host name plus a random suffix. A Lambda
	// function can use its log stream name.
	Consumer string
	// EventTTL drops events older than this instead of delivering them.
	// Default 7 days. An event re-sent from the parked stream ages from
	// when it was re-sent.
	EventTTL time.Duration
	// ParkedTTL drops parked events this long after they were parked.
	// Default DefaultParkedTTL (7 days).
	ParkedTTL time.Duration
	// ParkedMaxLen caps each parked stream; the oldest parked events
	// beyond it are dropped. Default DefaultMaxLen.
	ParkedMaxLen int64
	// BatchSize is how many entries one read takes. Default 50.
	BatchSize int
	// BackoffStart and BackoffCap bound the capped exponential retry delay
	// (with jitter) after a failed delivery. Defaults 500ms and 30s.
	BackoffStart time.Duration
	BackoffCap   time.Duration
	// BlockTimeout bounds one blocking XREADGROUP; Run returns at most this
	// long after its context is cancelled. Default 5s.
	BlockTimeout time.Duration
	// Blocking serves the blocking reads (XREADGROUP BLOCK, one per stream
	// while it has nothing new); default the dispatcher's client. Give it a
	// client of its own (redisconn.Conn.Blocking) so that the waits never
	// hold connections of the request pool.
	Blocking redis.UniversalClient
	// ClaimIdle is how long an entry stays pending with another consumer
	// before this one takes it over (XAUTOCLAIM): the other replica is
	// presumed dead. Keep it above BackoffCap plus the hub client timeout.
	// Default 2 minutes.
	ClaimIdle time.Duration
	// ConsumerIdle removes consumers of the group that hold no pending
	// entries and were idle this long, so short-lived replicas do not pile
	// up. Default 24 hours.
	ConsumerIdle time.Duration
	// Logger receives delivery problems. Default: discard.
	Logger *slog.Logger
	// Registerer receives the llm_hub_* metrics. Nil: not registered.
	Registerer prometheus.Registerer
	// Now decides event expiry. Default time.Now.
	Now func() time.Time
	// After waits between retries. Default time.After.
	After func(time.Duration) <-chan time.Time
}

// pruneEvery spaces the scans for idle consumers.
const pruneEvery = 10 * time.Minute

func (c *DispatcherConfig) setDefaults() {
	if c.Group == "" {
		c.Group = "hub-dispatcher"
	}
	if c.Consumer == "" {
		host, _ := os.Hostname()
		if host == "" {
			host = "dispatcher"
		}
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		c.Consumer = host + "-" + hex.EncodeToString(b)
	}
	if c.EventTTL <= 0 {
		c.EventTTL = 7 * 24 * time.Hour
	}
	if c.ParkedTTL <= 0 {
		c.ParkedTTL = DefaultParkedTTL
	}
	if c.ParkedMaxLen <= 0 {
		c.ParkedMaxLen = DefaultMaxLen
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 50
	}
	if c.BackoffStart <= 0 {
		c.BackoffStart = 500 * time.Millisecond
	}
	if c.BackoffCap <= 0 {
		c.BackoffCap = 30 * time.Second
	}
	c.BackoffCap = max(c.BackoffCap, c.BackoffStart)
	if c.BlockTimeout <= 0 {
		c.BlockTimeout = 5 * time.Second
	}
	if c.ClaimIdle <= 0 {
		c.ClaimIdle = 2 * time.Minute
	}
	if c.ConsumerIdle <= 0 {
		c.ConsumerIdle = 24 * time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.After == nil {
		c.After = time.After
	}
}

// Dispatcher delivers the events of one or more outbox streams to the hub.
//
// Each stream has a consumer group, so replicas share the work and a dead
// replica's entries are taken over. Events of one stream reach the hub in
// stream order, across replicas too: an entry is posted only while it is the
// oldest pending entry of its group, so a failing event (5xx, 408, 429, no
// answer) holds back the ones after it. An event leaves the stream (XACK +
// XDEL) once the hub accepted it (2xx, or 409: already stored), expired,
// or was refused: a 410 drops it, any other 4xx parks it in the stream's
// parked stream (ParkedStream) in the same step, for an operator to re-send
// (Parked.Redeliver). Delivery is at least once; the hub deduplicates on
// the Idempotency-Key.
type Dispatcher struct {
	rdb     redis.UniversalClient
	client  *Client
	streams []string
	cfg     DispatcherConfig
	backoff backoff
	m       *dispatchMetrics

	groups sync.Map // stream -> struct{}: group known to exist

	pruneMu   sync.Mutex
	lastPrune map[string]time.Time
	lastSweep map[string]time.Time

	parkLog parkLog
}

// NewDispatcher returns a dispatcher for streams, posting through client.
func NewDispatcher(rdb redis.UniversalClient, client *Client, streams []string, cfg DispatcherConfig) (*Dispatcher, error) {
	switch {
	case rdb == nil:
		return nil, errors.New("new hub dispatcher: no Redis client")
	case client == nil:
		return nil, errors.New("new hub dispatcher: no hub client")
	case len(streams) == 0:
		return nil, errors.New("new hub dispatcher: no streams")
	}
	seen := map[string]bool{}
	for _, s := range streams {
		if s == "" || seen[s] {
			return nil, fmt.Errorf("new hub dispatcher: empty or repeated stream %q", s)
		}
		if !hasHashTag(s) {
			return nil, fmt.Errorf("new hub dispatcher: stream %q has no {hash tag}: its parked stream must share its cluster slot", s)
		}
		seen[s] = true
	}
	cfg.setDefaults()
	m, err := newDispatchMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("new hub dispatcher: %w", err)
	}
	return &Dispatcher{
		rdb:       rdb,
		client:    client,
		streams:   append([]string(nil), streams...),
		cfg:       cfg,
		backoff:   backoff{start: cfg.BackoffStart, cap: cfg.BackoffCap},
		m:         m,
		lastPrune: map[string]time.Time{},
		lastSweep: map[string]time.Time{},
		parkLog:   parkLog{pending: map[int]*parkNote{}},
	}, nil
}

// Run delivers events until ctx is cancelled, one goroutine per stream,
// blocking on XREADGROUP between events instead of polling. Redis and hub
// failures are retried with backoff. It returns nil once every stream
// goroutine has stopped (at most BlockTimeout after cancellation).
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, s := range d.streams {
		wg.Go(func() { d.runStream(ctx, s) })
	}
	wg.Wait()
	d.logParked(context.WithoutCancel(ctx), true) // the counts not yet logged
	return nil
}

// Drain delivers what the streams hold now and returns: when every stream
// is empty, or waits on an older entry pending with another live consumer,
// or after the first failed delivery of a stream (that event stays for the
// next run). It suits a Lambda invocation or scheduled worker. Do not run
// it beside Run with the same Consumer.
func (d *Dispatcher) Drain(ctx context.Context) (delivered int, err error) {
	var total atomic.Int64
	errs := make([]error, len(d.streams))
	var wg sync.WaitGroup
	for i, s := range d.streams {
		wg.Go(func() {
			for {
				res := d.step(ctx, s, -1)
				total.Add(int64(res.delivered))
				switch {
				case res.outcome == failed:
					errs[i] = fmt.Errorf("drain %s: %w", s, res.err)
					return
				case ctx.Err() != nil:
					errs[i] = fmt.Errorf("drain %s: %w", s, ctx.Err())
					return
				case res.outcome != progressed:
					return
				}
			}
		})
	}
	wg.Wait()
	d.logParked(ctx, false)
	return int(total.Load()), errors.Join(errs...)
}

func (d *Dispatcher) runStream(ctx context.Context, stream string) {
	log := d.cfg.Logger.With("stream", stream)
	defer d.release(ctx, stream)
	var fails, behinds int
	hubDown := false
	for ctx.Err() == nil {
		res := d.step(ctx, stream, d.cfg.BlockTimeout)
		if ctx.Err() != nil {
			return
		}
		d.logParked(ctx, false)
		switch res.outcome {
		case progressed, idle:
			if hubDown && res.delivered > 0 {
				log.InfoContext(ctx, "hub event delivery recovered")
				hubDown = false
			}
			fails, behinds = 0, 0
		case behind:
			behinds++
			wait(ctx, d.cfg.After, min(d.backoff.delay(behinds), d.cfg.BlockTimeout))
		case failed:
			fails++
			if !res.hubErr {
				log.WarnContext(ctx, "hub outbox: Redis error", "error", res.err)
			} else if !hubDown {
				log.WarnContext(ctx, "hub event delivery failing; retrying with backoff", "error", res.err)
				hubDown = true
			}
			delay := max(d.backoff.delay(fails), min(res.retryAfter, d.cfg.BackoffCap))
			wait(ctx, d.cfg.After, delay)
		}
	}
}

type outcome int

const (
	progressed outcome = iota // did some work; go on at once
	idle                      // nothing to deliver
	behind                    // an older entry is pending with another live consumer
	failed                    // a Redis error or failed delivery; retry later
)

type stepResult struct {
	outcome    outcome
	delivered  int
	err        error
	hubErr     bool          // err came from the hub, not Redis
	retryAfter time.Duration // the hub's Retry-After
}

func redisFailure(res stepResult, err error) stepResult {
	res.outcome, res.err = failed, err
	return res
}

// step performs one round on stream: this consumer's pending entries
// first, then entries taken over from dead consumers, then new entries
// (waiting up to block for them; block < 0 does not wait).
func (d *Dispatcher) step(ctx context.Context, stream string, block time.Duration) stepResult {
	var res stepResult
	if err := d.ensureGroup(ctx, stream); err != nil {
		return redisFailure(res, err)
	}
	if n, err := d.rdb.XLen(ctx, stream).Result(); err == nil {
		d.m.depth.WithLabelValues(stream).Set(float64(n))
	}
	d.sweepParked(ctx, stream)
	msgs, err := d.read(ctx, stream, "0", -1)
	if err != nil {
		return redisFailure(res, err)
	}
	if len(msgs) == 0 {
		n, err := d.claim(ctx, stream)
		if err != nil {
			return redisFailure(res, err)
		}
		if n > 0 {
			return stepResult{outcome: progressed}
		}
		if msgs, err = d.read(ctx, stream, ">", block); err != nil {
			return redisFailure(res, err)
		}
		if len(msgs) == 0 {
			return stepResult{outcome: idle}
		}
	}
	return d.deliver(ctx, stream, msgs)
}

// deliver posts msgs (this consumer's pending entries, in stream order)
// while each is the oldest pending entry of the group.
func (d *Dispatcher) deliver(ctx context.Context, stream string, msgs []redis.XMessage) stepResult {
	res := stepResult{outcome: progressed}
	for _, m := range msgs {
		head, err := d.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
			Stream: stream, Group: d.cfg.Group, Start: "-", End: "+", Count: 1,
		}).Result()
		if err != nil {
			return redisFailure(res, d.noteGroupErr(stream, fmt.Errorf("xpending %s: %w", stream, err)))
		}
		switch {
		case len(head) == 0 || compareIDs(head[0].ID, m.ID) > 0:
			continue // no longer pending: delivered by whoever held it
		case head[0].ID == m.ID && head[0].Consumer != d.cfg.Consumer:
			return res // taken over by another consumer, which delivers it
		case head[0].ID != m.ID && head[0].Consumer == d.cfg.Consumer:
			return res // an older entry joined our pending list; read again
		case head[0].ID != m.ID:
			// An older entry waits with another consumer: take it over if
			// that consumer is dead, else let it go first.
			n, err := d.claim(ctx, stream)
			if err != nil {
				return redisFailure(res, err)
			}
			if n == 0 {
				res.outcome = behind
			}
			return res
		}
		ev, raw, ok, err := d.screen(ctx, stream, m)
		if err != nil {
			return redisFailure(res, err)
		}
		if !ok {
			continue
		}
		if stop := d.post(ctx, stream, m, ev, raw, &res); stop {
			return res
		}
	}
	return res
}

// screen drops an entry that must not be posted: trimmed while pending,
// undecodable, or expired. ok reports whether the event is to be posted.
func (d *Dispatcher) screen(ctx context.Context, stream string, m redis.XMessage) (ev Event, raw json.RawMessage, ok bool, err error) {
	log := d.cfg.Logger.With("stream", stream)
	if m.Values == nil { // trimmed by MAXLEN while pending
		return ev, nil, false, d.drop(ctx, stream, m.ID, DropTrimmed)
	}
	ev, raw, err = decodeEntry(m.Values)
	if err != nil {
		log.WarnContext(ctx, "dropping undecodable hub outbox entry", "entry", m.ID, "error", err)
		return ev, nil, false, d.drop(ctx, stream, m.ID, DropMalformed)
	}
	if d.expired(ev, m) {
		log.InfoContext(ctx, "dropping expired hub event", "event_id", ev.Metadata.EventID, "event_type", ev.EventType, "timestamp", ev.Metadata.Timestamp)
		return ev, nil, false, d.drop(ctx, stream, m.ID, DropExpired)
	}
	return ev, raw, true, nil
}

// post posts one event and acts on the hub's verdict: the event leaves the
// stream once delivered, parked or gone. It reports whether delivery of
// the stream stops here (a failure to retry, recorded in res).
func (d *Dispatcher) post(ctx context.Context, stream string, m redis.XMessage, ev Event, raw json.RawMessage, res *stepResult) (stop bool) {
	err := d.client.postEventJSON(ctx, ev.Metadata.EventID, raw)
	var rerr error
	switch fateOf(err) {
	case fateDelivered:
		// When remove fails the event stays pending: it is posted again
		// later, and the hub deduplicates it by its Idempotency-Key.
		if rerr = d.remove(ctx, stream, m.ID); rerr == nil {
			d.m.delivered.WithLabelValues(ev.EventType).Inc()
			res.delivered++
		}
	case fateParked:
		rerr = d.park(ctx, stream, m, ev, raw, err)
	case fateGone:
		d.cfg.Logger.WarnContext(ctx, "hub answered 410 Gone for an event; dropping it", "stream", stream,
			"event_id", ev.Metadata.EventID, "event_type", ev.EventType)
		rerr = d.drop(ctx, stream, m.ID, DropGone)
	default:
		if ctx.Err() == nil {
			d.m.failures.Inc()
		}
		res.outcome, res.err, res.hubErr = failed, err, true
		var se *statusError
		if errors.As(err, &se) {
			res.retryAfter = se.retryAfter
		}
		return true
	}
	if rerr != nil {
		*res = redisFailure(*res, rerr)
		return true
	}
	return false
}

// read runs XREADGROUP on stream from id ("0": this consumer's pending
// entries; ">": new entries). block < 0 does not wait.
func (d *Dispatcher) read(ctx context.Context, stream, id string, block time.Duration) ([]redis.XMessage, error) {
	rdb := d.rdb
	if block >= 0 && d.cfg.Blocking != nil {
		rdb = d.cfg.Blocking
	}
	streams, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group:    d.cfg.Group,
		Consumer: d.cfg.Consumer,
		Streams:  []string{stream, id},
		Count:    int64(d.cfg.BatchSize),
		Block:    block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, d.noteGroupErr(stream, fmt.Errorf("xreadgroup %s %s: %w", stream, id, err))
	}
	var msgs []redis.XMessage
	for _, s := range streams {
		msgs = append(msgs, s.Messages...)
	}
	return msgs, nil
}

// claim takes over entries pending longer than ClaimIdle with other
// consumers and reports how many pending entries it took or cleared.
func (d *Dispatcher) claim(ctx context.Context, stream string) (int, error) {
	msgs, _, deleted, err := d.rdb.XAutoClaimWithDeleted(ctx, &redis.XAutoClaimArgs{
		Stream:   stream,
		Group:    d.cfg.Group,
		Consumer: d.cfg.Consumer,
		MinIdle:  d.cfg.ClaimIdle,
		Start:    "0-0",
		Count:    int64(d.cfg.BatchSize),
	}).Result()
	if err != nil {
		return 0, d.noteGroupErr(stream, fmt.Errorf("xautoclaim %s: %w", stream, err))
	}
	if len(deleted) > 0 {
		// Trimmed while pending; XAUTOCLAIM already removed them.
		d.m.dropped.WithLabelValues(DropTrimmed).Add(float64(len(deleted)))
	}
	if len(msgs) > 0 {
		d.cfg.Logger.InfoContext(ctx, "took over hub events pending with an idle consumer", "stream", stream, "count", len(msgs))
	}
	d.pruneConsumers(ctx, stream)
	return len(msgs) + len(deleted), nil
}

// release, when this consumer stops, makes the entries still pending with
// it claimable by the other consumers at once (XCLAIM IDLE sets their idle
// time to ClaimIdle; JUSTID keeps their delivery count). Without it a
// replica that stops gracefully, such as one restarted while the hub is
// down, holds its events and every later one back for ClaimIdle.
// Failures are harmless: the entries are then taken over after ClaimIdle.
func (d *Dispatcher) release(ctx context.Context, stream string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	pending, err := d.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
		Stream: stream, Group: d.cfg.Group, Start: "-", End: "+", Count: 10000, Consumer: d.cfg.Consumer,
	}).Result()
	if err != nil || len(pending) == 0 {
		return
	}
	args := []any{"XCLAIM", stream, d.cfg.Group, d.cfg.Consumer, 0}
	for _, p := range pending {
		args = append(args, p.ID)
	}
	args = append(args, "IDLE", d.cfg.ClaimIdle.Milliseconds(), "JUSTID")
	if err := d.rdb.Do(ctx, args...).Err(); err != nil {
		d.cfg.Logger.WarnContext(ctx, "hub outbox: pending events not released; others take them over later", "stream", stream, "error", err)
	}
}

// pruneConsumers deletes, now and then, group consumers that hold nothing
// and were idle longer than ConsumerIdle. Failures are harmless.
func (d *Dispatcher) pruneConsumers(ctx context.Context, stream string) {
	if !d.due(d.lastPrune, stream, pruneEvery) {
		return
	}
	consumers, err := d.rdb.XInfoConsumers(ctx, stream, d.cfg.Group).Result()
	if err != nil {
		return
	}
	for _, c := range consumers {
		if c.Name != d.cfg.Consumer && c.Pending == 0 && c.Idle > d.cfg.ConsumerIdle {
			d.rdb.XGroupDelConsumer(ctx, stream, d.cfg.Group, c.Name)
		}
	}
}

// due reports whether a chore done at most every period per stream, last
// done at last[stream], is due now; it then records it as done.
func (d *Dispatcher) due(last map[string]time.Time, stream string, every time.Duration) bool {
	now := d.cfg.Now()
	d.pruneMu.Lock()
	defer d.pruneMu.Unlock()
	if t, ok := last[stream]; ok && now.Sub(t) < every {
		return false
	}
	last[stream] = now
	return true
}

// ensureGroup creates the stream's consumer group (and the stream) once.
// The group starts at "0" so entries written before any dispatcher ran are
// delivered too.
func (d *Dispatcher) ensureGroup(ctx context.Context, stream string) error {
	if _, ok := d.groups.Load(stream); ok {
		return nil
	}
	err := d.rdb.XGroupCreateMkStream(ctx, stream, d.cfg.Group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create consumer group %s on %s: %w", d.cfg.Group, stream, err)
	}
	d.groups.Store(stream, struct{}{})
	return nil
}

// noteGroupErr forgets that the group exists when Redis says it does not
// (the stream was deleted), so the next round creates it again.
func (d *Dispatcher) noteGroupErr(stream string, err error) error {
	if strings.Contains(err.Error(), "NOGROUP") {
		d.groups.Delete(stream)
	}
	return err
}

// remove acknowledges and deletes one entry.
func (d *Dispatcher) remove(ctx context.Context, stream, id string) error {
	_, err := d.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAck(ctx, stream, d.cfg.Group, id)
		p.XDel(ctx, stream, id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("ack %s %s: %w", stream, id, err)
	}
	return nil
}

func (d *Dispatcher) drop(ctx context.Context, stream, id, reason string) error {
	if err := d.remove(ctx, stream, id); err != nil {
		return err
	}
	d.m.dropped.WithLabelValues(reason).Inc()
	return nil
}

// expired reports whether ev is older than EventTTL, by its timestamp or,
// when that is unreadable or the event was re-sent from the parked stream,
// by the time in its stream entry id.
func (d *Dispatcher) expired(ev Event, m redis.XMessage) bool {
	t, err := ParseTime(ev.Metadata.Timestamp)
	if _, resent := m.Values[fieldRedelivered]; err != nil || resent {
		ms, _, _ := parseID(m.ID)
		t = time.UnixMilli(int64(ms))
	}
	return d.cfg.Now().Sub(t) > d.cfg.EventTTL
}

// parseID splits a stream entry id "ms-seq".
func parseID(id string) (ms, seq uint64, ok bool) {
	a, b, found := strings.Cut(id, "-")
	ms, err1 := strconv.ParseUint(a, 10, 64)
	if !found {
		return ms, 0, err1 == nil
	}
	seq, err2 := strconv.ParseUint(b, 10, 64)
	return ms, seq, err1 == nil && err2 == nil
}

// compareIDs orders stream entry ids: -1, 0 or +1.
func compareIDs(a, b string) int {
	am, as, _ := parseID(a)
	bm, bs, _ := parseID(b)
	if c := cmp.Compare(am, bm); c != 0 {
		return c
	}
	return cmp.Compare(as, bs)
}
