package offline

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// sheetDraft writes the words of a sheet: looks, a touch of personality,
// and a line for each attack and item.
func (p *person) sheetDraft(r *rand.Rand) *dnd.SheetDraft {
	attacks := map[string]string{}
	opener := p.openingPlan().opener.Name
	used := said{}
	for _, a := range p.s.Attacks {
		if _, ok := attacks[a.Name]; !ok {
			line := p.attackWords(r, a, a.Name == opener)
			for try := 0; try < 6 && !used.fresh(line); try++ {
				line = p.attackWords(r, a, a.Name == opener)
			}
			used.add(line)
			attacks[a.Name] = line
		}
	}
	return &dnd.SheetDraft{
		Character:   p.echo(),
		Appearance:  p.appearance(newRand(p.ch.PersonSeed, "character/looks")),
		Personality: p.touch(newRand(p.ch.PersonSeed, "character/touch")),
		Attacks:     dnd.DescriptionsOf(attacks),
		Equipment:   dnd.DescriptionsOf(p.itemWords()),
	}
}

// equipment writes an equipment list: a line for each item, and how the
// kit fits the character.
func (p *person) equipment(r *rand.Rand) *dnd.EquipmentDraft {
	return &dnd.EquipmentDraft{Character: p.echo(), Items: dnd.DescriptionsOf(p.itemWords()), Notes: p.kitNotes(r)}
}

// appearance describes how the character looks: age, build and a telling
// feature from the race, clothes from the background, the armour and
// weapons from the sheet, and the bearing of the class.
func (p *person) appearance(r *rand.Rand) string {
	rp := p.racePersona()
	e := p.expander(r)
	e.set("hair", pickOr(r, rp.Hair, "dark"), "eyes", pickOr(r, rp.Eyes, "dark"), "skin", pickOr(r, rp.Skin, "weathered"))
	looks := p.t.persona.Looks
	ages := looks.Age[p.tier()-1]
	switch p.s.Race {
	case "Elf":
		ages = looks.ElfAge[p.tier()-1]
	case "Dwarf":
		ages = looks.DwarfAge[p.tier()-1]
	}
	if a := p.prompt.age.Phrase; a != "" {
		ages = []string{a} // the age the prompt gives
	}
	clothes := looks.GenericClothes
	if c, ok := looks.Clothes[p.bgKey()]; ok {
		clothes = c
	}
	body := fmt.Sprintf("%s is %s, %s, with %s.", p.first, e.oneFrag(ages), e.oneFrag(rp.Physique), e.oneFrag(rp.Features))
	wear := e.oneFrag(clothes)
	if a := p.worn(rules.CatArmor); a != nil {
		wear = itemPhrase(*a, false) + " over " + wear
	}
	kit := e.frag("{They} wear{s}") + " " + wear
	if held := p.held(); len(held) > 0 {
		kit += " and " + e.frag("{carries}") + " " + joinAnd(held)
	}
	bearing := e.frag("{They}") + " " + agreeVerb(e.oneFrag(p.classPersona().Looks), p.plural())
	if marks := p.descriptorLines(e, func(d descriptor) string { return d.looks }); len(marks) > 0 {
		body += " " + strings.Join(marks, " ")
	}
	return tidy(body+" "+kit+". "+bearing+".", true)
}

// touch is the sheet's line of personality: a habit and a voice.
func (p *person) touch(r *rand.Rand) string {
	cp := p.classPersona()
	e := p.expander(r)
	habit := e.oneFrag(append(slices.Clone(cp.Mannerisms), p.racePersona().Mannerisms...))
	habit = strings.TrimSuffix(lowerFirst(habit), ".")
	touch := p.first + " " + habit + ". " + e.frag("{Their} voice is") + " " + e.oneFrag(cp.Voice) + "."
	if told := p.descriptorLines(e, func(d descriptor) string { return d.touch }); len(told) > 0 {
		touch = strings.Join(told, " ") + " " + touch
	}
	return tidy(touch, true)
}

// plural reports whether the pronouns take plural verbs (they walk).
func (p *person) plural() bool {
	subj, _, _ := strings.Cut(p.s.Pronouns, "/")
	return subj == "they"
}

// worn is the first equipped item of a category, or nil.
func (p *person) worn(category string) *rules.Item {
	for i, it := range p.s.Equipment {
		if it.Equipped && it.Category == category {
			return &p.s.Equipment[i]
		}
	}
	return nil
}

// held lists what the character carries in hand: the main weapon, and a
// shield or else a second weapon.
func (p *person) held() []string {
	var out []string
	sh := p.worn(rules.CatShield)
	for _, it := range p.s.Equipment {
		if it.Equipped && it.Category == rules.CatWeapon && (len(out) == 0 || len(out) == 1 && sh == nil) {
			out = append(out, itemPhrase(it, true))
		}
	}
	if sh != nil {
		out = append(out, itemPhrase(*sh, true))
	}
	return out
}

