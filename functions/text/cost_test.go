package text

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/openai"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
	"github.com/dndcc/dnd-llm-service/shared/textgen"
)

// jobEnv runs text jobs through a real queue and the OpenAI client against
// the wire-faithful fake, with the service's two-model chain.
type jobEnv struct {
	fake   *openaitest.Server
	svc    *Service
	q      *queue.Queue
	runner *queue.Runner
}

func newJobEnv(t testing.TB) *jobEnv {
	t.Helper()
	rdb, prefix := redistest.New(t)
	fake := openaitest.New(t)
	c, err := openai.New(openai.Config{
		BaseURL: fake.URL(), Models: []string{"gpt-4o", "gpt-4o-mini"},
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := New(Config{Generator: textgen.NewOpenAI(c), Logger: slog.New(slog.DiscardHandler)})
	return &jobEnv{
		fake: fake, svc: svc,
		q:      queue.New(rdb, queue.Config{Name: QueueName, Prefix: prefix, FailureCode: httpapi.CodeTextGenerationFailed, MaxAttempts: 3}),
		runner: queue.NewRunner(queue.RunnerConfig{Handlers: queue.HandlerMap(svc.Handlers())}),
	}
}

// run enqueues a combat request and runs it, attempt after attempt, until
// it is final.
func (e *jobEnv) run(t testing.TB) *queue.Job {
	t.Helper()
	ctx := context.Background()
	sub, err := e.svc.Request(dnd.CharacterRequest{Type: dnd.TypeCombat}.Normalized(), true)
	if err != nil {
		t.Fatal(err)
	}
	job, _, err := e.q.Enqueue(ctx, queue.EnqueueRequest{Kind: sub.Kind, Owner: "caller", Payload: sub.Payload, ClaimAs: "w"})
	if err != nil || job.Status != queue.StatusRunning {
		t.Fatalf("Enqueue() = %+v, %v; want a job claimed at once", job, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		job, err = e.runner.Execute(ctx, e.q, job)
		if err != nil {
			t.Fatalf("Execute() = %v", err)
		}
		if job.Status.Final() {
			return job
		}
		// A retry: wait until it is due and claim it again.
		id := job.ID
		for {
			c, err := e.q.Claim(ctx, "w", id)
			if err != nil {
				t.Fatal(err)
			}
			if c.Job != nil {
				job = c.Job
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s was not claimable again within 10s", id)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// answers answers every request with a valid draft for its schema
// (openaitest.Arbitrary), changed by edit when it is set, billed as 700
// prompt and 350 completion tokens.
func answers(seed uint64, edit func(draft map[string]any)) func(goopenai.ChatCompletionRequest) openaitest.Reply {
	arbitrary := openaitest.Arbitrary(seed)
	return func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		var body struct {
			Choices []struct{ Message struct{ Content string } }
		}
		_ = json.Unmarshal(arbitrary(req).Body, &body)
		var draft map[string]any
		_ = json.Unmarshal([]byte(body.Choices[0].Message.Content), &draft)
		if edit != nil {
			edit(draft)
		}
		b, _ := json.Marshal(draft)
		return openaitest.Completion(req.Model, string(b), 700, 350)
	}
}

// TestJobWithInvalidAnswersFailsOnce is a combat job whose model only ever
// writes about someone else (a class other than the character's): a call
// and a repair turn on each model, four paid calls, then the job fails for
// good in its first attempt, naming the field.
func TestJobWithInvalidAnswersFailsOnce(t *testing.T) {
	t.Parallel()
	e := newJobEnv(t)
	e.fake.SetDefault(answers(1, func(d map[string]any) { d["character"].(map[string]any)["class"] = "Accountant" }))
	job := e.run(t)
	if job.Status != queue.StatusFailed || job.Attempts != 1 || job.ErrorCode() != httpapi.CodeTextGenerationFailed {
		t.Errorf("job = %s after %d attempts with %s, want failed after 1 with %s",
			job.Status, job.Attempts, job.ErrorCode(), httpapi.CodeTextGenerationFailed)
	}
	if !strings.Contains(string(job.Error), "did not pass validation") || !strings.Contains(string(job.Error), "character.class") {
		t.Errorf("job error = %s, want it to say the answers did not pass validation at character.class", job.Error)
	}
	if got := len(e.fake.Requests()); got != openai.DefaultMaxPaidCalls {
		t.Errorf("provider calls = %d, want %d", got, openai.DefaultMaxPaidCalls)
	}
}

// TestJobAfterAStormSucceeds checks that failures before an answer cost no
// job and no paid call: within one attempt (retries and the fallback absorb
// them) and across attempts (the queue retries the job).
func TestJobAfterAStormSucceeds(t *testing.T) {
	t.Parallel()
	boom := openaitest.Error(500, "server_error", "", "The server had an error while processing your request.")
	tests := []struct {
		name         string
		storm        map[string][]openaitest.Reply
		wantAttempts int
	}{
		{"absorbed in one attempt", map[string][]openaitest.Reply{
			"gpt-4o":      {openaitest.RateLimited("1"), boom, openaitest.GatewayError(502)},
			"gpt-4o-mini": {openaitest.Error(503, "server_error", "", "overloaded"), openaitest.NoChoices("gpt-4o-mini")},
		}, 1},
		{"longer than the chain", map[string][]openaitest.Reply{
			"gpt-4o":      {boom, boom, boom},
			"gpt-4o-mini": {boom, openaitest.GatewayError(504), openaitest.NoChoices("gpt-4o-mini")},
		}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newJobEnv(t)
			storm := 0
			for model, replies := range tc.storm {
				e.fake.Push(model, replies...)
				storm += len(replies)
			}
			e.fake.SetDefault(answers(2, nil))
			job := e.run(t)
			if job.Status != queue.StatusSucceeded || job.Attempts != tc.wantAttempts {
				t.Fatalf("job = %s after %d attempts (%s), want succeeded after %d", job.Status, job.Attempts, job.Error, tc.wantAttempts)
			}
			var res Result
			if err := json.Unmarshal(job.Result, &res); err != nil {
				t.Fatal(err)
			}
			if res.ProviderCalls != 1 || res.Usage.TotalTokens != 1050 {
				t.Errorf("result provider_calls = %d, usage %+v; want 1 paid call of 1050 tokens", res.ProviderCalls, res.Usage)
			}
			if got := len(e.fake.Requests()); got != storm+1 {
				t.Errorf("provider calls = %d, want the %d of the storm and 1 answer", got, storm)
			}
		})
	}
}
