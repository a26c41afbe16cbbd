// Package httpapi holds what every HTTP route shares: RFC 9457 problem
// answers, JSON encoding and capped, validated decoding, and the middleware
// that wraps every request.
package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Problem codes. They keep the first version's values where one existed, so
// old callers can still branch on them.
const (
	CodeInvalidParameters     = "INVALID_PARAMETERS"
	CodeInvalidPrompt         = "INVALID_PROMPT"
	CodeInvalidJSON           = "INVALID_JSON"
	CodeUnauthorized          = "UNAUTHORIZED"
	CodeForbidden             = "FORBIDDEN"
	CodeNotFound              = "NOT_FOUND"
	CodeMethodNotAllowed      = "METHOD_NOT_ALLOWED"
	CodeConflict              = "CONFLICT"
	CodePayloadTooLarge       = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedMediaType  = "UNSUPPORTED_MEDIA_TYPE"
	CodeRateLimited           = "RATE_LIMITED"
	CodeQuotaExceeded         = "QUOTA_EXCEEDED"
	CodeQueueFull             = "QUEUE_FULL"
	CodeQueueTimeout          = "QUEUE_TIMEOUT"
	CodeServiceUnavailable    = "SERVICE_UNAVAILABLE"
	CodeProviderUnavailable   = "PROVIDER_UNAVAILABLE"
	CodeProviderTimeout       = "PROVIDER_TIMEOUT"
	CodeProviderRejected      = "PROVIDER_REJECTED"
	CodeTextGenerationFailed  = "TEXT_GENERATION_FAILED"
	CodeImageGenerationFailed = "IMAGE_GENERATION_FAILED"
	CodeJobCanceled           = "JOB_CANCELED"
	CodeAttemptsExhausted     = "ATTEMPTS_EXHAUSTED"
	CodeInternal              = "INTERNAL_ERROR"
)

// statusByCode is the one table from a problem code to its HTTP status.
var statusByCode = map[string]int{
	CodeInvalidParameters:     http.StatusBadRequest,
	CodeInvalidPrompt:         http.StatusBadRequest,
	CodeInvalidJSON:           http.StatusBadRequest,
	CodeUnauthorized:          http.StatusUnauthorized,
	CodeForbidden:             http.StatusForbidden,
	CodeNotFound:              http.StatusNotFound,
	CodeMethodNotAllowed:      http.StatusMethodNotAllowed,
	CodeConflict:              http.StatusConflict,
	CodePayloadTooLarge:       http.StatusRequestEntityTooLarge,
	CodeUnsupportedMediaType:  http.StatusUnsupportedMediaType,
	CodeRateLimited:           http.StatusTooManyRequests,
	CodeQuotaExceeded:         http.StatusTooManyRequests,
	CodeQueueFull:             http.StatusServiceUnavailable,
	CodeQueueTimeout:          http.StatusGatewayTimeout,
	CodeServiceUnavailable:    http.StatusServiceUnavailable,
	CodeProviderUnavailable:   http.StatusBadGateway,
	CodeProviderTimeout:       http.StatusGatewayTimeout,
	CodeProviderRejected:      http.StatusBadGateway,
	CodeTextGenerationFailed:  http.StatusBadGateway,
	CodeImageGenerationFailed: http.StatusBadGateway,
	CodeJobCanceled:           http.StatusConflict,
	CodeAttemptsExhausted:     http.StatusBadGateway,
	CodeInternal:              http.StatusInternalServerError,
}

// Codes lists every problem code with its status, for documentation.
func Codes() map[string]int {
	out := make(map[string]int, len(statusByCode))
	for k, v := range statusByCode {
		out[k] = v
	}
	return out
}

// StatusOf returns the HTTP status a problem code maps to (500 if unknown).
func StatusOf(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// FieldError names one invalid request field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problem is an RFC 9457 problem details object with this service's
// extensions: a stable code and, for validation, the field errors.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	Code      string       `json:"code"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
	// Job carries the failed job on generation answers.
	Job any `json:"job,omitempty"`

	// RetryAfter, when set, is sent as the Retry-After header (seconds).
	RetryAfter time.Duration `json:"-"`
	// Err is the internal cause: logged, never sent.
	Err error `json:"-"`
}

// NewProblem returns a problem for code with a detail safe to show.
func NewProblem(code, detail string) *Problem {
	status := StatusOf(code)
	return &Problem{
		Type:   "urn:dnd-llm-service:problem:" + code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   code,
	}
}

// Invalid returns a 400 problem listing field errors, sorted by field.
func Invalid(fields map[string]string) *Problem {
	p := NewProblem(CodeInvalidParameters, "The request has invalid fields.")
	for _, f := range sortedKeys(fields) {
		p.Errors = append(p.Errors, FieldError{Field: f, Message: fields[f]})
	}
	return p
}

// Error makes *Problem an error, so handlers can return it.
func (p *Problem) Error() string {
	if p.Err != nil {
		return fmt.Sprintf("%s: %s: %v", p.Code, p.Detail, p.Err)
	}
	return p.Code + ": " + p.Detail
}

func (p *Problem) Unwrap() error { return p.Err }

// AsProblem returns err as a problem: the *Problem in its chain, or a 500
// whose detail reveals nothing of err.
func AsProblem(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return NewProblem(CodePayloadTooLarge, fmt.Sprintf("The request body is larger than %d bytes.", mbe.Limit))
	}
	ip := NewProblem(CodeInternal, "The service failed to handle the request.")
	ip.Err = err
	return ip
}

// WriteProblem sends p as application/problem+json. The request id and
// instance are filled from the request.
func WriteProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	if p.Instance == "" && r != nil {
		p.Instance = r.URL.Path
	}
	if p.RequestID == "" && r != nil {
		p.RequestID = RequestID(r.Context())
	}
	if p.RetryAfter > 0 {
		secs := int((p.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	if p.Status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="dnd-llm-service"`)
	}
	if p.Err != nil && r != nil {
		if info := InfoFrom(r.Context()); info != nil {
			info.Err = p.Err
		}
	}
	writeJSON(w, p.Status, "application/problem+json", p)
}

// Error writes err as a problem (see AsProblem).
func Error(w http.ResponseWriter, r *http.Request, err error) {
	WriteProblem(w, r, AsProblem(err))
}

// JSON writes v with the given status. Headers are set before WriteHeader.
func JSON(w http.ResponseWriter, status int, v any) {
	writeJSON(w, status, "application/json", v)
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		contentType = "application/problem+json"
		b = []byte(`{"type":"urn:dnd-llm-service:problem:INTERNAL_ERROR","title":"Internal Server Error","status":500,"code":"INTERNAL_ERROR"}`)
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// HandlerFunc is the shape of every route handler: it writes its answer and
// returns nil, or returns an error for its route to render (as a problem,
// unless the route renders errors its own way).
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP calls f and writes its error as a problem.
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		Error(w, r, err)
	}
}

var _ http.Handler = HandlerFunc(nil)

// Wrap adapts a handler that writes every answer itself, errors included.
func Wrap(h http.Handler) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		h.ServeHTTP(w, r)
		return nil
	}
}
