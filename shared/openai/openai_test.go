package openai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/shared/openai"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/provider"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const (
	testKey = "sk-proj-TESTKEYdoNotLeak0123456789abcdef"
	schema  = `{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}`
	answerA = `{"name":"Aria"}`
)

// fixedNow is a whole second, so HTTP-date hints are exact.
var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// recorder replaces Sleep and Now: it records the waits asked for and
// returns at once, and its clock starts at fixedNow and moves only by the
// waits.
type recorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
	slept  time.Duration
}

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sleeps = append(r.sleeps, d)
	r.slept += d
	return ctx.Err()
}

func (r *recorder) now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fixedNow.Add(r.slept)
}

func (r *recorder) waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.sleeps...)
}

// syncBuffer collects log output written from any goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type env struct {
	srv  *openaitest.Server
	c    *openai.Client
	rec  *recorder
	reg  *prometheus.Registry
	logs *syncBuffer
}

// newEnv starts a fake and a client on it with the test key, identity jitter,
// a clock moved only by the recorded sleeps, and debug logs kept for inspection.
func newEnv(tb testing.TB, models []string, mod func(*openai.Config)) *env {
	tb.Helper()
	e := &env{srv: openaitest.New(tb), rec: &recorder{}, reg: prometheus.NewRegistry(), logs: &syncBuffer{}}
	cfg := openai.Config{
		APIKey:     testKey,
		BaseURL:    e.srv.URL(),
		Models:     models,
		Logger:     slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Registerer: e.reg,
		Sleep:      e.rec.sleep,
		Jitter:     func(d time.Duration) time.Duration { return d },
		Now:        e.rec.now,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := openai.New(cfg)
	if err != nil {
		tb.Fatalf("New() = %v", err)
	}
	e.c = c
	tb.Cleanup(func() {
		if strings.Contains(e.logs.String(), testKey) {
			tb.Errorf("logs contain the API key:\n%s", e.logs.String())
		}
	})
	return e
}

func baseRequest() openai.Request {
	return openai.Request{
		Messages: []openai.Message{
			{Role: "system", Content: "You write D&D characters as JSON."},
			{Role: "user", Content: "A half-elf bard."},
		},
		SchemaName: "character",
		Schema:     json.RawMessage(schema),
		Kind:       "text.character",
	}
}

// errView is the part of a provider.Error the tests pin down.
type errView struct {
	Kind       provider.Kind
	Status     int
	Code       string
	RetryAfter time.Duration
}

func viewErr(t *testing.T, err error) *errView {
	t.Helper()
	if err == nil {
		return nil
	}
	pe, ok := provider.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *provider.Error", err, err)
	}
	if pe.Provider != "openai" {
		t.Errorf("Provider = %q, want openai", pe.Provider)
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(pe.Message, testKey) {
		t.Errorf("error contains the API key: %v", err)
	}
	return &errView{pe.Kind, pe.Status, pe.Code, pe.RetryAfter}
}

// checkErr compares err with want (nil = no error).
func checkErr(t *testing.T, want *errView, err error) {
	t.Helper()
	if diff := cmp.Diff(want, viewErr(t, err)); diff != "" {
		t.Errorf("Complete() error mismatch (-want +got):\n%s\nerror: %v", diff, err)
	}
}

func call(model, outcome string, prompt, completion int) openai.Call {
	return openai.Call{Model: model, Outcome: outcome,
		Usage: openai.Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}}
}

func withHeader(r openaitest.Reply, k, v string) openaitest.Reply {
	r.Header = r.Header.Clone()
	r.Header.Set(k, v)
	return r
}

func ptr[T any](v T) *T { return &v }

