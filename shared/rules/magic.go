package rules

import (
	"math/rand/v2"
	"slices"
)

// MaxAttuned is how many magic items a creature can be attuned to at once.
const MaxAttuned = 3

// treasure is how many magic items a character of a tier carries and how
// likely each rarity is. Levels 1–4 carry none.
type treasure struct {
	minLevel, count, extraPercent int
	rarities                      map[string]int
}

var treasureByTier = []treasure{
	{17, 3, 50, map[string]int{"rare": 1, "very rare": 3, "legendary": 2}},
	{11, 2, 50, map[string]int{"uncommon": 1, "rare": 3, "very rare": 1}},
	{5, 1, 35, map[string]int{"uncommon": 3, "rare": 1}},
}

// potionsByTier is the healing potions carried, by the same tiers and for
// levels 1–4.
var potionsByTier = []struct {
	minLevel int
	potions  []itemRef
}{
	{17, []itemRef{{"Potion of Superior Healing", 2}, {"Potion of Supreme Healing", 1}}},
	{11, []itemRef{{"Potion of Greater Healing", 2}, {"Potion of Superior Healing", 1}}},
	{5, []itemRef{{"Potion of Healing", 2}, {"Potion of Greater Healing", 1}}},
	{1, []itemRef{{"Potion of Healing", 1}}},
}

// chooseMagicItems gives a character of level 5 or more a few magic items
// suited to its tier, each one the character can use: the right weapon or
// armour to enchant, the class or race an item asks for, spellcasting for
// a caster's item, and never more than three needing attunement.
func (c *character) chooseMagicItems() {
	for _, p := range potionsByTier {
		if c.level >= p.minLevel {
			c.gear.potions = p.potions
			break
		}
	}
	var t *treasure
	for i := range treasureByTier {
		if c.level >= treasureByTier[i].minLevel {
			t = &treasureByTier[i]
			break
		}
	}
	if t == nil {
		return
	}
	r := rng(c.seed, "magic items")
	n := t.count + btoi(r.IntN(100) < t.extraPercent)
	for range n {
		rarity := weightedKey(r, t.rarities)
		if m := c.pickItem(r, rarity); m != nil {
			c.equip(m)
		}
	}
}

func weightedKey(r *rand.Rand, weights map[string]int) string {
	keys := []string{"common", "uncommon", "rare", "very rare", "legendary"}
	total := 0
	for _, k := range keys {
		total += weights[k]
	}
	n := r.IntN(total)
	for _, k := range keys {
		if n < weights[k] {
			return k
		}
		n -= weights[k]
	}
	return keys[0]
}

// pickItem draws one item of a rarity the character can use and has room
// for. Items that improve what the character fights with weigh more.
func (c *character) pickItem(r *rand.Rand, rarity string) *magicData {
	var cands []*magicData
	var weights []int
	total := 0
	for i := range tbl.magic {
		m := &tbl.magic[i]
		if m.Rarity != rarity || m.Kind == "potion" || !c.fits(m) {
			continue
		}
		w := 1
		switch m.Kind {
		case "weapon", "armor", "shield":
			w = 3
		case "staff", "wand":
			if c.casts() && c.class.Spellcasting.Progression != "half" {
				w = 3
			}
		}
		cands, weights = append(cands, m), append(weights, w)
		total += w
	}
	if total == 0 {
		return nil
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return cands[i]
		}
		n -= w
	}
	return nil
}

// casts reports whether the character has class spellcasting at its level.
func (c *character) casts() bool {
	sc := c.class.Spellcasting
	return sc != nil && c.level >= sc.Start
}

func (c *character) attuned() int {
	n := 0
	for _, m := range c.gear.allMagic() {
		if m.Attunement {
			n++
		}
	}
	return n
}

func (g *gear) allMagic() []*magicData {
	var out []*magicData
	for _, m := range []*magicData{g.mainMagic, g.armorMagic, g.shieldMagic, g.staff} {
		if m != nil {
			out = append(out, m)
		}
	}
	return append(out, g.worn...)
}

// fits reports whether the character can use an item it does not own yet.
func (c *character) fits(m *magicData) bool {
	g := &c.gear
	switch {
	case slices.Contains(g.allMagic(), m),
		m.Attunement && c.attuned() >= MaxAttuned,
		len(m.Classes) > 0 && !slices.Contains(m.Classes, c.class.Name),
		len(m.Races) > 0 && !slices.Contains(m.Races, c.race.Name),
		m.Spellcaster && !c.casts():
		return false
	}
	switch m.Requires {
	case "bow":
		if !slices.ContainsFunc(append(c.backupWeapons(), g.main), func(w *weaponData) bool {
			return slices.Contains(tbl.weaponGroups["bow"], w.Name)
		}) {
			return false
		}
	case "unarmored":
		if g.armor != nil || g.shield {
			return false
		}
	case "no armor":
		if g.armor != nil {
			return false
		}
	}
	switch m.Kind {
	case "weapon":
		return g.mainMagic == nil && tbl.weaponIn(m.Base, g.main.Name)
	case "armor":
		return g.armor != nil && g.armorMagic == nil && (slices.Contains(m.Base, g.armor.Name) || slices.Contains(m.Base, g.armor.Type))
	case "shield":
		return g.shield && g.shieldMagic == nil
	case "staff":
		switch {
		case m.WeaponBase == "":
			return true
		case g.staff != nil, !c.usable(m.WeaponBase):
			return false
		case !m.Wielder && (g.shield || g.offhand != nil || g.main.has("two-handed")):
			return false // no free hand to hold it beside the weapon
		case m.Wielder:
			return g.main.Name == m.WeaponBase && g.mainMagic == nil
		}
	}
	return true
}

// weaponIn reports whether a weapon is among a magic item's bases: "any",
// a group such as "sword", or weapon names.
func (t *tables) weaponIn(base []string, weapon string) bool {
	for _, b := range base {
		if b == "any" || b == weapon || slices.Contains(t.weaponGroups[b], weapon) {
			return true
		}
	}
	return false
}

// equip puts an item where it belongs and records its bonuses.
func (c *character) equip(m *magicData) {
	g := &c.gear
	switch {
	case m.Kind == "weapon", m.Wielder:
		g.mainMagic = m
	case m.Kind == "armor":
		g.armorMagic = m
	case m.Kind == "shield":
		g.shieldMagic = m
	case m.WeaponBase != "":
		g.staff = m
	default:
		g.worn = append(g.worn, m)
	}
	g.save += m.Save
	g.check += m.Check
	g.spellAttack += m.SpellAttack
	g.spellDC += m.SpellDC
}
