package dnd

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// sampleSheet is the sample sheet content (a level 7 high elf wizard).
func sampleSheet(t testing.TB) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "content", "character_sheet.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func withField(t testing.TB, raw json.RawMessage, field string, value any) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m[field] = value
	b, _ := json.Marshal(m)
	return b
}

// TestCharacterBadInput checks what the issue calls bad input: the choices
// the rules cannot use are refused naming the field, and the ones outside
// the SRD are kept, played by the closest SRD rules, and reported.
func TestCharacterBadInput(t *testing.T) {
	t.Parallel()
	identity := json.RawMessage(`{"name":"Ilyra Moonwhisper","pronouns":"she/her","race":"Elf","subrace":"High Elf","class":"Wizard","subclass":"Evocation","level":7,"background":"Sage","alignment":"neutral good"}`)
	tests := []struct {
		name    string
		params  CharacterParams
		char    json.RawMessage
		refused map[string]string // field → a word its message holds; nil when accepted
		warning string            // what a warning of the accepted request says
	}{
		{name: "race outside the SRD", params: CharacterParams{CharacterRace: "Goliath"}, warning: `race "Goliath" is not in the SRD 5.1; it is played with the Half-Orc's traits`},
		{name: "subrace outside the SRD", params: CharacterParams{CharacterRace: "Elf", Subrace: "Wood Elf"}, warning: `subrace "Wood Elf" is not in the SRD 5.1; it is played as a High Elf`},
		{name: "class outside the SRD", params: CharacterParams{CharacterClass: "Blood Hunter"}, warning: `class "Blood Hunter" is not in the SRD 5.1; it is played with the Fighter's rules`},
		{name: "background outside the SRD", params: CharacterParams{Background: "Pirate Captain"}, warning: `background "Pirate Captain"`},
		{name: "subclass of another class", params: CharacterParams{CharacterClass: "Wizard", Subclass: "Battle Master"},
			refused: map[string]string{"parameters.subclass": "is a Fighter subclass, not a Wizard one"}},
		{name: "subrace of another race", params: CharacterParams{CharacterRace: "Dwarf", Subrace: "High Elf"},
			refused: map[string]string{"parameters.subrace": "is a Elf subrace"}},
		{name: "a common subclass outside the SRD", params: CharacterParams{CharacterClass: "Fighter", CharacterLevel: Int(5), Subclass: "Battle Master"},
			warning: `subclass "Battle Master" is not in the SRD 5.1; its features are the Champion's`},
		{name: "unknown subclass", params: CharacterParams{CharacterClass: "Fighter", CharacterLevel: Int(5), Subclass: "Knight of the Seventh Bell"},
			warning: `subclass "Knight of the Seventh Bell" is unknown; its features are the Champion's`},
		{name: "unknown alignment", params: CharacterParams{Alignment: "Mostly Harmless"},
			refused: map[string]string{"parameters.alignment": "lawful good, neutral good, chaotic good"}},
		{name: "level above 20", params: CharacterParams{CharacterLevel: Int(21)}, refused: map[string]string{"parameters.character_level": "between 1 and 20"}},
		{name: "level 0", params: CharacterParams{CharacterLevel: Int(0)}, refused: map[string]string{"parameters.character_level": "between 1 and 20"}},
		{name: "two names", params: CharacterParams{Name: "Ash", CharacterName: "Bram"},
			refused: map[string]string{"parameters.name": "character_name", "parameters.character_name": "parameters.name"}},
		{name: "the alias alone", params: CharacterParams{CharacterName: "Bram"}},
		{name: "character contradicting the class", params: CharacterParams{CharacterClass: "Fighter"}, char: identity,
			refused: map[string]string{"parameters.character_class": "character.class", "character.class": "parameters.character_class"}},
		{name: "character contradicting the level", params: CharacterParams{CharacterLevel: Int(3)}, char: identity,
			refused: map[string]string{"parameters.character_level": "character.level", "character.level": "parameters.character_level"}},
		{name: "character contradicting the name", params: CharacterParams{CharacterName: "Bram"}, char: identity,
			refused: map[string]string{"parameters.name": "character.name", "character.name": "parameters.name"}},
		{name: "character agreeing with the parameters", params: CharacterParams{CharacterRace: "high elf", CharacterClass: "wizard", Alignment: "NG", CharacterLevel: Int(7)}, char: identity},
		{name: "sheet contradicting the race", params: CharacterParams{CharacterRace: "Dwarf"}, char: sampleSheet(t),
			refused: map[string]string{"parameters.character_race": "character.race", "character.race": "parameters.character_race"}},
		{name: "identity without a level", char: json.RawMessage(`{"name":"Ash","race":"Elf","class":"Wizard"}`),
			refused: map[string]string{"character.level": "required"}},
		{name: "identity with a misspelt field", char: json.RawMessage(`{"name":"Ash","race":"Elf","clas":"Wizard","level":3}`),
			refused: map[string]string{"character.clas": "not a known field"}},
		{name: "identity with an unknown alignment", char: json.RawMessage(`{"name":"Ash","race":"Elf","class":"Wizard","level":3,"alignment":"good-ish"}`),
			refused: map[string]string{"character.alignment": "accepted"}},
		{name: "sheet with impossible numbers", char: withField(t, sampleSheet(t), "hit_points", 0),
			refused: map[string]string{"character.hit_points": "between 1 and 999"}},
		{name: "character that is not an object", char: json.RawMessage(`"Ilyra"`), refused: map[string]string{"character": "must be an object"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := CharacterRequest{Type: TypeSheet, Parameters: tc.params, Character: tc.char}
			req.Normalize()
			got := req.Valid(context.Background())
			for field, word := range tc.refused {
				if !strings.Contains(got[field], word) {
					t.Errorf("Valid() = %v, want %s refused with %q", got, field, word)
				}
			}
			if tc.refused != nil {
				return
			}
			if len(got) > 0 {
				t.Fatalf("Valid() = %v, want none", got)
			}
			ch, err := ResolveCharacter(req, 1)
			if err != nil {
				t.Fatalf("ResolveCharacter() = %v", err)
			}
			if tc.warning != "" && !slices.ContainsFunc(ch.Warnings, func(w string) bool { return strings.Contains(w, tc.warning) }) {
				t.Errorf("warnings = %q, want one saying %q", ch.Warnings, tc.warning)
			}
		})
	}
}

