package characters

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/functions/image"
	"github.com/dndcc/dnd-llm-service/functions/text"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// stepEnv runs whole characters over real queues with fake steps: a text
// step's job answers with a content naming its type, or does what the
// test says (run); a portrait's answers with an image result.
type stepEnv struct {
	rdb         redis.UniversalClient
	text, image *queue.Queue
	svc         *submit.Service
	runner      *queue.Runner
	s           *Service

	mu sync.Mutex
	// run, when set, runs a step job of the named step instead.
	run map[string]func(ctx context.Context) (queue.Result, error)
	// ran counts the runs of each step's jobs.
	ran map[string]int
	// onBuild, when set, is called as each step's job is built.
	onBuild func(step string)
}

func newStepEnv(t *testing.T, inline ...string) *stepEnv {
	t.Helper()
	rdb, prefix := redistest.New(t)
	e := &stepEnv{
		rdb:  rdb,
		text: queue.New(rdb, queue.Config{Name: text.QueueName, Prefix: prefix, Housekeeping: time.Millisecond}),
		// The image queue's failures are IMAGE_GENERATION_FAILED, as in the service.
		image: queue.New(rdb, queue.Config{Name: image.QueueName, Prefix: prefix, Housekeeping: time.Millisecond, FailureCode: httpapi.CodeImageGenerationFailed}),
		run:   map[string]func(context.Context) (queue.Result, error){},
		ran:   map[string]int{},
	}
	n := queue.NewNotifier(rdb, prefix, nil)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { n.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	<-n.Ready()
	e.svc = submit.New(submit.Config{Queues: []submit.QueueConfig{{Queue: e.text}, {Queue: e.image}}, Notifier: n})
	e.s = New(Config{
		Submit: e.svc, Text: e.build(text.QueueName, dnd.KindCharacter), Image: e.build(image.QueueName, image.KindGenerate),
		Queues: map[string]*queue.Queue{text.QueueName: e.text, image.QueueName: e.image}, Inline: inline, Poll: time.Millisecond,
	})
	e.runner = queue.NewRunner(queue.RunnerConfig{Notifier: n, Handlers: queue.HandlerMap{
		Kind: e.s.Handler(), dnd.KindCharacter: queue.HandlerFunc(e.step), image.KindGenerate: queue.HandlerFunc(e.step),
	}})
	e.s.cfg.Runner = e.runner
	return e
}

// build is a step builder: the body as the payload, its step's name read
// from it.
func (e *stepEnv) build(q, kind string) submit.Builder {
	return func(_ context.Context, body json.RawMessage) (submit.Request, error) {
		if e.onBuild != nil {
			e.onBuild(stepOfBody(body))
		}
		return submit.Request{Queue: q, Kind: kind, Payload: body, Canonical: string(body)}, nil
	}
}

func stepOfBody(body []byte) string {
	var b struct{ Type string }
	json.Unmarshal(body, &b)
	if b.Type == "character_portrait" {
		return StepPortrait
	}
	return b.Type
}

func (e *stepEnv) step(ctx context.Context, job *queue.Job) (queue.Result, error) {
	name := stepOfBody(job.Payload)
	e.mu.Lock()
	e.ran[name]++
	run := e.run[name]
	e.mu.Unlock()
	if run != nil {
		return run(ctx)
	}
	if name == StepPortrait {
		return queue.Result{Value: json.RawMessage(`{"image_id":"img_1","image_data":"iVBORw0KGgo=","url":"/api/v2/image/img_1"}`)}, nil
	}
	return queue.Result{Value: json.RawMessage(`{"type":"` + name + `","content":{"name":"Ada","written":"` + name + `"}}`)}, nil
}

func (e *stepEnv) runs(name string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ran[name]
}

// enqueue queues a whole character of the steps include.
func (e *stepEnv) enqueue(t *testing.T, include ...string) *queue.Job {
	t.Helper()
	p, _ := json.Marshal(payload{Request: Request{Include: include}.normalized()})
	j, _, err := e.text.Enqueue(context.Background(), queue.EnqueueRequest{Kind: Kind, Owner: "owner-1", Payload: p})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// runWhole claims the whole character id once it is due and runs it once.
func (e *stepEnv) runWhole(t *testing.T, id string) *queue.Job {
	t.Helper()
	return e.runJob(t, e.text, id)
}

// runJob claims job id of q once it is due and runs it.
func (e *stepEnv) runJob(t *testing.T, q *queue.Queue, id string) *queue.Job {
	t.Helper()
	var c queue.Claim
	servicetest.WaitFor(t, 10*time.Second, "job "+id+" to be claimable", func() bool {
		var err error
		c, err = q.Claim(context.Background(), queue.NewJobID("test"), id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Job != nil
	})
	j, err := e.runner.Execute(context.Background(), q, c.Job)
	if err != nil {
		t.Fatalf("Execute(%s) = %v", id, err)
	}
	return j
}

func (e *stepEnv) get(t *testing.T, id string) *queue.Job {
	t.Helper()
	q := e.text
	if queue.QueueOf(id) == image.QueueName {
		q = e.image
	}
	j, err := q.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%s) = %v", id, err)
	}
	return j
}

func resultOf(t *testing.T, j *queue.Job) *Result {
	t.Helper()
	var r Result
	if err := json.Unmarshal(j.Result, &r); err != nil {
		t.Fatalf("result of %s: %v (%s)", j.ID, err, j.Result)
	}
	return &r
}

// TestRunsInSteps drives a whole character run by run, as workers
// elsewhere run its steps: each run starts what is ready and asks to run
// again; the steps are ordinary jobs; the last run succeeds.
func TestRunsInSteps(t *testing.T) {
	t.Parallel()
	e := newStepEnv(t)
	whole := e.enqueue(t, StepSheet, StepBackstory, StepPortrait)

	j := e.runWhole(t, whole.ID)
	res := resultOf(t, j)
	if j.Status != queue.StatusQueued || res.Steps[0].Status != "queued" || res.Steps[1].Status != StatusPending || res.Steps[2].Status != StatusPending {
		t.Fatalf("first run = %s %+v, want queued, the sheet queued and the others pending", j.Status, res.Steps)
	}
	e.runJob(t, e.text, res.Steps[0].JobID)

	j = e.runWhole(t, whole.ID)
	res = resultOf(t, j)
	if res.step(StepSheet).Status != "succeeded" || res.step(StepBackstory).Status != "queued" || res.step(StepPortrait).Status != "queued" {
		t.Fatalf("second run's steps = %+v, want the sheet done, the backstory and portrait queued", res.Steps)
	}
	if got := e.get(t, whole.ID).Children; len(got) != 3 {
		t.Errorf("Children = %v, want the three steps' jobs", got)
	}
	e.runJob(t, e.text, res.step(StepBackstory).JobID)
	e.runJob(t, e.image, res.step(StepPortrait).JobID)

	j = e.runWhole(t, whole.ID)
	res = resultOf(t, j)
	if j.Status != queue.StatusSucceeded || !res.done() {
		t.Fatalf("last run = %s %+v, want succeeded", j.Status, res.Steps)
	}
	if p := res.step(StepPortrait).Result; strings.Contains(string(p), "image_data\"") || !strings.Contains(string(p), `"image_data_omitted":true`) {
		t.Errorf("portrait result = %s, want it without image_data", p)
	}
	if p := e.get(t, res.step(StepPortrait).JobID).Result; !strings.Contains(string(p), "image_data") {
		t.Errorf("the portrait's own job = %s, want its image_data", p)
	}
	if j.Attempts != 1 {
		t.Errorf("attempts after three runs = %d, want 1: running again uses none", j.Attempts)
	}
}

// TestAFailedStepCancelsTheOthers: when one step fails, the whole fails
// naming it, keeps what finished, and cancels the steps still running.
func TestAFailedStepCancelsTheOthers(t *testing.T) {
	t.Parallel()
	e := newStepEnv(t)
	held := make(chan struct{})
	e.run[StepBackstory] = func(ctx context.Context) (queue.Result, error) {
		close(held)
		<-ctx.Done() // until canceled
		return queue.Result{}, ctx.Err()
	}
	e.run[StepPersonality] = func(context.Context) (queue.Result, error) {
		return queue.Result{}, queue.Permanent(httpapi.NewProblem(httpapi.CodeProviderRejected, "The provider refused the request."))
	}
	whole := e.enqueue(t, StepSheet, StepBackstory, StepPersonality)
	res := resultOf(t, e.runWhole(t, whole.ID))
	e.runJob(t, e.text, res.Steps[0].JobID)
	res = resultOf(t, e.runWhole(t, whole.ID))
	backstory := make(chan *queue.Job, 1)
	go func() { backstory <- e.runJob(t, e.text, res.step(StepBackstory).JobID) }()
	<-held
	e.runJob(t, e.text, res.step(StepPersonality).JobID)

	j := e.runWhole(t, whole.ID)
	if j.Status != queue.StatusFailed || j.ErrorCode() != httpapi.CodeProviderRejected || !strings.Contains(string(j.Error), "The personality step failed: The provider refused the request.") {
		t.Fatalf("whole = %s %s, want failed with PROVIDER_REJECTED naming the personality step", j.Status, j.Error)
	}
	if b := <-backstory; b.Status != queue.StatusCanceled {
		t.Errorf("the running backstory = %s after the whole failed, want canceled", b.Status)
	}
	got := resultOf(t, e.get(t, whole.ID))
	if got.step(StepSheet).Status != "succeeded" || got.step(StepSheet).Result == nil || got.step(StepPersonality).Status != "failed" {
		t.Errorf("the failed whole's steps = %+v, want the sheet kept and the personality failed", got.Steps)
	}
}

// TestRunsItsStepsWhereNoWorkerDoes: under AWS Lambda a run runs the
// steps of its queues itself; the text function leaves the portrait to
// the scheduled worker, which finishes the whole in its one run.
func TestRunsItsStepsWhereNoWorkerDoes(t *testing.T) {
	t.Parallel()
	e := newStepEnv(t, text.QueueName)
	whole := e.enqueue(t, StepSheet, StepBackstory, StepPersonality, StepPortrait)
	j := e.runWhole(t, whole.ID)
	res := resultOf(t, j)
	for _, name := range []string{StepSheet, StepBackstory, StepPersonality} {
		if st := res.step(name); st.Status != "succeeded" || e.runs(name) != 1 {
			t.Errorf("in the text function's run, %s = %s after %d runs, want succeeded after 1", name, st.Status, e.runs(name))
		}
	}
	if j.Status != queue.StatusQueued || res.step(StepPortrait).Status != "queued" || e.runs(StepPortrait) != 0 {
		t.Fatalf("the text function's run = %s, portrait %s after %d runs; want the whole waiting for the queued portrait",
			j.Status, res.step(StepPortrait).Status, e.runs(StepPortrait))
	}

	worker := *e.s
	worker.cfg.Inline = []string{text.QueueName, image.QueueName}
	e.s.cfg = worker.cfg
	if j := e.runWhole(t, whole.ID); j.Status != queue.StatusSucceeded || e.runs(StepPortrait) != 1 {
		t.Errorf("the worker's run = %s after %d portrait runs, want succeeded after 1", j.Status, e.runs(StepPortrait))
	}
}

// TestACancelWhileStepsStart: the cancel of a whole character that comes
// while it starts steps reaches them, whichever of the two is first.
func TestACancelWhileStepsStart(t *testing.T) {
	t.Parallel()
	e := newStepEnv(t)
	whole := e.enqueue(t, StepSheet, StepBackstory, StepPersonality)
	res := resultOf(t, e.runWhole(t, whole.ID))
	e.runJob(t, e.text, res.Steps[0].JobID)
	e.onBuild = func(step string) {
		if step == StepBackstory {
			if _, err := e.text.Cancel(context.Background(), whole.ID); err != nil {
				t.Error(err)
			}
		}
	}
	j := e.runWhole(t, whole.ID)
	if j.Status != queue.StatusCanceled {
		t.Fatalf("whole = %s, want canceled", j.Status)
	}
	// The backstory was started as the cancel came; the personality may
	// have been started before the run heard of it. What was started is
	// canceled, and the whole keeps its progress.
	got := e.get(t, whole.ID)
	res = resultOf(t, got)
	if res.step(StepSheet).Status != "succeeded" || res.step(StepBackstory).Status != "canceled" {
		t.Errorf("the canceled whole's steps = %+v, want the sheet kept and the backstory canceled", res.Steps)
	}
	started := []string{res.Steps[0].JobID}
	for _, name := range []string{StepBackstory, StepPersonality} {
		st := res.step(name)
		if st.JobID == "" {
			if st.Status != StatusPending {
				t.Errorf("step %s = %s without a job, want pending", name, st.Status)
			}
			continue
		}
		started = append(started, st.JobID)
		if c := e.get(t, st.JobID); c.Status != queue.StatusCanceled {
			t.Errorf("step %s's job = %s, want canceled with the whole", name, c.Status)
		}
	}
	if !slices.Equal(got.Children, started) {
		t.Errorf("Children = %v, want the jobs started %v", got.Children, started)
	}
}

// TestRequest checks what a whole character's body may say, and what it
// makes of it.
func TestRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		body   string
		fields []string
	}{
		{"empty", `{}`, nil},
		{"every step", `{"include":["portrait","equipment","combat","personality","backstory","sheet"]}`, nil},
		{"no sheet", `{"include":["backstory"]}`, []string{"include"}},
		{"empty include", `{"include":[]}`, []string{"include"}},
		{"unknown step", `{"include":["sheet","poem"]}`, []string{"include[1]"}},
		{"twice", `{"include":["sheet","portrait","portrait"]}`, []string{"include[2]"}},
		{"a character request's checks", `{"parameters":{"character_level":21}}`, []string{"parameters.character_level"}},
		{"the rules' checks", `{"parameters":{"alignment":"sneaky"}}`, []string{"parameters.alignment"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Request
			if err := httpapi.Unmarshal([]byte(tc.body), &r); err != nil {
				t.Fatal(err)
			}
			errs := r.Valid(context.Background())
			var got []string
			for f := range errs {
				got = append(got, f)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.fields) {
				t.Errorf("Valid(%s) = %v, want problems with %v", tc.body, errs, tc.fields)
			}
		})
	}
	var r Request
	if err := httpapi.Unmarshal([]byte(`{"type":"sheet"}`), &r); err == nil {
		t.Errorf("a body with type decodes, want it refused: the route makes every type it includes")
	}
	n := Request{Include: []string{StepPortrait, StepSheet}, Seed: ptr(int64(1) << 40)}.normalized()
	if !slices.Equal(n.Include, []string{StepSheet, StepPortrait}) || n.Priority != dnd.PriorityNormal {
		t.Errorf("normalized() include %v priority %q, want step order and normal", n.Include, n.Priority)
	}
	if d := (Request{}).normalized().Include; !slices.Equal(d, DefaultInclude()) {
		t.Errorf("normalized() of no include = %v, want %v", d, DefaultInclude())
	}
	body, err := n.stepRequest(StepPortrait, json.RawMessage(`{"name":"x"}`))
	if err != nil || !strings.Contains(string(body), `"seed":0`) {
		t.Errorf("portrait request = %s, %v; want the seed's low 32 bits (0)", body, err)
	}
}

func ptr[T any](v T) *T { return &v }
