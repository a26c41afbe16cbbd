package openai

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/shared/provider"
)

// failure is one failed attempt, classified.
type failure struct {
	err   *provider.Error
	retry bool // another attempt on the same model may succeed (within MaxRetries)
	stop  bool // once retries are spent (or none allowed): end the call; false = next model
	hint  time.Duration
	usage Usage // tokens the failed answer reported, if any
}

const maxMessageLen = 300

// classify turns the error of one attempt into a failure. ctx is the
// caller's context (not the per-attempt one); h holds the response headers,
// empty when there was no response.
func (c *Client) classify(ctx context.Context, a *attempt, err error, h http.Header) failure {
	if ctx.Err() != nil {
		return failure{err: c.contextError(ctx, err), stop: true}
	}
	if !a.sent {
		// go-openai refused the request locally (model/parameter checks,
		// marshalling); another attempt would be refused the same way.
		return failure{err: &provider.Error{
			Provider: ProviderName, Kind: provider.BadRequest, Code: "invalid_request",
			Message: "the request was refused before sending: " + c.safeText(err.Error()),
		}, stop: true}
	}

	var f failure
	var reqErr *goopenai.RequestError
	var apiErr *goopenai.APIError
	switch {
	case errors.As(err, &reqErr):
		// A body that is not an OpenAI error object (an HTML 502 page, a
		// proxy's text). It may wrap a half-decoded APIError.
		var code, typ, msg string
		if errors.As(reqErr.Err, &apiErr) {
			code, typ, msg = codeString(apiErr.Code), apiErr.Type, apiErr.Message
		}
		f = c.classifyStatus(reqErr.HTTPStatusCode, code, typ, msg, h)
		f.err.Err = statusCause(reqErr.HTTPStatusCode, typ, code, h, fmt.Sprintf("non-JSON error body of %d bytes", len(reqErr.Body)))
	case errors.As(err, &apiErr):
		code := codeString(apiErr.Code)
		f = c.classifyStatus(apiErr.HTTPStatusCode, code, apiErr.Type, apiErr.Message, h)
		f.err.Err = statusCause(apiErr.HTTPStatusCode, apiErr.Type, code, h, "")
	case isTimeout(err):
		f = failure{err: &provider.Error{
			Provider: ProviderName, Kind: provider.Timeout,
			Message: "the provider did not answer in time", Err: c.redact(err),
		}, retry: true}
	default:
		// Connection refused or reset, a body cut mid-way, a 2xx body that is
		// not a completion.
		f = failure{err: &provider.Error{
			Provider: ProviderName, Kind: provider.Transient,
			Message: "the connection to the provider failed", Err: c.redact(err),
		}, retry: true}
	}

	// The server's word on retrying overrides the status rule. It never turns
	// a final failure into a fallback.
	switch strings.ToLower(strings.TrimSpace(h.Get("x-should-retry"))) {
	case "true":
		f.retry = true
	case "false":
		f.retry = false
	}
	return f
}

// classifyStatus maps an HTTP error status and OpenAI error code.
func (c *Client) classifyStatus(status int, code, typ, msg string, h http.Header) failure {
	hint := retryHint(h, c.now(), c.maxRetryAfter)
	pe := &provider.Error{Provider: ProviderName, Status: status, Code: c.safeCode(code), RetryAfter: hint}
	f := failure{err: pe, hint: hint}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		pe.Kind, pe.Message, f.stop = provider.Unauthorized, "the API key was refused", true
	case status == http.StatusTooManyRequests && (code == "insufficient_quota" || typ == "insufficient_quota"):
		pe.Kind, pe.Code, f.stop = provider.Quota, "insufficient_quota", true
		pe.Message = "the account is out of quota or balance"
	case status == http.StatusTooManyRequests:
		pe.Kind, pe.Message, f.retry = provider.RateLimited, "the provider rate limit was reached", true
	case status == http.StatusNotFound:
		// model_not_found from OpenAI; local servers answer a bare 404 for
		// an unknown model. Either way another model may exist.
		pe.Kind, pe.Message = provider.BadRequest, "the model is not available"
	case status == http.StatusRequestTimeout || status == http.StatusConflict || status >= 500:
		pe.Kind, pe.Message, f.retry = provider.Transient, "the provider failed", true
	case status >= 400:
		pe.Kind, f.stop = provider.BadRequest, true
		pe.Message = "the provider refused the request"
		if m := c.safeText(msg); m != "" {
			pe.Message += ": " + m
		}
	default:
		pe.Kind, pe.Message, f.retry = provider.Transient, "unexpected provider status", true
	}
	return f
}

