package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Unmarshal decodes one JSON value into v strictly, as the API document
// describes requests:
//   - the body is UTF-8 and holds no lone surrogate escape (\ud800), which
//     would otherwise decode to U+FFFD unseen;
//   - every object field is one v's type declares, matched exactly
//     (an unknown field, a typo included, is named in the error);
//   - null is refused where the type does not hold raw JSON;
//   - an integer field takes any JSON number with an integral value (3,
//     3.0, 1e3), as JSON Schema counts them all as integers.
//
// Malformed JSON is an INVALID_JSON problem; a field that does not fit is
// INVALID_PARAMETERS naming it.
func Unmarshal(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return invalidJSON("The body is empty; it must be a JSON object.")
	}
	if !utf8.Valid(body) {
		return invalidJSON("The body is not valid UTF-8.")
	}
	if at := loneSurrogate(body); at >= 0 {
		return invalidJSON(fmt.Sprintf("The body has a lone UTF-16 surrogate escape at byte %d.", at))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); err == nil {
		return invalidJSON("The body must hold exactly one JSON value.")
	}
	w := walker{errs: map[string]string{}}
	tree = w.walk("", tree, reflect.TypeOf(v).Elem())
	if len(w.errs) > 0 {
		return Invalid(w.errs)
	}
	if w.rewrote {
		b, err := json.Marshal(tree)
		if err != nil {
			return fmt.Errorf("re-encode body: %w", err)
		}
		body = b
	}
	if err := json.Unmarshal(body, v); err != nil {
		return jsonProblem(err)
	}
	return nil
}

// invalidJSON is the problem of a body that is not one JSON value; it names
// the body as the field at fault.
func invalidJSON(detail string) *Problem {
	p := NewProblem(CodeInvalidJSON, detail)
	p.Errors = []FieldError{{Field: "body", Message: detail}}
	return p
}

// walker checks a decoded JSON tree against a Go type.
type walker struct {
	errs    map[string]string
	rewrote bool
}

var (
	rawType         = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// walk checks node against t and returns it, with integral numbers of
// integer fields rewritten as integers.
func (w *walker) walk(path string, node any, t reflect.Type) any {
	if node == nil {
		if t == rawType || t.Kind() == reflect.Interface {
			return nil
		}
		w.errs[field(path)] = "must not be null"
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawType || t.Kind() == reflect.Interface ||
		reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textType) {
		return node
	}
	switch t.Kind() {
	case reflect.Struct:
		if obj, ok := node.(map[string]any); ok {
			w.object(path, obj, t)
		}
	case reflect.Map:
		if obj, ok := node.(map[string]any); ok {
			for k, v := range obj {
				obj[k] = w.walk(join(path, k), v, t.Elem())
			}
		}
	case reflect.Slice, reflect.Array:
		if list, ok := node.([]any); ok {
			for i, v := range list {
				list[i] = w.walk(fmt.Sprintf("%s[%d]", path, i), v, t.Elem())
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n, ok := node.(json.Number); ok {
			return w.integer(n)
		}
	}
	return node
}

// object checks the fields of a JSON object against struct type t.
func (w *walker) object(path string, obj map[string]any, t reflect.Type) {
	fields := structFields(t)
	for k, v := range obj {
		ft, ok := fields[k]
		if !ok {
			w.errs[join(path, k)] = "is not a known field"
			continue
		}
		obj[k] = w.walk(join(path, k), v, ft)
	}
}

// integer rewrites an integral number written as a decimal or with an
// exponent (3.0, 1e3) as an integer; anything else stays as written, for
// the decoder to refuse.
func (w *walker) integer(n json.Number) any {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		return n
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return n
	}
	w.rewrote = true
	return json.Number(strconv.FormatInt(int64(f), 10))
}

// structFields maps the JSON names of t's fields to their types, as
// encoding/json sees them (untagged embedded structs flattened).
func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range structFields(et) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func field(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// loneSurrogate returns the offset of a \uD800–\uDFFF escape that is not
// half of a surrogate pair, or -1.
func loneSurrogate(b []byte) int {
	for i := 0; i+5 < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if b[i+1] != 'u' {
			i++ // skip the escaped character, which may be a backslash
			continue
		}
		r, ok := hex4(b[i+2:])
		if !ok {
			continue
		}
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			if i+7 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
				if lo, ok := hex4(b[i+8:]); ok && lo >= 0xDC00 && lo <= 0xDFFF {
					i += 11
					continue
				}
			}
			return i
		case r >= 0xDC00 && r <= 0xDFFF:
			return i
		}
		i += 5
	}
	return -1
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 16)
	return rune(v), err == nil
}

// Within returns err with the fields of its problem named under prefix,
// for a value decoded inside another (a message's payload, say). An error
// that is not a problem becomes one naming prefix.
func Within(prefix string, err error) error {
	if err == nil {
		return nil
	}
	p := AsProblem(err)
	if p.Code == CodeInternal {
		return Invalid(map[string]string{prefix: "does not match the expected shape"})
	}
	q := *p
	q.Errors = make([]FieldError, len(p.Errors))
	for i, e := range p.Errors {
		name := prefix
		if e.Field != "body" {
			name = join(prefix, e.Field)
		}
		q.Errors[i] = FieldError{Field: name, Message: e.Message}
	}
	return &q
}
