// Package provider holds the error vocabulary shared by the generative AI
// provider clients (OpenAI, GetImg and the offline engines), so the queue can
// decide retry, back-pressure and failure without knowing which provider ran.
package provider

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Kind classifies a provider failure by what the caller should do about it.
type Kind int

const (
	// Transient failures (5xx, timeouts, resets, malformed answers) may
	// succeed on a later attempt.
	Transient Kind = iota + 1
	// RateLimited means the provider asked us to slow down; RetryAfter says
	// for how long. The queue pauses the workers instead of failing the job.
	RateLimited
	// Quota means the account is out of balance or quota. Never retried.
	Quota
	// Unauthorized means the API key was refused. Never retried.
	Unauthorized
	// BadRequest means the provider refused the request itself. Never retried.
	BadRequest
	// Timeout means an attempt ran past its deadline.
	Timeout
	// Canceled means the job's context was cancelled (cancel, shutdown).
	Canceled
)

func (k Kind) String() string {
	switch k {
	case Transient:
		return "transient"
	case RateLimited:
		return "rate_limited"
	case Quota:
		return "quota"
	case Unauthorized:
		return "unauthorized"
	case BadRequest:
		return "bad_request"
	case Timeout:
		return "timeout"
	case Canceled:
		return "canceled"
	default:
		return "unknown"
	}
}

// Error is a classified provider failure. Message is safe to show a caller:
// it never holds a key, a raw provider body or an internal address. Err is the
// underlying cause, for logs only.
type Error struct {
	Provider   string        // "openai", "getimg", "offline"
	Kind       Kind          // what to do about it
	Status     int           // provider HTTP status, 0 when none
	Code       string        // provider error code when it sent one (e.g. "insufficient_quota")
	Message    string        // safe for callers
	RetryAfter time.Duration // provider's hint, 0 when none
	Err        error         // cause, for logs
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s %s", e.Provider, e.Kind)
	if e.Status != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether another attempt of the same call may succeed.
func (e *Error) Retryable() bool {
	switch e.Kind {
	case Transient, RateLimited, Timeout:
		return true
	}
	return false
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var pe *Error
	if errors.As(err, &pe) {
		return pe, true
	}
	return nil, false
}

// State is a provider's health as seen from recent call outcomes. /health
// reports it without ever making a billed call.
type State string

const (
	StateOK            State = "ok"
	StateDegraded      State = "degraded"       // recent calls failed transiently or were rate limited
	StateUnauthorized  State = "unauthorized"   // the key was refused
	StateNoBalance     State = "no_balance"     // the account is out of balance or quota
	StateOffline       State = "offline"        // the built-in offline engine is in use
	StateNotConfigured State = "not_configured" // no provider is configured
)

// RetryAfter reads a server's retry hint: retry-after-ms, or Retry-After in
// seconds or as an HTTP date (relative to now). The result is capped at
// maxWait; a missing, malformed or past hint is 0.
func RetryAfter(h http.Header, now time.Time, maxWait time.Duration) time.Duration {
	if v := strings.TrimSpace(h.Get("retry-after-ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil {
			return capWait(ms*float64(time.Millisecond), maxWait)
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return capWait(s*float64(time.Second), maxWait)
	}
	if t, err := http.ParseTime(v); err == nil {
		return capWait(float64(t.Sub(now)), maxWait)
	}
	return 0
}

// capWait converts nanoseconds to a duration in [0, maxWait]; NaN and
// non-positive values are no hint, infinite ones the cap.
func capWait(ns float64, maxWait time.Duration) time.Duration {
	switch {
	case math.IsNaN(ns) || ns <= 0:
		return 0
	case ns >= float64(maxWait):
		return maxWait
	}
	return time.Duration(ns)
}
