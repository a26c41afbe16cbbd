package offline

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// dmPrompts are thirty prompts a Dungeon Master sent, each with the words
// that show its story idea was told, the age the sheet's looks must say
// (or ""), the trade the backstory must tell (or ""), and the class and
// level parameters sent beside it.
var dmPrompts = []struct {
	prompt, idea, age, trade, class string
	level                           int
}{
	{"a one-eyed dwarf smith who lost her forge to a dragon", "forge to a dragon", "", "smith", "", 19},
	{"an elderly halfling cook who became a monk after her village starved", "village starved", "elderly", "cook", "", 0},
	{"a young tiefling noble disowned for refusing an arranged marriage", "arranged marriage", "young", "", "", 0},
	{"a half-orc gravedigger who hears the dead whisper and wants them to stop", "dead whisper", "", "gravedigger", "", 2},
	{"a gnome tinkerer whose clockwork owl is his only friend", "clockwork owl", "", "tinkerer", "", 0},
	{"a disgraced knight seeking to redeem himself after fleeing a battle", "fleeing a battle", "", "", "", 0},
	{"a sea captain whose ship was sunk by a kraken; he wields a harpoon", "kraken", "", "sea captain", "", 11},
	{"a blind elven archer who fights by sound", "by sound", "", "", "", 0},
	{"a cheerful dragonborn bard who sings terrible songs about his own heroics", "terrible songs", "", "", "", 0},
	{"a former cultist of Asmodeus who now hunts her old coven", "old coven", "", "cultist", "", 16},
	{"a twelve-year-old street urchin with a talking cat familiar", "talking cat", "twelve", "", "", 0},
	{"a retired soldier in his seventies who picks up his axe one last time", "one last time", "seventies", "soldier", "", 0},
	{"a wizard obsessed with cheese and its arcane properties", "cheese", "", "", "", 11},
	{"a druid who speaks for a dying forest and hates cities", "dying forest", "", "", "", 0},
	{"a shy librarian who accidentally made a pact with a fiend", "pact with a fiend", "", "", "", 0},
	{"a left-handed duelist from a desert city who carries her mother's scimitar", "mother's scimitar", "", "", "", 12},
	{"a human ranger who tracks a werewolf that killed his brother", "werewolf", "", "", "", 0},
	{"a paladin of the sun god who secretly doubts her faith", "doubts her faith", "", "", "", 0},
	{"a halfling pickpocket who steals only from the rich and gives to orphans", "orphans", "", "", "", 6},
	{"an amnesiac sorcerer who woke up in a crater with glowing veins", "crater", "", "", "", 0},
	{"a woman who was raised by wolves and barely speaks Common", "raised by wolves", "", "", "", 0},
	{"a dwarf brewer exiled for poisoning a king by accident", "poisoning a king", "", "brewer", "", 2},
	{"a level 7 hill dwarf cleric named Brenna who worships Moradin", "Moradin", "", "", "Fighter", 10},
	{"a level 12 elf wizard called Thalion who serves as a court mage", "court mage", "", "", "Warlock", 3},
	{"a chaotic evil half-elf warlock who wants to become a lich", "lich", "", "", "Paladin", 20},
	{"a gentle giant of a barbarian who weeps after every fight", "weeps", "", "", "Ranger", 3},
	{"an old monk who has taken a vow of silence and communicates with chalk", "vow of silence", "old", "", "Barbarian", 14},
	{"a noblewoman fencer who hides a thieves' guild tattoo", "tattoo", "", "", "Wizard", 17},
	{"a fisherman from a frozen northern village who fights with a spear", "frozen northern village", "", "", "Barbarian", 17},
	{"a scholar searching for her missing twin in the Underdark", "twin", "", "", "Bard", 13},
}

