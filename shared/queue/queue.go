package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/tracing"
)

// Errors callers branch on.
var (
	ErrJobNotFound = errors.New("job not found")
	ErrQueueFull   = errors.New("queue full")
	ErrWrongState  = errors.New("job is not in a state that allows this")
	ErrLeaseLost   = errors.New("job lease lost")
	// Of listing and retrying jobs (Inspector).
	ErrRetried      = errors.New("job was already retried")
	ErrBadCursor    = errors.New("invalid cursor")
	ErrUnknownQueue = errors.New("unknown queue")
)

// Config configures one queue. Zero values take the documented defaults.
type Config struct {
	Name         string        // queue name, e.g. "text" or "image"; required
	Prefix       string        // key prefix; default "llm:"
	MaxDepth     int           // queued jobs before new ones are refused; default 10000
	QueueTimeout time.Duration // a job queued longer fails with QUEUE_TIMEOUT; default 15m
	JobTTL       time.Duration // succeeded jobs are kept this long; default 24h
	FailedJobTTL time.Duration // failed and canceled jobs are kept this long; default 168h
	Lease        time.Duration // a running job's lease, renewed by its worker; default 30s
	MaxAttempts  int           // attempts before a job fails for good; default 3
	MaxInFlight  int           // running jobs across all processes; 0 = no cap
	Outbox       bool          // write an outbox event when a job finishes
	OutboxMax    int64         // approximate cap of the outbox stream; default 100000
	Source       string        // source_service of outbox events; default "llm-service"
	// FailureCode is the problem code of a job whose handler failed for an
	// unclassified reason; default INTERNAL_ERROR.
	FailureCode string
	// Housekeeping is how often claims promote due retries, recover expired
	// leases and fail jobs queued past QueueTimeout: once per interval for
	// the queue, whichever process claims; default 200ms.
	Housekeeping time.Duration
}

func (c *Config) defaults() {
	if c.FailureCode == "" {
		c.FailureCode = httpapi.CodeInternal
	}
	if c.Prefix == "" {
		c.Prefix = "llm:"
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = 10000
	}
	if c.QueueTimeout <= 0 {
		c.QueueTimeout = 15 * time.Minute
	}
	if c.JobTTL <= 0 {
		c.JobTTL = 24 * time.Hour
	}
	if c.FailedJobTTL <= 0 {
		c.FailedJobTTL = DefaultFailedJobTTL
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 3
	}
	if c.OutboxMax <= 0 {
		c.OutboxMax = 100000
	}
	if c.Source == "" {
		c.Source = "llm-service"
	}
	if c.Housekeeping <= 0 {
		c.Housekeeping = 200 * time.Millisecond
	}
}

// DefaultFailedJobTTL is how long failed and canceled jobs are kept by
// default: long enough to find and retry them after a weekend.
const DefaultFailedJobTTL = 7 * 24 * time.Hour

// Queue is one named priority queue in Redis.
type Queue struct {
	rdb  redis.UniversalClient
	cfg  Config
	base string // "{prefix+name}:"; every key shares this hash tag

	kPending, kRunning, kEnq, kScheduled, kWake, kPaused, kSeq, kOutbox, kHousekeeping string

	// claimKeys are the KEYS of the scripts that claim and complete jobs.
	claimKeys []string
	// cfgArgv and claimArgv are the scripts' arguments that come from the
	// configuration (see argv and claimArgs), converted once.
	cfgArgv, claimArgv []any

	// nextHousekeeping is when this process's next claim asks for
	// housekeeping (Unix ns).
	nextHousekeeping atomic.Int64
}

// New returns the queue cfg.Name on rdb.
func New(rdb redis.UniversalClient, cfg Config) *Queue {
	cfg.defaults()
	base := "{" + cfg.Prefix + cfg.Name + "}:"
	q := &Queue{
		rdb: rdb, cfg: cfg, base: base,
		kPending:   base + "pending",
		kRunning:   base + "running",
		kEnq:       base + "enqueued",
		kScheduled: base + "scheduled",
		kWake:      base + "wake",
		kPaused:    base + "paused",
		kSeq:       base + "seq",
		kOutbox:    base + "outbox",
		// set while a housekeeping interval runs
		kHousekeeping: base + "housekeeping",
	}
	q.claimKeys = []string{q.kPending, q.kRunning, q.kEnq, q.kScheduled, q.kWake, q.kPaused, q.kHousekeeping}
	outbox := ""
	if cfg.Outbox {
		outbox = q.kOutbox
	}
	q.cfgArgv = []any{base, cfg.JobTTL.Milliseconds(), cfg.FailedJobTTL.Milliseconds(), Channel(cfg.Prefix), outbox, cfg.OutboxMax, cfg.Source}
	q.claimArgv = []any{cfg.Lease.Milliseconds(), cfg.MaxInFlight, cfg.QueueTimeout.Milliseconds(), cfg.MaxAttempts, q.liveTTL()}
	return q
}

