package encounter

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestThemeHints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		words string
		want  Hints // Tags, Environments, Factions and SetPieces are checked separately
	}{
		{"frontier town beset by goblins", Hints{Families: []string{"goblinoid"}, Monsters: []string{"Goblin"}, Creatures: []string{"goblins"}, Terrains: []string{"frontier"}}},
		{"A demon cult in the capital", Hints{Families: []string{"demon", "cultist"}, Creatures: []string{"demon", "cult"}, Terrains: []string{"city"}}},
		{"infernal contracts with devils", Hints{Families: []string{"devil"}, Creatures: []string{"infernal", "devils"}}},
		{"a tomb in the desert", Hints{Terrains: []string{"ruins", "desert"}}},
		{"Werewolves stalk the village", Hints{Families: []string{"lycanthrope"}, Monsters: []string{"Werewolf"}, Creatures: []string{"werewolves"}}},
		{"mind flayers beneath the city", Hints{Families: []string{"aberration"}, Creatures: []string{"mind flayers"}, NotInSRD: []string{"mind flayers"}, Terrains: []string{"city"}}},
		{"giants of the frozen north", Hints{Families: []string{"giant"}, Creatures: []string{"giants"}, Terrains: []string{"arctic"}}},
		{"a red dragon's hoard", Hints{Families: []string{"dragon"}, Monsters: []string{"Red Dragon Wyrmling", "Young Red Dragon", "Adult Red Dragon", "Ancient Red Dragon"}, Creatures: []string{"red dragon", "hoard"}}},
		{"fey trickery in a swamp", Hints{Families: []string{"fey"}, Creatures: []string{"fey"}, Terrains: []string{"swamp"}}},
		{"pirates on the storm coast", Hints{Families: []string{"pirate"}, Creatures: []string{"pirates"}, Terrains: []string{"coast"}}},
		{"an expedition into the underdark", Hints{Terrains: []string{"underdark"}, Plots: []string{"exploration"}}},
		{"undead", Hints{Families: []string{"undead"}, Creatures: []string{"undead"}}},
		{"clockwork bees", Hints{Families: []string{"construct"}, Creatures: []string{"clockwork"}, Unknown: []string{"bees"}}},
		{"solarpunk utopia 2099", Hints{Unknown: []string{"solarpunk", "utopia"}}},
		{"the restless dead of Harrowmere", Hints{Families: []string{"undead"}, Creatures: []string{"dead"}, Unknown: []string{"Harrowmere"}}},
		{"", Hints{}},
	}
	ignore := cmpopts.IgnoreFields(Hints{}, "Tags", "Environments", "Factions", "SetPieces")
	for _, tc := range tests {
		got := ThemeHints(tc.words)
		if diff := cmp.Diff(tc.want, got, ignore, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ThemeHints(%q) mismatch (-want +got):\n%s", tc.words, diff)
		}
	}
	h := ThemeHints("frontier town beset by goblins")
	if diff := cmp.Diff([]string{"goblinoid"}, h.Tags); diff != "" {
		t.Errorf("goblin tags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"forest", "hill", "grassland"}, h.Environments); diff != "" {
		t.Errorf("frontier environments (-want +got):\n%s", diff)
	}
	if len(h.Factions) == 0 || len(h.SetPieces) == 0 {
		t.Errorf("ThemeHints(goblins) has no factions or set pieces: %+v", h)
	}
}

func FuzzThemeHints(f *testing.F) {
	for _, s := range []string{"frontier town beset by goblins", "mind flayers'", "-- ' ’s", "Werewolves!!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := ThemeHints(s)
		for _, w := range h.Unknown {
			if w == "" {
				t.Fatalf("ThemeHints(%q) lists an empty unknown word", s)
			}
		}
	})
}
