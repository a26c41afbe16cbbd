package offline

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// generateAll writes every character type for one request.
func generateAll(t testing.TB, g *Generator, req dnd.CharacterRequest) (map[string]json.RawMessage, map[string][]string) {
	t.Helper()
	docs, warnings := map[string]json.RawMessage{}, map[string][]string{}
	for _, typ := range dnd.Types(dnd.KindCharacter) {
		req.Type = typ
		out, err := g.Character(context.Background(), req)
		if err != nil {
			t.Fatalf("Character(%s, %+v) = %v", typ, req, err)
		}
		docs[typ], warnings[typ] = out.Content, out.Warnings
	}
	return docs, warnings
}

// TestCombatWordsUseOnlyTheSheet checks combat profiles against their
// sheets: every move is an attack, a feature used in a fight or a spell of
// the sheet, never a passive feature; no passive feature is named in the
// tactics, and nothing is a trump card; what the tactics open with at range
// is an attack with a range, so a rapier is never shot; a warlock opens with
// Eldritch Blast.
func TestCombatWordsUseOnlyTheSheet(t *testing.T) {
	t.Parallel()
	g := New()
	r := rand.New(rand.NewPCG(20, 1))
	rangedOpener := regexp.MustCompile(`opens with (.+?) from as far as|then opens with (.+?) at up to|picks targets with (.+?), out to|softens foes with (.+?) from range|opens with (.+?) and switches to`)
	for i := range 400 {
		req := randomRequest(r, int64(i))
		s := sheetOf(t, g, req)
		var c dnd.Combat
		generateInto(t, g, dnd.TypeCombat, req, &c)
		for _, m := range c.SignatureMoves {
			ok := slices.ContainsFunc(s.Attacks, func(a dnd.Attack) bool { return a.Name == m.Name }) ||
				slices.ContainsFunc(s.Features, func(f dnd.Feature) bool { return f.Name == m.Name && !f.Passive }) ||
				s.Spellcasting != nil && slices.ContainsFunc(s.Spellcasting.Spells, func(sp dnd.Spell) bool { return sp.Name == m.Name })
			if !ok {
				t.Errorf("combat %d: move %q is not an attack, fighting feature or spell of the sheet", i, m.Name)
			}
		}
		for _, f := range s.Features {
			if f.Passive && len(f.Name) > 8 && strings.Contains(c.Tactics, f.Name) {
				t.Errorf("combat %d: tactics name the passive feature %s: %q", i, f.Name, c.Tactics)
			}
		}
		if strings.Contains(strings.ToLower(c.Tactics), "trump") {
			t.Errorf("combat %d: tactics speak of a trump card: %q", i, c.Tactics)
		}
		if m := rangedOpener.FindStringSubmatch(c.Tactics); m != nil {
			name := strings.Join(m[1:], "")
			j := slices.IndexFunc(s.Attacks, func(a dnd.Attack) bool { return samePhrase(name, a.Name) })
			if j < 0 || s.Attacks[j].Kind == "melee weapon" || s.Attacks[j].Kind == "melee spell" {
				t.Errorf("combat %d: the tactics open at range with %q, which is not a ranged attack: %q", i, name, c.Tactics)
			}
		}
		if s.Class == "Warlock" && !strings.Contains(c.Tactics, "Eldritch Blast") {
			t.Errorf("combat %d: a warlock's tactics leave out Eldritch Blast: %q", i, c.Tactics)
		}
	}
}

// samePhrase reports whether prose names an attack: "a thrown javelin" is
// Javelin (thrown), "the Longbow +2" is Longbow +2.
func samePhrase(phrase, name string) bool {
	for _, p := range []string{"a thrown ", "the thrown ", "an ", "a ", "the "} {
		if rest, ok := strings.CutPrefix(phrase, p); ok {
			if p == "a thrown " || p == "the thrown " {
				rest += " (thrown)"
			}
			return strings.EqualFold(rest, name)
		}
	}
	return phrase == name
}

