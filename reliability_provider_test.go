package main

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
)

// stormDuration is how long the 429 storm lasts: RELIABILITY_STORM, 6s by
// default (the load command runs it for 30s or more).
func stormDuration(t testing.TB) time.Duration {
	t.Helper()
	if v := os.Getenv("RELIABILITY_STORM"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("RELIABILITY_STORM=%q: want a positive duration", v)
		}
		return d
	}
	return 6 * time.Second
}

// stormRun sends n distinct sync requests at once and returns the answers.
func stormRun(t *testing.T, base, path string, n int, body func(i int) string) (*tally, []servicetest.Response) {
	t.Helper()
	tok := servicetest.Token(t, "storm-caller")
	client := &http.Client{Timeout: 3 * time.Minute}
	defer client.CloseIdleConnections()
	answers := newTally()
	out := make([]servicetest.Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := servicetest.Send("POST", base+path+"?wait=120", tok, body(i), servicetest.Client(client))
			answers.add(r.Status, err)
			out[i] = r
		})
	}
	wg.Wait()
	return answers, out
}

// checkRecovered asserts that every answer is a 200 with a succeeded job.
func checkRecovered(t *testing.T, answers *tally, out []servicetest.Response) int {
	t.Helper()
	ok := 0
	for i, r := range out {
		if r.Status == 200 && jobOf(t, r)["status"] == "succeeded" {
			ok++
			continue
		}
		t.Errorf("request %d = %d %s, want 200 with a succeeded job", i, r.Status, r.Body)
	}
	if answers.fivexx() > 0 || len(answers.errs) > 0 {
		t.Errorf("answers: %s; want no 5xx and no transport error", answers)
	}
	return ok
}

// checkFailed asserts that every answer is the documented problem of a job
// that truly failed: one of statuses with its code, the failed job inside,
// never a 500.
func checkFailed(t *testing.T, out []servicetest.Response, status int, code string) int {
	t.Helper()
	failed := 0
	for i, r := range out {
		if r.Status != status || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("request %d = %d %s, want %d problem", i, r.Status, r.Body, status)
			continue
		}
		m := r.JSON(t)
		if m["code"] != code || jobOf(t, r)["status"] != "failed" {
			t.Errorf("request %d problem = %s, want code %s with the failed job", i, r.Body, code)
			continue
		}
		if httpapi.StatusOf(code) != status {
			t.Errorf("code %s maps to %d, not %d", code, httpapi.StatusOf(code), status)
		}
		failed++
	}
	return failed
}

