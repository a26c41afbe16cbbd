// Package openapigen builds the API's OpenAPI 3.1 document, which package
// docs embeds as openapi.json and serves at /openapi.json.
//
// The document is assembled from the declarations of the endpoint groups
// the app mounts: each route's apidoc.Operation, the Doc of each Go type
// the routes decode and encode (their schemas come from the types, with
// kin-openapi's openapi3gen), the groups' own components, the job kinds
// and the Message Hub message types. It is built ahead of time, so
// kin-openapi is not linked into the service:
//
//	go generate ./functions/docs
//
// rewrites functions/docs/openapi.json, and a test fails while the
// committed file differs from what Build returns.
package openapigen

import (
	"encoding/json"
	"fmt"

	"github.com/dndcc/dnd-llm-service/app"
	"github.com/dndcc/dnd-llm-service/shared/group"
)

// Build returns the OpenAPI document of the whole API as indented JSON:
// the bytes /openapi.json serves. It builds the app on its embedded
// defaults (no Redis server, no keys) to read its groups.
func Build() ([]byte, error) {
	return BuildFor(app.Groups)
}

// BuildFor is Build for another list of groups.
func BuildFor(defs []group.Def) ([]byte, error) {
	a, err := app.Embedded(defs)
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	defer a.Close()
	doc, err := build(a.Built(), a.Messages())
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	return b, nil
}
