package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Targets of the issue, on the 2-core reference machine.
const (
	targetAddedP50     = time.Millisecond
	targetAddedP99     = 3 * time.Millisecond
	targetSyncRate     = 2000.0
	targetQueueRatio   = 1.5
	targetCacheP50     = 500 * time.Microsecond
	targetCacheRate    = 10000.0
	targetColdStart    = 50 * time.Millisecond
	targetBinary       = 25_000_000
	targetIdleRSS      = 40_000_000
	targetHeavyRSS     = 150_000_000
	targetDedupCalls   = 1
	targetLimiterAdmit = burstLimit
	targetSlowShare    = 0.95
	targetSlowAddedP50 = 50 * time.Millisecond
	targetSlowAddedP99 = 250 * time.Millisecond
	targetSlowRSS      = 200_000_000
)

// write prints the report as Markdown: the summary against the targets,
// then each row's detail.
func (r *report) write(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	mode := "full"
	if r.opts.Smoke {
		mode = "smoke (tiny samples: the numbers check that every row runs, they judge no target)"
	}
	p("## Load test results\n\n")
	p("- Machine: %s; Redis %s. The load generator, the fake provider, the service and Redis share the cores.\n", machine(), r.redis)
	row8 := ""
	if r.opts.runs(8) {
		row8 = fmt.Sprintf("; row 8: provider %s, %s measured per cell", r.opts.Latency, r.opts.Window)
	}
	p("- Mode: %s; %s per cell of rows 1 and 3%s; run took %s.\n\n", mode, r.opts.Duration, row8, r.took.Round(time.Second))

	p("| Row | Measure | Result | Target | Met |\n|---|---|---|---|---|\n")
	row := func(n, what, result, target string, met *bool) {
		m := "—"
		if met != nil {
			m = yesNo(*met)
		}
		p("| %s | %s | %s | %s | %s |\n", n, what, result, target, m)
	}
	if o := r.overhead; o != nil && len(o.Service) == len(row1Clients) {
		d, s := o.Direct[0], o.Service[0]
		a50, a99 := s.P50-d.P50, s.P99-d.P99
		row("1", "sync text path, added latency at 1 client (service − direct), p50 / p99",
			fmt.Sprintf("%s / %s", ms(a50), ms(a99)), "≤ 1 ms / ≤ 3 ms", ptr(a50 <= targetAddedP50 && a99 <= targetAddedP99))
		hd, hs := o.Direct[2], o.Service[2]
		row("1", "sync text path at 64 clients: jobs/s (p50, p99)",
			fmt.Sprintf("%s (p50 %s, p99 %s); direct %s", perSec(hs.Throughput()), ms(hs.P50), ms(hs.P99), perSec(hd.Throughput())),
			"≥ 2,000 jobs/s", ptr(hs.Throughput() >= targetSyncRate))
	}
	if q := r.queue; q != nil {
		row("2", fmt.Sprintf("queue vs asynq, %d no-op jobs, %d workers: jobs/s", q.Jobs, q.Workers),
			fmt.Sprintf("%s vs %s = %.2f×", perSec(q.Ours.Rate()), perSec(q.Asynq.Rate()), q.Ratio()),
			"≥ 1.5× asynq", ptr(q.Ratio() >= targetQueueRatio))
	}
	if c := r.cache; c != nil && len(c.Cells) == 2 {
		row("3", "cache hit at 1 client: p50 (p99)", fmt.Sprintf("%s (%s)", ms(c.Cells[0].P50), ms(c.Cells[0].P99)),
			"p50 ≤ 0.5 ms", ptr(c.Cells[0].P50 <= targetCacheP50))
		row("3", "cache hit at 64 clients: requests/s (p99)", fmt.Sprintf("%s (p99 %s)", perSec(c.Cells[1].Throughput()), ms(c.Cells[1].P99)),
			"≥ 10,000/s", ptr(c.Cells[1].Throughput() >= targetCacheRate))
	}
	if d := r.dedup; d != nil {
		row("4", fmt.Sprintf("%d concurrent identical requests: provider calls", d.Burst.Requests),
			fmt.Sprintf("%d", d.ProviderCalls), "exactly 1", ptr(d.ProviderCalls == targetDedupCalls))
	}
	if l := r.limiter; l != nil {
		ok := l.Binary.Status[http.StatusOK]
		row("5", fmt.Sprintf("burst of %d across %d processes, limit %d/min: admitted", l.Binary.Requests, l.Processes, l.Limit),
			fmt.Sprintf("%d (429: %d), sent within %s", ok, l.Binary.Status[http.StatusTooManyRequests], ms(l.Binary.Window)),
			"exactly 100", ptr(ok == targetLimiterAdmit))
	}
	if c := r.cold; c != nil {
		row("6", fmt.Sprintf("cold start under the emulator, median of %d", c.Runs),
			fmt.Sprintf("%s (min %s, max %s)", ms(c.Median), ms(c.Min), ms(c.Max)), "≤ 50 ms", ptr(c.Median <= targetColdStart))
		if c.ArmSize > 0 {
			row("6", "stripped linux/arm64 binary, -tags lambda.norpc", mb(c.ArmSize), "≤ 25 MB", ptr(c.ArmSize <= targetBinary))
		} else {
			row("6", "stripped linux/arm64 binary, -tags lambda.norpc", c.ArmSkipped, "≤ 25 MB", nil)
		}
	}
	if m := r.idle; m != nil {
		row("7", "RSS idle", mb(m.RSS), "≤ 40 MB", ptr(m.RSS <= targetIdleRSS))
	}
	if o := r.overhead; o != nil && r.opts.runs(7) {
		row("7", "RSS at the end of row 1's 64-client run (peak)", fmt.Sprintf("%s (%s)", mb(o.Heavy.RSS), mb(o.Heavy.HWM)),
			"≤ 150 MB", ptr(o.Heavy.RSS <= targetHeavyRSS))
	}
	if sr := r.slow; sr != nil {
		target := "≥ 95 % of ideal; ≤ 50 ms / ≤ 250 ms; 0; ≤ 200 MB"
		for _, l := range sr.Levels {
			res, met := sr.verdict(l.Service, l.Direct)
			p("| 8 | %d sync clients, provider %s, %s: completed/s of ideal; added p50 / p99; answers other than 200; peak RSS | %s | %s | %s |\n",
				l.Clients, sr.Latency, l.Service.Setup, res, target, met)
		}
		if d := sr.Defaults; d != nil {
			res, met := sr.verdict(*d, sr.Levels[0].Direct)
			p("| 8 | %d sync clients, provider %s, default settings: the same | %s | %s | %s |\n", d.Clients, sr.Latency, res, target, met)
		}
	}
	if t := r.rt; t != nil {
		row("—", "Redis per sync job: round trips; commands sent; commands run (scripts' inside)",
			fmt.Sprintf("%.1f; %.1f; %.1f", t.Writes, t.WireTotal, t.ServerTotal), "the design's minimum", nil)
	}
	p("\n")
	r.writeDetails(w)
	if f := r.failures(); len(f) > 0 {
		p("### Failures\n\n")
		for _, s := range f {
			p("- %s\n", strings.ReplaceAll(s, "\n", " "))
		}
		p("\n")
	}
}

