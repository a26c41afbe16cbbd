package queue

import (
	"context"
	"errors"

	"github.com/dndcc/dnd-llm-service/shared/queue"
)

// cancelChildren passes a cancel on to the jobs j started (a whole
// character's steps) that have not finished. The job's own cancel is
// what the caller answers for: a child that cannot be canceled is logged.
func (h *handlers) cancelChildren(ctx context.Context, j *queue.Job) {
	ctx = context.WithoutCancel(ctx)
	for _, id := range j.Children {
		q := h.svc.Queue(queue.QueueOf(id))
		if q == nil {
			continue
		}
		if _, err := q.Cancel(ctx, id); err != nil && !errors.Is(err, queue.ErrWrongState) && !errors.Is(err, queue.ErrJobNotFound) {
			h.logger.Warn("cancel of a job's child failed", "job_id", j.ID, "child_id", id, "error", err.Error())
		}
	}
}
