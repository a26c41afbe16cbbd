package openapigen

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dndcc/dnd-llm-service/app"
	textapi "github.com/dndcc/dnd-llm-service/functions/text"
	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/group"
)

// builtApp returns the groups and message types the document is built
// from.
func builtApp(t *testing.T) ([]app.Built, []group.Message) {
	t.Helper()
	a, err := app.Embedded(app.Groups)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a.Built(), a.Messages()
}

// union returns component name's variants by discriminator value, failing
// unless it is a oneOf of references told apart by property, with one
// variant for each value.
func union(t *testing.T, doc *openapi3.T, name, property string) map[string]*openapi3.Schema {
	t.Helper()
	sc := doc.Components.Schemas[name].Value
	if sc.Discriminator == nil || sc.Discriminator.PropertyName != property {
		t.Fatalf("%s has discriminator %+v, want one on %s", name, sc.Discriminator, property)
	}
	var refs []string
	for _, v := range sc.OneOf {
		refs = append(refs, v.Ref)
	}
	out := map[string]*openapi3.Schema{}
	mapped := map[string]bool{}
	for value, m := range sc.Discriminator.Mapping {
		if !slices.Contains(refs, m.Ref) {
			t.Errorf("%s maps %s to %s, which is not one of its variants %v", name, value, m.Ref, refs)
			continue
		}
		mapped[m.Ref] = true
		out[value] = doc.Components.Schemas[strings.TrimPrefix(m.Ref, componentPrefix)].Value
	}
	// Several values may pick one variant (a message type and its
	// aliases); every variant must be picked by one.
	if len(refs) != len(mapped) {
		t.Errorf("%s has variants %v for discriminator values %v", name, refs, slices.Sorted(maps.Keys(out)))
	}
	return out
}

// fixed checks that variant v's property is the const value.
func fixed(t *testing.T, what string, v *openapi3.Schema, property, value string) {
	t.Helper()
	p := v.Properties[property]
	if p == nil || p.Value == nil || p.Value.Const != value || !slices.Contains(v.Required, property) {
		t.Errorf("%s: %s is %+v, want a required const %q", what, property, p, value)
	}
}

func refTo(t *testing.T, what string, v *openapi3.Schema, property, component string) {
	t.Helper()
	if p := v.Properties[property]; p == nil || p.Ref != componentPrefix+component {
		t.Errorf("%s: %s is %+v, want a reference to %s", what, property, p, component)
	}
}

func TestJobIsTypedByKind(t *testing.T) {
	t.Parallel()
	doc := loadBuilt(t)
	groups, _ := builtApp(t)
	variants := union(t, doc, "Job", "kind")
	n := 0
	for _, g := range groups {
		for _, j := range g.Jobs {
			n++
			v := variants[j.Kind]
			if v == nil {
				t.Errorf("Job has no variant for kind %s", j.Kind)
				continue
			}
			fixed(t, j.Schema, v, "kind", j.Kind)
			refTo(t, j.Schema, v, "result", j.Result)
			if doc.Components.Schemas[j.Schema].Value != v {
				t.Errorf("kind %s maps to another component than %s", j.Kind, j.Schema)
			}
		}
	}
	if n != len(variants) {
		t.Errorf("Job has %d variants, want one for each of the %d job kinds", len(variants), n)
	}
}

func TestTextResultsAreTypedByType(t *testing.T) {
	t.Parallel()
	doc := loadBuilt(t)
	for _, kind := range textapi.Kinds {
		types := dnd.Types(kind)
		results := map[string]*openapi3.Schema{}
		if len(types) == 1 {
			results[types[0]] = doc.Components.Schemas[textapi.KindResultName(kind)].Value
		} else {
			results = union(t, doc, textapi.KindResultName(kind), "type")
		}
		for _, typ := range types {
			v := results[typ]
			if v == nil {
				t.Errorf("%s has no result for type %s", kind, typ)
				continue
			}
			what := textapi.ResultName(kind, typ)
			fixed(t, what, v, "type", typ)
			refTo(t, what, v, "content", textapi.ContentName(kind, typ))
		}
	}
}

