package queue_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// scheduled counts the jobs jobIn left waiting for a retry.
var scheduled atomic.Int64

// jobIn makes a job of kind and owner on q and leaves it in status:
// queued, scheduled (queued, waiting for a retry's backoff), running,
// succeeded, failed or canceled. It returns the job's id.
func jobIn(tb testing.TB, q *queue.Queue, status, kind, owner string) string {
	tb.Helper()
	ctx := context.Background()
	j := enqueue(tb, q, queue.EnqueueRequest{Kind: kind, Owner: owner, Payload: []byte(`{"n":1}`)})
	switch status {
	case "queued":
		return j.ID
	case "canceled":
		if _, err := q.Cancel(ctx, j.ID); err != nil {
			tb.Fatalf("Cancel(%s) = %v", j.ID, err)
		}
		return j.ID
	}
	c, err := q.Claim(ctx, "w", j.ID)
	if err != nil || c.Job == nil {
		tb.Fatalf("Claim(%s) = %+v, %v", j.ID, c, err)
	}
	switch status {
	case "scheduled":
		// each later made waits longer: they are due in the order made
		backoff := time.Hour + time.Duration(scheduled.Add(1))*time.Second
		complete(tb, q, c.Job, queue.Outcome{Retry: true, RetryIn: backoff, Error: json.RawMessage(`{"code":"X"}`)})
	case "succeeded":
		complete(tb, q, c.Job, queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`)})
	case "failed":
		complete(tb, q, c.Job, queue.Outcome{Status: queue.StatusFailed, Error: json.RawMessage(`{"code":"X"}`), ErrorCode: "X"})
	}
	return j.ID
}

// pageAll follows the cursors of lq from its first page to its last and
// returns the ids listed, in order, and the pages read. Every page must
// hold at most the limit, and only the last may lack a next cursor.
func pageAll(tb testing.TB, in *queue.Inspector, lq queue.ListQuery) (ids []string, pages []queue.JobPage) {
	tb.Helper()
	for range 1000 {
		p, err := in.List(context.Background(), lq)
		if err != nil {
			tb.Fatalf("List(%+v) = %v", lq, err)
		}
		if lq.Limit > 0 && len(p.Jobs) > lq.Limit {
			tb.Fatalf("List(%+v) = %d jobs, more than the limit", lq, len(p.Jobs))
		}
		for _, j := range p.Jobs {
			if want := cmp.Or(lq.Status, queue.StatusFailed); j.Status != want {
				tb.Errorf("List(%+v) listed %s, %s, want %s", lq, j.ID, j.Status, want)
			}
			ids = append(ids, j.ID)
		}
		pages = append(pages, p)
		if p.NextCursor == "" {
			return ids, pages
		}
		lq.Cursor = p.NextCursor
	}
	tb.Fatalf("List(%+v) did not end within 1000 pages", lq)
	return nil, nil
}

// listFixture is jobs of every status on two queues, by several owners
// and kinds.
type listFixture struct {
	text, image *queue.Queue
	in          *queue.Inspector
	ids         map[string][]string // by status, as made
}

func newListFixture(t *testing.T, rdb redis.UniversalClient, prefix string) *listFixture {
	t.Helper()
	f := &listFixture{
		text:  newQueue(rdb, prefix, queue.Config{}),
		image: newQueue(rdb, prefix, queue.Config{Name: "image"}),
		ids:   map[string][]string{},
	}
	f.in = queue.NewInspector(f.text, f.image)
	counts := []struct {
		status      string
		text, image int
	}{
		{"failed", 9, 6}, {"succeeded", 5, 4}, {"canceled", 3, 2}, {"running", 3, 2}, {"queued", 5, 3}, {"scheduled", 2, 1},
	}
	owners := []string{"alice", "bob", "carol"}
	n := 0
	for _, c := range counts {
		for i := range max(c.text, c.image) {
			n++
			if i < c.text {
				kind := []string{"text.echo", "text.other"}[n%2]
				f.ids[c.status] = append(f.ids[c.status], jobIn(t, f.text, c.status, kind, owners[n%3]))
			}
			if i < c.image {
				f.ids[c.status] = append(f.ids[c.status], jobIn(t, f.image, c.status, "image.echo", owners[(n+1)%3]))
			}
		}
	}
	return f
}

// want returns the ids of status that match keep, in the order List gives
// them.
func (f *listFixture) want(t *testing.T, status queue.Status, keep func(*queue.Job) bool) []string {
	t.Helper()
	var jobs []*queue.Job
	ids := f.ids[string(status)]
	if status == queue.StatusQueued {
		ids = append(slices.Clone(ids), f.ids["scheduled"]...)
	}
	for _, id := range ids {
		j, err := f.in.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("Get(%s) = %v", id, err)
		}
		if keep(j) {
			jobs = append(jobs, j)
		}
	}
	slices.SortFunc(jobs, func(a, b *queue.Job) int {
		switch status {
		case queue.StatusQueued:
			// queue by queue in name order; each in queue order, then the
			// scheduled retries (position 0) in the order jobIn made them
			if c := strings.Compare(a.Queue(), b.Queue()); c != 0 {
				return c
			}
			if (a.Position == 0) != (b.Position == 0) {
				return cmp.Compare(b.Position, a.Position)
			}
			return cmp.Or(cmp.Compare(a.Position, b.Position), a.CreatedAt.Compare(b.CreatedAt.Time))
		case queue.StatusRunning:
			return cmp.Or(b.StartedAt.Compare(a.StartedAt.Time), strings.Compare(b.ID, a.ID))
		}
		return cmp.Or(b.FinishedAt.Compare(a.FinishedAt.Time), strings.Compare(b.ID, a.ID))
	})
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}

func TestListPagesThroughEachStatus(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		f := newListFixture(t, rdb, prefix)
		all := func(*queue.Job) bool { return true }
		for _, status := range queue.ListStatuses {
			want := f.want(t, status, all)
			for _, limit := range []int{1, 2, 7, 0} {
				t.Run(fmt.Sprintf("%s/limit %d", status, limit), func(t *testing.T) {
					got, pages := pageAll(t, f.in, queue.ListQuery{Status: status, Limit: limit})
					if diff := gocmp.Diff(want, got); diff != "" {
						t.Errorf("List(%s, limit %d) ids (-want +got):\n%s", status, limit, diff)
					}
					for i, p := range pages {
						if len(p.Jobs) == 0 {
							t.Errorf("List(%s, limit %d) page %d of %d is empty", status, limit, i+1, len(pages))
						}
					}
				})
			}
		}
		t.Run("default status is failed", func(t *testing.T) {
			got, _ := pageAll(t, f.in, queue.ListQuery{Limit: 4})
			if diff := gocmp.Diff(f.want(t, queue.StatusFailed, all), got); diff != "" {
				t.Errorf("List(no status) ids (-want +got):\n%s", diff)
			}
		})
		t.Run("queued jobs have positions", func(t *testing.T) {
			p, err := f.in.List(context.Background(), queue.ListQuery{Status: queue.StatusQueued, Queue: "text", Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			for i, j := range p.Jobs {
				if j.Position != i+1 {
					t.Errorf("queued job %d of text: position %d, want %d", i, j.Position, i+1)
				}
			}
		})
	})
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		f := newListFixture(t, rdb, prefix)
		tests := []struct {
			name   string
			lq     queue.ListQuery
			keep   func(*queue.Job) bool
			budget int // entries a page examines per queue; 0 = the default
		}{
			{"kind", queue.ListQuery{Kind: "text.other"}, func(j *queue.Job) bool { return j.Kind == "text.other" }, 0},
			{"owner", queue.ListQuery{Owner: "bob"}, func(j *queue.Job) bool { return j.Owner == "bob" }, 0},
			{"kind and owner", queue.ListQuery{Kind: "text.echo", Owner: "carol"},
				func(j *queue.Job) bool { return j.Kind == "text.echo" && j.Owner == "carol" }, 0},
			{"queue", queue.ListQuery{Queue: "image"}, func(j *queue.Job) bool { return j.Queue() == "image" }, 0},
			{"no match", queue.ListQuery{Owner: "nobody"}, func(*queue.Job) bool { return false }, 0},
			{"owner, bounded scan", queue.ListQuery{Owner: "alice", Limit: 2}, func(j *queue.Job) bool { return j.Owner == "alice" }, 2},
			{"kind, bounded scan, one at a time", queue.ListQuery{Kind: "image.echo", Limit: 1}, func(j *queue.Job) bool { return j.Kind == "image.echo" }, 1},
		}
		for _, tc := range tests {
			for _, status := range queue.ListStatuses {
				t.Run(tc.name+"/"+string(status), func(t *testing.T) {
					in := f.in
					if tc.budget > 0 {
						in = queue.NewInspector(f.text, f.image)
						in.SetBudget(tc.budget)
					}
					lq := tc.lq
					lq.Status = status
					got, _ := pageAll(t, in, lq)
					if diff := gocmp.Diff(f.want(t, status, tc.keep), got, cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("List(%+v) ids (-want +got):\n%s", lq, diff)
					}
				})
			}
		}
	})
}

// With a bound on the entries a page examines, a page of a filter that
// matches few jobs may be short, or empty, and still lead on.
func TestListBoundedScanPages(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	q := newQueue(rdb, prefix, queue.Config{})
	var needles []*queue.Job
	for i := range 12 {
		owner := "hay"
		if i%5 == 0 {
			owner = "needle"
		}
		id := jobIn(t, q, "failed", "text.echo", owner)
		if owner == "needle" {
			needles = append(needles, get(t, q, id))
		}
	}
	// newest first; of those that finished in the same millisecond, the
	// greater id first
	slices.SortFunc(needles, func(a, b *queue.Job) int {
		return cmp.Or(b.FinishedAt.Compare(a.FinishedAt.Time), strings.Compare(b.ID, a.ID))
	})
	var want []string
	for _, j := range needles {
		want = append(want, j.ID)
	}
	in := queue.NewInspector(q)
	in.SetBudget(3)
	got, pages := pageAll(t, in, queue.ListQuery{Owner: "needle", Limit: 10})
	if len(pages) < 4 {
		t.Errorf("List(owner needle, budget 3) took %d pages, want at least 4 (12 jobs, 3 examined a page)", len(pages))
	}
	if !slices.ContainsFunc(pages, func(p queue.JobPage) bool { return len(p.Jobs) == 0 && p.NextCursor != "" }) {
		t.Errorf("List(owner needle, budget 3) pages %v: want an empty page that leads on", pages)
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("List(owner needle) ids (-want +got):\n%s", diff)
	}
}

func TestListRefuses(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	text, image := newQueue(rdb, prefix, queue.Config{}), newQueue(rdb, prefix, queue.Config{Name: "image"})
	in := queue.NewInspector(text, image)
	for range 3 {
		jobIn(t, text, "failed", "text.echo", "a")
		jobIn(t, text, "queued", "text.echo", "a")
		jobIn(t, image, "queued", "image.echo", "a")
	}
	ctx := context.Background()
	failedPage, err := in.List(ctx, queue.ListQuery{Limit: 1})
	if err != nil || failedPage.NextCursor == "" {
		t.Fatalf("List(failed, limit 1) = %+v, %v, want a next page", failedPage, err)
	}
	queuedPage, err := in.List(ctx, queue.ListQuery{Status: queue.StatusQueued, Limit: 1})
	if err != nil || queuedPage.NextCursor == "" {
		t.Fatalf("List(queued, limit 1) = %+v, %v, want a next page", queuedPage, err)
	}
	tests := []struct {
		name string
		lq   queue.ListQuery
		want error
	}{
		{"unknown queue", queue.ListQuery{Queue: "audio"}, queue.ErrUnknownQueue},
		{"not base64", queue.ListQuery{Cursor: "%%%"}, queue.ErrBadCursor},
		{"made up", queue.ListQuery{Cursor: "ZmFpbGVk"}, queue.ErrBadCursor},
		{"another status's cursor", queue.ListQuery{Status: queue.StatusSucceeded, Cursor: failedPage.NextCursor}, queue.ErrBadCursor},
		{"queued cursor for failed", queue.ListQuery{Cursor: queuedPage.NextCursor}, queue.ErrBadCursor},
		{"another queue's cursor", queue.ListQuery{Status: queue.StatusQueued, Queue: "text", Cursor: queuedPage.NextCursor}, queue.ErrBadCursor},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := in.List(ctx, tc.lq); !errors.Is(err, tc.want) {
				t.Errorf("List(%+v) = %v, want %v", tc.lq, err, tc.want)
			}
		})
	}
	valid := []struct {
		lq   queue.ListQuery
		want []string // the problems' keys
	}{
		{queue.ListQuery{}, nil},
		{queue.ListQuery{Status: queue.StatusRunning, Limit: queue.MaxListLimit}, nil},
		{queue.ListQuery{Status: "done"}, []string{"status"}},
		{queue.ListQuery{Limit: queue.MaxListLimit + 1}, []string{"limit"}},
		{queue.ListQuery{Limit: -1, Kind: strings.Repeat("k", 101), Owner: strings.Repeat("o", 201), Cursor: strings.Repeat("c", 401)},
			[]string{"cursor", "kind", "limit", "owner"}},
	}
	for _, tc := range valid {
		var keys []string
		for k := range tc.lq.Valid(ctx) {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, tc.want) {
			t.Errorf("%+v.Valid() problems %v, want %v", tc.lq, keys, tc.want)
		}
	}
}

// Failed and canceled jobs are kept for FailedJobTTL; succeeded ones, cache
// hits included, for JobTTL.
func TestFailedJobTTL(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		const jobTTL, failedTTL = time.Hour, 5 * time.Hour
		q := newQueue(rdb, prefix, queue.Config{JobTTL: jobTTL, FailedJobTTL: failedTTL})
		stored, err := q.PutSucceeded(ctx, queue.EnqueueRequest{Kind: "text.echo", Owner: "a"}, []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		canceledRunning := jobIn(t, q, "running", "text.echo", "a")
		if res, err := q.Cancel(ctx, canceledRunning); err != nil || res != queue.Signalled {
			t.Fatalf("Cancel(running) = %v, %v", res, err)
		}
		complete(t, q, get(t, q, canceledRunning), queue.Outcome{Status: queue.StatusSucceeded, Result: json.RawMessage(`{}`)})
		tests := []struct {
			name, id string
			want     time.Duration
		}{
			{"succeeded", jobIn(t, q, "succeeded", "text.echo", "a"), jobTTL},
			{"cache hit", stored.ID, jobTTL},
			{"failed", jobIn(t, q, "failed", "text.echo", "a"), failedTTL},
			{"canceled while queued", jobIn(t, q, "canceled", "text.echo", "a"), failedTTL},
			{"canceled while running", canceledRunning, failedTTL},
		}
		for _, tc := range tests {
			pttl, err := rdb.PTTL(ctx, "{"+prefix+"text}:job:"+tc.id).Result()
			if err != nil {
				t.Fatal(err)
			}
			if pttl <= tc.want-time.Minute || pttl > tc.want {
				t.Errorf("%s: PTTL = %v, want about %v", tc.name, pttl, tc.want)
			}
		}
	})
}

// The index entries of finished jobs go when their jobs expire:
// housekeeping drops them, and a listing that meets one first drops it too.
func TestFinishedIndexExpires(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		index := func(status string) int64 {
			n, err := rdb.ZCard(ctx, "{"+prefix+"text}:finished:"+status).Result()
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		q := newQueue(rdb, prefix, queue.Config{JobTTL: 200 * time.Millisecond, FailedJobTTL: time.Hour, Housekeeping: time.Millisecond})
		in := queue.NewInspector(q)
		succeeded := jobIn(t, q, "succeeded", "text.echo", "a")
		failed := jobIn(t, q, "failed", "text.echo", "a")
		if index("succeeded") != 1 || index("failed") != 1 {
			t.Fatalf("index sizes = %d succeeded, %d failed, want 1 and 1", index("succeeded"), index("failed"))
		}
		waitFor(t, waitTimeout, "the succeeded job to expire", func() bool {
			_, err := q.Get(ctx, succeeded)
			return isNotFound(err)
		})

		t.Run("listing", func(t *testing.T) {
			p, err := in.List(ctx, queue.ListQuery{Status: queue.StatusSucceeded})
			if err != nil || len(p.Jobs) != 0 || p.NextCursor != "" {
				t.Errorf("List(succeeded) after expiry = %+v, %v, want an empty last page", p, err)
			}
			if n := index("succeeded"); n != 0 {
				t.Errorf("succeeded index after a listing met the expired job = %d entries, want 0", n)
			}
		})

		t.Run("housekeeping", func(t *testing.T) {
			again := jobIn(t, q, "succeeded", "text.echo", "a")
			waitFor(t, waitTimeout, "the second succeeded job to expire", func() bool {
				_, err := q.Get(ctx, again)
				return isNotFound(err)
			})
			waitFor(t, waitTimeout, "housekeeping to drop the entry", func() bool {
				claim(t, q, "w") // housekeeping runs in claims
				return index("succeeded") == 0
			})
			if n := index("failed"); n != 1 || get(t, q, failed).Status != queue.StatusFailed {
				t.Errorf("failed index = %d entries, want the failed job kept", n)
			}
		})
	})
}

// A failed job retried is a new job with the same request, linked both
// ways, that runs and succeeds; its event is a new event of the same
// correlation.
func TestRetryRunsTheRequestAgain(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := newQueue(rdb, prefix, queue.Config{Outbox: true})
		var calls sync.Map // payload -> runs
		r := newRunner(func(ctx context.Context, j *queue.Job) (queue.Result, error) {
			n, _ := calls.LoadOrStore(string(j.Payload), new(int))
			*n.(*int)++
			if *n.(*int) == 1 {
				return queue.Result{}, queue.Permanent(errors.New("the provider was down"))
			}
			return echo(ctx, j)
		}, nil)
		old := enqueue(t, q, queue.EnqueueRequest{Kind: "text.echo", Owner: "alice", Priority: queue.PriorityHigh,
			Payload: []byte(`{"prompt":"a tavern"}`), RequestID: "req-1", Destination: "campaign-service"})
		if _, st := runNext(t, q, r); st != queue.StatusFailed {
			t.Fatalf("first run = %s, want failed", st)
		}

		retry, err := q.Retry(ctx, old.ID, queue.RetryRequest{RequestID: "req-retry"})
		if err != nil {
			t.Fatalf("Retry(%s) = %v", old.ID, err)
		}
		want := &queue.Job{ID: retry.ID, Kind: "text.echo", Status: queue.StatusQueued, Priority: queue.PriorityHigh, Owner: "alice",
			Position: 1, Payload: json.RawMessage(`{"prompt":"a tavern"}`), RequestID: "req-retry", CorrelationID: old.ID,
			Destination: "campaign-service", RetryOf: old.ID}
		if diff := gocmp.Diff(want, retry, jobFields); diff != "" {
			t.Errorf("Retry(%s) (-want +got):\n%s", old.ID, diff)
		}
		if retry.ID == old.ID || queue.QueueOf(retry.ID) != "text" {
			t.Errorf("Retry(%s) id = %s, want a new id of the text queue", old.ID, retry.ID)
		}
		if got := get(t, q, old.ID); got.RetriedAs != retry.ID || got.Status != queue.StatusFailed {
			t.Errorf("the old job after Retry = %s retried_as %q, want failed, retried as %s", got.Status, got.RetriedAs, retry.ID)
		}

		j, st := runNext(t, q, r)
		if j.ID != retry.ID || st != queue.StatusSucceeded {
			t.Fatalf("second run = %s %s, want %s succeeded", j.ID, st, retry.ID)
		}
		done := get(t, q, retry.ID)
		if string(done.Result) != `{"prompt":"a tavern"}` || done.RetryOf != old.ID {
			t.Errorf("the retry = result %s retry_of %q, want the echoed payload and retry_of %s", done.Result, done.RetryOf, old.ID)
		}
		events := map[string]string{} // event id -> correlation id
		for _, ev := range outboxEvents(t, rdb, q) {
			events[ev.Metadata.EventID] = ev.CorrelationID
		}
		if diff := gocmp.Diff(map[string]string{old.ID + ":failed": old.ID, retry.ID + ":succeeded": old.ID}, events); diff != "" {
			t.Errorf("outbox events: event id -> correlation id (-want +got):\n%s", diff)
		}
	})
}

// jobFields compares the Jobs' exported fields but their times.
var jobFields = gocmp.Options{
	cmpopts.IgnoreUnexported(queue.Job{}),
	cmpopts.IgnoreFields(queue.Job{}, "CreatedAt", "StartedAt", "FinishedAt"),
}

func TestRetryRefuses(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := newQueue(rdb, prefix, queue.Config{})
		in := queue.NewInspector(q, newQueue(rdb, prefix, queue.Config{Name: "image"}))
		retried := jobIn(t, q, "failed", "text.echo", "a")
		retry, err := in.Retry(ctx, retried, queue.RetryRequest{})
		if err != nil {
			t.Fatalf("Retry(%s) = %v", retried, err)
		}
		tests := []struct {
			name, id string
			want     error
		}{
			{"already retried", retried, queue.ErrRetried},
			{"the retry, queued", retry.ID, queue.ErrWrongState},
			{"queued", jobIn(t, q, "queued", "text.echo", "a"), queue.ErrWrongState},
			{"waiting for a retry", jobIn(t, q, "scheduled", "text.echo", "a"), queue.ErrWrongState},
			{"running", jobIn(t, q, "running", "text.echo", "a"), queue.ErrWrongState},
			{"succeeded", jobIn(t, q, "succeeded", "text.echo", "a"), queue.ErrWrongState},
			{"missing", queue.NewJobID("text"), queue.ErrJobNotFound},
			{"unknown queue", queue.NewJobID("audio"), queue.ErrJobNotFound},
			{"malformed", "text_1", queue.ErrJobNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before, _ := in.Get(ctx, tc.id)
				if _, err := in.Retry(ctx, tc.id, queue.RetryRequest{}); !errors.Is(err, tc.want) {
					t.Errorf("Retry(%s) = %v, want %v", tc.name, err, tc.want)
				}
				after, _ := in.Get(ctx, tc.id)
				if before != nil && after.RetriedAs != before.RetriedAs {
					t.Errorf("Retry(%s) refused, yet retried_as went from %q to %q", tc.name, before.RetriedAs, after.RetriedAs)
				}
			})
		}
		if p := stats(t, q); p.Queued != 3 {
			t.Errorf("queued jobs = %d, want 3 (the retry, queued, waiting for a retry)", p.Queued)
		}
	})
}

func TestRetryCanceledAndFull(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		q := newQueue(rdb, prefix, queue.Config{MaxDepth: 1})
		canceled := enqueue(t, q, queue.EnqueueRequest{RequestID: "req-1", CorrelationID: "corr-1"})
		if _, err := q.Cancel(ctx, canceled.ID); err != nil {
			t.Fatal(err)
		}
		retry, err := q.Retry(ctx, canceled.ID, queue.RetryRequest{})
		if err != nil {
			t.Fatalf("Retry(canceled) = %v", err)
		}
		if retry.RetryOf != canceled.ID || retry.RequestID != "req-1" || retry.CorrelationID != "corr-1" {
			t.Errorf("Retry(canceled) = retry_of %q request %q correlation %q, want %s, the old job's request and correlation",
				retry.RetryOf, retry.RequestID, retry.CorrelationID, canceled.ID)
		}
		// The queue holds one job: the retry. Another waits in vain.
		failed := jobIn(t, newQueue(rdb, prefix, queue.Config{}), "failed", "text.echo", "a")
		if _, err := q.Retry(ctx, failed, queue.RetryRequest{}); !errors.Is(err, queue.ErrQueueFull) {
			t.Errorf("Retry on a full queue = %v, want %v", err, queue.ErrQueueFull)
		}
		if j := get(t, q, failed); j.RetriedAs != "" {
			t.Errorf("a retry the full queue refused left retried_as %q", j.RetriedAs)
		}
	})
}

// Of many concurrent retries of one job, one makes the new job.
func TestRetryOnce(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		id := jobIn(t, q, "failed", "text.echo", "a")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { _, errs[i] = q.Retry(context.Background(), id, queue.RetryRequest{}) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, queue.ErrRetried):
				t.Errorf("Retry = %v, want nil or %v", err, queue.ErrRetried)
			}
		}
		if ok != 1 || stats(t, q).Queued != 1 {
			t.Errorf("%d concurrent retries made %d jobs (%d queued), want 1", len(errs), ok, stats(t, q).Queued)
		}
	})
}
