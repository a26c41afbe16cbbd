package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/functions/image"
	"github.com/dndcc/dnd-llm-service/functions/text"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
	"github.com/dndcc/dnd-llm-service/shared/textgen"
)

// gate holds each job (or provider call) that reaches it until the test
// lets it through (one release per job), whatever the job's context says.
type gate struct {
	entered chan struct{} // a job reached the gate
	release chan struct{}
	// heard is whether the job's context was canceled once it was let
	// through: the cancel reached the running job.
	heard chan bool
}

func newGate() *gate {
	return &gate{entered: make(chan struct{}, 1), release: make(chan struct{}), heard: make(chan bool, 1)}
}

// pass blocks until the test releases the gate, then waits (boundedly)
// for the job's context to end, so that what runs next meets the cancel.
func (g *gate) pass(ctx context.Context) {
	g.entered <- struct{}{}
	<-g.release
	select {
	case <-ctx.Done():
		g.heard <- true
	case <-time.After(20 * time.Second):
		g.heard <- false
	}
}

// gatedOffline is the offline text generator, gated where a cancel hurts:
// just after its first check of the context, so the cancel arrives while
// it generates.
type gatedOffline struct {
	*textgen.Offline
	g *gate
}

var _ textgen.Generator = gatedOffline{}

func (o gatedOffline) Generate(ctx context.Context, req dnd.TextRequest) (textgen.Output, error) {
	return o.Offline.Generate(&gatedCtx{Context: ctx, g: o.g}, req)
}

// gatedCtx is a job's context whose first Err passes the gate and reports
// the context live, as it was when checked.
type gatedCtx struct {
	context.Context
	g    *gate
	once sync.Once
}

func (c *gatedCtx) Err() error {
	first := false
	c.once.Do(func() { first = true })
	if first {
		c.g.pass(c.Context)
		return nil
	}
	return c.Context.Err()
}

// cancelWorker is a worker process beside the service: it runs the real
// offline text and image handlers, with gates where a cancel hurts most:
// in the middle of generating text, and while a finished image is stored.
type cancelWorker struct {
	text, image *queue.Queue
	runner      *queue.Runner
	textGate    *gate
	imageGate   *gate
	// stopped receives each image handler's error.
	stopped chan error

	mu     sync.Mutex
	jobCtx context.Context // of the running image job, until it reads the clock
}

