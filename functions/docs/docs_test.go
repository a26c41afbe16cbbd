package docs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/textgen"
)

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	b, err := Spec()
	if err != nil {
		t.Fatalf("Spec() = %v", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("load the document: %v", err)
	}
	return doc
}

func TestSpecIsValidOpenAPI31(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	b, _ := Spec()
	for _, nullable := range []string{`"nullable"`, `"x-nullable"`} {
		if bytes.Contains(b, []byte(nullable)) {
			t.Errorf("the document uses %s, which OpenAPI 3.1 dropped", nullable)
		}
	}
}

func TestSpecIsDeterministic(t *testing.T) {
	t.Parallel()
	var first []byte
	for i := range 3 {
		doc, err := build()
		if err != nil {
			t.Fatalf("build() = %v", err)
		}
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b
		} else if !bytes.Equal(first, b) {
			t.Fatalf("build %d differs from build 0", i)
		}
	}
}

func TestProblemCodesAreDocumented(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
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

// TestContentSchemasAcceptOfflineContent generates every text type with the
// offline generator and checks it against the documented content schema.
func TestContentSchemasAcceptOfflineContent(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	gen := textgen.NewOffline([]string{"gpt-4o"})
	seed := int64(7)
	for _, k := range textKinds {
		for _, typ := range dnd.Types(k.kind) {
			t.Run(k.kind+"/"+typ, func(t *testing.T) {
				var req any
				switch k.kind {
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
				out, err := gen.Generate(context.Background(), k.kind, req)
				if err != nil {
					t.Fatalf("Generate(%s, %s) = %v", k.kind, typ, err)
				}
				var v any
				if err := json.Unmarshal(out.Content, &v); err != nil {
					t.Fatal(err)
				}
				sc := doc.Components.Schemas[contentName(k.kind, typ)]
				if sc == nil {
					t.Fatalf("no component %s", contentName(k.kind, typ))
				}
				if err := sc.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
					t.Errorf("offline %s/%s content does not match %s: %v", k.kind, typ, contentName(k.kind, typ), err)
				}
			})
		}
	}
}

func TestRulesMustNameRealFields(t *testing.T) {
	t.Parallel()
	type sample struct {
		Name string `json:"name"`
	}
	tests := []struct {
		name string
		rule typeRule
	}{
		{"unknown described field", typeRule{fields: map[string]func(*openapi3.Schema){"nmae": describe("typo")}}},
		{"unknown required field", typeRule{required: []string{"nmae"}}},
		{"unknown referenced field", typeRule{refs: map[string]string{"nmae": "Job"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSchemaSet(map[reflect.Type]typeRule{reflect.TypeFor[sample](): tc.rule})
			s.ref(sample{})
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
	s := newSchemaSet(nil)
	s.ref(dnd.CharacterRequest{}) // uses dnd.Theme, named Theme
	s.ref(Theme{})
	if s.err == nil {
		t.Errorf("two types named Theme were both accepted")
	}
}

// newDocsServer serves Register's routes the way the service does.
func newDocsServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	Register(mux)
	srv := httptest.NewServer(httpapi.ProblemMux(mux))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	// The default transport would ask for gzip and decode it silently.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestRegisterServesTheDocument(t *testing.T) {
	t.Parallel()
	srv := newDocsServer(t)
	resp, body := get(t, srv.URL+SpecPath)
	want, _ := Spec()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || !bytes.Equal(body, want) {
		t.Errorf("GET %s = %d %q, %d bytes; want 200 application/json with Spec()", SpecPath, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
}

// externalRef finds URLs the page would load from another host.
var externalRef = regexp.MustCompile(`(?i)(src|href|url)\s*[=(]\s*["']?\s*(https?:)?//`)

var localRef = regexp.MustCompile(`(?:src|href)="(/[^"]*)"`)

func TestRegisterServesAnOfflineViewer(t *testing.T) {
	t.Parallel()
	srv := newDocsServer(t)
	resp, page := get(t, srv.URL+UIPath)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET %s = %d %q, want 200 text/html", UIPath, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if m := externalRef.Find(page); m != nil {
		t.Errorf("the viewer's page loads from another host: %s", m)
	}
	if !bytes.Contains(page, []byte(`"swaggerJsonUrl":"`+SpecPath+`"`)) {
		t.Errorf("the viewer's page does not load %s", SpecPath)
	}
	refs := localRef.FindAllSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("the viewer's page references %d local assets, want the script, the styles and the icons", len(refs))
	}
	for _, m := range refs {
		path := string(m[1])
		resp, body := get(t, srv.URL+path)
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Errorf("GET %s = %d (%d bytes), want 200", path, resp.StatusCode, len(body))
		}
		if strings.HasSuffix(path, ".css") || strings.HasSuffix(path, ".js") {
			if m := externalRef.Find(body); m != nil && strings.HasSuffix(path, ".css") {
				t.Errorf("%s loads from another host: %s", path, m)
			}
		}
	}
}

func TestViewerAssets(t *testing.T) {
	t.Parallel()
	srv := newDocsServer(t)
	names, err := assetNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"} {
		if !slices.Contains(names, want) {
			t.Errorf("assets %v lack %s", names, want)
		}
	}

	t.Run("plain", func(t *testing.T) {
		resp, body := get(t, srv.URL+UIPath+"/swagger-ui-bundle.js")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || !bytes.Contains(body, []byte("SwaggerUIBundle")) {
			t.Errorf("GET swagger-ui-bundle.js = %d, encoding %q; want 200, plain JavaScript", resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
	})
	t.Run("gzip", func(t *testing.T) {
		resp, body := get(t, srv.URL+UIPath+"/swagger-ui-bundle.js", "Accept-Encoding", "gzip")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("GET swagger-ui-bundle.js with gzip = %d, encoding %q; want 200 gzip", resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(zr); !bytes.Contains(b, []byte("SwaggerUIBundle")) {
			t.Errorf("the gzipped bundle does not hold Swagger UI")
		}
	})
	t.Run("missing", func(t *testing.T) {
		resp, body := get(t, srv.URL+UIPath+"/no-such-file.js")
		var p httpapi.Problem
		if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(body, &p) != nil || p.Code != httpapi.CodeNotFound {
			t.Errorf("GET a missing asset = %d %q %s, want a 404 NOT_FOUND problem", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})
}
