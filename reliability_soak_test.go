package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// soakDuration is how long the sustained load runs: RELIABILITY_SOAK,
// 20s by default.
func soakDuration(t testing.TB) time.Duration {
	t.Helper()
	if v := os.Getenv("RELIABILITY_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("RELIABILITY_SOAK=%q: want a positive duration", v)
		}
		return d
	}
	return 20 * time.Second
}

// heapAfterGC returns the live heap after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// leakSlack is how many goroutines may outlive the service: other tests'
// stray ones. A leak per request or job would show as hundreds.
const leakSlack = 5

// soakCounts are what the load saw.
type soakCounts struct {
	requests, cacheHits, dedups, cancels, jobs atomic.Int64
}

// TestSustainedLoad drives mixed text and image traffic (offline
// providers) with cache hits, duplicates and cancels through a service run
// in this process, then stops it. No answer is a 5xx or a cut connection,
// the goroutines started come back to the count before the service
// started, and the heap after warm-up stays flat.
//
// It does not call t.Parallel: goroutine and heap counts are process-wide,
// so it runs while the parallel tests wait.
func TestSustainedLoad(t *testing.T) {
	servicetest.SkipShort(t, "soak: sustained mixed load for RELIABILITY_SOAK (20s), then goroutine and heap checks")
	d := soakDuration(t)
	_, prefix := redistest.New(t)
	baseHeap := heapAfterGC()
	baseG := runtime.NumGoroutine()

	// The log is counted, not kept: a long run's log lines must not fill
	// the heap being measured.
	s := apptest.Start(t, map[string]string{
		"REDIS_URL": redistest.URL(), "REDIS_KEY_PREFIX": prefix, "SECRET_KEY": servicetest.TestKey, "PORT": "0",
		"TEXT_RATE_LIMIT": "1000000", "IMAGE_RATE_LIMIT": "1000000", "TEXT_WORKERS": "8", "IMAGE_WORKERS": "2",
	}, apptest.Serve(serve), apptest.Lean())
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	toks := []string{servicetest.Token(t, "soak-a"), servicetest.Token(t, "soak-b"), servicetest.Token(t, "soak-c")}
	answers := newTally()
	var c soakCounts
	var seq atomic.Int64
	record := func(r servicetest.Response, err error) servicetest.Response {
		c.requests.Add(1)
		answers.add(r.Status, err)
		if err == nil {
			if r.Header.Get("X-Cache") == "HIT" {
				c.cacheHits.Add(1)
			}
			if r.Header.Get("X-Deduplicated") == "true" {
				c.dedups.Add(1)
			}
		}
		return r
	}
	ops := []func(tok string){
		func(tok string) { // a small set of requests: mostly cache hits
			record(servicetest.Send("POST", s.URL+"/api/v2/text/character", tok, seeded(rand.IntN(40)), servicetest.Client(client)))
		},
		func(tok string) { // a new campaign job, waited for
			c.jobs.Add(1)
			record(servicetest.Send("POST", s.URL+"/api/v2/text/campaign", tok, fmt.Sprintf(`{"type":"quest","parameters":{"party_level":3},"seed":%d}`, 1_000_000+seq.Add(1)), servicetest.Client(client)))
		},
		func(tok string) { // an image, from a small set of seeds
			record(servicetest.Send("POST", s.URL+"/api/v2/image/generate", tok, fmt.Sprintf(`{"type":"magical_effect","prompt":"a ward of green fire","size":{"width":256,"height":256},"parameters":{"seed":%d}}`, rand.IntN(12)), servicetest.Client(client)))
		},
		func(tok string) { // the same new request twice at once: one job
			c.jobs.Add(1)
			body := seeded(2_000_000 + int(seq.Add(1)))
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					record(servicetest.Send("POST", s.URL+"/api/v2/text/character", tok, body, servicetest.Client(client), servicetest.Header("Prefer", "respond-async")))
				})
			}
			wg.Wait()
		},
		func(tok string) { // a new job canceled at once
			c.jobs.Add(1)
			r := record(servicetest.Send("POST", s.URL+"/api/v2/text/character", tok, seeded(3_000_000+int(seq.Add(1))), servicetest.Client(client), servicetest.Header("Prefer", "respond-async")))
			if id := jobID(r); id != "" {
				d := record(servicetest.Send("DELETE", s.URL+"/api/v2/queue/"+id, tok, "", servicetest.Client(client)))
				if d.Status == 200 || d.Status == 202 {
					c.cancels.Add(1)
				}
			}
		},
		func(tok string) { // status and usage reads
			record(servicetest.Send("GET", s.URL+"/api/v2/queue/status", tok, "", servicetest.Client(client)))
			record(servicetest.Send("GET", s.URL+"/api/v2/usage", tok, "", servicetest.Client(client)))
		},
	}

	const clients = 12
	start := time.Now()
	stop := start.Add(d)
	var warmHeap uint64
	var warmOnce sync.Once
	var peakG atomic.Int64
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			tok := toks[i%len(toks)]
			for n := 0; time.Now().Before(stop); n++ {
				ops[(i+n)%len(ops)](tok)
				if g := int64(runtime.NumGoroutine()); g > peakG.Load() {
					peakG.Store(g)
				}
				if i == 0 && time.Since(start) > d/4 {
					warmOnce.Do(func() { warmHeap = heapAfterGC() })
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	endHeap := heapAfterGC()

	if err := s.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	client.CloseIdleConnections()
	afterG := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); afterG > baseG && time.Now().Before(deadline); afterG = runtime.NumGoroutine() {
		time.Sleep(50 * time.Millisecond) // goroutines end asynchronously after Close
	}
	stoppedHeap := heapAfterGC()

	t.Logf("%d requests in %v (%.0f/s): %s", c.requests.Load(), elapsed.Round(time.Millisecond),
		float64(c.requests.Load())/elapsed.Seconds(), answers)
	if answers.fivexx() > 0 || len(answers.errs) > 0 {
		t.Errorf("answers: %s; want no 5xx and no transport error", answers)
	}
	for st, n := range answers.byStatus {
		if st != 200 && st != 202 && st != 409 {
			t.Errorf("%d answers of status %d", n, st)
		}
	}
	if c.cacheHits.Load() == 0 || c.dedups.Load() == 0 || c.cancels.Load() == 0 {
		t.Errorf("the load lacked a path: cache hits %d, dedups %d, cancels %d", c.cacheHits.Load(), c.dedups.Load(), c.cancels.Load())
	}
	if afterG > baseG+leakSlack {
		var b strings.Builder
		pprof.Lookup("goroutine").WriteTo(&b, 1)
		t.Errorf("goroutines: %d before the service, %d after it stopped; leaked:\n%s", baseG, afterG, b.String())
	}
	const slack = 64 << 20
	if endHeap > warmHeap+max(warmHeap, slack) {
		t.Errorf("heap after warm-up %d MiB, at the end %d MiB: not flat", warmHeap>>20, endHeap>>20)
	}
	if stoppedHeap > baseHeap+slack {
		t.Errorf("heap %d MiB before the service, %d MiB after it stopped: memory outlives it", baseHeap>>20, stoppedHeap>>20)
	}
	if n := s.ErrorLines(); n > 0 {
		t.Errorf("%d ERROR log lines under load", n)
	}
	figures(t, "duration", elapsed.Round(time.Second), "requests_sent", c.requests.Load(), "api_5xx", answers.fivexx(),
		"transport_errors", len(answers.errs), "answers", fmt.Sprint(answers.byStatus),
		"cache_hits", c.cacheHits.Load(), "dedup_hits", c.dedups.Load(), "cancels", c.cancels.Load(),
		"goroutines_before", baseG, "goroutines_peak", peakG.Load(), "goroutines_after", afterG,
		"heap_base_MiB", baseHeap>>20, "heap_warm_MiB", warmHeap>>20, "heap_end_MiB", endHeap>>20,
		"heap_after_stop_MiB", stoppedHeap>>20, "log_lines", s.LogLines(), "error_lines", s.ErrorLines())
}
