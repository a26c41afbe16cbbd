// Package openai is the chat-completions client of the service. It asks an
// OpenAI-compatible server (api.openai.com, vLLM, Ollama, llama.cpp) for a
// JSON answer under a strict JSON schema, and adds what the underlying
// go-openai library leaves out: retries with backoff and server hints, a
// fallback chain of models, one repair turn for invalid answers, failure
// classification into provider.Error, a health state and metrics.
package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/shared/provider"
)

// ProviderName is the provider.Error.Provider value of this package.
const ProviderName = "openai"

// Defaults applied to zero Config fields.
const (
	DefaultBaseURL             = "https://api.openai.com/v1"
	DefaultRequestTimeout      = 30 * time.Second
	DefaultMaxRetries          = 2
	DefaultMaxRetryAfter       = 60 * time.Second
	DefaultInlineRetryAfterMax = 2 * time.Second
	DefaultMaxPaidCalls        = 4
)

// NoRetries is the MaxRetries value for "one attempt per model" (zero means
// DefaultMaxRetries).
const NoRetries = -1

// Backoff without a server hint: exponential from backoffBase, capped at
// backoffMax, then jittered.
const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 8 * time.Second
)

// degradedAfter is how many failed attempts in a row (transient, timeout or
// rate limited) turn State to degraded.
const degradedAfter = 3

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	APIKey              string        // may be empty for local OpenAI-compatible servers; required for api.openai.com
	BaseURL             string        // includes the version path; default https://api.openai.com/v1
	Models              []string      // fallback chain, first is preferred; required
	RequestTimeout      time.Duration // per attempt; default 30s
	MaxRetries          int           // retries per model after the first attempt; 0 = default 2, NoRetries (-1) = none
	MaxRetryAfter       time.Duration // cap on a server retry hint; default 60s
	InlineRetryAfterMax time.Duration // a 429 hint longer than this returns provider.RateLimited at once; default 2s
	MaxPaidCalls        int           // billed completions (Call.Paid) one Complete may make; default 4
	HTTPClient          *http.Client  // optional; its Transport is wrapped, never modified; attempts are bounded by RequestTimeout either way
	Logger              *slog.Logger  // optional; default discards
	// Registerer receives the llm_openai_* metrics; nil means no metrics.
	Registerer prometheus.Registerer
	// Sleep waits between attempts; default waits on a timer or ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter spreads a computed backoff; default provider.Jitter, a random
	// duration in [d/2, d].
	// Server hints are never jittered.
	Jitter func(d time.Duration) time.Duration
	// Now reads the clock (HTTP-date Retry-After, durations); default time.Now.
	Now func() time.Time
}

// Message is one chat turn.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// Request asks for one structured JSON answer.
type Request struct {
	Messages    []Message
	SchemaName  string          // structured output name, [a-zA-Z0-9_-]{1,64}
	Schema      json.RawMessage // strict JSON Schema, sent as response_format json_schema
	StartModel  string          // "" = first in the chain; otherwise must be in the chain
	Temperature *float32        // nil = provider default; 0 is sent as 0
	MaxTokens   int             // 0 = provider default
	Seed        *int
	// CutoffMaxTokens caps the repair turn that follows an answer cut off at
	// MaxTokens (finish_reason "length"); 0 = MaxTokens.
	CutoffMaxTokens int
	// Validate checks the decoded answer's meaning; nil = JSON syntax only.
	Validate func(content []byte) error
	Kind     string // metrics label, e.g. "text.character"
}

// Usage counts tokens.
type Usage struct{ PromptTokens, CompletionTokens, TotalTokens int }

func (u *Usage) add(o Usage) {
	u.PromptTokens += o.PromptTokens
	u.CompletionTokens += o.CompletionTokens
	u.TotalTokens += o.TotalTokens
}

// Call is one attempted call, billed or not, for usage accounting.
type Call struct {
	Model   string
	Usage   Usage
	Outcome string // "ok", "invalid", "refused" or a provider.Kind string
}

// Paid reports whether the call was a completion the provider bills: an
// answer arrived, whether or not it was usable.
func (c Call) Paid() bool {
	return c.Outcome == outcomeOK || c.Outcome == outcomeInvalid || c.Outcome == outcomeRefused
}

// Result is a validated answer.
type Result struct {
	Content json.RawMessage // the validated JSON answer
	Model   string          // chain model that produced it
	Usage   Usage           // sum over Calls
	Calls   []Call          // every attempt, in order
}

// PaidCalls counts the Calls that were paid completions (Call.Paid).
func (r Result) PaidCalls() int {
	n := 0
	for _, c := range r.Calls {
		if c.Paid() {
			n++
		}
	}
	return n
}