// TestProviderStormsOpenAI runs text jobs through OpenAI failure storms.
// Storms that end must cost no job; storms that never end must fail the
// jobs with the documented provider problem, never a 500.
func TestProviderStormsOpenAI(t *testing.T) {
	servicetest.SkipShort(t, "fault: text jobs through OpenAI failure storms")
	t.Parallel()
	content := personalityContent(t)
	storm := stormDuration(t)
	truncated := []byte(`{"id":"chatcmpl-cut","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{\"traits`)
	cases := []struct {
		name string
		env  []string
		// reply answers call n (1-based) at elapsed time since the start;
		// ok false means the storm is over and a completion follows.
		reply func(n int32, elapsed time.Duration) (openaitest.Reply, bool)
		// fail: the provider never recovers; every job fails with status and code.
		failStatus int
		failCode   string
	}{
		{
			name: "429 with Retry-After then success",
			reply: func(_ int32, elapsed time.Duration) (openaitest.Reply, bool) {
				// 3 s is over the client's inline wait: the queue pauses.
				return openaitest.RateLimited("3"), elapsed < storm
			},
		},
		{
			name: "5xx burst",
			reply: func(n int32, _ time.Duration) (openaitest.Reply, bool) {
				switch n % 3 {
				case 0:
					return openaitest.Error(500, "server_error", "", "The server had an error while processing your request."), n <= 20
				case 1:
					return openaitest.GatewayError(502), n <= 20
				}
				return openaitest.Error(503, "server_error", "", "The engine is currently overloaded."), n <= 20
			},
		},
		{
			name: "slower than the timeout",
			env:  []string{"OPENAI_REQUEST_TIMEOUT", "0.3"},
			reply: func(n int32, _ time.Duration) (openaitest.Reply, bool) {
				r := openaitest.Completion("gpt-4o", content, 1, 1)
				r.Delay = 3 * time.Second
				return r, n <= 10
			},
		},
		{
			name: "malformed JSON",
			reply: func(n int32, _ time.Duration) (openaitest.Reply, bool) {
				bodies := [][]byte{truncated, []byte("not json at all"), []byte(`{"choices":"nope"}`)}
				return openaitest.Reply{Status: 200, Body: bodies[n%3]}, n <= 10
			},
		},
		{
			name: "connection reset mid-body",
			reply: func(n int32, _ time.Duration) (openaitest.Reply, bool) {
				r := openaitest.Completion("gpt-4o", content, 1, 1)
				r.ResetMidBody = true
				return r, n <= 10
			},
		},
		{
			name: "5xx forever",
			env:  []string{"OPENAI_MAX_RETRIES", "0", "JOB_MAX_ATTEMPTS", "2"},
			reply: func(int32, time.Duration) (openaitest.Reply, bool) {
				return openaitest.Error(500, "server_error", "", "boom"), true
			},
			failStatus: 502, failCode: httpapi.CodeProviderUnavailable,
		},
		{
			name: "timeouts forever",
			env:  []string{"OPENAI_MAX_RETRIES", "0", "JOB_MAX_ATTEMPTS", "2", "OPENAI_REQUEST_TIMEOUT", "0.2"},
			reply: func(int32, time.Duration) (openaitest.Reply, bool) {
				r := openaitest.Completion("gpt-4o", content, 1, 1)
				r.Delay = 5 * time.Second
				return r, true
			},
			failStatus: 504, failCode: httpapi.CodeProviderTimeout,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const n, workers = 12, 4
			fake := openaitest.New(t)
			var calls, stormCalls atomic.Int32
			var start time.Time
			var startOnce sync.Once
			fake.SetDefault(func(req goopenai.ChatCompletionRequest) openaitest.Reply {
				startOnce.Do(func() { start = time.Now() })
				c := calls.Add(1)
				if r, ok := tc.reply(c, time.Since(start)); ok {
					stormCalls.Add(1)
					return r
				}
				return openaitest.Completion(req.Model, content, 10, 10)
			})
			env := map[string]string{
				"OPENAI_BASE_URL": fake.URL(), "OPENAI_API_KEY": "sk-storm-0123456789",
				"TEXT_WORKERS": fmt.Sprint(workers), "TEXT_RATE_LIMIT": "10000",
			}
			for i := 0; i+1 < len(tc.env); i += 2 {
				env[tc.env[i]] = tc.env[i+1]
			}
			s := startService(t, env)
			answers, out := stormRun(t, s.URL, "/api/v2/text/character", n, func(i int) string { return seeded(40000 + i) })
			t.Logf("answers: %s; provider calls %d (%d in the storm)", answers, calls.Load(), stormCalls.Load())
			if tc.failCode != "" {
				failed := checkFailed(t, out, tc.failStatus, tc.failCode)
				figures(t, "jobs_accepted", n, "jobs_failed_documented", failed, "jobs_lost", n-failed,
					"answers", fmt.Sprint(answers.byStatus), "provider_calls", calls.Load())
				return
			}
			ok := checkRecovered(t, answers, out)
			if tc.name == "429 with Retry-After then success" {
				// Back-pressure: each 3 s pause lets at most one call per
				// worker through before the next 429 pauses the queue.
				bound := int32(workers * (int(storm/(3*time.Second)) + 2))
				if stormCalls.Load() > bound {
					t.Errorf("provider calls during the %v storm = %d, want at most %d (workers x pauses)", storm, stormCalls.Load(), bound)
				}
				figures(t, "storm", storm, "calls_bound", bound)
			}
			figures(t, "jobs_accepted", n, "jobs_completed", ok, "jobs_lost", n-ok,
				"requests_sent", n, "api_5xx", answers.fivexx(), "provider_calls", calls.Load(), "storm_calls", stormCalls.Load())
		})
	}
}

