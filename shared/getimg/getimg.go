// Package getimg is a client for the GetImg.AI v1 image API: text to image
// (Stable Diffusion XL, FLUX.1 schnell), image to image, upscale and face
// fix. It retries transient failures with backoff, honours Retry-After,
// classifies every failure as a *provider.Error and tracks the provider's
// health and rate-limit headers from recent answers.
package getimg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dndcc/dnd-llm-service/shared/provider"
)

// Name is the provider name carried by every *provider.Error.
const Name = "getimg"

// DefaultBaseURL is the GetImg.AI API root, without the version.
const DefaultBaseURL = "https://api.getimg.ai"

// Models and enhancement models the client knows.
const (
	ModelSDXL        = "stable-diffusion-xl"
	ModelFluxSchnell = "flux-schnell"
	ModelRealESRGAN4 = "real-esrgan-4x"
	ModelGFPGAN13    = "gfpgan-v1-3"
)

// Endpoints, as reported in Image.Endpoint and the endpoint metric label.
// The request path is "/v1/" + endpoint.
const (
	EndpointSDXLText      = "stable-diffusion-xl/text-to-image"
	EndpointFluxText      = "flux-schnell/text-to-image"
	EndpointSDXLImage     = "stable-diffusion-xl/image-to-image"
	EndpointUpscale       = "enhancements/upscale"
	EndpointFaceFix       = "enhancements/face-fix"
	defaultUpscaleScale   = 4
	maxUpscaleScale       = 4
	responseFormatBase64  = "b64"
	backoffStart          = 500 * time.Millisecond
	backoffCap            = 8 * time.Second
	maxAnswerBytes        = 96 << 20 // a base64 image of up to 72 MiB
	maxErrorBodyBytes     = 64 << 10
	maxProviderTextLength = 200
)

// Config configures a Client. Zero values take the defaults noted.
type Config struct {
	// APIKey is sent as "Authorization: Bearer <key>". Required.
	APIKey string
	// BaseURL is the API root without the version; the client appends
	// /v1/.... Default DefaultBaseURL.
	BaseURL string
	// RequestTimeout bounds each attempt. Default 60s.
	RequestTimeout time.Duration
	// MaxRetries is how many times a failed call is tried again. Default 2;
	// a negative value means no retries.
	MaxRetries int
	// MaxRetryAfter caps a provider's Retry-After hint. Default 60s.
	MaxRetryAfter time.Duration
	// InlineRetryAfterMax is the longest 429 hint waited for inside a call.
	// A longer hint returns a provider.RateLimited error at once, so the
	// queue can pause its workers instead. Default 2s.
	InlineRetryAfterMax time.Duration
	// HTTPClient sends the requests. Default a client whose timeout is
	// RequestTimeout.
	HTTPClient *http.Client
	// Logger receives one warning per retry. Default discards.
	Logger *slog.Logger
	// Registerer, when set, receives the llm_getimg_* metrics.
	Registerer prometheus.Registerer
	// Sleep waits between attempts and returns ctx.Err() if ctx ends
	// first. Default provider.Sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter spreads an exponential backoff delay. Default
	// provider.Jitter, a random duration in [d/2, d]. It is not applied to
	// Retry-After hints.
	Jitter func(time.Duration) time.Duration
	// Now reads the clock for HTTP-date Retry-After values and
	// X-RateLimit-Reset. Default time.Now.
	Now func() time.Time
}

// Client calls the GetImg.AI v1 API. It is safe for concurrent use.
type Client struct {
	key     string
	base    string
	cfg     Config
	http    *http.Client
	log     *slog.Logger
	metrics *metrics

	mu    sync.Mutex
	state provider.State
	limit RateLimit
}

// RateLimit holds the last rate-limit headers GetImg sent.
type RateLimit struct {
	Limit     int       // X-RateLimit-Limit: requests allowed in the window
	Remaining int       // X-RateLimit-Remaining: requests left in the window
	Reset     time.Time // X-RateLimit-Reset: when the window resets
	Updated   time.Time // when these were read; zero before any answer had them
}

// New returns a client for cfg, with defaults applied.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("getimg: APIKey is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("getimg: BaseURL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 2
	} else if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = 60 * time.Second
	}
	if cfg.InlineRetryAfterMax <= 0 {
		cfg.InlineRetryAfterMax = 2 * time.Second
	}
	hc := cfg.HTTPClient
	if hc == nil {
		// Keep enough idle connections for the image workers to reuse.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 32
		hc = &http.Client{Timeout: cfg.RequestTimeout, Transport: t}
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
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
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("getimg: register metrics: %w", err)
	}
	return &Client{
		key:     cfg.APIKey,
		base:    strings.TrimRight(cfg.BaseURL, "/") + "/v1/",
		cfg:     cfg,
		http:    hc,
		log:     logger,
		metrics: m,
		state:   provider.StateOK,
	}, nil
}

// State reports the provider's health from the outcomes of recent
// attempts: ok after a success (or before any call), degraded after a
// transient failure, timeout or rate limit, unauthorized after a refused key
// and no_balance after a 402. Refused requests and cancellations leave it
// unchanged. It never calls the provider.
func (c *Client) State() provider.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// RateLimit returns the last rate-limit headers GetImg sent.
func (c *Client) RateLimit() RateLimit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.limit
}

func (c *Client) observe(err *provider.Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		c.state = provider.StateOK
		return
	}
	switch err.Kind {
	case provider.Unauthorized:
		c.state = provider.StateUnauthorized
	case provider.Quota:
		c.state = provider.StateNoBalance
	case provider.Transient, provider.Timeout, provider.RateLimited:
		c.state = provider.StateDegraded
	}
}

func (c *Client) recordRateLimit(h http.Header) {
	limit, okL := headerInt(h, "X-RateLimit-Limit")
	remaining, okR := headerInt(h, "X-RateLimit-Remaining")
	reset, okT := headerUnix(h, "X-RateLimit-Reset")
	if !okL && !okR && !okT {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if okL {
		c.limit.Limit = limit
	}
	if okR {
		c.limit.Remaining = remaining
	}
	if okT {
		c.limit.Reset = reset
	}
	c.limit.Updated = c.cfg.Now()
}

// backoff is the delay before retry number attempt+1 (attempt counts from
// 0): 0.5s doubling to at most 8s.
func backoff(attempt int) time.Duration {
	d := backoffStart
	for range attempt {
		d *= 2
		if d >= backoffCap {
			return backoffCap
		}
	}
	return d
}