// Name returns the queue's name.
func (q *Queue) Name() string { return q.cfg.Name }

// Config returns the queue's effective configuration.
func (q *Queue) Config() Config { return q.cfg }

// OutboxStream is the Redis stream that receives this queue's job events.
func (q *Queue) OutboxStream() string { return q.kOutbox }

// Channel is the pub/sub channel on which job changes are announced.
func Channel(prefix string) string {
	if prefix == "" {
		prefix = "llm:"
	}
	return prefix + "jobs"
}

// argv returns the scripts' first arguments, the queue's configuration,
// with room for n more.
func (q *Queue) argv(n int) []any {
	return append(make([]any, 0, len(q.cfgArgv)+n), q.cfgArgv...)
}

// args returns the scripts' arguments: the queue's configuration, then
// extra.
func (q *Queue) args(extra ...any) []any {
	return append(q.argv(len(extra)), extra...)
}

// idBytes is the random part of a job id: 24 hex digits.
const idBytes = 12

// NewJobID returns a new id for a job of queue name. The name prefix lets a
// bare id find its queue.
func NewJobID(name string) string {
	var b [idBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return name + "_" + hex.EncodeToString(b[:])
}

// IDPattern is the regular expression that the ids NewJobID makes for the
// queues names match, and nothing else: e.g. ^(image|text)_[0-9a-f]{24}$.
func IDPattern(names ...string) string {
	quoted := make([]string, len(names))
	for i, n := range slices.Sorted(slices.Values(names)) {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return fmt.Sprintf("^(%s)_[0-9a-f]{%d}$", strings.Join(quoted, "|"), 2*idBytes)
}

// QueueOf returns the queue name encoded in a job id.
func QueueOf(id string) string {
	name, _, ok := strings.Cut(id, "_")
	if !ok {
		return ""
	}
	return name
}

// EnqueueRequest describes a new job.
type EnqueueRequest struct {
	ID            string // optional; NewJobID(queue) when empty
	Kind          string
	Owner         string
	Priority      Priority
	Payload       []byte
	DedupKey      string // identical live requests share one job; "" = no dedup
	RequestID     string
	CorrelationID string
	Destination   string
	// TraceParent is the W3C traceparent the job's run continues; default
	// the span in the context of Enqueue (or PutSucceeded), if any.
	TraceParent string
	// ClaimAs, when set, leases the new job to this token in the same step
	// when it can run at once: the queue is not paused, the in-flight cap
	// allows, and no job waits before it (or ClaimAhead is set). The caller
	// must then run it (Runner.Execute); Enqueue reports it as running.
	ClaimAs    string
	ClaimAhead bool
}

// moreFields are the job hash's optional fields from r; the scripts take
// the others as arguments of their own.
func (r *EnqueueRequest) moreFields() []any {
	var f []any
	if r.RequestID != "" {
		f = append(f, "rid", r.RequestID)
	}
	if r.CorrelationID != "" {
		f = append(f, "cid", r.CorrelationID)
	}
	if r.Destination != "" {
		f = append(f, "dest", r.Destination)
	}
	if r.TraceParent != "" {
		f = append(f, "tp", r.TraceParent)
	}
	return f
}

// Enqueue adds a job. When DedupKey names a live job of the same queue, that
// job is returned with dup = true and nothing is added. A full queue returns
// ErrQueueFull.
func (q *Queue) Enqueue(ctx context.Context, r EnqueueRequest) (job *Job, dup bool, err error) {
	if r.ID == "" {
		r.ID = NewJobID(q.cfg.Name)
	}
	if r.TraceParent == "" {
		r.TraceParent = tracing.Traceparent(ctx)
	}
	if r.Priority == "" {
		r.Priority = PriorityNormal
	}
	keys := []string{q.kPending, q.kEnq, q.kSeq, q.kWake, q.kRunning, q.kPaused}
	var dedupTTL int64
	var dedupKey string
	if r.DedupKey != "" {
		dedupTTL = (q.cfg.QueueTimeout + time.Duration(q.cfg.MaxAttempts)*q.cfg.Lease*2).Milliseconds()
		dedupKey = q.base + "dedup:" + r.DedupKey
	}
	ahead := "0"
	if r.ClaimAhead {
		ahead = "1"
	}
	args := []any{q.base, r.ID, r.Priority.band(), q.cfg.MaxDepth, dedupTTL, q.liveTTL(), r.Owner, r.Kind, string(r.Priority), r.Payload,
		r.ClaimAs, q.cfg.Lease.Milliseconds(), q.cfg.MaxInFlight, ahead}
	args = append(args, r.moreFields()...)
	if dedupKey != "" {
		keys = append(keys, dedupKey)
		args = append(args, "dedup", dedupKey)
	}
	res, err := enqueueScript.Run(ctx, q.rdb, keys, args...).Slice()
	if err != nil {
		return nil, false, fmt.Errorf("enqueue %s: %w", r.ID, err)
	}
	switch res[0] {
	case "full":
		return nil, false, ErrQueueFull
	case "dup":
		id := res[1].(string)
		j, err := q.Get(ctx, id)
		if err != nil {
			return nil, false, fmt.Errorf("enqueue: read duplicate %s: %w", id, err)
		}
		return j, true, nil
	}
	pos, _ := res[1].(int64)
	now, _ := res[2].(int64)
	created := &Time{time.UnixMilli(now).UTC()}
	j := &Job{
		ID: r.ID, Kind: r.Kind, Status: StatusQueued, Priority: r.Priority, Owner: r.Owner,
		Position: int(pos) + 1, CreatedAt: created,
		Payload: r.Payload, RequestID: r.RequestID, CorrelationID: r.CorrelationID,
		Destination: r.Destination, TraceParent: r.TraceParent, queue: q.cfg.Name, dedup: dedupKey,
	}
	if res[0] == "claimed" {
		j.Status, j.Position, j.Attempts, j.StartedAt, j.lease = StatusRunning, 0, 1, created, r.ClaimAs
	}
	return j, false, nil
}

// PutSucceeded records a job that is already done, such as a cache hit, so
// the caller gets a job id it can GET like any other.
func (q *Queue) PutSucceeded(ctx context.Context, r EnqueueRequest, result []byte) (*Job, error) {
	if r.ID == "" {
		r.ID = NewJobID(q.cfg.Name)
	}
	if r.TraceParent == "" {
		r.TraceParent = tracing.Traceparent(ctx)
	}
	if r.Priority == "" {
		r.Priority = PriorityNormal
	}
	args := q.args(r.ID, string(StatusSucceeded), result, r.Owner, r.Kind, string(r.Priority))
	args = append(args, r.moreFields()...)
	now, err := finishedScript.Run(ctx, q.rdb, []string{q.kPending}, args...).Int64()
	if err != nil {
		return nil, fmt.Errorf("store finished job %s: %w", r.ID, err)
	}
	t := &Time{time.UnixMilli(now).UTC()}
	return &Job{
		ID: r.ID, Kind: r.Kind, Status: StatusSucceeded, Priority: r.Priority, Owner: r.Owner,
		CreatedAt: t, StartedAt: t, FinishedAt: t, Result: result, queue: q.cfg.Name,
	}, nil
}

// Claim is what a claim attempt found.
type Claim struct {
	Job       *Job          // the claimed job, or nil
	Paused    time.Duration // > 0 when the queue is paused by provider back-pressure
	Busy      bool          // the in-flight cap is reached
	Recovered int           // jobs whose expired leases were taken back
}

// Claim takes the next job (or the job id, when not "") and leases it to
// token. Once per Config.Housekeeping it also promotes due retries,
// recovers expired leases and fails jobs that waited past the queue
// timeout.
func (q *Queue) Claim(ctx context.Context, token, id string) (Claim, error) {
	res, err := claimScript.Run(ctx, q.rdb, q.claimKeys, q.claimArgs(q.argv(8), token, id)...).Slice()
	if err != nil {
		return Claim{}, fmt.Errorf("claim from %s: %w", q.cfg.Name, err)
	}
	return q.claimResult(token, res)
}

// claimArgs appends the claim script's arguments to args.
func (q *Queue) claimArgs(args []any, token, id string) []any {
	args = append(args, token, id, q.housekeeping())
	return append(args, q.claimArgv...)
}

// liveTTL is the safety-net expiry of a job that is not final, in ms.
func (q *Queue) liveTTL() int64 {
	return (q.cfg.QueueTimeout + q.cfg.JobTTL).Milliseconds()
}

// claimResult reads the claim script's answer.
func (q *Queue) claimResult(token string, res []any) (Claim, error) {
	var c Claim
	if len(res) >= 3 {
		rec, _ := res[2].(int64)
		c.Recovered = int(rec)
	}
	switch res[0] {
	case "paused":
		ms, _ := res[1].(int64)
		c.Paused = time.Duration(ms) * time.Millisecond
		return c, nil
	case "busy":
		c.Busy = true
		return c, nil
	case "none":
		return c, nil
	}
	// {'ok', now, recovered, id, attempts, created_at, kind, priority, owner,
	// payload, rid, cid, dest, dedup, tp}
	if len(res) != 15 {
		return c, fmt.Errorf("claim from %s: unexpected answer of %d values", q.cfg.Name, len(res))
	}
	str := func(i int) string {
		s, _ := res[i].(string)
		return s
	}
	now, _ := res[1].(int64)
	attempts, _ := res[4].(int64)
	c.Job = &Job{
		ID: str(3), Kind: str(6), Status: StatusRunning, Priority: Priority(str(7)), Owner: str(8),
		Attempts: int(attempts), CreatedAt: msTime(str(5)), StartedAt: &Time{time.UnixMilli(now).UTC()},
		RequestID: str(10), CorrelationID: str(11), Destination: str(12), TraceParent: str(14),
		queue: q.cfg.Name, lease: token, dedup: str(13),
	}
	if p := str(9); p != "" {
		c.Job.Payload = json.RawMessage(p)
	}
	return c, nil
}

// housekeeping is the claim script's housekeeping argument: -1 while this
// process's interval runs, else the interval in ms for the script's guard
// across processes (0, no guard, when under a millisecond).
func (q *Queue) housekeeping() int64 {
	now := time.Now().UnixNano()
	next := q.nextHousekeeping.Load()
	if now < next || !q.nextHousekeeping.CompareAndSwap(next, now+int64(q.cfg.Housekeeping)) {
		return -1
	}
	return q.cfg.Housekeeping.Milliseconds()
}

// Outcome is how a worker finished a job.
type Outcome struct {
	Status    Status          // succeeded, failed or canceled; ignored when Retry or Handback
	Result    json.RawMessage // for succeeded
	Error     json.RawMessage // problem JSON for failed (and a retry's last error)
	ErrorCode string
	Retry     bool          // transient failure: try again after RetryIn (uses an attempt)
	RetryIn   time.Duration //
	Handback  bool          // give the job back without using an attempt (shutdown, back-pressure)
	Pause     time.Duration // with Handback: pause the queue's workers this long
	// Again, when > 0, puts the job back to run again after this long
	// without using an attempt, with Result kept as its progress (a job
	// that runs in steps: see Result.Again). Status is ignored.
	Again      time.Duration
	EventExtra map[string]any
	// TraceParent is the traceparent the completion event carries (the
	// span that ran the job); default the job's.
	TraceParent string
}

// Complete records the outcome of a job leased to this worker. It returns
// ErrLeaseLost when the lease was taken over (the job was recovered by
// another worker, whose outcome will count instead), and the status the job
// ended in otherwise ("queued" for a retry or hand-back).
func (q *Queue) Complete(ctx context.Context, job *Job, o Outcome) (Status, error) {
	st, _, err := q.complete(ctx, job, o)
	return st, err
}

// complete is Complete that also returns when, by Redis's clock, the
// outcome was recorded.
func (q *Queue) complete(ctx context.Context, job *Job, o Outcome) (Status, time.Time, error) {
	args, err := q.completeArgs(q.argv(16), job, o)
	if err != nil {
		return "", time.Time{}, err
	}
	res, err := completeScript.Run(ctx, q.rdb, q.claimKeys, args...).Slice()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("complete %s: %w", job.ID, err)
	}
	return completeResult(job, res)
}

// completeClaim is Complete followed by Claim(ctx, token, "") in the same
// round trip, unless the lease was lost: a Pool worker's one round trip
// per job.
func (q *Queue) completeClaim(ctx context.Context, job *Job, o Outcome, token string) (Status, time.Time, Claim, error) {
	args, err := q.completeArgs(q.claimArgs(q.argv(8+16), token, ""), job, o)
	if err != nil {
		return "", time.Time{}, Claim{}, err
	}
	res, err := completeClaimScript.Run(ctx, q.rdb, q.claimKeys, args...).Slice()
	if err != nil {
		return "", time.Time{}, Claim{}, fmt.Errorf("complete %s: %w", job.ID, err)
	}
	st, at, err := completeResult(job, res)
	if err != nil {
		return "", time.Time{}, Claim{}, err
	}
	c, err := q.claimResult(token, res[2:])
	return st, at, c, err
}

// completeArgs appends the complete script's arguments to args.
func (q *Queue) completeArgs(args []any, job *Job, o Outcome) ([]any, error) {
	outcome, delay := string(o.Status), o.RetryIn
	switch {
	case o.Handback:
		outcome = "handback"
	case o.Retry:
		outcome = "retry"
	case o.Again > 0:
		outcome, delay = "again", o.Again
	}
	extra := ""
	if len(o.EventExtra) > 0 {
		b, err := json.Marshal(o.EventExtra)
		if err != nil {
			return nil, fmt.Errorf("complete %s: event data: %w", job.ID, err)
		}
		extra = string(b)
	}
	args = append(args, job.ID, job.lease, outcome, []byte(o.Result), []byte(o.Error), o.ErrorCode,
		delay.Milliseconds(), q.cfg.MaxAttempts, o.Pause.Milliseconds(), extra, job.Owner, job.dedup)
	if q.cfg.Outbox {
		tp := o.TraceParent
		if tp == "" {
			tp = job.TraceParent
		}
		args = append(args, job.Kind, job.RequestID, job.CorrelationID, job.Destination, tp)
	}
	return args, nil
}

// completeResult reads the complete script's answer: the status the job
// was left in and when.
func completeResult(job *Job, res []any) (Status, time.Time, error) {
	if res[0] == "stale" {
		return "", time.Time{}, fmt.Errorf("complete %s: %w", job.ID, ErrLeaseLost)
	}
	ms, _ := res[1].(int64)
	at := time.UnixMilli(ms).UTC()
	switch res[0] {
	case "retry", "handback", "again":
		return StatusQueued, at, nil
	}
	return Status(res[0].(string)), at, nil
}

// Renew extends the lease of a running job. It reports whether a cancel was
// requested; ErrLeaseLost means another worker owns the job now.
func (q *Queue) Renew(ctx context.Context, job *Job) (cancel bool, err error) {
	res, err := renewScript.Run(ctx, q.rdb, []string{q.kRunning},
		q.args(job.ID, job.lease, q.cfg.Lease.Milliseconds())...).Text()
	if err != nil {
		return false, fmt.Errorf("renew %s: %w", job.ID, err)
	}
	switch res {
	case "lost":
		return false, fmt.Errorf("renew %s: %w", job.ID, ErrLeaseLost)
	case "cancel":
		return true, nil
	}
	return false, nil
}

// CancelResult says what Cancel did.
type CancelResult int

const (
	Canceled  CancelResult = iota + 1 // the queued job is canceled
	Signalled                         // the running job's worker was told to stop
)

// Cancel cancels a queued job at once, or signals the worker of a running
// one. A finished job returns ErrWrongState.
func (q *Queue) Cancel(ctx context.Context, id string) (CancelResult, error) {
	res, err := cancelScript.Run(ctx, q.rdb, []string{q.kPending, q.kEnq, q.kScheduled}, q.args(id)...).Slice()
	if err != nil {
		return 0, fmt.Errorf("cancel %s: %w", id, err)
	}
	switch res[0] {
	case "missing":
		return 0, ErrJobNotFound
	case "canceled":
		return Canceled, nil
	case "signalled":
		return Signalled, nil
	}
	return 0, fmt.Errorf("cancel %s: %w", id, ErrWrongState)
}

// Prioritize moves a queued job to priority p and returns it with its new
// position.
func (q *Queue) Prioritize(ctx context.Context, id string, p Priority) (*Job, error) {
	res, err := prioritizeScript.Run(ctx, q.rdb, []string{q.kPending}, q.args(id, p.band(), string(p))...).Slice()
	if err != nil {
		return nil, fmt.Errorf("prioritize %s: %w", id, err)
	}
	switch res[0] {
	case "missing":
		return nil, ErrJobNotFound
	case "final":
		return nil, fmt.Errorf("prioritize %s: %w", id, ErrWrongState)
	}
	return q.Get(ctx, id)
}

// Get returns the job with its queue position, in one round trip.
func (q *Queue) Get(ctx context.Context, id string) (*Job, error) {
	pipe := q.rdb.Pipeline()
	all := pipe.HGetAll(ctx, q.base+"job:"+id)
	rank := pipe.ZRank(ctx, q.kPending, id)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("get job %s: %w", id, err)
	}
	h := all.Val()
	if len(h) == 0 || h["id"] == "" {
		return nil, ErrJobNotFound
	}
	j, err := jobFromHash(q.cfg.Name, h)
	if err != nil {
		return nil, fmt.Errorf("get job %s: %w", id, err)
	}
	if r, err := rank.Result(); err == nil && j.Status == StatusQueued {
		j.Position = int(r) + 1
	}
	return j, nil
}

