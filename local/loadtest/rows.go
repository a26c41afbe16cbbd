package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/ratelimit"
)

// row1Clients are the concurrency levels of rows 1.
var row1Clients = []int{1, 16, 64}

// overheadRow is row 1: the sync text path against the direct call.
type overheadRow struct {
	Direct, Service []cell // by row1Clients
	Heavy           memory // the service at the end of the 64-client run
}

// rowOverhead measures each concurrency level directly, then through the
// service, with the same client.
func (h *harness) rowOverhead(ctx context.Context, svc *service) (overheadRow, error) {
	var r overheadRow
	// One request through the service records the exact body its OpenAI
	// client sends; the direct calls replay it.
	if ok, st, err := h.textCall(svc, "MISS")(ctx, 0); !ok {
		return r, fmt.Errorf("first text request: %s", describe(st, err))
	}
	body := h.fake.LastBody()
	for _, n := range row1Clients {
		fmt.Fprintf(h.opts.Log, "loadtest: row 1, %d clients\n", n)
		r.Direct = append(r.Direct, h.measureCell(ctx, nil, n, h.directCall(body)))
		r.Service = append(r.Service, h.measureCell(ctx, []int{svc.Pid()}, n, h.textCall(svc, "MISS")))
		if n == row1Clients[len(row1Clients)-1] {
			m, err := procMemory(svc.Pid())
			if err != nil {
				return r, err
			}
			r.Heavy = m
		}
	}
	return r, nil
}

// cacheRow is row 3.
type cacheRow struct {
	Cells []cell // 1 and 64 clients
}

func (h *harness) rowCache(ctx context.Context, svc *service) (cacheRow, error) {
	var r cacheRow
	body := characterBody(h.seed.Add(1))
	a, err := post(ctx, h.hc, svc.url+"/api/v2/text/character", body, textHeader(h.token))
	if err != nil || a.Status != http.StatusOK {
		return r, fmt.Errorf("filling the cache: %s", describe(a.Status, err))
	}
	for _, n := range []int{1, 64} {
		fmt.Fprintf(h.opts.Log, "loadtest: row 3, %d clients\n", n)
		r.Cells = append(r.Cells, h.measureCell(ctx, []int{svc.Pid()}, n, h.sameCall(svc, body)))
	}
	return r, nil
}

// burst is the outcome of n requests released at once.
type burst struct {
	Requests int
	Status   map[int]int
	Errors   int
	FirstErr string
	Window   time.Duration // first send to last send
	Elapsed  time.Duration // first send to last answer
	Dedup    int           // answers with X-Deduplicated: true
	Hits     int           // answers with X-Cache: HIT
}

// fire releases n requests at once; request i goes to target(i).
func fire(ctx context.Context, hc *http.Client, n int, target func(i int) (url string, body []byte, hdr http.Header)) burst {
	b := burst{Requests: n, Status: map[int]int{}}
	starts := make([]time.Time, n)
	ends := make([]time.Time, n)
	answers := make([]answer, n)
	errs := make([]error, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		url, body, hdr := target(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			starts[i] = time.Now()
			answers[i], errs[i] = post(ctx, hc, url, body, hdr)
			ends[i] = time.Now()
		}()
	}
	close(gate)
	wg.Wait()
	first, lastStart, lastEnd := starts[0], starts[0], ends[0]
	for i := range n {
		if starts[i].Before(first) {
			first = starts[i]
		}
		if starts[i].After(lastStart) {
			lastStart = starts[i]
		}
		if ends[i].After(lastEnd) {
			lastEnd = ends[i]
		}
		if errs[i] != nil {
			b.Errors++
			if b.FirstErr == "" {
				b.FirstErr = errs[i].Error()
			}
			continue
		}
		b.Status[answers[i].Status]++
		if answers[i].Header.Get("X-Deduplicated") == "true" {
			b.Dedup++
		}
		if answers[i].Header.Get("X-Cache") == "HIT" {
			b.Hits++
		}
	}
	b.Window = lastStart.Sub(first)
	b.Elapsed = lastEnd.Sub(first)
	return b
}

