// Package openaitest is a scripted OpenAI chat-completions server for tests.
// It speaks the real wire format: POST {base}/chat/completions with a JSON
// body, chat.completion answers with usage and x-ratelimit-* headers, error
// bodies {"error":{"message","type","param","code"}}, Retry-After on 429,
// delays that end when the client gives up, connections cut mid-body, and
// per-model rate-limit budgets enforced and reported the way OpenAI does.
package openaitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
)

// Reply is one scripted answer.
type Reply struct {
	Status       int           // default 200
	Header       http.Header   // sent as is; Content-Type defaults to application/json when Body is set
	Body         []byte        // sent as is
	Delay        time.Duration // wait before answering; ends early when the client goes away
	ResetMidBody bool          // send the headers and half the body, then drop the connection
}

// Server is a fake OpenAI API. It is safe for concurrent use.
type Server struct {
	tb  testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	queues   map[string][]Reply // by model; "" = any model
	fallback func(goopenai.ChatCompletionRequest) Reply
	apiKey   string
	requests []goopenai.ChatCompletionRequest
	bodies   [][]byte
	headers  []http.Header
	calls    map[string]int
	budgets  map[string]*budget
}

// Budget is a rate limit the server enforces on one model, as OpenAI does:
// a call past it is refused with 429 rate_limit_exceeded, and every answer
// carries x-ratelimit-{limit,remaining,reset}-{requests,tokens} for the
// window it fell in. Windows follow each other from the model's first call.
type Budget struct {
	Requests int           // calls per window; 0 = not limited
	Tokens   int           // tokens per window: the prompt at four characters a token plus the completion cap; 0 = not limited
	Window   time.Duration // required
}

type budget struct {
	Budget
	start    time.Time // of the first window
	index    int       // of the current window
	requests int       // spent in the current window
	tokens   int
	served   []int // calls admitted per window
	refused  int
}

// New starts a server that closes when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tb: tb, queues: map[string][]Reply{}, calls: map[string]int{}, budgets: map[string]*budget{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/chat/completions", s.chatCompletions)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		write(w, Error(http.StatusNotFound, "invalid_request_error", "", fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)))
	})
	s.srv = httptest.NewServer(mux)
	tb.Cleanup(s.srv.Close)
	return s
}

// URL is the base URL including the version path, e.g. http://127.0.0.1:1234/v1.
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// SetAPIKey makes the server answer 401 invalid_api_key, as OpenAI does, to
// requests without "Authorization: Bearer key". Empty accepts any request.
func (s *Server) SetAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKey = key
}

// Push queues replies for model ("" = any model), consumed in order. A
// model's own queue is used before the "" queue.
func (s *Server) Push(model string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queues[model] = append(s.queues[model], replies...)
}

// SetDefault answers requests for which no reply is queued. It runs when the
// request has arrived, so a test may also use it to act at that moment.
// Without a default, an unscripted request fails the test and gets a 500.
func (s *Server) SetDefault(fn func(req goopenai.ChatCompletionRequest) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = fn
}

// SetBudget makes the server enforce b on model from its next call.
func (s *Server) SetBudget(model string, b Budget) {
	if b.Window <= 0 {
		s.tb.Fatalf("openaitest: SetBudget(%q): Window must be positive", model)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.budgets[model] = &budget{Budget: b}
}

// Windows returns how many calls to model each window of its budget
// admitted, from the first window to the current one.
func (s *Server) Windows(model string) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.budgets[model]; b != nil {
		return append([]int(nil), b.served...)
	}
	return nil
}

// Refused returns how many calls to model its budget refused with 429.
func (s *Server) Refused(model string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.budgets[model]; b != nil {
		return b.refused
	}
	return 0
}

// Requests returns the decoded chat requests received, in order.
func (s *Server) Requests() []goopenai.ChatCompletionRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]goopenai.ChatCompletionRequest(nil), s.requests...)
}

// Bodies returns the raw JSON bodies received, in order. Use it for what the
// decoded form cannot show, such as a zero temperature being present.
func (s *Server) Bodies() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...)
}

// Headers returns the request headers received, in order.
func (s *Server) Headers() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.headers...)
}

// Calls returns how many chat requests named model.
func (s *Server) Calls(model string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[model]
}

