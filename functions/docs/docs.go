// Package docs serves the API's OpenAPI 3.1 document at /openapi.json and
// an interactive viewer of it at /docs.
//
// The document, openapi.json, is generated ahead of time by package
// openapigen from the Go types the handlers decode and encode, and the
// structured text content from the strict schemas the model is held to
// (dnd.Schema). A test fails while the committed file differs from what
// the code generates, so it cannot drift from the code; rewrite it with
//
//	go generate ./functions/docs
//
// The viewer is Swagger UI, embedded in the binary by
// github.com/swaggest/swgui: it loads nothing from the internet.
package docs

//go:generate go run ./openapigen/cmd/openapigen openapi.json

import (
	_ "embed"
	"io/fs"
	"net/http"
	"strconv"

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

//go:embed openapi.json
var spec []byte

// Spec returns the OpenAPI 3.1 document of the whole API as JSON. Every
// call returns the same bytes, which callers must not modify.
func Spec() ([]byte, error) { return spec, nil }

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