// warmConnections opens n keep-alive connections to each service, so a
// burst measures the service rather than TCP handshakes.
func (h *harness) warmConnections(ctx context.Context, n int, svcs ...*service) {
	var wg sync.WaitGroup
	for _, s := range svcs {
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				get(ctx, h.hc, s.url+"/health")
			}()
		}
	}
	wg.Wait()
}

// dedupRow is row 4.
type dedupRow struct {
	Burst         burst
	ProviderCalls int64
	Delay         time.Duration
}

const dedupDelay = 300 * time.Millisecond

func (h *harness) rowDedup(ctx context.Context, svc *service) (dedupRow, error) {
	r := dedupRow{Delay: dedupDelay}
	h.warmConnections(ctx, h.opts.Dedup, svc)
	body := characterBody(h.seed.Add(1))
	hdr := textHeader(h.token)
	h.fake.SetLatency(fixedLatency(dedupDelay))
	defer h.fake.SetLatency(latency{})
	before := h.fake.Calls()
	r.Burst = fire(ctx, h.hc, h.opts.Dedup, func(int) (string, []byte, http.Header) {
		return svc.url + "/api/v2/text/character", body, hdr
	})
	r.ProviderCalls = h.fake.Calls() - before
	return r, nil
}

// limiterRow is row 5.
type limiterRow struct {
	Limit     int
	Processes int
	Binary    burst // 300 requests across the service processes
	Library   burst // 300 Allow calls across 3 limiters, one Redis client each
}

const (
	burstLimit     = 100
	burstRequests  = 300
	burstProcesses = 3
)

func (h *harness) rowLimiter(ctx context.Context) (limiterRow, error) {
	r := limiterRow{Limit: burstLimit, Processes: burstProcesses}
	var svcs []*service
	defer func() {
		for _, s := range svcs {
			s.stop(5 * time.Second)
		}
	}()
	started := make([]*service, burstProcesses)
	errs := make([]error, burstProcesses)
	var wg sync.WaitGroup
	for i := range burstProcesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started[i], errs[i] = h.startService(ctx, fmt.Sprintf("limiter-%d", i+1), fmt.Sprintf("TEXT_RATE_LIMIT=%d", burstLimit))
		}()
	}
	wg.Wait()
	for i, s := range started {
		if s != nil {
			svcs = append(svcs, s)
		}
		if errs[i] != nil {
			return r, errs[i]
		}
	}
	// A caller of its own, so the other rows' traffic is not counted.
	tok, err := auth.Mint(h.secret, "burst-caller", nil, time.Hour, time.Now(), "", "")
	if err != nil {
		return r, err
	}
	h.warmConnections(ctx, burstRequests/burstProcesses, svcs...)
	hdr := textHeader(tok)
	seed := h.seed.Add(burstRequests)
	fmt.Fprintln(h.opts.Log, "loadtest: row 5, burst across the service processes")
	r.Binary = fire(ctx, h.hc, burstRequests, func(i int) (string, []byte, http.Header) {
		return svcs[i%len(svcs)].url + "/api/v2/text/character", characterBody(seed - int64(i)), hdr
	})

	// The same burst on the library: three limiters, each with its own
	// connection pool, as three replicas have.
	opt, err := redis.ParseURL(h.redisURL)
	if err != nil {
		return r, err
	}
	var ls []*ratelimit.Limiter
	for range burstProcesses {
		c := redis.NewClient(opt)
		defer c.Close()
		ls = append(ls, ratelimit.New(c, h.prefix))
	}
	r.Library = allowBurst(ctx, ls, burstRequests, burstLimit)
	return r, nil
}

// allowBurst calls Allow n times at once for one caller, spread over ls.
func allowBurst(ctx context.Context, ls []*ratelimit.Limiter, n, limit int) burst {
	b := burst{Requests: n, Status: map[int]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	gate := make(chan struct{})
	var first, last time.Time
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			t := time.Now()
			d, err := ls[i%len(ls)].Allow(ctx, "text", "library-burst-caller", limit)
			mu.Lock()
			defer mu.Unlock()
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
			switch {
			case err != nil:
				b.Errors++
				if b.FirstErr == "" {
					b.FirstErr = err.Error()
				}
			case d.Allowed:
				b.Status[http.StatusOK]++
			default:
				b.Status[http.StatusTooManyRequests]++
			}
		}()
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	b.Window = last.Sub(first)
	b.Elapsed = time.Since(start)
	return b
}