// itemPhrase names an item in prose: "a longsword", "chain mail", "a
// Shield +1"; magic items keep their capitals, and armour worn is not
// counted ("half plate", "a breastplate").
func itemPhrase(it rules.Item, countable bool) string {
	name := it.Name
	if it.Rarity == "" || it.Rarity == "common" {
		name = strings.ToLower(name)
	}
	l := strings.ToLower(it.Name)
	worn := strings.Contains(l, "mail") || strings.Contains(l, "armor") || strings.Contains(l, "leather") ||
		strings.HasSuffix(l, " chain") || strings.Contains(l, "plate") && !strings.Contains(l, "breastplate")
	if !countable && worn {
		return name
	}
	return article(name) + " " + name
}

func pickOr(r *rand.Rand, xs []string, fallback string) string {
	if len(xs) == 0 {
		return fallback
	}
	return pick(r, xs)
}

// agreeVerb puts the first word of a phrase such as "moves with ease" in
// the plural ("move with ease") when the pronouns take plural verbs.
func agreeVerb(phrase string, plural bool) string {
	if !plural {
		return phrase
	}
	verb, rest, _ := strings.Cut(phrase, " ")
	switch {
	case verb == "has":
		verb = "have"
	case verb == "is":
		verb = "are"
	case verb == "does":
		verb = "do"
	case strings.HasSuffix(verb, "ies"):
		verb = strings.TrimSuffix(verb, "ies") + "y"
	case strings.HasSuffix(verb, "sses"), strings.HasSuffix(verb, "shes"), strings.HasSuffix(verb, "ches"), strings.HasSuffix(verb, "xes"):
		verb = strings.TrimSuffix(verb, "es")
	case strings.HasSuffix(verb, "s"):
		verb = strings.TrimSuffix(verb, "s")
	}
	return strings.TrimSpace(verb + " " + rest)
}

// attackWords is one sentence on how the character uses an attack, true to
// its kind and range: a bow is shot, a thrown weapon thrown, a longsword
// swung, a cantrip cast, a touch spell delivered up close. Only the attack
// the fight opens with (opener) is called the first answer.
func (p *person) attackWords(r *rand.Rand, a rules.Attack, opener bool) string {
	e := p.expander(r)
	e.set("attack", a.Name, "attack_lc", strings.ToLower(a.Name), "range", a.Range, "long", longRange(a.Range))
	sym := "attack_melee"
	switch {
	case a.Name == "Unarmed Strike":
		sym = "attack_unarmed"
	case strings.HasPrefix(a.Name, "Breath Weapon"):
		sym = "attack_breath"
	case strings.HasSuffix(a.Name, "(thrown)"):
		sym = "attack_thrown"
	case a.Kind == rules.KindRangedWeapon:
		sym = "attack_ranged"
	case a.Kind == rules.KindMeleeSpell:
		sym = "attack_touch"
	case a.Kind == rules.KindRangedSpell:
		sym = "attack_spell"
	case a.Kind == rules.KindSaveSpell:
		sym = "attack_save"
	case opener:
		sym = "attack_melee_main"
	}
	return e.pick(sym)
}

// longRange is the long range of "80/320 ft", or the range itself.
func longRange(r string) string {
	if _, long, ok := strings.Cut(strings.TrimSuffix(r, " ft"), "/"); ok {
		return long
	}
	return strings.TrimSuffix(r, " ft")
}

// itemWords describes each item once for the character: what the rules
// say it does or holds, a detail that makes it the character's, the damage
// a weapon deals and whether the character is attuned to it. The words are
// drawn from the character's facts seed, not the document's, so the sheet
// and the equipment list say the same of every item; an item the sheet
// the request sent already describes keeps its words. No sentence repeats
// within the list: a detail already used gives way to another, or to
// none.
func (p *person) itemWords() map[string]string {
	out := map[string]string{}
	given := map[string]string{}
	if g := p.ch.Given; g != nil {
		for _, it := range g.Equipment {
			given[it.Name] = strings.TrimSpace(it.Description)
		}
	}
	used := said{}
	for _, it := range p.s.Equipment {
		if _, ok := out[it.Name]; ok {
			continue
		}
		line := given[it.Name]
		if line == "" {
			r := newRand(p.f.seed, "item/"+it.Name)
			detail := p.itemDetail(r, it)
			for try := 0; try < 8 && !used.fresh(detail); try++ {
				detail = p.itemDetail(r, it)
			}
			if !used.fresh(detail) {
				detail = ""
			}
			line = p.itemLine(it, detail)
		}
		used.add(line)
		out[it.Name] = line
	}
	return out
}

