package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// foundWorkers is TEXT_WORKERS at row 8's first level: at least the
// clients, and the raised setting the service was first measured with.
const foundWorkers = 200

// slowRow is row 8: the sync text path while the provider takes seconds.
type slowRow struct {
	Latency latency
	Ramp    time.Duration // clients start spread over this, before the window
	Window  time.Duration
	Levels  []slowLevel
	// Defaults is the service with its default settings at the first
	// level's clients.
	Defaults *slowCell
}

// slowLevel is one number of clients, calling the fake directly and
// through a service process whose TEXT_WORKERS is Workers.
type slowLevel struct {
	Clients         int
	Workers         int
	Direct, Service slowCell
}

// slowCell is one measured configuration of row 8.
type slowCell struct {
	Clients   int
	Setup     string        // "direct", "defaults" or the settings given
	Completed int           // 200 answers that arrived within the window
	Window    time.Duration // as measured
	P50, P99  time.Duration // of the 200 answers within the window
	// Other counts the answers other than 200, by status, from the first
	// request to the end of the window.
	Other    map[int]int
	Errors   int // transport errors and malformed answers: the harness's, not the service's
	FirstErr string
	// Oldest is how long the longest-waiting request unanswered when the
	// window closed had waited: about one latency unless requests queue.
	Oldest time.Duration
	// Of the service process (zero for direct cells).
	PeakRSS        int64 // VmHWM: the process ran this cell only
	PeakGoroutines int   // highest go_goroutines of /metrics, polled
	PeakHeap       int64 // highest go_memstats_heap_inuse_bytes, polled
	PeakStacks     int64 // highest go_memstats_stack_inuse_bytes, polled
	RedisCmds      float64
	RedisTrips     float64  // writes to Redis (a pipeline is one) per completed job
	TopCmds        []perJob // the commands sent most, per completed job
	ProviderConns  int64    // connections the fake accepted during the window
	CPU            cpuUse
	lat            []time.Duration
}

// Rate is 200 answers per second of the window.
func (c slowCell) Rate() float64 { return ratio(float64(c.Completed), c.Window.Seconds()) }

// OtherTotal is the number of answers other than 200.
func (c slowCell) OtherTotal() int {
	n := 0
	for _, v := range c.Other {
		n += v
	}
	return n
}

// Ideal is the rate of clients that each wait the mean latency per request.
func (r slowRow) Ideal(clients int) float64 {
	return float64(clients) / r.Latency.Mean().Seconds()
}

// Cells lists every measured cell, direct and service.
func (r slowRow) Cells() []slowCell {
	var out []slowCell
	for _, l := range r.Levels {
		out = append(out, l.Direct, l.Service)
	}
	if r.Defaults != nil {
		out = append(out, *r.Defaults)
	}
	return out
}

// rowSlow measures each level directly, then through a fresh service
// process, with the fake provider answering after -latency, its generator
// seeded afresh for each cell so every cell draws the same latencies in
// the order calls arrive. A fresh process per cell makes its VmHWM the
// cell's peak and leaves no jobs behind for the next.
func (h *harness) rowSlow(ctx context.Context) (slowRow, error) {
	o := h.opts
	r := slowRow{Latency: o.Latency, Ramp: o.Latency.P50, Window: o.Window}
	body, err := h.providerBody(ctx)
	if err != nil {
		return r, err
	}
	defer h.fake.SetLatency(latency{})
	for i, n := range o.Clients {
		lvl := slowLevel{Clients: n, Workers: max(n, foundWorkers)}
		fmt.Fprintf(o.Log, "loadtest: row 8, %d clients direct\n", n)
		lvl.Direct = h.slowDirectCell(ctx, n, body)
		setting := fmt.Sprintf("TEXT_WORKERS=%d", lvl.Workers)
		fmt.Fprintf(o.Log, "loadtest: row 8, %d clients through the service, %s\n", n, setting)
		if lvl.Service, err = h.slowServiceCell(ctx, n, setting, setting); err != nil {
			return r, err
		}
		r.Levels = append(r.Levels, lvl)
		if i == 0 {
			fmt.Fprintf(o.Log, "loadtest: row 8, %d clients through the service, default settings\n", n)
			d, err := h.slowServiceCell(ctx, n, "defaults")
			if err != nil {
				return r, err
			}
			r.Defaults = &d
		}
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
	}
	return r, nil
}

