package httpapi

import (
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
)

// Doc implements apidoc.Described.
func (Problem) Doc() apidoc.Type {
	var statuses []any
	for _, c := range SortedCodes() {
		if s := StatusOf(c); !slices.Contains(statuses, any(s)) {
			statuses = append(statuses, s)
		}
	}
	return apidoc.Type{
		About: "An RFC 9457 problem. code is stable; branch on it, not on detail. On generation answers, job is the failed or canceled job.",
		Refs:  map[string]string{"job": "Job"},
		Fields: map[string]*apidoc.Schema{
			"type":       apidoc.Describe("urn:dnd-llm-service:problem:<code>"),
			"status":     {Enum: statuses},
			"code":       apidoc.With(apidoc.Enum(SortedCodes()...), apidoc.Describe("The stable error code; see the table in the introduction.")),
			"detail":     apidoc.Describe("What went wrong, safe to show."),
			"instance":   apidoc.Describe("The request path."),
			"request_id": apidoc.Describe("The X-Request-ID of the request."),
			"errors":     apidoc.Describe("For INVALID_PARAMETERS: each invalid field."),
		},
	}
}

// SortedCodes lists every problem code, by status and then name.
func SortedCodes() []string {
	codes := make([]string, 0, len(statusByCode))
	for c := range statusByCode {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(a, b string) int {
		if d := StatusOf(a) - StatusOf(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return codes
}
