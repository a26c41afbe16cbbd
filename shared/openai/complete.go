package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/dndcc/dnd-llm-service/shared/provider"
	"github.com/dndcc/dnd-llm-service/shared/tracing"
)

// Call outcomes besides the provider.Kind strings.
const (
	outcomeOK      = "ok"
	outcomeInvalid = "invalid" // answered, but not JSON or not valid
	outcomeRefused = "refused" // the model declined (structured-output refusal)
)

// CodeInvalidAnswer is the provider.Error Code of a Complete that ended on
// answers that arrived but did not pass validation: on every model of the
// chain, or until MaxPaidCalls was spent. The answers were billed; asking
// again costs as much and is unlikely to do better, so callers should not
// retry the whole call.
const CodeInvalidAnswer = "invalid_answer"

// errCutOff is the problem of an answer cut off at the token cap.
var errCutOff = errors.New("the answer was cut off at the token limit; keep it shorter")

// Complete asks the chain, from req.StartModel on, for a JSON answer that
// passes req.Validate. Each model gets MaxRetries retries for failures
// before an answer (429, 5xx, timeouts, resets, bodies that are not a
// completion) and one repair turn for an answer that is invalid, cut off
// or empty, before the next model takes over. Answers, valid or not, are
// paid calls: after MaxPaidCalls of them Complete stops with the last
// one's error. Errors are *provider.Error; on error the Result still lists
// the Calls made and their Usage, for accounting.
func (c *Client) Complete(ctx context.Context, req Request) (Result, error) {
	var res Result
	start, err := c.check(req)
	if err != nil {
		return res, err
	}
	base := make([]goopenai.ChatCompletionMessage, len(req.Messages))
	for i, m := range req.Messages {
		base[i] = goopenai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}

	var last *provider.Error
	for i := start; i < len(c.models); i++ {
		model := c.models[i]
		if last != nil {
			if res.PaidCalls() >= c.maxPaidCalls {
				break
			}
			c.fallback(ctx, c.models[i-1], model, last)
		}
		content, pe, stop := c.tryModel(ctx, model, &req, base, &res)
		if pe == nil {
			res.Content, res.Model = content, model
			return res, nil
		}
		if pe.Code != codePaced || last == nil || last.Code != codePaced || pe.RetryAfter < last.RetryAfter {
			last = pe // of models that were all paced, the one free soonest
		}
		if stop {
			break
		}
	}
	return res, last
}

// tryModel runs the attempts on one model. stop reports that the chain must
// not go on because the failure is not the model's; Complete itself stops
// the chain once the paid calls are spent.
func (c *Client) tryModel(ctx context.Context, model string, req *Request, base []goopenai.ChatCompletionMessage, res *Result) (content json.RawMessage, pe *provider.Error, stop bool) {
	msgs, maxTokens := base, req.MaxTokens
	repaired := false
	retries := 0
	for {
		if ctx.Err() != nil {
			return nil, c.contextError(ctx, ctx.Err()), true
		}
		t, paced := c.pace(ctx, model, msgs, maxTokens)
		if paced != nil {
			// A spent budget is this model's: the next one has its own.
			return nil, paced, paced.Kind != provider.RateLimited
		}
		resp, f := c.attempt(ctx, model, req, msgs, maxTokens, len(res.Calls)+1, t)
		if f == nil {
			content, refused, problem := c.judge(req, model, resp, res)
			switch {
			case refused:
				return nil, &provider.Error{Provider: ProviderName, Kind: provider.BadRequest, Code: "refusal",
					Message: "the model refused to answer"}, false
			case problem == nil:
				return content, nil, false
			case repaired || res.PaidCalls() >= c.maxPaidCalls:
				return nil, &provider.Error{Provider: ProviderName, Kind: provider.Transient, Code: CodeInvalidAnswer,
					Message: "the model's answer did not match the expected format", Err: c.redact(problem)}, false
			}
			repaired = true
			msgs = repairMessages(base, resp, req.SchemaName, c.safeText(problem.Error()))
			if errors.Is(problem, errCutOff) && req.CutoffMaxTokens > 0 {
				maxTokens = req.CutoffMaxTokens
			}
			continue
		}

		c.record(res, req.Kind, model, f.err.Kind.String(), f.usage)
		if f.err.Kind == provider.RateLimited && f.hint > c.inlineRetryAfterMax {
			// A long wait is the queue's business: it pauses every worker
			// instead of each one sleeping here.
			return nil, f.err, true
		}
		if !f.retry || retries >= c.maxRetries {
			return nil, f.err, f.stop
		}
		wait := f.hint
		if wait == 0 {
			wait = c.jitter(backoff(retries))
		}
		retries++
		c.retry(ctx, model, retries, wait, f.err)
		if err := c.sleep(ctx, wait); err != nil {
			return nil, c.contextError(ctx, err), true
		}
	}
}

