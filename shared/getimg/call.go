package getimg

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/dndcc/dnd-llm-service/shared/imagefmt"
	"github.com/dndcc/dnd-llm-service/shared/provider"
	"github.com/dndcc/dnd-llm-service/shared/tracing"
)

// answer is GetImg's success body for response_format "b64".
type answer struct {
	Image string  `json:"image"`
	Seed  int64   `json:"seed"`
	Cost  float64 `json:"cost"`
}

// call sends body to endpoint, retrying what may succeed later.
func (c *Client) call(ctx context.Context, endpoint, model string, body any) (Image, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return Image{}, &provider.Error{Provider: Name, Kind: provider.BadRequest, Message: "the request could not be encoded", Err: fmt.Errorf("encode %s request: %w", endpoint, err)}
	}
	for attempt := 0; ; attempt++ {
		img, perr := c.attempt(ctx, endpoint, model, payload, attempt+1)
		c.observe(perr)
		if perr == nil {
			img.Model, img.Endpoint = model, endpoint
			c.metrics.cost(endpoint, img.Cost)
			return img, nil
		}
		if ctx.Err() != nil {
			return Image{}, stopped(ctx, perr)
		}
		if !perr.Retryable() || attempt >= c.cfg.MaxRetries {
			return Image{}, perr
		}
		wait := c.cfg.Jitter(backoff(attempt))
		if perr.Kind == provider.RateLimited && perr.RetryAfter > 0 {
			if perr.RetryAfter > c.cfg.InlineRetryAfterMax {
				return Image{}, perr
			}
			wait = perr.RetryAfter
		}
		c.metrics.retry(endpoint)
		c.log.LogAttrs(ctx, slog.LevelWarn, "getimg call failed, retrying",
			slog.String("endpoint", endpoint),
			slog.Int("attempt", attempt+1),
			slog.String("kind", perr.Kind.String()),
			slog.Int("status", perr.Status),
			slog.String("code", perr.Code),
			slog.Duration("wait", wait))
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return Image{}, stopped(ctx, perr)
		}
	}
}

// stopped is the error for a call whose own context ended.
func stopped(ctx context.Context, last *provider.Error) *provider.Error {
	cause := context.Cause(ctx)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &provider.Error{Provider: Name, Kind: provider.Timeout, Status: last.Status, Message: "the image provider did not answer before the deadline", Err: cause}
	}
	return &provider.Error{Provider: Name, Kind: provider.Canceled, Message: "the image request was canceled", Err: cause}
}

// attempt makes one HTTP request and classifies its outcome. n numbers
// the attempt among the call's, for its span.
func (c *Client) attempt(ctx context.Context, endpoint, model string, payload []byte, n int) (img Image, perr *provider.Error) {
	start := time.Now()
	ctx, span := tracing.Start(ctx, "getimg "+endpoint, trace.SpanKindClient,
		attribute.String("gen_ai.provider.name", Name), attribute.String("gen_ai.request.model", model),
		attribute.String("getimg.endpoint", endpoint), attribute.Int("llm.attempt", n))
	defer func() {
		outcome := "ok"
		if perr != nil {
			outcome = perr.Kind.String()
		}
		c.metrics.request(endpoint, outcome, time.Since(start))
		endSpan(span, img, perr)
		span.End()
	}()

	actx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base+endpoint, bytes.NewReader(payload))
	if err != nil {
		return Image{}, &provider.Error{Provider: Name, Kind: provider.BadRequest, Message: "the request could not be built", Err: fmt.Errorf("build %s request: %w", endpoint, err)}
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	resp, err := c.http.Do(req)
	if err != nil {
		return Image{}, c.transportError(ctx, actx, endpoint, "send", err)
	}
	defer resp.Body.Close()
	c.recordRateLimit(resp.Header)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
		return Image{}, c.statusError(endpoint, resp, raw)
	}

	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return Image{}, c.transportError(ctx, actx, endpoint, "read answer", err)
	}
	if len(raw) > maxAnswerBytes {
		return Image{}, &provider.Error{Provider: Name, Kind: provider.BadRequest, Status: resp.StatusCode, Message: "the generated image is too large to return", Err: fmt.Errorf("%s answer over %d bytes", endpoint, maxAnswerBytes)}
	}
	malformed := func(err error) *provider.Error {
		return &provider.Error{Provider: Name, Kind: provider.Transient, Status: resp.StatusCode, Message: "the image provider sent a malformed answer", Err: fmt.Errorf("%s answer: %w", endpoint, err)}
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return Image{}, malformed(fmt.Errorf("decode JSON: %w", err))
	}
	if a.Image == "" {
		return Image{}, malformed(errors.New("no image in answer"))
	}
	data, err := base64.StdEncoding.DecodeString(a.Image)
	if err != nil {
		return Image{}, malformed(fmt.Errorf("decode base64 image: %w", err))
	}
	info, err := imagefmt.Identify(data)
	if err != nil {
		return Image{}, malformed(fmt.Errorf("identify image: %w", err))
	}
	if math.IsNaN(a.Cost) || math.IsInf(a.Cost, 0) || a.Cost < 0 {
		a.Cost = 0
	}
	return Image{Data: data, MIME: info.MIME, Seed: a.Seed, Cost: a.Cost}, nil
}

