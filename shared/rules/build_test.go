package rules

import (
	"encoding/json"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuildRejectsBadChoices(t *testing.T) {
	tests := []struct {
		name  string
		in    Choices
		field string
		want  string // part of the message
	}{
		{"level 0 is fine but 21 is not", Choices{Class: "Wizard", Level: 21}, "level", "between 1 and 20"},
		{"negative level", Choices{Class: "Wizard", Level: -3}, "level", "between 1 and 20"},
		{"another class's SRD subclass", Choices{Class: "Wizard", Subclass: "Champion", Level: 5}, "subclass", "Fighter subclass"},
		{"another class's non-SRD subclass", Choices{Class: "Wizard", Subclass: "Battle Master", Level: 5}, "subclass", "Fighter subclass"},
		{"hexblade is a warlock's", Choices{Class: "Rogue", Subclass: "The Hexblade", Level: 5}, "subclass", "Warlock subclass"},
		{"another race's subrace", Choices{Race: "Elf", Subrace: "Hill Dwarf"}, "subrace", "Dwarf subrace"},
		{"unknown alignment", Choices{Alignment: "chaotic stupid"}, "alignment", "lawful good"},
		{"unknown method", Choices{Method: "4d6"}, "method", "pointbuy"},
		{"unknown style", Choices{Class: "Wizard", Style: "berserk"}, "style", "evoker"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(tc.in)
			var ie *InputError
			if !errors.As(err, &ie) || !errors.Is(err, ErrInvalidChoice) {
				t.Fatalf("Build(%+v) = %v, want an *InputError", tc.in, err)
			}
			if ie.Field != tc.field || !strings.Contains(ie.Message, tc.want) {
				t.Errorf("Build(%+v) = %q on %q, want field %q mentioning %q", tc.in, ie.Message, ie.Field, tc.field, tc.want)
			}
			if got := tc.in.Valid(); got[tc.field] == "" {
				t.Errorf("Valid() = %v, want a problem on %q", got, tc.field)
			}
		})
	}
}

func TestValidListsEveryProblem(t *testing.T) {
	c := Choices{Class: "Wizard", Subclass: "Champion", Level: 30, Alignment: "sideways"}
	got := c.Valid()
	for _, f := range []string{"level", "subclass", "alignment"} {
		if got[f] == "" {
			t.Errorf("Valid() = %v, want a problem on %q", got, f)
		}
	}
	if got := (Choices{Class: "Wizard", Level: 3}).Valid(); len(got) != 0 {
		t.Errorf("Valid() = %v, want none", got)
	}
}

func TestBuildWarnsWhenNotSRD(t *testing.T) {
	tests := []struct {
		name   string
		in     Choices
		check  func(Sheet) string // returns a problem or ""
		warned string
	}{
		{"non-SRD race keeps its name with the closest rules", Choices{Race: "Goliath", Class: "Fighter", Level: 3},
			func(s Sheet) string {
				if s.Race != "Goliath" || !hasFeature(s, "Relentless Endurance") {
					return "want Goliath with Half-Orc traits"
				}
				return ""
			}, "Half-Orc"},
		{"unknown race plays as a human", Choices{Race: "Space Hamster", Class: "Fighter", Level: 3},
			func(s Sheet) string {
				if s.Race != "Space Hamster" || !hasFeature(s, "Versatile") {
					return "want the name kept and Human traits"
				}
				return ""
			}, "Human"},
		{"non-SRD subrace", Choices{Race: "Wood Elf", Class: "Ranger", Level: 3},
			func(s Sheet) string {
				if s.Race != "Elf" || s.Subrace != "Wood Elf" || !hasFeature(s, "Elf Weapon Training") {
					return "want Elf / Wood Elf with the High Elf's traits"
				}
				return ""
			}, "High Elf"},
		{"non-SRD subclass of the right class", Choices{Class: "Fighter", Subclass: "Battle Master", Level: 5},
			func(s Sheet) string {
				if s.Subclass != "Battle Master" || !hasFeature(s, "Improved Critical") {
					return "want Battle Master with the Champion's features"
				}
				return ""
			}, "Champion"},
		{"unknown subclass", Choices{Class: "Wizard", Subclass: "Pastry Magic", Level: 5},
			func(s Sheet) string {
				if s.Subclass != "Pastry Magic" || !hasFeature(s, "Sculpt Spells") {
					return "want the name kept with Evocation features"
				}
				return ""
			}, "unknown"},
		{"non-SRD class", Choices{Class: "Artificer", Level: 5},
			func(s Sheet) string {
				if s.Class != "Artificer" || s.Spellcasting == nil || s.Spellcasting.Ability != "Intelligence" {
					return "want Artificer played as a wizard"
				}
				return ""
			}, "Wizard"},
		{"a subclass given as the class", Choices{Class: "Berserker", Level: 5},
			func(s Sheet) string {
				if s.Class != "Barbarian" || s.Subclass != "Berserker" {
					return "want a Barbarian of the Berserker path"
				}
				return ""
			}, "Barbarian subclass"},
		{"background stand-in", Choices{Background: "Pirate", Class: "Rogue"},
			func(s Sheet) string {
				if s.Background != "Pirate" || !hasFeature(s, "Working Passage") {
					return "want Pirate with the Sailor's feature"
				}
				return ""
			}, "Sailor"},
		{"unknown background", Choices{Background: "Astronaut", Class: "Wizard"},
			func(s Sheet) string {
				if s.Background != "Astronaut" {
					return "want the name kept"
				}
				return ""
			}, "Astronaut"},
		{"subclass before its level", Choices{Class: "Fighter", Subclass: "Champion", Level: 1},
			func(s Sheet) string {
				if s.Subclass != "Champion" || hasFeature(s, "Improved Critical") {
					return "want the subclass named without its features"
				}
				return ""
			}, "level 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Build(tc.in)
			if err != nil {
				t.Fatalf("Build(%+v) = %v", tc.in, err)
			}
			if p := tc.check(s); p != "" {
				t.Errorf("Build(%+v): %s; got race %q/%q class %q/%q background %q", tc.in, p, s.Race, s.Subrace, s.Class, s.Subclass, s.Background)
			}
			if !slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.Contains(w, tc.warned) }) {
				t.Errorf("Build(%+v).Warnings = %q, want one mentioning %q", tc.in, s.Warnings, tc.warned)
			}
		})
	}
}

