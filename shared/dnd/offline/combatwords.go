package offline

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// combat writes a combat profile's words from the sheet: the moves are
// those dnd.Character.Moves chose (never a passive feature), the tactics
// use only what the sheet lists, and the weaknesses follow from its
// numbers. One attack opens the fight, in the tactics and the moves
// alike, and no line is said twice.
func (p *person) combat(r *rand.Rand) *dnd.CombatDraft {
	moves := p.ch.Moves()
	plan := p.openingPlan()
	used := said{}
	words := map[string]string{}
	for _, o := range moves {
		var line string
		for try := 0; try < 8 && (try == 0 || !used.fresh(line)); try++ {
			line = p.moveWords(r, o, plan)
			if a, ok := p.attack(o.Name); ok && !used.fresh(strings.SplitAfter(line, ". ")[0]) {
				// Two weapons with the same numbers: say which this is.
				kind, rest, _ := strings.Cut(line, ": ")
				line = kind + " with " + p.attackPhrase(a) + ": " + rest
			}
		}
		used.add(line)
		words[o.Name] = line
	}
	return &dnd.CombatDraft{
		Character: p.echo(), Tactics: p.tactics(r, moves, plan),
		SignatureMoves: dnd.DescriptionsOf(words), Weaknesses: p.weaknesses(r),
	}
}

// attack finds a sheet attack by name.
func (p *person) attack(name string) (rules.Attack, bool) {
	for _, a := range p.s.Attacks {
		if a.Name == name {
			return a, true
		}
	}
	return rules.Attack{}, false
}

// ranged reports whether an attack reaches past 10 feet: a bow, a thrown
// weapon, a cantrip; never a melee weapon or a breath weapon.
func ranged(a rules.Attack) bool {
	return a.Kind != rules.KindMeleeWeapon && a.Kind != rules.KindMeleeSpell &&
		!strings.HasPrefix(a.Name, "Breath Weapon") && reachOf(a.Range) > 10
}

// reachOf is the distance a range starts with, in feet.
func reachOf(r string) int {
	end := strings.IndexFunc(r, func(c rune) bool { return c < '0' || c > '9' })
	if end < 0 {
		end = len(r)
	}
	n, _ := strconv.Atoi(r[:end])
	return n
}

// moveWords describes a move with its numbers and when the character uses
// it; the attack the fight opens with says so, and no other does.
func (p *person) moveWords(r *rand.Rand, o rules.Option, plan openPlan) string {
	e := p.expander(r)
	e.set("move", o.Name)
	switch o.Kind {
	case rules.OptionAttack:
		a, _ := p.attack(o.Name)
		kind := map[string]string{
			rules.KindMeleeWeapon: "Melee weapon attack", rules.KindRangedWeapon: "Ranged weapon attack",
			rules.KindMeleeSpell: "Melee spell attack", rules.KindRangedSpell: "Ranged spell attack", rules.KindSaveSpell: "Forces a saving throw",
		}[a.Kind]
		use := "move_melee"
		switch {
		case a.Name == plan.opener.Name:
			use = "move_opener"
		case strings.HasPrefix(a.Name, "Breath Weapon"):
			use = "move_breath"
		case ranged(a):
			use = "move_ranged"
		case p.s.PreferredRange == "ranged":
			use = "move_melee_backup"
		}
		return tidy(kind+": "+o.Summary+". "+e.pick(use), true)
	case rules.OptionFeature:
		return tidy(strings.TrimSuffix(o.Summary, ".")+". "+e.pick("move_"+strings.ReplaceAll(o.Activation, " ", "_")), true)
	}
	level, use := spellOf(o.Summary)
	what, ok := p.t.character.SpellNotes[o.Name]
	if !ok {
		what = p.t.character.SpellUses[use]
	}
	e.set("spell_level", level, "spell_situation", p.spellSituation(o.Name, use))
	return tidy(capitalize(article(level))+" "+level+" spell: "+lowerFirst(strings.TrimSuffix(e.frag(what), "."))+". "+e.pick("move_spell"), true)
}

// spellSituation says when the character casts a spell: its own
// situation, or one for what spells of its use do. It is drawn once for
// the character, so the tactics and the spell's move say the same.
func (p *person) spellSituation(name, use string) string {
	e := p.expander(newRand(p.f.seed, "situation/"+name))
	if sits, ok := p.t.character.SpellSituations[name]; ok {
		return e.oneFrag(sits)
	}
	return e.pickFrag(p.symbol("situation_"+use, "situation"))
}

// spellOf reads "3rd-level evocation spell (damage)" as the level words
// and the use.
func spellOf(summary string) (level, use string) {
	level, _, _ = strings.Cut(summary, " spell")
	if i := strings.LastIndexByte(summary, '('); i >= 0 {
		use = strings.TrimSuffix(summary[i+1:], ")")
	}
	return level, use
}

