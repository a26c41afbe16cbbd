// Package apidoc is how the code describes the API next to what it
// describes: each route carries an Operation, and each type the routes
// decode or encode may describe itself with a Doc method. The OpenAPI
// document is assembled from these declarations ahead of time (package
// functions/docs/openapigen), so this package depends on nothing and adds
// nothing to the service binary but plain values.
package apidoc

// Security names who may call an operation.
type Security int

// Securities of an operation. The zero value is a bearer token.
const (
	Bearer             Security = iota // a bearer token (the document's default)
	Public                             // no credentials
	BearerOrNone                       // a bearer token, or none (e.g. a signed URL)
	BearerOrServiceKey                 // a bearer token, or the Message Hub's service key
)

// Operation documents one route.
type Operation struct {
	ID          string
	Summary     string
	Description string
	// Tag groups the operation; empty means the group's name.
	Tag      string
	Security Security
	Params   []Param
	Body     *Body
	// Responses by status. Every operation also answers "default" with the
	// document's Error response.
	Responses map[int]Response
}

// Param is a parameter: a shared one of the document, by Ref, or its own.
type Param struct {
	Ref         string // a component parameter, e.g. "JobID"
	Name        string
	In          string // path, query or header
	Description string
	Schema      *Schema
	Example     any
}

// Body is a JSON request body.
type Body struct {
	Schema      string // the component that describes it
	Description string
	Examples    []Example
	// More, when set, adds examples known only once the app is built (the
	// Message Hub's envelopes, one per message type every group accepts).
	More func() []Example
}

// Example is one named example of a request body; Value is the request
// type itself, so an example cannot name a field the handler does not read.
type Example struct {
	Name    string
	Summary string
	Value   any
}

// Response is one answer: a shared one of the document, by Ref, or its own.
type Response struct {
	Ref         string // a component response, e.g. "Unauthorized"
	Description string
	// Headers besides X-Request-ID, which every answer carries.
	Headers []Header
	// Content by media type: a component name, or an inline schema.
	Content []Content
	// NoContent marks an answer with no body.
	NoContent bool
}

// Header is a response header.
type Header struct {
	Name        string
	Description string
	Required    bool
	Schema      *Schema
}

// Content is one media type of a response.
type Content struct {
	MediaType string  // e.g. application/json
	Schema    string  // a component name; empty with Inline or for any body
	Inline    *Schema // an inline schema
}

// JSON is content of type application/json described by a component.
func JSON(component string) Content { return Content{MediaType: "application/json", Schema: component} }

// Problem is content of type application/problem+json described by a
// component.
func Problem(component string) Content {
	return Content{MediaType: "application/problem+json", Schema: component}
}

// Ref is a response that refers to a shared response of the document.
func Ref(name string) Response { return Response{Ref: name} }

// Schema is a JSON Schema fragment: the subset of keywords the document
// uses. Zero fields are left out; Default, Const and Enum values are kept
// as given (a nil Default is no default).
type Schema struct {
	Ref             string             `json:"$ref,omitempty"`
	Type            any                `json:"type,omitempty"` // a name, or a list of names
	Title           string             `json:"title,omitempty"`
	Description     string             `json:"description,omitempty"`
	Format          string             `json:"format,omitempty"`
	Pattern         string             `json:"pattern,omitempty"`
	ContentEncoding string             `json:"contentEncoding,omitempty"`
	Enum            []any              `json:"enum,omitempty"`
	Const           any                `json:"const,omitempty"`
	Default         any                `json:"default,omitempty"`
	Examples        []any              `json:"examples,omitempty"`
	Minimum         *float64           `json:"minimum,omitempty"`
	Maximum         *float64           `json:"maximum,omitempty"`
	MultipleOf      *float64           `json:"multipleOf,omitempty"`
	MaxLength       *uint64            `json:"maxLength,omitempty"`
	MinItems        *uint64            `json:"minItems,omitempty"`
	MaxItems        *uint64            `json:"maxItems,omitempty"`
	UniqueItems     bool               `json:"uniqueItems,omitempty"`
	Items           *Schema            `json:"items,omitempty"`
	Properties      map[string]*Schema `json:"properties,omitempty"`
	Required        []string           `json:"required,omitempty"`
	OneOf           []*Schema          `json:"oneOf,omitempty"`
	AnyOf           []*Schema          `json:"anyOf,omitempty"`
	AllOf           []*Schema          `json:"allOf,omitempty"`
	// Discriminator names the property whose value picks the OneOf
	// variant, so generated clients decode into the variant's type.
	Discriminator *Discriminator `json:"discriminator,omitempty"`
}

// Discriminator tells which variant of a oneOf a value is: the value of
// PropertyName, mapped to the variant's component reference.
type Discriminator struct {
	PropertyName string            `json:"propertyName"`
	Mapping      map[string]string `json:"mapping,omitempty"`
}

// Type is what a Go type says of itself in the document, beyond what its
// fields and JSON tags say: see Described.
type Type struct {
	// Name is the component's name; empty means the Go type's name.
	Name  string
	About string
	// Required lists the fields a request must send. When nil, every field
	// without omitempty is required: what the service always writes.
	Required []string
	// Fields are merged into each named JSON field's generated schema.
	Fields map[string]*Schema
	// Replace swaps a field's generated schema for another: for raw JSON
	// fields, whose Go type says nothing.
	Replace map[string]*Schema
	// Refs makes named fields plain references to components.
	Refs map[string]string
}

// Described is a type that describes itself in the document.
type Described interface {
	Doc() Type
}

// Component is a named schema a group adds to the document: a shape
// derived from other components (a job whose result is of one kind, say),
// or the strict schema content is held to. Exactly one of Schema, Raw,
// Strict and Derive is set.
type Component struct {
	Name   string
	Schema *Schema
	// Derive makes the component from another one.
	Derive *Derive
	// Raw is a JSON Schema as given (the strict schema a model is sent).
	Raw []byte
	// Strict is a value whose type's strict schema is the component: every
	// field required, no others allowed, and the description, enum and
	// itemenum struct tags applied.
	Strict any
	About  string // the description of a Strict component
}

// Derive makes a component from another: a copy of From without the
// properties Drop, with the properties Set replaced (or added), and with
// Required and About replaced.
type Derive struct {
	From     string
	Drop     []string
	Set      map[string]*Schema
	Required []string // nil keeps From's
	About    string
}

// Tag groups operations in the document.
type Tag struct {
	Name        string
	Description string
}
