package app

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/hub"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redisconn"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// sourceService names this service to the Message Hub.
const sourceService = "llm-service"

// hubEvents are the events that are not tied to one job: rate limits and
// queue status, written to the hub outbox.
type hubEvents struct {
	outbox   *hub.Outbox
	throttle *hub.Throttle
	logger   *slog.Logger
}

// newHubEvents returns the hub's event writer when MESSAGE_HUB_URL is set,
// nil otherwise.
func newHubEvents(cfg config.Config, rdb redis.UniversalClient, logger *slog.Logger) *hubEvents {
	if !cfg.HubEnabled() {
		return nil
	}
	return &hubEvents{
		outbox:   hub.NewOutbox(rdb, hub.ServiceOutbox(cfg.RedisKeyPrefix), cfg.HubOutboxMax),
		throttle: hub.NewThrottle(rdb, cfg.RedisKeyPrefix+"hub:throttle:"),
		logger:   logger,
	}
}

// notifier is e as submit's rate-limit listener, or nil without a hub.
func (e *hubEvents) notifier() submit.RateLimitNotifier {
	if e == nil {
		return nil
	}
	return e
}

// hubLink is the service's side of the Message Hub: registration, the
// outbox dispatcher, and the queue status watch.
type hubLink struct {
	*hubEvents
	registrar  *hub.Registrar
	dispatcher *hub.Dispatcher
	queues     []*queue.Queue
	interval   time.Duration

	mu        sync.Mutex
	lastBands map[string]int
}

// newHubLink wires the hub when events are written (MESSAGE_HUB_URL is
// set); it returns nil otherwise. capabilities are every message type the
// inbound route accepts, aliases included.
func newHubLink(cfg config.Config, conn *redisconn.Conn, events *hubEvents, queues []*queue.Queue, version string,
	capabilities []string, reg prometheus.Registerer, logger *slog.Logger) (*hubLink, error) {
	if events == nil {
		return nil, nil
	}
	client := hub.NewClient(cfg.MessageHubURL, nil)
	h := &hubLink{
		hubEvents: events,
		registrar: hub.NewRegistrar(client, hub.Registration{
			Name: sourceService, URL: cfg.ServiceURL, HealthCheck: "/health",
			Version: version, Capabilities: capabilities,
		}, cfg.HubHeartbeat.D(), logger, hub.WithRegisterer(reg)),
		queues:    queues,
		interval:  cfg.HubQueueStatusInterval.D(),
		lastBands: map[string]int{},
	}
	streams := slices.Sorted(maps.Values(hub.OutboxStreams(cfg.RedisKeyPrefix, queues)))
	d, err := hub.NewDispatcher(conn.Client, client, streams, hub.DispatcherConfig{
		EventTTL: cfg.HubEventTTL.D(), ClaimIdle: cfg.HubClaimIdle.D(), Logger: logger, Registerer: reg,
		Blocking: conn.Blocking, ParkedTTL: cfg.HubParkedTTL.D(), ParkedMaxLen: cfg.HubOutboxMax,
	})
	if err != nil {
		return nil, fmt.Errorf("hub dispatcher: %w", err)
	}
	h.dispatcher = d
	return h, nil
}

// State is the hub's word for /health.
func (h *hubLink) State(context.Context) string {
	if h == nil {
		return hub.StateDisabled
	}
	return h.registrar.State()
}

// RateLimited emits llm.ratelimit.exceeded, at most once a minute per
// caller and group across all replicas.
func (e *hubEvents) RateLimited(ctx context.Context, caller, group string) {
	ok, err := e.throttle.Allow(ctx, "ratelimit:"+group+":"+caller, time.Minute)
	if err != nil || !ok {
		return
	}
	ev := hub.NewEvent(time.Now(), hub.EventRateLimitExceeded, sourceService, map[string]any{
		"caller": caller, "group": group,
	})
	if err := e.outbox.Add(ctx, ev); err != nil {
		e.logger.Warn("rate-limit event not queued", "error", err.Error())
	}
}

// depthBands are the queue depths whose crossing is announced.
var depthBands = []int64{0, 1, 100, 1000, 5000}

func band(depth int64) int {
	b := 0
	for i, t := range depthBands {
		if depth >= t {
			b = i
		}
	}
	return b
}

// watchQueues sends llm.queue.status when a queue's depth crosses a band,
// at most once per interval per queue across replicas.
func (h *hubLink) watchQueues(ctx context.Context) {
	t := time.NewTicker(min(h.interval, 10*time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.checkQueues(ctx)
		}
	}
}

func (h *hubLink) checkQueues(ctx context.Context) {
	for _, q := range h.queues {
		st, err := q.Stats(ctx)
		if err != nil {
			continue
		}
		b := band(st.Queued)
		h.mu.Lock()
		last, seen := h.lastBands[q.Name()]
		h.mu.Unlock()
		if seen && last == b {
			continue
		}
		ok, err := h.throttle.Allow(ctx, "queue-status:"+q.Name(), h.interval)
		if err != nil || !ok {
			continue
		}
		h.mu.Lock()
		h.lastBands[q.Name()] = b
		h.mu.Unlock()
		ev := hub.NewEvent(time.Now(), "llm.queue.status", sourceService, map[string]any{
			"queue": q.Name(), "queued": st.Queued, "running": st.Running,
			"oldest_queued_age_s": st.OldestQueuedAgeS, "succeeded_1h": st.Succeeded1h, "failed_1h": st.Failed1h,
		})
		if err := h.outbox.Add(ctx, ev); err != nil {
			h.logger.Warn("queue status event not queued", "error", err.Error())
		}
	}
}

// run keeps the registration, the dispatcher and the queue watch going
// until ctx ends (server and worker modes).
func (h *hubLink) run(ctx context.Context, wg *sync.WaitGroup) {
	wg.Add(3)
	go func() { defer wg.Done(); h.registrar.Run(ctx) }()
	go func() {
		defer wg.Done()
		if err := h.dispatcher.Run(ctx); err != nil {
			h.logger.Error("hub dispatcher stopped", "error", err.Error())
		}
	}()
	go func() { defer wg.Done(); h.watchQueues(ctx) }()
}

// flush delivers pending events within a short bound (under Lambda, after
// each invocation).
func (h *hubLink) flush(ctx context.Context, d time.Duration) {
	if h == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d)
	defer cancel()
	if _, err := h.dispatcher.Drain(ctx); err != nil {
		h.logger.Debug("events left for the worker", "error", err.Error())
	}
}