func TestComplete(t *testing.T) {
	t.Parallel()
	invalid := openaitest.Completion("gpt-a", "Here is your character: {name: Aria", 30, 10)
	wrongShape := openaitest.Completion("gpt-a", `{"name":""}`, 30, 5)
	ok := func(model string) openaitest.Reply { return openaitest.Completion(model, answerA, 40, 8) }
	cut := ok("gpt-a")
	cut.ResetMidBody = true
	requireName := func(b []byte) error {
		var v struct{ Name string }
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		if v.Name == "" {
			return errors.New("name is empty")
		}
		return nil
	}

	tests := []struct {
		name       string
		models     []string // default gpt-a, gpt-b
		cfg        func(*openai.Config)
		script     map[string][]openaitest.Reply
		req        func(*openai.Request)
		wantErr    *errView
		wantModel  string
		wantCalls  []openai.Call
		wantSleeps []time.Duration
		wantState  provider.State
		wantServed map[string]int // requests per model seen by the server
	}{
		{
			name:       "success",
			script:     map[string][]openaitest.Reply{"gpt-a": {ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "ok", 40, 8)},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 1, "gpt-b": 0},
		},
		{
			name:      "answer in a code fence is accepted",
			script:    map[string][]openaitest.Reply{"gpt-a": {openaitest.Completion("gpt-a", "```json\n"+answerA+"\n```", 40, 8)}},
			wantModel: "gpt-a",
			wantCalls: []openai.Call{call("gpt-a", "ok", 40, 8)},
			wantState: provider.StateOK,
		},
		{
			name:       "invalid JSON then repair succeeds",
			script:     map[string][]openaitest.Reply{"gpt-a": {invalid, ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "invalid", 30, 10), call("gpt-a", "ok", 40, 8)},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 2, "gpt-b": 0},
		},
		{
			name:      "Validate failure then repair succeeds",
			script:    map[string][]openaitest.Reply{"gpt-a": {wrongShape, ok("gpt-a")}},
			req:       func(r *openai.Request) { r.Validate = requireName },
			wantModel: "gpt-a",
			wantCalls: []openai.Call{call("gpt-a", "invalid", 30, 5), call("gpt-a", "ok", 40, 8)},
			wantState: provider.StateOK,
		},
		{
			name:       "invalid twice falls back to the next model",
			script:     map[string][]openaitest.Reply{"gpt-a": {invalid, invalid}, "gpt-b": {ok("gpt-b")}},
			wantModel:  "gpt-b",
			wantCalls:  []openai.Call{call("gpt-a", "invalid", 30, 10), call("gpt-a", "invalid", 30, 10), call("gpt-b", "ok", 40, 8)},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 2, "gpt-b": 1},
		},
		{
			name:    "invalid on every model is transient",
			script:  map[string][]openaitest.Reply{"": {invalid, invalid, invalid, invalid}},
			wantErr: &errView{Kind: provider.Transient, Code: "invalid_answer"},
			wantCalls: []openai.Call{call("gpt-a", "invalid", 30, 10), call("gpt-a", "invalid", 30, 10),
				call("gpt-b", "invalid", 30, 10), call("gpt-b", "invalid", 30, 10)},
			wantState: provider.StateOK,
		},
		{
			name:    "invalid answers stop at MaxPaidCalls",
			models:  []string{"gpt-a", "gpt-b", "gpt-c"},
			script:  map[string][]openaitest.Reply{"": {invalid, invalid, invalid, invalid, invalid, invalid}},
			wantErr: &errView{Kind: provider.Transient, Code: openai.CodeInvalidAnswer},
			wantCalls: []openai.Call{call("gpt-a", "invalid", 30, 10), call("gpt-a", "invalid", 30, 10),
				call("gpt-b", "invalid", 30, 10), call("gpt-b", "invalid", 30, 10)},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 2, "gpt-b": 2, "gpt-c": 0},
		},
		{
			name:       "MaxPaidCalls can end a model's repair turn",
			cfg:        func(c *openai.Config) { c.MaxPaidCalls = 3 },
			script:     map[string][]openaitest.Reply{"": {invalid, invalid, invalid, invalid}},
			wantErr:    &errView{Kind: provider.Transient, Code: openai.CodeInvalidAnswer},
			wantCalls:  []openai.Call{call("gpt-a", "invalid", 30, 10), call("gpt-a", "invalid", 30, 10), call("gpt-b", "invalid", 30, 10)},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 2, "gpt-b": 1},
		},
		{
			name:   "failures before an answer do not count toward MaxPaidCalls",
			models: []string{"gpt-a"},
			cfg:    func(c *openai.Config) { c.MaxPaidCalls, c.MaxRetries = 2, 3 },
			script: map[string][]openaitest.Reply{"gpt-a": {invalid, openaitest.Error(500, "server_error", "", "boom"),
				openaitest.GatewayError(502), openaitest.RateLimited("1"), ok("gpt-a")}},
			wantModel: "gpt-a",
			wantCalls: []openai.Call{call("gpt-a", "invalid", 30, 10), call("gpt-a", "transient", 0, 0),
				call("gpt-a", "transient", 0, 0), call("gpt-a", "rate_limited", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{500 * time.Millisecond, time.Second, time.Second},
			wantState:  provider.StateOK,
		},
		{
			name:       "a 200 without choices is retried, not paid",
			models:     []string{"gpt-a"},
			cfg:        func(c *openai.Config) { c.MaxPaidCalls = 1 },
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.NoChoices("gpt-a"), ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "transient", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{500 * time.Millisecond},
			wantState:  provider.StateOK,
		},
		{
			name:       "an answer cut off at the token cap gets its repair turn",
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.CutOff("gpt-a", `{"name":"Ar`, 30, 100), ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "invalid", 30, 100), call("gpt-a", "ok", 40, 8)},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 2, "gpt-b": 0},
		},
		{
			name:      "refusal goes to the next model without repair",
			script:    map[string][]openaitest.Reply{"gpt-a": {openaitest.Refusal("gpt-a", "I can't help with that.")}, "gpt-b": {ok("gpt-b")}},
			wantModel: "gpt-b",
			wantCalls: []openai.Call{call("gpt-a", "refused", 20, 5), call("gpt-b", "ok", 40, 8)},
			wantState: provider.StateOK,
		},
		{
			name:      "refusal everywhere is a bad request",
			models:    []string{"gpt-a"},
			script:    map[string][]openaitest.Reply{"gpt-a": {openaitest.Refusal("gpt-a", "No.")}},
			wantErr:   &errView{Kind: provider.BadRequest, Code: "refusal"},
			wantCalls: []openai.Call{call("gpt-a", "refused", 20, 5)},
			wantState: provider.StateOK,
		},
		{
			name:       "429 Retry-After seconds is honoured",
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.RateLimited("1"), ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "rate_limited", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{time.Second},
			wantState:  provider.StateOK,
		},
		{
			name:       "retry-after-ms wins over Retry-After",
			script:     map[string][]openaitest.Reply{"gpt-a": {withHeader(openaitest.RateLimited("1"), "retry-after-ms", "250"), ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "rate_limited", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{250 * time.Millisecond},
			wantState:  provider.StateOK,
		},
		{
			name:       "Retry-After HTTP date",
			cfg:        func(c *openai.Config) { c.InlineRetryAfterMax = 5 * time.Second },
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.RateLimited(fixedNow.Add(3 * time.Second).Format(http.TimeFormat)), ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "rate_limited", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{3 * time.Second},
			wantState:  provider.StateOK,
		},
		{
			name: "Retry-After is capped at MaxRetryAfter",
			cfg: func(c *openai.Config) {
				c.MaxRetryAfter = 10 * time.Second
				c.InlineRetryAfterMax = time.Minute
			},
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.RateLimited("3600"), ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "rate_limited", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{10 * time.Second},
			wantState:  provider.StateOK,
		},
		{
			name:       "429 without a hint backs off",
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.RateLimited(""), ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "rate_limited", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{500 * time.Millisecond},
			wantState:  provider.StateOK,
		},
		{
			name:       "long Retry-After returns RateLimited at once",
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.RateLimited("30")}},
			wantErr:    &errView{Kind: provider.RateLimited, Status: 429, Code: "rate_limit_exceeded", RetryAfter: 30 * time.Second},
			wantCalls:  []openai.Call{call("gpt-a", "rate_limited", 0, 0)},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 1, "gpt-b": 0},
		},
		{
			name: "rate limited on every model ends RateLimited with the hint",
			cfg:  func(c *openai.Config) { c.MaxRetries = openai.NoRetries },
			script: map[string][]openaitest.Reply{
				"gpt-a": {openaitest.RateLimited("2")},
				"gpt-b": {openaitest.RateLimited("1")},
			},
			wantErr:   &errView{Kind: provider.RateLimited, Status: 429, Code: "rate_limit_exceeded", RetryAfter: time.Second},
			wantCalls: []openai.Call{call("gpt-a", "rate_limited", 0, 0), call("gpt-b", "rate_limited", 0, 0)},
			wantState: provider.StateOK,
		},
		{
			name: "500 on every retry falls back to the second model",
			script: map[string][]openaitest.Reply{
				"gpt-a": {
					openaitest.Error(500, "server_error", "", "The server had an error while processing your request. Sorry about that!"),
					openaitest.Error(500, "server_error", "", "The server had an error while processing your request. Sorry about that!"),
					openaitest.Error(500, "server_error", "", "The server had an error while processing your request. Sorry about that!"),
				},
				"gpt-b": {ok("gpt-b")},
			},
			wantModel: "gpt-b",
			wantCalls: []openai.Call{call("gpt-a", "transient", 0, 0), call("gpt-a", "transient", 0, 0),
				call("gpt-a", "transient", 0, 0), call("gpt-b", "ok", 40, 8)},
			wantSleeps: []time.Duration{500 * time.Millisecond, time.Second},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 3, "gpt-b": 1},
		},
		{
			name:   "500 everywhere ends transient",
			models: []string{"gpt-a"},
			cfg:    func(c *openai.Config) { c.MaxRetries = 4 },
			script: map[string][]openaitest.Reply{"gpt-a": {
				openaitest.Error(503, "server_error", "", "overloaded"), openaitest.Error(503, "server_error", "", "overloaded"),
				openaitest.Error(503, "server_error", "", "overloaded"), openaitest.Error(503, "server_error", "", "overloaded"),
				openaitest.Error(503, "server_error", "", "overloaded"),
			}},
			wantErr: &errView{Kind: provider.Transient, Status: 503},
			wantCalls: []openai.Call{call("gpt-a", "transient", 0, 0), call("gpt-a", "transient", 0, 0),
				call("gpt-a", "transient", 0, 0), call("gpt-a", "transient", 0, 0), call("gpt-a", "transient", 0, 0)},
			wantSleeps: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second},
			wantState:  provider.StateDegraded,
		},
		{
			name:       "non-JSON 502 is retried",
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.GatewayError(502), openaitest.GatewayError(504), ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "transient", 0, 0), call("gpt-a", "transient", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{500 * time.Millisecond, time.Second},
			wantState:  provider.StateOK,
		},
		{
			name: "408 and 409 are retried",
			script: map[string][]openaitest.Reply{"gpt-a": {
				openaitest.Error(408, "invalid_request_error", "", "Request timed out."),
				openaitest.Error(409, "invalid_request_error", "", "Conflict."),
				ok("gpt-a"),
			}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "transient", 0, 0), call("gpt-a", "transient", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{500 * time.Millisecond, time.Second},
			wantState:  provider.StateOK,
		},
		{
			name:       "insufficient_quota: no retry, no fallback",
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.InsufficientQuota()}},
			wantErr:    &errView{Kind: provider.Quota, Status: 429, Code: "insufficient_quota"},
			wantCalls:  []openai.Call{call("gpt-a", "quota", 0, 0)},
			wantState:  provider.StateNoBalance,
			wantServed: map[string]int{"gpt-a": 1, "gpt-b": 0},
		},
		{
			name:       "401 is unauthorized",
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.Error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided: "+testKey+".")}},
			wantErr:    &errView{Kind: provider.Unauthorized, Status: 401, Code: "invalid_api_key"},
			wantCalls:  []openai.Call{call("gpt-a", "unauthorized", 0, 0)},
			wantState:  provider.StateUnauthorized,
			wantServed: map[string]int{"gpt-a": 1, "gpt-b": 0},
		},
		{
			name:      "403 is unauthorized",
			script:    map[string][]openaitest.Reply{"gpt-a": {openaitest.Error(403, "invalid_request_error", "unsupported_country_region_territory", "Country, region, or territory not supported")}},
			wantErr:   &errView{Kind: provider.Unauthorized, Status: 403, Code: "unsupported_country_region_territory"},
			wantCalls: []openai.Call{call("gpt-a", "unauthorized", 0, 0)},
			wantState: provider.StateUnauthorized,
		},
		{
			name:       "400 is a bad request, never retried",
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.Error(400, "invalid_request_error", "invalid_value", "Invalid schema for response_format 'character'.")}},
			wantErr:    &errView{Kind: provider.BadRequest, Status: 400, Code: "invalid_value"},
			wantCalls:  []openai.Call{call("gpt-a", "bad_request", 0, 0)},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 1, "gpt-b": 0},
		},
		{
			name:       "404 model_not_found goes to the next model at once",
			script:     map[string][]openaitest.Reply{"gpt-a": {openaitest.ModelNotFound("gpt-a")}, "gpt-b": {ok("gpt-b")}},
			wantModel:  "gpt-b",
			wantCalls:  []openai.Call{call("gpt-a", "bad_request", 0, 0), call("gpt-b", "ok", 40, 8)},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 1, "gpt-b": 1},
		},
		{
			name:       "x-should-retry false on a 500: no retry",
			models:     []string{"gpt-a"},
			script:     map[string][]openaitest.Reply{"gpt-a": {withHeader(openaitest.Error(500, "server_error", "", "boom"), "x-should-retry", "false")}},
			wantErr:    &errView{Kind: provider.Transient, Status: 500},
			wantCalls:  []openai.Call{call("gpt-a", "transient", 0, 0)},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 1},
		},
		{
			name:       "x-should-retry true on a 400: retried",
			models:     []string{"gpt-a"},
			script:     map[string][]openaitest.Reply{"gpt-a": {withHeader(openaitest.Error(400, "invalid_request_error", "", "try again"), "x-should-retry", "true"), ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "bad_request", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{500 * time.Millisecond},
			wantState:  provider.StateOK,
		},
		{
			name:       "attempt timeout is retried",
			cfg:        func(c *openai.Config) { c.RequestTimeout = 50 * time.Millisecond },
			script:     map[string][]openaitest.Reply{"gpt-a": {{Delay: time.Minute}, ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "timeout", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{500 * time.Millisecond},
			wantState:  provider.StateOK,
		},
		{
			name:       "connection reset mid-body is retried",
			script:     map[string][]openaitest.Reply{"gpt-a": {cut, ok("gpt-a")}},
			wantModel:  "gpt-a",
			wantCalls:  []openai.Call{call("gpt-a", "transient", 0, 0), call("gpt-a", "ok", 40, 8)},
			wantSleeps: []time.Duration{500 * time.Millisecond},
			wantState:  provider.StateOK,
		},
		{
			name:       "StartModel starts the chain there",
			models:     []string{"gpt-a", "gpt-b", "gpt-c"},
			script:     map[string][]openaitest.Reply{"gpt-b": {openaitest.ModelNotFound("gpt-b")}, "gpt-c": {ok("gpt-c")}},
			req:        func(r *openai.Request) { r.StartModel = "gpt-b" },
			wantModel:  "gpt-c",
			wantCalls:  []openai.Call{call("gpt-b", "bad_request", 0, 0), call("gpt-c", "ok", 40, 8)},
			wantState:  provider.StateOK,
			wantServed: map[string]int{"gpt-a": 0, "gpt-b": 1, "gpt-c": 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			models := tc.models
			if models == nil {
				models = []string{"gpt-a", "gpt-b"}
			}
			e := newEnv(t, models, tc.cfg)
			for model, replies := range tc.script {
				e.srv.Push(model, replies...)
			}
			req := baseRequest()
			if tc.req != nil {
				tc.req(&req)
			}

			res, err := e.c.Complete(t.Context(), req)

			checkErr(t, tc.wantErr, err)
			if err == nil {
				if got := string(res.Content); got != answerA {
					t.Errorf("Complete().Content = %s, want %s", got, answerA)
				}
			}
			if res.Model != tc.wantModel {
				t.Errorf("Complete().Model = %q, want %q", res.Model, tc.wantModel)
			}
			if diff := cmp.Diff(tc.wantCalls, res.Calls); diff != "" {
				t.Errorf("Complete().Calls mismatch (-want +got):\n%s", diff)
			}
			var sum openai.Usage
			for _, c := range res.Calls {
				sum.PromptTokens += c.Usage.PromptTokens
				sum.CompletionTokens += c.Usage.CompletionTokens
				sum.TotalTokens += c.Usage.TotalTokens
			}
			if res.Usage != sum {
				t.Errorf("Complete().Usage = %+v, want the sum of Calls %+v", res.Usage, sum)
			}
			paid := 0
			for _, c := range tc.wantCalls {
				if c.Outcome == "ok" || c.Outcome == "invalid" || c.Outcome == "refused" {
					paid++
				}
			}
			if got := res.PaidCalls(); got != paid {
				t.Errorf("Complete().PaidCalls() = %d, want %d", got, paid)
			}
			if diff := cmp.Diff(tc.wantSleeps, e.rec.waits()); diff != "" {
				t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
			}
			if got := e.c.State(); got != tc.wantState {
				t.Errorf("State() = %q, want %q", got, tc.wantState)
			}
			for model, want := range tc.wantServed {
				if got := e.srv.Calls(model); got != want {
					t.Errorf("server Calls(%q) = %d, want %d", model, got, want)
				}
			}
			if got, want := len(e.srv.Requests()), len(tc.wantCalls); got != want {
				t.Errorf("server saw %d requests, want %d (one per Call)", got, want)
			}
		})
	}
}

func TestCompleteWire(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"gpt-4o-mini"}, nil)
	e.srv.SetAPIKey(testKey)
	e.srv.Push("", openaitest.Completion("gpt-4o-mini", answerA, 40, 8))
	req := baseRequest()
	req.Temperature = ptr[float32](0)
	req.MaxTokens = 800
	req.Seed = ptr(42)

	if _, err := e.c.Complete(t.Context(), req); err != nil {
		t.Fatalf("Complete() = %v", err)
	}

	if got, want := e.srv.Headers()[0].Get("Authorization"), "Bearer "+testKey; got != want {
		t.Errorf("Authorization header = %q, want the bearer key", got)
	}
	got := e.srv.Requests()[0]
	rf := got.ResponseFormat
	if rf == nil || rf.Type != goopenai.ChatCompletionResponseFormatTypeJSONSchema || rf.JSONSchema == nil ||
		rf.JSONSchema.Name != "character" || !rf.JSONSchema.Strict {
		t.Fatalf("response_format = %+v, want strict json_schema named character", rf)
	}
	body := e.srv.Bodies()[0]
	golden := filepath.Join("testdata", "request.golden")
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", "  "); err != nil {
		t.Fatalf("request body is not JSON: %v\n%s", err, body)
	}
	pretty.WriteByte('\n')
	if *update {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if diff := cmp.Diff(string(want), pretty.String()); diff != "" {
		t.Errorf("request body mismatch (-want +got):\n%s", diff)
	}
}

