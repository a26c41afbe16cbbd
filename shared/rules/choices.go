package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Choices are what a player decides about a character. Every field is
// optional: an empty one is chosen from Seed, so the same Choices always
// give the same Sheet.
type Choices struct {
	Name     string
	Pronouns string // default "they/them"

	// Race, Subrace, Class, Subclass and Background take SRD names or
	// common spellings ("High Elf" as a race sets the subrace too). A name
	// outside the SRD is kept on the sheet and played with the closest SRD
	// rules; Sheet.Warnings says so. For a Dragonborn the subrace is the
	// dragon ancestry ("Red"); for a Half-Elf the two +1 bonuses go where
	// the class needs them.
	Race, Subrace, Class, Subclass, Background string

	Alignment string // e.g. "lawful good", "LG", "true neutral"; see Alignments
	Level     int    // 1–20; 0 picks 1–10 from the seed
	Seed      int64

	// Method is how the ability scores are generated: "standard" (the
	// standard array 15, 14, 13, 12, 10, 8; the default) or "pointbuy" (a
	// 27-point spread picked from the seed).
	Method string

	// Style picks one of the class's ways to fight, e.g. "archer" for a
	// Fighter; empty picks one from the seed. Styles lists them.
	Style string

	// Weapon is a weapon the player asked for, as WeaponMentioned returns
	// it: an SRD weapon ("scimitar"), a kind ("axe", "harpoon") or someone
	// who fights with one ("archer"). The character wields the first weapon
	// it means that the character fights well with; otherwise it carries
	// it, and Sheet.Warnings says so. Empty lets the build choose.
	Weapon string

	// Trade is an artisan's trade the player named ("brewer"): a Guild
	// Artisan carries and is proficient with that trade's tools in place of
	// the smith's. TradeMentioned reads it from a text.
	Trade string
}

// ErrInvalidChoice is matched (errors.Is) by every *InputError.
var ErrInvalidChoice = errors.New("rules: invalid choice")

// InputError says which choice cannot be used and why. Field is the
// lower-case name of the Choices field ("level", "subclass", ...). Both
// parts are safe to show a caller.
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalidChoice) true.
func (e *InputError) Is(target error) bool { return target == ErrInvalidChoice }

// Valid reports every choice that cannot be used, keyed by field name; it is
// empty when Build would succeed.
func (c Choices) Valid() map[string]string {
	_, errs := resolve(c)
	out := map[string]string{}
	for _, e := range errs {
		out[e.Field] = e.Message
	}
	return out
}

// Styles returns the fighting styles Choices.Style accepts for a class (any
// spelling Build accepts), or nil for a class it does not know.
func Styles(class string) []string {
	cl := tbl.classByName(class)
	if cl == nil {
		return nil
	}
	var out []string
	for _, b := range cl.Builds {
		out = append(out, b.Name)
	}
	return out
}

// Classes returns the SRD class names.
func Classes() []string { return names(tbl.classes, func(c classData) string { return c.Name }) }

// Races returns the SRD race names.
func Races() []string { return names(tbl.races, func(r raceData) string { return r.Name }) }

// Backgrounds returns the backgrounds the rules know: the SRD's Acolyte and
// the others described in this package's own words.
func Backgrounds() []string {
	return names(tbl.backgrounds, func(b backgroundData) string { return b.Name })
}

func names[T any](xs []T, name func(T) string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, name(x))
	}
	return out
}

// SubclassClasses returns the classes a subclass name belongs to, for the
// SRD subclasses and the common non-SRD ones the rules know ("Battle Master"
// → Fighter; "Wild Magic" → Barbarian and Sorcerer), or nil.
func SubclassClasses(subclass string) []string {
	return slices.Clone(tbl.subclassOf[tbl.subclassKey(subclass)])
}

// resolved is Choices mapped onto the tables.
type resolved struct {
	name, pronouns      string
	race                *raceData
	sub                 *subraceData
	raceName, subName   string
	class               *classData
	className, subclass string // subclass as shown; may be empty below its level
	subclassAsked       bool
	bg                  *backgroundData
	bgName              string
	alignment           string
	level               int
	seed                int64
	pointBuy            bool
	build               *buildData
	askedWeapon         []string // the SRD weapons Choices.Weapon may mean, likeliest first
	trade               string
	warnings            []string
}

