package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Info is what the outer middleware learns about a request from the inner
// layers: its id, its caller and an internal error worth logging.
type Info struct {
	RequestID string
	Caller    string
	Err       error
}

type infoKey struct{}

// InfoFrom returns the request's Info, or nil outside the middleware.
func InfoFrom(ctx context.Context) *Info {
	info, _ := ctx.Value(infoKey{}).(*Info)
	return info
}

// RequestID returns the request's id, or "".
func RequestID(ctx context.Context) string {
	if info := InfoFrom(ctx); info != nil {
		return info.RequestID
	}
	return ""
}

// SetCaller records the authenticated caller for the access log.
func SetCaller(ctx context.Context, caller string) {
	if info := InfoFrom(ctx); info != nil {
		info.Caller = caller
	}
}

// WithInfo returns ctx carrying a fresh Info, for work outside HTTP.
func WithInfo(ctx context.Context, requestID string) context.Context {
	return context.WithValue(ctx, infoKey{}, &Info{RequestID: requestID})
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// NewID returns a random 128-bit hex id.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b[:])
}

// Metrics holds the HTTP series.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the HTTP series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llm_http_requests_total",
			Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "llm_http_request_duration_seconds",
			Help:    "HTTP request duration by route pattern, method and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"route", "method", "status"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// Requests is llm_http_requests_total, for a reader of its own (the drain
// figures at shutdown).
func (m *Metrics) Requests() prometheus.Collector { return m.requests }

// Observe is the outermost middleware: it assigns the request id, recovers
// panics, sets nosniff, and writes one access-log line and the HTTP metrics
// per request. It must wrap the mux directly so the route pattern is known.
func Observe(logger *slog.Logger, m *Metrics) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := r.Header.Get("X-Request-ID")
			if !validRequestID.MatchString(id) {
				id = NewID()
			}
			info := &Info{RequestID: id}
			r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
			w.Header().Set("X-Request-ID", id)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			sw := &statusWriter{ResponseWriter: w}

			defer func() {
				if rec := recover(); rec != nil {
					if rec == http.ErrAbortHandler {
						panic(rec)
					}
					logger.ErrorContext(r.Context(), "panic",
						"request_id", id, "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
					if !sw.wrote {
						WriteProblem(sw, r, NewProblem(CodeInternal, "The service failed to handle the request."))
					}
				}
				route := r.Pattern
				if route == "" {
					route = "unmatched"
				}
				status := sw.status
				if status == 0 {
					status = http.StatusOK
				}
				d := time.Since(start)
				annotateSpan(r, route, status, id)
				if m != nil {
					labels := []string{route, methodLabel(r.Method), strconv.Itoa(status)}
					m.requests.WithLabelValues(labels...).Inc()
					m.duration.WithLabelValues(labels...).Observe(d.Seconds())
				}
				attrs := []slog.Attr{
					slog.String("method", r.Method),
					slog.String("route", route),
					slog.Int("status", status),
					slog.Float64("duration_ms", float64(d.Microseconds())/1000),
					slog.String("request_id", id),
				}
				if info.Caller != "" {
					attrs = append(attrs, slog.String("caller", info.Caller))
				}
				level := slog.LevelInfo
				if info.Err != nil {
					attrs = append(attrs, slog.String("error", info.Err.Error()))
					if status >= 500 {
						level = slog.LevelError
					}
				}
				logger.LogAttrs(r.Context(), level, "request", attrs...)
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// annotateSpan names the request's span (tracing.Middleware's, when
// tracing is on) for its route pattern and records the answer.
func annotateSpan(r *http.Request, route string, status int, id string) {
	span := trace.SpanFromContext(r.Context())
	if !span.IsRecording() {
		return
	}
	span.SetName(route)
	span.SetAttributes(attribute.String("http.route", route), attribute.Int("http.response.status_code", status),
		attribute.String("request_id", id))
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
}

// methodLabel bounds the method label: a client may send any token as a
// method, and each would otherwise make new series.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// statusWriter remembers the status written. It forwards Flush so long
// polls and streaming keep working.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// MaxBody caps request bodies at n bytes (BodyLimit with the default
// lingering).
func MaxBody(n int64) func(http.Handler) http.Handler {
	return BodyLimit{Max: n}.Middleware()
}

// Defaults of BodyLimit's lingering.
const (
	DefaultLingerBytes = 32 << 20
	DefaultLingerTime  = 5 * time.Second
)

// BodyLimit caps request bodies. A declared Content-Length over the cap is
// refused with 413 before anything is read; a body without one (chunked)
// is refused when the handler's read passes the cap. Either way the answer
// says Connection: close, and then the rest of the body is read and
// discarded, within bounds, before the connection closes (a lingering
// close, as nginx does): many clients send the whole body before they read
// the answer, and a connection closed on unread data resets, losing the
// answer with it.
type BodyLimit struct {
	Max int64
	// LingerBytes bounds what is discarded; a declared body larger than
	// this is not read at all. Default DefaultLingerBytes.
	LingerBytes int64
	// LingerTime bounds how long the client is given to send it. Default
	// DefaultLingerTime.
	LingerTime time.Duration
}

// Middleware returns the cap as middleware.
func (l BodyLimit) Middleware() func(http.Handler) http.Handler {
	if l.LingerBytes <= 0 {
		l.LingerBytes = DefaultLingerBytes
	}
	if l.LingerTime <= 0 {
		l.LingerTime = DefaultLingerTime
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > l.Max {
				w.Header().Set("Connection", "close")
				WriteProblem(w, r, NewProblem(CodePayloadTooLarge, fmt.Sprintf("The request body is larger than %d bytes.", l.Max)))
				if r.ContentLength <= l.LingerBytes {
					l.linger(w, r.Body)
				}
				return
			}
			raw := r.Body
			capped := &cappedBody{ReadCloser: http.MaxBytesReader(w, raw, l.Max), header: w.Header()}
			r.Body = capped
			next.ServeHTTP(w, r)
			if capped.hit {
				l.linger(w, raw)
			}
		})
	}
}

