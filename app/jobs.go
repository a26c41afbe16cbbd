package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/dndcc/dnd-llm-service/shared/queue"
)

// JobsCommand is one `jobs` command: list a page of jobs, show jobs, or
// retry failed or canceled ones. Exactly one of List, Show and Retry is
// set.
type JobsCommand struct {
	List  *queue.ListQuery
	Show  []string // job ids
	Retry []string // job ids
	JSON  bool     // print as the admin routes answer
}

// RunJobs runs cmd on the jobs in the service's Redis (REDIS_URL,
// REDIS_KEY_PREFIX, through getenv), with the code the admin routes use
// (GET /api/v2/queue/jobs, POST /api/v2/queue/{job_id}/retry), and prints
// the outcome to stdout. A job it cannot show or retry makes it fail after
// it has done the others.
func RunJobs(ctx context.Context, getenv func(string) string, cmd JobsCommand, stdout io.Writer) error {
	switch {
	case cmd.List != nil:
		if problems := cmd.List.Valid(ctx); len(problems) > 0 {
			return fmt.Errorf("jobs list: %s", describeProblems(problems))
		}
	case cmd.Show != nil && len(cmd.Show) == 0, cmd.Retry != nil && len(cmd.Retry) == 0:
		return errors.New("jobs: name at least one job id")
	case cmd.Show == nil && cmd.Retry == nil:
		return errors.New("jobs: nothing to do")
	}
	s, err := openStore(ctx, getenv, "jobs", "jobs")
	if err != nil {
		return err
	}
	defer s.close()
	in := queue.NewInspector(s.queues...)
	switch {
	case cmd.List != nil:
		lq := *cmd.List
		if lq.Status == "" {
			lq.Status = queue.ListStatuses[0]
		}
		page, err := in.List(ctx, lq)
		if err != nil {
			return fmt.Errorf("jobs list: %w", err)
		}
		if cmd.JSON {
			return printJSON(stdout, page)
		}
		return printJobs(stdout, lq.Status, page)
	case cmd.Show != nil:
		return eachJob(cmd.Show, "show", func(id string) error {
			j, err := in.Get(ctx, id)
			if err != nil {
				return err
			}
			return printJSON(stdout, j)
		})
	}
	return eachJob(cmd.Retry, "retry", func(id string) error {
		j, err := in.Retry(ctx, id, queue.RetryRequest{})
		if err != nil {
			return err
		}
		if cmd.JSON {
			return printJSON(stdout, j)
		}
		fmt.Fprintf(stdout, "%s retried as %s (%s, position %d)\n", id, j.ID, j.Status, j.Position)
		return nil
	})
}

// eachJob calls fn with each id, then reports the ids it failed for.
func eachJob(ids []string, verb string, fn func(id string) error) error {
	var errs []error
	for _, id := range ids {
		if err := fn(id); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("jobs %s: %d of %d failed:\n%w", verb, len(errs), len(ids), errors.Join(errs...))
	}
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printJobs writes a page of jobs of status as a table, then the count and
// the next page.
func printJobs(w io.Writer, status queue.Status, page queue.JobPage) error {
	when, at := "FINISHED_AT", func(j *queue.Job) *queue.Time { return j.FinishedAt }
	switch status {
	case queue.StatusQueued:
		when, at = "CREATED_AT", func(j *queue.Job) *queue.Time { return j.CreatedAt }
	case queue.StatusRunning:
		when, at = "STARTED_AT", func(j *queue.Job) *queue.Time { return j.StartedAt }
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\tID\tKIND\tOWNER\tPRIORITY\tATTEMPTS\tERROR\tRETRY\n", when)
	for _, j := range page.Jobs {
		link := ""
		switch {
		case j.RetriedAs != "":
			link = "retried as " + j.RetriedAs
		case j.RetryOf != "":
			link = "retry of " + j.RetryOf
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", formatTime(at(j)), j.ID, j.Kind, j.Owner, j.Priority, j.Attempts,
			cell(j.ErrorCode()), cell(link))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d %s jobs shown\n", len(page.Jobs), status)
	if page.NextCursor != "" {
		fmt.Fprintf(w, "next page: --cursor %s\n", page.NextCursor)
	}
	return nil
}

func formatTime(t *queue.Time) string {
	if t == nil {
		return "-"
	}
	b, _ := t.MarshalJSON()
	return strings.Trim(string(b), `"`)
}

// cell is s, or "-" for an empty table cell.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
