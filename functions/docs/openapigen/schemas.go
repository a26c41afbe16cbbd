package openapigen

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/queue"
)

var timeType = reflect.TypeFor[queue.Time]()

// schemaSet turns Go types into component schemas. Named struct types
// become components under #/components/schemas; what openapi3gen cannot
// know (which request fields are required, ranges, enums, descriptions)
// comes from each type's Doc (apidoc.Described), and a Doc that names a
// field the type lacks is an error, so the document cannot keep describing
// a field that is gone.
type schemaSet struct {
	gen     *openapi3gen.Generator
	schemas openapi3.Schemas
	names   map[string]reflect.Type
	err     error
}

func newSchemaSet() *schemaSet {
	s := &schemaSet{schemas: openapi3.Schemas{}, names: map[string]reflect.Type{}}
	s.gen = openapi3gen.NewGenerator(
		openapi3gen.CreateComponentSchemas(openapi3gen.ExportComponentSchemasOptions{
			ExportComponentSchemas: true, ExportTopLevelSchema: true,
		}),
		openapi3gen.CreateTypeNameGenerator(s.typeName),
		openapi3gen.SchemaCustomizer(s.customize),
	)
	return s
}

// docOf returns what t says of itself, if anything.
func docOf(t reflect.Type) (apidoc.Type, bool) {
	if t.Implements(reflect.TypeFor[apidoc.Described]()) {
		return reflect.Zero(t).Interface().(apidoc.Described).Doc(), true
	}
	return apidoc.Type{}, false
}

// nameOf is the component name of t: its Doc's name, or its Go name.
func nameOf(t reflect.Type) string {
	if d, ok := docOf(t); ok && d.Name != "" {
		return d.Name
	}
	return t.Name()
}

func (s *schemaSet) typeName(t reflect.Type) string {
	if t == timeType {
		return "" // inlined as a date-time string
	}
	name := nameOf(t)
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
	return compRef(name)
}

const componentPrefix = "#/components/schemas/"

func compRef(name string) *openapi3.SchemaRef {
	return openapi3.NewSchemaRef(componentPrefix+name, nil)
}

// add stores a hand-assembled component.
func (s *schemaSet) add(name string, sc *openapi3.Schema) {
	if _, ok := s.schemas[name]; ok && s.err == nil {
		s.err = fmt.Errorf("schema %s defined twice", name)
	}
	s.schemas[name] = openapi3.NewSchemaRef("", sc)
}