// providerBody is the body the service sends the provider for a character
// request, which the direct cells replay; the fake answers at once.
func (h *harness) providerBody(ctx context.Context) ([]byte, error) {
	h.fake.SetLatency(latency{})
	svc, err := h.startService(ctx, "row-8-body")
	if err != nil {
		return nil, err
	}
	defer svc.stop(5 * time.Second)
	if ok, st, err := h.textCall(svc, "MISS")(ctx, 0); !ok {
		return nil, fmt.Errorf("row 8: first text request: %s", describe(st, err))
	}
	return h.fake.LastBody(), nil
}

// windowMarks are taken when a cell's window opens and when it closes.
type windowMarks struct {
	cpu   cpuSnap
	conns int64
	redis counts
}

func (h *harness) slowDirectCell(ctx context.Context, clients int, body []byte) slowCell {
	h.fake.SetLatency(h.opts.Latency)
	m := cpuMeter{rdb: h.rdb}
	var open, shut windowMarks
	c := steady(ctx, clients, h.opts.Latency.P50, h.opts.Window, h.directCall(body), func(opening bool) {
		if opening {
			open = windowMarks{cpu: m.snap(ctx), conns: h.fake.Conns()}
			return
		}
		shut = windowMarks{cpu: m.snap(ctx), conns: h.fake.Conns()}
	})
	c.Setup = "direct"
	c.CPU = open.cpu.to(shut.cpu)
	c.ProviderConns = shut.conns - open.conns
	return c
}

// slowServiceCell runs one cell through a new service process with env,
// its Redis connections through a counting proxy, under a key prefix of
// its own.
func (h *harness) slowServiceCell(ctx context.Context, clients int, setup string, env ...string) (slowCell, error) {
	prefix := fmt.Sprintf("%sr8c%d:", h.prefix, h.seed.Add(1))
	env = append([]string{"REDIS_KEY_PREFIX=" + prefix}, env...)
	var px *countingProxy
	if !h.opts.RedisDirect {
		var redisURL string
		var err error
		if px, redisURL, err = h.proxyRedis(prefix); err != nil {
			return slowCell{}, err
		}
		defer px.Close()
		env = append(env, "REDIS_URL="+redisURL)
	}
	svc, err := h.startService(ctx, "row-8 "+setup, env...)
	if err != nil {
		return slowCell{}, err
	}
	defer svc.stop(5 * time.Second)

	pctx, stopPoll := context.WithCancel(ctx)
	every := min(500*time.Millisecond, max(h.opts.Window/6, 20*time.Millisecond))
	polled := make(chan map[string]float64, 1)
	go func() { polled <- h.pollPeaks(pctx, svc.url, every) }()

	h.fake.SetLatency(h.opts.Latency)
	m := cpuMeter{rdb: h.rdb, pids: []int{svc.Pid()}}
	var open, shut windowMarks
	c := steady(ctx, clients, h.opts.Latency.P50, h.opts.Window, h.textCall(svc, "MISS"), func(opening bool) {
		w := windowMarks{cpu: m.snap(ctx), conns: h.fake.Conns()}
		if px != nil {
			w.redis = px.snapshot()
		}
		if opening {
			open = w
		} else {
			shut = w
		}
	})
	stopPoll()
	peak := <-polled
	c.Setup = setup
	c.CPU = open.cpu.to(shut.cpu)
	c.ProviderConns = shut.conns - open.conns
	c.PeakGoroutines = int(peak["go_goroutines"])
	c.PeakHeap = int64(peak["go_memstats_heap_inuse_bytes"])
	c.PeakStacks = int64(peak["go_memstats_stack_inuse_bytes"])
	mem, err := procMemory(svc.Pid())
	if err != nil {
		return c, fmt.Errorf("row 8 %s: %w", setup, err)
	}
	c.PeakRSS = mem.HWM
	if px != nil && c.Completed > 0 {
		jobs := float64(c.Completed)
		c.RedisTrips = float64(shut.redis.writes-open.redis.writes) / jobs
		for name, n := range shut.redis.cmds {
			v := float64(n-open.redis.cmds[name]) / jobs
			c.RedisCmds += v
			if v >= 0.05 {
				c.TopCmds = append(c.TopCmds, perJob{Name: name, N: v})
			}
		}
		sort.Slice(c.TopCmds, func(i, j int) bool { return c.TopCmds[i].N > c.TopCmds[j].N })
		c.TopCmds = c.TopCmds[:min(len(c.TopCmds), 4)]
	}
	return c, nil
}

