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
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5/static"
	"github.com/swaggest/swgui/v5emb"
	"github.com/vearutop/statigz"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/group"
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

// Group declares the docs endpoint group: GET /openapi.json, the viewer at
// GET /docs, and its assets at GET /docs/{file}. All three are public.
var Group = group.Def{
	Name:     "docs",
	Function: "queue",
	Tags:     []apidoc.Tag{{Name: "docs", Description: "This document and its viewer."}},
	New:      func(group.Deps) (group.Parts, error) { return group.Parts{Routes: routes()}, nil },
}

func routes() []group.Route {
	ui := v5emb.NewHandlerWithConfig(swgui.Config{
		Title:       "dnd-llm-service API",
		SwaggerJSON: SpecPath,
		BasePath:    UIPath + "/",
		SettingsUI: map[string]string{
			"defaultModelsExpandDepth": "0",
			"displayRequestDuration":   "true",
			"docExpansion":             `"list"`,
		},
	})
	files := statigz.FileServer(assets, statigz.OnNotFound(func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteProblem(w, r, httpapi.NewProblem(httpapi.CodeNotFound, "No route matches "+r.URL.Path+"."))
	}))
	assetFiles := http.StripPrefix(UIPath+"/", files)
	return []group.Route{
		{Method: http.MethodGet, Path: SpecPath, Auth: group.Public, Handler: serveSpec, Doc: apidoc.Operation{
			ID: "openapi", Summary: "This document", Security: apidoc.Public,
			Description: "The API's OpenAPI 3.1 document, generated from the code that serves the API; generate clients from it.",
			Responses: map[int]apidoc.Response{200: {Description: "The OpenAPI 3.1 document.",
				Content: []apidoc.Content{{MediaType: "application/json", Inline: apidoc.Obj()}}}},
		}},
		{Method: http.MethodGet, Path: UIPath, Auth: group.Public, Handler: httpapi.Wrap(ui), Doc: apidoc.Operation{
			ID: "docs", Summary: "This viewer", Security: apidoc.Public,
			Description: "An interactive viewer of this document. Its assets are built into the service, so it works without internet.",
			Responses:   map[int]apidoc.Response{200: {Description: "The viewer's page.", Content: []apidoc.Content{{MediaType: "text/html"}}}},
		}},
		{Method: http.MethodGet, Path: UIPath + "/{file}", Auth: group.Public, Handler: httpapi.Wrap(assetFiles), Doc: apidoc.Operation{
			ID: "docsAsset", Summary: "The viewer's assets", Security: apidoc.Public,
			Description: "The scripts, styles and images of the viewer at /docs, built into the service; gzip-compressed to clients that accept it.",
			Params:      []apidoc.Param{{Name: "file", In: "path", Schema: &apidoc.Schema{Type: "string", Enum: apidoc.Strings(AssetNames())}}},
			Responses: map[int]apidoc.Response{
				200: {Description: "The asset, with its file's Content-Type.", Content: []apidoc.Content{{MediaType: "*/*"}}},
				404: apidoc.Ref("NotFound"),
			},
		}, Sample: group.Sample{Path: UIPath + "/" + AssetNames()[0]}},
	}
}

// AssetNames lists the viewer's files, served under /docs/.
var AssetNames = sync.OnceValue(func() []string {
	var names []string
	fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, strings.TrimSuffix(p, ".gz"))
		}
		return nil
	})
	slices.Sort(names)
	return names
})

func serveSpec(w http.ResponseWriter, r *http.Request) error {
	b, err := Spec()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	return nil
}
