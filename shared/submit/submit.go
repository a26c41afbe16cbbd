// Package submit is the one sync/async contract of every generation
// endpoint: admission (priority, rate limit, quota), cache hits as finished
// jobs, de-duplication, enqueue, and waiting for the job with 200/202
// answers.
package submit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/ratelimit"
)

// Defaults for waiting.
const (
	DefaultWait      = 25 * time.Second
	MaxWait          = 120 * time.Second
	LambdaMaxWait    = 28 * time.Second // API Gateway cuts off at 30 s
	lambdaWaitMargin = 1500 * time.Millisecond
)

// CacheReader looks up a finished result, stored as a hit answers it (with
// "cached": true).
type CacheReader interface {
	Get(ctx context.Context, group, key string) ([]byte, bool, error)
}

// pipelinedCache is a CacheReader whose lookup can share the rate limiter's
// round trip (a *cache.Cache on the limiter's Redis).
type pipelinedCache interface {
	GetIn(ctx context.Context, cmd redis.Cmdable, group, key string) func() ([]byte, bool, error)
}

// RateLimitNotifier is told when a caller is refused by the limiter.
type RateLimitNotifier interface {
	RateLimited(ctx context.Context, caller, group string)
}

// SlotLender lends a free worker slot, or returns nil (a *queue.Pool).
type SlotLender interface {
	TrySlot() *queue.Slot
}

// Service admits generation requests and answers them.
type Service struct {
	queues        map[string]QueueConfig
	notifier      *queue.Notifier
	limiter       *ratelimit.Limiter
	cache         CacheReader
	runner        *queue.Runner
	metrics       *queue.Metrics
	logger        *slog.Logger
	limited       *prometheus.CounterVec
	inline        bool
	maxWait       time.Duration
	onRateLimited RateLimitNotifier

	// draining ends when Drain is called: waiting requests then answer
	// with their job as it stands.
	draining context.Context
	drain    context.CancelFunc
}

// QueueConfig is a queue requests may go to, with what admission needs to
// know of it.
type QueueConfig struct {
	Queue *queue.Queue
	// RateLimit is requests per minute per caller; the queue's name is the
	// limit's group. 0 = no limit.
	RateLimit int
	// Slots, when set, lends the process's free worker slots of this queue
	// to synchronous requests: a request whose job would run at once
	// (nothing waits before it) runs it on a lent slot, with no hand-off
	// through Redis to a worker (a *queue.Pool).
	Slots SlotLender
}

// Config lists a Service's dependencies and settings.
type Config struct {
	Queues   []QueueConfig
	Notifier *queue.Notifier
	Limiter  *ratelimit.Limiter
	Cache    CacheReader
	Runner   *queue.Runner
	Metrics  *queue.Metrics
	Logger   *slog.Logger
	Registry prometheus.Registerer
	// Inline runs the caller's own job in the request while it waits (AWS
	// Lambda, where no background worker outlives an invocation).
	Inline bool
	// MaxWait clamps ?wait; default MaxWait (LambdaMaxWait suits Lambda).
	MaxWait time.Duration
	// OnRateLimited, when set, hears about refused callers.
	OnRateLimited RateLimitNotifier
}

// New returns a Service.
func New(c Config) *Service {
	if c.MaxWait <= 0 {
		c.MaxWait = MaxWait
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		queues:   map[string]QueueConfig{},
		notifier: c.Notifier, limiter: c.Limiter, cache: c.Cache, runner: c.Runner,
		metrics: c.Metrics, logger: c.Logger,
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_ratelimit_refused_total", Help: "Requests refused by the per-caller rate limit, by group.",
		}, []string{"group"}),
		inline: c.Inline, maxWait: c.MaxWait, onRateLimited: c.OnRateLimited,
	}
	if c.Registry != nil {
		c.Registry.MustRegister(s.limited)
	}
	for _, q := range c.Queues {
		s.queues[q.Queue.Name()] = q
	}
	s.draining, s.drain = context.WithCancel(context.Background())
	return s
}

// Drain makes every waiting request answer at once with its job as it
// stands (202 while it is queued or running, with Location to poll), and
// later requests answer without waiting. Call it when the process begins
// to shut down, so in-flight requests end within the grace period instead
// of being cut off.
func (s *Service) Drain() { s.drain() }

// Queue returns the queue called name, or nil.
func (s *Service) Queue(name string) *queue.Queue { return s.queues[name].Queue }