func TestCompleteSamplingOnTheWire(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		model       string
		temperature *float32
		maxTokens   int
		want        map[string]any // wire field -> value; nil value = absent
	}{
		{"temperature 0 is sent", "gpt-4o-mini", ptr[float32](0), 0,
			map[string]any{"temperature": 0.0, "max_tokens": nil}},
		{"temperature unset is absent", "gpt-4o-mini", nil, 0,
			map[string]any{"temperature": nil}},
		{"temperature 0.7 is sent", "gpt-4o-mini", ptr[float32](0.7), 500,
			map[string]any{"temperature": 0.7, "max_tokens": 500.0, "max_completion_tokens": nil}},
		{"reasoning model takes max_completion_tokens and no temperature", "gpt-5-mini", ptr[float32](0.7), 500,
			map[string]any{"temperature": nil, "max_tokens": nil, "max_completion_tokens": 500.0}},
		{"reasoning model drops temperature 0 too", "o4-mini", ptr[float32](0), 0,
			map[string]any{"temperature": nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, []string{tc.model}, nil)
			e.srv.Push("", openaitest.Completion(tc.model, answerA, 10, 5))
			req := baseRequest()
			req.Temperature, req.MaxTokens = tc.temperature, tc.maxTokens
			if _, err := e.c.Complete(t.Context(), req); err != nil {
				t.Fatalf("Complete() = %v", err)
			}
			var wire map[string]any
			if err := json.Unmarshal(e.srv.Bodies()[0], &wire); err != nil {
				t.Fatal(err)
			}
			for field, want := range tc.want {
				got, present := wire[field]
				switch {
				case want == nil && present:
					t.Errorf("wire %s = %v, want absent", field, got)
				case want != nil && !present:
					t.Errorf("wire %s absent, want %v", field, want)
				case want != nil:
					// float32 0.7 widens to 0.699999988079071 on the wire.
					if g, w := got.(float64), want.(float64); g-w > 1e-6 || w-g > 1e-6 {
						t.Errorf("wire %s = %v, want %v", field, got, want)
					}
				}
			}
		})
	}
}

