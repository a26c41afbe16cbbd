package dnd

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// Kinds of text work. Queue jobs, cache keys, schemas and prompts are keyed
// by kind and type.
const (
	KindCharacter = "text.character"
	KindCampaign  = "text.campaign"
	KindTheme     = "text.theme"
	KindFreeform  = "text.freeform"
)

// Content types. Character and campaign requests name one in their type
// field; theme and free-form requests have a single type each.
const (
	TypeSheet       = "sheet"
	TypeBackstory   = "backstory"
	TypePersonality = "personality"
	TypeCombat      = "combat"
	TypeEquipment   = "equipment"

	TypePlot     = "plot"
	TypeLocation = "location"
	TypeQuest    = "quest"
	TypeDialogue = "dialogue"
	TypeEvent    = "event"

	TypeTheme    = "theme"
	TypeFreeform = "freeform"
)

// Priorities a request may ask for; the empty priority means PriorityNormal.
const (
	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// Defaults and limits applied by Normalize and checked by Valid. A request
// without model.max_tokens keeps none: its answer gets MaxTokensFor its
// content type.
const (
	DefaultTemperature = 0.7
	DefaultStrength    = 0.8
	DefaultPriority    = PriorityNormal

	MaxTemperature = 1.0
	// MaxTokensLimit is the largest model.max_tokens: the cap MaxTokensFor
	// gives a theme of MaxContentLen ASCII characters, the largest default.
	MaxTokensLimit      = themeTokensBase + themeTokensPerInput*MaxContentLen/4
	MaxPromptLen        = 4000  // characters in a free prompt
	MaxContentLen       = 20000 // characters of text to re-theme
	MaxContextLen       = 8000  // characters of free-form context
	MaxFieldLen         = 100   // characters in a short field (class, genre, ...)
	MaxCampaignThemeLen = 200   // characters in parameters.campaign_theme
	MaxModelNameLen     = 100
	MaxLevel            = 20
	MaxPartySize        = 10
)

var (
	characterTypes = []string{TypeSheet, TypeBackstory, TypePersonality, TypeCombat, TypeEquipment}
	campaignTypes  = []string{TypePlot, TypeLocation, TypeQuest, TypeDialogue, TypeEvent}
	priorities     = []string{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}
)

// Types returns the content types a kind accepts, in documentation order, or
// nil for an unknown kind.
func Types(kind string) []string {
	switch kind {
	case KindCharacter:
		return slices.Clone(characterTypes)
	case KindCampaign:
		return slices.Clone(campaignTypes)
	case KindTheme:
		return []string{TypeTheme}
	case KindFreeform:
		return []string{TypeFreeform}
	}
	return nil
}

// Priorities returns the accepted priority names, lowest first.
func Priorities() []string { return slices.Clone(priorities) }

// Theme is the genre, tone and style a piece of content should have.
type Theme struct {
	Genre string `json:"genre,omitempty"`
	Tone  string `json:"tone,omitempty"`
	Style string `json:"style,omitempty"`
}

// IsZero reports whether no part of the theme is set.
func (t Theme) IsZero() bool { return t.Genre == "" && t.Tone == "" && t.Style == "" }

// ModelOptions are the caller's model preferences. Nil pointers mean "use
// the default" until Normalize fills them in.
type ModelOptions struct {
	Name        string   `json:"name,omitempty"`
	Temperature *float64 `json:"temperature,omitempty"`
	MaxTokens   *int     `json:"max_tokens,omitempty"`
}

// CharacterParams describe the character the content is about. Empty strings
// and a nil level mean "not specified": the generator chooses.
type CharacterParams struct {
	CharacterClass string `json:"character_class,omitempty"`
	CharacterRace  string `json:"character_race,omitempty"`
	CharacterLevel *int   `json:"character_level,omitempty"`
	Alignment      string `json:"alignment,omitempty"`
	Background     string `json:"background,omitempty"`
	Name           string `json:"name,omitempty"`
	// CharacterName is Name under the name the first version's callers may
	// send; Normalize folds it into Name.
	CharacterName string `json:"character_name,omitempty"`
	Pronouns      string `json:"pronouns,omitempty"`
	Subrace       string `json:"subrace,omitempty"`
	Subclass      string `json:"subclass,omitempty"`
}

// CharacterRequest is the body of POST /api/v2/text/character.
type CharacterRequest struct {
	Type       string          `json:"type"`
	Parameters CharacterParams `json:"parameters"`
	// Character is the character the content is about, as a sheet's
	// content returned earlier or just its identity (CharacterInfo's
	// fields); see ParseCharacter. Raw JSON, so either shape decodes.
	Character json.RawMessage `json:"character,omitempty"`
	Theme     Theme           `json:"theme"`
	Model     ModelOptions    `json:"model"`
	Prompt    string          `json:"prompt,omitempty"`
	Seed      *int64          `json:"seed,omitempty"`
	Priority  string          `json:"priority,omitempty"`
}

// CampaignParams describe the campaign and the party. Empty strings and nil
// numbers mean "not specified".
type CampaignParams struct {
	CampaignTheme string `json:"campaign_theme,omitempty"`
	PartyLevel    *int   `json:"party_level,omitempty"`
	PartySize     *int   `json:"party_size,omitempty"`
	Duration      string `json:"duration,omitempty"`
}

// CampaignRequest is the body of POST /api/v2/text/campaign. Campaign,
// for a location, quest, event or dialogue, is the earlier plot whose
// world the content stays in.
type CampaignRequest struct {
	Type       string         `json:"type"`
	Parameters CampaignParams `json:"parameters"`
	Campaign   *CampaignLink  `json:"campaign,omitempty"`
	Theme      Theme          `json:"theme"`
	Model      ModelOptions   `json:"model"`
	Prompt     string         `json:"prompt,omitempty"`
	Seed       *int64         `json:"seed,omitempty"`
	Priority   string         `json:"priority,omitempty"`
}

// ThemeParams tune a restyle. Strength is the share of the text that may
// change (0–1, default 0.8); PreserveKeyElements keeps names, places and
// numbers as written (default true).
type ThemeParams struct {
	Strength            *float64 `json:"strength,omitempty"`
	PreserveKeyElements *bool    `json:"preserve_key_elements,omitempty"`
}

// ThemeRequest is the body of POST /api/v2/text/theme.
type ThemeRequest struct {
	Content    string       `json:"content"`
	Theme      Theme        `json:"theme"`
	Parameters ThemeParams  `json:"parameters"`
	Model      ModelOptions `json:"model"`
	Prompt     string       `json:"prompt,omitempty"`
	Seed       *int64       `json:"seed,omitempty"`
	Priority   string       `json:"priority,omitempty"`
}

// FreeformRequest is the Message Hub's generate_text payload: a prompt plus
// optional context, answered with {"text": "..."}.
type FreeformRequest struct {
	Prompt   string       `json:"prompt"`
	Context  string       `json:"context,omitempty"`
	Model    ModelOptions `json:"model"`
	Seed     *int64       `json:"seed,omitempty"`
	Priority string       `json:"priority,omitempty"`
}

// Valid returns field path → message for every problem, or nil: besides
// the shape of each field, an alignment outside the accepted spellings, a
// subclass of another class, a subrace of another race, two different
// names, and a character object that contradicts the parameters.
func (r CharacterRequest) Valid(ctx context.Context) map[string]string {
	v := validator{}
	v.oneOf("type", r.Type, characterTypes, true)
	p := r.Parameters
	for _, f := range []struct{ field, value string }{
		{"parameters.character_class", p.CharacterClass}, {"parameters.character_race", p.CharacterRace},
		{"parameters.alignment", p.Alignment}, {"parameters.background", p.Background},
		{"parameters.name", p.Name}, {"parameters.character_name", p.CharacterName},
		{"parameters.pronouns", p.Pronouns}, {"parameters.subrace", p.Subrace}, {"parameters.subclass", p.Subclass},
	} {
		v.line(f.field, f.value, MaxFieldLen)
	}
	v.optionalRange("parameters.character_level", p.CharacterLevel, 1, MaxLevel)
	if a, b := collapse(p.Name), collapse(p.CharacterName); a != "" && b != "" && a != b {
		v.add("parameters.name", "differs from parameters.character_name; send one name")
		v.add("parameters.character_name", "differs from parameters.name; send one name")
	}
	if len(v) == 0 {
		v.character(r)
	}
	v.theme("theme", r.Theme)
	v.model("model", r.Model)
	v.text("prompt", r.Prompt, MaxPromptLen, false)
	v.oneOf("priority", r.Priority, priorities, false)
	return v.result()
}

// Valid returns field path → message for every problem, or nil.
func (r CampaignRequest) Valid(ctx context.Context) map[string]string {
	v := validator{}
	v.oneOf("type", r.Type, campaignTypes, true)
	v.line("parameters.campaign_theme", r.Parameters.CampaignTheme, MaxCampaignThemeLen)
	v.optionalRange("parameters.party_level", r.Parameters.PartyLevel, 1, MaxLevel)
	v.optionalRange("parameters.party_size", r.Parameters.PartySize, 1, MaxPartySize)
	v.line("parameters.duration", r.Parameters.Duration, MaxFieldLen)
	v.campaignLink(r.Campaign, r.Type, r.Parameters)
	v.theme("theme", r.Theme)
	v.model("model", r.Model)
	v.text("prompt", r.Prompt, MaxPromptLen, false)
	v.oneOf("priority", r.Priority, priorities, false)
	return v.result()
}

// Valid returns field path → message for every problem, or nil.
func (r ThemeRequest) Valid(ctx context.Context) map[string]string {
	v := validator{}
	v.text("content", r.Content, MaxContentLen, true)
	v.theme("theme", r.Theme)
	if strings.TrimSpace(r.Theme.Genre) == "" && strings.TrimSpace(r.Theme.Tone) == "" {
		v.add("theme", "must name a genre or a tone")
	}
	if s := r.Parameters.Strength; s != nil && !(*s >= 0 && *s <= 1) {
		v.add("parameters.strength", "must be between 0 and 1")
	}
	v.model("model", r.Model)
	v.text("prompt", r.Prompt, MaxPromptLen, false)
	v.oneOf("priority", r.Priority, priorities, false)
	return v.result()
}

// Valid returns field path → message for every problem, or nil.
func (r FreeformRequest) Valid(ctx context.Context) map[string]string {
	v := validator{}
	v.text("prompt", r.Prompt, MaxPromptLen, true)
	v.text("context", r.Context, MaxContextLen, false)
	v.model("model", r.Model)
	v.oneOf("priority", r.Priority, priorities, false)
	return v.result()
}

// Normalize trims and canonicalises the request and fills in defaults, so
// equal requests compare (and cache) equal: character_name folds into name
// (unless they differ, which Valid reports), the alignment takes its
// canonical spelling, and the character object is compacted. It is
// idempotent.
func (r *CharacterRequest) Normalize() {
	r.Type = lowerWord(r.Type)
	p := &r.Parameters
	for _, f := range []*string{&p.CharacterClass, &p.CharacterRace, &p.Background, &p.Name, &p.CharacterName, &p.Pronouns, &p.Subrace, &p.Subclass} {
		*f = collapse(*f)
	}
	if p.CharacterName != "" && (p.Name == "" || p.Name == p.CharacterName) {
		p.Name, p.CharacterName = p.CharacterName, ""
	}
	p.Pronouns = strings.ToLower(p.Pronouns)
	p.Alignment = CanonicalAlignment(p.Alignment)
	r.Character = normalizeCharacter(r.Character)
	r.Theme.normalize()
	r.Model.normalize()
	r.Prompt = normalizeText(r.Prompt)
	r.Priority = normalizePriority(r.Priority)
}

// Normalize trims and canonicalises the request and fills in defaults.
func (r *CampaignRequest) Normalize() {
	r.Type = lowerWord(r.Type)
	r.Parameters.CampaignTheme = collapse(r.Parameters.CampaignTheme)
	r.Parameters.Duration = collapse(r.Parameters.Duration)
	if r.Campaign != nil {
		l := *r.Campaign // a copy: the caller's request stays as it is
		l.normalize(&r.Parameters)
		r.Campaign = &l
	}
	r.Theme.normalize()
	r.Model.normalize()
	r.Prompt = normalizeText(r.Prompt)
	r.Priority = normalizePriority(r.Priority)
}

// Normalize trims and canonicalises the request and fills in defaults
// (strength 0.8, preserve_key_elements true).
func (r *ThemeRequest) Normalize() {
	r.Content = normalizeText(r.Content)
	r.Theme.normalize()
	if r.Parameters.Strength == nil {
		s := DefaultStrength
		r.Parameters.Strength = &s
	}
	if r.Parameters.PreserveKeyElements == nil {
		b := true
		r.Parameters.PreserveKeyElements = &b
	}
	r.Model.normalize()
	r.Prompt = normalizeText(r.Prompt)
	r.Priority = normalizePriority(r.Priority)
}

// Normalize trims the request and fills in defaults.
func (r *FreeformRequest) Normalize() {
	r.Prompt = normalizeText(r.Prompt)
	r.Context = normalizeText(r.Context)
	r.Model.normalize()
	r.Priority = normalizePriority(r.Priority)
}

func (t *Theme) normalize() {
	t.Genre = strings.ToLower(collapse(t.Genre))
	t.Tone = strings.ToLower(collapse(t.Tone))
	t.Style = collapse(t.Style)
}

func (m *ModelOptions) normalize() {
	m.Name = strings.TrimSpace(m.Name)
	if m.Temperature == nil {
		t := DefaultTemperature
		m.Temperature = &t
	}
}

// Alignments returns the nine alignments in grid order.
func Alignments() []string { return rules.Alignments() }

// CanonicalAlignment maps spellings such as "LG", "Lawful-Good" or "true
// neutral" to the lower-case alignment name (rules.CanonicalAlignment).
// Text it does not recognise is returned trimmed but otherwise unchanged,
// for Valid to report.
func CanonicalAlignment(s string) string {
	s = collapse(s)
	if a, err := rules.CanonicalAlignment(s); err == nil {
		return a
	}
	return s
}

// validator collects field problems; the first message per field wins.
type validator map[string]string

func (v validator) add(field, msg string) {
	if _, ok := v[field]; !ok {
		v[field] = msg
	}
}

func (v validator) result() map[string]string {
	if len(v) == 0 {
		return nil
	}
	return v
}

// oneOf checks a value of an enumeration, spelt exactly as documented.
func (v validator) oneOf(field, value string, allowed []string, required bool) {
	w := value
	switch {
	case w == "" && required:
		v.add(field, "is required; must be one of: "+strings.Join(allowed, ", "))
	case w != "" && !slices.Contains(allowed, w):
		v.add(field, "must be one of: "+strings.Join(allowed, ", "))
	}
}

// line checks a short single-line field.
func (v validator) line(field, value string, maxLen int) {
	switch {
	case !utf8.ValidString(value):
		v.add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(value) > maxLen:
		v.add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	case strings.IndexFunc(value, func(r rune) bool {
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}) >= 0:
		v.add(field, "must be a single line of printable text")
	}
}

// text checks a multi-line field: newlines and tabs are allowed.
func (v validator) text(field, value string, maxLen int, required bool) {
	switch {
	case !utf8.ValidString(value):
		v.add(field, "must be valid UTF-8 text")
	case required && strings.TrimSpace(value) == "":
		v.add(field, "is required")
	case utf8.RuneCountInString(value) > maxLen:
		v.add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	case strings.IndexFunc(value, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
	}) >= 0:
		v.add(field, "must not contain control characters")
	}
}

