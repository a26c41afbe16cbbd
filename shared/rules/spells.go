package rules

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// fullCasterSlots is the SRD's spell slot table for full casters (bard,
// cleric, druid, sorcerer, wizard): slots per spell level, by class level.
var fullCasterSlots = [MaxLevel][9]int{
	{2}, {3}, {4, 2}, {4, 3}, {4, 3, 2},
	{4, 3, 3}, {4, 3, 3, 1}, {4, 3, 3, 2}, {4, 3, 3, 3, 1}, {4, 3, 3, 3, 2},
	{4, 3, 3, 3, 2, 1}, {4, 3, 3, 3, 2, 1}, {4, 3, 3, 3, 2, 1, 1}, {4, 3, 3, 3, 2, 1, 1}, {4, 3, 3, 3, 2, 1, 1, 1},
	{4, 3, 3, 3, 2, 1, 1, 1}, {4, 3, 3, 3, 2, 1, 1, 1, 1}, {4, 3, 3, 3, 3, 1, 1, 1, 1}, {4, 3, 3, 3, 3, 2, 1, 1, 1}, {4, 3, 3, 3, 3, 2, 2, 1, 1},
}

// halfCasterSlots is the SRD's table for paladins and rangers.
var halfCasterSlots = [MaxLevel][5]int{
	{}, {2}, {3}, {3}, {4, 2},
	{4, 2}, {4, 3}, {4, 3}, {4, 3, 2}, {4, 3, 2},
	{4, 3, 3}, {4, 3, 3}, {4, 3, 3, 1}, {4, 3, 3, 1}, {4, 3, 3, 2},
	{4, 3, 3, 2}, {4, 3, 3, 3, 1}, {4, 3, 3, 3, 1}, {4, 3, 3, 3, 2}, {4, 3, 3, 3, 2},
}

// pactMagic is a warlock's number of pact slots and their level.
func pactMagic(level int) (count, slotLevel int) {
	switch {
	case level >= 17:
		count = 4
	case level >= 11:
		count = 3
	case level >= 2:
		count = 2
	default:
		count = 1
	}
	return count, min(5, (level+1)/2)
}

// arcanumLevels maps a Mystic Arcanum's spell level to the warlock level
// that grants it.
var arcanumLevels = [][2]int{{6, 11}, {7, 13}, {8, 15}, {9, 17}}

func (c *character) spellcasting() {
	sc := c.class.Spellcasting
	if !c.casts() {
		return
	}
	a := abilityIndex(sc.Ability)
	s := &Spellcasting{
		Ability:     abilityNames[a],
		SaveDC:      8 + c.prof + c.mod(a) + c.gear.spellDC,
		AttackBonus: c.prof + c.mod(a) + c.gear.spellAttack,
	}
	top := c.slots(s)
	s.CantripsKnown = sc.Cantrips[c.level-1] + c.sumEffect("cantrips")
	count := 0
	switch {
	case len(sc.Known) > 0:
		s.SpellsKnown = sc.Known[c.level-1]
		count = s.SpellsKnown
	case sc.Prepared == "half":
		s.SpellsPrepared = max(1, c.mod(a)+c.level/2)
		count = s.SpellsPrepared
	default:
		s.SpellsPrepared = max(1, c.mod(a)+c.level)
		count = s.SpellsPrepared
	}
	s.Cantrips = c.chooseCantrips(s.CantripsKnown)
	s.Spells = c.chooseSpells(count, top)
	c.casting = s
}

// slots fills the slot table and returns the highest spell level the
// character can cast with a slot.
func (c *character) slots(s *Spellcasting) int {
	top := 0
	switch c.class.Spellcasting.Progression {
	case "pact":
		n, lvl := pactMagic(c.level)
		s.Slots = append(s.Slots, Slot{Level: lvl, Count: n, Kind: SlotPact, Recharge: "short rest"})
		for _, al := range arcanumLevels {
			if c.level >= al[1] {
				s.Slots = append(s.Slots, Slot{Level: al[0], Count: 1, Kind: SlotMysticArcanum, Recharge: "long rest"})
			}
		}
		return lvl
	case "half":
		for i, n := range halfCasterSlots[c.level-1] {
			if n > 0 {
				s.Slots = append(s.Slots, Slot{Level: i + 1, Count: n, Kind: SlotSpell, Recharge: "long rest"})
				top = i + 1
			}
		}
	default:
		for i, n := range fullCasterSlots[c.level-1] {
			if n > 0 {
				s.Slots = append(s.Slots, Slot{Level: i + 1, Count: n, Kind: SlotSpell, Recharge: "long rest"})
				top = i + 1
			}
		}
	}
	return top
}

