package characters

import (
	"encoding/json"
	"fmt"

	"github.com/dndcc/dnd-llm-service/functions/image"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
)

// StatusPending is the status of a step not started yet: it waits for the
// sheet it is written from.
const StatusPending = "pending"

// Result is a whole character's job result: while it runs, the progress
// of its steps; when it succeeded, every step's result; when it failed or
// was canceled, the steps it finished.
type Result struct {
	// Character is who the sheet made, once it is written.
	Character *dnd.CharacterInfo `json:"character,omitempty"`
	Steps     []Step             `json:"steps"`
}

// Step is one document of a whole character and the job that makes it.
type Step struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	JobID string `json:"job_id,omitempty"`
	// Status is pending before the step's job exists, then its job's.
	Status string `json:"status"`
	// Deduplicated: the step joined an identical live job of the caller's.
	Deduplicated bool            `json:"deduplicated,omitempty"`
	Result       json.RawMessage `json:"result,omitempty"`
	Error        json.RawMessage `json:"error,omitempty"`
}

// kindOf is the job kind of step name.
func kindOf(name string) string {
	if name == StepPortrait {
		return image.KindGenerate
	}
	return dnd.KindCharacter
}

// newResult is the progress of a job that has not started a step yet.
func newResult(include []string) *Result {
	res := &Result{Steps: []Step{}}
	for _, name := range include {
		res.Steps = append(res.Steps, Step{Name: name, Kind: kindOf(name), Status: StatusPending})
	}
	return res
}

// step returns the step called name, or nil.
func (r *Result) step(name string) *Step {
	for i := range r.Steps {
		if r.Steps[i].Name == name {
			return &r.Steps[i]
		}
	}
	return nil
}

// final reports whether the step's status is final.
func (s *Step) final() bool { return queue.Status(s.Status).Final() }

// started reports whether the step has a job.
func (s *Step) started() bool { return s.JobID != "" }

// update takes the state of the step's job.
func (s *Step) update(j *queue.Job) error {
	s.Status = string(j.Status)
	switch j.Status {
	case queue.StatusSucceeded:
		res, err := stepResult(s.Name, j.Result)
		if err != nil {
			return err
		}
		s.Result = res
	case queue.StatusFailed, queue.StatusCanceled:
		s.Error = j.Error
		if len(s.Error) == 0 {
			s.Error = problemJSON(httpapi.NewProblem(httpapi.CodeInternal, "The job failed."))
		}
	}
	return nil
}

// fail marks the step failed with p.
func (s *Step) fail(p *httpapi.Problem) {
	s.Status, s.Error = string(queue.StatusFailed), problemJSON(p)
}

// stepResult is a step job's result as the whole character shows it: a
// text result as it is; an image result without its bytes, which its url
// serves (and its own job still holds).
func stepResult(name string, raw json.RawMessage) (json.RawMessage, error) {
	if name != StepPortrait {
		return raw, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("portrait result: %w", err)
	}
	if _, ok := m["image_data"]; ok {
		delete(m, "image_data")
		m["image_data_omitted"] = json.RawMessage("true")
	}
	return json.Marshal(m)
}

// failure is the first step that failed or was canceled, or nil.
func (r *Result) failure() *Step {
	for i := range r.Steps {
		if st := queue.Status(r.Steps[i].Status); st == queue.StatusFailed || st == queue.StatusCanceled {
			return &r.Steps[i]
		}
	}
	return nil
}

// done reports whether every step succeeded.
func (r *Result) done() bool {
	for _, s := range r.Steps {
		if queue.Status(s.Status) != queue.StatusSucceeded {
			return false
		}
	}
	return true
}

// sheet returns the sheet's content once the sheet step succeeded.
func (r *Result) sheet() (json.RawMessage, bool) {
	s := r.step(StepSheet)
	if s == nil || queue.Status(s.Status) != queue.StatusSucceeded {
		return nil, false
	}
	var tr struct {
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(s.Result, &tr); err != nil || len(tr.Content) == 0 {
		return nil, false
	}
	return tr.Content, true
}

// problem is the problem of a whole character whose step s failed: the
// step's code, with a detail that names it.
func (s *Step) problem() *httpapi.Problem {
	var p httpapi.Problem
	_ = json.Unmarshal(s.Error, &p)
	if p.Code == "" {
		p.Code = httpapi.CodeInternal
	}
	verb := "failed"
	if queue.Status(s.Status) == queue.StatusCanceled {
		verb = "was canceled"
	}
	detail := fmt.Sprintf("The %s step %s.", s.Name, verb)
	if p.Detail != "" {
		detail = fmt.Sprintf("The %s step %s: %s", s.Name, verb, p.Detail)
	}
	return httpapi.NewProblem(p.Code, detail)
}

// event is what the whole character's completion event says of its steps.
func (r *Result) event() map[string]any {
	steps := make([]map[string]any, len(r.Steps))
	for i, s := range r.Steps {
		steps[i] = map[string]any{"name": s.Name, "job_id": s.JobID, "status": s.Status}
	}
	return map[string]any{"steps": steps}
}

func problemJSON(p *httpapi.Problem) json.RawMessage {
	c := *p
	c.Instance, c.RequestID, c.Job = "", "", nil
	b, _ := json.Marshal(&c)
	return b
}
