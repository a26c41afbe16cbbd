package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// replicas is how many service processes a scale-out test runs.
const replicas = 3

// TestScaleOut runs three service processes against the test Redis Cluster
// (REDIS_MODE=cluster), sharing one key prefix and one fake OpenAI:
// identical requests spread over the three make one provider call, the
// per-caller limit holds across them, and a replica killed mid-job loses
// nothing.
func TestScaleOut(t *testing.T) {
	servicetest.SkipShort(t, "scale-out: three service processes on a Redis Cluster")
	t.Parallel()
	rdb, prefix := redistest.NewCluster(t)
	url := clusterURL(redistest.ClusterAddrs(t))
	content := personalityContent(t)
	base := map[string]string{
		"REDIS_MODE": "cluster", "REDIS_URL": url, "SECRET_KEY": servicetest.TestKey,
		"OPENAI_API_KEY": "sk-scaleout-test-0123456789", "OPENAI_MODELS": "gpt-4o", "OPENAI_MAX_RETRIES": "0",
		"IMAGE_WORKERS": "0", "LOG_LEVEL": "INFO",
	}

	// The dedup and kill subtests share three replicas with a short lease,
	// so a killed replica's jobs are taken back within seconds.
	fake := newReplicaFake(t, content)
	procs := startReplicas(t, withEnv(base, "REDIS_KEY_PREFIX", prefix, "TEXT_RATE_LIMIT", "100000", "JOB_LEASE", "2s"), fake)

	t.Run("identical requests make one provider call", func(t *testing.T) {
		const n = 1000
		tok := servicetest.Token(t, "scaleout-dedup")
		release := fake.hold()
		defer release()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
		defer client.CloseIdleConnections()

		answers := make([]servicetest.Response, n)
		errs := make([]error, n)
		var answered sync.WaitGroup
		var finished atomic.Int32
		for i := range n {
			answered.Go(func() {
				answers[i], errs[i] = servicetest.Send("POST", procs[i%replicas].URL+"/api/v2/text/character?wait=60", tok, seeded(4242), servicetest.Client(client))
				finished.Add(1)
			})
		}
		// Hold the one provider call until every request has joined its
		// job, so all n are in flight at once, spread over the replicas.
		// An answer before that (an error) ends the wait: the checks below
		// report it.
		servicetest.WaitFor(t, 60*time.Second, "every request joined or calling the provider", func() bool {
			return finished.Load() > 0 || int(metricSum(t, `llm_queue_dedup_hits_total{queue="text"}`, procs...))+fake.total() >= n
		})
		joined := metricSum(t, `llm_queue_dedup_hits_total{queue="text"}`, procs...)
		release()
		answered.Wait()

		if got := fake.total(); got != 1 {
			t.Errorf("provider calls = %d, want 1 for %d identical requests", got, n)
		}
		if joined != n-1 {
			t.Errorf("requests that joined the live job = %v, want %d", joined, n-1)
		}
		byStatus := map[int]int{}
		var jobIDs, results, dedup []string
		for i, r := range answers {
			if errs[i] != nil {
				t.Errorf("request %d: %v", i, errs[i])
				continue
			}
			byStatus[r.Status]++
			var job map[string]any
			switch r.Status {
			case http.StatusOK:
				job = jobOf(t, r)
			case http.StatusAccepted:
				job = pollFinal(t, procs[i%replicas].URL, tok, jobID(r), 30*time.Second)
			default:
				t.Errorf("request %d = %d %s, want 200 or 202", i, r.Status, r.Body)
				continue
			}
			if job["status"] != "succeeded" {
				t.Errorf("request %d: job %v is %v, want succeeded", i, job["id"], job["status"])
			}
			jobIDs = appendNew(jobIDs, fmt.Sprint(job["id"]))
			results = appendNew(results, jsonString(job["result"]))
			if r.Header.Get("X-Deduplicated") == "true" {
				dedup = append(dedup, fmt.Sprint(job["id"]))
			}
		}
		if len(jobIDs) != 1 || len(results) != 1 {
			t.Errorf("answers name %d jobs %v with %d different results, want one job and one result", len(jobIDs), jobIDs, len(results))
		}
		if len(dedup) != n-1 {
			t.Errorf("answers marked X-Deduplicated = %d, want %d", len(dedup), n-1)
		}
		figures(t, "requests", n, "replicas", replicas, "answers", fmt.Sprint(byStatus), "provider_calls", fake.total(), "joined", joined)
	})

	t.Run("the limiter admits exactly its limit across the replicas", func(t *testing.T) {
		// A limit of L a minute refills one request every 60/L s: the burst
		// is exact while it lasts less than that (3 s here).
		const limit = 20
		const n = 3 * limit
		lfake := newReplicaFake(t, content)
		lprocs := startReplicas(t, withEnv(base, "REDIS_KEY_PREFIX", redistest.Prefix(t, rdb), "TEXT_RATE_LIMIT", strconv.Itoa(limit)), lfake)
		tok := servicetest.Token(t, "scaleout-burst")
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
		defer client.CloseIdleConnections()
		for _, p := range lprocs { // open the connections before the burst
			servicetest.Do(t, "GET", p.URL+"/health", "", "", servicetest.Client(client))
		}

		answers := make([]servicetest.Response, n)
		errs := make([]error, n)
		gate := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-gate
				answers[i], errs[i] = servicetest.Send("POST", lprocs[i%replicas].URL+"/api/v2/text/character", tok, seeded(6000+i),
					servicetest.Client(client), servicetest.Header("Prefer", "respond-async"))
			})
		}
		start := time.Now()
		close(gate)
		wg.Wait()
		took := time.Since(start)

		byStatus := map[int]int{}
		var admitted []string
		for i, r := range answers {
			if errs[i] != nil {
				t.Errorf("request %d: %v", i, errs[i])
				continue
			}
			byStatus[r.Status]++
			switch r.Status {
			case http.StatusAccepted:
				admitted = append(admitted, jobID(r))
			case http.StatusTooManyRequests:
				p := r.JSON(t)
				if r.Header.Get("Content-Type") != "application/problem+json" || p["code"] != "RATE_LIMITED" || p["status"] != 429.0 || r.Header.Get("Retry-After") == "" {
					t.Errorf("refusal %d = %s %v %s, want an application/problem+json RATE_LIMITED with Retry-After", i, r.Header.Get("Content-Type"), r.Header, r.Body)
				}
			default:
				t.Errorf("request %d = %d %s, want 202 or 429", i, r.Status, r.Body)
			}
		}
		if byStatus[http.StatusAccepted] != limit || byStatus[http.StatusTooManyRequests] != n-limit {
			t.Errorf("burst of %d across %d replicas in %v, limit %d/min: statuses %v, want %d admitted and %d refused",
				n, replicas, took.Round(time.Millisecond), limit, byStatus, limit, n-limit)
		}
		if got := metricSum(t, `llm_ratelimit_refused_total{group="text"}`, lprocs...); got != n-limit {
			t.Errorf("refusals counted by the replicas = %v, want %d", got, n-limit)
		}
		for _, id := range admitted {
			if j := pollFinal(t, lprocs[0].URL, tok, id, 30*time.Second); j["status"] != "succeeded" {
				t.Errorf("admitted job %s = %v, want succeeded", id, j["status"])
			}
		}
		if got := lfake.total(); got != len(admitted) {
			t.Errorf("provider calls = %d, want one per admitted request (%d)", got, len(admitted))
		}
		figures(t, "requests", n, "replicas", replicas, "limit_per_min", limit, "answers", fmt.Sprint(byStatus), "burst_took", took.Round(time.Millisecond))
	})

	t.Run("a replica killed mid-job loses nothing", func(t *testing.T) {
		const n = 6
		tok := servicetest.Token(t, "scaleout-kill")
		before := queueStats(t, procs[0].URL, tok)
		release := fake.hold()
		defer release()
		callsBefore := fake.total()

		ids := make([]string, n)
		for i := range n {
			r := servicetest.Do(t, "POST", procs[i%replicas].URL+"/api/v2/text/character", tok, seeded(7000+i), servicetest.Header("Prefer", "respond-async"))
			if r.Status != http.StatusAccepted {
				t.Fatalf("async request %d = %d %s, want 202", i, r.Status, r.Body)
			}
			ids[i] = jobID(r)
		}
		servicetest.WaitFor(t, 30*time.Second, "every job's provider call held", func() bool { return fake.heldTotal() == n })

		// The victim is the replica whose workers hold the most calls.
		held := fake.heldBy()
		victim := 0
		for i, h := range held {
			if h > held[victim] {
				victim = i
			}
		}
		var survivors []*proc
		for i, p := range procs {
			if i != victim {
				survivors = append(survivors, p)
			}
		}
		recoveredBefore := metricSum(t, `llm_queue_lease_recoveries_total{queue="text"}`, survivors...)
		if err := procs[victim].cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		procs[victim].wait(t, 10*time.Second)
		servicetest.WaitFor(t, 10*time.Second, "the victim's provider calls cut", func() bool { return fake.heldBy()[victim] == 0 })
		victimCalls := fake.callsBy()[victim]
		release()

		attempts := 0
		for _, id := range ids {
			j := pollFinal(t, survivors[0].URL, tok, id, 30*time.Second)
			if j["status"] != "succeeded" {
				t.Errorf("job %s = %v, want succeeded", id, j["status"])
				continue
			}
			a, _ := j["attempts"].(float64)
			attempts += int(a)
			again := jobOf(t, servicetest.Do(t, "GET", survivors[1].URL+"/api/v2/queue/"+id, tok, ""))
			if again["finished_at"] != j["finished_at"] || jsonString(again["result"]) != jsonString(j["result"]) {
				t.Errorf("job %s read back from another replica = %v, want the one final record %v", id, again, j)
			}
		}
		if attempts != n+held[victim] {
			t.Errorf("attempts over the %d jobs = %d, want %d: one more for each of the %d the victim held", n, attempts, n+held[victim], held[victim])
		}
		if got := fake.total() - callsBefore; got != n+held[victim] {
			t.Errorf("provider calls = %d, want %d (%d jobs, %d cut by the kill)", got, n+held[victim], n, held[victim])
		}
		if got := fake.callsBy()[victim]; got != victimCalls {
			t.Errorf("provider calls of the killed replica = %d after its death, want %d", got, victimCalls)
		}
		recovered := metricSum(t, `llm_queue_lease_recoveries_total{queue="text"}`, survivors...) - recoveredBefore
		if int(recovered) != held[victim] {
			t.Errorf("lease recoveries on the survivors = %v, want %d", recovered, held[victim])
		}
		after := queueStats(t, survivors[0].URL, tok)
		if after["succeeded_1h"]-before["succeeded_1h"] != n || after["failed_1h"] != before["failed_1h"] || after["running"] != 0 || after["queued"] != 0 {
			t.Errorf("text queue stats %v -> %v, want %d more succeeded and nothing else", before, after, n)
		}
		figures(t, "jobs_accepted", n, "held_by_replica", fmt.Sprint(held), "victim", victim, "jobs_completed", n,
			"jobs_lost", 0, "lease_recoveries", recovered, "provider_calls", fake.total()-callsBefore)
	})
}

