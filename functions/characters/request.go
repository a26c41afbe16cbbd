package characters

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/functions/image"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
)

// Steps: the documents a whole character is made of, in the order its
// result lists them. The sheet comes first; the others are written from
// it.
const (
	StepSheet       = dnd.TypeSheet
	StepBackstory   = dnd.TypeBackstory
	StepPersonality = dnd.TypePersonality
	StepCombat      = dnd.TypeCombat
	StepEquipment   = dnd.TypeEquipment
	StepPortrait    = "portrait"
)

// Steps lists every step, in order.
func Steps() []string {
	return []string{StepSheet, StepBackstory, StepPersonality, StepCombat, StepEquipment, StepPortrait}
}

// DefaultInclude is what a request without include makes.
func DefaultInclude() []string {
	return []string{StepSheet, StepBackstory, StepPersonality, StepPortrait}
}

// Request is the body of POST /api/v2/characters: the fields of a
// character request but type, plus what to make.
type Request struct {
	Parameters dnd.CharacterParams `json:"parameters"`
	// Character is the character to make the documents of: a sheet's
	// content or its identity, as the character route takes it.
	Character json.RawMessage  `json:"character,omitempty"`
	Theme     dnd.Theme        `json:"theme"`
	Model     dnd.ModelOptions `json:"model"`
	Prompt    string           `json:"prompt,omitempty"`
	Seed      *int64           `json:"seed,omitempty"`
	Priority  string           `json:"priority,omitempty"`
	// Include lists the steps to make; default DefaultInclude. It must
	// list the sheet, which every other step is written from.
	Include []string `json:"include,omitempty"`
}

// sheetRequest is the character request of the sheet step.
func (r Request) sheetRequest() dnd.CharacterRequest {
	return dnd.CharacterRequest{
		Type: dnd.TypeSheet, Parameters: r.Parameters, Character: r.Character, Theme: r.Theme,
		Model: r.Model, Prompt: r.Prompt, Seed: r.Seed, Priority: r.Priority,
	}
}

// Valid implements httpapi.Validator: the fields of a character request,
// and include.
func (r Request) Valid(ctx context.Context) map[string]string {
	errs := r.sheetRequest().Valid(ctx)
	if errs == nil {
		errs = map[string]string{}
	}
	delete(errs, "type")
	if r.Include == nil {
		return errs
	}
	seen := map[string]bool{}
	for i, name := range r.Include {
		field := fmt.Sprintf("include[%d]", i)
		switch {
		case !slices.Contains(Steps(), name):
			errs[field] = fmt.Sprintf("must be one of %s, not %q", strings.Join(Steps(), ", "), truncate(name, 40))
		case seen[name]:
			errs[field] = name + " is listed twice"
		}
		seen[name] = true
	}
	if !seen[StepSheet] {
		errs["include"] = "must list sheet: the other documents are written from it"
	}
	return errs
}

// normalized returns the request normalised as the character route
// normalises it, with include filled in and in step order.
func (r Request) normalized() Request {
	c := r.sheetRequest()
	c.Normalize()
	out := Request{
		Parameters: c.Parameters, Character: c.Character, Theme: c.Theme, Model: c.Model,
		Prompt: c.Prompt, Seed: c.Seed, Priority: c.Priority,
	}
	include := r.Include
	if include == nil {
		include = DefaultInclude()
	}
	for _, name := range Steps() {
		if slices.Contains(include, name) {
			out.Include = append(out.Include, name)
		}
	}
	return out
}

// stepRequest is the body of the request of step name, written from the
// sheet's content: a character request whose character is the sheet, or
// a portrait drawn from it (race, class, alignment, pronouns and gear).
func (r Request) stepRequest(name string, sheet json.RawMessage) ([]byte, error) {
	if name == StepPortrait {
		g := image.GenerateRequest{
			Type: imagegen.TypeCharacterPortrait, Character: sheet, Priority: r.Priority,
			Theme: image.Theme{Genre: r.Theme.Genre, Tone: r.Theme.Tone, Style: r.Theme.Style},
		}
		if r.Seed != nil {
			// Image seeds are 32-bit: the seed's low 32 bits.
			seed := int64(uint32(*r.Seed))
			g.Parameters.Seed = &seed
		}
		return json.Marshal(g)
	}
	c := dnd.CharacterRequest{Type: name, Character: sheet, Theme: r.Theme, Model: r.Model, Prompt: r.Prompt, Seed: r.Seed, Priority: r.Priority}
	if name == StepSheet {
		c = r.sheetRequest()
	}
	return json.Marshal(c)
}

// charges are the text and image requests the request makes.
func (r Request) charges() (text, images int) {
	for _, name := range r.Include {
		if name == StepPortrait {
			images++
		} else {
			text++
		}
	}
	return text, images
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
