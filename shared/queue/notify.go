package queue

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Notifier is the process's one subscription to job announcements. It fans
// them out to waiters (requests waiting for a job to finish) and to the
// workers running a job whose cancel was requested. Waiting therefore never
// polls and never holds a Redis connection per waiter.
type Notifier struct {
	rdb     redis.UniversalClient
	channel string
	logger  *slog.Logger

	mu      sync.Mutex
	waiters map[string]map[chan struct{}]struct{}
	cancels map[string]func()
	ready   chan struct{}
	once    sync.Once
}

// NewNotifier returns a notifier for the queues under prefix. Call Run.
func NewNotifier(rdb redis.UniversalClient, prefix string, logger *slog.Logger) *Notifier {
	return &Notifier{
		rdb:     rdb,
		channel: Channel(prefix),
		logger:  logger,
		waiters: map[string]map[chan struct{}]struct{}{},
		cancels: map[string]func(){},
		ready:   make(chan struct{}),
	}
}

// Run listens until ctx ends. After every (re)subscription all waiters are
// woken to re-read their job, since announcements sent while the
// connection was down are lost.
func (n *Notifier) Run(ctx context.Context) {
	ps := n.rdb.Subscribe(ctx, n.channel)
	defer ps.Close()
	// The channel carries the subscription confirmations too: the first
	// one makes the notifier ready, and each one (go-redis re-subscribes
	// after a reconnect) wakes every waiter. No Receive may be called on
	// ps once the channel exists.
	ch := ps.ChannelWithSubscriptions(redis.WithChannelHealthCheckInterval(10*time.Second), redis.WithChannelSendTimeout(time.Second))
	for {
		select {
		case <-ctx.Done():
			n.wakeAll()
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			switch m := m.(type) {
			case *redis.Subscription:
				if m.Kind == "subscribe" {
					n.once.Do(func() { close(n.ready) })
					n.wakeAll()
				}
			case *redis.Message:
				n.dispatch(m.Payload)
			}
		}
	}
}

// Ready is closed once the first subscription is confirmed.
func (n *Notifier) Ready() <-chan struct{} { return n.ready }

func (n *Notifier) dispatch(payload string) {
	id, event, ok := strings.Cut(payload, " ")
	if !ok {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if event == "cancel" {
		if cancel, ok := n.cancels[id]; ok {
			cancel()
		}
	}
	// Waiters only care about the end of a job.
	if !Status(event).Final() {
		return
	}
	for c := range n.waiters[id] {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

func (n *Notifier) wakeAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, set := range n.waiters {
		for c := range set {
			select {
			case c <- struct{}{}:
			default:
			}
		}
	}
}

// Watch registers interest in job id. The returned channel receives a value
// when the job ends (or might have, after a reconnect); call stop when done.
func (n *Notifier) Watch(id string) (changed <-chan struct{}, stop func()) {
	c := make(chan struct{}, 1)
	n.mu.Lock()
	set := n.waiters[id]
	if set == nil {
		set = map[chan struct{}]struct{}{}
		n.waiters[id] = set
	}
	set[c] = struct{}{}
	n.mu.Unlock()
	return c, func() {
		n.mu.Lock()
		delete(n.waiters[id], c)
		if len(n.waiters[id]) == 0 {
			delete(n.waiters, id)
		}
		n.mu.Unlock()
	}
}

// onCancel registers the cancel function of a job running in this process.
func (n *Notifier) onCancel(id string, cancel func()) (stop func()) {
	n.mu.Lock()
	n.cancels[id] = cancel
	n.mu.Unlock()
	return func() {
		n.mu.Lock()
		delete(n.cancels, id)
		n.mu.Unlock()
	}
}

// WaitWatched is Wait for a job whose watch was registered before the job
// was created, so no announcement can have been missed and the job need
// not be read first. It saves a round trip on the synchronous path.
func (n *Notifier) WaitWatched(ctx context.Context, q *Queue, id string, changed <-chan struct{}) (*Job, error) {
	for {
		select {
		case <-ctx.Done():
			return q.Get(context.WithoutCancel(ctx), id)
		case <-changed:
		}
		j, err := q.Get(context.WithoutCancel(ctx), id)
		if err != nil || j.Status.Final() {
			return j, err
		}
	}
}

// Wait returns the job once it is final, or when ctx ends with the job as
// it stands then (ctx's error is not returned: a timeout just means "still
// running"). It re-reads the job only when an announcement arrives.
func (n *Notifier) Wait(ctx context.Context, q *Queue, id string) (*Job, error) {
	changed, stop := n.Watch(id)
	defer stop()
	for {
		j, err := q.Get(context.WithoutCancel(ctx), id)
		if err != nil {
			return nil, err
		}
		if j.Status.Final() {
			return j, nil
		}
		select {
		case <-ctx.Done():
			return j, nil
		case <-changed:
		}
	}
}