func TestBuildAcceptsSpellings(t *testing.T) {
	tests := []struct {
		in                            Choices
		race, subrace, class, subclss string
		alignment                     string
	}{
		{Choices{Race: "high elf", Class: "WIZARD", Subclass: "School of Evocation", Alignment: "LG", Level: 3}, "Elf", "High Elf", "Wizard", "Evocation", "lawful good"},
		{Choices{Race: "Dwarf", Subrace: "hill", Class: "cleric", Subclass: "life domain", Alignment: "true neutral", Level: 1}, "Dwarf", "Hill Dwarf", "Cleric", "Life", "neutral"},
		{Choices{Race: "red dragonborn", Class: "Sorcerer", Subclass: "draconic", Alignment: "Chaotic-Good", Level: 1}, "Dragonborn", "Red", "Sorcerer", "Draconic Bloodline", "chaotic good"},
		{Choices{Race: "Half Orc", Class: "Barbarian", Subclass: "Path of the Berserker", Alignment: "ne", Level: 3}, "Half-Orc", "", "Barbarian", "Berserker", "neutral evil"},
	}
	for _, tc := range tests {
		s, err := Build(tc.in)
		if err != nil {
			t.Fatalf("Build(%+v) = %v", tc.in, err)
		}
		got := []string{s.Race, s.Subrace, s.Class, s.Subclass, s.Alignment}
		want := []string{tc.race, tc.subrace, tc.class, tc.subclss, tc.alignment}
		if diff := cmp.Diff(want, got); diff != "" || len(s.Warnings) > 0 {
			t.Errorf("Build(%+v) identity (-want +got):\n%s warnings %q", tc.in, diff, s.Warnings)
		}
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	differs := 0
	for i := range 200 {
		c := randomChoices(r, int64(i))
		c.Race, c.Class, c.Level = "", "", 0 // let the seed choose too
		a, err := Build(c)
		if err != nil {
			t.Fatalf("Build(%+v) = %v", c, err)
		}
		b, _ := Build(c)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("Build(%+v) twice differs (-first +second):\n%s", c, diff)
		}
		c.Seed++
		other, _ := Build(c)
		if !cmp.Equal(a, other) {
			differs++
		}
	}
	if differs < 190 {
		t.Errorf("only %d of 200 sheets changed with the seed", differs)
	}
}

