package dnd

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// TestPromptFactsWin checks, over many seeds, that what a prompt states
// outright wins over the draws where no parameter sets it: gendered
// nouns give pronouns, race adjectives a race, weapon words the weapon, a
// child a low level, trades a background and its tools, a redemption
// story an alignment that is not evil.
func TestPromptFactsWin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prompt string
		check  func(rules.Sheet) string // what is wrong, or ""
	}{
		{"a woman who was raised by wolves and barely speaks Common", pronouns("she/her")},
		{"a noblewoman fencer who hides a thieves' guild tattoo", pronouns("she/her")},
		{"a fisherman from a frozen northern village who fights with a spear", pronouns("he/him")},
		{"a girl who talks to crows", pronouns("she/her")},
		{"a human ranger who tracks a werewolf that killed his brother", pronouns("he/him")},
		{"a blind elven archer who fights by sound", race("Elf")},
		{"a dwarven smith", race("Dwarf")},
		{"a sea captain whose ship was sunk by a kraken; he wields a harpoon", carries("Trident", "Spear", "Javelin")},
		{"a retired soldier in his seventies who picks up his axe one last time", carries("axe")},
		{"a left-handed duelist from a desert city who carries her mother's scimitar", carries("Scimitar")},
		{"a fisherman from a frozen northern village who fights with a spear", carries("Spear")},
		{"a blind elven archer who fights by sound", carries("bow")},
		{"a twelve-year-old street urchin with a talking cat familiar", func(s rules.Sheet) string {
			if s.Level > 3 {
				return "a twelve-year-old at level " + strconv.Itoa(s.Level)
			}
			return ""
		}},
		{"a one-eyed dwarf smith who lost her forge to a dragon", background("Guild Artisan")},
		{"a halfling pickpocket who steals only from the rich and gives to orphans", background("Criminal")},
		{"a dwarf brewer exiled for poisoning a king by accident", background("Guild Artisan")},
		{"a dwarf brewer exiled for poisoning a king by accident", lists("Brewer's Supplies")},
		{"a gnome tinkerer whose clockwork owl is his only friend", lists("Tinker's Tools")},
		{"an elderly halfling cook", lists("Cook's Utensils")},
		{"a disgraced knight seeking to redeem himself after fleeing a battle", notEvilSheet},
		{"a paladin of the sun god who secretly doubts her faith", notEvilSheet},
	}
	for _, tc := range tests {
		for seed := int64(1); seed <= 40; seed++ {
			ch, err := ResolveCharacter(CharacterRequest{Type: TypeSheet, Prompt: tc.prompt}, seed*7919)
			if err != nil {
				t.Fatalf("ResolveCharacter(%q) = %v", tc.prompt, err)
			}
			if msg := tc.check(ch.Sheet); msg != "" {
				t.Errorf("%q, seed %d: %s (warnings %q)", tc.prompt, seed*7919, msg, ch.Warnings)
				break
			}
		}
	}
}

func pronouns(want string) func(rules.Sheet) string {
	return func(s rules.Sheet) string {
		if s.Pronouns != want {
			return "pronouns " + s.Pronouns + ", want " + want
		}
		return ""
	}
}

func race(want string) func(rules.Sheet) string {
	return func(s rules.Sheet) string {
		if s.Race != want {
			return "race " + s.Race + ", want " + want
		}
		return ""
	}
}

func background(want string) func(rules.Sheet) string {
	return func(s rules.Sheet) string {
		if s.Background != want {
			return "background " + s.Background + ", want " + want
		}
		return ""
	}
}

// carries checks that the sheet lists a weapon whose name holds one of
// the words: wielded when the class fights well with it, else carried
// with a warning.
func carries(words ...string) func(rules.Sheet) string {
	return func(s rules.Sheet) string {
		for _, it := range s.Equipment {
			if it.Category == rules.CatWeapon && slices.ContainsFunc(words, func(w string) bool {
				return strings.Contains(strings.ToLower(it.Name), strings.ToLower(w))
			}) {
				return ""
			}
		}
		return s.Class + " carries no " + strings.Join(words, " or ")
	}
}

// lists checks that the sheet lists an item, and no smith's tools for
// another trade.
func lists(name string) func(rules.Sheet) string {
	return func(s rules.Sheet) string {
		if !slices.ContainsFunc(s.Equipment, func(it rules.Item) bool { return it.Name == name }) {
			return "no " + name + " in the equipment"
		}
		if slices.ContainsFunc(s.Equipment, func(it rules.Item) bool { return it.Name == "Smith's Tools" }) {
			return "Smith's Tools beside " + name
		}
		return ""
	}
}

func notEvilSheet(s rules.Sheet) string {
	if strings.HasSuffix(s.Alignment, "evil") {
		return "alignment " + s.Alignment + " for a redemption story"
	}
	return ""
}

// TestPromptClashIsWarned checks that parameters win over a prompt that
// says otherwise, and that a warning names each clash.
func TestPromptClashIsWarned(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prompt string
		params CharacterParams
		want   []string // words each warning must hold, one warning each
	}{
		{"a level 7 hill dwarf cleric named Brenna who worships Moradin", CharacterParams{CharacterClass: "Fighter", CharacterLevel: Int(10)},
			[]string{"cleric", "level 7"}},
		{"a chaotic evil half-elf warlock who wants to become a lich", CharacterParams{CharacterClass: "Paladin", Alignment: "lawful good", CharacterRace: "Gnome"},
			[]string{"warlock", "chaotic evil", "half-elf"}},
		{"a blind elven archer", CharacterParams{CharacterRace: "Dwarf"}, []string{"elf"}},
		{"a disgraced knight seeking to redeem himself", CharacterParams{Alignment: "lawful evil"}, []string{"redemption"}},
	}
	for _, tc := range tests {
		ch, err := ResolveCharacter(CharacterRequest{Type: TypeSheet, Prompt: tc.prompt, Parameters: tc.params}, 3)
		if err != nil {
			t.Fatalf("ResolveCharacter(%q) = %v", tc.prompt, err)
		}
		got := strings.ToLower(strings.Join(ch.Warnings, "\n"))
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%q with %+v: warnings %q name no clash over %q", tc.prompt, tc.params, ch.Warnings, w)
			}
		}
		if tc.params.CharacterClass != "" && ch.Sheet.Class != tc.params.CharacterClass {
			t.Errorf("%q: class %s, want the parameter's %s", tc.prompt, ch.Sheet.Class, tc.params.CharacterClass)
		}
	}
	// No clash, no warning.
	ch, err := ResolveCharacter(CharacterRequest{Type: TypeSheet, Prompt: "a level 7 hill dwarf cleric", Parameters: CharacterParams{CharacterClass: "Cleric", CharacterLevel: Int(7)}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ch.Warnings {
		if strings.Contains(w, "asks for") {
			t.Errorf("warning %q where prompt and parameters agree", w)
		}
	}
}