// clusterURL is a REDIS_URL for REDIS_MODE=cluster seeded with addrs.
func clusterURL(addrs []string) string {
	return "redis://" + addrs[0] + "?addr=" + strings.Join(addrs[1:], "&addr=")
}

// startReplicas starts the service processes with env, each with a base
// URL of its own on fake.
func startReplicas(t testing.TB, env map[string]string, fake *replicaFake) []*proc {
	t.Helper()
	procs := make([]*proc, replicas)
	for i := range procs {
		procs[i] = startProc(t, withEnv(env, "OPENAI_BASE_URL", fake.baseURL(i)))
	}
	return procs
}

// queueStats returns the text queue's counts from GET /api/v2/queue/status.
func queueStats(t testing.TB, base, tok string) map[string]float64 {
	t.Helper()
	r := servicetest.Do(t, "GET", base+"/api/v2/queue/status", tok, "")
	var st struct {
		Queues map[string]map[string]float64 `json:"queues"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &st) != nil || st.Queues["text"] == nil {
		t.Fatalf("queue status = %d %s", r.Status, r.Body)
	}
	return st.Queues["text"]
}

// metricSum adds up one series, e.g. `llm_queue_dedup_hits_total{queue="text"}`,
// over the processes' /metrics; a process without it counts 0.
func metricSum(t testing.TB, series string, procs ...*proc) float64 {
	t.Helper()
	sum := 0.0
	for _, p := range procs {
		r := servicetest.Do(t, "GET", p.URL+"/metrics", "", "")
		for _, line := range strings.Split(string(r.Body), "\n") {
			if v, ok := strings.CutPrefix(line, series+" "); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatalf("metric line %q: %v", line, err)
				}
				sum += f
			}
		}
	}
	return sum
}

func appendNew(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// replicaFake is a fake OpenAI the replicas share, each under a base URL of
// its own (/r0/v1, /r1/v1, ...), so it knows which replica makes a call.
// It answers every call with content; while held, calls wait for the
// release, or until their caller goes away.
type replicaFake struct {
	content string
	srv     *httptest.Server

	mu    sync.Mutex
	gate  chan struct{} // closed on release; nil when not held
	calls [replicas]int // calls that arrived, by replica
	held  [replicas]int // calls waiting for the release, by replica
}

func newReplicaFake(t testing.TB, content string) *replicaFake {
	t.Helper()
	f := &replicaFake{content: content}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// baseURL is replica i's OPENAI_BASE_URL.
func (f *replicaFake) baseURL(i int) string { return fmt.Sprintf("%s/r%d/v1", f.srv.URL, i) }

// hold makes calls wait until release is called (release may be called
// more than once).
func (f *replicaFake) hold() (release func()) {
	gate := make(chan struct{})
	f.mu.Lock()
	f.gate = gate
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			f.gate = nil
			f.mu.Unlock()
			close(gate)
		})
	}
}

func (f *replicaFake) serve(w http.ResponseWriter, r *http.Request) {
	var i int
	if _, err := fmt.Sscanf(r.URL.Path, "/r%d/v1/chat/completions", &i); err != nil || i < 0 || i >= replicas || r.Method != http.MethodPost {
		http.Error(w, "replicaFake: no such route", http.StatusNotFound)
		return
	}
	var req goopenai.ChatCompletionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model == "" {
		http.Error(w, "replicaFake: not a chat request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls[i]++
	gate := f.gate
	if gate != nil {
		f.held[i]++
	}
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		f.mu.Lock()
		f.held[i]--
		f.mu.Unlock()
		if r.Context().Err() != nil {
			return
		}
	}
	reply := openaitest.Completion(req.Model, f.content, 10, 10)
	for k, v := range reply.Header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(reply.Status)
	w.Write(reply.Body)
}

// total is the number of calls from every replica.
func (f *replicaFake) total() int {
	n := 0
	for _, c := range f.callsBy() {
		n += c
	}
	return n
}

// heldTotal is the number of calls waiting for the release.
func (f *replicaFake) heldTotal() int {
	n := 0
	for _, c := range f.heldBy() {
		n += c
	}
	return n
}

func (f *replicaFake) callsBy() [replicas]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *replicaFake) heldBy() [replicas]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.held
}
