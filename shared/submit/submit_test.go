package submit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/provider"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/ratelimit"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

const waitTimeout = 10 * time.Second

var discard = slog.New(slog.DiscardHandler)

// fakeCache serves results by key; err, when set, is returned by every Get.
type fakeCache struct {
	mu   sync.Mutex
	m    map[string][]byte
	err  error
	gets int
}

var _ submit.CacheReader = (*fakeCache)(nil)

func (c *fakeCache) Get(_ context.Context, group, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets++
	if c.err != nil {
		return nil, false, c.err
	}
	b, ok := c.m[group+"/"+key]
	return b, ok, nil
}

func (c *fakeCache) put(group, key, v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[group+"/"+key] = []byte(v)
}

func (c *fakeCache) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gets
}

// limitedLog records refused callers.
type limitedLog struct {
	mu    sync.Mutex
	calls []string
}

var _ submit.RateLimitNotifier = (*limitedLog)(nil)

func (l *limitedLog) RateLimited(_ context.Context, caller, group string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, caller+"/"+group)
}

func (l *limitedLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.calls...)
}

type options struct {
	workers  int // pool workers; 0 runs no worker
	limit    int // text requests a minute per caller; 0 = none
	inline   bool
	lend     bool // the pool lends free slots to sync requests
	maxDepth int
}

type env struct {
	srv     *httptest.Server
	svc     *submit.Service
	q       *queue.Queue
	rdb     *redis.Client
	reg     *prometheus.Registry
	cache   *fakeCache
	limited *limitedLog
	runs    atomic.Int32 // handler calls
}

// body is what the test endpoint accepts.
type body struct {
	Prompt    string `json:"prompt"`
	Priority  string `json:"priority,omitempty"`
	OverQuota bool   `json:"over_quota,omitempty"`
}

// newEnv serves POST /api/v2/text/echo through Service.Handle, with the
// caller's claims taken from X-Test-Sub and X-Test-Scopes.
func newEnv(t *testing.T, o options) *env {
	t.Helper()
	rdb, prefix := redistest.New(t)
	e := &env{rdb: rdb, cache: &fakeCache{m: map[string][]byte{}}, limited: &limitedLog{}}
	e.q = queue.New(rdb, queue.Config{Name: "text", Prefix: prefix, MaxDepth: o.maxDepth})

	n := queue.NewNotifier(rdb, prefix, discard)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		n.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	select {
	case <-n.Ready():
	case <-time.After(waitTimeout):
		t.Fatal("notifier not ready")
	}

	e.reg = prometheus.NewRegistry()
	metrics := queue.NewMetrics(e.reg, e.q)
	runner := queue.NewRunner(queue.RunnerConfig{Handlers: queue.HandlerMap{"text.echo": queue.HandlerFunc(e.handle)}, Notifier: n, Metrics: metrics, Logger: discard})
	qc := submit.QueueConfig{Queue: e.q, RateLimit: o.limit}
	var pool *queue.Pool
	if o.workers > 0 {
		pool = queue.NewPool(e.q, runner, o.workers, discard)
		if o.lend {
			// Idle workers stay parked (a lent run wakes none), so every
			// slot is free between requests. Their own client is closed
			// first at the end, which ends their long wait.
			prdb := redis.NewClient(rdb.Options())
			t.Cleanup(func() { prdb.Close() })
			pool = queue.NewPool(queue.New(prdb, queue.Config{Name: "text", Prefix: prefix, MaxDepth: o.maxDepth}), runner, o.workers, discard)
			pool.Idle = time.Hour
			qc.Slots = pool
		}
	}
	e.svc = submit.New(submit.Config{
		Queues: []submit.QueueConfig{qc}, Notifier: n, Limiter: ratelimit.New(rdb, prefix), Cache: e.cache,
		Runner: runner, Metrics: metrics, Logger: discard, Registry: e.reg,
		Inline: o.inline, OnRateLimited: e.limited,
	})
	if pool != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pool.Run(ctx, ctx)
		}()
		if o.lend {
			waitAllSlotsFree(t, pool, o.workers)
		}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v2/text/echo", e.endpoint)
	claims := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := auth.Claims{Subject: "svc-a", Scopes: strings.Fields(r.Header.Get("X-Test-Scopes"))}
			if s := r.Header.Get("X-Test-Sub"); s != "" {
				c.Subject = s
			}
			next.ServeHTTP(w, r.WithContext(auth.WithClaims(r.Context(), c)))
		})
	}
	e.srv = httptest.NewServer(httpapi.Chain(mux, httpapi.Observe(discard, nil), claims))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) endpoint(w http.ResponseWriter, r *http.Request) {
	var b body
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		httpapi.Error(w, r, httpapi.NewProblem(httpapi.CodeInvalidJSON, "The body is not JSON."))
		return
	}
	payload, _ := json.Marshal(b)
	req := submit.Request{
		Queue: "text", Kind: "text.echo", Priority: b.Priority, Payload: payload,
		Canonical: b.Prompt, CacheKey: "k:" + b.Prompt,
	}
	if b.OverQuota {
		req.Quota = func(context.Context, string) error {
			return httpapi.NewProblem(httpapi.CodeQuotaExceeded, "The monthly quota is used up.")
		}
	}
	if err := e.svc.Handle(w, r, req); err != nil {
		httpapi.Error(w, r, err)
	}
}

