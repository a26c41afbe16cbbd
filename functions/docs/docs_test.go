package docs

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

// newDocsServer serves the group's routes the way the service does.
func newDocsServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for _, r := range routes() {
		mux.Handle(r.Pattern(), r.Handle(nil))
	}
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
	names := documentedAssets(t)
	for _, want := range []string{"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"} {
		if !slices.Contains(names, want) {
			t.Errorf("the documented assets %v lack %s", names, want)
		}
	}
	for _, name := range names {
		if resp, _ := get(t, srv.URL+UIPath+"/"+name); resp.StatusCode != 200 {
			t.Errorf("GET %s/%s = %d, want 200: the document lists an asset the viewer lacks", UIPath, name, resp.StatusCode)
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

// documentedAssets lists the files the document says GET /docs/{file}
// serves.
func documentedAssets(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]struct {
			Get struct {
				Parameters []struct {
					Name   string `json:"name"`
					Schema struct {
						Enum []string `json:"enum"`
					} `json:"schema"`
				} `json:"parameters"`
			} `json:"get"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(spec, &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range doc.Paths[UIPath+"/{file}"].Get.Parameters {
		if p.Name == "file" {
			return p.Schema.Enum
		}
	}
	t.Fatalf("the document does not describe GET %s/{file}", UIPath)
	return nil
}