// tactics is one paragraph: the opening with the sheet's attacks, the
// features used in a fight, the spells, and what the character does when
// things go wrong.
func (p *person) tactics(r *rand.Rand, moves []rules.Option, plan openPlan) string {
	e := p.expander(r)
	parts := []string{p.opening(e, plan)}
	escape, last := p.fallback(e)
	var shapes []string
	for _, o := range moves {
		if o.Kind != rules.OptionFeature || o.Name == escape || len(shapes) == 2 {
			continue
		}
		e.set("feature", o.Name)
		sym := "tactic_" + strings.ReplaceAll(o.Activation, " ", "_")
		line := e.pick(sym)
		for try := 0; try < 6 && slices.Contains(shapes, strings.ReplaceAll(line, o.Name, "X")); try++ {
			line = e.pick(sym)
		}
		shapes = append(shapes, strings.ReplaceAll(line, o.Name, "X"))
		parts = append(parts, line)
	}
	for _, o := range p.s.Options() {
		if o.Kind == rules.OptionSpell && o.Name != escape && slices.Contains(p.ch.CombatSpells(), o.Name) {
			_, use := spellOf(o.Summary)
			e.set("spell", o.Name, "spell_situation", p.spellSituation(o.Name, use))
			parts = append(parts, e.pick("tactic_spell"))
			break
		}
	}
	parts = append(parts, last)
	return tidy(strings.Join(parts, " "), true)
}

// openPlan is how a fight opens: the tactics' template, the attack that
// opens it, and the attacks at range and up close it names.
type openPlan struct {
	sym        string
	opener     rules.Attack
	far, melee *rules.Attack
}

// openingPlan decides how the character starts a fight, with the attacks
// it has: a ranged opener only when it has one that reaches.
func (p *person) openingPlan() openPlan {
	var plan openPlan
	for i, a := range p.s.Attacks {
		switch {
		case ranged(a) && (plan.far == nil || farRank(a) < farRank(*plan.far)):
			plan.far = &p.s.Attacks[i]
		case !ranged(a) && plan.melee == nil && a.Kind != rules.KindSaveSpell:
			plan.melee = &p.s.Attacks[i]
		}
	}
	if len(p.s.Attacks) == 0 {
		return plan
	}
	first := p.s.Attacks[0]
	far, melee, pref := plan.far, plan.melee, p.s.PreferredRange
	switch {
	case far == nil && pref == "ranged":
		// A caster with no attack that reaches far keeps back all the same.
		plan.sym, plan.opener = "tactic_open_caster", first
	case far != nil && (ranged(first) || pref == "ranged"):
		plan.sym, plan.opener = "tactic_open_ranged", *far
		if melee != nil && pref != "ranged" {
			plan.sym = "tactic_open_mixed"
		}
	case pref == "reach" && melee != nil:
		plan.sym, plan.opener = "tactic_open_reach", *melee
	case melee != nil && far != nil && pref == "mixed":
		plan.sym, plan.opener = "tactic_open_mixed", *far
	case melee != nil:
		plan.sym, plan.opener = "tactic_open_melee", *melee
	default:
		plan.sym, plan.opener, plan.far = "tactic_open_ranged", first, &p.s.Attacks[0]
	}
	return plan
}

// opening is the tactics' first sentence, from the plan.
func (p *person) opening(e *expander, plan openPlan) string {
	times := map[int]string{2: ", striking twice with each Attack action", 3: ", striking three times with each Attack action", 4: ", striking four times with each Attack action"}[p.s.AttacksPerAction]
	e.set("times", times)
	if plan.far != nil {
		e.set("far", p.attackPhrase(*plan.far), "long", longRange(plan.far.Range))
	}
	if plan.melee != nil {
		e.set("melee", p.attackPhrase(*plan.melee))
	}
	if plan.sym == "tactic_open_caster" {
		e.set("near", p.attackPhrase(plan.opener), "range", plan.opener.Range)
	}
	return e.pick(plan.sym)
}

// attackPhrase names an attack in prose: a common weapon with its article
// ("a warhammer", "a thrown javelin"), a magic one as itself ("the
// Greataxe +3"), a cantrip or feature by its name ("Sacred Flame").
func (p *person) attackPhrase(a rules.Attack) string {
	name := a.Name
	switch {
	case name == "Unarmed Strike":
		return "fists and feet"
	case strings.HasPrefix(name, "Breath Weapon"):
		return "a breath of " + strings.Trim(strings.TrimPrefix(name, "Breath Weapon"), " ()")
	case a.Kind != rules.KindMeleeWeapon && a.Kind != rules.KindRangedWeapon:
		return name
	}
	base, thrown := strings.CutSuffix(name, " (thrown)")
	magic := slices.ContainsFunc(p.s.Equipment, func(it rules.Item) bool {
		return it.Name == base && it.Rarity != "" && it.Rarity != "common"
	}) || enchantment.MatchString(base)
	switch {
	case magic && thrown:
		return "the thrown " + base
	case magic:
		return "the " + base
	case thrown:
		return "a thrown " + strings.ToLower(base)
	}
	return article(base) + " " + strings.ToLower(base)
}

