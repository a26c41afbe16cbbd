// Package textgen produces the structured D&D text content of a request
// through one provider: OpenAI (or any OpenAI-compatible server) or the
// built-in offline generator. Both fill the same schemas.
package textgen

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/dnd/offline"
	"github.com/dndcc/dnd-llm-service/shared/openai"
	"github.com/dndcc/dnd-llm-service/shared/provider"
)

// Usage counts tokens.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Call is one billed provider call, for usage accounting.
type Call struct {
	Model string
	Usage Usage
}

// Output is generated content and where it came from.
type Output struct {
	Content  json.RawMessage
	Model    string
	Provider string
	Usage    Usage
	Seed     *int64
	Calls    []Call
}

// Generator produces content for a normalised, valid request of kind
// (dnd.KindCharacter, ...): a dnd.CharacterRequest, CampaignRequest,
// ThemeRequest or FreeformRequest.
type Generator interface {
	Generate(ctx context.Context, kind string, req any) (Output, error)
	Provider() string
	State() provider.State
	// Models is the model chain a request may start from.
	Models() []string
}

// OpenAI generates through the OpenAI chat completions API with structured
// outputs.
type OpenAI struct {
	client *openai.Client
}

var _ Generator = (*OpenAI)(nil)

// NewOpenAI returns a generator on c.
func NewOpenAI(c *openai.Client) *OpenAI { return &OpenAI{client: c} }

// Provider implements Generator.
func (g *OpenAI) Provider() string { return "openai" }

// State implements Generator.
func (g *OpenAI) State() provider.State { return g.client.State() }

// Models implements Generator.
func (g *OpenAI) Models() []string { return g.client.Models() }

// Generate implements Generator.
func (g *OpenAI) Generate(ctx context.Context, kind string, req any) (Output, error) {
	typ, model := TypeAndModel(kind, req)
	msgs, err := dnd.BuildMessages(kind, req)
	if err != nil {
		return Output{}, fmt.Errorf("generate %s: %w", kind, err)
	}
	name, schema, err := dnd.Schema(kind, typ)
	if err != nil {
		return Output{}, fmt.Errorf("generate %s: %w", kind, err)
	}
	or := openai.Request{
		SchemaName: name, Schema: schema, StartModel: model.Name, Kind: kind,
		Validate: func(b []byte) error { return dnd.ValidateContent(kind, typ, b) },
	}
	if tr, ok := req.(dnd.ThemeRequest); ok {
		or.Validate = func(b []byte) error { _, err := dnd.CompleteTheme(tr, b); return err }
	}
	for _, m := range msgs {
		or.Messages = append(or.Messages, openai.Message{Role: m.Role, Content: m.Content})
	}
	if model.Temperature != nil {
		t := float32(*model.Temperature)
		or.Temperature = &t
	}
	if model.MaxTokens != nil {
		or.MaxTokens = *model.MaxTokens
	}
	if seed := SeedOf(req); seed != nil {
		s := int(*seed)
		or.Seed = &s
	}
	res, err := g.client.Complete(ctx, or)
	out := Output{Model: res.Model, Provider: "openai"}
	for _, c := range res.Calls {
		out.Calls = append(out.Calls, Call{Model: c.Model, Usage: Usage(c.Usage)})
	}
	out.Usage = Usage(res.Usage)
	if err != nil {
		return out, err
	}
	out.Content = res.Content
	if tr, ok := req.(dnd.ThemeRequest); ok {
		if out.Content, err = dnd.CompleteTheme(tr, res.Content); err != nil {
			return out, &provider.Error{Provider: "openai", Kind: provider.Transient, Message: "The model's answer did not fit the theme schema.", Err: err}
		}
	}
	return out, nil
}

// Offline generates with the built-in procedural generator.
type Offline struct {
	g      *offline.Generator
	models []string
}

var _ Generator = (*Offline)(nil)

// NewOffline returns the offline generator. models is the chain requests
// may name (they all map to the offline engine).
func NewOffline(models []string) *Offline { return &Offline{g: offline.New(), models: models} }

// OfflineModel is the model name offline results report.
const OfflineModel = "offline-srd-v1"

// Provider implements Generator.
func (g *Offline) Provider() string { return "offline" }

// State implements Generator.
func (g *Offline) State() provider.State { return provider.StateOffline }

// Models implements Generator.
func (g *Offline) Models() []string { return g.models }

// Generate implements Generator.
func (g *Offline) Generate(ctx context.Context, kind string, req any) (Output, error) {
	var o offline.Output
	var err error
	switch r := req.(type) {
	case dnd.CharacterRequest:
		o, err = g.g.Character(ctx, r)
	case dnd.CampaignRequest:
		o, err = g.g.Campaign(ctx, r)
	case dnd.ThemeRequest:
		o, err = g.g.Theme(ctx, r)
	case dnd.FreeformRequest:
		o, err = g.g.Freeform(ctx, r)
	default:
		return Output{}, fmt.Errorf("offline generate: unexpected request %T", req)
	}
	if err != nil {
		return Output{}, &provider.Error{Provider: "offline", Kind: provider.Transient, Message: "The offline generator failed.", Err: err}
	}
	seed := o.Seed
	return Output{Content: o.Content, Model: OfflineModel, Provider: "offline", Seed: &seed}, nil
}

// TypeAndModel returns a request's content type and model options.
func TypeAndModel(kind string, req any) (string, dnd.ModelOptions) {
	switch r := req.(type) {
	case dnd.CharacterRequest:
		return r.Type, r.Model
	case dnd.CampaignRequest:
		return r.Type, r.Model
	case dnd.ThemeRequest:
		return dnd.TypeTheme, r.Model
	case dnd.FreeformRequest:
		return dnd.TypeFreeform, r.Model
	}
	return "", dnd.ModelOptions{}
}

// SeedOf returns a request's seed, or nil.
func SeedOf(req any) *int64 {
	switch r := req.(type) {
	case dnd.CharacterRequest:
		return r.Seed
	case dnd.CampaignRequest:
		return r.Seed
	case dnd.ThemeRequest:
		return r.Seed
	case dnd.FreeformRequest:
		return r.Seed
	}
	return nil
}
