// Package docs serves the API's OpenAPI 3.1 document at /openapi.json and
// an interactive viewer of it at /docs.
//
// The document is generated from the Go types the handlers decode and
// encode (with kin-openapi's openapi3gen), and the structured text content
// from the strict schemas the model is held to (dnd.Schema), so it cannot
// drift from the code. The viewer is Swagger UI, embedded in the binary by
// github.com/swaggest/swgui: it loads nothing from the internet.
package docs

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"sync"

	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5/static"
	"github.com/swaggest/swgui/v5emb"
	"github.com/vearutop/statigz"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

// Paths of the document and the viewer.
const (
	SpecPath = "/openapi.json"
	UIPath   = "/docs"
)

// assets are the viewer's files (gzip-compressed, served decompressed to
// clients that do not accept gzip).
var assets fs.ReadDirFS = static.FS

var spec = sync.OnceValues(func() ([]byte, error) {
	doc, err := build()
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	return b, nil
})

// Spec returns the OpenAPI 3.1 document of the whole API as JSON. It is
// built once; later calls return the same bytes.
func Spec() ([]byte, error) { return spec() }

// Register mounts GET /openapi.json, the viewer at GET /docs, and its
// assets at GET /docs/{file}. All three are public.
func Register(mux httpapi.Mux) {
	mux.Handle("GET "+SpecPath, http.HandlerFunc(serveSpec))
	mux.Handle("GET "+UIPath, v5emb.NewHandlerWithConfig(swgui.Config{
		Title:       "dnd-llm-service API",
		SwaggerJSON: SpecPath,
		BasePath:    UIPath + "/",
		SettingsUI: map[string]string{
			"defaultModelsExpandDepth": "0",
			"displayRequestDuration":   "true",
			"docExpansion":             `"list"`,
		},
	}))
	files := statigz.FileServer(assets, statigz.OnNotFound(func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteProblem(w, r, httpapi.NewProblem(httpapi.CodeNotFound, "No route matches "+r.URL.Path+"."))
	}))
	mux.Handle("GET "+UIPath+"/{file}", http.StripPrefix(UIPath+"/", files))
}

func serveSpec(w http.ResponseWriter, r *http.Request) {
	b, err := Spec()
	if err != nil {
		httpapi.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}
