package openai_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/shared/openai"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/provider"
)

// answerAll makes the fake answer every call with a valid completion.
func answerAll(s *openaitest.Server) {
	s.SetDefault(func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		return openaitest.Completion(req.Model, answerA, 10, 5)
	})
}

// realClock gives a test env the wall clock and real, ctx-aware waits.
func realClock(c *openai.Config) {
	c.Sleep, c.Now = nil, nil
	c.InlineRetryAfterMax = 5 * time.Second
}

func TestPacingHoldsCallsPastTheBudgetForTheReset(t *testing.T) {
	t.Parallel()
	const budget, extra = 4, 3
	e := newEnv(t, []string{"gpt-a"}, realClock)
	e.srv.SetBudget("gpt-a", openaitest.Budget{Requests: budget, Window: time.Second})
	answerAll(e.srv)

	// The first answer tells the pacer the budget.
	if _, err := e.c.Complete(t.Context(), baseRequest()); err != nil {
		t.Fatalf("first Complete() = %v", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, budget-1+extra)
	for range budget - 1 + extra {
		wg.Go(func() {
			_, err := e.c.Complete(t.Context(), baseRequest())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Complete() = %v, want nil", err)
		}
	}

	if n := e.srv.Refused("gpt-a"); n != 0 {
		t.Errorf("server refused %d calls with 429, want 0", n)
	}
	w := e.srv.Windows("gpt-a")
	later := 0
	for _, n := range w[1:] {
		later += n
	}
	if len(w) < 2 || w[0] != budget || later != extra {
		t.Errorf("calls per budget window = %v, want %d in the first and %d after its reset", w, budget, extra)
	}
	if got := gather(t, e.reg)[`llm_openai_pace_wait_seconds_count{model="gpt-a"}`]; got != extra {
		t.Errorf("paced waits = %v, want %d", got, extra)
	}
}

func TestPacingPerModelAndFallback(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"gpt-a", "gpt-b"}, nil)
	// Resets far beyond the inline wait (2s by default).
	e.srv.SetBudget("gpt-a", openaitest.Budget{Requests: 1, Window: time.Minute})
	e.srv.SetBudget("gpt-b", openaitest.Budget{Requests: 2, Window: 30 * time.Second})
	answerAll(e.srv)

	res, err := e.c.Complete(t.Context(), baseRequest())
	if err != nil || res.Model != "gpt-a" {
		t.Fatalf("first Complete() = %q, %v; want an answer from gpt-a", res.Model, err)
	}

	// gpt-a's budget is spent: the chain goes on to gpt-b without calling it.
	res, err = e.c.Complete(t.Context(), baseRequest())
	if err != nil || res.Model != "gpt-b" || len(res.Calls) != 1 {
		t.Fatalf("second Complete() = %q with %d calls, %v; want one call, answered by gpt-b", res.Model, len(res.Calls), err)
	}
	start := baseRequest()
	start.StartModel = "gpt-b"
	if _, err := e.c.Complete(t.Context(), start); err != nil {
		t.Fatalf("Complete() from gpt-b = %v, want an answer", err)
	}

	// Both budgets spent: RateLimited with the soonest reset, and no call.
	res, err = e.c.Complete(t.Context(), baseRequest())
	pe, ok := provider.As(err)
	if !ok || pe.Kind != provider.RateLimited || pe.Code != "paced" || pe.RetryAfter <= 29*time.Second || pe.RetryAfter > 30*time.Second {
		t.Fatalf("Complete() with both budgets spent = %v, want RateLimited (paced) with RetryAfter of gpt-b's reset, about 30s", err)
	}
	if len(res.Calls) != 0 {
		t.Errorf("Complete() with both budgets spent made %d calls, want 0", len(res.Calls))
	}
	if a, b := e.srv.Calls("gpt-a"), e.srv.Calls("gpt-b"); a != 1 || b != 2 {
		t.Errorf("server calls gpt-a, gpt-b = %d, %d; want 1, 2", a, b)
	}
	if n := e.srv.Refused("gpt-a") + e.srv.Refused("gpt-b"); n != 0 {
		t.Errorf("server refused %d calls with 429, want 0", n)
	}
	if got := e.rec.waits(); len(got) != 0 {
		t.Errorf("sleeps = %v, want none", got)
	}
	m := gather(t, e.reg)
	if a, b := m[`llm_openai_pace_deferrals_total{model="gpt-a"}`], m[`llm_openai_pace_deferrals_total{model="gpt-b"}`]; a != 2 || b != 1 {
		t.Errorf("pace deferrals gpt-a, gpt-b = %v, %v; want 2, 1", a, b)
	}
}

