package image

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/getimg"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/ratelimit"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
	"github.com/dndcc/dnd-llm-service/shared/submit"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

// waitTimeout bounds every wait on a condition; it is generous so a slow
// machine only makes a test slower, never wrong.
const waitTimeout = 20 * time.Second

var discard = slog.New(slog.DiscardHandler)

var testKey = strings.Repeat("k", 64)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// stackConfig shapes a test stack.
type stackConfig struct {
	getimg bool // run images through the fake GetImg; else offline
	// getimg client settings (zero: fast defaults for tests)
	requestTimeout time.Duration
	maxRetries     int
	inlineRetryMax time.Duration
	quota          float64
	lambda         bool
	// wrapSteps, when set, wraps the checkpoint store.
	wrapSteps func(checkpoints) checkpoints
}

// stack is the service mounted on a real HTTP server with a real queue,
// workers, notifier, rate limiter, cache and usage store on the test Redis.
type stack struct {
	tb     testing.TB
	url    string
	fake   *getimgtest.Server
	svc    *Service
	q      *queue.Queue
	rdb    *redis.Client
	prefix string
	usage  *usage.Store
	clock  *clock
	reg    *prometheus.Registry
}

func newStack(tb testing.TB, cfg stackConfig) *stack {
	tb.Helper()
	rdb, prefix := redistest.New(tb)
	st := &stack{tb: tb, rdb: rdb, prefix: prefix, clock: &clock{t: time.Now()}, reg: prometheus.NewRegistry()}
	st.q = queue.New(rdb, queue.Config{Name: QueueName, Prefix: prefix, Lease: 5 * time.Second, MaxAttempts: 3,
		FailureCode: httpapi.CodeImageGenerationFailed})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	notifier := queue.NewNotifier(rdb, prefix, discard)
	wg.Go(func() { notifier.Run(ctx) })
	tb.Cleanup(func() { cancel(); wg.Wait() })
	select {
	case <-notifier.Ready():
	case <-time.After(waitTimeout):
		tb.Fatalf("notifier not ready after %v", waitTimeout)
	}

	var gc *getimg.Client
	if cfg.getimg {
		st.fake = getimgtest.New(tb)
		var err error
		gc, err = getimg.New(getimg.Config{
			APIKey: getimgtest.APIKey, BaseURL: st.fake.URL(),
			RequestTimeout: cmpOr(cfg.requestTimeout, 10*time.Second), MaxRetries: cfg.maxRetries,
			InlineRetryAfterMax: cfg.inlineRetryMax, Registerer: st.reg,
			Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		})
		if err != nil {
			tb.Fatalf("getimg.New: %v", err)
		}
	}
	metrics := queue.NewMetrics(st.reg, st.q)
	kinds := queue.NewMux()
	runner := queue.NewRunner(queue.RunnerConfig{
		Handlers: kinds, Notifier: notifier, Metrics: metrics, Logger: discard, MaxRetryAfter: 50 * time.Millisecond,
	})
	c := cache.New(rdb, prefix, st.reg)
	sub := submit.New(submit.Config{
		Queues: []submit.QueueConfig{{Queue: st.q, RateLimit: 1000}}, Notifier: notifier, Limiter: ratelimit.New(rdb, prefix),
		Cache: c, Runner: runner, Metrics: metrics, Logger: discard, Registry: st.reg,
	})
	st.usage = usage.New(rdb, prefix, nil)
	st.svc = New(Config{
		Verifier: auth.NewVerifier(testKey, ""), Submit: sub, Queue: st.q, Redis: rdb, Prefix: prefix,
		Cache: c, Usage: st.usage, Logger: discard, Registry: st.reg, GetImg: gc,
		SigningKey: []byte(testKey), ImageTTL: time.Hour, URLTTL: 10 * time.Minute,
		DailyCostQuota: cfg.quota, Lambda: cfg.lambda, Now: st.clock.Now,
	})
	if cfg.wrapSteps != nil {
		st.svc.steps = cfg.wrapSteps(st.svc.steps)
	}
	for kind, h := range st.svc.Handlers() {
		if err := kinds.Handle(kind, h); err != nil {
			tb.Fatal(err)
		}
	}

	// The workers run on a queue of their own client, as in a worker
	// process; closing it ends their blocking waits at once on cleanup.
	workerRDB := redis.NewClient(rdb.Options())
	tb.Cleanup(func() { workerRDB.Close() })
	pool := queue.NewPool(queue.New(workerRDB, st.q.Config()), runner, 2, discard)
	wg.Go(func() { pool.Run(ctx, ctx) })

	mux := http.NewServeMux()
	for _, r := range st.svc.routes() {
		mux.Handle(r.Pattern(), r.Handle(st.svc.verifier))
	}
	srv := httptest.NewServer(httpapi.Observe(discard, httpapi.NewMetrics(st.reg))(httpapi.ProblemMux(mux)))
	tb.Cleanup(srv.Close)
	st.url = srv.URL
	return st
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// token mints a bearer token for sub.
func (st *stack) token(sub string, scopes ...string) string {
	st.tb.Helper()
	tok, err := auth.Mint(testKey, sub, scopes, time.Hour, time.Now(), "", "")
	if err != nil {
		st.tb.Fatalf("auth.Mint: %v", err)
	}
	return tok
}

// do sends a request and returns the answer with its body read.
func (st *stack) do(method, path, token string, body []byte, hdr http.Header) (*http.Response, []byte) {
	st.tb.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(st.tb.Context(), method, st.url+path, rd)
	if err != nil {
		st.tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		st.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		st.tb.Fatalf("read %s %s: %v", method, path, err)
	}
	return resp, raw
}

// post sends body (marshalled unless it is []byte) as alice, waiting for
// the job.
func (st *stack) post(path string, body any, hdr http.Header) (*http.Response, []byte) {
	st.tb.Helper()
	b, ok := body.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			st.tb.Fatal(err)
		}
	}
	return st.do(http.MethodPost, path+"?wait=20", st.token("alice"), b, hdr)
}