func (r *report) writeDetails(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	if o := r.overhead; o != nil {
		p("### Row 1: sync text path against the direct provider call\n\n")
		p("Closed-loop clients, one shared HTTP client with keep-alive. CPU is per request: the service process, Redis, and this process (load generator and fake provider); busy is the share of all cores used by these parties · by other processes on the machine (noise).\n\n")
		p("| Clients | Path | Requests | p50 | p99 | Requests/s | CPU/request svc · redis · gen | Busy ours · others | New provider conns/request |\n|---|---|---|---|---|---|---|---|---|\n")
		for i, n := range row1Clients {
			if i >= len(o.Service) {
				break
			}
			for _, c := range []struct {
				name string
				c    cell
			}{{"direct", o.Direct[i]}, {"service", o.Service[i]}} {
				svc, rds, gen := c.c.CPU.PerRequest(c.c.Requests)
				svcS := us(svc)
				if c.name == "direct" {
					svcS = "—"
				}
				p("| %d | %s | %d | %s | %s | %s | %s · %s · %s | %.0f%% · %.0f%% | %.2f |\n", n, c.name, c.c.Requests, ms(c.c.P50), ms(c.c.P99),
					perSec(c.c.Throughput()), svcS, us(rds), us(gen), 100*c.c.CPU.Busy(), 100*c.c.CPU.Others(), ratio(float64(c.c.ProviderConns), float64(c.c.Requests)))
			}
			d, s := o.Direct[i], o.Service[i]
			p("| %d | **added** | | **%s** | **%s** | %.2f× direct | | | |\n", n, ms(s.P50-d.P50), ms(s.P99-d.P99), ratio(s.Throughput(), d.Throughput()))
		}
		p("\n")
	}
	if t := r.rt; t != nil {
		p("### Redis cost of one sync text job\n\n")
		p("%s. *Sent* counts what the service wrote to Redis (through a counting proxy); a round trip is one write (a pipeline is one). *Run* is Redis's INFO commandstats, which also counts the commands scripts run inside Redis (server-wide: other clients of this Redis add noise).\n\n", t.Note)
		p("Round trips per job: **%.1f**. Commands sent per job: %.1f. Commands run per job: %.1f.\n\n", t.Writes, t.WireTotal, t.ServerTotal)
		p("| Sent by the service | per job |\n|---|---|\n")
		for _, c := range t.Wire {
			p("| `%s` | %.2f |\n", c.Name, c.N)
		}
		p("\n| Run by Redis | per job |\n|---|---|\n")
		for _, c := range t.Server {
			p("| `%s` | %.2f |\n", c.Name, c.N)
		}
		p("\n")
	}
	if q := r.queue; q != nil {
		p("### Row 2: shared/queue against hibiken/asynq v0.26.0\n\n")
		p("Same Redis; %d producers enqueue %d no-op jobs, then %d workers process them; the median of %d alternating rounds by total rate. Total is jobs over both phases.\n\n", q.Producers, q.Jobs, q.Workers, q.Rounds)
		p("CPU per job is Redis's and this process's (producers, or workers); others is the share of the cores other processes on the machine used meanwhile (noise).\n\n")
		p("| System | Enqueue jobs/s | CPU/job redis · go | Process jobs/s | CPU/job redis · go | Total jobs/s | Others busy |\n|---|---|---|---|---|---|---|\n")
		for _, x := range []struct {
			name string
			r    queueRun
		}{{"shared/queue", q.Ours}, {"asynq", q.Asynq}} {
			_, er, eg := x.r.EnqueueCPU.PerRequest(x.r.Jobs)
			_, pr, pg := x.r.ProcessCPU.PerRequest(x.r.Jobs)
			p("| %s | %s | %s · %s | %s | %s · %s | %s | %.0f%% · %.0f%% |\n", x.name, perSec(x.r.EnqueueRate()), us(er), us(eg),
				perSec(x.r.ProcessRate()), us(pr), us(pg), perSec(x.r.Rate()), 100*x.r.EnqueueCPU.Others(), 100*x.r.ProcessCPU.Others())
		}
		p("| ratio | %.2f× | | %.2f× | | **%.2f×** | |\n\n", ratio(q.Ours.EnqueueRate(), q.Asynq.EnqueueRate()),
			ratio(q.Ours.ProcessRate(), q.Asynq.ProcessRate()), q.Ratio())
	}
	if c := r.cache; c != nil {
		p("### Row 3: cache hits\n\n| Clients | Requests | p50 | p99 | Requests/s | CPU/request svc · redis · gen | Busy ours · others |\n|---|---|---|---|---|---|---|\n")
		for _, x := range c.Cells {
			svc, rds, gen := x.CPU.PerRequest(x.Requests)
			p("| %d | %d | %s | %s | %s | %s · %s · %s | %.0f%% · %.0f%% |\n", x.Clients, x.Requests, ms(x.P50), ms(x.P99), perSec(x.Throughput()),
				us(svc), us(rds), us(gen), 100*x.CPU.Busy(), 100*x.CPU.Others())
		}
		p("\n")
	}
	if d := r.dedup; d != nil {
		b := d.Burst
		p("### Row 4: de-duplication\n\n")
		p("%d identical requests from one caller released at once (sent within %s), fake provider answering after %s: **%d provider call(s)**; %d answered 200 (%d joined the live job, %d were cache hits), in %s.\n\n",
			b.Requests, ms(b.Window), d.Delay, d.ProviderCalls, b.Status[http.StatusOK], b.Dedup, b.Hits, ms(b.Elapsed))
	}
	if l := r.limiter; l != nil {
		p("### Row 5: limiter exactness\n\n| Through | Requests | Admitted | Refused (429) | Sent within | Done in |\n|---|---|---|---|---|---|\n")
		p("| %d service processes (HTTP) | %d | %d | %d | %s | %s |\n", l.Processes, l.Binary.Requests, l.Binary.Status[http.StatusOK],
			l.Binary.Status[http.StatusTooManyRequests], ms(l.Binary.Window), ms(l.Binary.Elapsed))
		p("| %d ratelimit.Limiter, own Redis clients | %d | %d | %d | %s | %s |\n\n", l.Processes, l.Library.Requests, l.Library.Status[http.StatusOK],
			l.Library.Status[http.StatusTooManyRequests], ms(l.Library.Window), ms(l.Library.Elapsed))
	}
	r.writeSlow(w)
	if c := r.cold; c != nil {
		p("### Row 6: cold start\n\n")
		p("`aws-lambda-rie` runs the binary built with `%s` (%s) as FUNCTION=queue; the event is local/events/health.json. Measured from starting the emulator process to the first answered invoke, %d runs: median **%s**, min %s, max %s. Of that, the emulator takes a median %s to accept the first request, and the answered invoke itself (the function starting, connecting to Redis, subscribing, and answering) a median %s.\n\n",
			c.Flags, mb(c.HostSize), c.Runs, ms(c.Median), ms(c.Min), ms(c.Max), ms(c.EmulatorStartMedian), ms(c.InvokeMedian))
		if c.ArmSize > 0 {
			p("`%s`: %s.\n\n", c.ArmFlags, mb(c.ArmSize))
		}
	}
}

