package offline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// person is one character as the offline writer sees it: the character the
// request resolves to (dnd.ResolveCharacter: identity and every number,
// from package rules) and the words every document about them shares,
// drawn from the character's person seed: a name when none was given, a
// home town, a mentor, a rival, looks.
type person struct {
	t      *tables
	ch     *dnd.Character
	s      rules.Sheet
	lexs   []*lexicon
	mood   string
	race   string // the SRD race the character plays as ("Half-Orc" for a goliath), or ""
	class  string // the SRD class the character plays as
	moral  string // good, neutral or evil
	first  string
	name   string
	vars   []string // template variables
	prompt promptUse
	f      facts
}

func (g *Generator) character(seed int64, req dnd.CharacterRequest) (any, []string, error) {
	ch, err := dnd.ResolveCharacter(req, seed)
	if err != nil {
		return nil, nil, err
	}
	p := g.newPerson(ch)
	r := newRand(seed, "character/"+req.Type)
	var draft any
	switch req.Type {
	case dnd.TypeSheet:
		draft = p.sheetDraft(r)
	case dnd.TypePersonality:
		d := p.personality(r)
		p.keepToGear(r, d)
		draft = d
	case dnd.TypeBackstory:
		draft = p.backstory(r)
	case dnd.TypeCombat:
		draft = p.combat(r)
	case dnd.TypeEquipment:
		draft = p.equipment(r)
	default:
		return nil, nil, fmt.Errorf("offline: character type %q: %w", req.Type, dnd.ErrUnknownType)
	}
	if len(p.lexs) > 0 {
		p.restyle(newRand(seed, "character/"+req.Type+"/restyle"), draft)
	}
	b, err := json.Marshal(draft)
	if err != nil {
		return nil, nil, fmt.Errorf("offline: encode %s draft: %w", req.Type, err)
	}
	content, err := ch.Complete(b)
	if err != nil {
		return nil, nil, fmt.Errorf("offline: %s draft: %w", req.Type, err)
	}
	// A clause used only if the content shows it (a former trade, a home
	// town, a statement) is unused when the content is what it would be
	// without the prompt.
	same := false
	if strings.TrimSpace(req.Prompt) != "" {
		bare := req
		bare.Prompt = ""
		b, _, err := g.character(seed, bare)
		same = err == nil && bytes.Equal(b.(json.RawMessage), content)
	}
	// A document written for a character object sent back (the sheet of a
	// whole character) says only what concerns it: the sheet already named
	// the clauses no document can use, and explained why.
	grounded := len(req.Character) > 0 && req.Type != dnd.TypeSheet
	warnings := p.prompt.warnings(req.Type, content, same, grounded)
	if same && len(warnings) == 0 && !grounded {
		warnings = []string{"prompt: it asks for nothing this " + req.Type + " does not already have from the request's parameters, so the content is what it would be without it"}
	}
	return content, slices.Concat(ch.Warnings, warnings), nil
}

// raceStyles maps the SRD races to their name styles.
var raceStyles = map[string]string{
	"Dwarf": "dwarf", "Elf": "elf", "Halfling": "halfling", "Human": "human", "Dragonborn": "dragonborn",
	"Gnome": "gnome", "Half-Elf": "halfelf", "Half-Orc": "halforc", "Tiefling": "tiefling",
}

func (g *Generator) newPerson(ch *dnd.Character) *person {
	t := g.t
	s := ch.Sheet
	p := &person{t: t, ch: ch, s: s, race: srdSource(s, rules.Races()), class: srdSource(s, rules.Classes())}
	p.lexs = t.restyle.resolve(ch.Request.Theme)
	p.mood = mood(p.lexs)
	p.moral = moralOf(s.Alignment)
	p.first, p.name = p.nameOf(newRand(ch.PersonSeed, "character/person"))
	p.prompt = readPrompt(t, ch, p.first)
	p.f = p.deriveFacts()
	p.prompt.nameMentor(p.f.mentor)
	p.vars = slices.Concat(pronounVars(s.Pronouns), []string{
		"first", p.first, "name", p.name,
		"race", s.Race, "race_lc", strings.ToLower(s.Race), "race_a", article(s.Race) + " " + strings.ToLower(s.Race),
		"class", s.Class, "class_lc", strings.ToLower(s.Class), "class_a", article(s.Class) + " " + strings.ToLower(s.Class),
		"subclass", s.Subclass, "background", s.Background, "background_a", article(s.Background) + " " + strings.ToLower(s.Background),
		"level", strconv.Itoa(s.Level), "alignment", s.Alignment,
		"ancestry", strings.ToLower(s.Subrace), "bloodline", bloodline(s), "patron", patron(s),
	}, dragonWords(s.Subrace), []string{"lost_kin", "sister"}, p.f.vars())
	return p
}

