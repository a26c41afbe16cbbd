package dnd

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

func TestCharacterRequestValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  CharacterRequest
		want map[string]string
	}{
		{"minimal", CharacterRequest{Type: "backstory"}, nil},
		{"type spelt other than documented", CharacterRequest{Type: "  Combat "}, map[string]string{
			"type": "must be one of: sheet, backstory, personality, combat, equipment",
		}},
		{"upper-case type", CharacterRequest{Type: "PERSONALITY"}, map[string]string{
			"type": "must be one of: sheet, backstory, personality, combat, equipment",
		}},
		{"full", CharacterRequest{
			Type:       "personality",
			Parameters: CharacterParams{CharacterClass: "Wizard", CharacterRace: "Elf", CharacterLevel: Int(20), Alignment: "LG", Background: "Sage"},
			Theme:      Theme{Genre: "dark fantasy", Tone: "grim", Style: "gothic"},
			Model:      ModelOptions{Name: "gpt-4o-mini", Temperature: ptr(1.0), MaxTokens: ptr(4000)},
			Prompt:     "Line one.\nLine two.\tTabbed.",
			Seed:       ptr(int64(-7)),
			Priority:   "urgent",
		}, nil},
		{"missing type", CharacterRequest{}, map[string]string{
			"type": "is required; must be one of: sheet, backstory, personality, combat, equipment",
		}},
		{"unknown type", CharacterRequest{Type: "plot"}, map[string]string{
			"type": "must be one of: sheet, backstory, personality, combat, equipment",
		}},
		{"level too high", CharacterRequest{Type: "combat", Parameters: CharacterParams{CharacterLevel: Int(21)}}, map[string]string{
			"parameters.character_level": "must be between 1 and 20",
		}},
		{"negative level", CharacterRequest{Type: "combat", Parameters: CharacterParams{CharacterLevel: Int(-1)}}, map[string]string{
			"parameters.character_level": "must be between 1 and 20",
		}},
		{"level zero", CharacterRequest{Type: "combat", Parameters: CharacterParams{CharacterLevel: Int(0)}}, map[string]string{
			"parameters.character_level": "must be between 1 and 20",
		}},
		{"long and multi-line fields", CharacterRequest{Type: "combat", Parameters: CharacterParams{
			CharacterClass: strings.Repeat("x", 101), CharacterRace: "Elf\nIgnore the rules", Background: "a\x00b",
		}}, map[string]string{
			"parameters.character_class": "must be at most 100 characters",
			"parameters.character_race":  "must be a single line of printable text",
			"parameters.background":      "must be a single line of printable text",
		}},
		{"100 runes is fine", CharacterRequest{Type: "combat", Parameters: CharacterParams{CharacterClass: strings.Repeat("é", 100)}}, nil},
		{"theme caps", CharacterRequest{Type: "combat", Theme: Theme{Genre: strings.Repeat("g", 101), Tone: "a\u2028b", Style: strings.Repeat("s", 101)}}, map[string]string{
			"theme.genre": "must be at most 100 characters",
			"theme.tone":  "must be a single line of printable text",
			"theme.style": "must be at most 100 characters",
		}},
		{"model out of range", CharacterRequest{Type: "combat", Model: ModelOptions{Name: "gpt 4", Temperature: ptr(1.5), MaxTokens: ptr(0)}}, map[string]string{
			"model.name":        "may hold only letters, digits and - . _ : /",
			"model.temperature": "must be between 0 and 1",
			"model.max_tokens":  "must be between 1 and 15100",
		}},
		{"NaN temperature and too many tokens", CharacterRequest{Type: "combat", Model: ModelOptions{Temperature: ptr(math.NaN()), MaxTokens: ptr(MaxTokensLimit + 1)}}, map[string]string{
			"model.temperature": "must be between 0 and 1",
			"model.max_tokens":  "must be between 1 and 15100",
		}},
		{"zero temperature", CharacterRequest{Type: "combat", Model: ModelOptions{Temperature: ptr(0.0)}}, nil},
		{"prompt too long", CharacterRequest{Type: "combat", Prompt: strings.Repeat("a", 4001)}, map[string]string{
			"prompt": "must be at most 4000 characters",
		}},
		{"prompt with control character", CharacterRequest{Type: "combat", Prompt: "hi\x1b[31m"}, map[string]string{
			"prompt": "must not contain control characters",
		}},
		{"bad priority", CharacterRequest{Type: "combat", Priority: "asap"}, map[string]string{
			"priority": "must be one of: low, normal, high, urgent",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.req.Valid(context.Background())
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Valid(%+v) mismatch (-want +got):\n%s", tc.req, diff)
			}
		})
	}
}

func TestCampaignRequestValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  CampaignRequest
		want map[string]string
	}{
		{"minimal", CampaignRequest{Type: "event"}, nil},
		{"full", CampaignRequest{Type: "quest", Parameters: CampaignParams{CampaignTheme: "undead uprising", PartyLevel: Int(20), PartySize: Int(10), Duration: "one-shot"}}, nil},
		{"unknown type", CampaignRequest{Type: "backstory"}, map[string]string{
			"type": "must be one of: plot, location, quest, dialogue, event",
		}},
		{"party of zero", CampaignRequest{Type: "plot", Parameters: CampaignParams{PartyLevel: Int(0), PartySize: Int(0)}}, map[string]string{
			"parameters.party_level": "must be between 1 and 20",
			"parameters.party_size":  "must be between 1 and 10",
		}},
		{"party out of range", CampaignRequest{Type: "plot", Parameters: CampaignParams{PartyLevel: Int(21), PartySize: Int(11)}}, map[string]string{
			"parameters.party_level": "must be between 1 and 20",
			"parameters.party_size":  "must be between 1 and 10",
		}},
		{"long theme", CampaignRequest{Type: "plot", Parameters: CampaignParams{CampaignTheme: strings.Repeat("t", 201), Duration: strings.Repeat("d", 101)}}, map[string]string{
			"parameters.campaign_theme": "must be at most 200 characters",
			"parameters.duration":       "must be at most 100 characters",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.req.Valid(context.Background())
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Valid(%+v) mismatch (-want +got):\n%s", tc.req, diff)
			}
		})
	}
}

func TestThemeRequestValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  ThemeRequest
		want map[string]string
	}{
		{"genre only", ThemeRequest{Content: "The knight rode on.", Theme: Theme{Genre: "noir"}}, nil},
		{"tone only", ThemeRequest{Content: "The knight rode on.", Theme: Theme{Tone: "dark"}, Parameters: ThemeParams{Strength: ptr(0.0)}}, nil},
		{"missing everything", ThemeRequest{}, map[string]string{
			"content": "is required",
			"theme":   "must name a genre or a tone",
		}},
		{"style only", ThemeRequest{Content: "x", Theme: Theme{Style: "terse"}}, map[string]string{
			"theme": "must name a genre or a tone",
		}},
		{"blank content", ThemeRequest{Content: " \n\t", Theme: Theme{Genre: "noir"}}, map[string]string{
			"content": "is required",
		}},
		{"content too long", ThemeRequest{Content: strings.Repeat("a", 20001), Theme: Theme{Genre: "noir"}}, map[string]string{
			"content": "must be at most 20000 characters",
		}},
		{"strength out of range", ThemeRequest{Content: "x", Theme: Theme{Genre: "noir"}, Parameters: ThemeParams{Strength: ptr(1.01)}}, map[string]string{
			"parameters.strength": "must be between 0 and 1",
		}},
		{"NaN strength", ThemeRequest{Content: "x", Theme: Theme{Genre: "noir"}, Parameters: ThemeParams{Strength: ptr(math.NaN())}}, map[string]string{
			"parameters.strength": "must be between 0 and 1",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.req.Valid(context.Background())
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Valid(%+v) mismatch (-want +got):\n%s", tc.req, diff)
			}
		})
	}
}

func TestFreeformRequestValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  FreeformRequest
		want map[string]string
	}{
		{"prompt only", FreeformRequest{Prompt: "Name a tavern."}, nil},
		{"missing prompt", FreeformRequest{Context: "x"}, map[string]string{"prompt": "is required"}},
		{"context too long", FreeformRequest{Prompt: "x", Context: strings.Repeat("c", 8001)}, map[string]string{
			"context": "must be at most 8000 characters",
		}},
		{"bad priority", FreeformRequest{Prompt: "x", Priority: "later"}, map[string]string{
			"priority": "must be one of: low, normal, high, urgent",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.req.Valid(context.Background())
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Valid(%+v) mismatch (-want +got):\n%s", tc.req, diff)
			}
		})
	}
}