func (s *Server) chatCompletions(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		write(w, Error(http.StatusMethodNotAllowed, "invalid_request_error", "",
			fmt.Sprintf("Invalid method for URL (%s %s)", r.Method, r.URL.Path)))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var req goopenai.ChatCompletionRequest
	if err := json.Unmarshal(body, &req); err != nil {
		write(w, Error(http.StatusBadRequest, "invalid_request_error", "",
			"We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"))
		return
	}

	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.bodies = append(s.bodies, body)
	s.headers = append(s.headers, r.Header.Clone())
	s.calls[req.Model]++
	badKey := s.apiKey != "" && r.Header.Get("Authorization") != "Bearer "+s.apiKey
	var reply Reply
	var ok bool
	if !badKey && req.Model != "" {
		reply, ok = s.next(req.Model)
	}
	fallback := s.fallback
	var limits http.Header
	var refused bool
	if b := s.budgets[req.Model]; b != nil && !badKey {
		limits, refused = b.spend(time.Now(), promptTokens(req))
	}
	s.mu.Unlock()

	switch {
	case badKey:
		reply = Error(http.StatusUnauthorized, "invalid_request_error", "invalid_api_key",
			"Incorrect API key provided: "+maskKey(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))+
				". You can find your API key at https://platform.openai.com/account/api-keys.")
	case req.Model == "":
		reply = Error(http.StatusBadRequest, "invalid_request_error", "", "you must provide a model parameter")
	case refused:
		reply = Error(http.StatusTooManyRequests, "requests", "rate_limit_exceeded",
			"Rate limit reached for "+req.Model+" in organization org-openaitest. Visit https://platform.openai.com/account/rate-limits to learn more.")
	case ok:
	case fallback != nil:
		reply = fallback(req)
	default:
		s.tb.Errorf("openaitest: no reply scripted for model %q", req.Model)
		reply = Error(http.StatusInternalServerError, "server_error", "", "openaitest: no reply scripted")
	}

	if limits != nil {
		reply.Header = reply.Header.Clone()
		if reply.Header == nil {
			reply.Header = http.Header{}
		}
		for k, v := range limits {
			reply.Header[k] = v
		}
	}
	if reply.Delay > 0 {
		t := time.NewTimer(reply.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	if reply.ResetMidBody {
		resetMidBody(w, reply)
		return
	}
	write(w, reply)
}

// spend counts a call of tokens against the budget at now and returns the
// x-ratelimit-* headers of its answer; refused means the window's budget
// did not cover it. s.mu is held.
func (b *budget) spend(now time.Time, tokens int) (h http.Header, refused bool) {
	if b.start.IsZero() {
		b.start = now
	}
	if i := int(now.Sub(b.start) / b.Window); i != b.index || len(b.served) == 0 {
		b.index, b.requests, b.tokens = i, 0, 0
		for len(b.served) <= i {
			b.served = append(b.served, 0)
		}
	}
	refused = (b.Requests > 0 && b.requests+1 > b.Requests) || (b.Tokens > 0 && b.tokens+tokens > b.Tokens)
	if refused {
		b.refused++
	} else {
		b.requests++
		b.tokens += tokens
		b.served[b.index]++
	}
	// The reset is rounded up, so a client that waits for it is never early.
	left := b.start.Add(time.Duration(b.index+1) * b.Window).Sub(now)
	reset := (left + time.Millisecond - 1).Truncate(time.Millisecond).String()
	h = http.Header{}
	if b.Requests > 0 {
		h.Set("x-ratelimit-limit-requests", fmt.Sprint(b.Requests))
		h.Set("x-ratelimit-remaining-requests", fmt.Sprint(b.Requests-b.requests))
		h.Set("x-ratelimit-reset-requests", reset)
	}
	if b.Tokens > 0 {
		h.Set("x-ratelimit-limit-tokens", fmt.Sprint(b.Tokens))
		h.Set("x-ratelimit-remaining-tokens", fmt.Sprint(b.Tokens-b.tokens))
		h.Set("x-ratelimit-reset-tokens", reset)
	}
	return h, refused
}

// promptTokens is what OpenAI counts against a token limit when a call
// arrives: the prompt at about four characters a token plus the cap on the
// completion.
func promptTokens(req goopenai.ChatCompletionRequest) int {
	n := 0
	for _, m := range req.Messages {
		n += len(m.Content)
	}
	return (n+3)/4 + max(req.MaxTokens, req.MaxCompletionTokens, 0)
}

// next pops the reply queued for model, else for any model. s.mu is held.
func (s *Server) next(model string) (Reply, bool) {
	for _, k := range []string{model, ""} {
		if q := s.queues[k]; len(q) > 0 {
			s.queues[k] = q[1:]
			return q[0], true
		}
	}
	return Reply{}, false
}

func write(w http.ResponseWriter, r Reply) {
	for k, v := range r.Header {
		w.Header()[k] = v
	}
	if len(r.Body) > 0 && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	status := r.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(r.Body)
}

// resetMidBody announces the whole body, sends half of it and drops the
// connection, so the client fails while reading the body.
func resetMidBody(w http.ResponseWriter, r Reply) {
	body := r.Body
	if len(body) < 2 {
		body = []byte(`{"id":"chatcmpl-cut"}`)
	}
	r.Header = r.Header.Clone()
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set("Content-Length", fmt.Sprint(len(body)))
	r.Body = body[:len(body)/2]
	write(w, r)
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

var seq atomic.Uint64

func requestID() string { return fmt.Sprintf("req_%032x", seq.Add(1)) }

// Completion is a 200 chat.completion whose message content is content, with
// usage and the headers OpenAI sends (x-ratelimit-*, x-request-id).
func Completion(model, content string, prompt, completion int) Reply {
	body := map[string]any{
		"id":      fmt.Sprintf("chatcmpl-%024x", seq.Add(1)),
		"object":  "chat.completion",
		"created": 1767225600,
		"model":   model,
		"choices": []any{map[string]any{
			"index": 0,
			"message": map[string]any{
				"role":        "assistant",
				"content":     content,
				"refusal":     nil,
				"annotations": []any{},
			},
			"logprobs":      nil,
			"finish_reason": "stop",
		}},
		"usage": map[string]any{
			"prompt_tokens":     prompt,
			"completion_tokens": completion,
			"total_tokens":      prompt + completion,
			"prompt_tokens_details": map[string]any{
				"cached_tokens": 0, "audio_tokens": 0,
			},
			"completion_tokens_details": map[string]any{
				"reasoning_tokens": 0, "audio_tokens": 0,
				"accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0,
			},
		},
		"service_tier":       "default",
		"system_fingerprint": "fp_openaitest",
	}
	h := rateLimitHeaders(9999, 29999000-prompt-completion, "6ms", "2ms")
	h.Set("openai-processing-ms", "412")
	return Reply{Status: http.StatusOK, Header: h, Body: mustJSON(body)}
}

// CutOff is a 200 chat.completion that stopped at the request's token cap:
// finish_reason "length", content the partial answer, usage billed.
func CutOff(model, partial string, prompt, completion int) Reply {
	return editCompletion(Completion(model, partial, prompt, completion), func(body map[string]any) {
		body["choices"].([]any)[0].(map[string]any)["finish_reason"] = "length"
	})
}

// NoChoices is a 200 with a chat.completion envelope but no choices and no
// tokens used: a body no client can take an answer from.
func NoChoices(model string) Reply {
	return editCompletion(Completion(model, "", 0, 0), func(body map[string]any) {
		body["choices"] = []any{}
	})
}

// editCompletion rewrites the JSON body of a Completion reply.
func editCompletion(r Reply, edit func(body map[string]any)) Reply {
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		panic(err)
	}
	edit(body)
	r.Body = mustJSON(body)
	return r
}

// Refusal is a 200 chat.completion in which the model declines to answer
// (structured outputs put the reason in message.refusal, content null).
func Refusal(model, reason string) Reply {
	return editCompletion(Completion(model, "", 20, 5), func(body map[string]any) {
		msg := body["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)
		msg["content"], msg["refusal"] = nil, reason
	})
}

// Error is an OpenAI error answer: {"error":{"message","type","param","code"}}
// with param null and code null when code is "".
func Error(status int, typ, code, message string) Reply {
	var c any
	if code != "" {
		c = code
	}
	body := map[string]any{"error": map[string]any{
		"message": message,
		"type":    typ,
		"param":   nil,
		"code":    c,
	}}
	h := http.Header{}
	h.Set("x-request-id", requestID())
	return Reply{Status: status, Header: h, Body: mustJSON(body)}
}

// RateLimited is a 429 rate_limit_exceeded on requests per minute, with
// Retry-After set to retryAfter (seconds or an HTTP date) unless empty.
func RateLimited(retryAfter string) Reply {
	r := Error(http.StatusTooManyRequests, "requests", "rate_limit_exceeded",
		"Rate limit reached for gpt-4o-mini in organization org-openaitest on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms. Visit https://platform.openai.com/account/rate-limits to learn more.")
	for k, v := range rateLimitHeaders(0, 199000, "120ms", "0s") {
		r.Header[k] = v
	}
	if retryAfter != "" {
		r.Header.Set("Retry-After", retryAfter)
	}
	return r
}

// InsufficientQuota is the 429 OpenAI sends when the account has no credit.
func InsufficientQuota() Reply {
	return Error(http.StatusTooManyRequests, "insufficient_quota", "insufficient_quota",
		"You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.")
}

// ModelNotFound is the 404 for a model that does not exist or is not
// available to the key.
func ModelNotFound(model string) Reply {
	return Error(http.StatusNotFound, "invalid_request_error", "model_not_found",
		fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model))
}

// GatewayError is the HTML page a proxy in front of the API answers with
// (502 Bad Gateway, 504 Gateway Timeout): not JSON.
func GatewayError(status int) Reply {
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	h := http.Header{}
	h.Set("Content-Type", "text/html")
	return Reply{Status: status, Header: h, Body: []byte(
		"<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text +
			"</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n")}
}

func rateLimitHeaders(remainingRequests, remainingTokens int, resetRequests, resetTokens string) http.Header {
	h := http.Header{}
	h.Set("x-ratelimit-limit-requests", "10000")
	h.Set("x-ratelimit-remaining-requests", fmt.Sprint(remainingRequests))
	h.Set("x-ratelimit-reset-requests", resetRequests)
	h.Set("x-ratelimit-limit-tokens", "30000000")
	h.Set("x-ratelimit-remaining-tokens", fmt.Sprint(max(remainingTokens, 0)))
	h.Set("x-ratelimit-reset-tokens", resetTokens)
	h.Set("x-request-id", requestID())
	h.Set("openai-version", "2020-10-01")
	return h
}

// maskKey shows a key the way OpenAI's 401 message does.
func maskKey(k string) string {
	if len(k) <= 8 {
		return strings.Repeat("*", len(k))
	}
	return k[:3] + strings.Repeat("*", len(k)-7) + k[len(k)-4:]
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