// handle runs text.echo jobs: "quota" fails as the provider's quota would,
// "slow" runs until its context ends, anything else is echoed.
func (e *env) handle(ctx context.Context, j *queue.Job) (queue.Result, error) {
	e.runs.Add(1)
	var b body
	if err := json.Unmarshal(j.Payload, &b); err != nil {
		return queue.Result{}, queue.Permanent(err)
	}
	switch b.Prompt {
	case "quota":
		return queue.Result{}, &provider.Error{Provider: "openai", Kind: provider.Quota, Status: 429, Code: "insufficient_quota"}
	case "slow":
		<-ctx.Done()
		return queue.Result{}, ctx.Err()
	}
	v, _ := json.Marshal(map[string]string{"text": b.Prompt})
	return queue.Result{Value: v}, nil
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		tb.Fatalf("response body %q: %v", r.body, err)
	}
	return m
}

// post sends b to the echo endpoint with the query and headers given.
func (e *env) post(tb testing.TB, query string, b body, hdr map[string]string) response {
	tb.Helper()
	raw, _ := json.Marshal(b)
	u := e.srv.URL + "/api/v2/text/echo"
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("POST %s: %v", u, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: out}
}

func (e *env) stats(tb testing.TB) queue.Stats {
	tb.Helper()
	st, err := e.q.Stats(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

var async = map[string]string{"Prefer": "respond-async"}

// problem checks that res is a problem with status and code and returns it.
func problem(tb testing.TB, res response, status int, code string) map[string]any {
	tb.Helper()
	if res.status != status || res.header.Get("Content-Type") != "application/problem+json" {
		tb.Fatalf("status %d content-type %q body %s, want %d application/problem+json", res.status, res.header.Get("Content-Type"), res.body, status)
	}
	p := res.json(tb)
	if p["code"] != code || p["status"] != float64(status) || p["request_id"] != res.header.Get("X-Request-ID") || p["request_id"] == "" {
		tb.Errorf("problem %s, want code %s status %d and the request id %q", res.body, code, status, res.header.Get("X-Request-ID"))
	}
	return p
}

func TestSyncSuccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{workers: 1})
	res := e.post(t, "", body{Prompt: "hello"}, nil)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d content-type %q body %s, want 200 application/json", res.status, res.header.Get("Content-Type"), res.body)
	}
	if res.header.Get("X-Cache") != "MISS" || res.header.Get("Location") != "" {
		t.Errorf("X-Cache %q Location %q, want MISS and none", res.header.Get("X-Cache"), res.header.Get("Location"))
	}
	j := res.json(t)
	if j["status"] != "succeeded" || j["kind"] != "text.echo" || j["owner"] != "svc-a" || j["priority"] != "normal" || j["attempts"] != float64(1) {
		t.Errorf("job %s, want succeeded text.echo of svc-a, normal, 1 attempt", res.body)
	}
	if diff := cmp.Diff(map[string]any{"text": "hello"}, j["result"]); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if _, ok := j["payload"]; ok {
		t.Errorf("job %s shows its payload", res.body)
	}
	if e.cache.count() != 1 {
		t.Errorf("cache read %d times, want 1", e.cache.count())
	}
}

func TestInlineRunsOwnJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{inline: true}) // no worker: the request runs its job
	res := e.post(t, "", body{Prompt: "inline"}, nil)
	if res.status != http.StatusOK {
		t.Fatalf("status %d body %s, want 200", res.status, res.body)
	}
	if j := res.json(t); j["status"] != "succeeded" || e.runs.Load() != 1 {
		t.Errorf("job %s after %d runs, want succeeded after 1", res.body, e.runs.Load())
	}
}

// TestInlineAnswersBeforeDeadline: under Lambda a synchronous request whose
// job cannot finish within the invocation (API Gateway ends it at 30 s)
// answers 202 with the job's Location before the invocation's deadline, and
// the job goes back to the queue, its attempt unused, for the scheduled
// worker.
func TestInlineAnswersBeforeDeadline(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{inline: true})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	raw, _ := json.Marshal(body{Prompt: "slow"})
	r := httptest.NewRequestWithContext(auth.WithClaims(ctx, auth.Claims{Subject: "svc-a"}), http.MethodPost, "/api/v2/text/echo", bytes.NewReader(raw))
	w := httptest.NewRecorder()
	e.endpoint(w, r)
	if ctx.Err() != nil {
		t.Errorf("the request answered after its deadline")
	}
	res := response{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
	if res.status != http.StatusAccepted {
		t.Fatalf("status %d body %s, want 202", res.status, res.body)
	}
	id, _ := res.json(t)["id"].(string)
	if got := res.header.Get("Location"); id == "" || got != "/api/v2/queue/"+id {
		t.Errorf("Location = %q, want /api/v2/queue/%s", got, id)
	}
	j, err := e.q.Get(context.Background(), id)
	if err != nil || j.Status != queue.StatusQueued || j.Attempts != 0 || e.runs.Load() != 1 {
		t.Errorf("Get(%s) = %+v, %v after %d runs, want queued with no attempt used after 1", id, j, err, e.runs.Load())
	}
}

// waitAllSlotsFree waits until the pool has started and its n workers have
// parked without a job.
func waitAllSlotsFree(t *testing.T, p *queue.Pool, n int) {
	t.Helper()
	servicetest.WaitFor(t, waitTimeout, fmt.Sprintf("%d free worker slots", n), func() bool {
		var slots []*queue.Slot
		for range n {
			if s := p.TrySlot(); s != nil {
				slots = append(slots, s)
			}
		}
		for _, s := range slots {
			s.Release()
		}
		return len(slots) == n
	})
}

// directRuns reads llm_queue_direct_runs_total.
func (e *env) directRuns(t *testing.T) float64 {
	t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "llm_queue_direct_runs_total" {
			var n float64
			for _, m := range mf.GetMetric() {
				n += m.GetCounter().GetValue()
			}
			return n
		}
	}
	return 0
}

func TestInlineCountsDirectRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{inline: true})
	if res := e.post(t, "", body{Prompt: "inline"}, nil); res.status != http.StatusOK {
		t.Fatalf("status %d body %s, want 200", res.status, res.body)
	}
	if got := e.directRuns(t); got != 1 {
		t.Errorf("direct runs = %v, want 1", got)
	}
}

func TestLentSlotRunsOwnJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{workers: 2, lend: true})
	for i := range 3 {
		res := e.post(t, "", body{Prompt: fmt.Sprintf("lent %d", i)}, nil)
		if res.status != http.StatusOK {
			t.Fatalf("status %d body %s, want 200", res.status, res.body)
		}
		j := res.json(t)
		if j["status"] != "succeeded" || j["result"] == nil || j["finished_at"] == nil || j["attempts"] != float64(1) {
			t.Errorf("job %s, want succeeded with its result after 1 attempt", res.body)
		}
		// Claimed in the enqueue step: one timestamp from Redis for both.
		if j["started_at"] != j["created_at"] {
			t.Errorf("started_at %v, created_at %v: want the job claimed as it was enqueued", j["started_at"], j["created_at"])
		}
	}
	if got := e.directRuns(t); got != 3 {
		t.Errorf("direct runs = %v, want 3", got)
	}
	if st := e.stats(t); st.Queued != 0 || st.Running != 0 || st.Succeeded1h != 3 {
		t.Errorf("stats %+v, want 3 succeeded and nothing queued or running", st)
	}
}