// jobAnswer is a job as the API shows it.
type jobAnswer struct {
	ID       string          `json:"id"`
	Status   string          `json:"status"`
	Attempts int             `json:"attempts"`
	Owner    string          `json:"owner"`
	Result   Result          `json:"result"`
	Error    json.RawMessage `json:"error"`
}

// problemAnswer is a problem body.
type problemAnswer struct {
	Status int                  `json:"status"`
	Code   string               `json:"code"`
	Detail string               `json:"detail"`
	Errors []httpapi.FieldError `json:"errors"`
	Job    *jobAnswer           `json:"job"`
}

// succeed posts body and requires a 200 with a succeeded job.
func (st *stack) succeed(path string, body any, hdr http.Header) (jobAnswer, *http.Response) {
	st.tb.Helper()
	resp, raw := st.post(path, body, hdr)
	if resp.StatusCode != http.StatusOK {
		st.tb.Fatalf("POST %s = %d %s, want 200", path, resp.StatusCode, raw)
	}
	var j jobAnswer
	if err := json.Unmarshal(raw, &j); err != nil {
		st.tb.Fatalf("answer %s: %v", raw, err)
	}
	if j.Status != string(queue.StatusSucceeded) {
		st.tb.Fatalf("POST %s job status = %s, want succeeded", path, j.Status)
	}
	return j, resp
}

// decodeImage decodes base64 image data, failing the test when it is not
// an image.
func decodeImage(tb testing.TB, b64 string) (image.Image, []byte) {
	tb.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		tb.Fatalf("image_data is not base64: %v", err)
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("image_data does not decode: %v", err)
	}
	return img, raw
}

// pngB64 returns a w×h test image as base64 PNG.
func pngB64(tb testing.TB, w, h int, seed int64) string {
	tb.Helper()
	return base64.StdEncoding.EncodeToString(getimgtest.EncodePNG(tb, getimgtest.Pattern(w, h, seed)))
}

// counter reads a counter or gauge from the stack's registry (0 when
// absent).
func (st *stack) counter(name string, labels map[string]string) float64 {
	st.tb.Helper()
	mfs, err := st.reg.Gather()
	if err != nil {
		st.tb.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue next
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			}
		}
	}
	return 0
}

// jobKeys counts the job records under the stack's prefix.
func (st *stack) jobKeys() int {
	st.tb.Helper()
	keys, err := st.rdb.Keys(context.Background(), "*"+st.prefix+"*job:*").Result()
	if err != nil {
		st.tb.Fatalf("keys: %v", err)
	}
	return len(keys)
}

// imageUsage returns alice's usage rows today.
func (st *stack) usageRows(caller string) []usage.Row {
	st.tb.Helper()
	rows, _, err := st.usage.Query(context.Background(), []string{caller}, time.Now(), time.Now())
	if err != nil {
		st.tb.Fatalf("usage query: %v", err)
	}
	return rows
}
