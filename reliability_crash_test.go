package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// crashEnv is the environment shared by the processes of a crash test: one
// Redis prefix, the fake OpenAI, one model and no client-side retries, so
// every provider call the fake counts is one attempt of one job.
func crashEnv(t testing.TB, fake *openaitest.Server) map[string]string {
	t.Helper()
	_, prefix := redistest.New(t)
	return map[string]string{
		"REDIS_URL": redistest.URL(), "REDIS_KEY_PREFIX": prefix, "SECRET_KEY": servicetest.TestKey,
		"OPENAI_BASE_URL": fake.URL(), "OPENAI_API_KEY": "sk-crash-test-0123456789",
		"OPENAI_MODELS": "gpt-4o", "OPENAI_MAX_RETRIES": "0",
		"TEXT_RATE_LIMIT": "10000", "IMAGE_WORKERS": "0", "LOG_LEVEL": "DEBUG",
	}
}

func withEnv(base map[string]string, kv ...string) map[string]string {
	m := make(map[string]string, len(base)+len(kv)/2)
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// TestWorkerKilledMidJob kills a worker process with SIGKILL while it holds
// two jobs (one a caller waits for, one polled) in the middle of their
// provider calls. After the lease expires a second worker takes both back;
// each completes exactly once, with the second worker's result.
func TestWorkerKilledMidJob(t *testing.T) {
	servicetest.SkipShort(t, "crash: a worker process killed with SIGKILL mid-job")
	t.Parallel()
	content := personalityContent(t)
	fake := openaitest.New(t)
	var calls atomic.Int32
	hung := make(chan struct{}, 8)
	fake.SetDefault(func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		if calls.Add(1) <= 2 {
			// The first worker's calls: no answer until its process dies.
			hung <- struct{}{}
			return openaitest.Reply{Delay: 10 * time.Minute}
		}
		// 777 prompt tokens mark the second worker's answers.
		return openaitest.Completion(req.Model, content, 777, 111)
	})
	env := crashEnv(t, fake)
	api := startService(t, withEnv(env, "TEXT_WORKERS", "0", "JOB_LEASE", "2s"))
	workerEnv := withEnv(env, "TEXT_WORKERS", "2", "JOB_LEASE", "2s")
	first := startProc(t, workerEnv, "worker")
	tok := servicetest.Token(t, "crash-caller")

	type answer struct {
		r   servicetest.Response
		err error
	}
	syncDone := make(chan answer, 1)
	go func() {
		r, err := servicetest.Send("POST", api.URL+"/api/v2/text/character?wait=60", tok, seeded(1))
		syncDone <- answer{r, err}
	}()
	ar := servicetest.Do(t, "POST", api.URL+"/api/v2/text/character", tok, seeded(2), servicetest.Header("Prefer", "respond-async"))
	if ar.Status != 202 {
		t.Fatalf("async enqueue = %d %s", ar.Status, ar.Body)
	}
	asyncID := jobOf(t, ar)["id"].(string)

	for range 2 {
		select {
		case <-hung:
		case <-time.After(30 * time.Second):
			t.Fatalf("the first worker did not take both jobs; provider calls %d", calls.Load())
		}
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.wait(t, 10*time.Second)
	second := startProc(t, workerEnv, "worker")

	var got answer
	select {
	case got = <-syncDone:
	case <-time.After(60 * time.Second):
		t.Fatal("the waiting caller got no answer")
	}
	if got.err != nil || got.r.Status != 200 {
		t.Fatalf("sync answer = %d %v %s, want 200", got.r.Status, got.err, got.r.Body)
	}
	syncJob := jobOf(t, got.r)
	asyncJob := pollFinal(t, api.URL, tok, asyncID, 30*time.Second)

	for name, j := range map[string]map[string]any{"sync": syncJob, "async": asyncJob} {
		if j["status"] != "succeeded" || j["attempts"] != 2.0 {
			t.Errorf("%s job = status %v attempts %v, want succeeded after 2 attempts", name, j["status"], j["attempts"])
			continue
		}
		u := j["result"].(map[string]any)["usage"].(map[string]any)
		if u["prompt_tokens"] != 777.0 {
			t.Errorf("%s job result usage = %v, want the second worker's answer (777 prompt tokens)", name, u)
		}
	}
	// The caller sees one result: reading the job again gives the same one.
	again := jobOf(t, servicetest.Do(t, "GET", api.URL+"/api/v2/queue/"+syncJob["id"].(string), tok, ""))
	if jsonString(again["result"]) != jsonString(syncJob["result"]) || again["finished_at"] != syncJob["finished_at"] {
		t.Errorf("job read back = %v, want the answer the caller got %v", again, syncJob)
	}
	st := servicetest.Do(t, "GET", api.URL+"/api/v2/queue/status", tok, "").JSON(t)["queues"].(map[string]any)["text"].(map[string]any)
	if st["succeeded_1h"] != 2.0 || st["failed_1h"] != 0.0 || st["running"] != 0.0 || st["queued"] != 0.0 {
		t.Errorf("text queue stats = %v, want 2 succeeded and nothing else", st)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("provider calls = %d, want 4 (2 cut by the kill, 2 completions)", n)
	}
	m := servicetest.Do(t, "GET", second.URL+"/metrics", "", "")
	if !strings.Contains(string(m.Body), `llm_queue_lease_recoveries_total{queue="text"} 2`) {
		t.Errorf("second worker's metrics lack 2 lease recoveries:\n%s", grepLines(string(m.Body), "lease_recoveries"))
	}
	figures(t, "jobs_accepted", 2, "jobs_completed", 2, "jobs_lost", 0, "duplicate_results", 0,
		"provider_calls", calls.Load(), "lease_recoveries", 2)
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestSIGTERMUnderLoad stops a service process with SIGTERM while requests
// wait on running and queued jobs. Every request gets an HTTP answer; no
// connection is cut. A new process on the same Redis finishes the rest:
// every accepted job ends succeeded.
func TestSIGTERMUnderLoad(t *testing.T) {
	servicetest.SkipShort(t, "crash: a service process stopped with SIGTERM under load")
	t.Parallel()
	const n = 40
	content := personalityContent(t)
	fake := openaitest.New(t)
	var calls atomic.Int32
	fake.SetDefault(func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		calls.Add(1)
		r := openaitest.Completion(req.Model, content, 10, 10)
		r.Delay = 400 * time.Millisecond
		return r
	})
	env := withEnv(crashEnv(t, fake), "TEXT_WORKERS", "4", "SHUTDOWN_TIMEOUT", "10s", "JOB_LEASE", "3s")
	first := startProc(t, env)
	tok := servicetest.Token(t, "sigterm-caller")

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	defer client.CloseIdleConnections()
	answers := newTally()
	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := servicetest.Send("POST", first.URL+"/api/v2/text/character", tok, seeded(1000+i), servicetest.Client(client))
			answers.add(r.Status, err)
			if id := jobID(r); err == nil && id != "" && (r.Status == 200 || r.Status == 202) {
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			}
		})
	}
	// SIGTERM once every request is admitted and the workers are busy.
	servicetest.WaitFor(t, 30*time.Second, "every request admitted and the workers busy", func() bool {
		st, err := servicetest.Send("GET", first.URL+"/api/v2/queue/status", tok, "")
		if err != nil || st.Status != 200 {
			return false
		}
		q := st.JSON(t)["queues"].(map[string]any)["text"].(map[string]any)
		return q["queued"].(float64)+q["running"].(float64)+q["succeeded_1h"].(float64) >= n && calls.Load() >= 6
	})
	sent := time.Now()
	first.signal(t, syscall.SIGTERM)
	wg.Wait()
	answered := time.Since(sent)
	if err := first.wait(t, 30*time.Second); err != nil {
		t.Errorf("process exit after SIGTERM = %v, want a clean exit", err)
	}
	stopped := time.Since(sent)
	t.Logf("answers: %s; all answered %v after SIGTERM, process gone after %v", answers, answered.Round(time.Millisecond), stopped.Round(time.Millisecond))
	if len(answers.errs) > 0 || answers.fivexx() > 0 {
		t.Errorf("in-flight requests: %s; want every one answered 200 or 202", answers)
	}

	second := startProc(t, env)
	succeeded := 0
	for _, id := range ids {
		if j := pollFinal(t, second.URL, tok, id, 60*time.Second); j["status"] == "succeeded" {
			succeeded++
		} else {
			t.Errorf("job %s = %v, want succeeded", id, j["status"])
		}
	}
	if len(ids) != n {
		t.Errorf("accepted jobs = %d, want %d", len(ids), n)
	}
	figures(t, "requests_sent", n, "answers", fmt.Sprint(answers.byStatus), "transport_errors", len(answers.errs),
		"jobs_accepted", len(ids), "jobs_completed", succeeded, "jobs_lost", len(ids)-succeeded,
		"answered_after_sigterm", answered.Round(time.Millisecond), "exit_after_sigterm", stopped.Round(time.Millisecond))
}

