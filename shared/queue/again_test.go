package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// stepper is a handler that runs in steps: each run but the last asks to
// run again with its progress, the last succeeds.
type stepper struct {
	runs  atomic.Int32
	steps int32
	// fail, when set, fails the last run, keeping the progress.
	fail error
	// undone counts Undo calls.
	undone atomic.Int32
}

func (s *stepper) handle(_ context.Context, _ *queue.Job) (queue.Result, error) {
	n := s.runs.Add(1)
	progress, _ := json.Marshal(map[string]int32{"done": n})
	undo := func(context.Context) { s.undone.Add(1) }
	switch {
	case n < s.steps:
		return queue.Result{Value: progress, Again: 50 * time.Millisecond, Undo: undo}, nil
	case s.fail != nil:
		return queue.Result{Value: progress}, s.fail
	}
	return queue.Result{Value: progress, Undo: undo}, nil
}

// runAgain claims job id, waiting for it to be due, and runs it.
func runAgain(tb testing.TB, q *queue.Queue, r *queue.Runner, id string) *queue.Job {
	tb.Helper()
	var c queue.Claim
	waitFor(tb, waitTimeout, "job "+id+" to be due again", func() bool {
		c = claim(tb, q, "runner")
		return c.Job != nil
	})
	if c.Job.ID != id {
		tb.Fatalf("claimed %s, want %s", c.Job.ID, id)
	}
	j, err := r.Execute(context.Background(), q, c.Job)
	if err != nil {
		tb.Fatalf("Execute(%s) = %v", id, err)
	}
	return j
}

func TestRunnerAgain(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{Housekeeping: time.Millisecond})
		s := &stepper{steps: 3}
		r := newRunner(s.handle, nil)
		id := enqueue(t, q, queue.EnqueueRequest{}).ID

		for run := 1; run <= 2; run++ {
			j := runAgain(t, q, r, id)
			if j.Status != queue.StatusQueued || j.Attempts != 0 {
				t.Fatalf("run %d: Execute = %s after %d attempts, want queued after 0", run, j.Status, j.Attempts)
			}
			got := get(t, q, id)
			if want := `{"done":` + string(rune('0'+run)) + `}`; got.Status != queue.StatusQueued || string(got.Result) != want || got.Attempts != 0 {
				t.Errorf("run %d: Get = %s, result %s, attempts %d; want queued, %s, 0", run, got.Status, got.Result, got.Attempts, want)
			}
		}
		j := runAgain(t, q, r, id)
		if j.Status != queue.StatusSucceeded || string(j.Result) != `{"done":3}` || j.Attempts != 1 {
			t.Errorf("last run = %s %s after %d attempts, want succeeded {\"done\":3} after 1", j.Status, j.Result, j.Attempts)
		}
		if n := s.undone.Load(); n != 0 {
			t.Errorf("Undo called %d times, want 0: every run ended as reported", n)
		}
	})
}

func TestRunnerAgainNotBeforeItsTime(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	q := newQueue(rdb, prefix, queue.Config{Housekeeping: time.Millisecond})
	r := newRunner(func(context.Context, *queue.Job) (queue.Result, error) {
		return queue.Result{Value: []byte(`{}`), Again: time.Hour}, nil
	}, nil)
	id := enqueue(t, q, queue.EnqueueRequest{}).ID
	runAgain(t, q, r, id)
	if c := claim(t, q, "runner"); c.Job != nil {
		t.Errorf("Claim right after Again = %s, want nothing before the hour is out", c.Job.ID)
	}
	if st := stats(t, q); st.Queued != 1 {
		t.Errorf("Stats().Queued = %d, want 1 (the job waiting to run again)", st.Queued)
	}
}

func TestFailedStepsKeepTheirProgress(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{Housekeeping: time.Millisecond})
		p := httpapi.NewProblem(httpapi.CodeProviderRejected, "The second step failed.")
		s := &stepper{steps: 2, fail: queue.Permanent(p)}
		r := newRunner(s.handle, nil)
		id := enqueue(t, q, queue.EnqueueRequest{}).ID
		runAgain(t, q, r, id)
		j := runAgain(t, q, r, id)
		got := get(t, q, id)
		for _, x := range []*queue.Job{j, got} {
			if x.Status != queue.StatusFailed || string(x.Result) != `{"done":2}` || x.ErrorCode() != httpapi.CodeProviderRejected {
				t.Errorf("failed job = %s, result %s, code %s; want failed, {\"done\":2}, %s", x.Status, x.Result, x.ErrorCode(), httpapi.CodeProviderRejected)
			}
		}
	})
}

