package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/imagefmt"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
)

// Limits of the request fields.
const (
	MaxPromptChars = 2000
	MinSide        = 256
	MaxSide        = 2048
	SideStep       = 64
	DefaultSide    = 512
	// MaxOutputSide is the largest side of any image the service returns.
	MaxOutputSide = 4096
	// DefaultStrength is how far a transform moves from its source.
	DefaultStrength = 0.8
	// DefaultUpscaleFactor is the upscale factor when none is given.
	DefaultUpscaleFactor = 2
	MaxUpscaleFactor     = 4
	maxSeed              = 1<<32 - 1
	maxHintChars         = 100
	maxNegativeChars     = 1000
)

// Enhancements an enhance request may list.
const (
	EnhanceUpscale           = "upscale"
	EnhanceFaceFix           = "face_fix"
	EnhanceStyleTransfer     = "style_transfer"
	EnhanceColorCorrection   = "color_correction"
	EnhanceDetailEnhancement = "detail_enhancement"
)

// Enhancements lists the known enhancements.
func Enhancements() []string {
	return []string{EnhanceUpscale, EnhanceFaceFix, EnhanceStyleTransfer, EnhanceColorCorrection, EnhanceDetailEnhancement}
}

// Theme is the genre, tone and style a request asks for.
type Theme struct {
	Genre string `json:"genre,omitempty"`
	Tone  string `json:"tone,omitempty"`
	Style string `json:"style,omitempty"`
}

// Size is an output size in pixels.
type Size struct {
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
}

// Parameters are the optional knobs of generate and transform.
type Parameters struct {
	StylePreset    string `json:"style_preset,omitempty"`
	Seed           *int64 `json:"seed,omitempty"`
	NegativePrompt string `json:"negative_prompt,omitempty"`
	// Character hints, used by character portraits.
	CharacterRace  string `json:"character_race,omitempty"`
	CharacterClass string `json:"character_class,omitempty"`
	Alignment      string `json:"alignment,omitempty"`
	// TokenFrame "round" draws a character portrait in a round token frame,
	// transparent outside it; empty leaves the figure unframed.
	TokenFrame string `json:"token_frame,omitempty"`
}

// GenerateRequest is the body of POST /api/v2/image/generate.
type GenerateRequest struct {
	Type   string `json:"type"`
	Prompt string `json:"prompt"`
	// Character is the character a portrait shows: a character sheet's
	// content or its identity, as the character route takes it.
	Character  json.RawMessage `json:"character,omitempty"`
	Size       *Size           `json:"size,omitempty"`
	Parameters Parameters      `json:"parameters"`
	Theme      Theme           `json:"theme"`
	Priority   string          `json:"priority,omitempty"`
}

// Valid implements httpapi.Validator.
func (r GenerateRequest) Valid(context.Context) map[string]string {
	errs := map[string]string{}
	r.check(errs)
	return errs
}

func (r GenerateRequest) check(errs map[string]string) {
	if r.Type == "" {
		errs["type"] = "is required"
	} else if !slices.Contains(imagegen.Types(), r.Type) {
		errs["type"] = "must be one of " + strings.Join(imagegen.Types(), ", ")
	}
	portrait := r.checkCharacter(errs)
	switch n := utf8.RuneCountInString(r.Prompt); {
	case strings.TrimSpace(r.Prompt) == "" && !portrait:
		errs["prompt"] = "is required, unless a character_portrait sends character"
	case n > MaxPromptChars:
		errs["prompt"] = fmt.Sprintf("must be at most %d characters, not %d", MaxPromptChars, n)
	}
	if r.Size != nil {
		checkSide(errs, "size.width", r.Size.Width)
		checkSide(errs, "size.height", r.Size.Height)
	}
	p := r.Parameters
	if p.Seed != nil && (*p.Seed < 0 || *p.Seed > maxSeed) {
		errs["parameters.seed"] = fmt.Sprintf("must be between 0 and %d", maxSeed)
	}
	checkLen(errs, "parameters.negative_prompt", p.NegativePrompt, maxNegativeChars)
	checkLen(errs, "parameters.style_preset", p.StylePreset, maxHintChars)
	checkLen(errs, "parameters.character_race", p.CharacterRace, maxHintChars)
	checkLen(errs, "parameters.character_class", p.CharacterClass, maxHintChars)
	checkLen(errs, "parameters.alignment", p.Alignment, maxHintChars)
	if p.TokenFrame != "" && p.TokenFrame != imagegen.TokenFrameRound {
		errs["parameters.token_frame"] = fmt.Sprintf("must be %q or left out, not %q", imagegen.TokenFrameRound, truncate(p.TokenFrame, 40))
	}
	r.Theme.check(errs)
}

