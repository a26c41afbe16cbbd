package queue

import "github.com/dndcc/dnd-llm-service/shared/apidoc"

// Doc implements apidoc.Described. The document adds the job kinds and the
// result shapes of the groups that run jobs.
func (Job) Doc() apidoc.Type {
	return apidoc.Type{
		About: "A job: one generation request and its outcome. Poll it at GET /api/v2/queue/{id}. " +
			"result is set when status is succeeded; error, the problem the job answers with, when it is failed or canceled. " +
			"A job that runs in steps (characters.create) shows its progress in result while it runs, and keeps the steps it finished when it fails or is canceled.",
		Refs: map[string]string{"error": "JobError"},
		Fields: map[string]*apidoc.Schema{
			"id": apidoc.Describe("The job id; its prefix names the queue (text_ or image_)."),
			"status": apidoc.With(apidoc.Enum(StatusQueued, StatusRunning, StatusSucceeded, StatusFailed, StatusCanceled),
				apidoc.Describe("succeeded, failed and canceled are final.")),
			"priority":         apidoc.Enum(Priorities...),
			"owner":            apidoc.Describe("The caller (token sub) that submitted it."),
			"attempts":         apidoc.Describe("Attempts started so far."),
			"position":         apidoc.Describe("1-based place in the queue, while queued."),
			"cancel_requested": apidoc.Describe("A cancel was asked for while the job ran; its worker is stopping it."),
		},
	}
}

// Doc implements apidoc.Described.
func (Stats) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "QueueStats",
		About: "Counts of one queue.",
		Fields: map[string]*apidoc.Schema{
			"queued":              apidoc.Describe("Jobs waiting, including those scheduled for a retry."),
			"running":             apidoc.Describe("Jobs being worked on."),
			"oldest_queued_age_s": apidoc.Describe("Seconds the oldest waiting job has waited."),
			"paused_for_s":        apidoc.Describe("Seconds until the queue resumes after a provider rate limit; left out when running."),
		},
	}
}