// customize runs for every generated schema: it turns OpenAPI 3.0's
// nullable into 3.1 forms and applies the type's Doc.
func (s *schemaSet) customize(_ string, t reflect.Type, _ reflect.StructTag, sc *openapi3.Schema) error {
	sc.Nullable = false
	if t == timeType {
		*sc = openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date-time"}
		return nil
	}
	if t.Kind() != reflect.Struct || sc.Properties == nil {
		return nil
	}
	doc, _ := docOf(t)
	if doc.About != "" {
		sc.Description = doc.About
	}
	fields := jsonFields(t)
	if err := required(t, sc, doc, fields); err != nil {
		return err
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
	return applyFields(t, sc, doc)
}

// required sets the required fields: the Doc's, or every field without
// omitempty (what the service always writes).
func required(t reflect.Type, sc *openapi3.Schema, doc apidoc.Type, fields []field) error {
	req := doc.Required
	if req == nil {
		req = []string{}
		for _, f := range fields {
			if !f.omitEmpty {
				req = append(req, f.name)
			}
		}
	}
	for _, name := range req {
		if _, ok := sc.Properties[name]; !ok {
			return fmt.Errorf("%s: required field %q is not a property", t, name)
		}
	}
	if len(req) > 0 {
		sc.Required = req
	}
	return nil
}

// applyFields applies the Doc's references, replacements and field
// fragments to the properties they name.
func applyFields(t reflect.Type, sc *openapi3.Schema, doc apidoc.Type) error {
	property := func(name string) (*openapi3.SchemaRef, error) {
		p, ok := sc.Properties[name]
		if !ok {
			return nil, fmt.Errorf("%s: the document describes field %q, which the type lacks", t, name)
		}
		return p, nil
	}
	for _, name := range sortedKeys(doc.Refs) {
		if _, err := property(name); err != nil {
			return err
		}
		sc.Properties[name] = compRef(doc.Refs[name])
	}
	for _, name := range sortedKeys(doc.Replace) {
		p, err := property(name)
		if err != nil {
			return err
		}
		r, err := convert(doc.Replace[name])
		if err != nil {
			return err
		}
		if r.Description == "" && p.Value != nil {
			r.Description = p.Value.Description
		}
		sc.Properties[name] = &openapi3.SchemaRef{Value: r}
	}
	for _, name := range sortedKeys(doc.Fields) {
		p, err := property(name)
		if err != nil {
			return err
		}
		if strings.HasPrefix(p.Ref, componentPrefix) || p.Value == nil {
			// Describe a reference without changing the shared component.
			p = &openapi3.SchemaRef{Value: &openapi3.Schema{AllOf: openapi3.SchemaRefs{p}}}
			sc.Properties[name] = p
		}
		if err := merge(p.Value, doc.Fields[name]); err != nil {
			return fmt.Errorf("%s.%s: %w", t, name, err)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// convert turns a declared fragment into an OpenAPI schema.
func convert(frag *apidoc.Schema) (*openapi3.Schema, error) {
	b, err := json.Marshal(frag)
	if err != nil {
		return nil, fmt.Errorf("encode schema: %w", err)
	}
	return rawSchema(b)
}

// merge applies a declared fragment to sc: the fragment's keywords win,
// and its items and properties merge into sc's, keyword by keyword.
func merge(sc *openapi3.Schema, f *apidoc.Schema) error {
	if f == nil {
		return nil
	}
	setString(&sc.Title, f.Title)
	setString(&sc.Description, f.Description)
	setString(&sc.Format, f.Format)
	setString(&sc.Pattern, f.Pattern)
	setString(&sc.ContentEncoding, f.ContentEncoding)
	if f.Type != nil || f.Ref != "" || f.Const != nil || f.Discriminator != nil {
		// Keywords that change what the schema is: taken as encoded.
		w, err := convert(&apidoc.Schema{Type: f.Type, Ref: f.Ref, Const: f.Const, Discriminator: f.Discriminator})
		if err != nil {
			return err
		}
		if w.Type != nil {
			sc.Type = w.Type
		}
		if w.Const != nil {
			sc.Const = w.Const
		}
		if w.Discriminator != nil {
			sc.Discriminator = w.Discriminator
		}
	}
	if f.Enum != nil {
		sc.Enum = f.Enum
	}
	if f.Default != nil {
		sc.Default = f.Default
	}
	if f.Examples != nil {
		sc.Examples = f.Examples
	}
	setPtr(&sc.Min, f.Minimum)
	setPtr(&sc.Max, f.Maximum)
	setPtr(&sc.MultipleOf, f.MultipleOf)
	setPtr(&sc.MaxLength, f.MaxLength)
	if f.MinItems != nil {
		sc.MinItems = *f.MinItems
	}
	setPtr(&sc.MaxItems, f.MaxItems)
	sc.UniqueItems = sc.UniqueItems || f.UniqueItems
	if f.Required != nil {
		sc.Required = f.Required
	}
	if f.Items != nil {
		if sc.Items == nil || sc.Items.Value == nil {
			return fmt.Errorf("items declared on a schema that has none")
		}
		if err := merge(sc.Items.Value, f.Items); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(f.Properties) {
		p, ok := sc.Properties[name]
		if !ok || p.Value == nil {
			return fmt.Errorf("property %q declared on a schema that lacks it", name)
		}
		if err := merge(p.Value, f.Properties[name]); err != nil {
			return err
		}
	}
	for _, list := range []struct {
		dst  *openapi3.SchemaRefs
		from []*apidoc.Schema
	}{{&sc.OneOf, f.OneOf}, {&sc.AnyOf, f.AnyOf}, {&sc.AllOf, f.AllOf}} {
		for _, x := range list.from {
			r, err := convertRef(x)
			if err != nil {
				return err
			}
			*list.dst = append(*list.dst, r)
		}
	}
	return nil
}

// convertRef turns a fragment into a reference when it is one.
func convertRef(f *apidoc.Schema) (*openapi3.SchemaRef, error) {
	if f.Ref != "" {
		return openapi3.NewSchemaRef(f.Ref, nil), nil
	}
	sc, err := convert(f)
	if err != nil {
		return nil, err
	}
	return &openapi3.SchemaRef{Value: sc}, nil
}

func setString(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func setPtr[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
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
			sc.Enum = apidoc.Strings(strings.Split(e, ","))
		}
		if e := tag.Get("itemenum"); e != "" {
			if sc.Items == nil || sc.Items.Value == nil {
				return fmt.Errorf("itemenum on %s, which is not a list", t)
			}
			sc.Items.Value.Enum = apidoc.Strings(strings.Split(e, ","))
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
func rawSchema(raw []byte) (*openapi3.Schema, error) {
	var sc openapi3.Schema
	if err := json.Unmarshal(raw, &sc); err != nil {
		return nil, fmt.Errorf("decode schema: %w", err)
	}
	return &sc, nil
}