// checkCharacter checks the character a portrait shows, and that the
// portrait hints agree with it. It reports whether the request is a
// portrait of a character.
func (r GenerateRequest) checkCharacter(errs map[string]string) bool {
	if len(r.Character) == 0 {
		return false
	}
	if r.Type != imagegen.TypeCharacterPortrait {
		errs["character"] = "is only for a character_portrait"
		return false
	}
	id, _, problems := dnd.CharacterObject(r.Character)
	for k, v := range problems {
		errs[k] = v
	}
	if len(problems) > 0 {
		return true
	}
	p := r.Parameters
	for _, h := range []struct{ param, field, value string }{
		{"character_race", "race", p.CharacterRace}, {"character_class", "class", p.CharacterClass}, {"alignment", "alignment", p.Alignment},
	} {
		if strings.TrimSpace(h.value) != "" && !id.SameCharacterWords(h.field, h.value) {
			errs["parameters."+h.param] = "contradicts character." + h.field + "; send one, or make them agree"
			errs["character."+h.field] = "contradicts parameters." + h.param + "; send one, or make them agree"
		}
	}
	return true
}

// sitter is the character a portrait shows, as the renderers take it.
type sitter struct {
	// describe tells an image model who the character is, what they wear
	// and carry, and how they look, in that order, so a long appearance
	// is what a length cap cuts.
	describe                         string
	race, class, alignment, pronouns string
	equipment                        []imagegen.Item // worn or in hand
}

// sitter reads the request's character: a sheet's equipped items, or for
// an identity those of the sheet every document about it gets.
func (r GenerateRequest) sitter() sitter {
	if len(r.Character) == 0 {
		return sitter{}
	}
	id, sheet, problems := dnd.CharacterObject(r.Character)
	if len(problems) > 0 {
		return sitter{}
	}
	s := sitter{race: raceWords(id), class: id.Class, alignment: id.Alignment, pronouns: id.Pronouns}
	looks := ""
	if sheet != nil {
		looks = strings.TrimSpace(sheet.Appearance)
		for _, it := range sheet.Equipment {
			if it.Equipped {
				s.equipment = append(s.equipment, imagegen.Item{Name: it.Name, Category: it.Category})
			}
		}
	} else if ch, err := dnd.ResolveCharacter(dnd.CharacterRequest{Type: dnd.TypeSheet, Character: r.Character}, 0); err == nil {
		for _, it := range ch.Sheet.Equipment {
			if it.Equipped {
				s.equipment = append(s.equipment, imagegen.Item{Name: it.Name, Category: it.Category})
			}
		}
	}
	s.describe = dnd.Portrait(id, nil) + gearWords(s.equipment)
	var gear []string
	for _, it := range s.equipment {
		gear = append(gear, it.Name)
	}
	// The looks' own lines about the gear would name it twice.
	if looks = dnd.LooksWithoutGear(looks, gear); looks != "" {
		s.describe += ". " + looks
	}
	return s
}

// raceWords names the character's people with its subrace: "Hill Dwarf",
// "Red Dragonborn".
func raceWords(id dnd.CharacterInfo) string {
	sub := strings.TrimSpace(id.Subrace)
	switch {
	case sub == "":
		return id.Race
	case strings.Contains(strings.ToLower(sub), strings.ToLower(id.Race)):
		return sub
	}
	return sub + " " + id.Race
}

