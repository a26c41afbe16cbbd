package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// personality is the words of a valid character personality for
// characterBody's character, the content every fake chat completion
// carries.
//
//go:embed testdata/character_personality.json
var personality []byte

// fakeOpenAI answers POST /v1/chat/completions with a valid chat.completion
// at once or after a latency drawn from a distribution (SetLatency), in the
// real wire format, and counts the calls. A waiting call costs a timer and
// its connection's goroutine, so thousands can wait at once.
type fakeOpenAI struct {
	srv     *http.Server
	url     string // base URL with the version path
	calls   atomic.Int64
	conns   atomic.Int64 // connections accepted
	latency atomic.Pointer[latencySampler]

	mu       sync.Mutex
	answers  map[string][]byte // encoded answer by model
	lastBody []byte            // the last request body, to replay it directly
}

// startFakeOpenAI listens on a free loopback port until ctx ends.
func startFakeOpenAI(ctx context.Context) (*fakeOpenAI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake openai: %w", err)
	}
	f := &fakeOpenAI{url: "http://" + ln.Addr().String() + "/v1", answers: map[string][]byte{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", f.chatCompletions)
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				f.conns.Add(1)
			}
		},
	}
	go f.srv.Serve(ln)
	go func() {
		<-ctx.Done()
		f.srv.Close()
	}()
	return f, nil
}

// Calls is the number of chat completions answered so far.
func (f *fakeOpenAI) Calls() int64 { return f.calls.Load() }

// Conns is the number of connections accepted so far.
func (f *fakeOpenAI) Conns() int64 { return f.conns.Load() }

// SetLatency makes every later answer wait a latency drawn from l, by a
// generator seeded afresh, so each setting draws the same sequence.
func (f *fakeOpenAI) SetLatency(l latency) {
	if l.P50 <= 0 {
		f.latency.Store(nil)
		return
	}
	f.latency.Store(newLatencySampler(l, latencySeed))
}

// LastBody returns the last request body received.
func (f *fakeOpenAI) LastBody() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastBody
}

func (f *fakeOpenAI) chatCompletions(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var req struct {
		Model string `json:"model"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Model == "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"message":"We could not parse the JSON body of your request.","type":"invalid_request_error","param":null,"code":null}}`)
		return
	}
	f.calls.Add(1)
	if s := f.latency.Load(); s != nil {
		t := time.NewTimer(s.next())
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	answer := f.answer(req.Model, body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("x-request-id", "req_loadtest")
	h.Set("x-ratelimit-limit-requests", "10000")
	h.Set("x-ratelimit-remaining-requests", "9999")
	h.Set("x-ratelimit-reset-requests", "6ms")
	w.Write(answer)
}

// answer returns the encoded chat.completion for model and remembers body.
func (f *fakeOpenAI) answer(model string, body []byte) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastBody = body
	if b, ok := f.answers[model]; ok {
		return b
	}
	var content bytes.Buffer
	if err := json.Compact(&content, personality); err != nil {
		panic(fmt.Sprintf("testdata/character_personality.json: %v", err))
	}
	b, err := json.Marshal(map[string]any{
		"id": "chatcmpl-loadtest", "object": "chat.completion", "created": time.Now().Unix(), "model": model,
		"system_fingerprint": "fp_loadtest",
		"choices": []map[string]any{{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": content.String(), "refusal": nil},
			"logprobs":      nil,
			"finish_reason": "stop",
		}},
		"usage": map[string]int{"prompt_tokens": 412, "completion_tokens": 180, "total_tokens": 592},
	})
	if err != nil {
		panic(err)
	}
	f.answers[model] = b
	return b
}