// TestPromptIsHonoured checks what the offline generator takes from a
// prompt (a name, pronouns, a former trade, a home town) and that it says
// what it could not use.
func TestPromptIsHonoured(t *testing.T) {
	t.Parallel()
	g := New()
	seed := int64(5)
	docs, warnings := generateAll(t, g, dnd.CharacterRequest{
		Prompt: "Make him a former pirate named Bram Kettle. He grew up in Saltmere and is afraid of deep water.", Seed: &seed,
	})
	for typ, doc := range docs {
		if id := identityOf(t, typ, doc); id.Name != "Bram Kettle" || id.Pronouns != "he/him" {
			t.Errorf("%s is about %s (%s), want Bram Kettle (he/him)", typ, id.Name, id.Pronouns)
		}
	}
	var b dnd.Backstory
	mustUnmarshal(t, docs[dnd.TypeBackstory], &b)
	story := b.Backstory + " " + strings.Join(b.KeyEvents, " ")
	if !strings.Contains(story, "pirate") || !strings.Contains(story, "Saltmere") {
		t.Errorf("backstory leaves out the pirate past or Saltmere: %s", story)
	}
	// "He grew up in Saltmere and is afraid of deep water" is about the
	// character: a backstory tells it, the other types say they could not.
	if !strings.Contains(story, "afraid of deep water") {
		t.Errorf("backstory leaves out the fear of deep water: %s", story)
	}
	if w := warnings[dnd.TypeBackstory]; len(w) != 0 {
		t.Errorf("backstory warnings = %q, want none", w)
	}
	w := strings.Join(warnings[dnd.TypePersonality], " ")
	if !strings.Contains(w, "afraid of deep water") || strings.Contains(w, "pirate") {
		t.Errorf("personality warnings = %q, want the fear of water reported as unused, and nothing about the pirate past", warnings[dnd.TypePersonality])
	}
	// A name given as a parameter wins over the prompt's, which is said.
	docs, _ = generateAll(t, g, dnd.CharacterRequest{Parameters: dnd.CharacterParams{CharacterName: "Ash"}, Prompt: "A former soldier.", Seed: &seed})
	if id := identityOf(t, dnd.TypeSheet, docs[dnd.TypeSheet]); id.Name != "Ash" {
		t.Errorf("name = %q, want Ash from character_name", id.Name)
	}
}

// TestEvilBackstoriesAreNotHeroic checks that an evil character gets an
// arc that suits it and never a heroic turn, and a good one never an evil
// arc.
func TestEvilBackstoriesAreNotHeroic(t *testing.T) {
	t.Parallel()
	g := New()
	heroic := []string{"hero of the realm", "saved a life", "began to hope", "refuse to let another town", "saviour", "deeds have saved"}
	villainous := []string{"ruined rivals", "enjoyed every raid", "burned the houses", "someone else's life"}
	for i := range 300 {
		seed := int64(i)
		alignment := []string{"lawful evil", "neutral evil", "chaotic evil", "lawful good", "neutral good", "chaotic good"}[i%6]
		req := dnd.CharacterRequest{Type: dnd.TypeBackstory, Parameters: dnd.CharacterParams{Alignment: alignment, CharacterLevel: dnd.Int(1 + i%20)}, Seed: &seed}
		out, err := g.Character(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var b dnd.Backstory
		mustUnmarshal(t, out.Content, &b)
		text := strings.ToLower(b.Summary + " " + b.Backstory + " " + strings.Join(b.KeyEvents, " "))
		bad := heroic
		if strings.HasSuffix(alignment, "good") {
			bad = villainous
		}
		for _, w := range bad {
			if strings.Contains(text, w) {
				t.Errorf("a %s character's backstory says %q: %s", alignment, w, text)
			}
		}
	}
}

// TestPersonalitiesReflectTheCharacter checks that class, race, level and
// alignment show: a level 1 elf wizard and a level 20 half-orc barbarian
// share no trait, ideal, bond, flaw or mannerism, at any seed.
func TestPersonalitiesReflectTheCharacter(t *testing.T) {
	t.Parallel()
	g := New()
	for i := range 50 {
		seed := int64(i)
		personality := func(p dnd.CharacterParams) dnd.Personality {
			out, err := g.Character(context.Background(), dnd.CharacterRequest{Type: dnd.TypePersonality, Parameters: p, Seed: &seed})
			if err != nil {
				t.Fatal(err)
			}
			var pe dnd.Personality
			mustUnmarshal(t, out.Content, &pe)
			return pe
		}
		a := personality(dnd.CharacterParams{CharacterClass: "Wizard", CharacterRace: "Elf", CharacterLevel: dnd.Int(1), Background: "Sage", Alignment: "LG"})
		b := personality(dnd.CharacterParams{CharacterClass: "Barbarian", CharacterRace: "Half-Orc", CharacterLevel: dnd.Int(20), Background: "Outlander", Alignment: "CE"})
		for _, pair := range [][2][]string{{a.Traits, b.Traits}, {a.Ideals, b.Ideals}, {a.Bonds, b.Bonds}, {a.Flaws, b.Flaws}, {a.Mannerisms, b.Mannerisms}} {
			for _, x := range pair[0] {
				if slices.Contains(pair[1], x) {
					t.Errorf("seed %d: the elf wizard and the half-orc barbarian both have %q", i, x)
				}
			}
		}
		if a.Voice == b.Voice {
			t.Errorf("seed %d: the same voice %q", i, a.Voice)
		}
	}
}
