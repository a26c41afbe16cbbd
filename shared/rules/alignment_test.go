package rules

import (
	"slices"
	"strings"
	"testing"
)

// TestPaladinsKeepTheirOath checks that a paladin's alignment drawn from
// the seed is never evil, and that an evil one asked for is warned about
// while the paladin has the Oath of Devotion.
func TestPaladinsKeepTheirOath(t *testing.T) {
	t.Parallel()
	for seed := range int64(200) {
		s, err := Build(Choices{Class: "Paladin", Level: 5, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(s.Alignment, " evil") {
			t.Errorf("Build(paladin, seed %d).Alignment = %q, want a drawn paladin never evil", seed, s.Alignment)
		}
	}
	warned := func(s Sheet) bool {
		return slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.Contains(w, "Oath of Devotion") })
	}
	for _, tc := range []struct {
		in   Choices
		warn bool
	}{
		{Choices{Class: "Paladin", Level: 5, Alignment: "lawful evil"}, true},
		{Choices{Class: "Paladin", Level: 5, Alignment: "lawful good"}, false},
		{Choices{Class: "Paladin", Level: 2, Alignment: "neutral evil"}, false}, // no oath yet
		{Choices{Class: "Fighter", Level: 5, Alignment: "chaotic evil"}, false},
	} {
		s, err := Build(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if warned(s) != tc.warn {
			t.Errorf("Build(%+v).Warnings = %q, want a warning about the oath: %v", tc.in, s.Warnings, tc.warn)
		}
	}
}