func TestAccepted(t *testing.T) {
	t.Parallel()
	prefer := func(v string) map[string]string { return map[string]string{"Prefer": v} }
	tests := []struct {
		name    string
		query   string
		hdr     map[string]string
		applied string // Preference-Applied
	}{
		{"prefer respond-async", "", async, "respond-async"},
		{"prefer among others", "", prefer("return=minimal, Respond-Async"), "respond-async"},
		// RFC 7240: a parameter of respond-async, or a second preference.
		{"respond-async with a parameter", "", prefer("respond-async; wait=5"), "respond-async"},
		{"respond-async and wait", "", prefer("respond-async, wait=5"), "respond-async"},
		{"respond-async over ?wait", "wait=30", prefer(`foo="a, b"; x, respond-async;y="z"`), "respond-async"},
		{"wait=0", "wait=0", nil, ""},
		{"wait runs out", "wait=0.05", nil, ""}, // no worker runs the job
		{"wait preference runs out", "", prefer("wait=0"), "wait=0"},
		{"?wait over the wait preference", "wait=0", prefer("wait=100"), ""},
		{"malformed wait preference ignored", "wait=0", prefer("wait=soon"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, options{})
			res := e.post(t, tc.query, body{Prompt: "later"}, tc.hdr)
			if res.status != http.StatusAccepted {
				t.Fatalf("status %d body %s, want 202", res.status, res.body)
			}
			j := res.json(t)
			id, _ := j["id"].(string)
			if j["status"] != "queued" || j["position"] != float64(1) || queue.QueueOf(id) != "text" {
				t.Errorf("job %s, want queued at position 1 with a text id", res.body)
			}
			if got := res.header.Get("Location"); got != "/api/v2/queue/"+id {
				t.Errorf("Location = %q, want /api/v2/queue/%s", got, id)
			}
			if got := res.header.Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After = %q, want 1", got)
			}
			if got := res.header.Get("Preference-Applied"); got != tc.applied {
				t.Errorf("Preference-Applied = %q, want %q", got, tc.applied)
			}
			if st := e.stats(t); st.Queued != 1 {
				t.Errorf("Stats().Queued = %d, want 1", st.Queued)
			}
		})
	}
}

func TestFailedJobIsProblem(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{workers: 1})
	res := e.post(t, "", body{Prompt: "quota"}, nil)
	p := problem(t, res, http.StatusTooManyRequests, "QUOTA_EXCEEDED")
	job, _ := p["job"].(map[string]any)
	if job == nil || job["status"] != "failed" || job["id"] == "" || job["attempts"] != float64(1) {
		t.Fatalf("problem %s, want the failed job in \"job\"", res.body)
	}
	if jobErr, _ := job["error"].(map[string]any); jobErr["code"] != "QUOTA_EXCEEDED" {
		t.Errorf("job.error = %v, want code QUOTA_EXCEEDED", job["error"])
	}
	if p["instance"] != "/api/v2/text/echo" || p["title"] != "Too Many Requests" {
		t.Errorf("problem instance %v title %v, want /api/v2/text/echo and Too Many Requests", p["instance"], p["title"])
	}
	if strings.Contains(string(res.body), "insufficient_quota") {
		t.Errorf("problem %s shows the provider's code", res.body)
	}
}

func TestCache(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		hdr      map[string]string
		cacheErr error
		hit      bool
	}{
		{name: "hit", hit: true},
		{name: "no-cache skips it", hdr: map[string]string{"Cache-Control": "no-cache"}},
		{name: "no-store skips it", hdr: map[string]string{"Cache-Control": "max-age=0, No-Store"}},
		{name: "unavailable cache is bypassed", cacheErr: errors.New("redis down")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, options{})
			e.cache.put("text", "k:dragon", `{"text":"from cache","cached":true}`)
			e.cache.err = tc.cacheErr
			hdr := map[string]string{"Prefer": "respond-async"}
			for k, v := range tc.hdr {
				hdr[k] = v
			}
			res := e.post(t, "", body{Prompt: "dragon"}, hdr)
			st := e.stats(t)
			if !tc.hit {
				if res.status != http.StatusAccepted || res.header.Get("X-Cache") != "MISS" || st.Queued != 1 {
					t.Errorf("status %d X-Cache %q queued %d, want 202 MISS 1", res.status, res.header.Get("X-Cache"), st.Queued)
				}
				return
			}
			if res.status != http.StatusOK || res.header.Get("X-Cache") != "HIT" {
				t.Fatalf("status %d X-Cache %q body %s, want 200 HIT", res.status, res.header.Get("X-Cache"), res.body)
			}
			j := res.json(t)
			if diff := cmp.Diff(map[string]any{"text": "from cache", "cached": true}, j["result"]); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if j["status"] != "succeeded" || st.Queued != 0 || st.Running != 0 || e.runs.Load() != 0 {
				t.Errorf("job %s, Stats %+v, %d runs; want succeeded with nothing queued or run", res.body, st, e.runs.Load())
			}
			// The hit is a job like any other.
			got, err := e.q.Get(context.Background(), j["id"].(string))
			if err != nil || got.Status != queue.StatusSucceeded || got.Owner != "svc-a" {
				t.Errorf("Get(cache hit) = %+v, %v, want succeeded of svc-a", got, err)
			}
		})
	}
}

