package characters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/dndcc/dnd-llm-service/functions/text"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// run is the queue handler of a whole character: one run advances its
// steps as far as they go here, and records them.
func (s *Service) run(ctx context.Context, job *queue.Job) (queue.Result, error) {
	var p payload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return queue.Result{}, queue.Permanent(fmt.Errorf("whole character %s: bad payload: %w", job.ID, err))
	}
	res, err := s.progress(ctx, job, p.Request.Include)
	if err != nil {
		return queue.Result{}, err
	}
	w := &walk{s: s, job: job, p: p, res: res, token: queue.NewJobID("steps")}
	return w.advance(ctx)
}

// progress reads the steps as the job's last run left them, or starts
// them.
func (s *Service) progress(ctx context.Context, job *queue.Job, include []string) (*Result, error) {
	j, err := s.cfg.Queues[text.QueueName].Get(ctx, job.ID)
	if err != nil {
		return nil, fmt.Errorf("whole character %s: read progress: %w", job.ID, err)
	}
	if len(j.Result) == 0 {
		return newResult(include), nil
	}
	var res Result
	if err := json.Unmarshal(j.Result, &res); err != nil {
		return nil, queue.Permanent(fmt.Errorf("whole character %s: bad progress: %w", job.ID, err))
	}
	return &res, nil
}

// walk is one run of a whole character's job.
type walk struct {
	s   *Service
	job *queue.Job
	p   payload
	res *Result
	// token leases the steps this run runs itself.
	token string
	// leased are steps' jobs leased to token at admission, to run.
	leased []*queue.Job
	// canceled: a cancel of the job was requested while it started steps.
	canceled bool
}

// advance brings the steps as far as they go, and answers: every step
// succeeded; one failed (the job fails, naming it, with the steps
// finished); or the job runs again shortly to look again.
func (w *walk) advance(ctx context.Context) (queue.Result, error) {
	for {
		if err := w.refresh(ctx); err != nil {
			return queue.Result{}, err
		}
		if f := w.res.failure(); f != nil {
			w.cancelSteps(ctx)
			v, err := json.Marshal(w.res)
			if err != nil {
				return queue.Result{}, queue.Permanent(fmt.Errorf("whole character %s: encode: %w", w.job.ID, err))
			}
			return queue.Result{Value: v}, queue.Permanent(f.problem())
		}
		if w.res.done() {
			v, err := json.Marshal(w.res)
			if err != nil {
				return queue.Result{}, queue.Permanent(fmt.Errorf("whole character %s: encode: %w", w.job.ID, err))
			}
			return queue.Result{Value: v, Event: w.res.event()}, nil
		}
		if ctx.Err() != nil {
			return w.again()
		}
		started, err := w.start(ctx)
		if err != nil {
			return queue.Result{}, err
		}
		if w.canceled {
			w.cancelSteps(ctx)
			return w.again() // the cancel decides the outcome
		}
		if !w.runHere(ctx) && !started {
			return w.again()
		}
	}
}

// again records the progress and has the job run again shortly.
func (w *walk) again() (queue.Result, error) {
	v, err := json.Marshal(w.res)
	if err != nil {
		return queue.Result{}, queue.Permanent(fmt.Errorf("whole character %s: encode: %w", w.job.ID, err))
	}
	return queue.Result{Value: v, Again: w.s.cfg.Poll}, nil
}

// refresh reads the job of every step that is not final.
func (w *walk) refresh(ctx context.Context) error {
	for i := range w.res.Steps {
		st := &w.res.Steps[i]
		if !st.started() || st.final() {
			continue
		}
		q := w.s.cfg.Queues[queue.QueueOf(st.JobID)]
		if q == nil {
			st.fail(httpapi.NewProblem(httpapi.CodeInternal, "The step's job is in no queue this service runs."))
			continue
		}
		j, err := q.Get(ctx, st.JobID)
		if errors.Is(err, queue.ErrJobNotFound) {
			st.fail(httpapi.NewProblem(httpapi.CodeInternal, "The step's job is gone."))
			continue
		}
		if err != nil {
			return fmt.Errorf("whole character %s: read step %s: %w", w.job.ID, st.Name, err)
		}
		if err := st.update(j); err != nil {
			return queue.Permanent(err)
		}
	}
	w.identify()
	return nil
}

// identify sets who the character is once the sheet is written.
func (w *walk) identify() {
	sheet, ok := w.res.sheet()
	if !ok || w.res.Character != nil {
		return
	}
	if id, _, problems := dnd.CharacterObject(sheet); len(problems) == 0 {
		w.res.Character = &id
	}
}