// proxyRedis starts a counting proxy in front of the harness's Redis and
// returns it with the URL that reaches Redis through it; prefix is cut
// from the labels of script keys.
func (h *harness) proxyRedis(prefix string) (*countingProxy, string, error) {
	opt, err := redis.ParseURL(h.redisURL)
	if err != nil {
		return nil, "", err
	}
	u, err := url.Parse(h.redisURL)
	if err != nil {
		return nil, "", err
	}
	px, err := startCountingProxy(opt.Addr, prefix)
	if err != nil {
		return nil, "", err
	}
	u.Host = px.Addr()
	return px, u.String(), nil
}

// peakGauges are the Go runtime gauges of /metrics whose highest value a
// cell keeps.
var peakGauges = []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes"}

// pollPeaks reads peakGauges from the service's /metrics every interval
// until ctx ends, and returns the highest value of each seen.
func (h *harness) pollPeaks(ctx context.Context, base string, every time.Duration) map[string]float64 {
	peak := map[string]float64{}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if g, err := gauges(ctx, h.hc, base+"/metrics", peakGauges...); err == nil {
			for k, v := range g {
				peak[k] = max(peak[k], v)
			}
		}
		select {
		case <-ctx.Done():
			return peak
		case <-t.C:
		}
	}
}

// gauges fetches a Prometheus text exposition and returns the unlabelled
// series named, all of which must be there.
func gauges(ctx context.Context, hc *http.Client, url string, names ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	out := make(map[string]float64, len(names))
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), " ")
		if !ok || !slices.Contains(names, name) {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", name, v, err)
		}
		out[name] = f
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("no %s in %s", n, url)
		}
	}
	return out, nil
}

// steady runs clients closed loops of fn, their first requests spread
// evenly over ramp so that, with a steady latency, answers arrive evenly
// too. It measures the window after the ramp: 200 answers arriving within
// it, and every other answer from the start. mark(true) runs as the
// window opens, mark(false) as it closes; then requests still in flight
// are cancelled and not counted.
func steady(ctx context.Context, clients int, ramp, window time.Duration, fn call, mark func(opening bool)) slowCell {
	c := slowCell{Clients: clients, Other: map[int]int{}}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	opens, closes := start.Add(ramp), start.Add(ramp+window)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !sleepUntil(rctx, start.Add(time.Duration(i)*ramp/time.Duration(clients))) {
				return
			}
			var lat []time.Duration
			other := map[int]int{}
			var errs int
			var first string
			var oldest time.Duration
			for rctx.Err() == nil {
				t0 := time.Now()
				ok, status, err := fn(rctx, 0)
				t1 := time.Now()
				if rctx.Err() != nil || t1.After(closes) {
					oldest = max(closes.Sub(t0), 0) // in flight when the window closed
					break
				}
				switch {
				case ok:
					if !t1.Before(opens) {
						lat = append(lat, t1.Sub(t0))
					}
				case err != nil:
					errs++
					if first == "" {
						first = describe(status, err)
					}
				default:
					other[status]++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			c.lat = append(c.lat, lat...)
			for st, n := range other {
				c.Other[st] += n
			}
			c.Errors += errs
			c.Oldest = max(c.Oldest, oldest)
			if c.FirstErr == "" {
				c.FirstErr = first
			}
		}()
	}
	if sleepUntil(ctx, opens) {
		mark(true)
		if sleepUntil(ctx, closes) {
			c.Window = window
			mark(false)
		}
	}
	cancel()
	wg.Wait()
	c.Completed = len(c.lat)
	c.P50 = percentile(c.lat, 0.50)
	c.P99 = percentile(c.lat, 0.99)
	return c
}

// sleepUntil waits until t or ctx ends, and says whether t came.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