// classSpells is the class's list at one spell level, plus what the
// subclass lets it choose from (the Fiend's expanded spells), less what the
// character shuns.
func (c *character) classSpells(level int) []*spellData {
	out := slices.Clone(tbl.spellsByList[c.class.Spellcasting.List][level])
	for _, name := range c.class.Subclass.Expanded[strconv.Itoa(level)] {
		if sp := tbl.spells[name]; !slices.Contains(out, sp) {
			out = append(out, sp)
		}
	}
	return slices.DeleteFunc(out, c.shuns)
}

// shuns reports whether the character would rather not learn a spell: a
// good character leaves the ones that raise the dead as servants.
func (c *character) shuns(sp *spellData) bool {
	return sp.Dark && strings.HasSuffix(c.alignment, "good")
}

// spellWeight favours the spells players reach for: the well-known ones,
// then those that fight, heal or protect.
func spellWeight(sp *spellData) int {
	w := 1
	switch sp.Use {
	case "attack", "damage", "heal", "control", "defense", "buff":
		w = 3
	case "summon":
		w = 2
	}
	if sp.Core {
		w *= 3
	}
	return w
}

// pickWeighted draws n items without replacement, each with a weight.
func pickWeighted(r *rand.Rand, pool []*spellData, n int, weight func(*spellData) int) []*spellData {
	pool = slices.Clone(pool)
	var out []*spellData
	for len(out) < n && len(pool) > 0 {
		total := 0
		for _, sp := range pool {
			total += weight(sp)
		}
		k := r.IntN(total)
		for i, sp := range pool {
			if k < weight(sp) {
				out = append(out, sp)
				pool = slices.Delete(pool, i, i+1)
				break
			}
			k -= weight(sp)
		}
	}
	return out
}

// chooseCantrips picks the cantrips known: the class's fixed ones
// (Eldritch Blast), then at least one that deals damage (at range, for a
// caster who fights from afar), then the rest.
func (c *character) chooseCantrips(n int) []Spell {
	r := rng(c.seed, "cantrips")
	pool := c.classSpells(0)
	var chosen []*spellData
	for _, name := range c.class.Spellcasting.AlwaysCantrips {
		chosen = append(chosen, tbl.spells[name])
	}
	damaging := func(sp *spellData) bool { return sp.Damage != "" }
	reaches := func(sp *spellData) bool { return !sp.Melee && reach(sp.Range) > 10 }
	if !slices.ContainsFunc(chosen, damaging) && n > len(chosen) {
		var dmg, far []*spellData
		for _, sp := range pool {
			if damaging(sp) {
				dmg = append(dmg, sp)
			}
			if damaging(sp) && reaches(sp) {
				far = append(far, sp)
			}
		}
		got := pickWeighted(r, dmg, 1, c.cantripWeight)
		if c.build.Range == "ranged" && len(got) == 1 && !reaches(got[0]) && len(far) > 0 {
			got = pickWeighted(r, far, 1, c.cantripWeight) // a caster who fights from afar needs a cantrip that reaches
		}
		chosen = append(chosen, got...)
	}
	rest := slices.DeleteFunc(slices.Clone(pool), func(sp *spellData) bool { return slices.Contains(chosen, sp) })
	// Once one damaging cantrip is known, others weigh less than the
	// well-loved utility ones.
	weight := func(sp *spellData) int {
		w := c.cantripWeight(sp)
		if sp.Damage != "" {
			w = max(1, w/3)
		}
		return w
	}
	chosen = append(chosen, pickWeighted(r, rest, n-len(chosen), weight)...)
	return c.spellEntries(chosen, c.class.Name, false)
}

// cantripWeight favours the cantrips players reach for, and a draconic
// sorcerer's own element.
func (c *character) cantripWeight(sp *spellData) int {
	w := 2
	if sp.Core {
		w = 6
	}
	if c.ancestry != nil && c.has("Dragon Ancestor") && strings.HasSuffix(sp.Damage, " "+c.ancestry.Damage) {
		w *= 4
	}
	return w
}