// fallback accounts and logs the chain's move from one model to the next
// after last. Logging happens here, not in Complete, whose frame is on the
// stack while a call waits.
func (c *Client) fallback(ctx context.Context, from, to string, last *provider.Error) {
	c.metrics.fallback(from, to)
	c.log.LogAttrs(ctx, slog.LevelWarn, "openai fallback",
		slog.String("from", from), slog.String("to", to),
		slog.String("kind", last.Kind.String()), slog.Int("status", last.Status), slog.String("code", last.Code))
}

// retry accounts and logs the retry-th retry on model after pe, in wait.
func (c *Client) retry(ctx context.Context, model string, retries int, wait time.Duration, pe *provider.Error) {
	c.metrics.retry(model)
	c.log.LogAttrs(ctx, slog.LevelDebug, "openai retry",
		slog.String("model", model), slog.Int("retry", retries), slog.Duration("wait", wait),
		slog.String("kind", pe.Kind.String()), slog.Int("status", pe.Status))
}

// judge records a paid completion and reads its answer (see answer).
func (c *Client) judge(req *Request, model string, resp *goopenai.ChatCompletionResponse, res *Result) (content json.RawMessage, refused bool, problem error) {
	content, refused, problem = answer(resp, req.Validate)
	outcome := outcomeOK
	switch {
	case refused:
		outcome = outcomeRefused
	case problem != nil:
		outcome = outcomeInvalid
	}
	c.record(res, req.Kind, model, outcome, usageOf(resp))
	return content, refused, problem
}

// usageOf is the token usage a response reports, negatives read as 0.
func usageOf(resp *goopenai.ChatCompletionResponse) Usage {
	return Usage{max(resp.Usage.PromptTokens, 0), max(resp.Usage.CompletionTokens, 0), max(resp.Usage.TotalTokens, 0)}
}

// attempt makes one HTTP call under RequestTimeout, capped at maxTokens. A
// nil failure means the server answered 2xx with a completion: a body with
// no choices is none, and fails like a body that is not JSON. n numbers the
// call among the Complete's calls, for its span; t is the pacer's ticket,
// returned with the answer's rate-limit headers. The answer is never nil.
//
// The job's goroutine waits here for the answer, for seconds, with every
// frame down to this one on its stack, and the runtime keeps a stack at no
// less than 4 times what it uses: what attempt and its callers hold is a
// pointer where it can be, so that a thousand calls in flight cost 16 kB of
// stack each, not 32 kB.
func (c *Client) attempt(ctx context.Context, model string, req *Request, msgs []goopenai.ChatCompletionMessage, maxTokens, n int, t ticket) (resp *goopenai.ChatCompletionResponse, f *failure) {
	ctx, span := startAttemptSpan(ctx, model, maxTokens, n)
	resp = new(goopenai.ChatCompletionResponse)
	defer func() { endSpan(span, resp, f); span.End() }()
	wire, zeroTemp := wireRequest(model, req, msgs, maxTokens)
	actx, cancel := context.WithTimeout(ctx, c.requestTimeout)
	defer cancel()
	a := &attempt{zeroTemperature: zeroTemp}
	start := c.now()
	err := c.complete(withAttempt(actx, a), wire, resp)
	c.pacer.done(t, resp.Header(), c.now())
	c.metrics.duration(model, c.now().Sub(start))
	if err != nil {
		f := c.classify(ctx, a, err, resp.Header())
		c.observe(f.err.Kind)
		return resp, &f
	}
	if len(resp.Choices) == 0 {
		c.observe(provider.Transient)
		return resp, noChoices(resp)
	}
	c.observe(0)
	return resp, nil
}

