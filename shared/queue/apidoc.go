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
			"retry_of": apidoc.Describe("The failed or canceled job this one retries (POST /api/v2/queue/{job_id}/retry): " +
				"this job was made with that job's request."),
			"retried_as": apidoc.Describe("On a failed or canceled job that was retried: the new job that retries it. A job is retried once."),
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

// Doc implements apidoc.Described.
func (JobPage) Doc() apidoc.Type {
	return apidoc.Type{
		About: "Answer of GET /api/v2/queue/jobs: one page of the jobs of a status.",
		Fields: map[string]*apidoc.Schema{
			"jobs":        apidoc.Describe("The jobs, in the listing's order; fewer than limit, or none, when a filter matched few of the jobs the page examined."),
			"next_cursor": apidoc.Describe("Pass it as cursor for the next page; absent on the last page."),
		},
	}
}
