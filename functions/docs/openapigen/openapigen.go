// Package openapigen builds the API's OpenAPI 3.1 document, which package
// docs embeds as openapi.json and serves at /openapi.json.
//
// The document is generated from the Go types the handlers decode and
// encode (with kin-openapi's openapi3gen), and the structured text content
// from the strict schemas the model is held to (dnd.Schema). It is built
// ahead of time, so kin-openapi is not linked into the service:
//
//	go generate ./functions/docs
//
// rewrites functions/docs/openapi.json, and a test fails while the
// committed file differs from what Build returns.
package openapigen

import (
	"encoding/json"
	"fmt"
)

// Build returns the OpenAPI document of the whole API as indented JSON:
// the bytes /openapi.json serves.
func Build() ([]byte, error) {
	doc, err := build()
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	return b, nil
}