// contextError classifies the end of the caller's context: cancellation (job
// cancel, shutdown) or its deadline (request, Lambda invocation).
func (c *Client) contextError(ctx context.Context, err error) *provider.Error {
	cause := context.Cause(ctx)
	if cause == nil {
		cause = err
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &provider.Error{Provider: ProviderName, Kind: provider.Timeout,
			Message: "the caller's deadline passed", Err: c.redact(cause)}
	}
	return &provider.Error{Provider: ProviderName, Kind: provider.Canceled,
		Message: "the call was cancelled", Err: c.redact(cause)}
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// codeString renders go-openai's Code (string, number or nil). go-openai
// decodes "code": null as the number 0, which means no code.
func codeString(code any) string {
	switch v := code.(type) {
	case nil:
		return ""
	case int:
		if v == 0 {
			return ""
		}
		return strconv.Itoa(v)
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// statusCause is the log-only cause of an HTTP failure: facts we chose, never
// the provider's text.
func statusCause(status int, typ, code string, h http.Header, extra string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", status)
	if typ != "" {
		fmt.Fprintf(&b, " type=%s", safeToken(typ))
	}
	if code != "" {
		fmt.Fprintf(&b, " code=%s", safeToken(code))
	}
	if id := h.Get("x-request-id"); id != "" {
		fmt.Fprintf(&b, " request_id=%s", safeToken(id))
	}
	if extra != "" {
		b.WriteString(" " + extra)
	}
	return errors.New(b.String())
}

// retryHint is the server's retry hint, capped at maxWait.
func retryHint(h http.Header, now time.Time, maxWait time.Duration) time.Duration {
	return provider.RetryAfter(h, now, maxWait)
}

// backoff is the wait before retry number n (0-based) without a hint.
func backoff(n int) time.Duration {
	if n >= 5 {
		return backoffMax
	}
	return min(backoffBase<<n, backoffMax)
}

var (
	keyLike    = regexp.MustCompile(`(?i)\b(sk|rk|pk)-[A-Za-z0-9_*.\-]{3,}`)
	bearerLike = regexp.MustCompile(`(?i)\bbearer\s+\S+`)
)

// safeText makes provider text fit for a caller: keys removed, control
// characters and runs of space collapsed, length capped.
func (c *Client) safeText(s string) string {
	return capText(c.scrub(s), maxMessageLen)
}

// scrub removes the configured key and anything that looks like a key.
func (c *Client) scrub(s string) string {
	if len(c.apiKey) >= minLiteralKeyLen {
		s = strings.ReplaceAll(s, c.apiKey, "***")
	}
	s = keyLike.ReplaceAllString(s, "$1-***")
	s = bearerLike.ReplaceAllString(s, "Bearer ***")
	return s
}

// minLiteralKeyLen is the shortest configured key replaced verbatim; shorter
// placeholder keys of local servers ("x", "none") would shred ordinary text.
const minLiteralKeyLen = 6

func capText(s string, n int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// safeCode keeps an error code only when it looks like one.
func (c *Client) safeCode(code string) string {
	if code == "" || len(code) > 64 || safeToken(code) != code || c.scrub(code) != code {
		return ""
	}
	return code
}

// safeToken keeps identifier characters only.
func safeToken(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.') {
			return r
		}
		return -1
	}, s)
	if len(s) > 64 {
		s = s[:64]
	}
	return keyLike.ReplaceAllString(s, "$1-***")
}

// redactedError hides the key in err's text and keeps err for errors.Is.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func (c *Client) redact(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: capText(c.scrub(err.Error()), 2*maxMessageLen), err: err}
}
