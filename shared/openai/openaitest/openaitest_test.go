package openaitest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
)

func client(s *openaitest.Server, key string) *goopenai.Client {
	cfg := goopenai.DefaultConfig(key)
	cfg.BaseURL = s.URL()
	return goopenai.NewClientWithConfig(cfg)
}

func chat(model string) goopenai.ChatCompletionRequest {
	return goopenai.ChatCompletionRequest{Model: model, Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: "hi"}}}
}

func TestCompletionDecodes(t *testing.T) {
	t.Parallel()
	s := openaitest.New(t)
	s.Push("gpt-4o-mini", openaitest.Completion("gpt-4o-mini", `{"a":1}`, 11, 4))

	resp, err := client(s, "k").CreateChatCompletion(t.Context(), chat("gpt-4o-mini"))
	if err != nil {
		t.Fatalf("CreateChatCompletion() = %v", err)
	}
	if got := resp.Choices[0].Message.Content; got != `{"a":1}` {
		t.Errorf("content = %q, want {\"a\":1}", got)
	}
	if diff := cmp.Diff(goopenai.Usage{PromptTokens: 11, CompletionTokens: 4, TotalTokens: 15,
		PromptTokensDetails:     &goopenai.PromptTokensDetails{},
		CompletionTokensDetails: &goopenai.CompletionTokensDetails{}}, resp.Usage); diff != "" {
		t.Errorf("usage mismatch (-want +got):\n%s", diff)
	}
	if resp.Object != "chat.completion" || resp.Choices[0].FinishReason != goopenai.FinishReasonStop {
		t.Errorf("object, finish_reason = %q, %q; want chat.completion, stop", resp.Object, resp.Choices[0].FinishReason)
	}
	rl := resp.GetRateLimitHeaders()
	if rl.LimitRequests != 10000 || rl.RemainingRequests != 9999 || rl.ResetRequests != "6ms" || rl.LimitTokens == 0 {
		t.Errorf("rate limit headers = %+v, want OpenAI-style values", rl)
	}
	if id := resp.Header().Get("x-request-id"); !strings.HasPrefix(id, "req_") {
		t.Errorf("x-request-id = %q, want req_...", id)
	}
}

func TestErrorsDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		reply      openaitest.Reply
		wantStatus int
		wantType   string
		wantCode   any
		retryAfter string
	}{
		{"rate limited", openaitest.RateLimited("20"), 429, "requests", "rate_limit_exceeded", "20"},
		{"quota", openaitest.InsufficientQuota(), 429, "insufficient_quota", "insufficient_quota", ""},
		{"model not found", openaitest.ModelNotFound("gpt-x"), 404, "invalid_request_error", "model_not_found", ""},
		{"server error, code null", openaitest.Error(500, "server_error", "", "boom"), 500, "server_error", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openaitest.New(t)
			s.Push("", tc.reply)
			resp, err := client(s, "k").CreateChatCompletion(t.Context(), chat("gpt-x"))
			var apiErr *goopenai.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("CreateChatCompletion() = %v (%T), want *APIError", err, err)
			}
			if apiErr.HTTPStatusCode != tc.wantStatus || apiErr.Type != tc.wantType || apiErr.Code != tc.wantCode {
				t.Errorf("APIError = %d %q %v, want %d %q %v", apiErr.HTTPStatusCode, apiErr.Type, apiErr.Code, tc.wantStatus, tc.wantType, tc.wantCode)
			}
			if got := resp.Header().Get("Retry-After"); got != tc.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tc.retryAfter)
			}
		})
	}
}

func TestGatewayErrorIsNotJSON(t *testing.T) {
	t.Parallel()
	s := openaitest.New(t)
	s.Push("", openaitest.GatewayError(502))
	_, err := client(s, "k").CreateChatCompletion(t.Context(), chat("m"))
	var reqErr *goopenai.RequestError
	if !errors.As(err, &reqErr) || reqErr.HTTPStatusCode != 502 {
		t.Fatalf("CreateChatCompletion() = %v (%T), want *RequestError with 502", err, err)
	}
}

