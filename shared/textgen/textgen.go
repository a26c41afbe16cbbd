// Package textgen produces the structured D&D text content of a request
// through one provider: OpenAI (or any OpenAI-compatible server) or the
// built-in offline generator. Both fill the same schemas.
package textgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/dnd/offline"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/openai"
	"github.com/dndcc/dnd-llm-service/shared/provider"
)

// Usage counts tokens.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Call is one provider call, for usage accounting.
type Call struct {
	Model   string
	Usage   Usage
	Outcome string // "ok", "invalid", "refused" or the failure's kind
	Paid    bool   // an answer arrived and was billed, usable or not
}

// Output is generated content and where it came from.
type Output struct {
	Content  json.RawMessage
	Model    string
	Provider string
	Usage    Usage
	Seed     *int64
	Calls    []Call
	// ProviderCalls counts the paid calls (Call.Paid) the content cost; 0
	// offline.
	ProviderCalls int
	// Warnings say what of the request the generator could not use or
	// read (an unknown theme word, a duration it did not understand);
	// they belong beside the content, never in it.
	Warnings []string
}

// Generator produces content for a normalised, valid request.
type Generator interface {
	Generate(ctx context.Context, req dnd.TextRequest) (Output, error)
	Provider() string
	State() provider.State
	// Models is the model chain a request may start from.
	Models() []string
	// Revision names what decides a result besides the request and the
	// model: the prompt templates, or the offline engine's version. Cache
	// keys include it, so a new revision never serves an older result.
	Revision() string
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

// Revision implements Generator: the prompt templates' version.
func (g *OpenAI) Revision() string { return "prompts-" + dnd.PromptVersion }

// Generate implements Generator. The model answers the request's plan
// (dnd.PlanFor): for a character, only the words, which the plan completes
// with the identity and the numbers of the character's sheet; for a theme,
// a draft the request completes. An answer the plan cannot complete is
// invalid and gets the repair turn, then the next model.
func (g *OpenAI) Generate(ctx context.Context, req dnd.TextRequest) (Output, error) {
	kind := req.Kind()
	plan, err := dnd.PlanFor(req, offline.NewSeed)
	if err != nil {
		return Output{}, fmt.Errorf("generate %s: %w", kind, err)
	}
	or := openai.Request{
		SchemaName: plan.SchemaName, Schema: plan.Schema, StartModel: req.ModelOptions().Name, Kind: kind,
		Validate: func(b []byte) error { _, err := plan.Complete(b); return err },
	}
	for _, m := range plan.Messages {
		or.Messages = append(or.Messages, openai.Message{Role: m.Role, Content: m.Content})
	}
	options(&or, req)
	res, err := g.client.Complete(ctx, or)
	out := Output{Model: res.Model, Provider: "openai", Usage: Usage(res.Usage), ProviderCalls: res.PaidCalls(), Seed: plan.Seed, Warnings: plan.Warnings}
	for _, c := range res.Calls {
		out.Calls = append(out.Calls, Call{Model: c.Model, Usage: Usage(c.Usage), Outcome: c.Outcome, Paid: c.Paid()})
	}
	if pe, ok := provider.As(err); ok && pe.Code == openai.CodeInvalidAnswer {
		return out, invalidAnswers(out.ProviderCalls, pe.Err)
	}
	if err != nil {
		return out, err
	}
	if out.Content, err = plan.Complete(res.Content); err != nil {
		return out, invalidAnswers(out.ProviderCalls, err)
	}
	return out, nil
}

// invalidAnswers is the failure of a job whose model answered, but never
// with content that passed validation. Those answers were paid for and the
// next run would pay as much again, so it is a final problem, not a
// provider failure the queue retries. cause is logged, never shown; the
// detail names the content error, which never quotes the content.
func invalidAnswers(paid int, cause error) *httpapi.Problem {
	detail := fmt.Sprintf("The model's answers did not pass validation (%d paid calls); the job is not retried.", paid)
	var ce *dnd.ContentError
	if errors.As(cause, &ce) {
		detail = fmt.Sprintf("The model's answers did not pass validation (%d paid calls; last: %s); the job is not retried.", paid, ce.Error())
	}
	p := httpapi.NewProblem(httpapi.CodeTextGenerationFailed, detail)
	p.Err = cause
	return p
}

// options sets the sampling options and token caps of or from the caller's
// model options and seed. Without a cap from the caller the answer gets its
// content type's (dnd.MaxTokensFor), and a cut-off answer its repair turn
// under twice that.
func options(or *openai.Request, req dnd.TextRequest) {
	model := req.ModelOptions()
	if model.Temperature != nil {
		t := float32(*model.Temperature)
		or.Temperature = &t
	}
	if model.MaxTokens != nil {
		// The caller's cap holds for every call, a cut-off answer's repair
		// turn included.
		or.MaxTokens = *model.MaxTokens
	} else {
		or.MaxTokens = dnd.MaxTokensFor(req)
		or.CutoffMaxTokens = min(2*or.MaxTokens, dnd.MaxTokensLimit)
	}
	if seed := req.SeedValue(); seed != nil {
		s := int(*seed)
		or.Seed = &s
	}
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

// OfflineModel is the model name offline results report. Its version
// changes whenever the offline engine writes different words for the same
// request and seed.
const OfflineModel = "offline-srd-v2"

// Provider implements Generator.
func (g *Offline) Provider() string { return "offline" }

// State implements Generator.
func (g *Offline) State() provider.State { return provider.StateOffline }

// Models implements Generator.
func (g *Offline) Models() []string { return g.models }

// Revision implements Generator: the offline engine's version.
func (g *Offline) Revision() string { return OfflineModel }

// Generate implements Generator.
func (g *Offline) Generate(ctx context.Context, req dnd.TextRequest) (Output, error) {
	o, err := g.g.Generate(ctx, req)
	if pe, ok := provider.As(err); ok && pe.Kind == provider.Canceled {
		return Output{}, err // stopped with its context: nothing failed
	}
	if err != nil {
		return Output{}, &provider.Error{Provider: "offline", Kind: provider.Transient, Message: "The offline generator failed.", Err: err}
	}
	seed := o.Seed
	return Output{Content: o.Content, Model: OfflineModel, Provider: "offline", Seed: &seed, Warnings: o.Warnings}, nil
}
