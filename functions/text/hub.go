package text

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// HubBuilders maps the Message Hub's message types onto text jobs:
// generate_text (prompt, context, model) is free-form text; the content
// types take the REST request shapes as their payload. A builder called
// with submit.WithNoStore builds a job whose result is not cached.
func (s *Service) HubBuilders() map[string]submit.Builder {
	return map[string]submit.Builder{
		"generate_text":     s.buildFreeform,
		"character_content": s.build(dnd.KindCharacter),
		"campaign_content":  s.build(dnd.KindCampaign),
		"theme":             s.build(dnd.KindTheme),
	}
}

// build returns the builder of a payload that is a request of kind.
func (s *Service) build(kind string) submit.Builder {
	return func(ctx context.Context, payload json.RawMessage) (submit.Request, error) {
		req, err := dnd.DecodeTextRequest(kind, payload)
		if err != nil {
			return submit.Request{}, httpapi.Within("payload", err)
		}
		if errs := req.Valid(ctx); len(errs) > 0 {
			return submit.Request{}, httpapi.Invalid(prefixed(errs))
		}
		return s.prepare(req, submit.NoStoreIn(ctx))
	}
}

// buildFreeform accepts the first version's generate_text payload, whose
// model may be a bare name; a name outside the chain falls back to the
// chain's first model, as older callers named models we no longer run.
func (s *Service) buildFreeform(ctx context.Context, payload json.RawMessage) (submit.Request, error) {
	var raw struct {
		Prompt   string          `json:"prompt"`
		Context  json.RawMessage `json:"context"`
		Model    json.RawMessage `json:"model"`
		Seed     *int64          `json:"seed"`
		Priority string          `json:"priority"`
	}
	if err := httpapi.Unmarshal(payload, &raw); err != nil {
		return submit.Request{}, httpapi.Within("payload", err)
	}
	req := dnd.FreeformRequest{Prompt: raw.Prompt, Seed: raw.Seed, Priority: raw.Priority}
	// context may be text or any JSON value; a value is passed on as JSON.
	if len(raw.Context) > 0 && !bytes.Equal(raw.Context, []byte("null")) {
		var str string
		if json.Unmarshal(raw.Context, &str) == nil {
			req.Context = str
		} else {
			req.Context = string(raw.Context)
		}
	}
	if len(raw.Model) > 0 && !bytes.Equal(raw.Model, []byte("null")) {
		var name string
		if json.Unmarshal(raw.Model, &name) == nil {
			if slices.Contains(s.cfg.Generator.Models(), name) {
				req.Model.Name = name
			}
		} else if err := httpapi.Unmarshal(raw.Model, &req.Model); err != nil {
			return submit.Request{}, httpapi.Within("payload.model", err)
		}
	}
	if errs := req.Valid(ctx); len(errs) > 0 {
		return submit.Request{}, httpapi.Invalid(prefixed(errs))
	}
	return s.prepare(req, submit.NoStoreIn(ctx))
}

func prefixed(errs map[string]string) map[string]string {
	out := make(map[string]string, len(errs))
	for k, v := range errs {
		out["payload."+k] = v
	}
	return out
}