func TestCompleteRepairConversation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"gpt-a"}, nil)
	bad := "Sure! {name: Aria"
	e.srv.Push("gpt-a", openaitest.Completion("gpt-a", bad, 30, 10), openaitest.Completion("gpt-a", answerA, 40, 8))

	if _, err := e.c.Complete(t.Context(), baseRequest()); err != nil {
		t.Fatalf("Complete() = %v", err)
	}

	reqs := e.srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(reqs))
	}
	first, second := reqs[0].Messages, reqs[1].Messages
	if len(second) != len(first)+2 {
		t.Fatalf("repair request has %d messages, want %d", len(second), len(first)+2)
	}
	if diff := cmp.Diff(first, second[:len(first)]); diff != "" {
		t.Errorf("repair request must keep the conversation (-want +got):\n%s", diff)
	}
	if got := second[len(first)]; got.Role != "assistant" || got.Content != bad {
		t.Errorf("repair turn 1 = %s %q, want the assistant's previous answer", got.Role, got.Content)
	}
	fix := second[len(first)+1]
	if fix.Role != "user" || !strings.Contains(fix.Content, "not JSON") || !strings.Contains(fix.Content, `"character"`) {
		t.Errorf("repair turn 2 = %s %q, want a user message naming the problem and the schema", fix.Role, fix.Content)
	}
}