func TestPriority(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{})
	tests := []struct {
		name     string
		priority string
		scopes   string
		status   int
		code     string
	}{
		{"default", "", "", http.StatusAccepted, ""},
		{"high", "high", "", http.StatusAccepted, ""},
		{"urgent without admin", "urgent", "read write", http.StatusForbidden, "FORBIDDEN"},
		{"urgent as admin", "urgent", "admin", http.StatusAccepted, ""},
		{"invalid", "asap", "admin", http.StatusBadRequest, "INVALID_PARAMETERS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{"Prefer": "respond-async", "X-Test-Scopes": tc.scopes}
			res := e.post(t, "", body{Prompt: "p-" + tc.name, Priority: tc.priority}, hdr)
			if tc.code == "" {
				want := tc.priority
				if want == "" {
					want = "normal"
				}
				if j := res.json(t); res.status != tc.status || j["priority"] != want {
					t.Errorf("status %d body %s, want %d with priority %s", res.status, res.body, tc.status, want)
				}
				return
			}
			p := problem(t, res, tc.status, tc.code)
			if tc.code == "INVALID_PARAMETERS" {
				errs, _ := p["errors"].([]any)
				if len(errs) != 1 || errs[0].(map[string]any)["field"] != "priority" {
					t.Errorf("problem %s, want one error naming priority", res.body)
				}
			}
		})
	}
}

func TestInvalidWait(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{})
	for _, wait := range []string{"-1", "soon", "NaN", "Inf", "1e400", "120.001", "500"} {
		res := e.post(t, "wait="+wait, body{Prompt: "w"}, nil)
		p := problem(t, res, http.StatusBadRequest, "INVALID_PARAMETERS")
		errs, _ := p["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["field"] != "wait" {
			t.Errorf("wait=%s: problem %s, want one error naming wait", wait, res.body)
		}
	}
	if st := e.stats(t); st.Queued != 0 {
		t.Errorf("Stats().Queued = %d after invalid requests, want 0", st.Queued)
	}
}

// rateLimitForm is the IETF RateLimit header form for group text.
const rateLimitForm = `"text";r=<remaining>;t=<seconds>`