// complete sends wire and fills resp with the answer.
func (c *Client) complete(ctx context.Context, wire *goopenai.ChatCompletionRequest, resp *goopenai.ChatCompletionResponse) error {
	var err error
	*resp, err = c.api.CreateChatCompletion(ctx, *wire)
	return err
}

// startAttemptSpan starts the span of one attempt.
func startAttemptSpan(ctx context.Context, model string, maxTokens, n int) (context.Context, trace.Span) {
	return tracing.Start(ctx, "chat "+model, trace.SpanKindClient,
		attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.provider.name", ProviderName),
		attribute.String("gen_ai.request.model", model), attribute.Int("gen_ai.request.max_tokens", maxTokens),
		attribute.Int("llm.attempt", n))
}

// noChoices is the failure of a 2xx answer that is not a chat completion.
func noChoices(resp *goopenai.ChatCompletionResponse) *failure {
	return &failure{err: &provider.Error{Provider: ProviderName, Kind: provider.Transient,
		Message: "the provider's answer was not a chat completion", Err: errors.New("2xx body without choices")},
		retry: true, usage: usageOf(resp)}
}

// endSpan records an attempt's answer on its span: the model that
// answered and the tokens billed, or the failure by kind (never the
// provider's words, which may quote the prompt).
func endSpan(span trace.Span, resp *goopenai.ChatCompletionResponse, f *failure) {
	if !span.IsRecording() {
		return
	}
	u := usageOf(resp)
	span.SetAttributes(attribute.Int("gen_ai.usage.input_tokens", u.PromptTokens), attribute.Int("gen_ai.usage.output_tokens", u.CompletionTokens))
	if resp.Model != "" {
		span.SetAttributes(attribute.String("gen_ai.response.model", resp.Model))
	}
	if f != nil {
		span.SetAttributes(attribute.String("error.type", f.err.Kind.String()), attribute.Int("http.response.status_code", f.err.Status))
		span.SetStatus(codes.Error, f.err.Kind.String())
	}
}

// record accounts one attempt in the result and the metrics.
func (c *Client) record(res *Result, kind, model, outcome string, u Usage) {
	res.Calls = append(res.Calls, Call{Model: model, Usage: u, Outcome: outcome})
	res.Usage.add(u)
	c.metrics.request(model, outcome)
	c.metrics.tokens(model, kind, u)
}

// wireRequest builds the go-openai request for one model. zeroTemp asks the
// transport to send "temperature":0, which go-openai's omitempty drops.
func wireRequest(model string, req *Request, msgs []goopenai.ChatCompletionMessage, maxTokens int) (r *goopenai.ChatCompletionRequest, zeroTemp bool) {
	r = &goopenai.ChatCompletionRequest{
		Model:    model,
		Messages: msgs,
		Seed:     req.Seed,
		ResponseFormat: &goopenai.ChatCompletionResponseFormat{
			Type: goopenai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &goopenai.ChatCompletionResponseFormatJSONSchema{
				Name:   req.SchemaName,
				Schema: req.Schema,
				Strict: true,
			},
		},
	}
	if maxTokens > 0 {
		if usesCompletionTokens(model) {
			r.MaxCompletionTokens = maxTokens
		} else {
			r.MaxTokens = maxTokens
		}
	}
	if req.Temperature != nil && !fixedSampling(model) {
		r.Temperature = *req.Temperature
		zeroTemp = *req.Temperature == 0
	}
	return r, zeroTemp
}

// usesCompletionTokens reports whether go-openai refuses max_tokens for the
// model (reasoning models take max_completion_tokens).
func usesCompletionTokens(model string) bool {
	err := goopenai.NewReasoningValidator().Validate(goopenai.ChatCompletionRequest{Model: model, MaxTokens: 1})
	return errors.Is(err, goopenai.ErrReasoningModelMaxTokensDeprecated)
}