// nameOf is the name the character goes by and their full name: the
// name given, or one drawn in the race's style.
func (p *person) nameOf(r *rand.Rand) (first, full string) {
	s := p.s
	if p.ch.NameGiven {
		first = strings.Fields(s.Name)[0]
		if p.race == "Dragonborn" && len(strings.Fields(s.Name)) > 1 {
			first = strings.Fields(s.Name)[1] // clan name first
		}
		return first, s.Name
	}
	style := raceStyles[p.race]
	if style == "" {
		style = "human"
	}
	// A name that sounds like another gender's is drawn again, a few times.
	for range 12 {
		if first, full = p.t.personName(r, style); nameFits(first, p.s.Pronouns) {
			break
		}
	}
	return first, full
}

// nameFits reports whether a drawn name suits the pronouns: no "Miriel"
// or "Seliette" for he/him, no "Torgar" or "Baggimok" for she/her.
func nameFits(first, pronouns string) bool {
	n := strings.ToLower(first)
	has := func(ends []string) bool {
		return slices.ContainsFunc(ends, func(e string) bool { return strings.HasSuffix(n, e) })
	}
	switch strings.ToLower(pronouns) {
	case "he/him":
		return !has(feminineEnds)
	case "she/her":
		return !has(masculineEnds)
	}
	return true
}

// Name endings that read as one gender's in most fantasy names.
var (
	feminineEnds  = []string{"a", "ette", "elle", "iel", "ielle", "ine", "ie", "wyn", "ys", "ra", "ria", "ith"}
	masculineEnds = []string{"k", "g", "d", "ar", "or", "ur", "us", "ric", "rik", "mok", "gul", "orn", "ald", "im", "an", "on", "ek", "o"}
)

// srdSource is the SRD race or class a sheet plays by: its own, or the one
// its features come from (a race or class outside the SRD is played with
// the closest SRD rules).
func srdSource(s rules.Sheet, names []string) string {
	for _, n := range []string{s.Race, s.Class} {
		if slices.Contains(names, n) {
			return n
		}
	}
	for _, f := range s.Features {
		if slices.Contains(names, f.Source) {
			return f.Source
		}
	}
	return ""
}

// moralOf is the good–evil axis of an alignment.
func moralOf(alignment string) string {
	switch {
	case strings.HasSuffix(alignment, "good"):
		return "good"
	case strings.HasSuffix(alignment, "evil"):
		return "evil"
	}
	return "neutral"
}

// pronounVars binds the pronoun variables and the verb endings that agree
// with them: "{they} walk{s}" is "she walks" and "they walk".
func pronounVars(pronouns string) []string {
	subj, obj, _ := strings.Cut(strings.ToLower(pronouns), "/")
	plural := subj == "they" || subj == ""
	poss, refl := "their", "themself"
	switch subj {
	case "he":
		poss, refl, obj = "his", "himself", "him"
	case "she":
		poss, refl, obj = "her", "herself", "her"
	case "", "they":
		subj, obj = "they", "them"
	default:
		if obj == "" {
			obj = subj
		}
		refl = obj + "self"
	}
	verb := func(singular, pl string) string {
		if plural {
			return pl
		}
		return singular
	}
	return []string{
		"they", subj, "them", obj, "their", poss, "themself", refl,
		"They", capitalize(subj), "Their", capitalize(poss),
		"s", verb("s", ""), "es", verb("es", ""), "are", verb("is", "are"), "were", verb("was", "were"),
		"have", verb("has", "have"), "does", verb("does", "do"), "tries", verb("tries", "try"), "carries", verb("carries", "carry"),
	}
}