// TestProviderStormsGetImg runs image jobs through GetImg failure storms.
func TestProviderStormsGetImg(t *testing.T) {
	servicetest.SkipShort(t, "fault: image jobs through GetImg failure storms")
	t.Parallel()
	rl := getimgtest.ErrorReply(429, "rate_limit_exceeded", "Too many requests.")
	rl.Header.Set("Retry-After", "3") // over the client's inline wait: the queue pauses
	slow := getimgtest.Success(getimgtest.EncodePNG(t, getimgtest.Pattern(256, 256, 1)), 1, 0.001)
	slow.Delay = 3 * time.Second
	reset := getimgtest.Success(getimgtest.EncodePNG(t, getimgtest.Pattern(256, 256, 2)), 2, 0.001)
	reset.ResetMidBody = true
	repeat := func(k int, rs ...getimgtest.Reply) []getimgtest.Reply {
		var out []getimgtest.Reply
		for i := range k {
			out = append(out, rs[i%len(rs)])
		}
		return out
	}
	cases := []struct {
		name       string
		env        []string
		script     []getimgtest.Reply
		failStatus int
		failCode   string
	}{
		{name: "429 with Retry-After then success", script: repeat(8, rl)},
		{name: "5xx burst", script: repeat(12,
			getimgtest.ErrorReply(500, "internal_error", "Internal server error."),
			getimgtest.ErrorReply(502, "bad_gateway", "Bad gateway."),
			getimgtest.ErrorReply(503, "service_unavailable", "Service unavailable."))},
		{name: "slower than the timeout", env: []string{"GETIMG_REQUEST_TIMEOUT", "0.5"}, script: repeat(6, slow)},
		{name: "malformed JSON", script: repeat(6,
			getimgtest.Reply{Status: 200, Body: []byte(`{"image":"iVBORw0`)},
			getimgtest.Reply{Status: 200, Body: []byte(`<html>oops</html>`)})},
		{name: "connection reset mid-body", script: repeat(6, reset)},
		{
			name: "5xx forever", env: []string{"JOB_MAX_ATTEMPTS", "1"},
			script:     repeat(200, getimgtest.ErrorReply(500, "internal_error", "Internal server error.")),
			failStatus: 502, failCode: httpapi.CodeProviderUnavailable,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const n = 8
			fake := getimgtest.New(t)
			fake.Push(getimgtest.PathSDXLText, tc.script...)
			env := map[string]string{
				"GETIMG_BASE_URL": fake.URL(), "GETIMG_API_KEY": getimgtest.APIKey,
				"IMAGE_WORKERS": "4", "IMAGE_RATE_LIMIT": "10000",
			}
			for i := 0; i+1 < len(tc.env); i += 2 {
				env[tc.env[i]] = tc.env[i+1]
			}
			s := startService(t, env)
			answers, out := stormRun(t, s.URL, "/api/v2/image/generate", n, func(i int) string {
				return fmt.Sprintf(`{"type":"map_background","prompt":"a storm-wracked coast","size":{"width":256,"height":256},"parameters":{"seed":%d}}`, 500+i)
			})
			calls := fake.Calls(getimgtest.PathSDXLText)
			t.Logf("answers: %s; provider calls %d", answers, calls)
			if tc.failCode != "" {
				failed := checkFailed(t, out, tc.failStatus, tc.failCode)
				figures(t, "jobs_accepted", n, "jobs_failed_documented", failed, "jobs_lost", n-failed,
					"answers", fmt.Sprint(answers.byStatus), "provider_calls", calls)
				return
			}
			ok := checkRecovered(t, answers, out)
			figures(t, "jobs_accepted", n, "jobs_completed", ok, "jobs_lost", n-ok,
				"requests_sent", n, "api_5xx", answers.fivexx(), "provider_calls", calls, "storm_replies", len(tc.script))
		})
	}
}
