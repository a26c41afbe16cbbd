package openai

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
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

// withAttemptTransport returns a copy of hc (or a new client) whose transport
// is wrapped by attemptTransport. The caller's client is left untouched.
// A new client has no Timeout: each attempt's context carries its deadline
// (RequestTimeout), and a client Timeout would add a goroutine and a timer
// to every call in flight.
func withAttemptTransport(hc *http.Client) *http.Client {
	var out http.Client
	if hc != nil {
		out = *hc
	}
	next := out.Transport
	if next == nil {
		// The default transport keeps 2 idle connections per host; the
		// workers call one host concurrently, so keep enough to reuse.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		next = t
	}
	out.Transport = attemptTransport{next: next}
	return &out
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
