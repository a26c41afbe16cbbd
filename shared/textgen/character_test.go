package textgen

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
)

// numbersOnly is a sheet without its words: what the writer chose (a name
// when none was given, looks, personality, descriptions) is blanked.
func numbersOnly(t testing.TB, content json.RawMessage) dnd.Sheet {
	t.Helper()
	var s dnd.Sheet
	if err := json.Unmarshal(content, &s); err != nil {
		t.Fatal(err)
	}
	s.Name, s.Appearance, s.Personality = "", "", ""
	for i := range s.Attacks {
		s.Attacks[i].Description = ""
	}
	for i := range s.Equipment {
		s.Equipment[i].Description = ""
	}
	return s
}

// TestOpenAISheetsMatchOffline runs the same sheet requests through the
// offline generator and through OpenAI, against a fake that answers every
// schema it is sent with valid but arbitrary words: the sheets' numbers are
// identical, because both come from the rules, never from the writer.
func TestOpenAISheetsMatchOffline(t *testing.T) {
	t.Parallel()
	n := 1000
	if testing.Short() {
		n = 100
	}
	g, fake := newOpenAI(t)
	fake.SetDefault(openaitest.Arbitrary(7))
	off := NewOffline(nil)
	r := rand.New(rand.NewPCG(21, 1))
	races := []string{"", "Hill Dwarf", "High Elf", "Lightfoot Halfling", "Human", "Dragonborn", "Rock Gnome", "Half-Elf", "Half-Orc", "Tiefling", "Goliath"}
	classes := []string{"", "Barbarian", "Bard", "Cleric", "Druid", "Fighter", "Monk", "Paladin", "Ranger", "Rogue", "Sorcerer", "Warlock", "Wizard"}
	for i := range n {
		seed := int64(i)
		req := dnd.CharacterRequest{Type: dnd.TypeSheet, Seed: &seed, Parameters: dnd.CharacterParams{
			CharacterRace: races[r.IntN(len(races))], CharacterClass: classes[r.IntN(len(classes))], CharacterLevel: dnd.Int(1 + r.IntN(20)),
		}}.Normalized()
		want, err := off.Generate(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := g.Generate(context.Background(), req)
		if err != nil {
			t.Fatalf("Generate(%+v) through OpenAI = %v", req, err)
		}
		if diff := cmp.Diff(numbersOnly(t, want.Content), numbersOnly(t, got.Content)); diff != "" {
			t.Fatalf("sheet %d: OpenAI's numbers differ from the offline run's (-offline +openai):\n%s", i, diff)
		}
		if got.ProviderCalls != 1 || got.Seed == nil || *got.Seed != seed {
			t.Fatalf("sheet %d: %d paid calls, seed %v; want 1 call and seed %d", i, got.ProviderCalls, got.Seed, seed)
		}
	}
}

// TestOpenAIRepairsAnAnswerAboutSomeoneElse checks that an answer whose
// repeated identity is not the character's gets the repair turn, and that
// the repaired answer is used.
func TestOpenAIRepairsAnAnswerAboutSomeoneElse(t *testing.T) {
	t.Parallel()
	g, fake := newOpenAI(t)
	wrong := mismatched(openaitest.Arbitrary(8), "class", "Bard")
	right := openaitest.Arbitrary(9)
	calls := 0
	fake.SetDefault(func(r goopenai.ChatCompletionRequest) openaitest.Reply {
		calls++
		if calls == 1 {
			return wrong(r)
		}
		return right(r)
	})
	req := dnd.CharacterRequest{Type: dnd.TypeBackstory, Parameters: dnd.CharacterParams{CharacterClass: "Paladin", Name: "Aldric"}}.Normalized()
	out, err := g.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("Generate() = %v, want the repaired answer", err)
	}
	var b dnd.Backstory
	if err := json.Unmarshal(out.Content, &b); err != nil {
		t.Fatal(err)
	}
	if out.ProviderCalls != 2 || b.Character.Class != "Paladin" || b.Character.Name != "Aldric" {
		t.Errorf("Generate() = %+v after %d paid calls, want Aldric the paladin after 2", b.Character, out.ProviderCalls)
	}
	sent := fake.Requests()
	if len(sent) != 2 || !strings.Contains(sent[1].Messages[len(sent[1].Messages)-1].Content, "character.class") {
		t.Errorf("the repair turn does not name character.class: %+v", sent)
	}
}

// TestOpenAIIsToldTheFacts checks that the model is sent the sheet's
// numbers and the words it must write, and a schema with no number in it.
func TestOpenAIIsToldTheFacts(t *testing.T) {
	t.Parallel()
	g, fake := newOpenAI(t)
	fake.SetDefault(openaitest.Arbitrary(10))
	seed := int64(114)
	req := dnd.CharacterRequest{Type: dnd.TypeCombat, Seed: &seed, Parameters: dnd.CharacterParams{
		CharacterClass: "Cleric", CharacterRace: "Hill Dwarf", CharacterLevel: dnd.Int(5), Background: "Acolyte", Alignment: "LG",
	}}.Normalized()
	if _, err := g.Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	sent := fake.Requests()[0]
	user := sent.Messages[1].Content
	for _, fact := range []string{"48 hit points", "Armor Class 20", "Proficiency bonus +3", "spell save DC 15", "Warhammer", "Passive features (never moves)"} {
		if !strings.Contains(user, fact) {
			t.Errorf("the prompt does not state %q:\n%s", fact, user)
		}
	}
	schema, _ := sent.ResponseFormat.JSONSchema.Schema.MarshalJSON()
	if strings.Contains(string(schema), `"integer"`) || !strings.Contains(string(schema), `"enum":["Cleric"]`) {
		t.Errorf("schema = %s, want no numbers and the class pinned", schema)
	}
}
