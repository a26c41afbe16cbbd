// Package logs builds the service's log handler: JSON lines, the trace and
// span ids of the context's span on each line logged with a context, and
// repeated warnings coalesced, so that an outage of a dependency writes
// one line per window with a count instead of one line per failed call.
package logs

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// Options configure New.
type Options struct {
	Level slog.Leveler
	// RepeatWindow coalesces repeated warnings (see Handler); 0 writes
	// every line.
	RepeatWindow time.Duration
}

// Handler writes JSON lines. A WARN or ERROR record that names no job or
// request (no job_id or request_id attribute) and repeats the level and
// message of one written less than RepeatWindow ago is counted instead of
// written; at the end of the window one line is written for the repeats:
// the last one, with "repeated": how many were held back. Per-request and
// per-job lines are always written.
type Handler struct {
	h      slog.Handler
	window time.Duration
	st     *state // shared by the handlers derived with WithAttrs and WithGroup
}

var _ slog.Handler = (*Handler)(nil)

type state struct {
	mu   sync.Mutex
	keys map[string]*repeats
}

// repeats are the records of one level and message held back in the
// current window.
type repeats struct {
	start time.Time
	n     int
	last  slog.Record
	h     slog.Handler // the handler that would have written last
	timer *time.Timer
}

// New returns the service's handler, writing to w.
func New(w io.Writer, o Options) *Handler {
	return &Handler{
		h:      slog.NewJSONHandler(w, &slog.HandlerOptions{Level: o.Level}),
		window: o.RepeatWindow,
		st:     &state{keys: map[string]*repeats{}},
	}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &Handler{h: h.h.WithAttrs(as), window: h.window, st: h.st}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{h: h.h.WithGroup(name), window: h.window, st: h.st}
}

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone()
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	if h.window <= 0 || r.Level < slog.LevelWarn || namesWork(r) {
		return h.h.Handle(ctx, r)
	}
	key := r.Level.String() + " " + r.Message
	now := time.Now()
	h.st.mu.Lock()
	rp := h.st.keys[key]
	if rp != nil && now.Sub(rp.start) >= h.window {
		// The window is over: its count is written (if its timer has not
		// yet) before the line that starts the next one.
		h.st.mu.Unlock()
		h.st.flush(key, rp, false)
		h.st.mu.Lock()
		rp = h.st.keys[key]
	}
	if rp == nil {
		// The first of a window is written at once.
		h.st.keys[key] = &repeats{start: now}
		h.st.mu.Unlock()
		return h.h.Handle(ctx, r)
	}
	rp.n++
	rp.last, rp.h = r.Clone(), h.h
	if rp.timer == nil {
		rp.timer = time.AfterFunc(rp.start.Add(h.window).Sub(now), func() { h.st.flush(key, rp, true) })
	}
	h.st.mu.Unlock()
	return nil
}

// namesWork reports whether r names a job or a request.
func namesWork(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == "job_id" || a.Key == "request_id"
		return !found
	})
	return found
}

// flush writes the line that counts the repeats held back in rp, the
// window of key, unless rp is over already. With next a new window starts
// at once, so that an outage writes one line per window.
func (st *state) flush(key string, rp *repeats, next bool) {
	st.mu.Lock()
	if st.keys[key] != rp {
		st.mu.Unlock()
		return
	}
	if rp.timer != nil {
		rp.timer.Stop()
	}
	if next && rp.n > 0 {
		st.keys[key] = &repeats{start: time.Now()}
	} else {
		delete(st.keys, key)
	}
	rec, h, n, since := rp.last, rp.h, rp.n, time.Since(rp.start)
	st.mu.Unlock()
	if n == 0 {
		return
	}
	rec.AddAttrs(slog.Int("repeated", n), slog.Float64("repeated_over_s", since.Round(time.Millisecond).Seconds()))
	_ = h.Handle(context.Background(), rec)
}

// Flush writes the counts of the repeats held back so far, at once (before
// the process exits).
func (h *Handler) Flush() {
	h.st.mu.Lock()
	held := make(map[string]*repeats, len(h.st.keys))
	maps.Copy(held, h.st.keys)
	h.st.mu.Unlock()
	for k, rp := range held {
		h.st.flush(k, rp, false)
	}
}
