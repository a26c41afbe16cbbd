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
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultTimeout bounds one hub call when NewClient is given no http.Client.
const DefaultTimeout = 10 * time.Second

// maxAnswer caps how much of a hub answer is read.
const maxAnswer = 64 << 10

// Client calls the Message Hub. It is safe for concurrent use.
type Client struct {
	base    string
	http    *http.Client
	secrets []string // parts of the base URL that must never be repeated
}

// NewClient returns a client for the hub at baseURL (e.g.
// "http://hub:8200"). A nil httpClient means a client with DefaultTimeout.
func NewClient(baseURL string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), http: httpClient, secrets: urlSecrets(baseURL)}
}

// statusError is a non-2xx answer from the hub.
type statusError struct {
	op         string
	status     int
	retryAfter time.Duration // from Retry-After, 0 when absent
	body       string        // the answer's start, made safe to log and store (safeBody)
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: hub answered HTTP %d", e.op, e.status)
}

// fate is what becomes of an event after the hub's answer.
type fate int

// Fates of an event delivery.
const (
	fateDelivered fate = iota // 2xx, or 409: the hub has the event
	fateRetry                 // 5xx, 408, 429 or no answer: try again later
	fateParked                // any other 4xx: set aside until an operator re-sends it
	fateGone                  // 410: the hub will never take it
)

// fateOf judges the outcome of one event post (err from postEventJSON).
func fateOf(err error) fate {
	var se *statusError
	switch {
	case err == nil:
		return fateDelivered
	case !errors.As(err, &se) || se.status >= 500 || se.status < 400:
		return fateRetry
	}
	switch se.status {
	case http.StatusConflict:
		return fateDelivered
	case http.StatusGone:
		return fateGone
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return fateRetry
	}
	return fateParked
}

// describe says in a few words what went wrong with a hub call, for logs:
// "rejected (422: <the answer's start>)", "server error (503)", or
// "unreachable (dial tcp …: connection refused)". It never repeats the
// hub URL's credentials.
func describe(err error) string {
	var se *statusError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &se) && se.status >= 500:
		return fmt.Sprintf("server error (%d)", se.status)
	case errors.As(err, &se) && se.body != "":
		return fmt.Sprintf("rejected (%d: %s)", se.status, se.body)
	case errors.As(err, &se):
		return fmt.Sprintf("rejected (%d)", se.status)
	}
	var ae *answerError
	if errors.As(err, &ae) {
		return "rejected (" + ae.reason + ")"
	}
	var re *redactedError
	if errors.As(err, &re) {
		return "unreachable (" + re.msg + ")"
	}
	return "unreachable (" + err.Error() + ")"
}

// answerError is a 2xx answer that still says no.
type answerError struct{ op, reason string }

func (e *answerError) Error() string { return e.op + ": hub answered " + e.reason }

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
		return &answerError{op: op, reason: fmt.Sprintf("status %q, want \"registered\"", c.safeBody([]byte(answer.Status), 40))}
	}
	return nil
}

// PostEvent stores one event: POST {base}/api/v1/events with header
// Idempotency-Key set to the event id, so a retried delivery is stored once.
func (c *Client) PostEvent(ctx context.Context, ev Event) error {
	ev = ev.withDefaults()
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
		return nil, fmt.Errorf("%s: %w", op, &redactedError{msg: c.scrub(err.Error()), err: err})
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &statusError{op: op, status: resp.StatusCode, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
			body: c.safeBody(answer, MaxParkedBody)}
	}
	return answer, nil
}

// redactedError is a transport error whose text had the hub URL's
// credentials removed; it keeps the error for errors.Is.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// urlSecrets are the parts of a hub URL that may be credentials: the
// user, the password and the query's values.
func urlSecrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	if u.User != nil {
		out = append(out, u.User.Username())
		if p, ok := u.User.Password(); ok {
			out = append(out, p)
		}
	}
	for _, vs := range u.Query() {
		out = append(out, vs...)
	}
	return slices.DeleteFunc(out, func(s string) bool { return len(s) < 4 })
}

var (
	keyLike    = regexp.MustCompile(`(?i)\b(sk|rk|pk)-[A-Za-z0-9_*.\-]{3,}`)
	bearerLike = regexp.MustCompile(`(?i)\bbearer\s+\S+`)
)

// scrub removes the URL's credentials and anything that looks like a key
// or a bearer token.
func (c *Client) scrub(s string) string {
	for _, sec := range c.secrets {
		s = strings.ReplaceAll(s, sec, "***")
	}
	s = keyLike.ReplaceAllString(s, "$1-***")
	return bearerLike.ReplaceAllString(s, "Bearer ***")
}

// safeBody makes the start of a hub answer fit to log and store: valid
// UTF-8, control characters and runs of space collapsed, credentials
// removed, at most n bytes.
func (c *Client) safeBody(b []byte, n int) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	return truncate(c.scrub(s), n)
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

// truncate cuts s to at most n bytes, at a rune boundary, marking the cut
// with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n-len("…"), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
