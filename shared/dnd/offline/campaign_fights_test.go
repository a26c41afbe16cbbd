package offline

import (
	"testing"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// TestNoFightPastTheDeadlyBand checks the fights of 1,000 locations: none
// is past half again the party's deadly threshold (labelled just
// "deadly", it would hide a massacre), and none is a crowd: at most 12
// monsters, 6 for level-1 characters and two more per level.
func TestNoFightPastTheDeadlyBand(t *testing.T) {
	t.Parallel()
	g := New()
	for seed := range campaignSeeds {
		theme := reviewThemes[seed%len(reviewThemes)]
		c, docs := world(t, g, theme, seed, dnd.TypeLocation)
		crowd := min(12, 4+2*c.level)
		for _, e := range docs[dnd.TypeLocation].(*dnd.Location).Encounters {
			n := 0
			for _, m := range e.Monsters {
				n += m.Count
			}
			if 2*e.AdjustedXP >= 3*e.PartyThresholds.Deadly {
				t.Errorf("seed %d %q: %q is %d adjusted XP, past 1.5 × the deadly threshold %d", seed, theme, e.Name, e.AdjustedXP, e.PartyThresholds.Deadly)
			}
			if n > crowd {
				t.Errorf("seed %d %q: %q has %d monsters for level-%d characters, more than %d", seed, theme, e.Name, n, c.level, crowd)
			}
		}
	}
}