func TestRefusalDecodes(t *testing.T) {
	t.Parallel()
	s := openaitest.New(t)
	s.Push("", openaitest.Refusal("m", "I can't help with that."))
	resp, err := client(s, "k").CreateChatCompletion(t.Context(), chat("m"))
	if err != nil {
		t.Fatal(err)
	}
	if msg := resp.Choices[0].Message; msg.Refusal != "I can't help with that." || msg.Content != "" {
		t.Errorf("message = %+v, want a refusal without content", msg)
	}
}

func TestCutOffAndNoChoicesDecode(t *testing.T) {
	t.Parallel()
	s := openaitest.New(t)
	s.Push("", openaitest.CutOff("m", `{"traits":["Brave`, 30, 500), openaitest.NoChoices("m"))
	resp, err := client(s, "k").CreateChatCompletion(t.Context(), chat("m"))
	if err != nil {
		t.Fatal(err)
	}
	if ch := resp.Choices[0]; ch.FinishReason != goopenai.FinishReasonLength || ch.Message.Content != `{"traits":["Brave` || resp.Usage.CompletionTokens != 500 {
		t.Errorf("CutOff decodes as %+v with usage %+v, want finish_reason length, the partial content and 500 completion tokens", ch, resp.Usage)
	}
	resp, err = client(s, "k").CreateChatCompletion(t.Context(), chat("m"))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices) != 0 || resp.Object != "chat.completion" {
		t.Errorf("NoChoices decodes as %d choices, object %q; want none, chat.completion", len(resp.Choices), resp.Object)
	}
}

func TestQueuesAndRecording(t *testing.T) {
	t.Parallel()
	s := openaitest.New(t)
	s.Push("", openaitest.Completion("any", "any-1", 1, 1))
	s.Push("b", openaitest.Completion("b", "b-1", 1, 1))
	s.SetDefault(func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		return openaitest.Completion(req.Model, "default", 1, 1)
	})
	c := client(s, "k")
	var got []string
	for _, model := range []string{"b", "b", "a", "a"} {
		resp, err := c.CreateChatCompletion(t.Context(), chat(model))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, resp.Choices[0].Message.Content)
	}
	if diff := cmp.Diff([]string{"b-1", "any-1", "default", "default"}, got); diff != "" {
		t.Errorf("replies mismatch (-want +got):\n%s", diff)
	}
	if s.Calls("a") != 2 || s.Calls("b") != 2 {
		t.Errorf("Calls(a), Calls(b) = %d, %d; want 2, 2", s.Calls("a"), s.Calls("b"))
	}
	reqs := s.Requests()
	if len(reqs) != 4 || reqs[0].Model != "b" || reqs[0].Messages[0].Content != "hi" {
		t.Errorf("Requests() = %+v, want 4 decoded requests", reqs)
	}
	if len(s.Bodies()) != 4 || s.Headers()[0].Get("Authorization") != "Bearer k" {
		t.Errorf("Bodies/Headers not recorded")
	}
}

func TestAPIKey(t *testing.T) {
	t.Parallel()
	s := openaitest.New(t)
	s.SetAPIKey("sk-right-0123456789")
	s.Push("", openaitest.Completion("m", "ok", 1, 1))
	_, err := client(s, "sk-wrong-0123456789").CreateChatCompletion(t.Context(), chat("m"))
	var apiErr *goopenai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 401 || apiErr.Code != "invalid_api_key" {
		t.Fatalf("wrong key: %v, want 401 invalid_api_key", err)
	}
	if strings.Contains(apiErr.Message, "sk-wrong-0123456789") || !strings.Contains(apiErr.Message, "6789") {
		t.Errorf("401 message = %q, want the key masked as OpenAI does", apiErr.Message)
	}
	if _, err := client(s, "sk-right-0123456789").CreateChatCompletion(t.Context(), chat("m")); err != nil {
		t.Errorf("right key: %v, want the queued reply (a 401 must not consume it)", err)
	}
}

