package openapigen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	textapi "github.com/dndcc/dnd-llm-service/functions/text"
	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/textgen"
)

// committed is the document package docs embeds and serves.
const committed = "../openapi.json"

// TestCommittedDocumentIsCurrent keeps the served document in step with
// the code that describes the API.
func TestCommittedDocumentIsCurrent(t *testing.T) {
	t.Parallel()
	want, err := Build()
	if err != nil {
		t.Fatalf("Build() = %v", err)
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatalf("%v: run go generate ./functions/docs", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("functions/docs/openapi.json is stale: run go generate ./functions/docs (or make docs) and commit it.\nIt differs from Build() %s", firstDiff(got, want))
	}
}

// firstDiff tells where a and b first differ, by line.
func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("at line %d:\n  file:  %s\n  Build: %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("in length: %d lines in the file, %d from Build()", len(al), len(bl))
}

// loadBuilt returns Build's document, loaded and resolved.
func loadBuilt(t *testing.T) *openapi3.T {
	t.Helper()
	b, err := Build()
	if err != nil {
		t.Fatalf("Build() = %v", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("load the document: %v", err)
	}
	return doc
}

func TestSpecIsValidOpenAPI31(t *testing.T) {
	t.Parallel()
	doc := loadBuilt(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	b, _ := Build()
	for _, nullable := range []string{`"nullable"`, `"x-nullable"`} {
		if bytes.Contains(b, []byte(nullable)) {
			t.Errorf("the document uses %s, which OpenAPI 3.1 dropped", nullable)
		}
	}
}

func TestProblemCodesAreDocumented(t *testing.T) {
	t.Parallel()
	doc := loadBuilt(t)
	var got []string
	for _, c := range doc.Components.Schemas["Problem"].Value.Properties["code"].Value.Enum {
		got = append(got, c.(string))
	}
	var want []string
	for c := range httpapi.Codes() {
		want = append(want, c)
		if !strings.Contains(doc.Info.Description, "| `"+c+"` |") {
			t.Errorf("the introduction's code table lacks %s", c)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Problem.code enum = %v, want httpapi.Codes() %v", got, want)
	}
}

func TestSpecIsDeterministic(t *testing.T) {
	t.Parallel()
	var first []byte
	for i := range 3 {
		b, err := Build()
		if err != nil {
			t.Fatalf("Build() = %v", err)
		}
		if i == 0 {
			first = b
		} else if !bytes.Equal(first, b) {
			t.Fatalf("build %d differs from build 0", i)
		}
	}
}

// TestContentSchemasAcceptOfflineContent generates every text type with the
// offline generator and checks it against the documented content schema.
func TestContentSchemasAcceptOfflineContent(t *testing.T) {
	t.Parallel()
	doc := loadBuilt(t)
	gen := textgen.NewOffline([]string{"gpt-4o"})
	seed := int64(7)
	for _, kind := range textapi.Kinds {
		for _, typ := range dnd.Types(kind) {
			t.Run(kind+"/"+typ, func(t *testing.T) {
				var req dnd.TextRequest
				switch kind {
				case dnd.KindCharacter:
					r := dnd.CharacterRequest{Type: typ, Seed: &seed}
					r.Normalize()
					req = r
				case dnd.KindCampaign:
					r := dnd.CampaignRequest{Type: typ, Seed: &seed}
					r.Normalize()
					req = r
				case dnd.KindTheme:
					r := dnd.ThemeRequest{Content: "Thorin strode into Millbrook with 3 torches.", Theme: dnd.Theme{Genre: "noir"}, Seed: &seed}
					r.Normalize()
					req = r
				case dnd.KindFreeform:
					r := dnd.FreeformRequest{Prompt: "Describe a tavern.", Seed: &seed}
					r.Normalize()
					req = r
				}
				out, err := gen.Generate(context.Background(), req)
				if err != nil {
					t.Fatalf("Generate(%s, %s) = %v", kind, typ, err)
				}
				var v any
				if err := json.Unmarshal(out.Content, &v); err != nil {
					t.Fatal(err)
				}
				sc := doc.Components.Schemas[textapi.ContentName(kind, typ)]
				if sc == nil {
					t.Fatalf("no component %s", textapi.ContentName(kind, typ))
				}
				if err := sc.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
					t.Errorf("offline %s/%s content does not match %s: %v", kind, typ, textapi.ContentName(kind, typ), err)
				}
			})
		}
	}
}

// Types whose Doc names a field they lack.
type (
	describedTypo struct {
		Name string `json:"name"`
	}
	requiredTypo struct {
		Name string `json:"name"`
	}
	referencedTypo struct {
		Name string `json:"name"`
	}
	replacementTypo struct {
		Name string `json:"name"`
	}
)

func (describedTypo) Doc() apidoc.Type {
	return apidoc.Type{Fields: map[string]*apidoc.Schema{"nmae": apidoc.Describe("typo")}}
}
func (requiredTypo) Doc() apidoc.Type   { return apidoc.Type{Required: []string{"nmae"}} }
func (referencedTypo) Doc() apidoc.Type { return apidoc.Type{Refs: map[string]string{"nmae": "Job"}} }
func (replacementTypo) Doc() apidoc.Type {
	return apidoc.Type{Replace: map[string]*apidoc.Schema{"nmae": apidoc.Str()}}
}

func TestRulesMustNameRealFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    any
	}{
		{"unknown described field", describedTypo{}},
		{"unknown required field", requiredTypo{}},
		{"unknown referenced field", referencedTypo{}},
		{"unknown replaced field", replacementTypo{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSchemaSet()
			s.ref(tc.v)
			if s.err == nil {
				t.Errorf("a rule naming a field the type lacks was accepted")
			}
		})
	}
}

func TestSchemaNamesMustNotCollide(t *testing.T) {
	t.Parallel()
	type Theme struct {
		X string `json:"x"`
	}
	s := newSchemaSet()
	s.ref(dnd.CharacterRequest{}) // uses dnd.Theme, named Theme
	s.ref(Theme{})
	if s.err == nil {
		t.Errorf("two types named Theme were both accepted")
	}
}