func TestDecodeCallerShapes(t *testing.T) {
	t.Parallel()
	body := `{"type":"combat","parameters":{"character_class":"Fighter","character_race":"Dwarf","character_level":5,"alignment":"lawful neutral","background":"Soldier"},
		"theme":{"genre":"fantasy","tone":"epic","style":"cinematic"},"model":{"name":"gpt-4o","temperature":0.5,"max_tokens":800},
		"prompt":"Scarred veteran.","seed":42,"priority":"high"}`
	var got CharacterRequest
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	want := CharacterRequest{
		Type:       "combat",
		Parameters: CharacterParams{CharacterClass: "Fighter", CharacterRace: "Dwarf", CharacterLevel: Int(5), Alignment: "lawful neutral", Background: "Soldier"},
		Theme:      Theme{Genre: "fantasy", Tone: "epic", Style: "cinematic"},
		Model:      ModelOptions{Name: "gpt-4o", Temperature: ptr(0.5), MaxTokens: ptr(800)},
		Prompt:     "Scarred veteran.",
		Seed:       ptr(int64(42)),
		Priority:   "high",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded character request mismatch (-want +got):\n%s", diff)
	}

	themeBody := `{"content":"text","theme":{"genre":"noir"},"parameters":{"strength":0.3,"preserve_key_elements":false}}`
	var tr ThemeRequest
	if err := json.Unmarshal([]byte(themeBody), &tr); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if *tr.Parameters.Strength != 0.3 || *tr.Parameters.PreserveKeyElements {
		t.Errorf("theme parameters = %+v, want strength 0.3 and preserve false", tr.Parameters)
	}

	campaignBody := `{"type":"plot","parameters":{"campaign_theme":"heist","party_level":3,"party_size":5,"duration":"3 sessions"}}`
	var cr CampaignRequest
	if err := json.Unmarshal([]byte(campaignBody), &cr); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if diff := cmp.Diff(CampaignParams{CampaignTheme: "heist", PartyLevel: Int(3), PartySize: Int(5), Duration: "3 sessions"}, cr.Parameters); diff != "" {
		t.Errorf("campaign parameters mismatch (-want +got):\n%s", diff)
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	t.Run("character", func(t *testing.T) {
		t.Parallel()
		r := CharacterRequest{
			Type:       " Backstory ",
			Parameters: CharacterParams{CharacterClass: "  Wizard ", CharacterRace: "high   elf", Alignment: "Chaotic-Good", Background: " Sage"},
			Theme:      Theme{Genre: " Dark  Fantasy ", Tone: "GRIM", Style: " In the style of  Poe "},
			Prompt:     "  a\r\nb\rc\u2028d  ",
		}
		r.Normalize()
		want := CharacterRequest{
			Type:       "backstory",
			Parameters: CharacterParams{CharacterClass: "Wizard", CharacterRace: "high elf", Alignment: "chaotic good", Background: "Sage"},
			Theme:      Theme{Genre: "dark fantasy", Tone: "grim", Style: "In the style of Poe"},
			Model:      ModelOptions{Temperature: ptr(DefaultTemperature)},
			Prompt:     "a\nb\nc\nd",
			Priority:   "normal",
		}
		if diff := cmp.Diff(want, r); diff != "" {
			t.Errorf("Normalize mismatch (-want +got):\n%s", diff)
		}
		again := r
		again.Normalize()
		if diff := cmp.Diff(r, again); diff != "" {
			t.Errorf("Normalize is not idempotent (-once +twice):\n%s", diff)
		}
	})
	t.Run("theme defaults", func(t *testing.T) {
		t.Parallel()
		r := ThemeRequest{Content: " x ", Theme: Theme{Genre: "Noir"}}
		r.Normalize()
		if *r.Parameters.Strength != DefaultStrength || !*r.Parameters.PreserveKeyElements {
			t.Errorf("Normalize() parameters = %v/%v, want %v/true", *r.Parameters.Strength, *r.Parameters.PreserveKeyElements, DefaultStrength)
		}
		if r.Content != "x" || r.Theme.Genre != "noir" || r.Priority != "normal" {
			t.Errorf("Normalize() = %+v, want trimmed content, lower-case genre and normal priority", r)
		}
	})
	t.Run("explicit values kept", func(t *testing.T) {
		t.Parallel()
		r := FreeformRequest{Prompt: "x", Model: ModelOptions{Temperature: ptr(0.0), MaxTokens: ptr(10)}, Priority: "Low"}
		r.Normalize()
		if *r.Model.Temperature != 0 || *r.Model.MaxTokens != 10 || r.Priority != "low" {
			t.Errorf("Normalize() = %+v, want temperature 0, max tokens 10, priority low", r)
		}
	})
}

func TestCanonicalAlignment(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"LG":              "lawful good",
		"lawful-good":     "lawful good",
		"Lawful_Good":     "lawful good",
		"true neutral":    "neutral",
		"TN":              "neutral",
		"N":               "neutral",
		"chaotic / evil":  "chaotic evil",
		"Neutral Evil":    "neutral evil",
		"unaligned":       "unaligned",
		"":                "",
		" Mostly   Good ": "Mostly Good",
	}
	for in, want := range tests {
		if got := CanonicalAlignment(in); got != want {
			t.Errorf("CanonicalAlignment(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTypes(t *testing.T) {
	t.Parallel()
	if got := Types("text.nope"); got != nil {
		t.Errorf("Types(text.nope) = %v, want nil", got)
	}
	got := Types(KindCharacter)
	got[0] = "mutated"
	if Types(KindCharacter)[0] != TypeSheet {
		t.Errorf("Types returned shared storage")
	}
	if diff := cmp.Diff([]string{"low", "normal", "high", "urgent"}, Priorities()); diff != "" {
		t.Errorf("Priorities() mismatch (-want +got):\n%s", diff)
	}
}