func startCancelWorker(t *testing.T, rdb redis.UniversalClient, prefix string) *cancelWorker {
	t.Helper()
	w := &cancelWorker{
		text:     queue.New(rdb, queue.Config{Name: text.QueueName, Prefix: prefix}),
		image:    queue.New(rdb, queue.Config{Name: image.QueueName, Prefix: prefix}),
		textGate: newGate(), imageGate: newGate(), stopped: make(chan error, 1),
	}
	c := cache.New(rdb, prefix, nil)
	handlers := queue.HandlerMap{}
	ts := text.New(text.Config{Generator: gatedOffline{textgen.NewOffline([]string{"gpt-4o"}), w.textGate}, Cache: c})
	for kind, h := range ts.Handlers() {
		handlers[kind] = h
	}
	// An offline image job reads the clock first when its picture is
	// drawn and about to be stored.
	is := image.New(image.Config{Queue: w.image, Redis: rdb, Prefix: prefix, Cache: c, Now: w.imageClock})
	for kind, h := range is.Handlers() {
		handlers[kind] = queue.HandlerFunc(func(ctx context.Context, job *queue.Job) (queue.Result, error) {
			w.mu.Lock()
			w.jobCtx = ctx
			w.mu.Unlock()
			res, err := h.Handle(ctx, job)
			w.stopped <- err
			return res, err
		})
	}
	n := queue.NewNotifier(rdb, prefix, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { n.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	select {
	case <-n.Ready():
	case <-time.After(20 * time.Second):
		t.Fatal("the worker's notifier did not subscribe")
	}
	w.runner = queue.NewRunner(queue.RunnerConfig{Handlers: handlers, Notifier: n})
	return w
}

// imageClock is the image service's clock: its first reading in a job
// passes the image gate.
func (w *cancelWorker) imageClock() time.Time {
	w.mu.Lock()
	ctx := w.jobCtx
	w.jobCtx = nil
	w.mu.Unlock()
	if ctx != nil {
		w.imageGate.pass(ctx)
	}
	return time.Now()
}

// run claims job id from q and runs it in the background; the channel
// receives the job as its outcome left it.
func (w *cancelWorker) run(t *testing.T, q *queue.Queue, id string) <-chan *queue.Job {
	t.Helper()
	c, err := q.Claim(context.Background(), queue.NewJobID("test-worker"), id)
	if err != nil || c.Job == nil {
		t.Fatalf("Claim(%s) = %+v, %v, want the job", id, c, err)
	}
	done := make(chan *queue.Job, 1)
	go func() {
		j, err := w.runner.Execute(context.Background(), q, c.Job)
		if err != nil {
			t.Errorf("Execute(%s) = %v", id, err)
		}
		done <- j
	}()
	return done
}

// TestCancelRunningJob cancels jobs that are running when DELETE arrives,
// through the service's route, with the offline providers doing the work
// in a worker beside the service. The job ends canceled with no result and
// nothing cached, and the answer follows the document: 200 once canceled,
// 202 while the worker has not stopped yet, 409 once finished.
func TestCancelRunningJob(t *testing.T) {
	t.Parallel()
	rdb, _ := redistest.New(t)
	env := map[string]string{"TEXT_WORKERS": "0", "IMAGE_WORKERS": "0", "TEXT_RATE_LIMIT": "1000", "IMAGE_RATE_LIMIT": "1000"}
	s := startService(t, env) // no workers: the jobs wait for the test's
	w := startCancelWorker(t, rdb, env["REDIS_KEY_PREFIX"])
	tok := servicetest.Token(t, "canceler")
	const imageBody = `{"type":"item_illustration","prompt":"a silver dagger","size":{"width":256,"height":256},"parameters":{"seed":11}}`

	submit := func(t *testing.T, path, body string) string {
		t.Helper()
		r := servicetest.Do(t, "POST", s.URL+path, tok, body, servicetest.Header("Prefer", "respond-async"))
		if r.Status != 202 || r.Header.Get("X-Cache") != "MISS" {
			t.Fatalf("POST %s = %d X-Cache %q %.300s, want 202 MISS", path, r.Status, r.Header.Get("X-Cache"), r.Body)
		}
		return jobOf(t, r)["id"].(string)
	}
	cancelRequested := func(t *testing.T, id string) {
		t.Helper()
		servicetest.WaitFor(t, 20*time.Second, "cancel_requested on "+id, func() bool {
			return servicetest.Do(t, "GET", s.URL+"/api/v2/queue/"+id, tok, "").JSON(t)["cancel_requested"] == true
		})
	}
	ended := func(t *testing.T, id string, done <-chan *queue.Job) {
		t.Helper()
		select {
		case j := <-done:
			if j.Status != queue.StatusCanceled || j.Result != nil {
				t.Errorf("the worker's run of %s = %q result %.80s, want canceled without a result", id, j.Status, j.Result)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("the worker's run of %s did not end", id)
		}
		g := servicetest.Do(t, "GET", s.URL+"/api/v2/queue/"+id, tok, "").JSON(t)
		if g["status"] != "canceled" || g["result"] != nil || g["cancel_requested"] != nil {
			t.Errorf("GET %s = status %v cancel_requested %v result %.80v, want canceled without result or cancel_requested", id, g["status"], g["cancel_requested"], g["result"])
		}
		if d := servicetest.Do(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, ""); d.Status != 409 || jobOf(t, d)["status"] != "canceled" {
			t.Errorf("DELETE of the canceled job = %d %.300s, want 409 with the job", d.Status, d.Body)
		}
	}
	// deleteWhileRunning sends DELETE and, once the cancel is recorded,
	// lets the job through g: the answer must be 200 canceled.
	deleteWhileRunning := func(t *testing.T, id string, g *gate) {
		t.Helper()
		answer := make(chan servicetest.Response, 1)
		go func() {
			r, err := servicetest.Send("DELETE", s.URL+"/api/v2/queue/"+id, tok, "")
			if err != nil {
				t.Error(err)
			}
			answer <- r
		}()
		cancelRequested(t, id)
		g.release <- struct{}{}
		if !<-g.heard {
			t.Errorf("the running job %s's context was not canceled", id)
		}
		if d := <-answer; d.Status != 200 || jobOf(t, d)["status"] != "canceled" {
			t.Errorf("DELETE of running %s = %d %.300s, want 200 canceled", id, d.Status, d.Body)
		}
	}

	t.Run("text offline", func(t *testing.T) {
		id := submit(t, "/api/v2/text/character", personalityBody)
		done := w.run(t, w.text, id)
		<-w.textGate.entered // the generator is running
		deleteWhileRunning(t, id, w.textGate)
		ended(t, id, done)
		// The offline generator stopped: nothing was cached.
		submit(t, "/api/v2/text/character", personalityBody)
	})

	t.Run("image offline", func(t *testing.T) {
		id := submit(t, "/api/v2/image/generate", imageBody)
		done := w.run(t, w.image, id)
		<-w.imageGate.entered
		deleteWhileRunning(t, id, w.imageGate)
		if err := <-w.stopped; !errors.Is(err, context.Canceled) {
			t.Errorf("the image handler returned %v, want it stopped by the cancel before caching", err)
		}
		ended(t, id, done)
		submit(t, "/api/v2/image/generate", imageBody)
	})

	t.Run("worker still running", func(t *testing.T) {
		body := `{"type":"backstory","parameters":{"character_class":"Bard"},"seed":5}`
		id := submit(t, "/api/v2/text/character", body)
		done := w.run(t, w.text, id)
		<-w.textGate.entered
		d := servicetest.Do(t, "DELETE", s.URL+"/api/v2/queue/"+id, tok, "")
		if d.Status != 202 || jobOf(t, d)["status"] != "running" || jobOf(t, d)["cancel_requested"] != true {
			t.Errorf("DELETE while the worker holds on = %d %.300s, want 202 running with cancel_requested", d.Status, d.Body)
		}
		w.textGate.release <- struct{}{}
		<-w.textGate.heard
		ended(t, id, done)
		submit(t, "/api/v2/text/character", body)
	})
}
