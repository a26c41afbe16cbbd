package queue

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/tracing"
)

// Finding jobs and running them again: each finished job is indexed by its
// status and finish time in the script that finishes it
// ({prefix+queue}:finished:<status>, kept as long as the jobs), so the
// jobs of a status can be paged through, and a failed or canceled job can
// be retried as a new job.

// Page sizes of Inspector.List.
const (
	DefaultListLimit = 50
	MaxListLimit     = 200
)

// ListBudget is how many index entries one page examines at most in each
// queue. With the kind or owner filter a page may therefore hold fewer
// jobs than its limit, or none, and still have a next page.
const ListBudget = 1000

// ListStatuses are the statuses List takes, the default first.
var ListStatuses = []Status{StatusFailed, StatusCanceled, StatusSucceeded, StatusQueued, StatusRunning}

// ListQuery selects one page of jobs.
type ListQuery struct {
	Status Status // default failed
	Queue  string // one queue; "" = every queue
	Kind   string // one job kind; "" = any
	Owner  string // one owner; "" = any
	Limit  int    // page size: DefaultListLimit when 0, at most MaxListLimit
	Cursor string // the NextCursor of the previous page
}

// Longest kind, owner and cursor a ListQuery takes.
const (
	maxKindLen   = 100
	maxOwnerLen  = 200
	maxCursorLen = 400
)

// Valid reports the problems with q, keyed by query parameter.
func (q ListQuery) Valid(context.Context) map[string]string {
	problems := map[string]string{}
	if q.Status != "" && !slices.Contains(ListStatuses, q.Status) {
		problems["status"] = "must be one of " + joinStatuses(ListStatuses)
	}
	if q.Limit < 0 || q.Limit > MaxListLimit {
		problems["limit"] = fmt.Sprintf("must be a whole number from 1 to %d", MaxListLimit)
	}
	if len(q.Kind) > maxKindLen {
		problems["kind"] = fmt.Sprintf("must be at most %d bytes", maxKindLen)
	}
	if len(q.Owner) > maxOwnerLen {
		problems["owner"] = fmt.Sprintf("must be at most %d bytes", maxOwnerLen)
	}
	if len(q.Cursor) > maxCursorLen {
		problems["cursor"] = "is not a cursor a page gave"
	}
	return problems
}

func joinStatuses(s []Status) string {
	parts := make([]string, len(s))
	for i, st := range s {
		parts[i] = string(st)
	}
	return strings.Join(parts, ", ")
}

// JobPage is one page of jobs.
type JobPage struct {
	Jobs []*Job `json:"jobs"`
	// NextCursor fetches the next page; empty on the last one.
	NextCursor string `json:"next_cursor,omitempty"`
}

// RetryRequest says who asks for a retry.
type RetryRequest struct {
	RequestID   string // the request that asked for it; default the old job's
	TraceParent string // the trace the new job joins; default the span in ctx, if any
}

// Retry queues a new job with the request of the failed or canceled job id
// (its kind, payload, owner, priority, correlation id, or id when it had
// none, and destination) and links the two: the new job's RetryOf is id,
// and id's RetriedAs the new job's id. The new job has an id of its own,
// so its events are new events. A job is retried once: a second Retry
// returns ErrRetried (retry the new job instead). A job that is not failed
// or canceled returns ErrWrongState, a missing one ErrJobNotFound, and a
// full queue ErrQueueFull.
func (q *Queue) Retry(ctx context.Context, id string, r RetryRequest) (*Job, error) {
	if r.TraceParent == "" {
		r.TraceParent = tracing.Traceparent(ctx)
	}
	newID := NewJobID(q.cfg.Name)
	keys := []string{q.kPending, q.kEnq, q.kSeq, q.kWake, q.kRunning, q.kPaused}
	res, err := retryScript.Run(ctx, q.rdb, keys, q.base, id, newID, q.cfg.MaxDepth, q.liveTTL(), r.RequestID, r.TraceParent).Slice()
	if err != nil {
		return nil, fmt.Errorf("retry %s: %w", id, err)
	}
	switch res[0] {
	case "missing":
		return nil, ErrJobNotFound
	case "full":
		return nil, ErrQueueFull
	case "retried":
		return nil, fmt.Errorf("retry %s: %w as %v (retry that job instead)", id, ErrRetried, res[1])
	case "final":
		return nil, fmt.Errorf("retry %s: it is %v, and only failed and canceled jobs are retried: %w", id, res[1], ErrWrongState)
	}
	j, err := q.Get(ctx, newID)
	if err != nil {
		return nil, fmt.Errorf("retry %s: read the new job %s: %w", id, newID, err)
	}
	return j, nil
}

// position is a place in a listing: an entry of one of the status's sets.
type position struct {
	seg   string // p: pending, s: scheduled, f: finished index or running; "": the start
	score int64
	id    string
}

// compare orders positions by score, then id.
func (p position) compare(o position) int {
	if c := cmp.Compare(p.score, o.score); c != 0 {
		return c
	}
	return strings.Compare(p.id, o.id)
}

