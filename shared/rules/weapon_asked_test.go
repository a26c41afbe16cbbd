package rules

import (
	"slices"
	"strings"
	"testing"
)

// TestAskedWeaponIsCarried checks, for every class and many seeds, that a
// weapon asked for is on the sheet: wielded, with an attack, when the
// character fights well with it; carried, with a warning, otherwise.
func TestAskedWeaponIsCarried(t *testing.T) {
	t.Parallel()
	for _, class := range Classes() {
		for _, word := range []string{"scimitar", "axe", "harpoon", "bow", "archer", "spear", "greatsword", "fencer"} {
			for seed := int64(1); seed <= 12; seed++ {
				s, err := Build(Choices{Class: class, Weapon: word, Seed: seed * 31})
				if err != nil {
					t.Fatalf("Build(%s, %q) = %v", class, word, err)
				}
				means := WeaponsFor(word)
				named := func(name string) bool {
					return slices.ContainsFunc(means, func(w string) bool { return strings.Contains(name, w) })
				}
				attacks := slices.ContainsFunc(s.Attacks, func(a Attack) bool { return named(a.Name) })
				listed := slices.ContainsFunc(s.Equipment, func(it Item) bool { return it.Category == CatWeapon && named(it.Name) })
				warned := slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.HasPrefix(w, "weapon:") })
				switch {
				case !listed:
					t.Errorf("%s %s asked for %q: the sheet lists no %v", s.Race, class, word, means)
				case !attacks && !warned:
					t.Errorf("%s %s asked for %q: carried without an attack and without a warning", s.Race, class, word)
				case attacks && warned:
					t.Errorf("%s %s asked for %q: wielded, yet warned %q", s.Race, class, word, s.Warnings)
				}
			}
		}
	}
	if _, err := Build(Choices{Weapon: "banana"}); err == nil {
		t.Errorf("Build(Weapon: banana) = nil error, want one naming the weapon")
	}
}

// TestWeaponMentioned checks the weapon words a free text gives.
func TestWeaponMentioned(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"a sea captain whose ship was sunk by a kraken; he wields a harpoon": "harpoon",
		"a left-handed duelist who carries her mother's scimitar":            "scimitar",
		"a retired soldier who picks up his axe one last time":               "axe",
		"a blind elven archer":          "archer",
		"a noblewoman fencer":           "fencer",
		"fights with sword and shield":  "",
		"a wizard obsessed with cheese": "",
		"a fisherman from a frozen northern village who fights with a light crossbow": "light crossbow",
	}
	for text, want := range tests {
		if got := WeaponMentioned(text); got != want {
			t.Errorf("WeaponMentioned(%q) = %q, want %q", text, got, want)
		}
	}
}