// fixedSampling reports whether the model fixes its temperature (reasoning
// models); the request's temperature is then left out rather than refused.
func fixedSampling(model string) bool {
	err := goopenai.NewReasoningValidator().Validate(goopenai.ChatCompletionRequest{Model: model, Temperature: 0.5})
	return errors.Is(err, goopenai.ErrReasoningModelLimitationsOther) || errors.Is(err, goopenai.ErrReasoningSamplingUnsupported)
}

// answer extracts and checks the JSON answer of a completion.
func answer(resp *goopenai.ChatCompletionResponse, validate func([]byte) error) (content json.RawMessage, refused bool, problem error) {
	ch := resp.Choices[0] // attempt guarantees one
	if ch.Message.Refusal != "" {
		return nil, true, nil
	}
	if ch.FinishReason == goopenai.FinishReasonLength {
		return nil, false, errCutOff
	}
	content = stripFence([]byte(ch.Message.Content))
	if len(content) == 0 {
		return nil, false, errors.New("the answer was empty")
	}
	var v any
	if err := json.Unmarshal(content, &v); err != nil {
		return nil, false, fmt.Errorf("the answer is not JSON: %w", err)
	}
	if validate != nil {
		if err := validate(content); err != nil {
			return nil, false, fmt.Errorf("the answer does not fit: %w", err)
		}
	}
	return content, false, nil
}

var fence = regexp.MustCompile("(?s)^```[a-zA-Z]*\\s*\n(.*?)\\s*```$")

// stripFence trims space and a Markdown code fence that some local models
// wrap around JSON.
func stripFence(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if m := fence.FindSubmatch(b); m != nil {
		return bytes.TrimSpace(m[1])
	}
	return b
}

// repairMessages asks the model to correct its previous answer.
func repairMessages(base []goopenai.ChatCompletionMessage, resp *goopenai.ChatCompletionResponse, schema, problem string) []goopenai.ChatCompletionMessage {
	var prev string
	if len(resp.Choices) > 0 {
		prev = resp.Choices[0].Message.Content
	}
	return append(slices.Clip(base),
		goopenai.ChatCompletionMessage{Role: goopenai.ChatMessageRoleAssistant, Content: prev},
		goopenai.ChatCompletionMessage{Role: goopenai.ChatMessageRoleUser, Content: fmt.Sprintf(
			"Your previous answer could not be used: %s. Answer again with only a JSON document that matches the %q schema, with no other text.",
			problem, schema)},
	)
}

var schemaName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// check validates a request and returns the chain index to start from.
func (c *Client) check(req Request) (int, error) {
	bad := func(format string, args ...any) (int, error) {
		return 0, &provider.Error{Provider: ProviderName, Kind: provider.BadRequest, Code: "invalid_request",
			Message: fmt.Sprintf(format, args...)}
	}
	if len(req.Messages) == 0 {
		return bad("Messages: at least one message is required")
	}
	for i, m := range req.Messages {
		switch m.Role {
		case goopenai.ChatMessageRoleSystem, goopenai.ChatMessageRoleUser, goopenai.ChatMessageRoleAssistant:
		default:
			return bad("Messages[%d].Role: must be system, user or assistant", i)
		}
		if m.Content == "" {
			return bad("Messages[%d].Content: must not be empty", i)
		}
	}
	if !schemaName.MatchString(req.SchemaName) {
		return bad("SchemaName: must be 1-64 letters, digits, _ or -")
	}
	if t := bytes.TrimSpace(req.Schema); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return bad("Schema: must be a JSON object")
	}
	if t := req.Temperature; t != nil && !(*t >= 0 && *t <= 2) {
		return bad("Temperature: must be between 0 and 2")
	}
	if req.MaxTokens < 0 {
		return bad("MaxTokens: must not be negative")
	}
	if req.CutoffMaxTokens < 0 {
		return bad("CutoffMaxTokens: must not be negative")
	}
	if req.StartModel == "" {
		return 0, nil
	}
	i := slices.Index(c.models, req.StartModel)
	if i < 0 {
		return bad("StartModel: %q is not in the model chain", req.StartModel)
	}
	return i, nil
}