// rateLimit parses a RateLimit header of group text.
func rateLimit(tb testing.TB, v string) (remaining, reset int) {
	tb.Helper()
	rest, ok := strings.CutPrefix(v, `"text";r=`)
	r, t, ok2 := strings.Cut(rest, ";t=")
	if !ok || !ok2 {
		tb.Fatalf("RateLimit = %q, want %s", v, rateLimitForm)
	}
	var err1, err2 error
	remaining, err1 = strconv.Atoi(r)
	reset, err2 = strconv.Atoi(t)
	if err1 != nil || err2 != nil {
		tb.Fatalf("RateLimit = %q, want %s", v, rateLimitForm)
	}
	return remaining, reset
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{limit: 3}) // one request every 20 s
	for i := range 3 {
		res := e.post(t, "", body{Prompt: "r" + strconv.Itoa(i)}, async)
		if res.status != http.StatusAccepted {
			t.Fatalf("request %d: status %d body %s, want 202", i+1, res.status, res.body)
		}
		if got := res.header.Get("RateLimit-Policy"); got != `"text";q=3;w=60` {
			t.Errorf("RateLimit-Policy = %q, want \"text\";q=3;w=60", got)
		}
		r, reset := rateLimit(t, res.header.Get("RateLimit"))
		if wantReset := 20 * (i + 1); r != 2-i || reset < wantReset-1 || reset > wantReset {
			t.Errorf("request %d: RateLimit r=%d t=%d, want r=%d t=%d", i+1, r, reset, 2-i, wantReset)
		}
	}
	res := e.post(t, "", body{Prompt: "one too many"}, async)
	problem(t, res, http.StatusTooManyRequests, "RATE_LIMITED")
	if ra, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || ra < 19 || ra > 20 {
		t.Errorf("Retry-After = %q, want 20 (the emission interval)", res.header.Get("Retry-After"))
	}
	if got := res.header.Get("RateLimit-Policy"); got != `"text";q=3;w=60` {
		t.Errorf("refused RateLimit-Policy = %q, want \"text\";q=3;w=60", got)
	}
	if r, reset := rateLimit(t, res.header.Get("RateLimit")); r != 0 || reset < 59 || reset > 60 {
		t.Errorf("refused RateLimit r=%d t=%d, want r=0 t=60", r, reset)
	}
	if diff := cmp.Diff([]string{"svc-a/text"}, e.limited.list()); diff != "" {
		t.Errorf("OnRateLimited calls (-want +got):\n%s", diff)
	}
	if st := e.stats(t); st.Queued != 3 {
		t.Errorf("Stats().Queued = %d, want 3: the refused request queues nothing", st.Queued)
	}
	if res := e.post(t, "", body{Prompt: "other caller"}, map[string]string{"Prefer": "respond-async", "X-Test-Sub": "svc-b"}); res.status != http.StatusAccepted {
		t.Errorf("another caller: status %d body %s, want 202", res.status, res.body)
	}
}

func TestDeduplication(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{})
	id := func(res response) string {
		t.Helper()
		if res.status != http.StatusAccepted {
			t.Fatalf("status %d body %s, want 202", res.status, res.body)
		}
		s, _ := res.json(t)["id"].(string)
		return s
	}
	withKey := func(key string, extra ...string) map[string]string {
		h := map[string]string{"Prefer": "respond-async", "Idempotency-Key": key}
		for i := 0; i+1 < len(extra); i += 2 {
			h[extra[i]] = extra[i+1]
		}
		return h
	}

	first := e.post(t, "", body{Prompt: "one"}, withKey("k1"))
	second := e.post(t, "", body{Prompt: "two"}, withKey("k1"))
	if id(first) != id(second) || second.header.Get("X-Deduplicated") != "true" || first.header.Get("X-Deduplicated") != "" {
		t.Errorf("same Idempotency-Key, different bodies: ids %s %s, X-Deduplicated %q %q; want one job, the second marked",
			id(first), id(second), first.header.Get("X-Deduplicated"), second.header.Get("X-Deduplicated"))
	}
	if other := e.post(t, "", body{Prompt: "one"}, withKey("k2")); id(other) == id(first) {
		t.Errorf("another Idempotency-Key shares job %s, want a new job", id(other))
	}
	if other := e.post(t, "", body{Prompt: "one"}, withKey("k1", "X-Test-Sub", "svc-b")); id(other) == id(first) {
		t.Errorf("another caller's Idempotency-Key shares job %s, want a new job", id(other))
	}

	// Without a key, identical requests from one caller share a job.
	a := e.post(t, "", body{Prompt: "same"}, async)
	b := e.post(t, "", body{Prompt: "same"}, async)
	c := e.post(t, "", body{Prompt: "same"}, map[string]string{"Prefer": "respond-async", "X-Test-Sub": "svc-b"})
	if id(a) != id(b) || b.header.Get("X-Deduplicated") != "true" || id(c) == id(a) {
		t.Errorf("identical requests: ids %s %s (other caller %s), want the first two shared", id(a), id(b), id(c))
	}
	if st := e.stats(t); st.Queued != 5 {
		t.Errorf("Stats().Queued = %d, want 5", st.Queued)
	}
}

func TestQuotaRefusal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{})
	res := e.post(t, "", body{Prompt: "q", OverQuota: true}, async)
	problem(t, res, http.StatusTooManyRequests, "QUOTA_EXCEEDED")
	if st := e.stats(t); st.Queued != 0 {
		t.Errorf("Stats().Queued = %d, want 0", st.Queued)
	}
}