// wornWord finds things worn rather than carried.
var wornWord = regexp.MustCompile(`\b(robes?|cloak|cape|mantle|boots|slippers|gloves|gauntlets|bracers|helm|hat|circlet|crown|ring|amulet|necklace|periapt|belt|goggles|armou?r)\b`)

// gearWords says what the character wears and carries: ", wearing chain
// mail, carrying a mace and a shield".
func gearWords(items []imagegen.Item) string {
	var worn, carried []string
	for _, it := range items {
		name := strings.ToLower(it.Name)
		if it.Category == "armor" || wornWord.MatchString(name) {
			worn = append(worn, name)
		} else {
			carried = append(carried, name)
		}
	}
	out := ""
	if len(worn) > 0 {
		out += ", wearing " + strings.Join(worn, " and ")
	}
	if len(carried) > 0 {
		out += ", carrying " + strings.Join(carried, ", ")
	}
	return out
}

// size returns the requested output size with defaults applied.
func (r GenerateRequest) size() (int, int) {
	w, h := DefaultSide, DefaultSide
	if r.Size != nil {
		if r.Size.Width != 0 {
			w = r.Size.Width
		}
		if r.Size.Height != 0 {
			h = r.Size.Height
		}
	}
	return w, h
}

// checkSide accepts 0 (the default) or MinSide..MaxSide in steps of SideStep.
func checkSide(errs map[string]string, field string, v int) {
	if v == 0 {
		return
	}
	if v < MinSide || v > MaxSide || v%SideStep != 0 {
		errs[field] = fmt.Sprintf("must be between %d and %d in multiples of %d, not %d", MinSide, MaxSide, SideStep, v)
	}
}

func checkLen(errs map[string]string, field, v string, limit int) {
	if n := utf8.RuneCountInString(v); n > limit {
		errs[field] = fmt.Sprintf("must be at most %d characters, not %d", limit, n)
	}
}

func (t Theme) check(errs map[string]string) {
	checkLen(errs, "theme.genre", t.Genre, maxHintChars)
	checkLen(errs, "theme.tone", t.Tone, maxHintChars)
	checkLen(errs, "theme.style", t.Style, maxHintChars)
}

// TransformRequest is the body of POST /api/v2/image/transform: the fields
// of a generate request plus the source image and the strength.
type TransformRequest struct {
	GenerateRequest
	SourceImage string   `json:"source_image"` // base64 PNG, JPEG or WebP
	Strength    *float64 `json:"strength,omitempty"`
}

// Valid implements httpapi.Validator.
func (r TransformRequest) Valid(context.Context) map[string]string {
	errs, _ := r.validate()
	return errs
}

// validate checks r and returns the decoded source image when it is valid.
func (r TransformRequest) validate() (map[string]string, source) {
	errs := map[string]string{}
	r.check(errs)
	if r.Strength != nil && (*r.Strength < 0 || *r.Strength > 1) {
		errs["strength"] = "must be between 0 and 1"
	}
	src := checkImage(errs, "source_image", r.SourceImage)
	return errs, src
}

func (r TransformRequest) strength() float64 {
	if r.Strength == nil {
		return DefaultStrength
	}
	return *r.Strength
}

// size returns the output size: the requested one, else the source's, fitted
// within MaxSide and rounded to multiples of SideStep.
func (r TransformRequest) size(src source) (int, int) {
	if r.Size != nil && r.Size.Width != 0 && r.Size.Height != 0 {
		return r.Size.Width, r.Size.Height
	}
	w, h := fitSide(src.info.Width, src.info.Height)
	if r.Size != nil && r.Size.Width != 0 {
		w = r.Size.Width
	}
	if r.Size != nil && r.Size.Height != 0 {
		h = r.Size.Height
	}
	return w, h
}

// fitSide scales w×h to fit within MaxSide and rounds each side to a
// multiple of SideStep within MinSide..MaxSide.
func fitSide(w, h int) (int, int) {
	scale := min(1, float64(MaxSide)/float64(max(w, h)))
	round := func(v int) int {
		s := int(float64(v)*scale/SideStep+0.5) * SideStep
		return min(max(s, MinSide), MaxSide)
	}
	return round(w), round(h)
}

