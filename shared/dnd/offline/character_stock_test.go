package offline

import (
	"context"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// TestStockLinesVary generates random whole characters and counts, for
// each line the writer draws from a short list (the line that closes a
// backstory's first paragraph, the coin line of the equipment notes, a
// caster's weakness, a flaw of the character's tier), how many characters
// say it: none may say the same in more than an eighth of them. A seer
// never seems to be called by the character's name.
func TestStockLinesVary(t *testing.T) {
	t.Parallel()
	g := New()
	var tmpls []string
	for k, v := range g.t.grammar {
		for _, sym := range []string{"race_note", "coin_line", "weak_caster", "milestone2"} {
			if k == sym || strings.HasPrefix(k, sym+"_") || strings.HasPrefix(k, sym+"@") {
				tmpls = append(tmpls, v...)
			}
		}
	}
	for _, tr := range g.t.persona.Tiers {
		tmpls = append(tmpls, tr.Flaws...)
	}
	const n = 120
	said := map[string]int{}
	for i := range n {
		seed := int64(31000 + i*7)
		sheet, err := g.Character(context.Background(), dnd.CharacterRequest{Type: dnd.TypeSheet, Seed: &seed})
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		for _, typ := range laterTypes {
			out, err := g.Character(context.Background(), dnd.CharacterRequest{Type: typ, Character: sheet.Content, Seed: &seed})
			if err != nil {
				t.Fatal(err)
			}
			var doc any
			mustUnmarshal(t, out.Content, &doc)
			for _, s := range stringsOf(doc) {
				text.WriteString(s + "\n")
			}
		}
		var lines []string
		for _, s := range strings.Split(text.String(), "\n") {
			lines = append(lines, sentences(s)...)
		}
		for _, tmpl := range tmpls {
			re := pattern(tmpl)
			for _, l := range lines {
				if re.MatchString(strings.TrimSpace(l)) {
					said[tmpl]++
					break
				}
			}
		}
		for _, l := range lines {
			if strings.Contains(l, "A seer named") {
				t.Errorf("character %d: a seer seems to be called by the character's name: %q", i, l)
			}
		}
	}
	for tmpl, c := range said {
		if c > n/8 {
			t.Errorf("%q is said by %d of %d characters, want at most %d", tmpl, c, n, n/8)
		}
	}
}
