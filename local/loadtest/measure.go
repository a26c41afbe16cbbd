package main

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"time"
)

// report is everything one run measured.
type report struct {
	opts    options
	started time.Time
	took    time.Duration
	redis   string // server version

	overhead *overheadRow
	idle     *memory
	rt       *roundTripRow
	cache    *cacheRow
	dedup    *dedupRow
	limiter  *limiterRow
	queue    *queueRow
	cold     *coldRow
	slow     *slowRow

	errs []string // sections that failed, with why
}

func (r *report) fail(section string, err error) {
	r.errs = append(r.errs, section+": "+err.Error())
}

// measure runs the selected rows. A failing row is recorded and the others
// still run; only a cancelled ctx or a missing Redis stops the run.
func measure(ctx context.Context, o options) (*report, error) {
	o.defaults()
	rep := &report{opts: o, started: time.Now()}
	defer func() { rep.took = time.Since(rep.started) }()
	h, err := newHarness(ctx, o)
	if err != nil {
		return nil, err
	}
	defer h.close()
	if info, err := h.rdb.Info(ctx, "server").Result(); err == nil {
		for _, l := range strings.Split(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "redis_version:"); ok {
				rep.redis = v
			}
		}
	}

	if o.runs(1) || o.runs(3) || o.runs(4) || o.runs(5) || o.runs(7) || o.runs(8) {
		if err := h.buildService(ctx); err != nil {
			rep.fail("build", err)
		} else {
			h.serviceRows(ctx, rep)
		}
	}
	if ctx.Err() == nil && o.runs(2) {
		if r, err := h.rowQueue(ctx); err != nil {
			rep.fail("row 2", err)
		} else {
			rep.queue = &r
		}
	}
	if ctx.Err() == nil && o.runs(6) {
		if r, err := h.rowColdStart(ctx); err != nil {
			rep.fail("row 6", err)
		} else {
			rep.cold = &r
		}
	}
	return rep, ctx.Err()
}

// serviceRows runs the rows that drive service processes.
func (h *harness) serviceRows(ctx context.Context, rep *report) {
	o := h.opts
	if o.runs(1) || o.runs(3) || o.runs(4) || o.runs(7) {
		svc, err := h.startService(ctx, "service")
		if err != nil {
			rep.fail("service", err)
		} else {
			h.mainRows(ctx, rep, svc)
			svc.stop(10 * time.Second)
		}
	}
	if ctx.Err() == nil && o.runs(1) {
		fmt.Fprintln(o.Log, "loadtest: Redis round trips per job")
		if r, err := h.rowRoundTrips(ctx); err != nil {
			rep.fail("round trips", err)
		} else {
			rep.rt = &r
		}
	}
	if ctx.Err() == nil && o.runs(5) {
		if r, err := h.rowLimiter(ctx); err != nil {
			rep.fail("row 5", err)
		} else {
			rep.limiter = &r
		}
	}
	if ctx.Err() == nil && o.runs(8) {
		r, err := h.rowSlow(ctx)
		if len(r.Levels) > 0 {
			rep.slow = &r
		}
		if err != nil {
			rep.fail("row 8", err)
		}
	}
}

// mainRows are the rows of one service process with a high rate limit.
func (h *harness) mainRows(ctx context.Context, rep *report, svc *service) {
	o := h.opts
	if o.runs(7) {
		settle := time.Second
		if o.Smoke {
			settle = 200 * time.Millisecond
		}
		time.Sleep(settle)
		if m, err := procMemory(svc.Pid()); err != nil {
			rep.fail("row 7", err)
		} else {
			rep.idle = &m
		}
	}
	if ctx.Err() == nil && (o.runs(1) || o.runs(7)) {
		if r, err := h.rowOverhead(ctx, svc); err != nil {
			rep.fail("row 1", err)
		} else {
			rep.overhead = &r
		}
	}
	if ctx.Err() == nil && o.runs(3) {
		if r, err := h.rowCache(ctx, svc); err != nil {
			rep.fail("row 3", err)
		} else {
			rep.cache = &r
		}
	}
	if ctx.Err() == nil && o.runs(4) {
		fmt.Fprintf(o.Log, "loadtest: row 4, %d identical requests\n", o.Dedup)
		if r, err := h.rowDedup(ctx, svc); err != nil {
			rep.fail("row 4", err)
		} else {
			rep.dedup = &r
		}
	}
}

// failures lists what did not complete cleanly: failed sections, requests
// that erred or answered 5xx, and answers a row did not expect.
func (r *report) failures() []string {
	out := append([]string(nil), r.errs...)
	cells := func(row string, cs []cell, what string) {
		for _, c := range cs {
			if c.Errors > 0 {
				out = append(out, fmt.Sprintf("%s %s at %d clients: %d errors (%d 5xx), first: %s", row, what, c.Clients, c.Errors, c.Status5x, c.FirstErr))
			}
		}
	}
	if o := r.overhead; o != nil {
		cells("row 1", o.Direct, "direct")
		cells("row 1", o.Service, "service")
	}
	if c := r.cache; c != nil {
		cells("row 3", c.Cells, "cache hit")
	}
	burstErr := func(row string, b burst, ok ...int) {
		bad := b.Errors
		for st, n := range b.Status {
			if !slices.Contains(ok, st) {
				bad += n
			}
		}
		if bad > 0 {
			first := b.FirstErr
			if first == "" {
				first = fmt.Sprintf("statuses %v", b.Status)
			}
			out = append(out, fmt.Sprintf("%s: %d of %d requests failed or answered unexpectedly, first: %s", row, bad, b.Requests, first))
		}
	}
	if d := r.dedup; d != nil {
		burstErr("row 4", d.Burst, http.StatusOK)
	}
	if s := r.slow; s != nil {
		// Answers other than 200 are what row 8 measures; only the
		// harness's own errors, or a cell that measured nothing, fail it
		// (and, in smoke mode, any answer but 200).
		for _, c := range s.Cells() {
			at := fmt.Sprintf("row 8 %s at %d clients", c.Setup, c.Clients)
			switch {
			case c.Errors > 0:
				out = append(out, fmt.Sprintf("%s: %d errors, first: %s", at, c.Errors, c.FirstErr))
			case c.Completed == 0:
				out = append(out, at+": no request completed within the window")
			case r.opts.Smoke && c.OtherTotal() > 0:
				out = append(out, fmt.Sprintf("%s: answers other than 200: %v", at, c.Other))
			}
		}
	}
	if l := r.limiter; l != nil {
		burstErr("row 5 (binary)", l.Binary, http.StatusOK, http.StatusTooManyRequests)
		burstErr("row 5 (library)", l.Library, http.StatusOK, http.StatusTooManyRequests)
	}
	return out
}

// machine describes where the run happened.
func machine() string {
	return fmt.Sprintf("%s/%s, %d cores, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
}
