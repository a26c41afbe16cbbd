package openapigen

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dndcc/dnd-llm-service/app"
	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

//go:embed intro.md
var intro string

// Security scheme names.
const (
	schemeBearer     = "bearerAuth"
	schemeServiceKey = "serviceKey"
)

// builder assembles the document.
type builder struct {
	doc *openapi3.T
	s   *schemaSet
	err error
	// bodies are the components that describe request bodies.
	bodies []string
}

func (b *builder) fail(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

// build returns the OpenAPI document of the groups.
func build(groups []app.Built, messages []group.Message) (*openapi3.T, error) {
	b := &builder{s: newSchemaSet()}
	b.doc = &openapi3.T{
		OpenAPI: "3.1.0",
		Info: &openapi3.Info{
			Title:       "dnd-llm-service",
			Version:     "2",
			Description: intro + codeTable(),
		},
		Servers:  openapi3.Servers{{URL: "/", Description: "This service"}},
		Security: openapi3.SecurityRequirements{{schemeBearer: []string{}}},
		Components: &openapi3.Components{
			SecuritySchemes: openapi3.SecuritySchemes{
				schemeBearer: {Value: &openapi3.SecurityScheme{
					Type: "http", Scheme: "bearer", BearerFormat: "JWT",
					Description: "An HS256 JWT signed with the service's SECRET_KEY: `dnd-llm-service token --sub NAME [--scope admin]`.",
				}},
				schemeServiceKey: {Value: &openapi3.SecurityScheme{
					Type: "apiKey", In: "header", Name: "X-Service-Key",
					Description: "The Message Hub's shared key (HUB_SERVICE_KEY). Accepted on /api/v2/hub/messages only.",
				}},
			},
			Parameters: b.parameters(),
			Responses:  b.commonResponses(),
		},
		Paths: openapi3.NewPaths(),
	}
	for _, g := range groups {
		for _, t := range g.Tags {
			b.doc.Tags = append(b.doc.Tags, &openapi3.Tag{Name: t.Name, Description: t.Description})
		}
	}
	b.schemas(groups, messages)
	for _, g := range groups {
		for _, r := range g.Routes {
			b.add(g.Name, r)
		}
	}
	b.closeRequests()
	b.fail(b.s.err)
	if b.err != nil {
		return nil, b.err
	}
	b.doc.Components.Schemas = b.s.schemas
	b.prune()
	return b.doc, b.err
}

// codeTable is the markdown table of problem codes and statuses.
func codeTable() string {
	var sb strings.Builder
	sb.WriteString("| code | status |\n|---|---|\n")
	for _, c := range httpapi.SortedCodes() {
		fmt.Fprintf(&sb, "| `%s` | %d |\n", c, httpapi.StatusOf(c))
	}
	return sb.String()
}

// Parameters and responses shared by the operations.

func str() *openapi3.Schema { return &openapi3.Schema{Type: &openapi3.Types{"string"}} }

func header(desc string, required bool, sc *openapi3.Schema) *openapi3.HeaderRef {
	return &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: desc, Required: required, Schema: &openapi3.SchemaRef{Value: sc},
	}}}
}

func headers(hs ...apidoc.Header) openapi3.Headers {
	out := openapi3.Headers{"X-Request-ID": header("The request's id: the one sent, when valid, or a new one.", true, str())}
	for _, h := range hs {
		out[h.Name] = header(h.Description, h.Required, must(convert(h.Schema)))
	}
	return out
}

// must is for the document's own fragments, which always encode.
func must(sc *openapi3.Schema, err error) *openapi3.Schema {
	if err != nil {
		panic(err)
	}
	return sc
}

