package offline

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// sheetDraft writes the words of a sheet: looks, a touch of personality,
// and a line for each attack and item.
func (p *person) sheetDraft(r *rand.Rand) *dnd.SheetDraft {
	attacks := map[string]string{}
	for i, a := range p.s.Attacks {
		if _, ok := attacks[a.Name]; !ok {
			attacks[a.Name] = p.attackWords(r, a, i == 0)
		}
	}
	return &dnd.SheetDraft{
		Character:   p.echo(),
		Appearance:  p.appearance(newRand(p.ch.PersonSeed, "character/looks")),
		Personality: p.touch(newRand(p.ch.PersonSeed, "character/touch")),
		Attacks:     dnd.DescriptionsOf(attacks),
		Equipment:   dnd.DescriptionsOf(p.itemWords(r)),
	}
}

// equipment writes an equipment list: a line for each item, and how the
// kit fits the character.
func (p *person) equipment(r *rand.Rand) *dnd.EquipmentDraft {
	return &dnd.EquipmentDraft{Character: p.echo(), Items: dnd.DescriptionsOf(p.itemWords(r)), Notes: p.kitNotes(r)}
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
	return tidy(body+" "+kit+". "+bearing+".", true)
}

// touch is the sheet's line of personality: a habit and a voice.
func (p *person) touch(r *rand.Rand) string {
	cp := p.classPersona()
	e := p.expander(r)
	habit := e.oneFrag(append(slices.Clone(cp.Mannerisms), p.racePersona().Mannerisms...))
	habit = strings.TrimSuffix(lowerFirst(habit), ".")
	return tidy(p.first+" "+habit+". "+e.frag("{Their} voice is")+" "+e.oneFrag(cp.Voice)+".", true)
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
// swung, a cantrip cast.
func (p *person) attackWords(r *rand.Rand, a rules.Attack, first bool) string {
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
	case a.Kind == rules.KindRangedSpell || a.Kind == rules.KindMeleeSpell:
		sym = "attack_spell"
	case a.Kind == rules.KindSaveSpell:
		sym = "attack_save"
	case first:
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

// itemWords describes each item: what the rules say it does or holds,
// with a detail that makes it the character's.
func (p *person) itemWords(r *rand.Rand) map[string]string {
	out := map[string]string{}
	var lines []string
	for _, it := range p.s.Equipment {
		if _, ok := out[it.Name]; ok {
			continue
		}
		line := p.itemLine(r, it)
		for try := 0; try < 4 && slices.Contains(lines, line); try++ {
			line = p.itemLine(r, it)
		}
		lines = append(lines, line)
		out[it.Name] = line
	}
	return out
}

func (p *person) itemLine(r *rand.Rand, it rules.Item) string {
	e := p.expander(r)
	e.set("item", it.Name, "item_lc", strings.ToLower(it.Name))
	magic := it.Rarity != "" && it.Rarity != "common"
	var sym string
	switch it.Category {
	case rules.CatWeapon, rules.CatArmor, rules.CatShield, rules.CatFocus:
		if magic {
			sym = "item_magic"
			break
		}
		sym = map[string]string{rules.CatWeapon: "item_weapon", rules.CatArmor: "item_armor", rules.CatShield: "item_shield", rules.CatFocus: "item_focus"}[it.Category]
		if strings.Contains(it.Name, "Holy") {
			sym = "item_holy"
		}
	case rules.CatTool:
		sym = "item_tool"
	case rules.CatConsumable:
		sym = "item_consumable"
	case rules.CatWondrous:
		sym = "item_wondrous"
	default:
		switch {
		case strings.HasSuffix(it.Name, "Pack"):
			sym = "item_pack"
		case magic:
			sym = "item_wondrous"
		default:
			sym = "item_gear"
		}
	}
	line := e.pick(sym)
	if lines, ok := p.t.character.ItemLines[it.Name]; ok && !magic {
		line = e.one(lines)
	}
	if it.Category == rules.CatWeapon {
		for _, a := range p.s.Attacks {
			if a.Name == it.Name {
				line += " " + capitalize(a.Damage) + " on a hit."
				break
			}
		}
	}
	switch {
	case it.Description != "" && (magic || it.Category == rules.CatGear || it.Category == rules.CatConsumable):
		line = strings.TrimSuffix(it.Description, ".") + ". " + line
	case it.Description != "":
		line += " " + it.Description
	}
	if it.Attuned {
		line += " " + p.first + " is attuned to it."
	}
	return tidy(line, true)
}

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
		notes += " " + p.first + " is attuned to the " + attuned[0] + "."
	default:
		notes += " " + p.first + " is attuned to " + joinAnd(attuned) + fmt.Sprintf(" (%d of the three items a character can be attuned to).", len(attuned))
	}
	return tidy(notes+" "+e.pick("coin_line"), true)
}
