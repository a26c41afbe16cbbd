package openapigen

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
)

// schemaSet turns Go types into component schemas. Named struct types
// become components under #/components/schemas; what openapi3gen cannot
// know (which request fields are required, ranges, enums, descriptions)
// comes from rules keyed by Go type and JSON field name, and a rule that
// names a field the type lacks is an error, so the document cannot keep
// describing a field that is gone.
type schemaSet struct {
	gen     *openapi3gen.Generator
	schemas openapi3.Schemas
	names   map[string]reflect.Type
	rules   map[reflect.Type]typeRule
	err     error
}

// typeRule is what the document adds to a struct type's generated schema.
type typeRule struct {
	// about describes the type.
	about string
	// required lists the fields a request must send. When nil, every field
	// without omitempty is required: what the service always writes.
	required []string
	// fields adjusts the property of each named JSON field.
	fields map[string]func(*openapi3.Schema)
	// refs makes named fields plain references to components: for raw JSON
	// fields that hold a type the document describes elsewhere, and for
	// recursive references, which the viewer cannot resolve under allOf.
	refs map[string]string
}

func newSchemaSet(rules map[reflect.Type]typeRule) *schemaSet {
	s := &schemaSet{schemas: openapi3.Schemas{}, names: map[string]reflect.Type{}, rules: rules}
	s.gen = openapi3gen.NewGenerator(
		openapi3gen.CreateComponentSchemas(openapi3gen.ExportComponentSchemasOptions{
			ExportComponentSchemas: true, ExportTopLevelSchema: true,
		}),
		openapi3gen.CreateTypeNameGenerator(s.typeName),
		openapi3gen.SchemaCustomizer(s.customize),
	)
	return s
}

func (s *schemaSet) typeName(t reflect.Type) string {
	if t == timeType {
		return "" // inlined as a date-time string
	}
	name, ok := typeNames[t]
	if !ok {
		name = t.Name()
	}
	if prev, ok := s.names[name]; ok && prev != t && s.err == nil {
		s.err = fmt.Errorf("schema name %s is used by %s and %s", name, prev, t)
	}
	s.names[name] = t
	return name
}

// ref returns the $ref of v's type, generating its schema (and those of the
// types it uses) on first use.
func (s *schemaSet) ref(v any) *openapi3.SchemaRef {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name := s.typeName(t)
	if _, ok := s.schemas[name]; !ok && s.err == nil {
		if _, err := s.gen.NewSchemaRefForValue(v, s.schemas); err != nil {
			s.err = fmt.Errorf("schema of %s: %w", t, err)
		} else if _, ok := s.schemas[name]; !ok {
			s.err = fmt.Errorf("schema of %s: not exported as a component", t)
		}
	}
	return openapi3.NewSchemaRef(componentPrefix+name, nil)
}

const componentPrefix = "#/components/schemas/"

// add stores a hand-assembled component.
func (s *schemaSet) add(name string, sc *openapi3.Schema) *openapi3.SchemaRef {
	if _, ok := s.schemas[name]; ok && s.err == nil {
		s.err = fmt.Errorf("schema %s defined twice", name)
	}
	s.schemas[name] = openapi3.NewSchemaRef("", sc)
	return openapi3.NewSchemaRef(componentPrefix+name, nil)
}

// customize runs for every generated schema: it turns OpenAPI 3.0's
// nullable into 3.1 forms and applies the type's rule.
func (s *schemaSet) customize(_ string, t reflect.Type, _ reflect.StructTag, sc *openapi3.Schema) error {
	sc.Nullable = false
	if t == timeType {
		*sc = openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date-time"}
		return nil
	}
	if t.Kind() != reflect.Struct || sc.Properties == nil {
		return nil
	}
	rule := s.rules[t]
	if rule.about != "" {
		sc.Description = rule.about
	}
	fields := jsonFields(t)
	required := rule.required
	if required == nil {
		required = []string{}
		for _, f := range fields {
			if !f.omitEmpty {
				required = append(required, f.name)
			}
		}
	}
	for _, name := range required {
		if _, ok := sc.Properties[name]; !ok {
			return fmt.Errorf("%s: required field %q is not a property", t, name)
		}
	}
	if len(required) > 0 {
		sc.Required = required
	}
	for _, f := range fields {
		p := sc.Properties[f.name]
		if p == nil {
			continue
		}
		// A pointer the service writes even when nil is null on the wire.
		if f.typ.Kind() == reflect.Pointer && !f.omitEmpty {
			sc.Properties[f.name] = &openapi3.SchemaRef{Value: &openapi3.Schema{
				AnyOf: openapi3.SchemaRefs{p, {Value: &openapi3.Schema{Type: &openapi3.Types{"null"}}}},
			}}
		}
	}
	for name, comp := range rule.refs {
		if _, ok := sc.Properties[name]; !ok {
			return fmt.Errorf("%s: the document describes field %q, which the type lacks", t, name)
		}
		sc.Properties[name] = openapi3.NewSchemaRef(componentPrefix+comp, nil)
	}
	for name, adjust := range rule.fields {
		p, ok := sc.Properties[name]
		if !ok {
			return fmt.Errorf("%s: the document describes field %q, which the type lacks", t, name)
		}
		if strings.HasPrefix(p.Ref, componentPrefix) || p.Value == nil {
			// Describe a reference without changing the shared component.
			w := &openapi3.Schema{AllOf: openapi3.SchemaRefs{p}}
			adjust(w)
			sc.Properties[name] = &openapi3.SchemaRef{Value: w}
			continue
		}
		adjust(p.Value)
	}
	return nil
}