func TestDelayEndsWhenClientLeaves(t *testing.T) {
	t.Parallel()
	s := openaitest.New(t)
	s.Push("", openaitest.Reply{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := client(s, "k").CreateChatCompletion(ctx, chat("m"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CreateChatCompletion() = %v, want context.DeadlineExceeded", err)
	}
	// Cleanup closes the server; it would block for the hour if the handler
	// ignored the client leaving.
}

func TestResetMidBody(t *testing.T) {
	t.Parallel()
	s := openaitest.New(t)
	r := openaitest.Completion("m", `{"a":1}`, 1, 1)
	r.ResetMidBody = true
	s.Push("", r, openaitest.Completion("m", `{"a":2}`, 1, 1))
	c := client(s, "k")
	resp, err := c.CreateChatCompletion(t.Context(), chat("m"))
	if err == nil {
		t.Fatalf("CreateChatCompletion() = nil error, want a cut body")
	}
	if resp.Header().Get("x-request-id") == "" {
		t.Errorf("headers of the cut answer missing; want them sent before the cut")
	}
	if _, err := c.CreateChatCompletion(t.Context(), chat("m")); err != nil {
		t.Errorf("next call = %v, want the next reply on a fresh connection", err)
	}
}

func TestUnknownRoute(t *testing.T) {
	t.Parallel()
	s := openaitest.New(t)
	resp, err := http.Get(s.URL() + "/models")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /v1/models status = %d, want 404", resp.StatusCode)
	}
}

func TestBudget(t *testing.T) {
	t.Parallel()
	s := openaitest.New(t)
	s.SetBudget("gpt-x", openaitest.Budget{Requests: 2, Tokens: 1000, Window: time.Minute})
	s.SetDefault(func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		return openaitest.Completion(req.Model, "{}", 1, 1)
	})
	c := client(s, "k")
	req := chat("gpt-x") // "hi": 1 token
	req.MaxTokens = 99

	for i, want := range []int{1, 0} {
		resp, err := c.CreateChatCompletion(t.Context(), req)
		if err != nil {
			t.Fatalf("call %d: CreateChatCompletion() = %v", i+1, err)
		}
		rl := resp.GetRateLimitHeaders()
		if rl.LimitRequests != 2 || rl.RemainingRequests != want || rl.LimitTokens != 1000 || rl.RemainingTokens != 1000-100*(i+1) {
			t.Errorf("call %d: rate limit headers = %+v, want 2/%d requests, 1000/%d tokens", i+1, rl, want, 1000-100*(i+1))
		}
		if d, err := time.ParseDuration(rl.ResetRequests.String()); err != nil || d <= 0 || d > time.Minute || rl.ResetTokens != rl.ResetRequests {
			t.Errorf("call %d: resets = %q, %q; want the same duration within the minute", i+1, rl.ResetRequests, rl.ResetTokens)
		}
	}

	resp, err := c.CreateChatCompletion(t.Context(), req)
	var apiErr *goopenai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusTooManyRequests || apiErr.Code != "rate_limit_exceeded" {
		t.Fatalf("third call = %v, want 429 rate_limit_exceeded", err)
	}
	if rl := resp.GetRateLimitHeaders(); rl.RemainingRequests != 0 || rl.ResetRequests == "" {
		t.Errorf("429 rate limit headers = %+v, want 0 requests remaining and a reset", rl)
	}
	if diff := cmp.Diff([]int{2}, s.Windows("gpt-x")); diff != "" {
		t.Errorf("Windows() mismatch (-want +got):\n%s", diff)
	}
	if n := s.Refused("gpt-x"); n != 1 {
		t.Errorf("Refused() = %d, want 1", n)
	}
}
