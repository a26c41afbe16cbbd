package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
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

// DecodeJSON reads a JSON body into v without validating it.
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
	if len(bytes.TrimSpace(body)) == 0 {
		return Invalid(map[string]string{"body": "must be a JSON object"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if dec.More() {
		return Invalid(map[string]string{"body": "must hold exactly one JSON value"})
	}
	return nil
}

func checkContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil // curl -d without -H is common; the body must still be JSON
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return NewProblem(CodeUnsupportedMediaType, "The request body must be application/json.")
}

func jsonProblem(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return Invalid(map[string]string{"body": fmt.Sprintf("malformed JSON at byte %d", se.Offset)})
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return Invalid(map[string]string{field: fmt.Sprintf("must be %s, not %s", jsonType(te.Type.Kind().String()), te.Value)})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Invalid(map[string]string{"body": "malformed JSON: unexpected end of input"})
	}
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	return Invalid(map[string]string{"body": "malformed JSON"})
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