// TestCompleteCutOffRepairCap checks the token cap of each call: the repair
// turn after a cut-off answer takes CutoffMaxTokens, any other call
// MaxTokens, in the field the model takes.
func TestCompleteCutOffRepairCap(t *testing.T) {
	t.Parallel()
	cutOff := func(model string) openaitest.Reply { return openaitest.CutOff(model, `{"name":"Ar`, 30, 300) }
	invalid := func(model string) openaitest.Reply { return openaitest.Completion(model, `{"name":`, 30, 10) }
	ok := func(model string) openaitest.Reply { return openaitest.Completion(model, answerA, 40, 8) }
	tests := []struct {
		name   string
		models []string
		cutoff int
		script []openaitest.Reply
		field  string
		want   []float64 // the cap of each call, in order
	}{
		{"cut off: repair with the larger cap", []string{"gpt-a"}, 600,
			[]openaitest.Reply{cutOff("gpt-a"), ok("gpt-a")}, "max_tokens", []float64{300, 600}},
		{"cut off without CutoffMaxTokens: same cap", []string{"gpt-a"}, 0,
			[]openaitest.Reply{cutOff("gpt-a"), ok("gpt-a")}, "max_tokens", []float64{300, 300}},
		{"invalid, not cut off: same cap", []string{"gpt-a"}, 600,
			[]openaitest.Reply{invalid("gpt-a"), ok("gpt-a")}, "max_tokens", []float64{300, 300}},
		{"the next model starts at MaxTokens again", []string{"gpt-a", "gpt-b"}, 600,
			[]openaitest.Reply{cutOff("gpt-a"), cutOff("gpt-a"), ok("gpt-b")}, "max_tokens", []float64{300, 600, 300}},
		{"reasoning model: max_completion_tokens", []string{"o4-mini"}, 600,
			[]openaitest.Reply{cutOff("o4-mini"), ok("o4-mini")}, "max_completion_tokens", []float64{300, 600}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.models, nil)
			e.srv.Push("", tc.script...)
			req := baseRequest()
			req.MaxTokens, req.CutoffMaxTokens = 300, tc.cutoff
			if _, err := e.c.Complete(t.Context(), req); err != nil {
				t.Fatalf("Complete() = %v", err)
			}
			var got []float64
			for _, b := range e.srv.Bodies() {
				var wire map[string]any
				if err := json.Unmarshal(b, &wire); err != nil {
					t.Fatal(err)
				}
				n, _ := wire[tc.field].(float64)
				got = append(got, n)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("wire %s per call mismatch (-want +got):\n%s", tc.field, diff)
			}
		})
	}
}

func TestCompleteCanceledMidCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"gpt-a", "gpt-b"}, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The request has reached the server when the default runs: cancel the
	// job then, while the server holds the answer back.
	e.srv.SetDefault(func(goopenai.ChatCompletionRequest) openaitest.Reply {
		cancel()
		return openaitest.Reply{Delay: time.Minute}
	})

	res, err := e.c.Complete(ctx, baseRequest())

	checkErr(t, &errView{Kind: provider.Canceled}, err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = false, want true", err)
	}
	if got := len(e.srv.Requests()); got != 1 {
		t.Errorf("server saw %d requests, want 1", got)
	}
	if got := e.rec.waits(); len(got) != 0 {
		t.Errorf("sleeps = %v, want none", got)
	}
	if diff := cmp.Diff([]openai.Call{call("gpt-a", "canceled", 0, 0)}, res.Calls); diff != "" {
		t.Errorf("Calls mismatch (-want +got):\n%s", diff)
	}
}

func TestCompleteCallerDeadline(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"gpt-a", "gpt-b"}, nil)
	e.srv.SetDefault(func(goopenai.ChatCompletionRequest) openaitest.Reply {
		return openaitest.Reply{Delay: time.Minute}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()

	_, err := e.c.Complete(ctx, baseRequest())

	checkErr(t, &errView{Kind: provider.Timeout}, err)
	if got := len(e.srv.Requests()); got != 1 {
		t.Errorf("server saw %d requests, want 1 (no retry past the caller's deadline)", got)
	}
}

func TestCompleteAlreadyCanceled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"gpt-a"}, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	res, err := e.c.Complete(ctx, baseRequest())

	checkErr(t, &errView{Kind: provider.Canceled}, err)
	if len(res.Calls) != 0 || len(e.srv.Requests()) != 0 {
		t.Errorf("Complete() made %d calls, server saw %d; want none", len(res.Calls), len(e.srv.Requests()))
	}
}

func TestCompleteSleepCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e := newEnv(t, []string{"gpt-a", "gpt-b"}, func(c *openai.Config) {
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			cancel() // shutdown arrives during the backoff
			return ctx.Err()
		}
	})
	e.srv.Push("gpt-a", openaitest.Error(500, "server_error", "", "boom"))

	_, err := e.c.Complete(ctx, baseRequest())

	checkErr(t, &errView{Kind: provider.Canceled}, err)
	if got := len(e.srv.Requests()); got != 1 {
		t.Errorf("server saw %d requests, want 1", got)
	}
}

func TestCompleteBadRequestMessageIsSafe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		reply   openaitest.Reply
		wantMsg string
	}{
		{
			name:    "plain message",
			reply:   openaitest.Error(400, "invalid_request_error", "", "Invalid schema for response_format 'character': 'required' is missing 'name'."),
			wantMsg: "the provider refused the request: Invalid schema for response_format 'character': 'required' is missing 'name'.",
		},
		{
			name:    "configured key and key-like strings removed",
			reply:   openaitest.Error(400, "invalid_request_error", "", "bad header Authorization: Bearer "+testKey+" and sk-other-ABCDEFGHIJKL\n\tsecond line"),
			wantMsg: "the provider refused the request: bad header Authorization: Bearer *** and sk-*** second line",
		},
		{
			name:    "long message capped",
			reply:   openaitest.Error(400, "invalid_request_error", "", strings.Repeat("abcd ", 200)),
			wantMsg: "the provider refused the request: " + strings.Repeat("abcd ", 59) + "abcd…",
		},
		{
			name:    "non-JSON 400 body is not echoed",
			reply:   openaitest.Reply{Status: 400, Body: []byte("<html>key " + testKey + "</html>")},
			wantMsg: "the provider refused the request",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, []string{"gpt-a"}, nil)
			e.srv.Push("gpt-a", tc.reply)

			_, err := e.c.Complete(t.Context(), baseRequest())

			pe, ok := provider.As(err)
			if !ok || pe.Kind != provider.BadRequest {
				t.Fatalf("Complete() = %v, want a BadRequest provider.Error", err)
			}
			if pe.Message != tc.wantMsg {
				t.Errorf("Message = %q, want %q", pe.Message, tc.wantMsg)
			}
			if s := err.Error(); strings.Contains(s, testKey) || strings.Contains(s, "ABCDEFGHIJKL") || strings.Contains(s, "<html>") {
				t.Errorf("Error() = %q leaks a key or the raw body", s)
			}
		})
	}
}

