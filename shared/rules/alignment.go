package rules

import (
	"fmt"
	"slices"
	"strings"
)

var alignmentGrid = []string{
	"lawful good", "neutral good", "chaotic good",
	"lawful neutral", "neutral", "chaotic neutral",
	"lawful evil", "neutral evil", "chaotic evil",
}

// alignmentWeights favour heroes without ruling out villains when the
// alignment is picked from the seed.
var alignmentWeights = []int{3, 4, 3, 2, 3, 3, 1, 1, 1}

var alignmentSpellings = map[string]string{
	"lg": "lawful good", "ng": "neutral good", "cg": "chaotic good",
	"ln": "lawful neutral", "n": "neutral", "tn": "neutral", "cn": "chaotic neutral",
	"le": "lawful evil", "ne": "neutral evil", "ce": "chaotic evil",
	"true neutral": "neutral", "neutral neutral": "neutral",
	"unaligned": "unaligned",
}

// Alignments returns the nine alignments in grid order.
func Alignments() []string { return slices.Clone(alignmentGrid) }

// AcceptedAlignments describes the spellings CanonicalAlignment accepts.
const AcceptedAlignments = "lawful good, neutral good, chaotic good, lawful neutral, neutral (or true neutral), " +
	"chaotic neutral, lawful evil, neutral evil, chaotic evil, unaligned, or the initials LG, NG, CG, LN, N (or TN), CN, LE, NE, CE; " +
	"case, hyphens and underscores do not matter"

// CanonicalAlignment maps a spelling such as "LG", "Lawful-Good" or "true
// neutral" to the lower-case alignment name, or returns an error naming the
// accepted spellings.
func CanonicalAlignment(s string) (string, error) {
	key := strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == '-' || r == '_' || r == '/' || r == ' ' || r == '\t' || r == '\n'
	}), " ")
	if a, ok := alignmentSpellings[key]; ok {
		return a, nil
	}
	if slices.Contains(alignmentGrid, key) {
		return key, nil
	}
	return "", fmt.Errorf("unknown alignment; accepted: %s", AcceptedAlignments)
}

// resolveAlignment is the alignment asked for, or one drawn from the
// seed; a drawn one is never evil when notEvil (a paladin's oath asks
// for virtue).
func resolveAlignment(s string, seed int64, notEvil bool) (string, error) {
	if collapse(s) == "" {
		weights := alignmentWeights
		if notEvil {
			weights = slices.Clone(alignmentWeights)
			for i, a := range alignmentGrid {
				if strings.HasSuffix(a, " evil") {
					weights[i] = 0
				}
			}
		}
		r := rng(seed, "alignment")
		n := r.IntN(sum(weights))
		for i, w := range weights {
			if n < w {
				return alignmentGrid[i], nil
			}
			n -= w
		}
	}
	return CanonicalAlignment(s)
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}