// TestSIGTERMHandsBackLongJob stops a process whose running job outlasts
// the shutdown grace period: the job goes back to the queue without using
// up an attempt, and the next process completes it.
func TestSIGTERMHandsBackLongJob(t *testing.T) {
	servicetest.SkipShort(t, "crash: SIGTERM while a job outlasts the shutdown grace")
	t.Parallel()
	content := personalityContent(t)
	fake := openaitest.New(t)
	var calls atomic.Int32
	hung := make(chan struct{}, 1)
	fake.SetDefault(func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		if calls.Add(1) == 1 {
			hung <- struct{}{}
			return openaitest.Reply{Delay: 10 * time.Minute} // outlasts the grace
		}
		return openaitest.Completion(req.Model, content, 10, 10)
	})
	env := withEnv(crashEnv(t, fake), "TEXT_WORKERS", "1", "SHUTDOWN_TIMEOUT", "1s", "READINESS_DRAIN", "0")
	first := startProc(t, env)
	tok := servicetest.Token(t, "handback-caller")
	r := servicetest.Do(t, "POST", first.URL+"/api/v2/text/character", tok, seeded(7), servicetest.Header("Prefer", "respond-async"))
	id := jobID(r)
	select {
	case <-hung:
	case <-time.After(30 * time.Second):
		t.Fatal("the job never reached the provider")
	}
	first.signal(t, syscall.SIGTERM)
	if err := first.wait(t, 20*time.Second); err != nil {
		t.Errorf("exit after SIGTERM = %v", err)
	}
	if n := first.Logs.Count("record job outcome"); n != 0 {
		t.Errorf("the hand-back was not recorded (%d failures):\n%s", n, first.Logs.String())
	}
	second := startProc(t, env)
	j := pollFinal(t, second.URL, tok, id, 30*time.Second)
	if j["status"] != "succeeded" || j["attempts"] != 1.0 {
		t.Errorf("job = %v after %v attempts, want succeeded on its first counted attempt", j["status"], j["attempts"])
	}
	figures(t, "jobs_accepted", 1, "jobs_handed_back", 1, "jobs_completed", 1, "jobs_lost", 0)
}
