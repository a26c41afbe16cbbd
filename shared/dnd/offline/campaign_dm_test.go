package offline

import (
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/encounter"
)

// dmThemes are campaign themes a game master wrote, in their own words.
var dmThemes = []string{
	"a haunted lighthouse where smugglers vanish", "giants raiding the hill farms after a storm",
	"a tournament at the duke's castle goes wrong", "a haunted forest where the trees walk",
	"githyanki raiders on red dragons over the astral sea", "a frontier town beset by goblins",
	"a hag coven stealing children from a marsh village", "undead in a drowned city",
	"a vampire lord ruling a misty valley", "devils bargaining in a city", "a beholder's lair under a merchant city",
}

// TestThemeWarningsNameContentWords checks the campaign_theme warnings of
// many worlds: an ignored word is never a function word ("where",
// "after", "goes", "wrong"), and the githyanki, who are humanoids, are not
// stood in by aberrations.
func TestThemeWarningsNameContentWords(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range 200 {
		theme := dmThemes[seed%len(dmThemes)]
		c, _ := world(t, g, theme, seed)
		for _, w := range c.warnings {
			if strings.Contains(w, "aberrations stand in") && strings.Contains(w, "githyanki") {
				t.Fatalf("seed %d %q: %q: githyanki are humanoids", seed, theme, w)
			}
			if !strings.Contains(w, "ignored") {
				continue
			}
			for _, q := range strings.Split(w, `"`)[1:] {
				if isFunctionWord(q) {
					t.Fatalf("seed %d %q: warning %q names the function word %q", seed, theme, w, q)
				}
			}
		}
	}
	for _, m := range encounter.Monsters() {
		if m.HasTag(encounter.FamilyTags(encounter.ThemeHints("githyanki").Families[0])...) && m.Type != "humanoid" {
			t.Errorf("githyanki stand-in %s is a %s, want humanoids", m.Name, m.Type)
		}
	}
}