// field is one JSON field of a struct.
type field struct {
	name      string
	omitEmpty bool
	typ       reflect.Type
}

// jsonFields lists t's JSON fields as encoding/json sees them, with
// untagged embedded structs flattened.
func jsonFields(t reflect.Type) []field {
	var out []field
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				out = append(out, jsonFields(et)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		o := strings.Split(opts, ",")
		out = append(out, field{name: name, typ: f.Type, omitEmpty: slices.Contains(o, "omitempty") || slices.Contains(o, "omitzero")})
	}
	return out
}

// strictSchema generates the schema of a content type the way the model is
// held to it: every field required, no others allowed, and the description,
// enum and itemenum struct tags applied. Nested types are inlined.
func strictSchema(v any, about string) (*openapi3.Schema, error) {
	g := openapi3gen.NewGenerator(openapi3gen.SchemaCustomizer(func(_ string, t reflect.Type, tag reflect.StructTag, sc *openapi3.Schema) error {
		sc.Nullable = false
		if d := tag.Get("description"); d != "" {
			sc.Description = d
		}
		if e := tag.Get("enum"); e != "" {
			sc.Enum = anyStrings(strings.Split(e, ","))
		}
		if e := tag.Get("itemenum"); e != "" {
			if sc.Items == nil || sc.Items.Value == nil {
				return fmt.Errorf("itemenum on %s, which is not a list", t)
			}
			sc.Items.Value.Enum = anyStrings(strings.Split(e, ","))
		}
		if sc.Format == "double" || sc.Format == "float" {
			sc.Format = ""
		}
		if t.Kind() == reflect.Struct && sc.Properties != nil {
			sc.Required = sc.Required[:0]
			for _, f := range jsonFields(t) {
				sc.Required = append(sc.Required, f.name)
			}
			sc.AdditionalProperties = openapi3.AdditionalProperties{Has: new(false)}
		}
		return nil
	}))
	ref, err := g.NewSchemaRefForValue(v, nil)
	if err != nil {
		return nil, fmt.Errorf("content schema of %T: %w", v, err)
	}
	ref.Value.Description = about
	return ref.Value, nil
}

// rawSchema decodes a JSON schema into an OpenAPI schema.
func rawSchema(raw json.RawMessage) (*openapi3.Schema, error) {
	var sc openapi3.Schema
	if err := json.Unmarshal(raw, &sc); err != nil {
		return nil, fmt.Errorf("decode schema: %w", err)
	}
	return &sc, nil
}

func anyStrings[S ~string](xs []S) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// Small schema constructors for the rules.

func str() *openapi3.Schema { return &openapi3.Schema{Type: &openapi3.Types{"string"}} }

func obj() *openapi3.Schema { return &openapi3.Schema{Type: &openapi3.Types{"object"}} }

// describe sets a field's description.
func describe(d string) func(*openapi3.Schema) {
	return func(s *openapi3.Schema) { s.Description = d }
}

// with chains field adjustments.
func with(fs ...func(*openapi3.Schema)) func(*openapi3.Schema) {
	return func(s *openapi3.Schema) {
		for _, f := range fs {
			f(s)
		}
	}
}

// apply adjusts s and returns it.
func apply(s *openapi3.Schema, fs ...func(*openapi3.Schema)) *openapi3.Schema {
	with(fs...)(s)
	return s
}

func enum[S ~string](values ...S) func(*openapi3.Schema) {
	return func(s *openapi3.Schema) { s.Enum = anyStrings(values) }
}

func itemEnum[S ~string](values ...S) func(*openapi3.Schema) {
	return func(s *openapi3.Schema) {
		if s.Items != nil && s.Items.Value != nil {
			s.Items.Value.Enum = anyStrings(values)
		}
	}
}

func between(lo, hi float64) func(*openapi3.Schema) {
	return func(s *openapi3.Schema) { s.Min, s.Max = &lo, &hi }
}

func maxLen(n int) func(*openapi3.Schema) {
	return func(s *openapi3.Schema) { m := uint64(n); s.MaxLength = &m }
}

func deflt(v any) func(*openapi3.Schema) {
	return func(s *openapi3.Schema) { s.Default = v }
}

func format(f string) func(*openapi3.Schema) {
	return func(s *openapi3.Schema) { s.Format = f }
}

// replace swaps the generated schema for another (used for raw JSON fields,
// whose Go type says nothing).
func replace(sc *openapi3.Schema) func(*openapi3.Schema) {
	return func(s *openapi3.Schema) {
		d := s.Description
		*s = *sc
		if s.Description == "" {
			s.Description = d
		}
	}
}