func TestCancelAJobWaitingToRunAgain(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	q := newQueue(rdb, prefix, queue.Config{Housekeeping: time.Millisecond})
	s := &stepper{steps: 10}
	r := newRunner(s.handle, nil)
	id := enqueue(t, q, queue.EnqueueRequest{}).ID
	runAgain(t, q, r, id)
	if res, err := q.Cancel(context.Background(), id); err != nil || res != queue.Canceled {
		t.Fatalf("Cancel(%s) = %v, %v, want Canceled", id, res, err)
	}
	j := get(t, q, id)
	if j.Status != queue.StatusCanceled || string(j.Result) != `{"done":1}` {
		t.Errorf("canceled job = %s with result %s, want canceled keeping its progress {\"done\":1}", j.Status, j.Result)
	}
	if c := claim(t, q, "runner"); c.Job != nil {
		t.Errorf("Claim after the cancel = %s, want nothing", c.Job.ID)
	}
}

func TestCancelDecidesOverAgain(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	q := newQueue(rdb, prefix, queue.Config{})
	var undone atomic.Int32
	r := newRunner(func(ctx context.Context, j *queue.Job) (queue.Result, error) {
		// The cancel arrives while the job runs; it asks to run again all
		// the same.
		if _, err := q.Cancel(ctx, j.ID); err != nil {
			return queue.Result{}, err
		}
		return queue.Result{Value: []byte(`{"done":1}`), Again: time.Millisecond, Undo: func(context.Context) { undone.Add(1) }}, nil
	}, nil)
	id := enqueue(t, q, queue.EnqueueRequest{}).ID
	j, st := runNext(t, q, r)
	if st != queue.StatusCanceled || j.ID != id {
		t.Fatalf("Run = %s, want canceled", st)
	}
	if n := undone.Load(); n != 1 {
		t.Errorf("Undo called %d times, want 1: the job did not wait to run again", n)
	}
	if got := get(t, q, id); got.Status != queue.StatusCanceled || string(got.Result) != `{"done":1}` {
		t.Errorf("canceled job = %s with result %s, want canceled keeping the progress it reported", got.Status, got.Result)
	}
}

func TestAddChildren(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		q := newQueue(rdb, prefix, queue.Config{})
		ctx := context.Background()
		id := enqueue(t, q, queue.EnqueueRequest{}).ID
		j := claimJob(t, q, "runner")

		if cancel, err := q.AddChildren(ctx, j, "text_a", "image_b"); err != nil || cancel {
			t.Fatalf("AddChildren = %v, %v, want false, nil", cancel, err)
		}
		if cancel, err := q.AddChildren(ctx, j, "text_c"); err != nil || cancel {
			t.Fatalf("AddChildren = %v, %v, want false, nil", cancel, err)
		}
		if got, want := get(t, q, id).Children, []string{"text_a", "image_b", "text_c"}; !slices.Equal(got, want) {
			t.Errorf("Children = %v, want %v", got, want)
		}
		if _, err := q.Cancel(ctx, id); err != nil {
			t.Fatal(err)
		}
		if cancel, err := q.AddChildren(ctx, j, "text_d"); err != nil || !cancel {
			t.Errorf("AddChildren after a cancel = %v, %v, want true, nil", cancel, err)
		}
		if !slices.Contains(get(t, q, id).Children, "text_d") {
			t.Errorf("Children lack text_d, added after the cancel: %v", get(t, q, id).Children)
		}
		complete(t, q, j, queue.Outcome{Status: queue.StatusSucceeded})
		if _, err := q.AddChildren(ctx, j, "text_e"); !errors.Is(err, queue.ErrLeaseLost) {
			t.Errorf("AddChildren to a finished job = %v, want ErrLeaseLost", err)
		}
	})
}
