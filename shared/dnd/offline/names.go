package offline

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// personName builds a name in a race's style from syllables and word parts:
// given + family for most races, clan first for dragonborn, a single name
// (sometimes a virtue word) for tieflings. It returns the first name and
// the full name.
func (t *tables) personName(r *rand.Rand, style string) (first, full string) {
	return redraw(func() (string, string) { return t.drawName(r, style) }, unfitName)
}

// seriousName is personName for a villain or a priest: no name part that
// reads as a joke ("Whistlecap", "Fizzlebottom").
func (t *tables) seriousName(r *rand.Rand, style string) (first, full string) {
	return redraw(func() (string, string) { return t.personName(r, style) }, comicName)
}

// redraw draws a name until no word of it is bad, 50 times at most.
func redraw(draw func() (first, full string), bad func(word string) bool) (first, full string) {
	for range 50 {
		first, full = draw()
		if !slices.ContainsFunc(strings.Fields(full), bad) {
			break
		}
	}
	return first, full
}

// unfitNames are words the syllables can make that are crude, or are a
// modern English name that breaks the setting ("Stanley", "Ashley").
var unfitNames = themeWordSet(`fondle merkin dildo turd piss bum bumble wanker knob dick cock prick twat boob booby tit
stanley stanford ashley haley hailey marley hartley kingsley fairley marvin marilyn albert edna ashton
dalton milton kathy kathleen kevin karen dennis tammy randy`)

func unfitName(w string) bool { return unfitNames[strings.ToLower(w)] }

// comicParts are name parts that suit a gnome tinker in a tavern, not a
// cult leader.
var comicParts = []string{"whistle", "wobble", "bottom", "nose", "fizz", "puddle", "tumble", "button", "pocket",
	"kettle", "bottle", "pot", "cap", "gadget", "sprocket", "cog", "nut", "mop", "tinker", "gather", "honey",
	"tea", "apple", "pip", "tock", "zle", "licker", "toe"}

func comicName(w string) bool {
	w = strings.ToLower(w)
	return slices.ContainsFunc(comicParts, func(p string) bool { return strings.Contains(w, p) })
}

func (t *tables) drawName(r *rand.Rand, style string) (first, full string) {
	ns, ok := t.names[style]
	if !ok {
		ns = t.names["human"]
	}
	if len(ns.StyleOf) > 0 {
		return t.drawName(r, pick(r, ns.StyleOf))
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

// seriousRole reports whether a role is one no one jokes about: a priest,
// a cult's leader, a lord.
func seriousRole(role string) bool {
	role = strings.ToLower(role)
	return slices.ContainsFunc([]string{"priest", "cult", "lord", "lady", "baron", "duke", "king", "queen", "leader", "abbot", "magistrate"},
		func(w string) bool { return strings.Contains(role, w) })
}