// optionalRange checks a number that may be left out; when sent, even as
// 0, it must be within lo..hi.
func (v validator) optionalRange(field string, n *int, lo, hi int) {
	if n != nil && (*n < lo || *n > hi) {
		v.add(field, fmt.Sprintf("must be between %d and %d", lo, hi))
	}
}

func (v validator) theme(prefix string, t Theme) {
	v.line(prefix+".genre", t.Genre, MaxFieldLen)
	v.line(prefix+".tone", t.Tone, MaxFieldLen)
	v.line(prefix+".style", t.Style, MaxFieldLen)
}

func (v validator) model(prefix string, m ModelOptions) {
	switch {
	case utf8.RuneCountInString(m.Name) > MaxModelNameLen:
		v.add(prefix+".name", fmt.Sprintf("must be at most %d characters", MaxModelNameLen))
	case strings.IndexFunc(strings.TrimSpace(m.Name), func(r rune) bool {
		return !(r < utf8.RuneSelf && (r == '-' || r == '.' || r == '_' || r == ':' || r == '/' ||
			unicode.IsLetter(r) || unicode.IsDigit(r)))
	}) >= 0:
		v.add(prefix+".name", "may hold only letters, digits and - . _ : /")
	}
	if t := m.Temperature; t != nil && (math.IsNaN(*t) || *t < 0 || *t > MaxTemperature) {
		v.add(prefix+".temperature", "must be between 0 and 1")
	}
	if n := m.MaxTokens; n != nil && (*n < 1 || *n > MaxTokensLimit) {
		v.add(prefix+".max_tokens", fmt.Sprintf("must be between 1 and %d", MaxTokensLimit))
	}
}

// Int returns a pointer to n, for the optional numbers of requests.
func Int(n int) *int { return &n }

// Value returns *n, or 0 for nil.
func Value(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

func lowerWord(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// collapse trims s and folds runs of white space to one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

var newlines = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n")

// normalizeText trims s and turns CR LF, lone CR and the Unicode line and
// paragraph separators into LF.
func normalizeText(s string) string { return strings.TrimSpace(newlines.Replace(s)) }

func normalizePriority(p string) string {
	p = lowerWord(p)
	if p == "" {
		return DefaultPriority
	}
	return p
}
