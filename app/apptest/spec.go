package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/dndcc/dnd-llm-service/functions/docs"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
)

// Spec is the API document the service serves, loaded and resolved.
type Spec struct{ *openapi3.T }

// LoadSpec loads the document of docs.Spec.
func LoadSpec(tb testing.TB) Spec {
	tb.Helper()
	b, err := docs.Spec()
	if err != nil {
		tb.Fatalf("docs.Spec() = %v", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		tb.Fatalf("load /openapi.json: %v", err)
	}
	return Spec{doc}
}

// Operations lists "METHOD /path" for every documented operation, sorted.
func (d Spec) Operations() []string {
	var out []string
	for path, item := range d.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	sort.Strings(out)
	return out
}

// MessageTypes lists the documented Message Hub message types: the
// values of the envelope's discriminator, sorted.
func (d Spec) MessageTypes() []string {
	env := d.Components.Schemas["HubEnvelope"]
	if env == nil || env.Value == nil || env.Value.Discriminator == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(env.Value.Discriminator.Mapping))
}

// Route returns the documented operation "METHOD /path".
func (d Spec) Route(tb testing.TB, op string) *routers.Route {
	tb.Helper()
	method, path, _ := strings.Cut(op, " ")
	item := d.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		tb.Fatalf("/openapi.json does not document %s", op)
	}
	return &routers.Route{Spec: d.T, Path: path, PathItem: item, Method: method, Operation: item.GetOperation(method)}
}

// CheckResponse validates an answer against what the document says op
// answers with that status: headers, content type and body schema.
func (d Spec) CheckResponse(tb testing.TB, op string, r servicetest.Response) {
	tb.Helper()
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r.Request, Route: d.Route(tb, op)},
		Status:                 r.Status,
		Header:                 r.Header,
		Body:                   io.NopCloser(bytes.NewReader(r.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		tb.Errorf("%s answered %d, which /openapi.json does not describe: %v\nbody: %.600s", op, r.Status, err, r.Body)
	}
}

// Examples returns the request examples of op, by name, as JSON.
func (d Spec) Examples(tb testing.TB, op string) map[string][]byte {
	tb.Helper()
	body := d.Route(tb, op).Operation.RequestBody
	if body == nil || body.Value == nil {
		return nil
	}
	mt := body.Value.Content.Get("application/json")
	if mt == nil {
		tb.Fatalf("%s: request body is not application/json", op)
	}
	out := map[string][]byte{}
	for name, ex := range mt.Examples {
		b, err := json.Marshal(ex.Value.Value)
		if err != nil {
			tb.Fatal(err)
		}
		out[name] = b
	}
	return out
}

// FirstExample is op's example with the smallest name, for requests that
// need a valid body.
func (d Spec) FirstExample(tb testing.TB, op string) []byte {
	tb.Helper()
	xs := d.Examples(tb, op)
	names := make([]string, 0, len(xs))
	for n := range xs {
		names = append(names, n)
	}
	if len(names) == 0 {
		tb.Fatalf("%s has no request example", op)
	}
	sort.Strings(names)
	return xs[names[0]]
}