// verdict is a row 8 service cell's summary against its direct cell, and
// which targets it missed.
func (r slowRow) verdict(s, d slowCell) (result, met string) {
	ideal := r.Ideal(s.Clients)
	a50, a99 := s.P50-d.P50, s.P99-d.P99
	result = fmt.Sprintf("%s of %s (%.0f %%); %s / %s; %s; %s", perSecF(s.Rate()), perSecF(ideal), 100*ratio(s.Rate(), ideal),
		ms(a50), ms(a99), others(s), mb(s.PeakRSS))
	var missed []string
	if s.Rate() < targetSlowShare*ideal {
		missed = append(missed, "rate")
	}
	if a50 > targetSlowAddedP50 || s.Completed == 0 {
		missed = append(missed, "p50")
	}
	if a99 > targetSlowAddedP99 || s.Completed == 0 {
		missed = append(missed, "p99")
	}
	if s.OtherTotal() > 0 || s.Errors > 0 {
		missed = append(missed, "non-200")
	}
	if s.PeakRSS > targetSlowRSS {
		missed = append(missed, "RSS")
	}
	if len(missed) == 0 {
		return result, "yes"
	}
	return result, "**no** (" + strings.Join(missed, ", ") + ")"
}

// others lists a cell's answers other than 200 by status, and its errors.
func others(c slowCell) string {
	var parts []string
	sts := make([]int, 0, len(c.Other))
	for st := range c.Other {
		sts = append(sts, st)
	}
	slices.Sort(sts)
	for _, st := range sts {
		parts = append(parts, fmt.Sprintf("%d× %d", c.Other[st], st))
	}
	if c.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d errors", c.Errors))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func (r *report) writeSlow(w io.Writer) {
	sr := r.slow
	if sr == nil {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("### Row 8: the provider answers after %s\n\n", sr.Latency)
	via := "its Redis connections through a counting proxy"
	if r.opts.RedisDirect {
		via = "straight to Redis (-redis-direct: no commands counted)"
	}
	p("Each service cell runs a fresh service process (TEXT_RATE_LIMIT raised, a key prefix of its own, %s), next to the same number of clients calling the fake provider directly with the body the service sends. Every client sends synchronous character requests with distinct seeds in a closed loop; their first requests are spread over %s, then %s is measured. Ideal is clients ÷ the mean latency (%s). TEXT_WORKERS is at least the clients: how many jobs one process may run at once is the operator's choice.\n\n",
		via, sr.Ramp, sr.Window, sr.Latency.Mean().Round(time.Millisecond))
	p("Other answers are every answer but 200 from the first request to the end of the window; requests still unanswered when it closed are cancelled and not counted, and the oldest of them shows whether requests queue. Peak RSS is the service process's VmHWM (it ran that cell only); heap and stacks in use, and goroutines, are the highest values its /metrics showed, polled. Redis commands are those the service sent per completed job, idle polling included, with round trips (writes; a pipeline is one) in brackets. Busy is the share of the cores used by the service, Redis and this process · by other processes (noise).\n\n")
	p("| Clients | Path | Completed | Completed/s | Ideal | Of ideal | p50 | p99 | Added p50 · p99 | Other answers | Oldest unanswered at the close | Peak RSS (heap · stacks in use) | Peak goroutines | Redis cmds (round trips) per job | New provider conns/request | Busy ours · others |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	line := func(c, d slowCell) {
		ideal := sr.Ideal(c.Clients)
		added, rss, gor, rds := "—", "—", "—", "—"
		if c.Setup != "direct" {
			added = fmt.Sprintf("%s · %s", ms(c.P50-d.P50), ms(c.P99-d.P99))
			rss = fmt.Sprintf("%s (%s · %s)", mb(c.PeakRSS), mb(c.PeakHeap), mb(c.PeakStacks))
			gor = thousands(int64(c.PeakGoroutines))
			if !r.opts.RedisDirect {
				rds = fmt.Sprintf("%.1f (%.1f)", c.RedisCmds, c.RedisTrips)
			}
		}
		p("| %d | %s | %d | %s | %s | %.0f %% | %s | %s | %s | %s | %s | %s | %s | %s | %.2f | %.0f%% · %.0f%% |\n", c.Clients, c.Setup, c.Completed,
			perSecF(c.Rate()), perSecF(ideal), 100*ratio(c.Rate(), ideal), ms(c.P50), ms(c.P99), added, others(c), c.Oldest.Round(10*time.Millisecond), rss, gor, rds,
			ratio(float64(c.ProviderConns), float64(c.Completed)), 100*c.CPU.Busy(), 100*c.CPU.Others())
	}
	for i, l := range sr.Levels {
		line(l.Direct, l.Direct)
		line(l.Service, l.Direct)
		if i == 0 && sr.Defaults != nil {
			line(*sr.Defaults, l.Direct)
		}
	}
	p("\n")
	if first := sr.Levels[0]; sr.Defaults != nil {
		p("The first level as a table of its own: %d clients, provider %s, synchronous requests.\n\n", first.Clients, sr.Latency)
		p("| Setup | Completed/s | Ideal (clients ÷ latency) | Other answers | p50 |\n|---|---|---|---|---|\n")
		for _, x := range []struct {
			name string
			c    slowCell
		}{{"calling the fake directly", first.Direct}, {"service, defaults", *sr.Defaults}, {"service, " + first.Service.Setup, first.Service}} {
			p("| %s | %s | %s | %s | %s |\n", x.name, perSecF(x.c.Rate()), perSecF(sr.Ideal(first.Clients)), others(x.c), ms(x.c.P50))
		}
		p("\n")
	}
	if r.opts.RedisDirect {
		return
	}
	p("Redis commands the service sent most, per completed job:\n\n")
	for _, c := range sr.Cells() {
		if c.Setup == "direct" {
			continue
		}
		var parts []string
		for _, t := range c.TopCmds {
			parts = append(parts, fmt.Sprintf("`%s` %.1f", t.Name, t.N))
		}
		p("- %d clients, %s: %s\n", c.Clients, c.Setup, strings.Join(parts, ", "))
	}
	p("\n")
}

func ptr(b bool) *bool { return &b }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "**no**"
}

// ms formats d in milliseconds.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f < 0 && f > -10, f >= 0 && f < 10:
		return fmt.Sprintf("%.2f ms", f)
	default:
		return fmt.Sprintf("%.1f ms", f)
	}
}

// us formats d in microseconds.
func us(d time.Duration) string {
	return fmt.Sprintf("%d µs", d.Microseconds())
}

// perSecF formats a rate with one decimal.
func perSecF(f float64) string { return fmt.Sprintf("%.1f/s", f) }

// perSec formats a rate with thousands separators.
func perSec(f float64) string { return thousands(int64(f+0.5)) + "/s" }

func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// mb formats bytes in MB (10^6 bytes), the unit of the targets.
func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