func TestQueueFull(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{maxDepth: 1})
	if res := e.post(t, "", body{Prompt: "a"}, async); res.status != http.StatusAccepted {
		t.Fatalf("status %d, want 202", res.status)
	}
	res := e.post(t, "", body{Prompt: "b"}, async)
	problem(t, res, http.StatusServiceUnavailable, "QUEUE_FULL")
	if got := res.header.Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After = %q, want 5", got)
	}
}

func TestAwait(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{workers: 1})
	res := e.post(t, "", body{Prompt: "polled"}, async)
	if res.status != http.StatusAccepted {
		t.Fatalf("status %d, want 202", res.status)
	}
	job, err := e.q.Get(context.Background(), res.json(t)["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Await(context.Background(), job, waitTimeout)
	if err != nil || got.Status != queue.StatusSucceeded {
		t.Fatalf("Await() = %+v, %v, want the succeeded job", got, err)
	}
	if again, err := e.svc.Await(context.Background(), got, time.Hour); err != nil || again != got {
		t.Errorf("Await(finished) = %+v, %v, want the same job at once", again, err)
	}
}

func TestWaitParam(t *testing.T) {
	t.Parallel()
	s := submit.New(submit.Config{MaxWait: 30 * time.Second})
	tests := []struct {
		query string
		want  time.Duration
	}{
		{"", 25 * time.Second},
		{"wait=0", 0},
		{"wait=2.5", 2500 * time.Millisecond},
		{"wait=120", 30 * time.Second}, // the service's maximum
	}
	for _, tc := range tests {
		r := httptest.NewRequest(http.MethodGet, "/x?"+tc.query, nil)
		got, err := s.WaitParam(r, submit.DefaultWait)
		if err != nil || got != tc.want {
			t.Errorf("WaitParam(%q) = %v, %v, want %v", tc.query, got, err, tc.want)
		}
	}
	// Under a deadline (a Lambda invocation) the wait ends in time to answer.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := httptest.NewRequest(http.MethodGet, "/x?wait=20", nil).WithContext(ctx)
	dl, _ := ctx.Deadline()
	got, err := s.WaitParam(r, submit.DefaultWait)
	if limit := time.Until(dl) - 1500*time.Millisecond; err != nil || got <= 0 || got > limit+time.Millisecond {
		t.Errorf("WaitParam(wait=20) under a 10s deadline = %v, %v, want in (0, %v]", got, err, limit)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r = httptest.NewRequest(http.MethodGet, "/x", nil).WithContext(ctx)
	if got, err := s.WaitParam(r, submit.DefaultWait); err != nil || got != 0 {
		t.Errorf("WaitParam() under a 1s deadline = %v, %v, want 0", got, err)
	}
	for _, q := range []string{"wait=120.5", "wait=121", "wait=1e9"} {
		r := httptest.NewRequest(http.MethodGet, "/x?"+q, nil)
		if got, err := s.WaitParam(r, submit.DefaultWait); err == nil {
			t.Errorf("WaitParam(%q) = %v, want a 400 naming wait", q, got)
		}
	}
}

// TestWaitPreference: without ?wait=, the wait preference (RFC 7240 §4.3)
// sets how long a request waits, and the answer says it was applied.
func TestWaitPreference(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{workers: 1})
	for _, tc := range []struct{ prefer, applied string }{
		{"wait=10", "wait=10"},
		{"Wait=10; x=y, return=minimal", "wait=10"},
		{"wait=600", "wait=120"}, // cut to the maximum
	} {
		res := e.post(t, "", body{Prompt: "soon " + tc.prefer}, map[string]string{"Prefer": tc.prefer})
		if res.status != http.StatusOK || res.header.Get("Preference-Applied") != tc.applied {
			t.Errorf("Prefer: %s = %d Preference-Applied %q, want 200 %q", tc.prefer, res.status, res.header.Get("Preference-Applied"), tc.applied)
		}
	}
}

func TestNoStore(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"":                    false,
		"no-cache":            false,
		"no-store":            true,
		"max-age=0, NO-STORE": true,
		"no-storey":           false,
	} {
		if got := submit.NoStore(in); got != want {
			t.Errorf("NoStore(%q) = %v, want %v", in, got, want)
		}
	}
}