func TestHubEnvelopeIsTypedByMessageType(t *testing.T) {
	t.Parallel()
	doc := loadBuilt(t)
	_, messages := builtApp(t)
	variants := union(t, doc, "HubEnvelope", "message_type")
	names := 0
	for _, m := range messages {
		for _, name := range m.Names() {
			names++
			v := variants[name]
			if v == nil {
				t.Errorf("HubEnvelope has no variant for %s", name)
				continue
			}
			if len(m.Names()) == 1 {
				fixed(t, name, v, "message_type", name)
			} else if p := v.Properties["message_type"]; p == nil || p.Value == nil ||
				!slices.Equal(p.Value.Enum, apidoc.Strings(m.Names())) || !slices.Contains(v.Required, "message_type") {
				t.Errorf("%s: message_type is %+v, want a required enum of %v", name, p, m.Names())
			}
			refTo(t, name, v, "payload", nameOf(reflect.TypeOf(m.Payload)))
		}
	}
	if len(variants) != names {
		t.Errorf("HubEnvelope has %d variants for %d message type names", len(variants), names)
	}
}

// TestRequestsAreClosed: every object a request body reaches refuses other
// fields, as the service does; the answers' own shapes stay open.
func TestRequestsAreClosed(t *testing.T) {
	t.Parallel()
	doc := loadBuilt(t)
	seen := map[*openapi3.Schema]bool{}
	var walk func(path string, r *openapi3.SchemaRef)
	walk = func(path string, r *openapi3.SchemaRef) {
		if r == nil || r.Value == nil || seen[r.Value] {
			return
		}
		sc := r.Value
		seen[sc] = true
		if len(sc.Properties) > 0 && (sc.AdditionalProperties.Has == nil || *sc.AdditionalProperties.Has) {
			t.Errorf("%s accepts fields it does not name", path)
		}
		for name, p := range sc.Properties {
			walk(path+"."+name, p)
		}
		walk(path+"[]", sc.Items)
		for _, list := range []openapi3.SchemaRefs{sc.OneOf, sc.AnyOf, sc.AllOf} {
			for _, x := range list {
				walk(path+"|"+strings.TrimPrefix(x.Ref, componentPrefix), x)
			}
		}
	}
	bodies := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody != nil {
				bodies++
				walk(method+" "+path, op.RequestBody.Value.Content.Get("application/json").Schema)
			}
		}
	}
	if bodies == 0 {
		t.Fatal("no request bodies")
	}
	for _, name := range []string{"Problem", "Health", "HubReply", "ImageResult", "CharacterJob", "CharacterPersonalityResult", "QueueStatus", "Usage"} {
		if has := doc.Components.Schemas[name].Value.AdditionalProperties.Has; has != nil && !*has {
			t.Errorf("answer %s refuses fields it does not name; answers stay open to additions", name)
		}
	}
}

// TestUnusedComponentsArePruned: what only served to derive others, and
// nothing refers to, is left out.
func TestUnusedComponentsArePruned(t *testing.T) {
	t.Parallel()
	doc := loadBuilt(t)
	if doc.Components.Schemas["TextResult"] != nil {
		t.Errorf("the document keeps TextResult, which nothing refers to")
	}
	for _, name := range []string{"CharacterPersonality", "JobError", "FieldError"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("the document lacks %s, which others refer to", name)
		}
	}
	paths, err := json.Marshal(doc.Paths)
	if err != nil {
		t.Fatal(err)
	}
	for name := range doc.Components.Responses {
		if !bytes.Contains(paths, []byte(`"#/components/responses/`+name+`"`)) {
			t.Errorf("the document keeps the response %s, which no operation answers", name)
		}
	}
}