// linger sends the answer written so far, then reads and discards what
// is left of body, up to LingerBytes and LingerTime. (A client that sent
// Expect: 100-continue is not asked for its body: once an answer is
// written, reading sends no 100 Continue. If it sends the body anyway, that
// is discarded too.)
func (l BodyLimit) linger(w http.ResponseWriter, body io.Reader) {
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex() // read after the answer is written
	if err := rc.Flush(); err != nil {
		return // no connection of ours to keep open (Lambda)
	}
	if err := rc.SetReadDeadline(time.Now().Add(l.LingerTime)); err != nil {
		return
	}
	_, _ = io.CopyN(io.Discard, body, l.LingerBytes)
}

// cappedBody is a body behind http.MaxBytesReader that notes when a read
// passes the cap, and then asks, before the handler answers, that the
// connection close after the answer.
type cappedBody struct {
	io.ReadCloser
	header http.Header
	hit    bool
}

func (b *cappedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if !b.hit && errors.As(err, &mbe) {
		b.hit = true
		b.header.Set("Connection", "close")
	}
	return n, err
}

// Mux is where a group mounts its routes: an *http.ServeMux, or a recorder
// that lists them.
type Mux interface {
	Handle(pattern string, handler http.Handler)
}

var _ Mux = (*http.ServeMux)(nil)

// Chain applies middleware so the first listed is the outermost.
func Chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// ProblemMux wraps a ServeMux so that unknown routes answer 404 and wrong
// methods 405 as problems (with the Allow header), instead of plain text.
func ProblemMux(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// Let the mux decide between 404, 405 and a redirect, but keep
		// only its status and headers.
		rec := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		switch rec.status {
		case http.StatusMethodNotAllowed:
			if allow := rec.header.Get("Allow"); allow != "" {
				w.Header().Set("Allow", allow)
			}
			WriteProblem(w, r, NewProblem(CodeMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s.", r.Method, r.URL.Path)))
		case http.StatusMovedPermanently, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusFound:
			mux.ServeHTTP(w, r)
		default:
			WriteProblem(w, r, NewProblem(CodeNotFound, "No route matches "+r.URL.Path+"."))
		}
	})
}

type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }
func (h *headerRecorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}
func (h *headerRecorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(b), nil
}
