package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/queue"
)

// jobsPage lists what GET /api/v2/queue/jobs answers, checked against the
// API document.
func jobsPage(t testing.TB, spec apptest.Spec, base, tok, query string) (ids []string, jobs map[string]map[string]any) {
	t.Helper()
	r := servicetest.Do(t, "GET", base+"/api/v2/queue/jobs"+query, tok, "")
	if r.Status != 200 {
		t.Fatalf("GET /api/v2/queue/jobs%s = %d %s", query, r.Status, r.Body)
	}
	spec.CheckResponse(t, "GET /api/v2/queue/jobs", r)
	var page struct {
		Jobs []map[string]any `json:"jobs"`
	}
	if err := json.Unmarshal(r.Body, &page); err != nil {
		t.Fatalf("jobs page %s: %v", r.Body, err)
	}
	jobs = map[string]map[string]any{}
	for _, j := range page.Jobs {
		id := j["id"].(string)
		ids = append(ids, id)
		jobs[id] = j
	}
	return ids, jobs
}

// runJobs runs `jobs args...` as the binary would and returns what it
// printed.
func runJobs(t testing.TB, getenv func(string) string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"x", "jobs"}, args...), getenv, &out, io.Discard)
	return out.String(), err
}

// TestFailedJobsListedAndRetried: a failed and a canceled job are found
// through the admin route and the CLI, retried through each as new linked
// jobs, and the retries run and succeed once workers are there.
func TestFailedJobsListedAndRetried(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TEXT_WORKERS": "0", "IMAGE_WORKERS": "0", "JOB_TTL": "2h", "FAILED_JOB_TTL": "72h"}
	held := startService(t, env) // env now holds the service's Redis and key prefix
	spec := apptest.LoadSpec(t)
	tok, admin := servicetest.Token(t, "campaign-service"), servicetest.Token(t, "ops", "admin")
	submit := func(key string) string { // (a key of its own: the same request, another job)
		r := servicetest.Do(t, "POST", held.URL+"/api/v2/text/theme", tok, string(spec.FirstExample(t, "POST /api/v2/text/theme")),
			servicetest.Header("Prefer", "respond-async", "Cache-Control", "no-cache", "Idempotency-Key", key))
		if r.Status != 202 {
			t.Fatalf("theme = %d %s", r.Status, r.Body)
		}
		return r.JSON(t)["id"].(string)
	}
	failed, canceled, waiting := submit("a"), submit("b"), submit("c")
	if r := servicetest.Do(t, "DELETE", held.URL+"/api/v2/queue/"+canceled, tok, ""); r.Status != 200 {
		t.Fatalf("cancel = %d %s", r.Status, r.Body)
	}
	rdb := failJob(t, env, failed)

	// Found, by status and filters.
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{failed}},
		{"?status=canceled", []string{canceled}},
		{"?status=queued&kind=text.theme&owner=campaign-service", []string{waiting}},
		{"?status=failed&owner=someone-else", nil},
		{"?status=failed&queue=image", nil},
	} {
		if got, _ := jobsPage(t, spec, held.URL, admin, tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("GET /api/v2/queue/jobs%s = %v, want %v", tc.query, got, tc.want)
		}
	}
	if r := servicetest.Do(t, "GET", held.URL+"/api/v2/queue/jobs", tok, ""); r.Status != 403 {
		t.Errorf("GET /api/v2/queue/jobs without admin = %d, want 403", r.Status)
	}

	// Retried over HTTP.
	r := servicetest.Do(t, "POST", held.URL+"/api/v2/queue/"+failed+"/retry", admin, "")
	spec.CheckResponse(t, "POST /api/v2/queue/{job_id}/retry", r)
	retry := r.JSON(t)
	retryID, _ := retry["id"].(string)
	if r.Status != 202 || r.Header.Get("Location") != "/api/v2/queue/"+retryID || retry["retry_of"] != failed ||
		retry["status"] != "queued" || retry["owner"] != "campaign-service" || retry["kind"] != "text.theme" || retryID == failed {
		t.Fatalf("retry = %d %v %s, want 202, Location and a new queued job of the owner, retry_of %s", r.Status, r.Header, r.Body, failed)
	}
	if old := servicetest.Do(t, "GET", held.URL+"/api/v2/queue/"+failed, tok, "").JSON(t); old["retried_as"] != retryID || old["status"] != "failed" {
		t.Errorf("the failed job, as its owner sees it = %v, want failed, retried_as %s", old, retryID)
	}
	again := servicetest.Do(t, "POST", held.URL+"/api/v2/queue/"+failed+"/retry", admin, "")
	spec.CheckResponse(t, "POST /api/v2/queue/{job_id}/retry", again)
	if job, _ := again.JSON(t)["job"].(map[string]any); again.Status != 409 || job["retried_as"] != retryID {
		t.Errorf("a second retry = %d %s, want 409 with the job, retried_as %s", again.Status, again.Body, retryID)
	}

	// Listed and retried from a shell.
	cliRetry := retryFromShell(t, func(k string) string { return env[k] }, failed, retryID, canceled)

	// Workers arrive; both retries run and succeed.
	workerEnv := maps.Clone(env)
	delete(workerEnv, "TEXT_WORKERS")
	delete(workerEnv, "IMAGE_WORKERS")
	startService(t, workerEnv)
	for _, id := range []string{retryID, cliRetry} {
		var j map[string]any
		servicetest.WaitFor(t, 30*time.Second, "the retry to succeed", func() bool {
			j = servicetest.Do(t, "GET", held.URL+"/api/v2/queue/"+id+"?wait=5", tok, "").JSON(t)
			return j["status"] != "queued" && j["status"] != "running"
		})
		if j["status"] != "succeeded" || j["result"] == nil {
			t.Errorf("retry %s = %v, want succeeded with a result", id, j)
		}
	}
	if got, jobs := jobsPage(t, spec, held.URL, admin, "?status=succeeded"); len(got) != 3 || jobs[retryID]["retry_of"] != failed {
		t.Errorf("succeeded jobs = %v, want the two retries and the job that waited", got)
	}
	// The service keeps what it canceled for FAILED_JOB_TTL, what succeeded for JOB_TTL.
	for id, want := range map[string]time.Duration{canceled: 72 * time.Hour, retryID: 2 * time.Hour} {
		pttl, err := rdb.PTTL(context.Background(), "{"+env["REDIS_KEY_PREFIX"]+"text}:job:"+id).Result()
		if err != nil || pttl <= want-time.Minute || pttl > want {
			t.Errorf("PTTL(%s) = %v, %v, want about %v", id, pttl, err, want)
		}
	}
}

