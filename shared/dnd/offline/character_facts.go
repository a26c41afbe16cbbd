package offline

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// facts are what every document about a character says alike: where they
// come from, the god they serve, the craft they learned, who taught them
// and who wronged them, how long their old life lasted. They are worked
// out once, in one place, and every document reads them from here.
//
// They are drawn from the character's identity (dnd.IdentitySeed, without
// the level and subclass, so a character keeps its story as it levels),
// never from a document's own seed: a sheet written from a seed and a
// backstory written later from that sheet's content draw the same facts.
// What the request says wins over a draw: a home town or former trade the
// prompt names, the god and home town the sheet's own words name, the
// craft of the artisan's tools the sheet lists.
type facts struct {
	seed       int64
	hometown   string
	homeland   string
	deity      string
	craft      string // the craft of the character's artisan's tools, or of a crafting background; "" for none
	mentor     string
	mentorRole string
	rival      string
	org        string
	villain    string
	lostThing  string
	years      string // how long the old life lasted, fit for the level
	weapon     string // the main weapon in prose ("flail"); "weapon" for none
}

// deriveFacts works out the character's facts. It needs the character's
// name, class persona and prompt.
func (p *person) deriveFacts() facts {
	s := p.s
	seed := dnd.IdentitySeed(dnd.CharacterInfo{
		Name: p.name, Pronouns: s.Pronouns, Race: s.Race, Subrace: s.Subrace, Class: s.Class,
		Background: s.Background, Alignment: s.Alignment,
	})
	f := facts{seed: seed}
	// Facts drawn later may speak of those drawn before ("a knight of
	// the Lantern Mother's order" as a mentor): each expander knows them.
	e := func(label string) *expander {
		ex := newExpander(p.t.grammar, newRand(seed, "facts/"+label), p.mood)
		ex.set("first", p.first)
		ex.set(pronounVars(s.Pronouns)...)
		ex.set(f.vars()...)
		return ex
	}
	words := p.givenWords()
	f.deity = cmp.Or(p.givenDeity(words), dnd.PromptDeity(p.ch.Request.Prompt))
	if f.deity == "" {
		f.deity = e("deity").pickFrag("deity")
	}
	f.hometown = p.prompt.origin
	if f.hometown == "" {
		f.hometown = givenTown(words)
	}
	if f.hometown == "" {
		f.hometown = e("hometown").pickFrag("town")
	}
	f.homeland = "a land few here have heard of"
	for _, rc := range p.t.srd.Races {
		if rc.Name == s.Race {
			f.homeland = pick(newRand(seed, "facts/homeland"), rc.Homelands)
		}
	}
	f.mentor, _ = p.t.personName(newRand(seed, "facts/mentor"), "human")
	f.mentorRole = e("mentor_role").pickFrag("mentor_role")
	if roles := p.classPersona().Mentors; len(roles) > 0 {
		f.mentorRole = e("mentor_role").oneFrag(roles)
	}
	r := newRand(seed, "facts/rival")
	_, f.rival = p.t.personName(r, pick(r, p.t.srd.Races).Names)
	f.org = e("org").pickFrag("org")
	if o := p.prompt.org; o != "" {
		f.org = o
	}
	f.villain = e("villain").pickFrag("villain")
	if v := p.prompt.villain; v != "" {
		f.villain = v
	}
	f.lostThing = e("lost_thing").oneFrag(p.keepsakes())
	f.years = p.t.lives.yearsFor(newRand(seed, "facts/years"), p.tier())
	f.craft = p.craftOf(newRand(seed, "facts/craft"))
	f.weapon = p.mainWeapon()
	return f
}

// givenWords are the words of the sheet the request sent, or nil.
func (p *person) givenWords() string {
	g := p.ch.Given
	if g == nil {
		return ""
	}
	parts := []string{g.Appearance, g.Personality}
	for _, a := range g.Attacks {
		parts = append(parts, a.Description)
	}
	for _, it := range g.Equipment {
		parts = append(parts, it.Description)
	}
	return strings.Join(parts, "\n")
}

// givenDeity is the god the sent sheet's words name: one of the gods the
// writer knows, or any the words call the character's own; "" for none.
func (p *person) givenDeity(words string) string {
	if words == "" {
		return ""
	}
	for _, d := range p.t.grammar["deity"] {
		if strings.Contains(words, d) || strings.Contains(words, capitalize(d)) {
			return d
		}
	}
	return p.ch.SheetDeity()
}