// Queues returns the queues requests may go to, sorted by name.
func (s *Service) Queues() []*queue.Queue {
	out := make([]*queue.Queue, 0, len(s.queues))
	for _, q := range s.queues {
		out = append(out, q.Queue)
	}
	slices.SortFunc(out, func(a, b *queue.Queue) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}

// Request is one validated generation request.
type Request struct {
	Queue    string // queue name, also the rate-limit group
	Kind     string // job kind
	Priority string // as the caller sent it
	Payload  []byte // what the handler runs
	// Canonical identifies the request for de-duplication: identical live
	// requests from one caller share a job. Usually the cache key.
	Canonical string
	// CacheKey, when set, is looked up before anything is queued.
	CacheKey string
	// Quota, when set, may refuse the caller before anything is queued.
	Quota func(ctx context.Context, owner string) error
	// CorrelationID and Destination trace the job to its events.
	CorrelationID string
	Destination   string
	// JobID, when set, is the id a new job gets.
	JobID string
	// ClaimAs and ClaimAhead are passed to queue.EnqueueRequest: the
	// caller will run the new job itself when it is leased to ClaimAs.
	ClaimAs    string
	ClaimAhead bool
	// Charges, when set, are what admission takes from the caller's rate
	// limits instead of one request of Queue: all of them or none. A
	// request whose job starts jobs on several queues (AdmitStep) is
	// charged for each of them up front.
	Charges []Charge
}

// Charge is N requests of a rate-limit group (a queue's name).
type Charge struct {
	Group string
	N     int
}

// Admission is what Admit decided.
type Admission struct {
	Job       *queue.Job
	CacheHit  bool
	Duplicate bool
	Limit     ratelimit.Decision
}

// Admit runs admission and enqueues (or finds) the job. Every refusal is a
// *httpapi.Problem. hdr receives the rate-limit headers, even on refusal.
func (s *Service) Admit(ctx context.Context, hdr http.Header, c auth.Claims, req Request, cacheControl, idempotencyKey string) (Admission, error) {
	var a Admission
	q := s.queues[req.Queue].Queue
	if q == nil {
		return a, fmt.Errorf("admit: no queue %q", req.Queue)
	}
	prio, ok := queue.ParsePriority(req.Priority)
	if !ok {
		return a, httpapi.Invalid(map[string]string{"priority": "must be one of low, normal, high, urgent"})
	}
	if prio == queue.PriorityUrgent && !c.Admin() {
		return a, httpapi.NewProblem(httpapi.CodeForbidden, "Priority urgent needs the admin scope.")
	}
	useCache := s.useCache(req, cacheControl)
	// The cache lookup rides along with the limiter's round trip; its
	// answer counts only once the request is admitted.
	var lookup func() ([]byte, bool, error)
	var with func(redis.Pipeliner)
	if pc, ok := s.cache.(pipelinedCache); ok && useCache {
		with = func(p redis.Pipeliner) { lookup = pc.GetIn(ctx, p, req.Queue, req.CacheKey) }
	}
	if err := s.rateLimit(ctx, hdr, c.Subject, req, &a, with); err != nil {
		return a, err
	}
	return s.admit(ctx, q, c.Subject, prio, req, useCache, lookup, idempotencyKey, a)
}

// AdmitStep admits a job that a running job of owner's starts (one step of
// a job that runs in steps). The owner's rate limits were charged for it
// when the first job was admitted (Request.Charges), and its priority
// allowed then: quota, cache, de-duplication and enqueue apply as to any
// job. The context carries the request id the job is traced to
// (httpapi.WithInfo).
func (s *Service) AdmitStep(ctx context.Context, owner string, req Request, cacheControl string) (Admission, error) {
	q := s.queues[req.Queue].Queue
	if q == nil {
		return Admission{}, fmt.Errorf("admit step: no queue %q", req.Queue)
	}
	prio, ok := queue.ParsePriority(req.Priority)
	if !ok {
		return Admission{}, httpapi.Invalid(map[string]string{"priority": "must be one of low, normal, high, urgent"})
	}
	return s.admit(ctx, q, owner, prio, req, s.useCache(req, cacheControl), nil, "", Admission{})
}

// useCache reports whether admission looks req up in the cache.
func (s *Service) useCache(req Request, cacheControl string) bool {
	noCache, noStore := cacheDirectives(cacheControl)
	return req.CacheKey != "" && s.cache != nil && !noCache && !noStore
}

// admit is admission past the caller's rate limits: the quota, a cache hit
// (lookup, when not nil, is its pipelined read), de-duplication and
// enqueue.
func (s *Service) admit(ctx context.Context, q *queue.Queue, owner string, prio queue.Priority, req Request,
	useCache bool, lookup func() ([]byte, bool, error), idempotencyKey string, a Admission) (Admission, error) {
	if req.Quota != nil {
		if err := req.Quota(ctx, owner); err != nil {
			return a, err
		}
	}
	er := queue.EnqueueRequest{
		ID: req.JobID, Kind: req.Kind, Owner: owner, Priority: prio, Payload: req.Payload,
		RequestID: httpapi.RequestID(ctx), CorrelationID: req.CorrelationID, Destination: req.Destination,
		ClaimAs: req.ClaimAs, ClaimAhead: req.ClaimAhead,
	}
	if useCache {
		if lookup == nil {
			lookup = func() ([]byte, bool, error) { return s.cache.Get(ctx, req.Queue, req.CacheKey) }
		}
		if b, ok, err := lookup(); err != nil {
			s.logger.Warn("cache unavailable; bypassing it", "error", err.Error())
		} else if ok {
			job, err := q.PutSucceeded(ctx, er, b)
			if err != nil {
				return a, unavailable(err)
			}
			a.Job, a.CacheHit = job, true
			return a, nil
		}
	}
	switch {
	case idempotencyKey != "":
		er.DedupKey = "idem:" + hash(owner, idempotencyKey)
	case req.Canonical != "":
		er.DedupKey = hash(owner, req.Kind, req.Canonical)
	}
	job, dup, err := q.Enqueue(ctx, er)
	if errors.Is(err, queue.ErrQueueFull) {
		p := httpapi.NewProblem(httpapi.CodeQueueFull, "The "+req.Queue+" queue is full; try again shortly.")
		p.RetryAfter = 5 * time.Second
		return a, p
	}
	if err != nil {
		return a, unavailable(err)
	}
	if dup {
		s.metrics.DedupHit(req.Queue)
	}
	s.logger.Debug("job enqueued", "job_id", job.ID, "kind", req.Kind, "owner", owner,
		"priority", string(prio), "duplicate", dup, "position", job.Position)
	a.Job, a.Duplicate = job, dup
	return a, nil
}

// rateLimit takes req's charges from the caller's rate limits, all or
// none: a charge refused gives back those taken before it. Each limit's
// group is a key of its own (on its own cluster slot), so the charges are
// taken one after another. with rides along with the first.
func (s *Service) rateLimit(ctx context.Context, hdr http.Header, caller string, req Request, a *Admission, with func(redis.Pipeliner)) error {
	charges := req.Charges
	if charges == nil {
		charges = []Charge{{Group: req.Queue, N: 1}}
	}
	var taken []charged
	for _, ch := range charges {
		limit := s.queues[ch.Group].RateLimit
		if limit <= 0 || s.limiter == nil || ch.N <= 0 {
			continue
		}
		d, err := s.limiter.AllowN(ctx, ch.Group, caller, limit, ch.N, with)
		with = nil
		if err != nil {
			// Fail closed: without Redis nothing can be queued anyway.
			s.refund(ctx, caller, taken)
			return unavailable(err)
		}
		a.Limit = d
		if !d.Allowed {
			s.refund(ctx, caller, taken)
			setRateLimitHeaders(hdr, append(taken, charged{ch, d}), true)
			return s.refused(ctx, caller, ch, d)
		}
		taken = append(taken, charged{ch, d})
	}
	setRateLimitHeaders(hdr, taken, false)
	return nil
}

// charged is a charge taken, with the limiter's decision.
type charged struct {
	Charge
	d ratelimit.Decision
}

// refund gives back the charges taken for a request that is refused.
func (s *Service) refund(ctx context.Context, caller string, taken []charged) {
	for _, t := range taken {
		if err := s.limiter.Refund(context.WithoutCancel(ctx), t.Group, caller, t.d.Limit, t.N); err != nil {
			s.logger.Warn("rate limit not given back", "group", t.Group, "caller", caller, "error", err.Error())
		}
	}
}

// setRateLimitHeaders writes RateLimit-Policy and RateLimit: one item per
// group charged. refunded: the charges before the last were given back.
func setRateLimitHeaders(hdr http.Header, cs []charged, refunded bool) {
	if len(cs) == 0 {
		return
	}
	var policy, state []string
	for i, c := range cs {
		remaining, reset := c.d.Remaining, c.d.ResetAfter
		if refunded && i < len(cs)-1 {
			remaining = min(remaining+c.N, c.d.Limit)
			reset = max(reset-time.Duration(c.N)*time.Minute/time.Duration(c.d.Limit), 0)
		}
		policy = append(policy, fmt.Sprintf(`"%s";q=%d;w=60`, c.Group, c.d.Limit))
		state = append(state, fmt.Sprintf(`"%s";r=%d;t=%d`, c.Group, remaining, ceilSeconds(reset)))
	}
	hdr.Set("RateLimit-Policy", strings.Join(policy, ", "))
	hdr.Set("RateLimit", strings.Join(state, ", "))
}

// refused is the 429 of a charge the caller's limit refused.
func (s *Service) refused(ctx context.Context, caller string, ch Charge, d ratelimit.Decision) error {
	s.limited.WithLabelValues(ch.Group).Inc()
	if s.onRateLimited != nil {
		s.onRateLimited.RateLimited(ctx, caller, ch.Group)
	}
	if ch.N > d.Limit {
		return httpapi.NewProblem(httpapi.CodeRateLimited, fmt.Sprintf(
			"This request takes %d %s requests at once, more than the rate limit of %d a minute admits.", ch.N, ch.Group, d.Limit))
	}
	msg := fmt.Sprintf("Rate limit of %d %s requests a minute exceeded.", d.Limit, ch.Group)
	if ch.N > 1 {
		msg = fmt.Sprintf("Rate limit of %d %s requests a minute exceeded: this request takes %d.", d.Limit, ch.Group, ch.N)
	}
	p := httpapi.NewProblem(httpapi.CodeRateLimited, msg)
	p.RetryAfter = max(d.RetryAfter, time.Second)
	return p
}

// Handle admits req and answers it under the sync/async contract. A
// refusal is returned as an error (a *httpapi.Problem) for the route to
// render; a finished job is answered, failed or not.
func (s *Service) Handle(w http.ResponseWriter, r *http.Request, req Request) error {
	c, _ := auth.FromContext(r.Context())
	waiting, err := s.waitFor(r)
	if err != nil {
		return err
	}
	wait := waiting.wait
	if req.CorrelationID == "" {
		req.CorrelationID = r.Header.Get("X-Correlation-ID")
	}
	// Watch the new job's id before it exists: its end cannot be missed,
	// and waiting needs no first read.
	var changed <-chan struct{}
	var slot *queue.Slot
	switch {
	case wait > 0 && s.inline && s.runner != nil:
		// Under Lambda no worker may be running: the request runs its own
		// job, even when others wait before it.
		req.ClaimAs, req.ClaimAhead = queue.NewJobID("inline"), true
	case wait > 0 && !s.inline:
		req.JobID = queue.NewJobID(req.Queue)
		var stop func()
		changed, stop = s.notifier.Watch(req.JobID)
		defer stop()
		if l := s.queues[req.Queue].Slots; l != nil {
			if slot = l.TrySlot(); slot != nil {
				req.ClaimAs = slot.Token()
			}
		}
	}
	a, err := s.Admit(r.Context(), w.Header(), c, req, r.Header.Get("Cache-Control"), r.Header.Get("Idempotency-Key"))
	own := err == nil && a.Job.LeasedTo(req.ClaimAs)
	if slot != nil && !own {
		slot.Release()
	}
	if err != nil {
		return err
	}
	if a.CacheHit {
		w.Header().Set("X-Cache", "HIT")
		s.Respond(w, r, a.Job)
		return nil
	}
	w.Header().Set("X-Cache", "MISS")
	if a.Duplicate {
		w.Header().Set("X-Deduplicated", "true")
	}
	job := a.Job
	if own {
		s.metrics.DirectRun(req.Queue)
	}
	switch {
	case own && slot != nil:
		job, err = s.awaitWatched(r.Context(), req.Queue, job, wait, slot.Run(job), changed)
	case own:
		job, err = s.runInline(r.Context(), req.Queue, job, wait)
	case wait > 0 && changed != nil && job.ID == req.JobID:
		job, err = s.awaitWatched(r.Context(), req.Queue, job, wait, nil, changed)
	case wait > 0:
		job, err = s.await(r.Context(), req.Queue, job, wait)
	}
	if err != nil {
		return err
	}
	if v := waiting.applied(job); v != "" {
		w.Header().Set("Preference-Applied", v)
	}
	s.Respond(w, r, job)
	return nil
}

// Respond writes a job under the contract: 200 when it succeeded, its
// problem when it failed or was canceled, 202 with Location while it runs.
func (s *Service) Respond(w http.ResponseWriter, r *http.Request, job *queue.Job) {
	switch job.Status {
	case queue.StatusSucceeded:
		httpapi.JSON(w, http.StatusOK, job)
	case queue.StatusFailed, queue.StatusCanceled:
		p := jobProblem(job)
		p.Job = job
		httpapi.WriteProblem(w, r, p)
	default:
		w.Header().Set("Location", "/api/v2/queue/"+job.ID)
		w.Header().Set("Retry-After", "1")
		httpapi.JSON(w, http.StatusAccepted, job)
	}
}

func jobProblem(job *queue.Job) *httpapi.Problem {
	var p httpapi.Problem
	if len(job.Error) > 0 && json.Unmarshal(job.Error, &p) == nil && p.Code != "" {
		p.Status = httpapi.StatusOf(p.Code)
		p.Title = http.StatusText(p.Status)
		return &p
	}
	if job.Status == queue.StatusCanceled {
		return httpapi.NewProblem(httpapi.CodeJobCanceled, "The job was canceled.")
	}
	return httpapi.NewProblem(httpapi.CodeInternal, "The job failed.")
}

// Await waits up to wait for the job to finish (the long poll of GET
// /api/v2/queue/{id}).
func (s *Service) Await(ctx context.Context, job *queue.Job, wait time.Duration) (*queue.Job, error) {
	return s.await(ctx, job.Queue(), job, wait)
}

// waitContext bounds a wait by its duration and by Drain.
func (s *Service) waitContext(ctx context.Context, wait time.Duration) (context.Context, context.CancelFunc) {
	wctx, cancel := context.WithTimeout(ctx, wait)
	stop := context.AfterFunc(s.draining, cancel)
	return wctx, func() { stop(); cancel() }
}

func (s *Service) queueOf(queueName string, job *queue.Job) *queue.Queue {
	if q := s.queues[queueName].Queue; q != nil {
		return q
	}
	return s.queues[queue.QueueOf(job.ID)].Queue
}

func (s *Service) await(ctx context.Context, queueName string, job *queue.Job, wait time.Duration) (*queue.Job, error) {
	if job.Status.Final() || wait <= 0 {
		return job, nil
	}
	wctx, cancel := s.waitContext(ctx, wait)
	defer cancel()
	j, err := s.notifier.Wait(wctx, s.queueOf(queueName, job), job.ID)
	if err != nil {
		return nil, unavailable(err)
	}
	return j, nil
}

// runInline runs the caller's own job within the request (Lambda), then
// waits for it if it did not end (a retry or a hand-back).
func (s *Service) runInline(ctx context.Context, queueName string, job *queue.Job, wait time.Duration) (*queue.Job, error) {
	wctx, cancel := s.waitContext(ctx, wait)
	defer cancel()
	q := s.queueOf(queueName, job)
	j, err := s.runner.Execute(wctx, q, job)
	if err != nil && !errors.Is(err, queue.ErrLeaseLost) {
		return nil, unavailable(err)
	}
	if err == nil && j.Status.Final() {
		return j, nil
	}
	if j, err = s.notifier.Wait(wctx, q, job.ID); err != nil {
		return nil, unavailable(err)
	}
	return j, nil
}

// awaitWatched waits for a job whose watch was registered before the job
// was created. done, when not nil, is the caller's own run of the job on a
// lent worker slot: its outcome is the answer, unless the job did not end
// there (a retry or a hand-back) or the wait ends first; then the job is
// waited for like any other.
func (s *Service) awaitWatched(ctx context.Context, queueName string, job *queue.Job, wait time.Duration, done <-chan queue.Ran, changed <-chan struct{}) (*queue.Job, error) {
	wctx, cancel := s.waitContext(ctx, wait)
	defer cancel()
	if done != nil {
		select {
		case r := <-done:
			if r.Err == nil && r.Job.Status.Final() {
				return r.Job, nil
			}
		case <-wctx.Done():
		}
	}
	j, err := s.notifier.WaitWatched(wctx, s.queueOf(queueName, job), job.ID, changed)
	if err != nil {
		return nil, unavailable(err)
	}
	return j, nil
}

// WaitParam parses ?wait= into a wait duration: def when it is absent, a
// 400 naming wait unless it is a number of seconds from 0 to MaxWait. The
// wait is then cut to the service's maximum and, under Lambda, to the
// invocation's remaining time.
func (s *Service) WaitParam(r *http.Request, def time.Duration) (time.Duration, error) {
	wait, given, err := queryWait(r)
	if err != nil {
		return 0, err
	}
	if !given {
		wait = def
	}
	return s.bound(r, wait), nil
}

// queryWait reads ?wait=, and reports whether it was given.
func queryWait(r *http.Request) (time.Duration, bool, error) {
	v := r.URL.Query().Get("wait")
	if v == "" {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > MaxWait.Seconds() {
		return 0, false, httpapi.Invalid(map[string]string{
			"wait": fmt.Sprintf("must be a number of seconds from 0 to %d", int(MaxWait.Seconds())),
		})
	}
	return time.Duration(f * float64(time.Second)), true, nil
}

// bound cuts a wait to the service's maximum and to the request's deadline
// (a Lambda invocation), leaving time to answer.
func (s *Service) bound(r *http.Request, wait time.Duration) time.Duration {
	wait = min(wait, s.maxWait)
	if dl, ok := r.Context().Deadline(); ok {
		wait = min(wait, time.Until(dl)-lambdaWaitMargin)
	}
	return max(wait, 0)
}

// waiting is how long a generation request waits, and which of its
// preferences (RFC 7240) decided that.
type waiting struct {
	wait time.Duration
	// async: respond-async asked for an answer at once.
	async bool
	// preferred: the wait preference set the wait (no ?wait= was given).
	preferred bool
}

// waitFor decides a generation request's wait: respond-async answers at
// once, whatever ?wait= says (though a malformed ?wait= is still refused);
// else ?wait=, else the wait preference (RFC 7240 §4.3, cut to MaxWait),
// else DefaultWait. Other preferences and every parameter are ignored.
func (s *Service) waitFor(r *http.Request) (waiting, error) {
	wait, given, err := queryWait(r)
	if err != nil {
		return waiting{}, err
	}
	prefs := httpapi.Prefer(r.Header)
	if _, ok := prefs.Get("respond-async"); ok {
		return waiting{async: true}, nil
	}
	w := waiting{wait: DefaultWait}
	if given {
		w.wait = wait
	} else if p, ok := prefs.Get("wait"); ok {
		if secs, ok := deltaSeconds(p.Value); ok {
			w.wait, w.preferred = secs, true
		}
	}
	w.wait = s.bound(r, w.wait)
	return w, nil
}

// deltaSeconds reads a wait preference's value: 1*DIGIT seconds, cut to
// MaxWait.
func deltaSeconds(v string) (time.Duration, bool) {
	if v == "" || strings.TrimLeft(v, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > uint64(MaxWait/time.Second) {
		return MaxWait, true // only a value out of range fails here
	}
	return time.Duration(n) * time.Second, true
}

// applied is the Preference-Applied header of an answer with job: the
// preferences the answer honoured.
func (w waiting) applied(job *queue.Job) string {
	switch {
	case w.async && !job.Status.Final():
		return "respond-async"
	case w.preferred:
		return "wait=" + strconv.FormatInt(int64(w.wait/time.Second), 10)
	}
	return ""
}

func cacheDirectives(v string) (noCache, noStore bool) {
	for _, d := range strings.Split(v, ",") {
		switch strings.ToLower(strings.TrimSpace(d)) {
		case "no-cache":
			noCache = true
		case "no-store":
			noStore = true
		}
	}
	return noCache, noStore
}

// NoStore reports whether the request asked that its result not be cached.
func NoStore(cacheControl string) bool {
	_, noStore := cacheDirectives(cacheControl)
	return noStore
}

type noStoreKey struct{}

// WithNoStore returns ctx for a Builder whose job's result must not be
// cached (the request that starts it said Cache-Control: no-store).
func WithNoStore(ctx context.Context, noStore bool) context.Context {
	return context.WithValue(ctx, noStoreKey{}, noStore)
}

// NoStoreIn reports whether a Builder is asked not to cache its job's
// result (WithNoStore).
func NoStoreIn(ctx context.Context) bool {
	v, _ := ctx.Value(noStoreKey{}).(bool)
	return v
}

func hash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:40]
}

func ceilSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}

func unavailable(err error) error {
	p := httpapi.NewProblem(httpapi.CodeServiceUnavailable, "The job store is unavailable; try again shortly.")
	p.RetryAfter = 2 * time.Second
	p.Err = err
	return p
}

// Unavailable wraps a store error as a 503 problem.
func Unavailable(err error) error { return unavailable(err) }

// Builder turns a message payload into a validated submission. Invalid
// payloads return a *httpapi.Problem naming the fields.
type Builder func(ctx context.Context, payload json.RawMessage) (Request, error)
