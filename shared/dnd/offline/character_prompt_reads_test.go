package offline

import (
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// TestPromptReadsWhatItSays checks prompts that were misread: a name
// given to a pet or kin is not the character's; the trade after "former"
// or "worked as" is the trade, not the word before it ("court" of "court
// jester"); a sentence without a subject ("raised by wolves") is told; an
// orphan is born to no family. Each is read in ten backstories.
func TestPromptReadsWhatItSays(t *testing.T) {
	t.Parallel()
	g := New()
	cases := []struct {
		prompt string
		want   []string // told in the backstory or its events
		not    []string // in none of them, nor in the warnings
		name   string   // not the character's name
	}{
		{prompt: "she has a pet raven named Corvin", want: []string{"pet raven named Corvin"}, name: "Corvin"},
		{prompt: "he keeps a hunting hawk called Ash", want: []string{"hawk called Ash"}, name: "Ash"},
		{prompt: "a dwarf with a loyal dog named Rex", name: "Rex"},
		{prompt: "she owns a ship named Dawnrunner", want: []string{"ship named Dawnrunner"}, name: "Dawnrunner"},
		{prompt: "her sister called Mira vanished last winter", name: "Mira"},
		{prompt: "His horse's name is Thunder.", name: "Thunder"},
		{prompt: "she was once a court jester", want: []string{"court jester"}, not: []string{"as a court in", "a court before"}},
		{prompt: "a retired city guard seeking one last adventure", want: []string{"city guard"}, not: []string{"as a city in", "a city before"}},
		{prompt: "a former temple scribe", not: []string{"as a temple in", "a temple before"}},
		{prompt: "he worked as a palace cook", not: []string{"as a palace in", "a palace before"}},
		{prompt: "a former ship carpenter", not: []string{"as a ship in", "a ship before"}},
		{prompt: "a former sailor from Saltmere", want: []string{"Saltmere"}, not: []string{"sailor from"}},
		{prompt: "a former soldier seeking redemption", not: []string{"soldier seeking"}},
		{prompt: "once a royal falconer", want: []string{"royal falconer"}, not: []string{"as a royal in"}},
		{prompt: "raised by wolves in the deep forest", want: []string{"raised by wolves"}},
		{prompt: "grew up on a river barge", want: []string{"grew up on a river barge"}},
		{prompt: "born during a great storm at sea", want: []string{"born during a great storm"}},
		{prompt: "exiled from the dwarven halls for a crime she did not commit", want: []string{"exiled from the dwarven halls"}},
		{prompt: "an orphan who grew up in a temple of healing", not: orphanContradictions},
		{prompt: "an orphan raised on the streets", not: orphanContradictions},
		{prompt: "He was orphaned as a baby.", not: orphanContradictions},
		{prompt: "a noble orphan", not: orphanContradictions},
		{prompt: "orphaned by a plague", not: orphanContradictions},
		{prompt: "a criminal orphan from the docks", not: orphanContradictions},
	}
	for _, tc := range cases {
		t.Run(tc.prompt, func(t *testing.T) {
			for seed := range int64(10) {
				req := dnd.CharacterRequest{Type: dnd.TypeBackstory, Prompt: tc.prompt, Seed: &seed}
				if strings.Contains(tc.prompt, "noble") {
					req.Parameters.Background = "Noble"
				}
				out, err := g.Character(t.Context(), req)
				if err != nil {
					t.Fatal(err)
				}
				var b dnd.Backstory
				mustUnmarshal(t, out.Content, &b)
				story := strings.Join(append([]string{b.Backstory}, b.KeyEvents...), "\n")
				text := strings.Join(append([]string{story}, out.Warnings...), "\n")
				if tc.name != "" && strings.Contains(b.Character.Name, tc.name) {
					t.Errorf("seed %d: the character is named %q", seed, b.Character.Name)
				}
				for _, w := range tc.want {
					if !strings.Contains(story, w) {
						t.Errorf("seed %d: %q is not told in %q", seed, w, story)
					}
				}
				for _, w := range tc.not {
					if strings.Contains(text, w) {
						t.Errorf("seed %d: %q is told in %q", seed, w, text)
					}
				}
			}
		})
	}
}

// orphanContradictions are words of a life with a family.
var orphanContradictions = []string{"born to the family", "born heir", "family gave", "born into a family", "by a family", "family out into the winter", "family in the snow"}