func TestCompleteKeyNeverInErrors(t *testing.T) {
	t.Parallel()
	replies := []openaitest.Reply{
		openaitest.Error(400, "invalid_request_error", testKey, "key "+testKey),
		openaitest.Error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided: "+testKey),
		openaitest.Error(403, "permission_error", "", testKey),
		openaitest.Error(404, "invalid_request_error", "model_not_found", testKey),
		openaitest.Error(500, "server_error", "", testKey),
		{Status: 502, Body: []byte(testKey)},
		{Status: 200, Body: []byte(`{"id":"` + testKey + `"`)},
		openaitest.Completion("gpt-a", "not json "+testKey, 1, 1),
	}
	for i, reply := range replies {
		e := newEnv(t, []string{"gpt-a"}, func(c *openai.Config) { c.MaxRetries = openai.NoRetries })
		e.srv.Push("", reply, reply)
		_, err := e.c.Complete(t.Context(), baseRequest())
		if err == nil {
			t.Fatalf("reply %d: Complete() = nil error, want one", i)
		}
		if strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), "TESTKEY") {
			t.Errorf("reply %d: Error() = %q contains the key", i, err)
		}
		if pe, _ := provider.As(err); pe != nil && strings.Contains(pe.Message+pe.Code, "TESTKEY") {
			t.Errorf("reply %d: Message/Code = %q/%q contains the key", i, pe.Message, pe.Code)
		}
	}

	// The fake refuses a wrong key the way OpenAI does, echoing it masked.
	e := newEnv(t, []string{"gpt-a"}, nil)
	e.srv.SetAPIKey("sk-proj-theRightKeyForThisAccount")
	_, err := e.c.Complete(t.Context(), baseRequest())
	checkErr(t, &errView{Kind: provider.Unauthorized, Status: 401, Code: "invalid_api_key"}, err)
}

func TestCompleteRequestValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		mod   func(*openai.Request)
		field string
	}{
		{"no messages", func(r *openai.Request) { r.Messages = nil }, "Messages"},
		{"unknown role", func(r *openai.Request) { r.Messages[0].Role = "tool" }, "Messages[0].Role"},
		{"empty content", func(r *openai.Request) { r.Messages[1].Content = "" }, "Messages[1].Content"},
		{"no schema name", func(r *openai.Request) { r.SchemaName = "" }, "SchemaName"},
		{"bad schema name", func(r *openai.Request) { r.SchemaName = "a b" }, "SchemaName"},
		{"no schema", func(r *openai.Request) { r.Schema = nil }, "Schema"},
		{"schema not JSON", func(r *openai.Request) { r.Schema = json.RawMessage(`{"type":`) }, "Schema"},
		{"schema not an object", func(r *openai.Request) { r.Schema = json.RawMessage(`[]`) }, "Schema"},
		{"temperature too high", func(r *openai.Request) { r.Temperature = ptr[float32](2.5) }, "Temperature"},
		{"negative max tokens", func(r *openai.Request) { r.MaxTokens = -1 }, "MaxTokens"},
		{"negative cut-off max tokens", func(r *openai.Request) { r.CutoffMaxTokens = -1 }, "CutoffMaxTokens"},
		{"start model not in chain", func(r *openai.Request) { r.StartModel = "gpt-z" }, "StartModel"},
	}
	e := newEnv(t, []string{"gpt-a"}, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := baseRequest()
			tc.mod(&req)
			_, err := e.c.Complete(t.Context(), req)
			pe, ok := provider.As(err)
			if !ok || pe.Kind != provider.BadRequest || !strings.HasPrefix(pe.Message, tc.field+":") {
				t.Errorf("Complete() = %v, want BadRequest naming %s", err, tc.field)
			}
		})
	}
	if got := len(e.srv.Requests()); got != 0 {
		t.Errorf("server saw %d requests, want 0", got)
	}
}