// resolve maps every choice onto the tables, filling empty ones from the
// seed, and returns each problem it finds in field order.
func resolve(c Choices) (*resolved, []*InputError) {
	r := &resolved{seed: c.Seed, name: collapse(c.Name), pronouns: collapse(c.Pronouns), trade: c.Trade}
	if r.pronouns == "" {
		r.pronouns = "they/them"
	}
	var errs []*InputError
	fail := func(field, format string, args ...any) {
		errs = append(errs, &InputError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	r.level = c.Level
	switch {
	case c.Level == 0:
		r.level = 1 + rng(c.Seed, "level").IntN(10)
	case c.Level < 1 || c.Level > MaxLevel:
		fail("level", "must be between 1 and %d", MaxLevel)
		r.level = 1
	}
	if msg := r.resolveRace(c.Race, c.Subrace); msg != "" {
		fail("subrace", "%s", msg)
	}
	subclass := r.resolveClass(c.Class, c.Subclass)
	if msg := r.resolveSubclass(subclass); msg != "" {
		fail("subclass", "%s", msg)
	}
	r.resolveBackground(c.Background)
	paladin := r.class.Name == "Paladin"
	a, err := resolveAlignment(c.Alignment, c.Seed, paladin)
	if err != nil {
		fail("alignment", "%s", err.Error())
	}
	r.alignment = a
	if paladin && strings.HasSuffix(a, " evil") && r.subclass == r.class.Subclass.Name {
		r.warnf("alignment %q clashes with the %s: its tenets are honesty, courage, compassion, honor and duty, and the SRD 5.1 has no other oath; the paladin keeps the oath's features", a, r.class.Subclass.FullName)
	}
	switch normalize(c.Method) {
	case "", "standard", "standard array", "array":
	case "pointbuy", "point buy":
		r.pointBuy = true
	default:
		fail("method", `must be "standard" or "pointbuy"`)
	}
	if w := collapse(c.Weapon); w != "" {
		if r.askedWeapon = askedWeapons(w); r.askedWeapon == nil {
			fail("weapon", "names no SRD weapon")
		}
	}
	if !r.resolveStyle(c.Style) {
		fail("style", "must be one of: %s", strings.Join(Styles(r.class.Name), ", "))
	}
	return r, errs
}

func (r *resolved) warnf(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
}

// matches reports whether s names one of the given spellings.
func matches(s string, names ...[]string) bool {
	n := normalize(s)
	for _, list := range names {
		for _, x := range list {
			if normalize(x) == n {
				return true
			}
		}
	}
	return false
}

func (t *tables) classByName(s string) *classData {
	for i := range t.classes {
		if matches(s, []string{t.classes[i].Name}, t.classes[i].Aliases) {
			return &t.classes[i]
		}
	}
	return nil
}

func (r *resolved) resolveClass(text, subclass string) string {
	text = collapse(text)
	if text == "" {
		r.class = &tbl.classes[rng(r.seed, "class").IntN(len(tbl.classes))]
		r.className = r.class.Name
		return subclass
	}
	if cl := tbl.classByName(text); cl != nil {
		r.class, r.className = cl, cl.Name
		return subclass
	}
	if owners := SubclassClasses(text); len(owners) > 0 {
		r.class = tbl.classByName(owners[0])
		r.className = r.class.Name
		r.warnf("class %q is a %s subclass, so the character is a %s", text, owners[0], owners[0])
		if collapse(subclass) == "" {
			return text
		}
		return subclass
	}
	stand, ok := tbl.classStandIns[normalize(text)]
	if !ok {
		stand = "Fighter"
		r.warnf("class %q is not in the SRD 5.1 and no SRD class is close; it is played with the Fighter's rules", text)
	} else {
		r.warnf("class %q is not in the SRD 5.1; it is played with the %s's rules", text, stand)
	}
	r.class = tbl.classByName(stand)
	r.className = titleCase(text)
	return subclass
}

func (r *resolved) resolveSubclass(text string) string {
	text = collapse(text)
	sc := &r.class.Subclass
	r.subclassAsked = text != ""
	switch {
	case text == "":
		if r.level >= sc.Level {
			r.subclass = sc.Name
		}
		return ""
	case matches(text, []string{sc.Name, sc.FullName}, sc.Aliases):
		r.subclass = sc.Name
	default:
		owners := SubclassClasses(text)
		switch {
		case len(owners) > 0 && !slices.Contains(owners, r.class.Name):
			return fmt.Sprintf("%q is a %s subclass, not a %s one", text, strings.Join(owners, " or "), r.className)
		case len(owners) > 0:
			r.warnf("subclass %q is not in the SRD 5.1; its features are the %s's", text, sc.FullName)
		default:
			r.warnf("subclass %q is unknown; its features are the %s's", text, sc.FullName)
		}
		r.subclass = titleCase(text)
	}
	if r.level < sc.Level {
		r.warnf("a %s chooses a subclass at level %d; %s's features start there", r.class.Name, sc.Level, r.subclass)
	}
	return ""
}

func (r *resolved) resolveBackground(text string) {
	text = collapse(text)
	if text == "" {
		r.bg = &tbl.backgrounds[rng(r.seed, "background").IntN(len(tbl.backgrounds))]
		r.bgName = r.bg.Name
		return
	}
	for i := range tbl.backgrounds {
		b := &tbl.backgrounds[i]
		if matches(text, []string{b.Name}, b.Aliases) {
			r.bg, r.bgName = b, b.Name
			return
		}
	}
	r.bgName = titleCase(text)
	for i := range tbl.backgrounds {
		b := &tbl.backgrounds[i]
		if matches(text, b.StandIns) {
			r.bg = b
			r.warnf("background %q is not one the rules describe; it uses the %s's proficiencies and equipment", text, b.Name)
			return
		}
	}
	// No named match: the background whose skills suit the class best.
	best, bestScore := 0, -1
	for i, b := range tbl.backgrounds {
		score := 0
		for _, s := range b.Skills {
			if slices.Contains(r.class.Skills, s) {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	r.bg = &tbl.backgrounds[best]
	r.warnf("background %q is unknown; it uses the %s's proficiencies and equipment", text, r.bg.Name)
}

func (r *resolved) resolveStyle(text string) bool {
	builds := r.class.Builds
	if collapse(text) == "" {
		r.build = &builds[rng(r.seed, "build").IntN(len(builds))]
		return true
	}
	for i := range builds {
		if matches(text, []string{builds[i].Name}) {
			r.build = &builds[i]
			return true
		}
	}
	r.build = &builds[0]
	return false
}

// collapse trims s and folds runs of white space into one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// titleCase capitalises each word of a name typed all in lower case and
// leaves any other spelling as the caller wrote it.
func titleCase(s string) string {
	if s != strings.ToLower(s) {
		return s
	}
	words := strings.Fields(s)
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[size:]
	}
	return strings.Join(words, " ")
}