// endSpan records an attempt's outcome on its span: the cost billed, or
// the failure by kind (never the provider's words).
func endSpan(span trace.Span, img Image, perr *provider.Error) {
	if !span.IsRecording() {
		return
	}
	if perr != nil {
		span.SetAttributes(attribute.String("error.type", perr.Kind.String()), attribute.Int("http.response.status_code", perr.Status))
		span.SetStatus(codes.Error, perr.Kind.String())
		return
	}
	span.SetAttributes(attribute.Float64("getimg.cost_usd", img.Cost), attribute.Int("getimg.image_bytes", len(img.Data)))
}

// transportError classifies a failure to send or to read an answer.
func (c *Client) transportError(ctx, actx context.Context, endpoint, op string, err error) *provider.Error {
	err = fmt.Errorf("%s %s: %w", op, endpoint, err)
	if ctx.Err() != nil {
		return stopped(ctx, &provider.Error{})
	}
	var ne net.Error
	if errors.Is(actx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &provider.Error{Provider: Name, Kind: provider.Timeout, Message: "the image provider did not answer in time", Err: err}
	}
	return &provider.Error{Provider: Name, Kind: provider.Transient, Message: "the connection to the image provider failed", Err: err}
}

// statusError classifies a non-2xx answer. raw is at most the first
// maxErrorBodyBytes of the body; it never reaches Message.
func (c *Client) statusError(endpoint string, resp *http.Response, raw []byte) *provider.Error {
	status := resp.StatusCode
	detail := parseError(raw)
	e := &provider.Error{Provider: Name, Status: status, Code: detail.code, Err: c.causeOf(endpoint, status, detail, raw)}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind, e.Message = provider.Unauthorized, "the image provider refused the API key"
	case status == http.StatusPaymentRequired:
		e.Kind, e.Code, e.Message = provider.Quota, "insufficient_balance", "the image provider account is out of balance"
	case status == http.StatusTooManyRequests:
		e.Kind, e.Message = provider.RateLimited, "the image provider is rate limiting requests"
		e.RetryAfter = c.retryAfter(resp.Header)
	case status == http.StatusNotFound:
		e.Kind, e.Message = provider.BadRequest, "the image provider does not offer this model or endpoint"
	case status == http.StatusRequestTimeout:
		e.Kind, e.Message = provider.Timeout, "the image provider did not answer in time"
	case status >= 500:
		e.Kind, e.Message = provider.Transient, "the image provider is unavailable"
	case status >= 400:
		e.Kind, e.Message = provider.BadRequest, "the image provider rejected the request parameters"
	default:
		e.Kind, e.Message = provider.Transient, "the image provider sent an unexpected answer"
	}
	return e
}

type errorDetail struct {
	message, typ, code string
	json               bool // the body was a JSON error object
}

// parseError reads {"error": ...} where the inner value may be an object
// with message/type/code (code a string or a number) or a bare string. Any
// other body (HTML, text, empty) gives an empty detail.
func parseError(raw []byte) errorDetail {
	var outer struct {
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(raw, &outer); err != nil || len(outer.Error) == 0 || string(outer.Error) == "null" {
		return errorDetail{}
	}
	var s string
	if err := json.Unmarshal(outer.Error, &s); err == nil {
		return errorDetail{message: s, json: true}
	}
	var obj map[string]any
	if err := json.Unmarshal(outer.Error, &obj); err != nil {
		return errorDetail{}
	}
	return errorDetail{message: scalar(obj["message"]), typ: scalar(obj["type"]), code: safeCode(scalar(obj["code"])), json: true}
}

func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// safeCode keeps a provider error code only when it looks like an
// identifier, so Code can be shown and used as a label safely.
func safeCode(s string) string {
	if codePattern.MatchString(s) {
		return s
	}
	return ""
}

// causeOf describes a provider error for logs: the parsed fields, shortened
// and with the API key removed, never the raw body.
func (c *Client) causeOf(endpoint string, status int, d errorDetail, raw []byte) error {
	if !d.json {
		ct := "unknown"
		if len(raw) > 0 {
			ct = http.DetectContentType(raw)
		}
		return fmt.Errorf("%s: HTTP %d with a non-JSON error body (%d bytes, %s)", endpoint, status, len(raw), ct)
	}
	return fmt.Errorf("%s: HTTP %d: type=%q code=%q message=%q", endpoint, status, c.clean(d.typ), c.clean(d.code), c.clean(d.message))
}

// clean removes the API key and shortens provider text for logs.
func (c *Client) clean(s string) string {
	s = strings.ReplaceAll(s, c.key, "REDACTED")
	if len(s) > maxProviderTextLength {
		cut := maxProviderTextLength
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// retryAfter reads Retry-After (seconds or an HTTP date). Without it, when
// the window is spent (X-RateLimit-Remaining: 0), it waits for
// X-RateLimit-Reset. The result is capped at MaxRetryAfter; 0 means no hint.
func (c *Client) retryAfter(h http.Header) time.Duration {
	if strings.TrimSpace(h.Get("Retry-After")) != "" {
		return provider.RetryAfter(h, c.cfg.Now(), c.cfg.MaxRetryAfter)
	}
	var d time.Duration
	if rem, ok := headerInt(h, "X-RateLimit-Remaining"); ok && rem == 0 {
		if reset, ok := headerUnix(h, "X-RateLimit-Reset"); ok {
			d = reset.Sub(c.cfg.Now())
		}
	}
	return min(max(d, 0), c.cfg.MaxRetryAfter)
}

func headerInt(h http.Header, name string) (int, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false
	}
	return n, true
}

func headerUnix(h http.Header, name string) (time.Time, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return time.Time{}, false
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 || secs > 1<<40 {
		return time.Time{}, false
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)), true
}