func (b *builder) parameters() openapi3.ParametersMap {
	num := func(def float64) *openapi3.Schema {
		lo, hi := 0.0, submit.MaxWait.Seconds()
		return &openapi3.Schema{Type: &openapi3.Types{"number"}, Min: &lo, Max: &hi, Default: def}
	}
	p := func(name, in, desc string, sc *openapi3.Schema, example any) *openapi3.ParameterRef {
		return &openapi3.ParameterRef{Value: &openapi3.Parameter{
			Name: name, In: in, Description: desc, Required: in == openapi3.ParameterInPath,
			Schema: &openapi3.SchemaRef{Value: sc}, Example: example,
		}}
	}
	return openapi3.ParametersMap{
		"SubmitWait": p("wait", openapi3.ParameterInQuery,
			"Seconds to wait for the job before answering 202 (0 answers at once): at most 120; more is refused with 400 naming `wait`. "+
				"Under AWS Lambda a wait ends after 28 s. Without `wait`, a `wait` preference in `Prefer` sets it.",
			num(submit.DefaultWait.Seconds()), nil),
		"PollWait": p("wait", openapi3.ParameterInQuery,
			"Long poll: seconds to wait for the job to finish before answering with its current state: at most 120; "+
				"more is refused with 400 naming `wait`. Under AWS Lambda a wait ends after 28 s.",
			num(0), nil),
		"Prefer": p("Prefer", openapi3.ParameterInHeader,
			"Preferences as RFC 7240 writes them: comma-separated, each a case-insensitive token with an optional value "+
				"and `;`-separated parameters. `respond-async` answers 202 at once, whatever `wait` says "+
				"(`respond-async; wait=5` is respond-async with a parameter, `respond-async, wait=5` two preferences: both answer 202). "+
				"`wait=N` (RFC 7240 §4.3) sets the wait when the `wait` query parameter is absent; values above 120 count as 120. "+
				"Other preferences and every parameter are ignored; the first instance of a preference counts. "+
				"`Preference-Applied` names what the answer honoured.",
			&openapi3.Schema{Type: &openapi3.Types{"string"}, Examples: []any{"respond-async", "wait=10", "respond-async, wait=5"}}, nil),
		"IdempotencyKey": p("Idempotency-Key", openapi3.ParameterInHeader,
			"A retry with the same key while the first job is queued or running gets that job back (X-Deduplicated: true).",
			str(), "7c2f6a0e-character-42"),
		"CacheControl": p("Cache-Control", openapi3.ParameterInHeader,
			"no-cache skips the result cache; no-store also keeps the new result out of it.",
			&openapi3.Schema{Type: &openapi3.Types{"string"}, Examples: []any{"no-cache", "no-store"}}, nil),
		"CorrelationID": p("X-Correlation-ID", openapi3.ParameterInHeader,
			"Carried to the job's events on the Message Hub.", str(), nil),
		"RequestID": p("X-Request-ID", openapi3.ParameterInHeader,
			"Your id for the request, echoed back and logged; ignored unless 1–128 of A-Z a-z 0-9 . _ : -.",
			&openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: `^[A-Za-z0-9._:-]{1,128}$`}, nil),
		// The queue group declares the JobID schema from its queues' names.
		"JobID": {Value: &openapi3.Parameter{
			Name: "job_id", In: openapi3.ParameterInPath, Required: true, Schema: compRef("JobID"),
			Description: "The job id, e.g. text_5f1c2a9b3d4e6f7081920a1b. Anything else is refused with 400 naming `job_id`.",
			Example:     "text_5f1c2a9b3d4e6f7081920a1b",
		}},
	}
}

func problemContent(schema string) openapi3.Content {
	return openapi3.Content{"application/problem+json": {Schema: compRef(schema)}}
}

func respRef(name string) *openapi3.ResponseRef {
	return &openapi3.ResponseRef{Ref: "#/components/responses/" + name}
}

func resp(desc string, h openapi3.Headers, c openapi3.Content) *openapi3.ResponseRef {
	return &openapi3.ResponseRef{Value: &openapi3.Response{Description: &desc, Headers: h, Content: c}}
}

func (b *builder) commonResponses() openapi3.ResponseBodies {
	return openapi3.ResponseBodies{
		"BadRequest": resp("The request is invalid: INVALID_PARAMETERS (errors names each field) or INVALID_JSON.",
			headers(), problemContent("Problem")),
		"Unauthorized": resp("No valid bearer token: UNAUTHORIZED.",
			headers(apidoc.Header{Name: "WWW-Authenticate", Description: `Bearer realm="dnd-llm-service"`, Required: true, Schema: apidoc.Str()}),
			problemContent("Problem")),
		"Forbidden":            resp("The token lacks the admin scope this needs: FORBIDDEN.", headers(), problemContent("Problem")),
		"NotFound":             resp("Not found, or not yours: NOT_FOUND.", headers(), problemContent("Problem")),
		"PayloadTooLarge":      resp("The body is over the route's cap: PAYLOAD_TOO_LARGE.", headers(), problemContent("Problem")),
		"UnsupportedMediaType": resp("The body's Content-Type is not JSON: UNSUPPORTED_MEDIA_TYPE.", headers(), problemContent("Problem")),
		"Unavailable": resp("The job store (Redis) is unavailable: SERVICE_UNAVAILABLE.",
			headers(submit.RetryAfterHeader(true, "retrying")), problemContent("Problem")),
		"Error": resp("An unexpected failure: INTERNAL_ERROR. (Any route: 405 METHOD_NOT_ALLOWED with Allow for a wrong method.)",
			headers(), problemContent("Problem")),
	}
}

