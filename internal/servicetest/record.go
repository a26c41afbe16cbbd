package servicetest

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// Exchange is one request a test sent with Send and the answer it got, as
// the recording transport saw them on the wire.
type Exchange struct {
	// Request is the request as sent; its Body is nil: see Body.
	Request *http.Request
	// Body is the request body as sent, and BodySent reports whether the
	// whole of it went out (a server may answer before reading it all).
	Body     []byte
	BodySent bool
	Status   int
	Header   http.Header
	// Answer is the answer's body, read to its end.
	Answer []byte
	// BeyondSchema is set when the test marked the request so (see
	// BeyondSchema).
	BeyondSchema bool
}

type beyondSchemaKey struct{}

// watchers are the functions that see the exchanges with a host.
var watchers = struct {
	sync.Mutex
	byHost map[string]func(Exchange)
}{byHost: map[string]func(Exchange){}}

// Watch makes Send hand each exchange with host (a URL's host:port) to fn,
// once its answer has been read to its end, until stop is called. fn runs
// on the goroutine that sent the request. A host has one watcher at a
// time; the last one set wins.
func Watch(host string, fn func(Exchange)) (stop func()) {
	watchers.Lock()
	defer watchers.Unlock()
	watchers.byHost[host] = fn
	return func() {
		watchers.Lock()
		defer watchers.Unlock()
		delete(watchers.byHost, host)
	}
}

func watcher(host string) func(Exchange) {
	watchers.Lock()
	defer watchers.Unlock()
	return watchers.byHost[host]
}

// recording is the transport Send wraps around its client's: it passes
// every request on unchanged and records those to a watched host.
type recording struct{ next http.RoundTripper }

func (rt recording) RoundTrip(req *http.Request) (*http.Response, error) {
	next := rt.next
	if next == nil {
		next = http.DefaultTransport
	}
	fn := watcher(req.URL.Host)
	if fn == nil {
		return next.RoundTrip(req)
	}
	sent := &capture{}
	out := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		out.Body = sent.wrap(req.Body)
		if req.GetBody != nil {
			out.GetBody = func() (io.ReadCloser, error) {
				b, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				return sent.wrap(b), nil // a retry starts the record again
			}
		}
	} else {
		sent.done = true
	}
	resp, err := next.RoundTrip(out)
	if err != nil {
		return resp, err
	}
	answer := &capture{}
	resp.Body = answer.wrap(resp.Body)
	answer.onClose = func() {
		body, bodySent := sent.bytes()
		got, complete := answer.bytes()
		if !complete {
			return // the test stopped reading: nothing whole to check
		}
		sentReq := req.Clone(req.Context())
		sentReq.Body = nil
		beyond, _ := req.Context().Value(beyondSchemaKey{}).(bool)
		fn(Exchange{Request: sentReq, Body: body, BodySent: bodySent, Status: resp.StatusCode, Header: resp.Header,
			Answer: got, BeyondSchema: beyond})
	}
	return resp, nil
}

// capture keeps what is read through it, and whether the reader ended.
type capture struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	done    bool
	closed  bool
	onClose func()
}

// wrap starts the record again and returns rc reading into it.
func (c *capture) wrap(rc io.ReadCloser) io.ReadCloser {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Reset()
	c.done = false
	return &captureReader{c: c, rc: rc}
}

func (c *capture) bytes() ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf.Bytes()), c.done
}

type captureReader struct {
	c  *capture
	rc io.ReadCloser
}

func (r *captureReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	r.c.mu.Lock()
	r.c.buf.Write(p[:n])
	if err == io.EOF {
		r.c.done = true
	}
	r.c.mu.Unlock()
	return n, err
}

func (r *captureReader) Close() error {
	err := r.rc.Close()
	r.c.mu.Lock()
	first := !r.c.closed
	r.c.closed = true
	onClose := r.c.onClose
	r.c.mu.Unlock()
	if first && onClose != nil {
		onClose()
	}
	return err
}