// EnhanceParameters are the optional knobs of enhance.
type EnhanceParameters struct {
	UpscaleFactor *int `json:"upscale_factor,omitempty"` // 1–4, default 2
	// StylePreset names the look of style_transfer (noir, watercolor,
	// sepia, a genre or tone word, ...); the theme is used when empty.
	StylePreset string `json:"style_preset,omitempty"`
	// Strength blends style_transfer with the image (0–1, default 0.8).
	Strength *float64 `json:"strength,omitempty"`
}

// EnhanceRequest is the body of POST /api/v2/image/enhance.
type EnhanceRequest struct {
	Image        string            `json:"image"` // base64 PNG, JPEG or WebP
	Enhancements []string          `json:"enhancements"`
	Parameters   EnhanceParameters `json:"parameters"`
	Theme        Theme             `json:"theme"`
	Priority     string            `json:"priority,omitempty"`
}

// Valid implements httpapi.Validator.
func (r EnhanceRequest) Valid(context.Context) map[string]string {
	errs, _ := r.validate()
	return errs
}

func (r EnhanceRequest) validate() (map[string]string, source) {
	errs := map[string]string{}
	known := Enhancements()
	switch {
	case len(r.Enhancements) == 0:
		errs["enhancements"] = "must list at least one of " + strings.Join(known, ", ")
	case len(r.Enhancements) > len(known):
		errs["enhancements"] = fmt.Sprintf("must list at most %d enhancements", len(known))
	default:
		seen := map[string]bool{}
		for i, e := range r.Enhancements {
			field := fmt.Sprintf("enhancements[%d]", i)
			switch {
			case !slices.Contains(known, e):
				errs[field] = fmt.Sprintf("unknown enhancement %q; must be one of %s", truncate(e, 40), strings.Join(known, ", "))
			case seen[e]:
				errs[field] = fmt.Sprintf("%s is listed twice", e)
			}
			seen[e] = true
		}
	}
	p := r.Parameters
	if p.UpscaleFactor != nil && (*p.UpscaleFactor < 1 || *p.UpscaleFactor > MaxUpscaleFactor) {
		errs["parameters.upscale_factor"] = fmt.Sprintf("must be between 1 and %d", MaxUpscaleFactor)
	}
	if p.Strength != nil && (*p.Strength < 0 || *p.Strength > 1) {
		errs["parameters.strength"] = "must be between 0 and 1"
	}
	checkLen(errs, "parameters.style_preset", p.StylePreset, maxHintChars)
	r.Theme.check(errs)
	src := checkImage(errs, "image", r.Image)
	if src.data != nil && slices.Contains(r.Enhancements, EnhanceUpscale) && errs["parameters.upscale_factor"] == "" {
		f := r.factor()
		if w, h := src.info.Width*f, src.info.Height*f; w > MaxOutputSide || h > MaxOutputSide {
			errs["parameters.upscale_factor"] = fmt.Sprintf("upscaling the %dx%d image by %d would give %dx%d pixels; each side of the output must be at most %d",
				src.info.Width, src.info.Height, f, w, h, MaxOutputSide)
		}
	}
	return errs, src
}

func (r EnhanceRequest) factor() int {
	if r.Parameters.UpscaleFactor == nil {
		return DefaultUpscaleFactor
	}
	return *r.Parameters.UpscaleFactor
}

func (r EnhanceRequest) strength() float64 {
	if r.Parameters.Strength == nil {
		return DefaultStrength
	}
	return *r.Parameters.Strength
}

// source is a decoded, checked input image.
type source struct {
	data []byte
	info imagefmt.Info
}

func checkImage(errs map[string]string, field, b64 string) source {
	if strings.TrimSpace(b64) == "" {
		errs[field] = "is required"
		return source{}
	}
	data, info, err := imagefmt.Check(field, b64)
	if err != nil {
		msg := "is not a valid image"
		var e *imagefmt.Error
		if errors.As(err, &e) {
			msg = e.Reason
		}
		errs[field] = msg
		return source{}
	}
	return source{data: data, info: info}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