// itemLine puts an item's words together: what the rules say it does,
// the detail, the damage a hit deals and the attunement, each once.
func (p *person) itemLine(it rules.Item, detail string) string {
	magic := it.Rarity != "" && it.Rarity != "common"
	var parts []string
	if d := strings.TrimSuffix(strings.TrimSpace(it.Description), "."); d != "" {
		parts = append(parts, d+".")
	}
	parts = append(parts, detail)
	if it.Category == rules.CatWeapon {
		if a, ok := p.attack(it.Name); ok {
			name := it.Name
			if !magic {
				name = strings.ToLower(name)
			}
			parts = append(parts, "Each hit with the "+name+" deals "+a.Damage+".")
		}
	}
	if it.Attuned {
		parts = append(parts, p.first+" is attuned to the "+it.Name+".")
	}
	return tidy(strings.Join(parts, " "), true)
}

// itemDetail is a line that makes an item the character's: how it looks
// and where it came from, true to what it is made of.
func (p *person) itemDetail(r *rand.Rand, it rules.Item) string {
	e := p.expander(r)
	e.set("item", it.Name, "item_lc", strings.ToLower(it.Name))
	magic := it.Rarity != "" && it.Rarity != "common"
	if lines, ok := p.t.character.ItemLines[it.Name]; ok && !magic {
		return e.one(lines)
	}
	var sym string
	switch {
	case it.Category == rules.CatConsumable:
		sym = "item_consumable"
	case magic:
		sym = "item_magic"
	case it.Category == rules.CatWeapon && woodenWeapon(it.Name):
		sym = "item_weapon_wood"
	case it.Category == rules.CatArmor && softArmor(it.Name):
		sym = "item_armor_soft"
	case strings.Contains(it.Name, "Holy"):
		sym = "item_holy"
	default:
		sym = map[string]string{
			rules.CatWeapon: "item_weapon", rules.CatArmor: "item_armor", rules.CatShield: "item_shield", rules.CatFocus: "item_focus",
			rules.CatTool: "item_tool", rules.CatConsumable: "item_consumable", rules.CatWondrous: "item_wondrous",
		}[it.Category]
	}
	if sym == "" {
		sym = "item_gear"
		if strings.HasSuffix(it.Name, "Pack") {
			sym = "item_pack"
		}
	}
	return e.pick(sym)
}

// woodenWeapon reports whether a weapon is wood, gut and leather, with no
// metal to scratch runes into.
func woodenWeapon(name string) bool {
	n := strings.ToLower(name)
	if strings.Contains(n, "crossbow") {
		return false
	}
	return slices.ContainsFunc([]string{"bow", "club", "quarterstaff", "sling", "blowgun", "whip", "staff"}, func(w string) bool { return strings.Contains(n, w) })
}

// softArmor reports whether armour is leather or cloth, which does not dent.
func softArmor(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "leather") || strings.Contains(n, "padded") || strings.Contains(n, "hide")
}

// said are the sentences a document has said, so it says none twice.
type said map[string]bool

// fresh reports whether none of line's sentences has been said.
func (s said) fresh(line string) bool {
	return !slices.ContainsFunc(splitSentences(line), func(x string) bool { return s[strings.ToLower(x)] })
}

// add marks line's sentences said.
func (s said) add(line string) {
	for _, x := range splitSentences(line) {
		s[strings.ToLower(x)] = true
	}
}

// splitSentences splits prose into its sentences.
func splitSentences(text string) []string {
	var out []string
	for _, s := range sentenceSplit.Split(text, -1) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var sentenceSplit = regexp.MustCompile(`[.!?]["”]?(?:\s+|$)`)

// kitNotes says how the kit fits the character.
func (p *person) kitNotes(r *rand.Rand) string {
	e := p.expander(r)
	var parts []string
	if a := p.worn(rules.CatArmor); a != nil {
		parts = append(parts, p.first+" wears "+itemPhrase(*a, false))
	}
	if held := p.held(); len(held) > 0 {
		verb := "keeps "
		if len(parts) == 0 {
			verb = p.first + " keeps "
		} else {
			verb = "and keeps "
		}
		parts = append(parts, verb+joinAnd(held)+" close at hand")
	}
	notes := strings.Join(parts, " ") + "."
	if len(parts) == 0 {
		notes = e.must("{first} travels light and trusts {their} wits more than steel.")
	}
	var attuned []string
	for _, it := range p.s.Equipment {
		if it.Attuned {
			attuned = append(attuned, it.Name)
		}
	}
	switch len(attuned) {
	case 0:
	case 1:
		notes += " Of the three items a character can be attuned to, " + p.first + " is bound to one: the " + attuned[0] + "."
	default:
		notes += " " + p.first + " is attuned to " + joinAnd(attuned) + " (" + map[int]string{2: "two", 3: "all three"}[len(attuned)] + " of the items a character can be attuned to)."
	}
	return tidy(notes+" "+e.pick("coin_line"), true)
}
