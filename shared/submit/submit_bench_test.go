package submit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/ratelimit"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// benchEnv is the admission path on the real Redis: limiter, Redis cache,
// queue and notifier, and (when workers > 0) a pool running a no-op handler.
type benchEnv struct {
	svc   *submit.Service
	cache *cache.Cache
}

func newBenchEnv(b *testing.B, workers int) *benchEnv {
	b.Helper()
	rdb, prefix := redistest.New(b)
	q := queue.New(rdb, queue.Config{Name: "text", Prefix: prefix, MaxDepth: 1 << 30})
	n := queue.NewNotifier(rdb, prefix, discard)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); n.Run(ctx) }()
	b.Cleanup(func() { cancel(); wg.Wait() })
	select {
	case <-n.Ready():
	case <-time.After(waitTimeout):
		b.Fatal("notifier not ready")
	}
	noop := queue.HandlerFunc(func(context.Context, *queue.Job) (queue.Result, error) {
		return queue.Result{Value: []byte(`{"ok":true}`)}, nil
	})
	runner := queue.NewRunner(queue.RunnerConfig{Handlers: queue.HandlerMap{"text.bench": noop}, Notifier: n, Metrics: nil, Logger: discard})
	if workers > 0 {
		p := queue.NewPool(q, runner, workers, discard)
		wg.Add(1)
		go func() { defer wg.Done(); p.Run(ctx, ctx) }()
	}
	c := cache.New(rdb, prefix, nil)
	svc := submit.New(submit.Config{
		Queues:   []submit.QueueConfig{{Queue: q, RateLimit: 1_000_000}},
		Notifier: n, Limiter: ratelimit.New(rdb, prefix), Cache: c,
		Runner: runner, Logger: discard, Registry: prometheus.NewRegistry(),
	})
	return &benchEnv{svc: svc, cache: c}
}

func benchRequest(canonical string) submit.Request {
	return submit.Request{
		Queue: "text", Kind: "text.bench", Payload: []byte(`{"prompt":"` + canonical + `"}`),
		Canonical: canonical, CacheKey: "text:" + canonical,
	}
}

var benchClaims = auth.Claims{Subject: "bench"}

// BenchmarkAdmitNew is admission of a new job: limiter, cache miss, enqueue.
func BenchmarkAdmitNew(b *testing.B) {
	e := newBenchEnv(b, 0)
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		a, err := e.svc.Admit(ctx, http.Header{}, benchClaims, benchRequest(strconv.Itoa(n)), "", "")
		if err != nil || a.Duplicate || a.CacheHit {
			b.Fatalf("Admit = %+v, %v; want a new job", a, err)
		}
	}
}

// BenchmarkAdmitDuplicate is the de-duplication path: an identical request
// of the same caller joins the live job.
func BenchmarkAdmitDuplicate(b *testing.B) {
	e := newBenchEnv(b, 0)
	ctx := context.Background()
	if _, err := e.svc.Admit(ctx, http.Header{}, benchClaims, benchRequest("same"), "", ""); err != nil {
		b.Fatalf("Admit: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		a, err := e.svc.Admit(ctx, http.Header{}, benchClaims, benchRequest("same"), "", "")
		if err != nil || !a.Duplicate {
			b.Fatalf("Admit = %+v, %v; want a duplicate", a, err)
		}
	}
}

// BenchmarkAdmitCacheHit answers from the cache with a finished job.
func BenchmarkAdmitCacheHit(b *testing.B) {
	e := newBenchEnv(b, 0)
	ctx := context.Background()
	if err := e.cache.Set(ctx, "text:hit", []byte(`{"content":{"voice":"slow"}}`), time.Hour); err != nil {
		b.Fatalf("Set: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		a, err := e.svc.Admit(ctx, http.Header{}, benchClaims, benchRequest("hit"), "", "")
		if err != nil || !a.CacheHit {
			b.Fatalf("Admit = %+v, %v; want a cache hit", a, err)
		}
	}
}

// BenchmarkHandleSync is the whole sync contract in one process, without
// HTTP transport or provider: admission, enqueue, a pool worker claims and
// completes the job with a no-op handler, the notifier wakes the waiting
// request, which answers 200.
func BenchmarkHandleSync(b *testing.B) {
	e := newBenchEnv(b, 8)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		r := httptest.NewRequest(http.MethodPost, "/api/v2/text/bench", nil)
		r = r.WithContext(auth.WithClaims(httpapi.WithInfo(r.Context(), "bench"), benchClaims))
		w := httptest.NewRecorder()
		if err := e.svc.Handle(w, r, benchRequest(strconv.Itoa(n))); err != nil {
			httpapi.Error(w, r, err)
		}
		if w.Code != http.StatusOK {
			b.Fatalf("status = %d, want 200: %s", w.Code, w.Body)
		}
	}
}