// TestPromptIdeaIsTold checks, over the Dungeon Master's prompts and a few
// seeds, that the backstory tells the prompt's story idea and trade, that
// no line only says what the character wields, that the sheet's looks say
// the age the prompt gives, and that a warning never says the prompt
// asked for nothing.
func TestPromptIdeaIsTold(t *testing.T) {
	t.Parallel()
	g := New()
	for _, tc := range dmPrompts {
		for seed := int64(1); seed <= 3; seed++ {
			params := dnd.CharacterParams{CharacterClass: tc.class}
			if tc.level != 0 {
				params.CharacterLevel = dnd.Int(tc.level)
			}
			sheetSeed := seed * 104729
			out, err := g.Character(context.Background(), dnd.CharacterRequest{Type: dnd.TypeSheet, Parameters: params, Prompt: tc.prompt, Seed: &sheetSeed})
			if err != nil {
				t.Fatalf("sheet for %q: %v", tc.prompt, err)
			}
			var sheet dnd.Sheet
			mustUnmarshal(t, out.Content, &sheet)
			warnings := out.Warnings
			storySeed := sheetSeed + 1
			out, err = g.Character(context.Background(), dnd.CharacterRequest{Type: dnd.TypeBackstory, Character: json.RawMessage(out.Content), Prompt: tc.prompt, Seed: &storySeed})
			if err != nil {
				t.Fatalf("backstory for %q: %v", tc.prompt, err)
			}
			var b dnd.Backstory
			mustUnmarshal(t, out.Content, &b)
			warnings = append(warnings, out.Warnings...)
			story := b.Summary + " " + b.Backstory + " " + strings.Join(b.KeyEvents, " ")
			if tc.idea != "" && !strings.Contains(story, tc.idea) {
				t.Errorf("%q, seed %d: the backstory leaves out %q:\n%s", tc.prompt, sheetSeed, tc.idea, story)
			}
			if tc.trade != "" && !strings.Contains(story, tc.trade) {
				t.Errorf("%q, seed %d: the backstory leaves out the trade %q:\n%s", tc.prompt, sheetSeed, tc.trade, story)
			}
			if first, _, _ := strings.Cut(b.Summary, ". "); rules.WeaponMentioned(first) != "" && len(strings.Fields(first)) <= 6 {
				t.Errorf("%q: the summary opens with a line about the weapon: %s", tc.prompt, b.Summary)
			}
			if tc.age != "" && !strings.Contains(sheet.Appearance, tc.age) {
				t.Errorf("%q, seed %d: the looks leave out the age %q: %s", tc.prompt, sheetSeed, tc.age, sheet.Appearance)
			}
			for _, w := range warnings {
				if strings.Contains(w, "asks for nothing") {
					t.Errorf("%q: warning %q, though the prompt asks for more than the parameters", tc.prompt, w)
				}
			}
		}
	}
}

// backstoryFor writes the backstory of a request made of a prompt, class
// and seed, and returns its content and warnings.
func backstoryFor(t testing.TB, g *Generator, prompt, class string, seed int64) (string, []string) {
	t.Helper()
	req := dnd.CharacterRequest{Type: dnd.TypeBackstory, Prompt: prompt, Parameters: dnd.CharacterParams{CharacterClass: class}, Seed: &seed}
	out, err := g.Character(context.Background(), req)
	if err != nil {
		t.Fatalf("backstory of %q: %v", prompt, err)
	}
	return string(out.Content), out.Warnings
}

// TestPromptDeityIsTheCharactersGod checks that a god the prompt names is
// the one every document of the character serves.
func TestPromptDeityIsTheCharactersGod(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := int64(1); seed <= 6; seed++ {
		req := dnd.CharacterRequest{Type: dnd.TypeSheet, Prompt: "a level 7 hill dwarf cleric named Brenna who worships Moradin", Seed: &seed}
		out, err := g.Character(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		s := seed + 100
		back, err := g.Character(context.Background(), dnd.CharacterRequest{Type: dnd.TypeBackstory, Character: out.Content, Prompt: req.Prompt, Seed: &s})
		if err != nil {
			t.Fatal(err)
		}
		for _, god := range g.t.grammar["deity"] {
			if strings.Contains(string(back.Content), god) {
				t.Errorf("seed %d: the backstory of a worshipper of Moradin names %s: %s", seed, god, back.Content)
			}
		}
	}
}

// TestPromptDropsAreNamed checks that what a backstory leaves out of a
// prompt is named in its warnings, even where the rest of the clause was
// used ("left-handed" of "a left-handed duelist from a desert city").
func TestPromptDropsAreNamed(t *testing.T) {
	t.Parallel()
	g := New()
	for prompt, dropped := range map[string]string{
		"a one-eyed dwarf smith who lost her forge to a dragon":                      "one-eyed",
		"a blind elven archer who fights by sound":                                   "blind",
		"a left-handed duelist from a desert city who carries her mother's scimitar": "left-handed",
		"a former cultist of Asmodeus who now hunts her old coven":                   "Asmodeus",
	} {
		_, warnings := backstoryFor(t, g, prompt, "", int64(len(prompt)))
		if w := strings.Join(warnings, " "); !strings.Contains(w, dropped) {
			t.Errorf("backstory of %q: warnings %q do not name %q", prompt, warnings, dropped)
		}
	}
}

// TestChildDidNothingAtSixteen checks that a child's backstory gives no
// deed an age the child has not reached.
func TestChildDidNothingAtSixteen(t *testing.T) {
	t.Parallel()
	g := New()
	older := regexp.MustCompile(` at (sixteen|seventeen|eighteen|nineteen|twenty)\b`)
	for seed := int64(1); seed <= 40; seed++ {
		story, _ := backstoryFor(t, g, "a twelve-year-old street urchin with a talking cat familiar", []string{"Fighter", "Barbarian", "Rogue", "Paladin"}[seed%4], seed)
		if m := older.FindString(story); m != "" {
			t.Errorf("seed %d: a twelve-year-old did something%s: %s", seed, m, story)
		}
	}
}

// TestPromptKinIsKept checks that the kin a prompt names is the one the
// backstory's arc speaks of: a brother killed, not a sister taken.
func TestPromptKinIsKept(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := int64(1); seed <= 30; seed++ {
		story, _ := backstoryFor(t, g, "a human ranger who tracks a werewolf that killed his brother", "", seed)
		if strings.Contains(story, "'s sister") {
			t.Errorf("seed %d: the brother became a sister: %s", seed, story)
		}
	}
}
