package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// parkLogEvery spaces the log lines about parked events of one status.
const parkLogEvery = time.Minute

// sweepEvery spaces the expiry sweeps of a parked stream.
const sweepEvery = time.Minute

// park moves a refused event, pending as entry m of stream, to the
// stream's parked stream with the hub's answer (cause, a *statusError),
// in one step.
func (d *Dispatcher) park(ctx context.Context, stream string, m redis.XMessage, ev Event, raw json.RawMessage, cause error) error {
	var se *statusError
	if !errors.As(cause, &se) {
		return fmt.Errorf("park %s: %w", ev.Metadata.EventID, cause)
	}
	times := 1
	if r, ok := m.Values[fieldRedelivered].(string); ok {
		if n, err := strconv.Atoi(r); err == nil && n > 0 {
			times = n + 1
		}
	}
	res, err := parkScript.Run(ctx, d.rdb, []string{stream, ParkedStream(stream)},
		d.cfg.Group, m.ID, string(raw), se.status, se.body, times, d.cfg.ParkedMaxLen, d.cfg.ParkedTTL.Milliseconds()).Int64Slice()
	if err != nil {
		return fmt.Errorf("park %s of %s: %w", ev.Metadata.EventID, stream, err)
	}
	d.m.parked.WithLabelValues(strconv.Itoa(se.status)).Inc()
	d.m.dropped.WithLabelValues(DropParkedExpired).Add(float64(res[0]))
	d.m.dropped.WithLabelValues(DropParkedTrimmed).Add(float64(res[1]))
	d.parkLog.note(se.status, parkSample{stream: stream, eventType: ev.EventType, eventID: ev.Metadata.EventID, body: se.body, times: times})
	d.logParked(ctx, false)
	return nil
}

// sweepParked, at most once per sweepEvery, deletes the events of
// stream's parked stream that were parked longer than ParkedTTL, counts
// them, and updates the parked depth gauge. Failures are left for the
// next sweep.
func (d *Dispatcher) sweepParked(ctx context.Context, stream string) {
	if !d.due(d.lastSweep, stream, sweepEvery) {
		return
	}
	parked := ParkedStream(stream)
	n, err := expireScript.Run(ctx, d.rdb, []string{parked}, d.cfg.ParkedTTL.Milliseconds()).Int64()
	if err != nil {
		return
	}
	if n > 0 {
		d.m.dropped.WithLabelValues(DropParkedExpired).Add(float64(n))
		d.cfg.Logger.WarnContext(ctx, "parked hub events expired without redelivery", "stream", stream, "count", n,
			"parked_ttl", d.cfg.ParkedTTL.String())
	}
	if l, err := d.rdb.XLen(ctx, parked).Result(); err == nil {
		d.m.parkedDepth.WithLabelValues(stream).Set(float64(l))
	}
}

// parkSample describes the last event parked with a status.
type parkSample struct {
	stream, eventType, eventID, body string
	times                            int
}

// parkNote is what is known of one status since its last log line.
type parkNote struct {
	count  int       // parked since the last line
	logged time.Time // when the last line was written; zero before the first
	sample parkSample
}

// parkLog spaces the log lines about parked events: one per status per
// parkLogEvery, with how many were parked since the last one.
type parkLog struct {
	mu      sync.Mutex
	pending map[int]*parkNote
}

// parkLine is one log line to write.
type parkLine struct {
	status, count int
	sample        parkSample
}

func (p *parkLog) note(status int, s parkSample) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.pending[status]
	if n == nil {
		n = &parkNote{}
		p.pending[status] = n
	}
	n.count++
	n.sample = s
}

// due returns the lines to write at now, in status order, and starts a new
// count for each: statuses with parked events not yet logged whose last
// line is parkLogEvery old (or all of them, with flush).
func (p *parkLog) due(now time.Time, flush bool) []parkLine {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []parkLine
	for status, n := range p.pending {
		if n.count == 0 || (!flush && !n.logged.IsZero() && now.Sub(n.logged) < parkLogEvery) {
			continue
		}
		out = append(out, parkLine{status: status, count: n.count, sample: n.sample})
		n.count, n.logged = 0, now
	}
	slices.SortFunc(out, func(a, b parkLine) int { return a.status - b.status })
	return out
}

// logParked writes the due log lines about parked events.
func (d *Dispatcher) logParked(ctx context.Context, flush bool) {
	for _, l := range d.parkLog.due(d.cfg.Now(), flush) {
		d.cfg.Logger.WarnContext(ctx, "hub refused events; parked them for redelivery (GET /api/v2/hub/parked)",
			"status", l.status, "count", l.count, "stream", l.sample.stream, "event_type", l.sample.eventType,
			"event_id", l.sample.eventID, "times_parked", l.sample.times, "answer", l.sample.body)
	}
}