// Operations.

func (b *builder) security(s apidoc.Security) *openapi3.SecurityRequirements {
	switch s {
	case apidoc.Public:
		return &openapi3.SecurityRequirements{}
	case apidoc.BearerOrNone:
		return &openapi3.SecurityRequirements{{schemeBearer: []string{}}, {}}
	case apidoc.BearerOrServiceKey:
		return &openapi3.SecurityRequirements{{schemeBearer: []string{}}, {schemeServiceKey: []string{}}}
	}
	return nil // the document's default: a bearer token
}

// add documents route r of group name.
func (b *builder) add(name string, r group.Route) {
	o := r.Doc
	if o.ID == "" {
		b.fail(fmt.Errorf("route %s has no operation id", r.Pattern()))
		return
	}
	item := b.doc.Paths.Value(r.Path)
	if item == nil {
		item = &openapi3.PathItem{}
		b.doc.Paths.Set(r.Path, item)
	}
	rs := openapi3.NewResponses()
	for _, status := range slices.Sorted(maps.Keys(o.Responses)) {
		rs.Set(strconv.Itoa(status), b.response(o.Responses[status]))
	}
	rs.Set("default", respRef("Error"))
	tag := o.Tag
	if tag == "" {
		tag = name
	}
	var params openapi3.Parameters
	for _, p := range o.Params {
		params = append(params, b.param(p))
	}
	item.SetOperation(r.Method, &openapi3.Operation{
		OperationID: o.ID, Summary: o.Summary, Description: o.Description, Tags: []string{tag},
		Security: b.security(o.Security), Parameters: append(params, paramRef("RequestID")),
		RequestBody: b.body(o.Body), Responses: rs,
	})
}

func paramRef(name string) *openapi3.ParameterRef {
	return &openapi3.ParameterRef{Ref: "#/components/parameters/" + name}
}

func (b *builder) param(p apidoc.Param) *openapi3.ParameterRef {
	if p.Ref != "" {
		if _, ok := b.doc.Components.Parameters[p.Ref]; !ok {
			b.fail(fmt.Errorf("no shared parameter %s", p.Ref))
		}
		return paramRef(p.Ref)
	}
	sc, err := convert(p.Schema)
	b.fail(err)
	return &openapi3.ParameterRef{Value: &openapi3.Parameter{
		Name: p.Name, In: p.In, Description: p.Description, Required: p.In == openapi3.ParameterInPath,
		Schema: &openapi3.SchemaRef{Value: sc}, Example: p.Example,
	}}
}

func (b *builder) response(r apidoc.Response) *openapi3.ResponseRef {
	if r.Ref != "" {
		if _, ok := b.doc.Components.Responses[r.Ref]; !ok {
			b.fail(fmt.Errorf("no shared response %s", r.Ref))
		}
		return respRef(r.Ref)
	}
	var content openapi3.Content
	for _, c := range r.Content {
		if content == nil {
			content = openapi3.Content{}
		}
		mt := &openapi3.MediaType{}
		switch {
		case c.Schema != "":
			mt.Schema = compRef(c.Schema)
		case c.Inline != nil:
			sc, err := convert(c.Inline)
			b.fail(err)
			mt.Schema = &openapi3.SchemaRef{Value: sc}
		}
		content[c.MediaType] = mt
	}
	return resp(r.Description, headers(r.Headers...), content)
}

func (b *builder) body(body *apidoc.Body) *openapi3.RequestBodyRef {
	if body == nil {
		return nil
	}
	b.bodies = append(b.bodies, body.Schema)
	xs := body.Examples
	if body.More != nil {
		xs = append(slices.Clone(xs), body.More()...)
	}
	ex := openapi3.Examples{}
	for _, x := range xs {
		raw, err := json.Marshal(x.Value)
		b.fail(err)
		var v any
		b.fail(json.Unmarshal(raw, &v))
		ex[x.Name] = &openapi3.ExampleRef{Value: &openapi3.Example{Summary: x.Summary, Value: v}}
	}
	if len(ex) == 0 {
		ex = nil
	}
	return &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{
		Description: body.Description, Required: true,
		Content: openapi3.Content{"application/json": {Schema: compRef(body.Schema), Examples: ex}},
	}}
}