// farRank orders the ways to attack at range: a bow or crossbow, then a
// cantrip, then a thrown weapon.
func farRank(a rules.Attack) int {
	switch {
	case strings.HasSuffix(a.Name, "(thrown)"):
		return 2
	case a.Kind == rules.KindRangedWeapon:
		return 0
	}
	return 1
}

// fallbacks are what a character does when a fight turns, by the feature,
// spell or item that lets it; the first the character has wins.
var fallbacks = []struct{ kind, name, sym string }{
	{"feature", "Second Wind", "fallback_second_wind"}, {"feature", "Cunning Action", "fallback_cunning"},
	{"spell", "Misty Step", "fallback_misty"}, {"spell", "Healing Word", "fallback_heal"}, {"spell", "Cure Wounds", "fallback_heal"},
	{"feature", "Wholeness of Body", "fallback_wholeness"}, {"spell", "Shield", "fallback_shield"},
	{"spell", "Dimension Door", "fallback_door"}, {"item", "Potion of Healing", "fallback_potion"},
}

// fallback says what the character does when things go wrong, and names
// the feature or spell it uses ("" for none).
func (p *person) fallback(e *expander) (name, line string) {
	for _, f := range fallbacks {
		var has bool
		switch f.kind {
		case "feature":
			has = slices.ContainsFunc(p.s.Features, func(x rules.Feature) bool { return x.Name == f.name && !x.Passive })
		case "spell":
			has = p.s.Spellcasting != nil && slices.ContainsFunc(p.s.Spellcasting.Spells, func(s rules.Spell) bool { return s.Name == f.name })
		default:
			has = slices.ContainsFunc(p.s.Equipment, func(it rules.Item) bool { return it.Name == f.name })
		}
		if has {
			e.set("escape", f.name)
			return f.name, e.pick(f.sym)
		}
	}
	return "", e.pick("fallback")
}

// weaknesses follow from the sheet: the weakest saving throw, then a
// pick of what else an enemy could use (a low Armor Class, few hit points,
// no ranged attack, heavy armour, concentration, rage).
func (p *person) weaknesses(r *rand.Rand) []string {
	e := p.expander(r)
	s := p.s
	weakest := -1
	for i, sv := range s.SavingThrows {
		if !sv.Proficient && (weakest < 0 || sv.Bonus < s.SavingThrows[weakest].Bonus) {
			weakest = i
		}
	}
	var out []string
	if weakest >= 0 {
		sv := s.SavingThrows[weakest]
		e.set("save", sv.Ability, "save_bonus", fmt.Sprintf("%+d", sv.Bonus))
		out = append(out, e.pick("weak_"+strings.ToLower(sv.Ability[:3])))
	}
	e.set("ac", strconv.Itoa(s.ArmorClass), "hp", strconv.Itoa(s.HitPoints))
	var more []string
	if s.ArmorClass <= 13 {
		more = append(more, "weak_low_ac")
	}
	if s.HitPoints < 7*s.Level {
		more = append(more, "weak_low_hp")
	}
	if !slices.ContainsFunc(s.Attacks, ranged) {
		more = append(more, "weak_no_ranged")
	}
	if a := p.worn(rules.CatArmor); a != nil && heavyArmor(a.Name) {
		more = append(more, "weak_heavy_armor")
	}
	if s.PreferredRange == "ranged" {
		more = append(more, "weak_artillery")
	}
	if s.Spellcasting != nil && len(s.Spellcasting.Spells) > 0 {
		more = append(more, "weak_caster")
	}
	if sym, ok := map[string]string{"Barbarian": "weak_rage", "Monk": "weak_ki", "Rogue": "weak_sneak", "Fighter": "weak_fighter"}[p.class]; ok {
		more = append(more, sym)
	}
	for _, sym := range pickN(r, more, min(2, len(more))) {
		out = append(out, e.pick(sym))
	}
	return nonNil(out)
}

func heavyArmor(name string) bool {
	for _, h := range []string{"Ring Mail", "Chain Mail", "Splint", "Plate", "Dwarven Plate", "Armor of Invulnerability"} {
		if strings.Contains(name, h) && !strings.Contains(name, "Half Plate") {
			return true
		}
	}
	return false
}
