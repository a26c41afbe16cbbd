package dnd

import (
	"encoding/json"
	"fmt"
)

// Plan is how to ask a model for the content of a request: the messages,
// the strict schema of the answer, and how a valid answer becomes the
// content.
type Plan struct {
	Messages   []Message
	SchemaName string
	Schema     json.RawMessage
	// Complete checks an answer and returns the content it makes. Its
	// error is a *ContentError naming what to repair.
	Complete func(answer []byte) (json.RawMessage, error)
	// Seed is the seed the content was worked out with, for a request that
	// needs one (a character's sheet), drawn when the request has none;
	// nil otherwise.
	Seed *int64
	// Warnings say what of the request is not taken as given.
	Warnings []string
}

// PlanFor plans the content of a normalised, valid request. newSeed draws
// a seed for a character request that has none: its sheet is worked out
// in code (ResolveCharacter) and the model writes only words.
func PlanFor(req TextRequest, newSeed func() int64) (*Plan, error) {
	kind, typ := req.Kind(), req.ContentType()
	if cr, ok := req.(CharacterRequest); ok {
		seed := newSeed()
		if cr.Seed != nil {
			seed = *cr.Seed
		}
		ch, err := ResolveCharacter(cr, seed)
		if err != nil {
			return nil, fmt.Errorf("plan %s: %w", kind, err)
		}
		return ch.Plan()
	}
	msgs, err := BuildMessages(kind, req)
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", kind, err)
	}
	name, schema, err := Schema(kind, typ)
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", kind, err)
	}
	p := &Plan{Messages: msgs, SchemaName: name, Schema: schema}
	if cr, ok := req.(CampaignRequest); ok && cr.Type == TypePlot {
		if w := cr.Brief().ActsWarning; w != "" {
			p.Warnings = []string{w} // as the offline generator warns
		}
	}
	if c, ok := req.(Completer); ok {
		p.Complete = c.Complete
	} else {
		p.Complete = func(b []byte) (json.RawMessage, error) {
			if err := ValidateContent(kind, typ, b); err != nil {
				return nil, err
			}
			return b, nil
		}
	}
	return p, nil
}

// Plan plans the words of the character's request.
func (c *Character) Plan() (*Plan, error) {
	msgs, err := c.Messages()
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", KindCharacter, err)
	}
	name, schema, err := c.DraftSchema()
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", KindCharacter, err)
	}
	seed := c.Seed
	return &Plan{Messages: msgs, SchemaName: name, Schema: schema, Complete: c.Complete, Seed: &seed, Warnings: c.Warnings}, nil
}