func TestCharacterNameAlias(t *testing.T) {
	t.Parallel()
	req := CharacterRequest{Type: TypeSheet, Parameters: CharacterParams{CharacterName: "  Bram   Kettle "}}
	req.Normalize()
	if req.Parameters.Name != "Bram Kettle" || req.Parameters.CharacterName != "" {
		t.Errorf("Normalize() = name %q, character_name %q; want the alias folded into name", req.Parameters.Name, req.Parameters.CharacterName)
	}
	ch, err := ResolveCharacter(req, 3)
	if err != nil || ch.Sheet.Name != "Bram Kettle" || !ch.NameGiven {
		t.Errorf("ResolveCharacter() = %q (given %v), %v; want Bram Kettle", ch.Sheet.Name, ch.NameGiven, err)
	}
}

// TestIdentityFixesTheNumbers checks that an identity sent as the character
// gets the same sheet at every seed, and that a sheet sent back is kept.
func TestIdentityFixesTheNumbers(t *testing.T) {
	t.Parallel()
	identity := json.RawMessage(`{"name":"Bruna","race":"Half-Orc","class":"Barbarian","level":20}`)
	var first *Character
	for seed := range int64(20) {
		ch, err := ResolveCharacter(CharacterRequest{Type: TypeCombat, Character: identity}, seed)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = ch
			continue
		}
		if diff := cmp.Diff(first.Sheet, ch.Sheet); diff != "" {
			t.Fatalf("seed %d: the identity's sheet changed (-first +now):\n%s", seed, diff)
		}
	}
	primal := slices.ContainsFunc(first.Sheet.Features, func(f rules.Feature) bool { return f.Name == "Primal Champion" })
	if !primal || first.Sheet.AbilityScores.Str != 24 {
		t.Errorf("a level 20 half-orc barbarian has Strength %d, want 24 with Primal Champion", first.Sheet.AbilityScores.Str)
	}
	sheet := sampleSheet(t)
	ch, err := ResolveCharacter(CharacterRequest{Type: TypeCombat, Character: sheet}, 99)
	if err != nil {
		t.Fatal(err)
	}
	var want Sheet
	if err := json.Unmarshal(sheet, &want); err != nil {
		t.Fatal(err)
	}
	if ch.Given == nil || ch.Sheet.HitPoints != want.HitPoints || ch.Sheet.ArmorClass != want.ArmorClass || ch.Sheet.Name != want.Name {
		t.Errorf("ResolveCharacter(sheet) = %d hp, AC %d, %q; want the sheet's %d, %d, %q",
			ch.Sheet.HitPoints, ch.Sheet.ArmorClass, ch.Sheet.Name, want.HitPoints, want.ArmorClass, want.Name)
	}
}

