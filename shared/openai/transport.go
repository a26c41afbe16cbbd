package openai

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// attempt carries per-attempt facts between Complete and the transport. The
// transport runs synchronously inside the HTTP call, on the caller's
// goroutine, so no locking is needed.
type attempt struct {
	zeroTemperature bool // splice "temperature":0 into the body (go-openai omits a zero float)
	sent            bool // the request reached the transport: go-openai did not refuse it locally
}

type attemptKey struct{}

func withAttempt(ctx context.Context, a *attempt) context.Context {
	return context.WithValue(ctx, attemptKey{}, a)
}

// attemptTransport marks each request as sent and writes a zero temperature
// that go-openai's omitempty would drop.
type attemptTransport struct{ next http.RoundTripper }

// Buffers of each provider connection. A connection holds both for as long
// as it lives, and a process holds one connection per call in flight, so
// they are sized for the traffic rather than left at net/http's 4 kB each:
// a request's body goes to the socket in one write whatever the write
// buffer (bytes.Reader writes itself), and the read buffer holds the
// answer's status line and headers.
const (
	connReadBuffer  = 2 << 10
	connWriteBuffer = 1 << 10
)

// httpDoer is the HTTP client go-openai calls.
type httpDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// withAttemptTransport returns the client go-openai calls through: hc with
// its transport wrapped by attemptTransport (a copy: the caller's client is
// left untouched) or, when hc is nil, a direct round tripper (see
// roundTripDoer). Neither has a Timeout: each attempt's context carries
// its deadline (RequestTimeout), and a client Timeout would add a
// goroutine and a timer to every call in flight.
func withAttemptTransport(hc *http.Client) httpDoer {
	if hc == nil {
		return roundTripDoer{attemptTransport{next: newTransport()}}
	}
	out := *hc
	next := out.Transport
	if next == nil {
		next = newTransport()
	}
	out.Transport = attemptTransport{next: next}
	return &out
}

// newTransport returns the transport to the provider.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// The default transport keeps 2 idle connections per host; the
	// workers call one host concurrently, so keep enough to reuse.
	t.MaxIdleConnsPerHost = 64
	t.ReadBufferSize, t.WriteBufferSize = connReadBuffer, connWriteBuffer
	return t
}

// roundTripDoer sends a request with one round trip, as http.Client would
// without a Timeout, a cookie jar or a redirect to follow (the API answers
// a completion, never a redirect). A call waits for its answer for
// seconds, on the stack of the job that made it; http.Client's frames
// would add a kilobyte to each such stack.
type roundTripDoer struct{ rt http.RoundTripper }

func (d roundTripDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.rt.RoundTrip(req)
	if err != nil {
		// As http.Client reports it: the error keeps Timeout and Unwrap.
		return nil, &url.Error{Op: urlErrorOp(req.Method), URL: req.URL.Redacted(), Err: err}
	}
	return resp, nil
}

// urlErrorOp is http.Client's Op for a method: "Post" for POST.
func urlErrorOp(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

func (t attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	a, _ := req.Context().Value(attemptKey{}).(*attempt)
	if a == nil {
		return t.next.RoundTrip(req)
	}
	a.sent = true
	if !a.zeroTemperature || req.Body == nil {
		return t.next.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	body, err = spliceZeroTemperature(body)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return t.next.RoundTrip(out)
}

var errNotJSONObject = errors.New("request body is not a JSON object")

// spliceZeroTemperature inserts "temperature":0 as the first member of a
// JSON object that has no temperature member (go-openai omits a zero one).
func spliceZeroTemperature(body []byte) ([]byte, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) < 2 || trimmed[0] != '{' {
		return nil, errNotJSONObject
	}
	rest := bytes.TrimLeft(trimmed[1:], " \t\r\n")
	if len(rest) == 0 {
		return nil, errNotJSONObject
	}
	out := make([]byte, 0, len(body)+len(`"temperature":0,`))
	out = append(out, `{"temperature":0`...)
	if rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...), nil
}
