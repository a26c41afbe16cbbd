package servicetest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Response is an answer with its body read.
type Response struct {
	Status  int
	Header  http.Header
	Body    []byte
	Request *http.Request // the request as sent
}

// JSON decodes the body as a JSON object, failing the test when it is not one.
func (r Response) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		tb.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// An Option changes how Send makes its request.
type Option func(*request)

type request struct {
	client *http.Client
	header []string
	reader io.Reader
	beyond bool
}

// Header sets each name, value pair as a request header, after the
// defaults (a Content-Type given here replaces application/json).
func Header(kv ...string) Option {
	return func(r *request) { r.header = append(r.header, kv...) }
}

// Client sends the request with c instead of http.DefaultClient.
func Client(c *http.Client) Option {
	return func(r *request) { r.client = c }
}

// BodyReader sends what rd reads as the JSON body, in place of the body
// string; a reader that hides its length makes the body go out chunked.
func BodyReader(rd io.Reader) Option {
	return func(r *request) { r.reader = rd }
}

// BeyondSchema marks a request that the API document's schemas accept but
// the service refuses for what no schema can say: a model outside the
// configured chain, an image that does not decode, a date range that is
// too long. A watcher (Watch) sees the mark in Exchange.BeyondSchema.
func BeyondSchema() Option {
	return func(r *request) { r.beyond = true }
}

// Send makes one request and returns the answer, or the transport error.
// A body is sent as application/json; tok, when set, as a bearer token. It
// never fails the test, so it may run on any goroutine. The exchange goes
// to the host's watcher, if any (Watch), whatever client sends it.
func Send(method, url, tok, body string, opts ...Option) (Response, error) {
	o := request{client: http.DefaultClient}
	for _, opt := range opts {
		opt(&o)
	}
	rd := o.reader
	if rd == nil && body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return Response{}, err
	}
	if o.beyond {
		req = req.WithContext(context.WithValue(req.Context(), beyondSchemaKey{}, true))
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(o.header); i += 2 {
		req.Header.Set(o.header[i], o.header[i+1])
	}
	c := *o.client
	c.Transport = recording{next: c.Transport}
	resp, err := c.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	r := Response{Status: resp.StatusCode, Header: resp.Header, Body: b, Request: req}
	if err != nil {
		return r, fmt.Errorf("%s %s: read answer: %w", method, url, err)
	}
	return r, nil
}

// Do is Send on the test's goroutine: a transport error fails the test.
func Do(tb testing.TB, method, url, tok, body string, opts ...Option) Response {
	tb.Helper()
	r, err := Send(method, url, tok, body, opts...)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	return r
}