func TestState(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"gpt-a"}, func(c *openai.Config) { c.MaxRetries = openai.NoRetries })
	step := func(reply openaitest.Reply, want provider.State) {
		t.Helper()
		e.srv.Push("", reply)
		_, _ = e.c.Complete(t.Context(), baseRequest())
		if got := e.c.State(); got != want {
			t.Errorf("State() after HTTP %d = %q, want %q", reply.Status, got, want)
		}
	}
	if got := e.c.State(); got != provider.StateOK {
		t.Errorf("State() of a new client = %q, want ok", got)
	}
	fail := openaitest.Error(500, "server_error", "", "boom")
	step(fail, provider.StateOK)
	step(fail, provider.StateOK)
	step(fail, provider.StateDegraded)
	step(openaitest.Completion("gpt-a", answerA, 1, 1), provider.StateOK)
	step(openaitest.Error(401, "invalid_request_error", "invalid_api_key", "no"), provider.StateUnauthorized)
	step(fail, provider.StateUnauthorized)
	step(openaitest.Completion("gpt-a", answerA, 1, 1), provider.StateOK)
	step(openaitest.InsufficientQuota(), provider.StateNoBalance)
	step(openaitest.Completion("gpt-a", answerA, 1, 1), provider.StateOK)
	step(openaitest.RateLimited("1"), provider.StateOK)
	step(openaitest.RateLimited("1"), provider.StateOK)
	step(openaitest.RateLimited("1"), provider.StateDegraded)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []string{"gpt-a", "gpt-b"}, func(c *openai.Config) { c.MaxRetries = 1 })
	e.srv.Push("gpt-a", openaitest.Error(500, "server_error", "", "boom"), openaitest.Error(500, "server_error", "", "boom"))
	e.srv.Push("gpt-b", openaitest.Completion("gpt-b", "nope", 30, 10), openaitest.Completion("gpt-b", answerA, 40, 8))

	if _, err := e.c.Complete(t.Context(), baseRequest()); err != nil {
		t.Fatalf("Complete() = %v", err)
	}

	want := map[string]float64{
		`llm_openai_fallbacks_total{from="gpt-a",to="gpt-b"}`:                            1,
		`llm_openai_requests_total{model="gpt-a",outcome="transient"}`:                   2,
		`llm_openai_requests_total{model="gpt-b",outcome="invalid"}`:                     1,
		`llm_openai_requests_total{model="gpt-b",outcome="ok"}`:                          1,
		`llm_openai_retries_total{model="gpt-a"}`:                                        1,
		`llm_openai_tokens_total{kind="text.character",model="gpt-b",type="completion"}`: 18,
		`llm_openai_tokens_total{kind="text.character",model="gpt-b",type="prompt"}`:     70,
		`llm_openai_request_duration_seconds_count{model="gpt-a"}`:                       2,
		`llm_openai_request_duration_seconds_count{model="gpt-b"}`:                       2,
	}
	if diff := cmp.Diff(want, gather(t, e.reg)); diff != "" {
		t.Errorf("metrics mismatch (-want +got):\n%s", diff)
	}

	// A second client on the same registry shares the collectors.
	if _, err := openai.New(openai.Config{BaseURL: e.srv.URL(), Models: []string{"gpt-a"}, Registerer: e.reg}); err != nil {
		t.Errorf("second New() on the same registry = %v, want nil", err)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   openai.Config
		field string // "" = valid
	}{
		{"local server without key", openai.Config{BaseURL: "http://127.0.0.1:8000/v1", Models: []string{"llama3"}}, ""},
		{"default base URL with key", openai.Config{APIKey: testKey, Models: []string{"gpt-4o"}}, ""},
		{"default base URL without key", openai.Config{Models: []string{"gpt-4o"}}, "APIKey"},
		{"key with a newline", openai.Config{APIKey: "sk-abc\n", Models: []string{"gpt-4o"}}, "APIKey"},
		{"bad base URL", openai.Config{APIKey: testKey, BaseURL: "api.openai.com/v1", Models: []string{"gpt-4o"}}, "BaseURL"},
		{"credentials in base URL", openai.Config{BaseURL: "https://u:p@llm.local/v1", Models: []string{"m"}}, "BaseURL"},
		{"no models", openai.Config{APIKey: testKey}, "Models"},
		{"empty model", openai.Config{APIKey: testKey, Models: []string{"gpt-4o", " "}}, "Models"},
		{"duplicate model", openai.Config{APIKey: testKey, Models: []string{"gpt-4o", "gpt-4o"}}, "Models"},
		{"negative timeout", openai.Config{APIKey: testKey, Models: []string{"gpt-4o"}, RequestTimeout: -1}, "RequestTimeout"},
		{"negative MaxRetryAfter", openai.Config{APIKey: testKey, Models: []string{"gpt-4o"}, MaxRetryAfter: -1}, "MaxRetryAfter"},
		{"negative InlineRetryAfterMax", openai.Config{APIKey: testKey, Models: []string{"gpt-4o"}, InlineRetryAfterMax: -1}, "InlineRetryAfterMax"},
		{"MaxRetries below NoRetries", openai.Config{APIKey: testKey, Models: []string{"gpt-4o"}, MaxRetries: -2}, "MaxRetries"},
		{"negative MaxPaidCalls", openai.Config{APIKey: testKey, Models: []string{"gpt-4o"}, MaxPaidCalls: -1}, "MaxPaidCalls"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := openai.New(tc.cfg)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("New() = %v, want nil", err)
				}
				if diff := cmp.Diff(tc.cfg.Models, c.Models()); diff != "" {
					t.Errorf("Models() mismatch (-want +got):\n%s", diff)
				}
				if !c.HasModel(tc.cfg.Models[0]) || c.HasModel("not-a-model") {
					t.Errorf("HasModel disagrees with Models() = %v", c.Models())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.field+":") {
				t.Errorf("New() = %v, want an error naming %s", err, tc.field)
			}
			if err != nil && strings.Contains(err.Error(), "sk-abc") {
				t.Errorf("New() = %v contains the key", err)
			}
		})
	}
}

func TestHTTPClientIsNotModified(t *testing.T) {
	t.Parallel()
	srv := openaitest.New(t)
	srv.Push("", openaitest.Completion("m", answerA, 1, 1))
	hc := &http.Client{Timeout: time.Minute}
	c, err := openai.New(openai.Config{BaseURL: srv.URL(), Models: []string{"m"}, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	req := baseRequest()
	req.Temperature = ptr[float32](0)
	if _, err := c.Complete(t.Context(), req); err != nil {
		t.Fatalf("Complete() = %v", err)
	}
	if hc.Transport != nil {
		t.Errorf("caller's HTTPClient.Transport = %T, want it untouched (nil)", hc.Transport)
	}
	if !bytes.Contains(srv.Bodies()[0], []byte(`"temperature":0`)) {
		t.Errorf("body %s lacks temperature 0 through a caller's client", srv.Bodies()[0])
	}
}

// gather flattens counters and histogram counts to "name{labels}" -> value.
func gather(tb testing.TB, reg *prometheus.Registry) map[string]float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatalf("Gather() = %v", err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, lp := range m.GetLabel() {
				labels = append(labels, lp.GetName()+`="`+lp.GetValue()+`"`)
			}
			key := "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.GetCounter() != nil:
				out[mf.GetName()+key] = m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				out[mf.GetName()+"_count"+key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}
