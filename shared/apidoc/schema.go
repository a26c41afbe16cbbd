package apidoc

// Constructors of the schema fragments the declarations use most. Each
// returns a fresh *Schema, so declarations can merge them with With.

// Str is a string schema.
func Str() *Schema { return &Schema{Type: "string"} }

// Int is an integer schema with a lower bound.
func Int(min float64) *Schema { return &Schema{Type: "integer", Minimum: &min} }

// Obj is an object schema.
func Obj() *Schema { return &Schema{Type: "object"} }

// Comp refers to a component schema.
func Comp(name string) *Schema { return &Schema{Ref: "#/components/schemas/" + name} }

// Describe is a fragment with only a description.
func Describe(d string) *Schema { return &Schema{Description: d} }

// Enum is a fragment restricting a string to values.
func Enum[S ~string](values ...S) *Schema { return &Schema{Enum: Strings(values)} }

// ItemEnum is a fragment restricting a list's strings to values.
func ItemEnum[S ~string](values ...S) *Schema { return &Schema{Items: &Schema{Enum: Strings(values)}} }

// Between is a fragment bounding a number.
func Between(lo, hi float64) *Schema { return &Schema{Minimum: &lo, Maximum: &hi} }

// MaxLen is a fragment bounding a string's length.
func MaxLen(n int) *Schema { m := uint64(n); return &Schema{MaxLength: &m} }

// Default is a fragment with a default value.
func Default(v any) *Schema { return &Schema{Default: v} }

// Format is a fragment with a format.
func Format(f string) *Schema { return &Schema{Format: f} }

// Variant is one member of a Union: the component a value of the
// discriminating property picks.
type Variant struct {
	Value     string
	Component string
}

// Union is a oneOf of components told apart by the value of property,
// with the discriminator that says so. A component that several values
// pick is listed once.
func Union(property string, variants ...Variant) *Schema {
	u := &Schema{Discriminator: &Discriminator{PropertyName: property, Mapping: map[string]string{}}}
	listed := map[string]bool{}
	for _, v := range variants {
		ref := Comp(v.Component).Ref
		u.Discriminator.Mapping[v.Value] = ref
		if !listed[ref] {
			listed[ref] = true
			u.OneOf = append(u.OneOf, &Schema{Ref: ref})
		}
	}
	return u
}

// With merges fragments, later ones winning field by field. Nested
// properties and items merge the same way.
func With(parts ...*Schema) *Schema {
	out := &Schema{}
	for _, p := range parts {
		out.merge(p)
	}
	return out
}

func (s *Schema) merge(p *Schema) {
	if p == nil {
		return
	}
	mergeString(&s.Ref, p.Ref)
	mergeString(&s.Title, p.Title)
	mergeString(&s.Description, p.Description)
	mergeString(&s.Format, p.Format)
	mergeString(&s.Pattern, p.Pattern)
	mergeString(&s.ContentEncoding, p.ContentEncoding)
	mergeAny(&s.Type, p.Type)
	mergeAny(&s.Const, p.Const)
	mergeAny(&s.Default, p.Default)
	if p.Enum != nil {
		s.Enum = p.Enum
	}
	if p.Examples != nil {
		s.Examples = p.Examples
	}
	mergePtr(&s.Minimum, p.Minimum)
	mergePtr(&s.Maximum, p.Maximum)
	mergePtr(&s.MultipleOf, p.MultipleOf)
	mergePtr(&s.MaxLength, p.MaxLength)
	mergePtr(&s.MinItems, p.MinItems)
	mergePtr(&s.MaxItems, p.MaxItems)
	s.UniqueItems = s.UniqueItems || p.UniqueItems
	if p.Items != nil {
		if s.Items == nil {
			s.Items = &Schema{}
		}
		s.Items.merge(p.Items)
	}
	for k, v := range p.Properties {
		if s.Properties == nil {
			s.Properties = map[string]*Schema{}
		}
		if s.Properties[k] == nil {
			s.Properties[k] = &Schema{}
		}
		s.Properties[k].merge(v)
	}
	if p.Required != nil {
		s.Required = p.Required
	}
	s.OneOf = append(s.OneOf, p.OneOf...)
	s.AnyOf = append(s.AnyOf, p.AnyOf...)
	s.AllOf = append(s.AllOf, p.AllOf...)
	mergePtr(&s.Discriminator, p.Discriminator)
}

func mergeString(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func mergeAny(dst *any, v any) {
	if v != nil {
		*dst = v
	}
}

func mergePtr[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}

// Strings converts string-like values for Enum and Examples.
func Strings[S ~string](xs []S) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