// start admits the steps that are ready: the sheet, then the others once
// the sheet is written. It reports whether a step ended at admission (a
// cache hit, or a refusal), so the next one may be ready.
func (w *walk) start(ctx context.Context) (bool, error) {
	sheet, written := w.res.sheet()
	ctx = stepContext(ctx, w.job, w.p.CacheControl)
	var own []string
	ended := false
	for i := range w.res.Steps {
		st := &w.res.Steps[i]
		if st.started() || st.final() || (st.Name != StepSheet && !written) {
			continue
		}
		if ctx.Err() != nil {
			break // canceled or handed back: the rest waits
		}
		// Once sent, an admission is seen through: a job made whose
		// answer was lost would run unrecorded.
		a, err := w.admit(context.WithoutCancel(ctx), st.Name, sheet)
		var p *httpapi.Problem
		switch {
		case errors.As(err, &p) && p.Status == http.StatusServiceUnavailable:
			// The store or a queue is full: the next run tries again.
			w.s.cfg.Logger.Warn("whole character: a step waits to be started", "job_id", w.job.ID, "step", st.Name, "code", p.Code)
			continue
		case err != nil:
			st.fail(httpapi.AsProblem(err))
			ended = true
			continue
		}
		st.JobID, st.Deduplicated = a.Job.ID, a.Duplicate
		if err := st.update(a.Job); err != nil {
			return false, queue.Permanent(err)
		}
		ended = ended || st.final()
		if !a.Duplicate {
			own = append(own, a.Job.ID)
		}
		if a.Job.LeasedTo(w.token) {
			w.leased = append(w.leased, a.Job)
		}
	}
	cancel, err := w.s.cfg.Queues[text.QueueName].AddChildren(context.WithoutCancel(ctx), w.job, own...)
	if err != nil {
		return false, err
	}
	w.canceled = cancel
	return ended, nil
}

// admit builds and admits the job of step name.
func (w *walk) admit(ctx context.Context, name string, sheet json.RawMessage) (submit.Admission, error) {
	body, err := w.p.Request.stepRequest(name, sheet)
	if err != nil {
		return submit.Admission{}, fmt.Errorf("%s request: %w", name, err)
	}
	build := w.s.cfg.Text
	if name == StepPortrait {
		build = w.s.cfg.Image
	}
	sr, err := build(ctx, body)
	if err != nil {
		return submit.Admission{}, err
	}
	// Every step's event carries the whole character's correlation id.
	sr.CorrelationID, sr.Destination = w.job.CorrelationID, w.job.Destination
	if sr.CorrelationID == "" {
		sr.CorrelationID = w.job.ID
	}
	if slices.Contains(w.s.cfg.Inline, sr.Queue) {
		sr.ClaimAs, sr.ClaimAhead = w.token, true
	}
	return w.s.cfg.Submit.AdmitStep(ctx, w.job.Owner, sr, w.p.CacheControl)
}

// runHere runs, side by side, the steps this run may run itself (see
// Config.Inline): those leased to it at admission, and those of its
// queues that wait. It reports whether it ran any.
func (w *walk) runHere(ctx context.Context) bool {
	jobs := w.leased
	w.leased = nil
	for i := range w.res.Steps {
		st := &w.res.Steps[i]
		q := w.s.cfg.Queues[queue.QueueOf(st.JobID)]
		if st.Status != string(queue.StatusQueued) || q == nil || !slices.Contains(w.s.cfg.Inline, q.Name()) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		if c, err := q.Claim(context.WithoutCancel(ctx), w.token, st.JobID); err == nil && c.Job != nil {
			jobs = append(jobs, c.Job)
		}
	}
	if len(jobs) == 0 {
		return false
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() {
			if _, err := w.s.cfg.Runner.Execute(ctx, w.s.cfg.Queues[j.Queue()], j); err != nil && !errors.Is(err, queue.ErrLeaseLost) {
				w.s.cfg.Logger.Warn("whole character: a step run here was not recorded", "job_id", w.job.ID, "step_job_id", j.ID, "error", err.Error())
			}
		})
	}
	wg.Wait()
	return true
}

// cancelSteps cancels the steps this job started that have not ended
// (not those that joined another live job), and reads them again. Those
// leased to this run and not run end at once.
func (w *walk) cancelSteps(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for _, j := range w.leased {
		canceled := problemJSON(httpapi.NewProblem(httpapi.CodeJobCanceled, "The job was canceled."))
		if _, err := w.s.cfg.Queues[j.Queue()].Complete(ctx, j, queue.Outcome{Status: queue.StatusCanceled, Error: canceled}); err != nil {
			w.s.cfg.Logger.Warn("whole character: a step leased to it was not canceled", "job_id", w.job.ID, "step_job_id", j.ID, "error", err.Error())
		}
	}
	w.leased = nil
	for _, st := range w.res.Steps {
		if !st.started() || st.final() || st.Deduplicated {
			continue
		}
		q := w.s.cfg.Queues[queue.QueueOf(st.JobID)]
		if _, err := q.Cancel(ctx, st.JobID); err != nil && !errors.Is(err, queue.ErrWrongState) && !errors.Is(err, queue.ErrJobNotFound) {
			w.s.cfg.Logger.Warn("whole character: a step was not canceled", "job_id", w.job.ID, "step", st.Name, "error", err.Error())
		}
	}
	if err := w.refresh(ctx); err != nil {
		w.s.cfg.Logger.Warn("whole character: steps not read after their cancel", "job_id", w.job.ID, "error", err.Error())
	}
}
