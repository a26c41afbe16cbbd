package apptest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/dndcc/dnd-llm-service/functions/docs"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
)

// contract checks every exchange the tests have with a service against
// the document it serves, in both directions:
//
//   - the answer must be one the document describes for the request's
//     operation and status (headers, content type, body);
//   - a request the document refuses (an unknown route, a missing
//     credential, a parameter or body its schemas reject) must be answered
//     with a 4xx;
//   - a request the document accepts must not be refused as invalid input
//     (400 or 415).
//
// Start attaches one to each service it runs (servicetest.Watch sees what
// Send exchanges with it), and the test fails on any mismatch.
type contract struct {
	router routers.Router

	mu      sync.Mutex
	checked int
	refused int // requests the document refuses, answered 4xx
	faults  []string
}

// loadRouter routes requests to the document's operations; it is built
// once per test binary. The document's one server, "/", is this service
// wherever it listens, so routing ignores it.
var loadRouter = sync.OnceValues(func() (routers.Router, error) {
	b, err := docs.Spec()
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		return nil, err
	}
	doc.Servers = nil
	return legacy.NewRouter(doc)
})

func newContract(tb testing.TB) *contract {
	tb.Helper()
	r, err := loadRouter()
	if err != nil {
		tb.Fatalf("route by /openapi.json: %v", err)
	}
	return &contract{router: r}
}

// maxFaults caps the mismatches a test reports one by one.
const maxFaults = 20

func (c *contract) fault(x servicetest.Exchange, format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = append(c.faults, fmt.Sprintf("%s %s answered %d: %s\n  request body: %.300s\n  answer: %.300s",
		x.Request.Method, x.Request.URL.RequestURI(), x.Status, fmt.Sprintf(format, args...), x.Body, x.Answer))
}

// report fails tb with the mismatches seen.
func (c *contract) report(tb testing.TB) {
	tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	tb.Logf("/openapi.json: %d exchanges checked (%d requests it refuses), %d mismatches", c.checked, c.refused, len(c.faults))
	for i, f := range c.faults {
		if i == maxFaults {
			tb.Errorf("/openapi.json: %d more mismatches", len(c.faults)-maxFaults)
			break
		}
		tb.Errorf("/openapi.json does not describe this exchange: %s", f)
	}
}

// check validates one exchange.
func (c *contract) check(x servicetest.Exchange) {
	c.mu.Lock()
	c.checked++
	c.mu.Unlock()
	ctx := context.Background()
	req := x.Request.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(x.Body))
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.countRefused(x)
		if !isClientError(x.Status) {
			c.fault(x, "the document has no such operation (%v), so the answer must be a 4xx", short(err))
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: credentials, MultiError: true},
	}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	if reqErr != nil {
		c.countRefused(x)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: x.Status, Header: x.Header,
		Body:    io.NopCloser(bytes.NewReader(x.Answer)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.fault(x, "the answer does not match the document: %v", short(err))
	}
	switch {
	case !x.BodySent:
		// Answered before the body was all sent (a 413, say): what the
		// document says of the body cannot be judged.
	case x.BeyondSchema && reqErr != nil:
		c.fault(x, "the request is marked beyond the schemas, but they refuse it (%v): drop the mark", short(reqErr))
	case x.BeyondSchema && !isClientError(x.Status):
		c.fault(x, "the request is marked as one the service refuses, so the answer must be a 4xx")
	case reqErr != nil && !isClientError(x.Status):
		c.fault(x, "the document refuses the request (%v), so the answer must be a 4xx", short(reqErr))
	case reqErr == nil && refusesInput(x.Status) && !x.BeyondSchema:
		c.fault(x, "the document accepts the request, but the service refused it as invalid")
	}
}

// short is a validation error without the schemas kin-openapi quotes.
func short(err error) string {
	s := err.Error()
	if i := strings.Index(s, "\nSchema:"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 800 {
		s = s[:800] + "…"
	}
	return s
}

func (c *contract) countRefused(x servicetest.Exchange) {
	if isClientError(x.Status) {
		c.mu.Lock()
		c.refused++
		c.mu.Unlock()
	}
}

func isClientError(status int) bool { return status >= 400 && status < 500 }

// refusesInput reports whether status refuses a request as malformed: what
// the document's schemas should refuse too.
func refusesInput(status int) bool {
	return status == http.StatusBadRequest || status == http.StatusUnsupportedMediaType
}

// credentials accepts a request that carries the credential a security
// scheme names; whether it is valid is the service's to say (401).
func credentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header
	switch s := in.SecurityScheme; s.Type {
	case "http":
		if tok, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer "); ok && tok != "" {
			return nil
		}
	case "apiKey":
		if h.Get(s.Name) != "" {
			return nil
		}
	}
	return errors.New("no credential for " + in.SecuritySchemeName)
}
