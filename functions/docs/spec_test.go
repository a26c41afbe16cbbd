package docs_test

import (
	"context"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dndcc/dnd-llm-service/app/apptest"
	"github.com/dndcc/dnd-llm-service/functions/docs"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

func TestDocsSpecIsValidOpenAPI(t *testing.T) {
	t.Parallel()
	d := apptest.LoadSpec(t)
	if d.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", d.OpenAPI)
	}
	if err := d.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("/openapi.json is not a valid OpenAPI document: %v", err)
	}
	bearer := d.Components.SecuritySchemes["bearerAuth"]
	if bearer == nil || bearer.Value.Type != "http" || bearer.Value.Scheme != "bearer" || bearer.Value.BearerFormat != "JWT" {
		t.Errorf("bearerAuth = %+v, want an http bearer JWT scheme", bearer)
	}
	if len(d.Security) != 1 || d.Security[0]["bearerAuth"] == nil {
		t.Errorf("document security = %v, want bearerAuth", d.Security)
	}
	public := []string{"GET /health", "GET /livez", "GET /readyz", "GET /metrics", "GET " + docs.SpecPath, "GET " + docs.UIPath, "GET " + docs.UIPath + "/{file}"}
	for _, op := range d.Operations() {
		o := d.Route(t, op).Operation
		isPublic := o.Security != nil && len(*o.Security) == 0
		if isPublic != slices.Contains(public, op) {
			t.Errorf("%s: public = %v, want %v", op, isPublic, !isPublic)
		}
	}
	codes := d.Components.Schemas["Problem"].Value.Properties["code"].Value.Enum
	var got []string
	for _, c := range codes {
		got = append(got, c.(string))
	}
	var want []string
	for c := range httpapi.Codes() {
		want = append(want, c)
	}
	if diff := servicetest.DiffSorted(want, got); diff != "" {
		t.Errorf("Problem.code enum differs from httpapi.Codes(): %s", diff)
	}
}