func TestSheetJSONShape(t *testing.T) {
	s, err := Build(Choices{Class: "Fighter", Race: "Goliath", Level: 5, Seed: 1, Name: "Brom"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "pronouns", "race", "subrace", "class", "subclass", "level", "background", "alignment",
		"ability_scores", "proficiency_bonus", "hit_points", "hit_dice", "armor_class", "initiative", "speed",
		"passive_perception", "saving_throws", "skills", "languages", "attacks", "spellcasting", "features", "equipment", "rules"} {
		if _, ok := m[k]; !ok {
			t.Errorf("sheet JSON lacks %q", k)
		}
	}
	if _, ok := m["warnings"]; ok || len(s.Warnings) == 0 {
		t.Errorf("warnings must stay outside the sheet JSON: JSON has them %v, sheet has %q", ok, s.Warnings)
	}
	if m["rules"] != "srd-5.1" || m["spellcasting"] != nil {
		t.Errorf("rules = %v, spellcasting = %v; want srd-5.1 and null for a fighter", m["rules"], m["spellcasting"])
	}
}

func TestOptionsAreFacts(t *testing.T) {
	tests := []struct {
		in        Choices
		first     string // name of the first option
		firstKind string
	}{
		{Choices{Class: "Warlock", Level: 5, Seed: 1}, "Eldritch Blast", OptionAttack},
		{Choices{Class: "Fighter", Style: "duelist", Level: 5, Seed: 1}, "Rapier", OptionAttack},
		{Choices{Class: "Wizard", Level: 5, Seed: 1}, "", OptionAttack},
	}
	for _, tc := range tests {
		s, err := Build(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		opts := s.Options()
		if len(opts) == 0 || tc.first != "" && opts[0].Name != tc.first || opts[0].Kind != tc.firstKind {
			t.Errorf("Build(%+v).Options()[0] = %+v, want %s %q", tc.in, opts[0], tc.firstKind, tc.first)
		}
		for _, o := range opts {
			if o.Name == "Extra Attack" || o.Name == "Arcane Recovery" {
				t.Errorf("Build(%+v).Options() offers passive %s", tc.in, o.Name)
			}
		}
		if sig := s.Signature(3); len(sig) != 3 || sig[0].Kind != OptionAttack {
			t.Errorf("Build(%+v).Signature(3) = %+v", tc.in, sig)
		}
	}
	s, _ := Build(Choices{Class: "Fighter", Style: "duelist", Level: 5, Seed: 1})
	if s.Attacks[0].Kind != KindMeleeWeapon || s.PreferredRange != "melee" {
		t.Errorf("a rapier fighter's first attack is %+v, range %s; want melee", s.Attacks[0], s.PreferredRange)
	}
}

func TestPointBuysCost27(t *testing.T) {
	cost := map[int]int{8: 0, 9: 1, 10: 2, 11: 3, 12: 4, 13: 5, 14: 7, 15: 9}
	for _, arr := range append(pointBuys, standardArray) {
		total := 0
		for _, v := range arr {
			total += cost[v]
		}
		if total != 27 {
			t.Errorf("point-buy spread %v costs %d, want 27", arr, total)
		}
	}
}

func TestDataIsConsistent(t *testing.T) {
	if _, err := load(); err != nil {
		t.Fatal(err)
	}
	// Every class can fill its spell list at every level with the data.
	for _, cl := range Classes() {
		for lvl := 1; lvl <= MaxLevel; lvl++ {
			s, err := Build(Choices{Class: cl, Level: lvl, Seed: int64(lvl), Alignment: "lg"})
			if err != nil {
				t.Fatal(err)
			}
			if sc := s.Spellcasting; sc != nil && len(sc.Cantrips) != sc.CantripsKnown {
				t.Errorf("%s %d: %d cantrips for %d known", cl, lvl, len(sc.Cantrips), sc.CantripsKnown)
			}
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	choices := make([]Choices, 256)
	for i := range choices {
		choices[i] = randomChoices(r, int64(i))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Build(choices[i%len(choices)]); err != nil {
			b.Fatal(err)
		}
	}
}

func TestGoodCastersDoNotRaiseUndead(t *testing.T) {
	for seed := range int64(60) {
		for _, cl := range []string{"Cleric", "Wizard", "Warlock", "Bard"} {
			c := Choices{Class: cl, Level: 20, Seed: seed, Alignment: "lawful good"}
			s, err := Build(c)
			if err != nil {
				t.Fatal(err)
			}
			for _, sp := range s.Spellcasting.Spells {
				if sp.Name == "Animate Dead" || sp.Name == "Create Undead" {
					t.Errorf("Build(%+v) knows %s", c, sp.Name)
				}
			}
		}
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestExampleSheet keeps a whole level 5 sheet as JSON, both as the example
// of the shape and to show every change to a sheet in review.
func TestExampleSheet(t *testing.T) {
	s, err := Build(Choices{
		Name: "Brenna Stonehelm", Pronouns: "she/her", Race: "Hill Dwarf", Class: "Cleric",
		Background: "Acolyte", Alignment: "LG", Level: 5, Seed: 114,
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const path = "testdata/cleric5.golden.json"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("sheet differs from %s (-want +got):\n%s", path, diff)
	}
}

func TestSubclassOwnersAreOrdered(t *testing.T) {
	if got, want := SubclassClasses("Path of Wild Magic"), []string{"Barbarian", "Sorcerer"}; !slices.Equal(got, want) {
		t.Errorf("SubclassClasses(Path of Wild Magic) = %v, want %v", got, want)
	}
	if got := SubclassClasses("School of Divination"); !slices.Equal(got, []string{"Wizard"}) {
		t.Errorf("SubclassClasses(School of Divination) = %v, want [Wizard]", got)
	}
}

// TestBuildConcurrently shares the tables between goroutines; run it with
// -race to check that Build never writes to them.
func TestBuildConcurrently(t *testing.T) {
	want, _ := Build(Choices{Class: "Bard", Level: 18, Seed: 9})
	done := make(chan Sheet)
	for i := range 8 {
		go func() {
			r := rand.New(rand.NewPCG(uint64(i), 1))
			for j := range 50 {
				Build(randomChoices(r, int64(j)))
			}
			s, _ := Build(Choices{Class: "Bard", Level: 18, Seed: 9})
			done <- s
		}()
	}
	for range 8 {
		if got := <-done; !cmp.Equal(want, got) {
			t.Errorf("Build in a goroutine differs:\n%s", cmp.Diff(want, got))
		}
	}
}
