package image

import (
	"context"
	"encoding/json"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// HubBuilders maps the Message Hub's message types onto image jobs:
// image.generate takes the body of POST /api/v2/image/generate;
// generate_image (prompt, style) makes an environment scene; portrait and
// map take the REST generate shape with the type set. The caller must be
// in the context (auth.WithClaims); with submit.WithNoStore, the job's
// result is not cached.
func (s *Service) HubBuilders() map[string]submit.Builder {
	return map[string]submit.Builder{
		KindGenerate:     s.buildREST,
		"generate_image": s.buildLegacy,
		"portrait":       s.buildTyped("character_portrait"),
		"map":            s.buildTyped("map_background"),
	}
}

// buildREST accepts the body of POST /api/v2/image/generate.
func (s *Service) buildREST(ctx context.Context, payload json.RawMessage) (submit.Request, error) {
	var req GenerateRequest
	if err := httpapi.Unmarshal(payload, &req); err != nil {
		return submit.Request{}, httpapi.Within("payload", err)
	}
	return s.buildGenerate(ctx, req)
}

// legacyPayload is the payload of the first version's generate_image
// message.
type legacyPayload struct {
	Prompt   string `json:"prompt"`
	Style    string `json:"style,omitempty"`
	Priority string `json:"priority,omitempty"`
}

// Doc implements apidoc.Described.
func (legacyPayload) Doc() apidoc.Type {
	return apidoc.Type{
		Name:     "HubGenerateImagePayload",
		About:    "Payload of the Message Hub's generate_image message: an environment scene.",
		Required: []string{"prompt"},
		Fields: map[string]*apidoc.Schema{
			"prompt":   apidoc.MaxLen(MaxPromptChars),
			"style":    apidoc.With(apidoc.MaxLen(maxHintChars), apidoc.Describe("The style preset.")),
			"priority": dnd.PriorityDoc(),
		},
	}
}

func (s *Service) buildLegacy(ctx context.Context, payload json.RawMessage) (submit.Request, error) {
	var raw legacyPayload
	if err := httpapi.Unmarshal(payload, &raw); err != nil {
		return submit.Request{}, httpapi.Within("payload", err)
	}
	req := GenerateRequest{Type: "environment_scene", Prompt: raw.Prompt, Priority: raw.Priority}
	req.Parameters.StylePreset = raw.Style
	return s.buildGenerate(ctx, req)
}

// typedPayload is the payload of the portrait and map messages: the body
// of POST /api/v2/image/generate without type, which the message type
// sets.
type typedPayload struct {
	Prompt     string     `json:"prompt"`
	Size       *Size      `json:"size,omitempty"`
	Parameters Parameters `json:"parameters"`
	Theme      Theme      `json:"theme"`
	Priority   string     `json:"priority,omitempty"`
}

// Doc implements apidoc.Described: the component is derived from the
// generate request (see the group's schemas).
func (typedPayload) Doc() apidoc.Type { return apidoc.Type{Name: "HubImagePayload"} }

func (s *Service) buildTyped(typ string) submit.Builder {
	return func(ctx context.Context, payload json.RawMessage) (submit.Request, error) {
		var p typedPayload
		if err := httpapi.Unmarshal(payload, &p); err != nil {
			return submit.Request{}, httpapi.Within("payload", err)
		}
		return s.buildGenerate(ctx, GenerateRequest{
			Type: typ, Prompt: p.Prompt, Size: p.Size, Parameters: p.Parameters, Theme: p.Theme, Priority: p.Priority,
		})
	}
}

func (s *Service) buildGenerate(ctx context.Context, req GenerateRequest) (submit.Request, error) {
	if errs := req.Valid(ctx); len(errs) > 0 {
		out := make(map[string]string, len(errs))
		for k, v := range errs {
			out["payload."+k] = v
		}
		return submit.Request{}, httpapi.Invalid(out)
	}
	c, _ := auth.FromContext(ctx)
	p := generatePayload(req)
	p.Width, p.Height = req.size()
	return s.request(c.Subject, KindGenerate, req.Priority, p, p.Seed != nil, submit.NoStoreIn(ctx))
}