var townPattern = sync.OnceValue(func() *regexp.Regexp {
	t, err := loadTables()
	if err != nil {
		return regexp.MustCompile(`$^`)
	}
	g := t.grammar
	return regexp.MustCompile(`\b(?:` + strings.Join(g["town_pre"], "|") + `)(?:` + strings.Join(g["town_suf"], "|") + `)\b`)
})

// givenTown is the first town of the writer's making the sent sheet's
// words name, or "".
func givenTown(words string) string {
	return townPattern().FindString(words)
}

// crafts are what a crafting background learned when its tools do not say.
var crafts = map[string][]string{
	"folk hero":     {"carpenter", "smith", "cooper", "miller"},
	"guild artisan": {"smith", "carpenter", "weaver", "mason"},
}

// craftOf is the craft the character learned: the trade of the artisan's
// tools the sheet lists, else one drawn for a crafting background.
func (p *person) craftOf(r interface{ IntN(int) int }) string {
	var names []string
	for _, it := range p.s.Equipment {
		names = append(names, it.Name)
	}
	if trade, _ := dnd.ToolTrade(names); trade != "" {
		return trade
	}
	if cs := crafts[p.bgKey()]; len(cs) > 0 {
		return cs[r.IntN(len(cs))]
	}
	return ""
}

// mainWeapon names the character's main weapon in prose: the first
// weapon held, without its enchantment ("greataxe" for a Greataxe +3).
func (p *person) mainWeapon() string {
	i := slices.IndexFunc(p.s.Equipment, func(it rules.Item) bool { return it.Equipped && it.Category == rules.CatWeapon })
	if i < 0 {
		i = slices.IndexFunc(p.s.Equipment, func(it rules.Item) bool { return it.Category == rules.CatWeapon })
	}
	if i < 0 {
		return "weapon"
	}
	return weaponNoun(p.s.Equipment[i])
}

var enchantment = regexp.MustCompile(`\s*\+\d+$`)

// weaponNoun is a weapon's name as a common noun: "longsword" for a
// Longsword or a Longsword +1; a named magic weapon keeps its name.
func weaponNoun(it rules.Item) string {
	base := enchantment.ReplaceAllString(it.Name, "")
	if base != it.Name || it.Rarity == "" || it.Rarity == "common" {
		return strings.ToLower(base)
	}
	return it.Name
}

// vars binds the facts' template variables.
func (f facts) vars() []string {
	craftA := ""
	if f.craft != "" {
		craftA = article(f.craft) + " " + f.craft
	}
	all := []string{
		"hometown", f.hometown, "homeland", f.homeland, "deity", f.deity, "mentor", f.mentor, "mentor_role", f.mentorRole,
		"rival", f.rival, "org", f.org, "villain", f.villain, "lost_thing", f.lostThing, "years", f.years,
		"craft", f.craft, "craft_a", craftA, "weapon", f.weapon,
	}
	// A fact not worked out yet is left to the grammar, not bound empty;
	// a character without a craft is the one exception: {craft} is "".
	var out []string
	for i := 0; i < len(all); i += 2 {
		if all[i+1] != "" || all[i] == "craft" || all[i] == "craft_a" {
			out = append(out, all[i], all[i+1])
		}
	}
	return out
}

// keepsakes are the keepsakes a backstory may give the character: those
// that name gear only when the sheet carries such gear, so no "family
// sword" for a monk with a spear, and no mother's ring without a ring.
func (p *person) keepsakes() []string {
	var items []string
	for _, it := range p.s.Equipment {
		items = append(items, it.Name)
	}
	all := p.t.grammar["lost_thing"]
	out := slices.DeleteFunc(slices.Clone(all), func(k string) bool {
		for _, noun := range keepsakeGear {
			if !slices.Contains(strings.Fields(strings.ToLower(k)), noun) {
				continue
			}
			if noun == "ring" {
				return !slices.ContainsFunc(items, func(n string) bool { return strings.HasPrefix(n, "Ring of") })
			}
			return !dnd.Carries(items, noun)
		}
		return false
	})
	if len(out) == 0 {
		return all
	}
	return out
}

// keepsakeGear are gear nouns a keepsake may name.
var keepsakeGear = []string{"sword", "blade", "axe", "bow", "hammer", "spear", "dagger", "mace", "staff", "shield", "lute", "ring"}
