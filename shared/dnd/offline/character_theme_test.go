package offline

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// TestThemeSparesDarkDeeds checks themed characters, evil ones among them:
// a sentence that tells of cruelty, ruin or betrayal gets no themed
// flourish ("in a deed worthy of legend"), an evil character's backstory
// gets no aside ("Truly, this is an age of heroes."), and flaws and
// secrets keep their sentences as written.
func TestThemeSparesDarkDeeds(t *testing.T) {
	t.Parallel()
	g := New()
	dark := regexp.MustCompile(`(?i)\b(terrible|cruel\w*|ruined|killed|betrayed|satisfaction|regret)\b`)
	themes := []dnd.Theme{{Genre: "horror", Tone: "whimsical"}, {Tone: "dark"}, {Genre: "high fantasy", Tone: "heroic"}, {Genre: "pirate"}}
	alignments := []string{"neutral evil", "chaotic evil", "lawful evil", "chaotic good"}
	for i := range 48 {
		theme := themes[i%len(themes)]
		var flourishes, asides []string
		for _, lx := range g.t.restyle.resolve(theme) {
			flourishes = append(flourishes, lx.closers...)
			flourishes = append(flourishes, lx.openers...)
			asides = append(asides, lx.asides...)
		}
		seed := int64(i)*4241 + 9
		req := dnd.CharacterRequest{Type: dnd.TypeSheet, Parameters: dnd.CharacterParams{Alignment: alignments[i/len(themes)%len(alignments)]}, Theme: theme, Seed: &seed}
		out, err := g.Character(context.Background(), req)
		if err != nil {
			t.Fatalf("sheet %d: %v", i, err)
		}
		var sheet dnd.Sheet
		mustUnmarshal(t, out.Content, &sheet)
		docs := map[string]json.RawMessage{}
		for _, typ := range []string{dnd.TypeBackstory, dnd.TypePersonality} {
			s := seed + 1
			o, err := g.Character(context.Background(), dnd.CharacterRequest{Type: typ, Character: out.Content, Theme: theme, Seed: &s})
			if err != nil {
				t.Fatalf("%s %d: %v", typ, i, err)
			}
			docs[typ] = o.Content
		}
		var b dnd.Backstory
		var pers dnd.Personality
		mustUnmarshal(t, docs[dnd.TypeBackstory], &b)
		mustUnmarshal(t, docs[dnd.TypePersonality], &pers)
		plain := strings.Join(append(append(pers.Flaws, b.Secrets...), b.Backstory, b.Summary), "\n")
		for _, sentence := range regexp.MustCompile(`[.!?]\s+`).Split(plain, -1) {
			if !dark.MatchString(sentence) && !strings.Contains(strings.Join(append(pers.Flaws, b.Secrets...), "\n"), sentence) {
				continue
			}
			for _, f := range flourishes {
				if f := strings.TrimSuffix(f, ","); f != "" && regexp.MustCompile(`\b`+regexp.QuoteMeta(f)+`\b`).MatchString(sentence) {
					t.Errorf("character %d (%v, %s): %q flourishes a dark deed, a flaw or a secret: %q", i, theme, sheet.Alignment, f, sentence)
				}
			}
		}
		if strings.HasSuffix(sheet.Alignment, "evil") {
			for _, a := range asides {
				if strings.Contains(b.Backstory, a) {
					t.Errorf("character %d (%v, %s): aside %q in an evil character's backstory", i, theme, sheet.Alignment, a)
				}
			}
		}
	}
}