// listed is a job found by a listing, and where.
type listed struct {
	job *Job
	at  position
}

// listing is what one queue's page of a status holds.
type listing struct {
	jobs  []listed
	last  position // the last entry examined; zero when none was
	ended bool     // the status's sets ended within the page
}

// list reads a page of the jobs of status after position after (see
// listScript).
func (q *Queue) list(ctx context.Context, status Status, after position, kind, owner string, limit, budget int) (listing, error) {
	var key string
	switch status {
	case StatusQueued:
		key = q.kPending
	case StatusRunning:
		key = q.kRunning
	default:
		key = q.base + "finished:" + string(status)
	}
	res, err := listScript.Run(ctx, q.rdb, []string{key, q.kScheduled},
		q.base, string(status), after.seg, after.score, after.id, kind, owner, limit, budget).Slice()
	if err != nil {
		return listing{}, fmt.Errorf("list %s jobs of %s: %w", status, q.cfg.Name, err)
	}
	if len(res) < 4 {
		return listing{}, fmt.Errorf("list %s jobs of %s: unexpected answer of %d values", status, q.cfg.Name, len(res))
	}
	var l listing
	ended, _ := res[0].(int64)
	l.ended = ended == 1
	if l.last, err = scriptPosition(res[1], res[2], res[3]); err != nil {
		return listing{}, fmt.Errorf("list %s jobs of %s: %w", status, q.cfg.Name, err)
	}
	for _, v := range res[4:] {
		e, _ := v.([]any)
		if len(e) != 4 {
			return listing{}, fmt.Errorf("list %s jobs of %s: unexpected entry %v", status, q.cfg.Name, v)
		}
		at, err := scriptPosition(e[0], e[1], "")
		if err != nil {
			return listing{}, fmt.Errorf("list %s jobs of %s: %w", status, q.cfg.Name, err)
		}
		rec, _ := e[3].([]any)
		j, err := jobFromHash(q.cfg.Name, pairsToMap(rec))
		if err != nil {
			return listing{}, fmt.Errorf("list %s jobs of %s: %w", status, q.cfg.Name, err)
		}
		at.id = j.ID
		pos, _ := e[2].(int64)
		j.Position = int(pos)
		l.jobs = append(l.jobs, listed{job: j, at: at})
	}
	return l, nil
}

// scriptPosition reads a position the list script gave.
func scriptPosition(seg, score, id any) (position, error) {
	p := position{}
	p.seg, _ = seg.(string)
	p.id, _ = id.(string)
	s, _ := score.(string)
	if s == "" {
		return p, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return p, fmt.Errorf("score %q: %w", s, err)
	}
	p.score = int64(f)
	return p, nil
}

// Inspector lists and retries the jobs of a set of queues: what operators
// use, over HTTP and from a shell.
type Inspector struct {
	queues []*Queue // by name
	ids    *regexp.Regexp
	budget int // entries a page examines at most per queue: ListBudget
}

// NewInspector returns an inspector of queues.
func NewInspector(queues ...*Queue) *Inspector {
	in := &Inspector{
		queues: slices.SortedFunc(slices.Values(queues), func(a, b *Queue) int { return strings.Compare(a.Name(), b.Name()) }),
		budget: ListBudget,
	}
	in.ids = regexp.MustCompile(IDPattern(in.Queues()...))
	return in
}

// Queues returns the queues' names, sorted.
func (in *Inspector) Queues() []string {
	names := make([]string, len(in.queues))
	for i, q := range in.queues {
		names[i] = q.Name()
	}
	return names
}

// queue returns the queue named name, or nil.
func (in *Inspector) queue(name string) *Queue {
	for _, q := range in.queues {
		if q.Name() == name {
			return q
		}
	}
	return nil
}

// queueOf returns the queue of the job id; ErrJobNotFound for an id none
// of the queues can have made.
func (in *Inspector) queueOf(id string) (*Queue, error) {
	q := in.queue(QueueOf(id))
	if q == nil || !in.ids.MatchString(id) {
		return nil, ErrJobNotFound
	}
	return q, nil
}

// Get returns the job id, whichever queue it is in.
func (in *Inspector) Get(ctx context.Context, id string) (*Job, error) {
	q, err := in.queueOf(id)
	if err != nil {
		return nil, err
	}
	return q.Get(ctx, id)
}

// Retry retries the job id, whichever queue it is in (see Queue.Retry).
func (in *Inspector) Retry(ctx context.Context, id string, r RetryRequest) (*Job, error) {
	q, err := in.queueOf(id)
	if err != nil {
		return nil, err
	}
	return q.Retry(ctx, id, r)
}