func TestPacingIgnoresMalformedHeaders(t *testing.T) {
	t.Parallel()
	// Each reply says the request budget is spent for 10s, a wait past the
	// inline cap, unless the pacer ignores the headers as it must.
	spent := func(kv ...string) openaitest.Reply {
		r := openaitest.Completion("gpt-a", answerA, 10, 5)
		r = withHeader(r, "x-ratelimit-remaining-requests", "0")
		r = withHeader(r, "x-ratelimit-reset-requests", "10s")
		for i := 0; i < len(kv); i += 2 {
			r = withHeader(r, kv[i], kv[i+1])
		}
		return r
	}
	tests := []struct {
		name  string
		reply openaitest.Reply
		paced bool
	}{
		{"well formed", spent(), true},
		{"reset in hours and minutes", spent("x-ratelimit-reset-requests", "1h0m0s"), true},
		{"reset not a duration", spent("x-ratelimit-reset-requests", "soon"), false},
		{"reset negative", spent("x-ratelimit-reset-requests", "-10s"), false},
		{"reset empty", spent("x-ratelimit-reset-requests", ""), false},
		{"remaining not a number", spent("x-ratelimit-remaining-requests", "none"), false},
		{"remaining negative", spent("x-ratelimit-remaining-requests", "-1"), false},
		{"remaining above limit", spent("x-ratelimit-limit-requests", "10", "x-ratelimit-remaining-requests", "11"), false},
		{"limit zero", spent("x-ratelimit-limit-requests", "0"), false},
		{"limit overflows", spent("x-ratelimit-limit-requests", "99999999999999999999999"), false},
		{"tokens malformed too", spent("x-ratelimit-remaining-tokens", "1e9", "x-ratelimit-reset-tokens", "6 minutes"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, []string{"gpt-a"}, nil)
			e.srv.Push("gpt-a", tc.reply, openaitest.Completion("gpt-a", answerA, 10, 5))

			if _, err := e.c.Complete(t.Context(), baseRequest()); err != nil {
				t.Fatalf("first Complete() = %v", err)
			}
			_, err := e.c.Complete(t.Context(), baseRequest())
			pe, _ := provider.As(err)
			if paced := pe != nil && pe.Code == "paced"; paced != tc.paced || (!paced && err != nil) {
				t.Errorf("second Complete() = %v; want paced %v", err, tc.paced)
			}
		})
	}
}

func TestPacingWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	waiting := make(chan time.Duration, 1)
	e := newEnv(t, []string{"gpt-a"}, func(c *openai.Config) {
		realClock(c)
		c.InlineRetryAfterMax = 2 * time.Minute
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			waiting <- d
			return provider.Sleep(ctx, d)
		}
	})
	e.srv.SetBudget("gpt-a", openaitest.Budget{Requests: 1, Window: time.Minute})
	answerAll(e.srv)
	if _, err := e.c.Complete(t.Context(), baseRequest()); err != nil {
		t.Fatalf("first Complete() = %v", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := e.c.Complete(ctx, baseRequest())
		done <- err
	}()
	if d := <-waiting; d < 50*time.Second {
		t.Errorf("paced wait = %v, want the rest of the minute's window", d)
	}
	cancel()

	checkErr(t, &errView{Kind: provider.Canceled}, <-done)
	if n := e.srv.Calls("gpt-a"); n != 1 {
		t.Errorf("server calls = %d, want 1 (the cancelled call is never made)", n)
	}
}

func TestPacingWithoutHeadersNeverWaits(t *testing.T) {
	t.Parallel()
	// Local OpenAI-compatible servers send no x-ratelimit headers.
	e := newEnv(t, []string{"llama3"}, nil)
	bare := openaitest.Completion("llama3", answerA, 10, 5)
	bare.Header = http.Header{}
	e.srv.SetDefault(func(goopenai.ChatCompletionRequest) openaitest.Reply { return bare })
	for range 5 {
		if _, err := e.c.Complete(t.Context(), baseRequest()); err != nil {
			t.Fatalf("Complete() = %v", err)
		}
	}
	if got := e.rec.waits(); len(got) != 0 {
		t.Errorf("sleeps = %v, want none", got)
	}
}