// Client completes chat requests against one OpenAI-compatible server. It is
// safe for concurrent use.
type Client struct {
	api    *goopenai.Client
	models []string

	apiKey              string
	requestTimeout      time.Duration
	maxRetries          int
	maxRetryAfter       time.Duration
	inlineRetryAfterMax time.Duration
	maxPaidCalls        int

	log     *slog.Logger
	metrics *metrics // nil without a Registerer
	pacer   *pacer
	sleep   func(ctx context.Context, d time.Duration) error
	jitter  func(d time.Duration) time.Duration
	now     func() time.Time

	mu       sync.Mutex
	state    provider.State
	failRuns int // failed attempts in a row
}

// New validates cfg, applies defaults and returns a Client. Errors name the
// offending field and never contain the key.
func New(cfg Config) (*Client, error) {
	if err := applyDefaults(&cfg); err != nil {
		return nil, fmt.Errorf("openai config: %w", err)
	}
	gc := goopenai.DefaultConfig(cfg.APIKey)
	gc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	gc.HTTPClient = withAttemptTransport(cfg.HTTPClient)

	c := &Client{
		api:                 goopenai.NewClientWithConfig(gc),
		models:              slices.Clone(cfg.Models),
		apiKey:              cfg.APIKey,
		requestTimeout:      cfg.RequestTimeout,
		maxRetries:          cfg.MaxRetries,
		maxRetryAfter:       cfg.MaxRetryAfter,
		inlineRetryAfterMax: cfg.InlineRetryAfterMax,
		maxPaidCalls:        cfg.MaxPaidCalls,
		log:                 cfg.Logger,
		sleep:               cfg.Sleep,
		jitter:              cfg.Jitter,
		now:                 cfg.Now,
		pacer:               newPacer(),
		state:               provider.StateOK,
	}
	if cfg.Registerer != nil {
		m, err := newMetrics(cfg.Registerer)
		if err != nil {
			return nil, fmt.Errorf("openai config: Registerer: %w", err)
		}
		c.metrics = m
	}
	return c, nil
}

func applyDefaults(cfg *Config) error {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("BaseURL: must be an http:// or https:// URL")
	}
	if u.User != nil {
		return errors.New("BaseURL: must not carry credentials")
	}
	if strings.ContainsFunc(cfg.APIKey, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("APIKey: must not contain spaces or control characters")
	}
	if cfg.APIKey == "" && u.Hostname() == "api.openai.com" {
		return errors.New("APIKey: required for api.openai.com")
	}
	if len(cfg.Models) == 0 {
		return errors.New("Models: at least one model is required")
	}
	seen := make(map[string]bool, len(cfg.Models))
	for _, m := range cfg.Models {
		if strings.TrimSpace(m) == "" || m != strings.TrimSpace(m) {
			return fmt.Errorf("Models: %q is not a model name", m)
		}
		if seen[m] {
			return fmt.Errorf("Models: %q appears twice", m)
		}
		seen[m] = true
	}
	durations := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"RequestTimeout", &cfg.RequestTimeout, DefaultRequestTimeout},
		{"MaxRetryAfter", &cfg.MaxRetryAfter, DefaultMaxRetryAfter},
		{"InlineRetryAfterMax", &cfg.InlineRetryAfterMax, DefaultInlineRetryAfterMax},
	}
	for _, d := range durations {
		if *d.v < 0 {
			return fmt.Errorf("%s: must not be negative", d.name)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries == NoRetries:
		cfg.MaxRetries = 0
	case cfg.MaxRetries < 0:
		return errors.New("MaxRetries: must be positive, 0 (default) or NoRetries")
	}
	switch {
	case cfg.MaxPaidCalls == 0:
		cfg.MaxPaidCalls = DefaultMaxPaidCalls
	case cfg.MaxPaidCalls < 0:
		return errors.New("MaxPaidCalls: must not be negative")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = provider.Sleep
	}
	if cfg.Jitter == nil {
		cfg.Jitter = provider.Jitter
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return nil
}

// Models returns the fallback chain, preferred model first.
func (c *Client) Models() []string { return slices.Clone(c.models) }

// HasModel reports whether name is in the chain.
func (c *Client) HasModel(name string) bool { return slices.Contains(c.models, name) }

// State reports the provider's health from recent outcomes. It never calls
// the network.
func (c *Client) State() provider.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// observe folds one attempt's outcome into State. kind 0 means the server
// answered 2xx.
func (c *Client) observe(kind provider.Kind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch kind {
	case 0:
		c.state, c.failRuns = provider.StateOK, 0
	case provider.Unauthorized:
		c.state = provider.StateUnauthorized
	case provider.Quota:
		c.state = provider.StateNoBalance
	case provider.Transient, provider.Timeout, provider.RateLimited:
		c.failRuns++
		if c.failRuns >= degradedAfter && c.state == provider.StateOK {
			c.state = provider.StateDegraded
		}
	}
}
