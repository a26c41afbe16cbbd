package dnd

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// The lore of a character is what its documents say beyond the numbers and
// must say alike: the god it serves, the trade it learned, the gear it
// carries. These checks are cheap enough to run on every answer; a
// contradiction they find is a ContentError the writer repairs.

// IdentitySeed is a seed drawn from who a character is: the same identity
// always gives the same seed, so a writer that draws a character's story
// (a home town, a god, a mentor) from it tells the same story in every
// document about them, however each document was asked for.
func IdentitySeed(id CharacterInfo) int64 { return identitySeed(id) }

// gearNouns map what a line may call a weapon, instrument or book to the
// words of the item names that are one: within a word ("sword" in
// Longsword) or, after "=", a whole word (a lute is no Flute).
var gearNouns = map[string][]string{
	"sword":     {"sword", "rapier", "scimitar", "blade"},
	"blade":     {"sword", "rapier", "scimitar", "dagger", "blade", "axe", "sickle", "knife"},
	"axe":       {"axe"},
	"bow":       {"bow"},
	"hammer":    {"hammer", "maul"},
	"spear":     {"spear", "pike", "trident", "javelin", "halberd", "glaive"},
	"dagger":    {"dagger", "knife"},
	"mace":      {"mace", "morningstar"},
	"staff":     {"staff"},
	"shield":    {"shield"},
	"lute":      {"=lute"},
	"flute":     {"flute"},
	"drum":      {"=drum"},
	"spellbook": {"spellbook"},
}

// gearOwned finds a weapon, instrument or book a line says is the
// character's own: "my old sergeant's sword", "her blade", "their lute".
var gearOwned = regexp.MustCompile(`(?i)\b(?:my|her|his|their) (?:(?:[a-z]+'s|old|own|trusty|battered|beloved|faithful) )*(sword|blade|axe|bow|hammer|spear|dagger|mace|staff|shield|lute|flute|drum|spellbook)s?\b`)

// GearNotCarried returns the weapon, instrument or book text says is the
// character's own that none of items is ("sword" for "my old sergeant's
// sword hangs at my hip" when the character carries a flail), or "".
func GearNotCarried(text string, items []string) string {
	for _, m := range gearOwned.FindAllStringSubmatch(text, -1) {
		noun := strings.ToLower(m[1])
		if !Carries(items, noun) {
			return noun
		}
	}
	return ""
}

// Carries reports whether one of items is the kind of gear noun names
// ("sword" is carried as a Longsword or a Rapier).
func Carries(items []string, noun string) bool {
	words := gearNouns[noun]
	if words == nil {
		words = []string{noun}
	}
	return slices.ContainsFunc(items, func(it string) bool {
		l := strings.ToLower(it)
		return slices.ContainsFunc(words, func(w string) bool {
			if whole, ok := strings.CutPrefix(w, "="); ok {
				return slices.Contains(strings.FieldsFunc(l, func(r rune) bool { return r < 'a' || r > 'z' }), whole)
			}
			return strings.Contains(l, w)
		})
	})
}

// itemNames are the names of a sheet's items.
func itemNames(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Name
	}
	return out
}

// deityRe finds the god a text says the character serves: "the symbol of
// the Lantern Mother", "an altar to Orrund the Smith", "raised in the
// temple of Keth of the Crossroads". devotionRe is the narrower set the
// checks use: words that make a god the character's own, never a temple
// the character merely passed or robbed.
var (
	deityRe    = regexp.MustCompile(`\b(?:[Ss]ymbol|[Aa]ltar|[Ss]hrine|[Tt]emple|[Pp]rayers?|[Pp]rayer book|[Pp]riests?|[Vv]estments|[Rr]ites) (?:of|to) ` + godName)
	devotionRe = regexp.MustCompile(`\b(?:[Hh]oly symbol|[Ss]ymbol|[Pp]rayers|[Vv]estments) (?:of|to) ` + godName)
)

const godName = `((?:the )?\p{Lu}[\p{L}'’-]+(?: (?:of the|of|the) \p{Lu}[\p{L}'’-]+| \p{Lu}[\p{L}'’-]+)*)`

// DeityNamed returns the god a text names as the character's ("the
// Wandering Star" in "raised in the temple of the Wandering Star"), or "".
func DeityNamed(text string) string {
	if m := deityRe.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}

