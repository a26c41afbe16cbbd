package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Validator is a decoded request that can check itself. Valid returns field
// path → message for every problem, or nil.
type Validator interface {
	Valid(ctx context.Context) map[string]string
}

// Decode reads a JSON body into v (capped by the route's MaxBody) and
// validates it. Every failure is a *Problem: 413 for an oversized body, 415
// for another content type, 400 naming the field otherwise.
func Decode[T Validator](r *http.Request) (T, error) {
	var v T
	if err := DecodeJSON(r, &v); err != nil {
		return v, err
	}
	if fields := v.Valid(r.Context()); len(fields) > 0 {
		return v, Invalid(fields)
	}
	return v, nil
}

// DecodeJSON reads a JSON body into v, strictly (see Unmarshal), without
// validating it.
func DecodeJSON(r *http.Request, v any) error {
	if err := checkContentType(r); err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return AsProblem(err)
		}
		p := NewProblem(CodeInvalidJSON, "The request body could not be read.")
		p.Err = err
		return p
	}
	return Unmarshal(body, v)
}

// JSONMediaTypes are what a request body may be sent as.
const JSONMediaTypes = "application/json or application/*+json, in UTF-8"

// checkContentType accepts application/json and application/*+json, with
// no charset or UTF-8. A body sent without a Content-Type is refused: curl
// -d, for one, labels it application/x-www-form-urlencoded.
func checkContentType(r *http.Request) error {
	refuse := func(why string) error {
		return NewProblem(CodeUnsupportedMediaType, why+" The request body must be "+JSONMediaTypes+".")
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return refuse("The request has no Content-Type.")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return refuse("The Content-Type " + strconv.Quote(ct) + " is malformed.")
	}
	if mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return refuse("The Content-Type is " + mt + ".")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return refuse("The charset is " + cs + ".")
	}
	return nil
}

func jsonProblem(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return invalidJSON(fmt.Sprintf("The body is malformed JSON at byte %d.", se.Offset))
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return Invalid(map[string]string{field: fmt.Sprintf("must be %s, not %s", jsonType(te.Type.Kind().String()), te.Value)})
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return invalidJSON("The body is malformed JSON: it ends too early.")
	}
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	return invalidJSON("The body is malformed JSON.")
}

func jsonType(kind string) string {
	switch kind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a " + kind
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
