// Package queue is the service's job queue: one Redis sorted set per queue,
// ordered by priority band then arrival, with leases, retries, dedup,
// cancel, reprioritize, retention and event-driven waiting. Each state change
// is one Lua script on one Redis Cluster slot.
package queue

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Status is a job's state.
type Status string

const (
	StatusQueued    Status = "queued"
	StatusRunning   Status = "running"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusCanceled  Status = "canceled"
)

// Final reports whether s is a terminal status.
func (s Status) Final() bool {
	return s == StatusSucceeded || s == StatusFailed || s == StatusCanceled
}

// Priority is a job's band. Urgent runs first; within a band jobs run in
// arrival order.
type Priority string

const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists the valid priorities, most urgent first.
var Priorities = []Priority{PriorityUrgent, PriorityHigh, PriorityNormal, PriorityLow}

// ParsePriority returns the priority named s; "" is normal.
func ParsePriority(s string) (Priority, bool) {
	switch Priority(s) {
	case "":
		return PriorityNormal, true
	case PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent:
		return Priority(s), true
	}
	return "", false
}

func (p Priority) band() int {
	switch p {
	case PriorityUrgent:
		return 0
	case PriorityHigh:
		return 1
	case PriorityLow:
		return 3
	}
	return 2
}

// Time is a timestamp that encodes as RFC 3339 UTC with milliseconds.
type Time struct{ time.Time }

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format("2006-01-02T15:04:05.000Z07:00") + `"`), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

func msTime(s string) *Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms == 0 {
		return nil
	}
	return &Time{time.UnixMilli(ms).UTC()}
}

// Job is a unit of work and what callers see of it.
type Job struct {
	ID              string          `json:"id"`
	Kind            string          `json:"kind"`
	Status          Status          `json:"status"`
	Priority        Priority        `json:"priority"`
	Owner           string          `json:"owner"`
	Attempts        int             `json:"attempts"`
	Position        int             `json:"position,omitempty"`
	CreatedAt       *Time           `json:"created_at,omitempty"`
	StartedAt       *Time           `json:"started_at,omitempty"`
	FinishedAt      *Time           `json:"finished_at,omitempty"`
	Result          json.RawMessage `json:"result,omitempty"`
	Error           json.RawMessage `json:"error,omitempty"`
	CancelRequested bool            `json:"cancel_requested,omitempty"`
	// RetryOf names the failed or canceled job this one retries (Retry);
	// RetriedAs, on that job, names this one.
	RetryOf   string `json:"retry_of,omitempty"`
	RetriedAs string `json:"retried_as,omitempty"`

	// Payload is the request the handler runs; never shown to callers.
	Payload json.RawMessage `json:"-"`
	// RequestID and CorrelationID trace the job to its request and events.
	RequestID     string `json:"-"`
	CorrelationID string `json:"-"`
	// Destination is where the hub should deliver events (its reply_to).
	Destination string `json:"-"`
	// TraceParent is the W3C traceparent of the request that created the
	// job: the worker's span continues its trace.
	TraceParent string `json:"-"`
	// Children are the jobs this job started (AddChildren): a cancel of
	// the job is passed on to them.
	Children []string `json:"-"`

	queue string
	lease string
	dedup string // the dedup key naming the job while it is live, or ""
}

// Queue returns the name of the queue the job is in.
func (j *Job) Queue() string { return j.queue }

// LeasedTo reports whether the job is running under the lease token.
func (j *Job) LeasedTo(token string) bool {
	return token != "" && j.Status == StatusRunning && j.lease == token
}

// ErrorCode returns the code of the job's problem, or "".
func (j *Job) ErrorCode() string {
	if len(j.Error) == 0 {
		return ""
	}
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(j.Error, &p)
	return p.Code
}

// jobFromHash builds a Job from its Redis hash fields.
func jobFromHash(queue string, h map[string]string) (*Job, error) {
	if h["id"] == "" {
		return nil, fmt.Errorf("job record without id")
	}
	j := &Job{
		ID:            h["id"],
		Kind:          h["kind"],
		Status:        Status(h["status"]),
		Priority:      Priority(h["priority"]),
		Owner:         h["owner"],
		CreatedAt:     msTime(h["created_at"]),
		StartedAt:     msTime(h["started_at"]),
		FinishedAt:    msTime(h["finished_at"]),
		RequestID:     h["rid"],
		CorrelationID: h["cid"],
		Destination:   h["dest"],
		TraceParent:   h["tp"],
		RetryOf:       h["retry_of"],
		RetriedAs:     h["retried_as"],
		queue:         queue,
		lease:         h["lease"],
		dedup:         h["dedup"],
	}
	j.Attempts, _ = strconv.Atoi(h["attempts"])
	if c := strings.Fields(h["children"]); len(c) > 0 {
		j.Children = c
	}
	if v := h["payload"]; v != "" {
		j.Payload = json.RawMessage(v)
	}
	// A succeeded job's result; or, of a job that runs in steps, its
	// progress while it waits and what it finished when it failed or was
	// canceled (only such jobs store a result before they succeed).
	if v := h["result"]; v != "" {
		j.Result = json.RawMessage(v)
	}
	if v := h["error"]; v != "" && (j.Status == StatusFailed || j.Status == StatusCanceled) {
		j.Error = json.RawMessage(v)
	}
	j.CancelRequested = h["cancel"] == "1" && j.Status == StatusRunning
	return j, nil
}

func pairsToMap(vals []any) map[string]string {
	m := make(map[string]string, len(vals)/2)
	for i := 0; i+1 < len(vals); i += 2 {
		k, _ := vals[i].(string)
		switch v := vals[i+1].(type) {
		case string:
			m[k] = v
		case int64:
			m[k] = strconv.FormatInt(v, 10)
		}
	}
	return m
}