// bloodline says where a sorcerer's power comes from.
func bloodline(s rules.Sheet) string {
	for _, f := range s.Features {
		if f.Name == "Dragon Ancestor" {
			if d := dragonOf(f.Description); d != "" {
				return article(d) + " " + d + " dragon in the family's distant past"
			}
		}
	}
	if s.Subclass != "" && s.Subclass != "Draconic Bloodline" {
		return "something " + strings.ToLower(s.Subclass) + " in the blood"
	}
	return "something old and strange in the blood"
}

// dragonOf finds the dragon's colour in a Dragon Ancestor description.
func dragonOf(desc string) string {
	for _, c := range []string{"black", "blue", "brass", "bronze", "copper", "gold", "green", "red", "silver", "white"} {
		if strings.Contains(strings.ToLower(desc), " "+c+" dragon") {
			return c
		}
	}
	return ""
}

// patrons describe warlock patrons by subclass.
var patrons = map[string]string{
	"Fiend": "a fiend of the Nine Hells", "Archfey": "a lord of the Feywild", "Great Old One": "a Great Old One that dreams between the stars",
	"Hexblade": "a sentient blade forged in the Shadowfell", "Celestial": "a being of the upper planes", "Undying": "a lich who has cheated death for a thousand years",
	"Fathomless": "a thing from the lightless deep", "Genie": "a genie of the elemental planes", "Undead": "a dread power of undeath",
}

func patron(s rules.Sheet) string {
	if p, ok := patrons[s.Subclass]; ok {
		return p
	}
	if s.Class == "Warlock" || s.Subclass == "" {
		return "a patron whose name is never spoken aloud"
	}
	return "a patron of the " + s.Subclass
}

// expander returns a template expander with the person's variables bound.
func (p *person) expander(r *rand.Rand) *expander {
	e := newExpander(p.t.grammar, r, p.mood)
	e.set(p.vars...)
	return e
}

// echo is the identity every draft repeats.
func (p *person) echo() dnd.IdentityEcho {
	s := p.s
	return dnd.IdentityEcho{
		Name: p.name, Pronouns: s.Pronouns, Race: s.Race, Subrace: s.Subrace, Class: s.Class, Subclass: s.Subclass,
		Background: s.Background, Alignment: s.Alignment,
	}
}

// tier is the tier of play of the level, 1 to 4.
func (p *person) tier() int { return tierOf(p.s.Level) }

// tierOf maps a level to the four tiers of play.
func tierOf(level int) int {
	switch {
	case level <= 4:
		return 1
	case level <= 10:
		return 2
	case level <= 16:
		return 3
	}
	return 4
}

// bgKey is the background's key in the personality tables, or "".
func (p *person) bgKey() string {
	k := strings.ToLower(p.s.Background)
	if _, ok := p.t.personality.Backgrounds[k]; ok {
		return k
	}
	return ""
}

// classPersona and racePersona are the tables of the character's SRD class
// and race; a race outside the SRD gets the generic one.
func (p *person) classPersona() classPersona { return p.t.persona.Classes[p.class] }

func (p *person) racePersona() racePersona {
	if rp, ok := p.t.persona.Races[p.s.Race]; ok {
		return rp
	}
	rp := p.t.persona.GenericRace
	rp.Mannerisms = slices.Concat(rp.Mannerisms, p.t.personality.Mannerisms)
	return rp
}

// restyle applies the request's theme to the prose of a draft: its texts
// and lists of texts, but not the identity it repeats, nor what states game
// facts (the descriptions of attacks, moves and items, which quote damage
// and effects, and the weaknesses, which quote saves), nor the looks, which
// a word swapped for its namesake (horns for klaxons) turns into nonsense.
func (p *person) restyle(r *rand.Rand, draft any) {
	v := reflect.ValueOf(draft).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch name := v.Type().Field(i).Name; {
		case name == "Character" || name == "Weaknesses" || name == "Appearance":
		case f.Kind() == reflect.String:
			f.SetString(p.themed(r, f.String(), name))
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
			for j := range f.Len() {
				f.Index(j).SetString(p.themed(r, f.Index(j).String(), name))
			}
		}
	}
}