// toolTrades name the trade of the artisan's tools a character carries.
var toolTrades = map[string]string{
	"Smith's Tools": "smith", "Carpenter's Tools": "carpenter", "Brewer's Supplies": "brewer", "Cobbler's Tools": "cobbler",
	"Cook's Utensils": "cook", "Leatherworker's Tools": "leatherworker", "Mason's Tools": "mason", "Potter's Tools": "potter",
	"Tinker's Tools": "tinker", "Weaver's Tools": "weaver", "Woodcarver's Tools": "woodcarver", "Jeweler's Tools": "jeweller",
	"Glassblower's Tools": "glassblower", "Alchemist's Supplies": "alchemist", "Calligrapher's Supplies": "calligrapher",
	"Cartographer's Tools": "cartographer", "Painter's Supplies": "painter",
}

// ToolTrade is the trade the first artisan's tools among items belong to
// ("carpenter" for Carpenter's Tools), and the tools; "" for none.
func ToolTrade(items []string) (trade, tools string) {
	for _, it := range items {
		if t, ok := toolTrades[it]; ok {
			return t, it
		}
	}
	return "", ""
}

// promptPronounsWarning says when the prompt calls the character by other
// pronouns than the request gives: the request's pronouns are kept. given
// is "" when the request left the pronouns open.
func promptPronounsWarning(prompt, given string) []string {
	said := PronounsMentioned(prompt)
	if said == "" || given == "" || said == strings.ToLower(given) {
		return nil
	}
	subj, _, _ := strings.Cut(said, "/")
	return []string{fmt.Sprintf("prompt: it calls the character %q, but the character's pronouns are %s; the content keeps %s", subj, given, given)}
}

// checkLore finds what a draft's words, by field, say against the
// character: a god other than the one the sheet names and, when gear is
// set, gear the sheet does not list named as the character's own (a bond
// or a trait says what the character has; a story may tell of a sword
// lost long ago).
func (c *Character) checkLore(texts map[string][]string, gear bool) error {
	items := itemNames(c.content().Equipment)
	god := c.SheetDeity()
	for _, field := range slices.Sorted(maps.Keys(texts)) {
		for _, t := range texts[field] {
			if g := GearNotCarried(t, items); gear && g != "" {
				return &ContentError{Field: field, Message: fmt.Sprintf("names a %s as the character's own, but the sheet lists no %s; name only gear the sheet lists", g, g)}
			}
			if m := devotionRe.FindStringSubmatch(t); god != "" && m != nil && !sameWords(m[1], god) {
				d := m[1]
				return &ContentError{Field: field, Message: fmt.Sprintf("names %s as the character's god, but the sheet says %s", d, god)}
			}
		}
	}
	return nil
}

// SheetDeity is the god the words of the sheet the request sent name, or
// "" when it sent none or they name none.
func (c *Character) SheetDeity() string {
	if c.Given == nil {
		return ""
	}
	return DeityNamed(strings.Join(c.Given.words(), "\n"))
}

// words are the sheet's prose: looks, personality, and what it says of
// each attack and item.
func (s *Sheet) words() []string {
	out := []string{s.Appearance, s.Personality}
	for _, a := range s.Attacks {
		out = append(out, a.Description)
	}
	for _, it := range s.Equipment {
		out = append(out, it.Description)
	}
	return out
}

// lore are prompt lines on what the character's documents must keep: the
// god, the trade and what the sheet already says.
func (c *Character) lore() []string {
	var out []string
	if god := c.SheetDeity(); god != "" {
		out = append(out, "God: "+god+" (as the sheet's words say); name no other god as theirs")
	}
	if trade, tools := ToolTrade(itemNames(c.content().Equipment)); trade != "" {
		out = append(out, fmt.Sprintf("Trade before adventuring: %s (the sheet lists %s); give them no other trade", trade, tools))
	}
	if c.Sheet.Level <= 4 {
		out = append(out, "History: at this level the character is barely past their first adventures; no long careers, decades of service or famous deeds")
	}
	if s := c.Given; s != nil {
		out = append(out, "Looks, as the sheet says: "+cmp.Or(s.Appearance, "(not given)"))
		if s.Personality != "" {
			out = append(out, "Manner, as the sheet says: "+s.Personality)
		}
	}
	return out
}