// Active returns owner's queued and running jobs, with positions.
func (q *Queue) Active(ctx context.Context, owner string) ([]*Job, error) {
	ids, err := q.rdb.SMembers(ctx, q.base+"owner:"+owner).Result()
	if err != nil {
		return nil, fmt.Errorf("active jobs: %w", err)
	}
	jobs := make([]*Job, 0, len(ids))
	for _, id := range ids {
		j, err := q.Get(ctx, id)
		if errors.Is(err, ErrJobNotFound) {
			q.rdb.SRem(ctx, q.base+"owner:"+owner, id)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !j.Status.Final() {
			jobs = append(jobs, j)
		}
	}
	return jobs, nil
}

// Stats are a queue's counts.
type Stats struct {
	Queued           int64   `json:"queued"`
	Running          int64   `json:"running"`
	Succeeded1h      int64   `json:"succeeded_1h"`
	Failed1h         int64   `json:"failed_1h"`
	Canceled1h       int64   `json:"canceled_1h"`
	OldestQueuedAgeS float64 `json:"oldest_queued_age_s"`
	PausedForS       float64 `json:"paused_for_s,omitempty"`
}

// Stats reads the queue's counts in one round trip.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	pipe := q.rdb.Pipeline()
	pending := pipe.ZCard(ctx, q.kPending)
	scheduled := pipe.ZCard(ctx, q.kScheduled)
	running := pipe.ZCard(ctx, q.kRunning)
	oldest := pipe.ZRangeWithScores(ctx, q.kEnq, 0, 0)
	paused := pipe.PTTL(ctx, q.kPaused)
	now := pipe.Time(ctx)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Stats{}, fmt.Errorf("queue %s stats: %w", q.cfg.Name, err)
	}
	st := Stats{Queued: pending.Val() + scheduled.Val(), Running: running.Val()}
	t := now.Val()
	if o := oldest.Val(); len(o) == 1 && st.Queued > 0 {
		age := float64(t.UnixMilli()-int64(o[0].Score)) / 1000
		st.OldestQueuedAgeS = max(age, 0)
	}
	if p := paused.Val(); p > 0 {
		st.PausedForS = p.Seconds()
	}
	// Finished counts live in per-minute hashes; sum the last 60.
	minute := t.UnixMilli() / 60000
	pipe = q.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, 60)
	for i := range cmds {
		cmds[i] = pipe.HMGet(ctx, q.base+"stats:"+strconv.FormatInt(minute-int64(i), 10), "succeeded", "failed", "canceled")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Stats{}, fmt.Errorf("queue %s stats: %w", q.cfg.Name, err)
	}
	for _, c := range cmds {
		v := c.Val()
		st.Succeeded1h += toInt(v[0])
		st.Failed1h += toInt(v[1])
		st.Canceled1h += toInt(v[2])
	}
	return st, nil
}

func toInt(v any) int64 {
	s, _ := v.(string)
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// waitWake blocks on rdb until a wake-up is posted for the queue's idle
// workers (and takes it), or timeout passes. It reports whether it took one.
func (q *Queue) waitWake(ctx context.Context, rdb redis.UniversalClient, timeout time.Duration) (bool, error) {
	err := rdb.BZPopMin(ctx, timeout, q.kWake).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("wait for work on %s: %w", q.cfg.Name, err)
	}
	return true, nil
}

// postWake wakes an idle worker of the queue, in any process.
func (q *Queue) postWake(ctx context.Context) error {
	if err := q.rdb.ZAdd(ctx, q.kWake, redis.Z{Score: 0, Member: "w"}).Err(); err != nil {
		return fmt.Errorf("wake a worker on %s: %w", q.cfg.Name, err)
	}
	return nil
}