// themed restyles s to the request's theme.
func (p *person) themed(r *rand.Rand, s, field string) string {
	share, ok := themeShares[field]
	if !ok {
		share = 0.12
	}
	var b strings.Builder
	for _, part := range darkParts(s) {
		if part.dark {
			b.WriteString(part.text) // no flourish on a cruel deed or a grief
			continue
		}
		out, _ := p.t.restyle.words(r, part.text, p.lexs, 0.6, true)
		b.WriteString(rewriteSentences(r, out, p.lexs, share, field == "Backstory" && p.moral != "evil"))
	}
	if out := b.String(); strings.TrimSpace(out) != "" {
		return out
	}
	return s
}

// themeShares are the shares of a field's sentences a theme gives an
// opener or a closer; only a backstory's paragraphs also take asides, and
// not an evil character's ("Truly, this is an age of heroes.").
// Flaws, secrets, key events, the voice and mannerisms keep their
// sentences as written, with the theme's words only. Other fields: 0.12.
var themeShares = map[string]float64{"Backstory": 0.3, "Summary": 0.2, "Flaws": 0, "Secrets": 0, "KeyEvents": 0, "Voice": 0, "Mannerisms": 0}

// textPart is a run of sentences, dark when one tells of cruelty, death or
// grief.
type textPart struct {
	text string
	dark bool
}

var (
	darkSentenceEnd = regexp.MustCompile(`[.!?]+["”’]?(\s+|$)`)
	darkRe          = regexp.MustCompile(`(?i)\b(terrible|cruel\w*|murder\w*|kill\w*|ruin\w*|betray\w*|tortur\w*|slaughter\w*|poison\w*|burn\w*|dead|death|blood\w*|regret\w*|curse\w*|satisfaction|haunted|grief|griev\w*|starv\w*|punish\w*|slave\w*|victims?|buried)\b`)
)

// darkParts splits a text into runs of sentences, each dark or not.
func darkParts(s string) []textPart {
	var parts []textPart
	start := 0
	add := func(text string) {
		dark := darkRe.MatchString(text)
		if n := len(parts); n > 0 && parts[n-1].dark == dark {
			parts[n-1].text += text
			return
		}
		parts = append(parts, textPart{text, dark})
	}
	for _, m := range darkSentenceEnd.FindAllStringIndex(s, -1) {
		add(s[start:m[1]])
		start = m[1]
	}
	if start < len(s) {
		add(s[start:])
	}
	return parts
}

func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func (t *tables) hintRace(hints map[string]bool) *race {
	for i := range t.srd.Races {
		for _, a := range t.srd.Races[i].Aliases {
			if hints[a] {
				return &t.srd.Races[i]
			}
		}
	}
	return nil
}

// hintLevel finds "level N" in free text.
func hintLevel(hints map[string]bool) int {
	for n := dnd.MaxLevel; n >= 1; n-- {
		if hints["level "+strconv.Itoa(n)] {
			return n
		}
	}
	return 0
}

func pickN[T any](r *rand.Rand, list []T, n int) []T {
	var out []T
	for _, i := range r.Perm(len(list)) {
		if len(out) == n {
			break
		}
		out = append(out, list[i])
	}
	return out
}

// dragonWords bind what a dragonborn's breath and eyes look like to the
// dragon ancestry: a red dragonborn lets out smoke, a white one frost.
func dragonWords(ancestry string) []string {
	w, ok := dragonLooks[strings.ToLower(ancestry)]
	if !ok {
		w = dragonLooks["red"]
	}
	return []string{"breath_wisp", w[0], "dragon_eyes", w[1]}
}

// dragonLooks are the breath wisp and the eye colour of each dragon
// ancestry.
var dragonLooks = map[string][2]string{
	"black": {"acrid vapour", "tar"}, "blue": {"crackling sparks", "a storm sky"}, "brass": {"smoke", "molten brass"},
	"bronze": {"crackling sparks", "tarnished bronze"}, "copper": {"acrid vapour", "new copper"}, "gold": {"smoke", "molten gold"},
	"green": {"green vapour", "swamp water"}, "red": {"smoke", "embers"}, "silver": {"frost", "moonlight"}, "white": {"frost", "ice"},
}