// draftFor is a valid draft of the character's request type: the identity
// it must repeat, and words for everything its schema names.
func draftFor(t testing.TB, ch *Character) map[string]any {
	t.Helper()
	_, schema, err := ch.DraftSchema()
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Properties map[string]struct {
			Type       any            `json:"type"`
			Properties map[string]any `json:"properties"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema, &s); err != nil {
		t.Fatal(err)
	}
	echo := ch.echo()
	if echo.Name == "" {
		echo.Name = "Chosen Name"
	}
	draft := map[string]any{"character": echo}
	for name, p := range s.Properties {
		switch {
		case name == "character":
		case p.Type == "string":
			draft[name] = "Words about " + name + "."
		case p.Type == "array":
			draft[name] = []string{"One line."}
		default:
			words := map[string]string{}
			for k := range p.Properties {
				words[k] = "About " + k + "."
			}
			draft[name] = words
		}
	}
	return draft
}

// TestCompleteChecksTheIdentity checks that a draft about someone else is
// an invalid answer naming the field, and that a name is the writer's
// only when none was given.
func TestCompleteChecksTheIdentity(t *testing.T) {
	t.Parallel()
	for _, typ := range Types(KindCharacter) {
		for _, named := range []bool{true, false} {
			req := CharacterRequest{Type: typ, Parameters: CharacterParams{CharacterRace: "Dwarf", CharacterClass: "Cleric", CharacterLevel: Int(5)}}
			if named {
				req.Parameters.Name = "Brenna Stonehelm"
			}
			ch, err := ResolveCharacter(req, 11)
			if err != nil {
				t.Fatal(err)
			}
			draft := draftFor(t, ch)
			b, _ := json.Marshal(draft)
			content, err := ch.Complete(b)
			if err != nil {
				t.Fatalf("Complete(%s valid draft) = %v", typ, err)
			}
			var doc map[string]any
			_ = json.Unmarshal(content, &doc)
			if !strings.Contains(string(content), `"level":5`) {
				t.Errorf("Complete(%s) = %s, want the level from the sheet", typ, content)
			}
			for field, value := range map[string]string{"race": "Gnome", "class": "Bard", "name": "Someone Else"} {
				echo := ch.echo()
				if echo.Name == "" {
					echo.Name = "Chosen Name"
				}
				switch field {
				case "race":
					echo.Race = value
				case "class":
					echo.Class = value
				case "name":
					echo.Name = value
				}
				draft["character"] = echo
				b, _ := json.Marshal(draft)
				_, err := ch.Complete(b)
				var ce *ContentError
				refused := errors.As(err, &ce) && ce.Field == "character."+field
				if want := field != "name" || named; refused != want {
					t.Errorf("Complete(%s, named %v) with the %s %q = %v; want refused at character.%s: %v", typ, named, field, value, err, field, want)
				}
			}
		}
	}
}

// TestDraftSchemaPinsTheCharacter checks the schema a model gets: the
// identity as one-value enums, the name free when none was given, and a
// property for each attack and item to describe.
func TestDraftSchemaPinsTheCharacter(t *testing.T) {
	t.Parallel()
	ch, err := ResolveCharacter(CharacterRequest{Type: TypeSheet, Parameters: CharacterParams{CharacterClass: "Warlock", CharacterLevel: Int(5)}}, 4)
	if err != nil {
		t.Fatal(err)
	}
	name, raw, err := ch.DraftSchema()
	if err != nil || name != "dnd_text_character_sheet_"+SchemaVersion {
		t.Fatalf("DraftSchema() = %q, %v", name, err)
	}
	var s struct {
		Properties struct {
			Character struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"character"`
			Attacks struct {
				Required []string `json:"required"`
			} `json:"attacks"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	props := s.Properties.Character.Properties
	if e := props["class"].Enum; len(e) != 1 || e[0] != "Warlock" || len(props["name"].Enum) != 0 {
		t.Errorf("character enums: class %v, name %v; want [Warlock] and a free name", e, props["name"].Enum)
	}
	if !slices.Contains(s.Properties.Attacks.Required, "Eldritch Blast") {
		t.Errorf("attacks to describe = %v, want Eldritch Blast among them", s.Properties.Attacks.Required)
	}
	if strings.Contains(string(raw), `"integer"`) || strings.Contains(string(raw), `"number"`) {
		t.Errorf("the draft schema holds a number for the model to write: %s", raw)
	}
}

// TestPromptFillsTheCharacter checks that a prompt fills what the
// parameters leave out, and never overrides them.
func TestPromptFillsTheCharacter(t *testing.T) {
	t.Parallel()
	req := CharacterRequest{Type: TypeSheet, Prompt: "A level 7 hill dwarf cleric of the life domain, lawful good, named Brenna Stonehelm; she was an acolyte."}
	ch, err := ResolveCharacter(req, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := ch.Identity()
	want := CharacterInfo{Name: "Brenna Stonehelm", Pronouns: "she/her", Race: "Dwarf", Subrace: "Hill Dwarf", Class: "Cleric",
		Subclass: "Life", Level: 7, Background: "Acolyte", Alignment: "lawful good"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("identity from the prompt (-want +got):\n%s", diff)
	}
	req.Parameters = CharacterParams{CharacterClass: "Fighter", CharacterLevel: Int(2)}
	ch, err = ResolveCharacter(req, 1)
	if err != nil || ch.Sheet.Class != "Fighter" || ch.Sheet.Level != 2 {
		t.Errorf("with parameters: %s %d, %v; want the parameters' Fighter 2", ch.Sheet.Class, ch.Sheet.Level, err)
	}
}

// TestPortraitNamesEachThingOnce checks the description of a character for
// an image model: the gear named once though the looks name it too, and a
// legend's power their own.
func TestPortraitNamesEachThingOnce(t *testing.T) {
	t.Parallel()
	id := CharacterInfo{Name: "Torga", Pronouns: "she/her", Race: "Dwarf", Subrace: "Hill Dwarf", Class: "Fighter", Level: 18, Alignment: "neutral"}
	s := &Sheet{Appearance: "Torga is old. She wears Chain Mail +1 and carries a battleaxe and a shield. She hums.",
		Equipment: []Item{{Name: "Chain Mail +1", Category: "armor", Equipped: true}, {Name: "Battleaxe", Category: "weapon", Equipped: true},
			{Name: "Shield", Category: "shield", Equipped: true}}}
	got := Portrait(id, s)
	want := "a hill dwarf woman, fighter, a legend at the height of her power, neutral, wearing chain mail +1, carrying battleaxe, shield. Torga is old. She hums."
	if got != want {
		t.Errorf("Portrait() = %q, want %q", got, want)
	}
}