// List returns one page of the jobs of a status. Failed, canceled and
// succeeded jobs come newest first (by when they finished), running jobs
// by when they started, newest first, all queues merged; queued jobs in
// queue order (position 1 first, then the retries waiting for their
// backoff), one queue after the other in name order. A job that changes
// status between pages is listed under the status it had when its page
// was read.
func (in *Inspector) List(ctx context.Context, lq ListQuery) (JobPage, error) {
	if lq.Status == "" {
		lq.Status = StatusFailed
	}
	if lq.Limit <= 0 {
		lq.Limit = DefaultListLimit
	}
	lq.Limit = min(lq.Limit, MaxListLimit)
	qs := in.queues
	if lq.Queue != "" {
		q := in.queue(lq.Queue)
		if q == nil {
			return JobPage{}, fmt.Errorf("%w %q; one of %s", ErrUnknownQueue, lq.Queue, strings.Join(in.Queues(), ", "))
		}
		qs = []*Queue{q}
	}
	c, err := in.parseCursor(lq)
	if err != nil {
		return JobPage{}, err
	}
	if lq.Status == StatusQueued {
		start := 0
		if c.queue != "" {
			start = slices.IndexFunc(qs, func(q *Queue) bool { return q.Name() == c.queue })
		}
		return in.listQueued(ctx, qs[start:], lq, c.at)
	}
	return in.listMerged(ctx, qs, lq, c.at)
}

// listMerged pages through a status listed newest first across queues:
// each queue reads a page after the cursor, and the page holds the newest
// of their jobs up to the least advanced place where a queue stopped (past
// it that queue was not read).
func (in *Inspector) listMerged(ctx context.Context, qs []*Queue, lq ListQuery, after position) (JobPage, error) {
	var all []listed
	var frontier *position
	for _, q := range qs {
		l, err := q.list(ctx, lq.Status, after, lq.Kind, lq.Owner, lq.Limit, in.budget)
		if err != nil {
			return JobPage{}, err
		}
		all = append(all, l.jobs...)
		if !l.ended && (frontier == nil || l.last.compare(*frontier) > 0) {
			frontier = &l.last
		}
	}
	slices.SortFunc(all, func(a, b listed) int { return b.at.compare(a.at) })
	if frontier != nil {
		all = slices.DeleteFunc(all, func(x listed) bool { return x.at.compare(*frontier) < 0 })
	}
	next := frontier
	if len(all) > lq.Limit {
		all = all[:lq.Limit]
		next = &all[lq.Limit-1].at
	}
	page := JobPage{Jobs: make([]*Job, len(all))}
	for i, x := range all {
		page.Jobs[i] = x.job
	}
	if next != nil {
		page.NextCursor = encodeCursor(lq.Status, "", *next)
	}
	return page, nil
}

// listQueued pages through queued jobs, queue by queue: qs from the
// cursor's queue on.
func (in *Inspector) listQueued(ctx context.Context, qs []*Queue, lq ListQuery, after position) (JobPage, error) {
	page := JobPage{Jobs: []*Job{}}
	for i, q := range qs {
		if i > 0 {
			after = position{}
		}
		// (with the page full, a read of no jobs says whether more queues
		// have any)
		l, err := q.list(ctx, StatusQueued, after, lq.Kind, lq.Owner, lq.Limit-len(page.Jobs), in.budget)
		if err != nil {
			return JobPage{}, err
		}
		for _, x := range l.jobs {
			page.Jobs = append(page.Jobs, x.job)
		}
		if !l.ended {
			page.NextCursor = encodeCursor(StatusQueued, q.Name(), l.last)
			break
		}
	}
	return page, nil
}

// cursor is a decoded ListQuery.Cursor: the status it pages, the queue
// (queued only) and the place.
type cursor struct {
	status Status
	queue  string
	at     position
}

func encodeCursor(status Status, queue string, at position) string {
	s := strings.Join([]string{string(status), queue, at.seg, strconv.FormatInt(at.score, 10), at.id}, " ")
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// parseCursor decodes and checks lq.Cursor; "" is the start.
func (in *Inspector) parseCursor(lq ListQuery) (cursor, error) {
	if lq.Cursor == "" {
		return cursor{status: lq.Status}, nil
	}
	bad := fmt.Errorf("%w %q", ErrBadCursor, truncate(lq.Cursor, 80))
	b, err := base64.RawURLEncoding.DecodeString(lq.Cursor)
	if err != nil {
		return cursor{}, bad
	}
	f := strings.Split(string(b), " ")
	if len(f) != 5 || Status(f[0]) != lq.Status {
		return cursor{}, bad
	}
	c := cursor{status: lq.Status, queue: f[1], at: position{seg: f[2], id: f[4]}}
	if c.at.score, err = strconv.ParseInt(f[3], 10, 64); err != nil {
		return cursor{}, bad
	}
	if c.at.seg == "" {
		if c.at.score != 0 || c.at.id != "" {
			return cursor{}, bad
		}
	} else if !in.ids.MatchString(c.at.id) {
		return cursor{}, bad
	}
	if lq.Status == StatusQueued {
		// a place in one queue's pending or scheduled set, or its start
		if in.queue(c.queue) == nil || (lq.Queue != "" && c.queue != lq.Queue) || !slices.Contains([]string{"", "p", "s"}, c.at.seg) {
			return cursor{}, bad
		}
		return c, nil
	}
	if c.queue != "" || c.at.seg != "f" {
		return cursor{}, bad
	}
	return c, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
