package offline

import (
	"math/rand/v2"
	"strings"
)

// personName builds a name in a race's style from syllables and word parts:
// given + family for most races, clan first for dragonborn, a single name
// (sometimes a virtue word) for tieflings. It returns the first name and
// the full name.
func (t *tables) personName(r *rand.Rand, style string) (first, full string) {
	ns, ok := t.names[style]
	if !ok {
		ns = t.names["human"]
	}
	if len(ns.StyleOf) > 0 {
		return t.personName(r, pick(r, ns.StyleOf))
	}
	if len(ns.Virtues) > 0 && r.IntN(10) < 4 {
		v := pick(r, ns.Virtues)
		return v, v
	}
	given := pick(r, ns.Starts)
	if len(ns.Middles) > 0 && r.IntN(10) < 3 {
		given += pick(r, ns.Middles)
	}
	given = joinSyllables(given, pick(r, ns.Ends))
	if len(ns.FamilyA) == 0 {
		return given, given
	}
	family := joinSyllables(pick(r, ns.FamilyA), pick(r, ns.FamilyB))
	if style == "dragonborn" {
		return given, family + " " + given
	}
	return given, given + " " + family
}

// joinSyllables joins two parts, dropping a doubled letter at the seam
// ("Thor" + "rik" → "Thorik") and keeping only the first letter capital.
func joinSyllables(a, b string) string {
	if a != "" && b != "" && strings.EqualFold(a[len(a)-1:], b[:1]) {
		b = b[1:]
	}
	s := strings.ToLower(a + b)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
