package openapigen

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// closeRequests says additionalProperties: false on every object schema a
// request body reaches (the bodies of the routes, and through the Message
// Hub's envelope its payloads): the service refuses a field its request
// types do not declare. Answers stay open, so a client keeps working when
// a later version adds a field.
func (b *builder) closeRequests() {
	seen := map[string]bool{}
	var walk func(r *openapi3.SchemaRef)
	walk = func(r *openapi3.SchemaRef) {
		if r == nil {
			return
		}
		if name, ok := strings.CutPrefix(r.Ref, componentPrefix); ok {
			if !seen[name] {
				seen[name] = true
				walk(b.s.schemas[name])
			}
			return
		}
		sc := r.Value
		if sc == nil {
			return
		}
		if len(sc.Properties) > 0 {
			sc.AdditionalProperties = openapi3.AdditionalProperties{Has: new(false)}
		}
		for _, name := range sortedKeys(sc.Properties) {
			walk(sc.Properties[name])
		}
		walk(sc.Items)
		for _, list := range []openapi3.SchemaRefs{sc.OneOf, sc.AnyOf, sc.AllOf} {
			for _, x := range list {
				walk(x)
			}
		}
	}
	for _, name := range b.bodies {
		walk(compRef(name))
	}
}

var refPattern = regexp.MustCompile(`"#/components/(schemas|responses|parameters)/([^"]+)"`)

// refsIn lists the components of kind (schemas, responses, parameters) v
// refers to: its $refs and discriminator mappings.
func refsIn(v any, kind string) ([]string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range refPattern.FindAllSubmatch(raw, -1) {
		if string(m[1]) == kind {
			out = append(out, string(m[2]))
		}
	}
	return out, nil
}

// prune leaves out the components no operation reaches: shared responses
// and parameters no operation names, and the schemas others are derived
// from (TextResult, say) once nothing refers to them.
func (b *builder) prune() {
	c := b.doc.Components
	schemas, responses, params := c.Schemas, c.Responses, c.Parameters
	c.Schemas, c.Responses, c.Parameters = nil, nil, nil
	usedResponses, err := refsIn(b.doc, "responses")
	b.fail(err)
	usedParams, err := refsIn(b.doc, "parameters")
	b.fail(err)
	for name := range responses {
		if !slices.Contains(usedResponses, name) {
			delete(responses, name)
		}
	}
	for name := range params {
		if !slices.Contains(usedParams, name) {
			delete(params, name)
		}
	}
	c.Responses, c.Parameters = responses, params
	roots, err := refsIn(b.doc, "schemas")
	b.fail(err)
	c.Schemas = schemas
	used := map[string]bool{}
	for len(roots) > 0 {
		name := roots[len(roots)-1]
		roots = roots[:len(roots)-1]
		if used[name] || schemas[name] == nil {
			continue
		}
		used[name] = true
		refs, err := refsIn(schemas[name], "schemas")
		b.fail(err)
		roots = append(roots, refs...)
	}
	for name := range schemas {
		if !used[name] {
			delete(schemas, name)
		}
	}
}