// failJob takes the queued job id as a worker of the test's own would, and
// fails it. It returns a client on the service's Redis.
func failJob(t *testing.T, env map[string]string, id string) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(env["REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	q := queue.New(rdb, queue.Config{Name: "text", Prefix: env["REDIS_KEY_PREFIX"]})
	c, err := q.Claim(context.Background(), "test-worker", id)
	if err != nil || c.Job == nil {
		t.Fatalf("claim %s: %+v %v", id, c, err)
	}
	problem := json.RawMessage(`{"type":"urn:dnd-llm-service:problem:PROVIDER_UNAVAILABLE","title":"Bad Gateway","status":502,"detail":"The provider was down.","code":"PROVIDER_UNAVAILABLE"}`)
	if _, err := q.Complete(context.Background(), c.Job, queue.Outcome{Status: queue.StatusFailed, Error: problem, ErrorCode: "PROVIDER_UNAVAILABLE"}); err != nil {
		t.Fatal(err)
	}
	return rdb
}

// retryFromShell lists the failed job (retried as retryID) and the
// canceled one with the jobs command, retries the canceled one, and
// returns the id of its retry.
func retryFromShell(t *testing.T, getenv func(string) string, failed, retryID, canceled string) string {
	t.Helper()
	out, err := runJobs(t, getenv, "list")
	if err != nil || !strings.Contains(out, failed) || !strings.Contains(out, "retried as "+retryID) || !strings.Contains(out, "PROVIDER_UNAVAILABLE") ||
		!strings.Contains(out, "1 failed jobs shown") {
		t.Errorf("jobs list = %v, printed:\n%s\nwant the failed job, its code and its retry", err, out)
	}
	out, err = runJobs(t, getenv, "list", "--status", "canceled", "--json")
	var page queue.JobPage
	if err != nil || json.Unmarshal([]byte(out), &page) != nil || len(page.Jobs) != 1 || page.Jobs[0].ID != canceled {
		t.Errorf("jobs list --status canceled --json = %v, printed:\n%s\nwant a page of the canceled job", err, out)
	}
	out, err = runJobs(t, getenv, "retry", canceled)
	if err != nil || !strings.HasPrefix(out, canceled+" retried as text_") {
		t.Fatalf("jobs retry = %v, printed %q", err, out)
	}
	cliRetry := strings.Fields(out)[3]
	if _, err := runJobs(t, getenv, "retry", failed); err == nil || !strings.Contains(err.Error(), "already retried as "+retryID) {
		t.Errorf("jobs retry of a retried job = %v, want it refused, naming the retry", err)
	}
	out, err = runJobs(t, getenv, "show", "--json", cliRetry)
	if err != nil || !strings.Contains(out, `"retry_of": "`+canceled+`"`) {
		t.Errorf("jobs show = %v, printed:\n%s\nwant the retry, retry_of %s", err, out, canceled)
	}
	return cliRetry
}

func TestJobsCommandRefuses(t *testing.T) {
	t.Parallel()
	expectRefusals(t, []refusal{
		{"no subcommand", []string{"jobs"}, "jobs list"},
		{"unknown subcommand", []string{"jobs", "purge"}, "jobs list"},
		{"list with an argument", []string{"jobs", "list", "text_5f1c2a9b3d4e6f7081920a1b"}, "unexpected arguments"},
		{"unknown status", []string{"jobs", "list", "--status", "done"}, "status: must be one of failed"},
		{"limit too large", []string{"jobs", "list", "--limit", "1000"}, "limit: must be a whole number from 1 to 200"},
		{"show without ids", []string{"jobs", "show", "--json"}, "name at least one job id"},
		{"retry without ids", []string{"jobs", "retry"}, "name at least one job id"},
		{"embedded store", []string{"jobs", "retry", "text_5f1c2a9b3d4e6f7081920a1b"}, "REDIS_URL is unset"},
	})
}
