package dnd

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"reflect"
)

// TextRequest is a request for text content: a CharacterRequest,
// CampaignRequest, ThemeRequest or FreeformRequest. A pointer to one is a
// TextRequest too. Only this package's request types implement it.
type TextRequest interface {
	// Kind is the kind of work the request asks for (KindCharacter, ...).
	Kind() string
	// ContentType is the content type asked for: the type field of a
	// character or campaign request, TypeTheme or TypeFreeform.
	ContentType() string
	// ModelOptions are the caller's model preferences.
	ModelOptions() ModelOptions
	// SeedValue is the caller's seed, or nil.
	SeedValue() *int64
	// PriorityName is the queue priority the caller asked for.
	PriorityName() string
	// Normalized returns a normalised copy of the request, by value.
	Normalized() TextRequest
	// Canonical is the JSON of everything in the request that decides its
	// result: the request without its priority, in its type's field order.
	// Of a normalised request it is the request's part of a cache key.
	Canonical() ([]byte, error)
	// Valid returns field path → message for every problem, or nil.
	Valid(ctx context.Context) map[string]string

	// decode reads a request of the same type from JSON.
	decode(raw []byte) (TextRequest, error)
}

// Completer is a TextRequest whose model answer is a draft the service
// completes. A ThemeRequest is one: the model writes the restyled text, and
// Complete adds the original, the theme and the similarity (CompleteTheme).
type Completer interface {
	Complete(draft []byte) (json.RawMessage, error)
}

var (
	_ TextRequest = CharacterRequest{}
	_ TextRequest = CampaignRequest{}
	_ TextRequest = ThemeRequest{}
	_ TextRequest = FreeformRequest{}
	_ Completer   = ThemeRequest{}
)

// textRequests are the zero requests of the text kinds, in documentation
// order.
var textRequests = []TextRequest{CharacterRequest{}, CampaignRequest{}, ThemeRequest{}, FreeformRequest{}}

// TextKinds returns the kinds of text requests, in documentation order.
func TextKinds() []string {
	kinds := make([]string, len(textRequests))
	for i, r := range textRequests {
		kinds[i] = r.Kind()
	}
	return kinds
}

// zeroRequest returns the zero request of kind.
func zeroRequest(kind string) (TextRequest, error) {
	for _, r := range textRequests {
		if r.Kind() == kind {
			return r, nil
		}
	}
	return nil, fmt.Errorf("%w: kind %q", ErrUnknownType, kind)
}

// DecodeTextRequest decodes raw JSON as the request of kind. It returns the
// request by value.
func DecodeTextRequest(kind string, raw []byte) (TextRequest, error) {
	zero, err := zeroRequest(kind)
	if err != nil {
		return nil, err
	}
	return zero.decode(raw)
}

// isNilRequest reports whether r is nil or a nil pointer.
func isNilRequest(r TextRequest) bool {
	v := reflect.ValueOf(r)
	return !v.IsValid() || v.Kind() == reflect.Pointer && v.IsNil()
}

// decodeAs decodes raw strictly (httpapi.Unmarshal): a field r does not
// declare, or a value that does not fit, is a problem naming it.
func decodeAs[T TextRequest](raw []byte) (TextRequest, error) {
	var r T
	if err := httpapi.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	return r, nil
}

// Kind implements TextRequest.
func (CharacterRequest) Kind() string { return KindCharacter }

// ContentType implements TextRequest.
func (r CharacterRequest) ContentType() string { return r.Type }

// ModelOptions implements TextRequest.
func (r CharacterRequest) ModelOptions() ModelOptions { return r.Model }

// SeedValue implements TextRequest.
func (r CharacterRequest) SeedValue() *int64 { return r.Seed }

// PriorityName implements TextRequest.
func (r CharacterRequest) PriorityName() string { return r.Priority }

// Normalized implements TextRequest.
func (r CharacterRequest) Normalized() TextRequest { r.Normalize(); return r }

// Canonical implements TextRequest.
func (r CharacterRequest) Canonical() ([]byte, error) { r.Priority = ""; return json.Marshal(r) }

func (CharacterRequest) decode(raw []byte) (TextRequest, error) {
	return decodeAs[CharacterRequest](raw)
}

// Kind implements TextRequest.
func (CampaignRequest) Kind() string { return KindCampaign }

// ContentType implements TextRequest.
func (r CampaignRequest) ContentType() string { return r.Type }

// ModelOptions implements TextRequest.
func (r CampaignRequest) ModelOptions() ModelOptions { return r.Model }

// SeedValue implements TextRequest.
func (r CampaignRequest) SeedValue() *int64 { return r.Seed }

// PriorityName implements TextRequest.
func (r CampaignRequest) PriorityName() string { return r.Priority }

// Normalized implements TextRequest.
func (r CampaignRequest) Normalized() TextRequest { r.Normalize(); return r }

// Canonical implements TextRequest.
func (r CampaignRequest) Canonical() ([]byte, error) { r.Priority = ""; return json.Marshal(r) }

func (CampaignRequest) decode(raw []byte) (TextRequest, error) {
	return decodeAs[CampaignRequest](raw)
}

// Kind implements TextRequest.
func (ThemeRequest) Kind() string { return KindTheme }

// ContentType implements TextRequest.
func (ThemeRequest) ContentType() string { return TypeTheme }

// ModelOptions implements TextRequest.
func (r ThemeRequest) ModelOptions() ModelOptions { return r.Model }

// SeedValue implements TextRequest.
func (r ThemeRequest) SeedValue() *int64 { return r.Seed }

// PriorityName implements TextRequest.
func (r ThemeRequest) PriorityName() string { return r.Priority }

// Normalized implements TextRequest.
func (r ThemeRequest) Normalized() TextRequest { r.Normalize(); return r }

// Canonical implements TextRequest.
func (r ThemeRequest) Canonical() ([]byte, error) { r.Priority = ""; return json.Marshal(r) }

// Complete implements Completer: see CompleteTheme.
func (r ThemeRequest) Complete(draft []byte) (json.RawMessage, error) { return CompleteTheme(r, draft) }

func (ThemeRequest) decode(raw []byte) (TextRequest, error) {
	return decodeAs[ThemeRequest](raw)
}

// Kind implements TextRequest.
func (FreeformRequest) Kind() string { return KindFreeform }

// ContentType implements TextRequest.
func (FreeformRequest) ContentType() string { return TypeFreeform }

// ModelOptions implements TextRequest.
func (r FreeformRequest) ModelOptions() ModelOptions { return r.Model }

// SeedValue implements TextRequest.
func (r FreeformRequest) SeedValue() *int64 { return r.Seed }

// PriorityName implements TextRequest.
func (r FreeformRequest) PriorityName() string { return r.Priority }

// Normalized implements TextRequest.
func (r FreeformRequest) Normalized() TextRequest { r.Normalize(); return r }

// Canonical implements TextRequest.
func (r FreeformRequest) Canonical() ([]byte, error) { r.Priority = ""; return json.Marshal(r) }

func (FreeformRequest) decode(raw []byte) (TextRequest, error) {
	return decodeAs[FreeformRequest](raw)
}
