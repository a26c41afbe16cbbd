package encounter

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMonsterData(t *testing.T) {
	t.Parallel()
	if _, err := loadMonsters(); err != nil {
		t.Fatalf("loadMonsters: %v", err)
	}
	types := []string{"aberration", "beast", "celestial", "construct", "dragon", "elemental", "fey", "fiend", "giant", "humanoid", "monstrosity", "ooze", "plant", "undead"}
	envs := []string{"arctic", "coast", "desert", "forest", "grassland", "hill", "mountain", "swamp", "underdark", "underwater", "city", "ruins", "any"}
	ms := Monsters()
	if len(ms) < 200 {
		t.Errorf("%d monsters, want the SRD's common ones (200 or more)", len(ms))
	}
	for _, m := range ms {
		if want, ok := testXP[m.CR]; !ok || m.XP != want {
			t.Errorf("%s: CR %q XP %d, want %d", m.Name, m.CR, m.XP, want)
		}
		if m.Max < 0 || m.Max > MaxCreatures {
			t.Errorf("%s: max %d", m.Name, m.Max)
		}
		if !slices.Contains(types, m.Type) {
			t.Errorf("%s: creature type %q", m.Name, m.Type)
		}
		for _, e := range m.Environments {
			if !slices.Contains(envs, e) {
				t.Errorf("%s: environment %q", m.Name, e)
			}
		}
	}
	// Spot checks against the SRD.
	for name, cr := range map[string]string{"Goblin": "1/4", "Hill Giant": "5", "Adult Red Dragon": "17", "Werewolf": "3", "Aboleth": "10", "Balor": "19", "Pit Fiend": "20", "Lich": "21", "Tarrasque": "30", "Kobold": "1/8"} {
		if m, ok := Lookup(name); !ok || m.CR != cr {
			t.Errorf("Lookup(%q) = CR %q, %v; want CR %s", name, m.CR, ok, cr)
		}
	}
	if m, ok := Lookup("wolves"); !ok || m.Name != "Wolf" {
		t.Errorf("Lookup(wolves) = %q, %v; want Wolf", m.Name, ok)
	}
}

// Every family and terrain the hints know has SRD monsters behind it.
func TestEveryFamilyAndTerrainHasMonsters(t *testing.T) {
	t.Parallel()
	x, err := loadHints()
	if err != nil {
		t.Fatalf("loadHints: %v", err)
	}
	for _, f := range x.data.Families {
		n := 0
		for _, m := range Monsters() {
			if m.HasTag(f.Tags...) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("family %s: no monsters with tags %v", f.Key, f.Tags)
		}
		if f.Noun == "" || len(f.Factions) == 0 || len(f.SetPieces) == 0 {
			t.Errorf("family %s: needs a noun, factions and set pieces", f.Key)
		}
	}
	for _, g := range x.data.Terrains {
		n := 0
		for _, m := range Monsters() {
			if m.LivesIn(g.Environments...) && !m.LivesIn("nowhere") {
				n++
			}
		}
		if n < 10 || len(g.Factions) == 0 || len(g.SetPieces) == 0 {
			t.Errorf("terrain %s: %d monsters, want 10 or more, and factions and set pieces", g.Key, n)
		}
	}
	for _, key := range []string{"goblinoid", "undead", "demon", "devil", "aberration", "lycanthrope", "giant", "dragon", "fey", "cultist"} {
		if FamilyNoun(key) == "" || len(FamilyTags(key)) == 0 {
			t.Errorf("family %q is missing", key)
		}
	}
	if diff := cmp.Diff([]string{"desert"}, TerrainEnvironments("desert")); diff != "" {
		t.Errorf("TerrainEnvironments(desert) (-want +got):\n%s", diff)
	}
}
