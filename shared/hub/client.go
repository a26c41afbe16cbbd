package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds one hub call when NewClient is given no http.Client.
const DefaultTimeout = 10 * time.Second

// maxAnswer caps how much of a hub answer is read.
const maxAnswer = 64 << 10

// Client calls the Message Hub. It is safe for concurrent use.
type Client struct {
	base string
	http *http.Client
}

// NewClient returns a client for the hub at baseURL (e.g.
// "http://hub:8200"). A nil httpClient means a client with DefaultTimeout.
func NewClient(baseURL string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), http: httpClient}
}

// statusError is a non-2xx answer from the hub.
type statusError struct {
	op         string
	status     int
	retryAfter time.Duration // from Retry-After, 0 when absent
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: hub answered HTTP %d", e.op, e.status)
}

// permanent reports whether retrying the same request can never succeed:
// a 4xx other than 408 (timeout) and 429 (rate limited).
func (e *statusError) permanent() bool {
	return e.status >= 400 && e.status < 500 && e.status != http.StatusRequestTimeout && e.status != http.StatusTooManyRequests
}

// Register announces the service: POST {base}/v1/services/register. Any 2xx
// is success unless the answer names a status other than "registered".
func (c *Client) Register(ctx context.Context, reg Registration) error {
	const op = "hub register"
	body, err := c.do(ctx, op, http.MethodPost, "/v1/services/register", reg, nil)
	if err != nil {
		return err
	}
	var answer struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(body, &answer) == nil && answer.Status != "" && answer.Status != "registered" {
		return fmt.Errorf("%s: hub answered status %q, want \"registered\"", op, truncate(answer.Status, 40))
	}
	return nil
}

// PostEvent stores one event: POST {base}/api/v1/events with header
// Idempotency-Key set to the event id, so a retried delivery is stored once.
func (c *Client) PostEvent(ctx context.Context, ev Event) error {
	if ev.Data == nil {
		ev.Data = map[string]any{}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("hub post event: encode: %w", err)
	}
	return c.postEventJSON(ctx, ev.Metadata.EventID, b)
}

// postEventJSON posts an already encoded event, byte for byte.
func (c *Client) postEventJSON(ctx context.Context, eventID string, body json.RawMessage) error {
	const op = "hub post event"
	if eventID == "" {
		return fmt.Errorf("%s: event has no event_id", op)
	}
	h := http.Header{"Idempotency-Key": {eventID}}
	_, err := c.do(ctx, op, http.MethodPost, "/api/v1/events", body, h)
	return err
}

// Health checks the hub: GET {base}/health answers 2xx.
func (c *Client) Health(ctx context.Context) error {
	_, err := c.do(ctx, "hub health", http.MethodGet, "/health", nil, nil)
	return err
}

// do sends one request and returns the (capped) answer body of a 2xx.
// Errors name op and the status; they never carry the URL, which may hold
// credentials.
func (c *Client) do(ctx context.Context, op, method, path string, in any, h http.Header) ([]byte, error) {
	var body io.Reader
	switch v := in.(type) {
	case nil:
	case json.RawMessage:
		body = bytes.NewReader(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("%s: encode: %w", op, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid hub URL", op)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // drop the URL
		}
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &statusError{op: op, status: resp.StatusCode, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	return answer, nil
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date; 0 when
// absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