// chooseSpells picks count spells over the castable levels, one level at a
// time from the lowest, then adds the always-prepared subclass spells and
// the Mystic Arcanum.
func (c *character) chooseSpells(count, top int) []Spell {
	r := rng(c.seed, "spells")
	var always []*spellData
	for _, lv := range c.class.Subclass.Spells {
		if lv.level <= c.level {
			for _, name := range lv.value {
				always = append(always, tbl.spells[name])
			}
		}
	}
	pools := make([][]*spellData, top+1)
	for lvl := 1; lvl <= top; lvl++ {
		pools[lvl] = slices.DeleteFunc(c.classSpells(lvl), func(sp *spellData) bool { return slices.Contains(always, sp) })
	}
	secrets := min(count, c.maxEffect("magical_secrets"))
	count -= secrets
	var chosen []*spellData
	for len(chosen) < count {
		progress := false
		for lvl := 1; lvl <= top && len(chosen) < count; lvl++ {
			got := pickWeighted(r, pools[lvl], 1, spellWeight)
			if len(got) == 0 {
				continue
			}
			chosen = append(chosen, got...)
			pools[lvl] = slices.DeleteFunc(pools[lvl], func(sp *spellData) bool { return sp == got[0] })
			progress = true
		}
		if !progress {
			break
		}
	}
	out := c.spellEntries(chosen, c.class.Name, false)
	out = append(out, c.spellEntries(always, c.class.Subclass.FullName, true)...)
	known := slices.Concat(chosen, always)
	if secrets > 0 {
		got := c.secretSpells(r, secrets, top, known)
		known = append(known, got...)
		out = append(out, c.spellEntries(got, "Magical Secrets", false)...)
	}
	if extra := c.sumEffect("extra_secrets"); extra > 0 {
		out = append(out, c.spellEntries(c.secretSpells(r, extra, top, known), "Additional Magical Secrets", false)...)
	}
	for _, al := range arcanumLevels {
		if c.class.Spellcasting.Progression == "pact" && c.level >= al[1] {
			out = append(out, c.spellEntries(pickWeighted(r, c.classSpells(al[0]), 1, spellWeight), "Mystic Arcanum", false)...)
		}
	}
	slices.SortStableFunc(out, func(a, b Spell) int {
		return cmp.Or(cmp.Compare(a.Level, b.Level), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// secretSpells picks n spells of castable levels from other classes' lists
// for a bard's Magical Secrets, none already known.
func (c *character) secretSpells(r *rand.Rand, n, top int, known []*spellData) []*spellData {
	var pool []*spellData
	for i := range tbl.spellList {
		sp := &tbl.spellList[i]
		if sp.Level >= 1 && sp.Level <= top && !slices.Contains(sp.Classes, c.class.Name) && !slices.Contains(known, sp) && !c.shuns(sp) {
			pool = append(pool, sp)
		}
	}
	// Bards reach for the big spells other classes keep to themselves.
	return pickWeighted(r, pool, n, func(sp *spellData) int { return spellWeight(sp) * sp.Level })
}

func (c *character) spellEntries(spells []*spellData, source string, always bool) []Spell {
	var out []Spell
	for _, sp := range spells {
		src := source
		if source == c.class.Name && !slices.Contains(sp.Classes, c.class.Name) {
			src = c.class.Subclass.FullName // chosen from the subclass's expanded list
		}
		out = append(out, Spell{Name: sp.Name, Level: sp.Level, School: sp.School, Source: src, AlwaysPrepared: always})
	}
	if out == nil {
		out = []Spell{}
	}
	return out
}

// chooseRacialCantrip picks a High Elf's wizard cantrip, one the class
// does not already grant.
func (c *character) chooseRacialCantrip() {
	if c.sub == nil || c.sub.Cantrip == nil {
		return
	}
	pool := slices.DeleteFunc(slices.Clone(tbl.spellsByList[c.sub.Cantrip.List][0]), func(sp *spellData) bool {
		return c.casting != nil && slices.ContainsFunc(c.casting.Cantrips, func(s Spell) bool { return s.Name == sp.Name })
	})
	got := pickWeighted(rng(c.seed, "racial cantrip"), pool, 1, spellWeight)
	c.picked["racial cantrip"] = []string{got[0].Name}
}
