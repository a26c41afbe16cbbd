package rules

import (
	"slices"
	"strings"
)

// gear is what the character carries and how it changes the numbers.
type gear struct {
	main, offhand *weaponData
	backups       []itemRef
	armor         *armorData
	shield        bool
	shieldName    string
	// magic items, by what they enchant
	mainMagic, armorMagic, shieldMagic *magicData
	staff                              *magicData // a staff wielded as a weapon
	worn                               []*magicData
	potions                            []itemRef
	// item bonuses
	check, save, spellAttack, spellDC int
	kit                               []Item // packs, focus, tools, ammunition and background gear
}

// proficientWeapon reports whether the class or race trains the character
// with a weapon.
func (c *character) proficientWeapon(name string) bool {
	if c.classWeapon(name) || slices.Contains(c.race.Weapons, name) {
		return true
	}
	return c.sub != nil && slices.Contains(c.sub.Weapons, name)
}

func (c *character) classWeapon(name string) bool {
	w := tbl.weapons[name]
	return slices.Contains(c.class.Weapons, name) || w != nil && slices.Contains(c.class.Weapons, w.Group)
}

// usable reports whether the character can fight well with a weapon: it is
// proficient, and a Small character does not wield a heavy weapon.
func (c *character) usable(name string) bool {
	w := tbl.weapons[name]
	return w != nil && c.proficientWeapon(name) && !(w.has("heavy") && c.race.Size == "Small")
}

func (c *character) armorTypes() []string {
	out := slices.Clone(c.class.Armor)
	if c.hasEffect("armor_heavy") && !slices.Contains(out, "heavy") {
		out = append(out, "heavy")
	}
	slices.SortFunc(out, func(a, b string) int {
		order := []string{"light", "medium", "heavy", "shield"}
		return slices.Index(order, a) - slices.Index(order, b)
	})
	return out
}

func (c *character) chooseGear() {
	g := &c.gear
	r := rng(c.seed, "gear")
	b := c.build
	options := b.Main
	if c.race.Size == "Small" && len(b.MainSmall) > 0 {
		options = b.MainSmall
	}
	options = slices.DeleteFunc(slices.Clone(options), func(n string) bool { return !c.usable(n) })
	if len(options) == 0 {
		options = []string{"Mace", "Quarterstaff", "Dagger"}
		options = slices.DeleteFunc(options, func(n string) bool { return !c.usable(n) })
	}
	g.main = tbl.weapons[c.bestOption(options)[r.IntN(len(c.bestOption(options)))]]
	if b.Offhand {
		g.offhand = g.main
	}
	c.wieldAsked()
	backups := b.Backup
	if c.race.Size == "Small" && len(b.BackupSmall) > 0 {
		backups = b.BackupSmall
	}
	for _, it := range backups {
		if c.usable(it.Name) {
			g.backups = append(g.backups, it)
		}
	}
	g.shield = b.Shield && slices.Contains(c.class.Armor, "shield") && !g.main.has("two-handed")
	g.shieldName = tbl.shieldName
	if c.class.ArmorFilter == "nonmetal" {
		g.shieldName = "Wooden " + tbl.shieldName
	}
	g.armor = c.bestArmor()
	c.chooseKit()
}

// bestOption keeps the weapons that attack with the character's best
// ability, so a wizard takes the dagger over the quarterstaff.
func (c *character) bestOption(names []string) []string {
	best := -10
	for _, n := range names {
		best = max(best, c.mod(c.weaponAbility(tbl.weapons[n])))
	}
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return c.mod(c.weaponAbility(tbl.weapons[n])) < best })
}

// bestArmor picks the armour giving the highest AC that the character is
// proficient with, strong enough for and can afford at its level; nil when
// Unarmored Defense or no armour does as well.
func (c *character) bestArmor() *armorData {
	types := c.armorTypes()
	dex := c.mod(aDex)
	var best *armorData
	bestAC := c.unarmoredAC(nil)
	for i := range tbl.armor {
		a := &tbl.armor[i]
		switch {
		case !slices.Contains(types, a.Type), a.Level > c.level, a.Strength > c.scores[aStr],
			c.class.ArmorFilter == "nonmetal" && !a.Nonmetal,
			c.class.Stealthy && a.StealthDisadvantage:
			continue
		}
		// On a tie the armour that leans less on Dexterity wins (chain
		// mail over scale mail), then the one that does not hinder stealth.
		ac := armorAC(a, dex)
		tie := ac == bestAC && best != nil &&
			(a.Base > best.Base || a.Base == best.Base && best.StealthDisadvantage && !a.StealthDisadvantage)
		if ac > bestAC || tie {
			best, bestAC = a, ac
		}
	}
	return best
}

func armorAC(a *armorData, dex int) int {
	switch {
	case a.DexCap < 0:
		return a.Base + dex
	default:
		return a.Base + min(dex, a.DexCap)
	}
}

// unarmoredAC is the best Armor Class without armour: 10 + Dexterity, or
// Unarmored Defense, Draconic Resilience or a robe's base.
func (c *character) unarmoredAC(robe *magicData) int {
	dex := c.mod(aDex)
	ac := 10 + dex
	for _, u := range c.unarmored() {
		switch u {
		case "con":
			ac = max(ac, 10+dex+c.mod(aCon))
		case "wis":
			if !c.gear.shield {
				ac = max(ac, 10+dex+c.mod(aWis))
			}
		case "draconic":
			ac = max(ac, 13+dex)
		}
	}
	if robe != nil {
		ac = max(ac, robe.BaseAC+dex)
	}
	return ac
}

// chooseKit adds the pack, focus, class kit, ammunition and background gear.
func (c *character) chooseKit() {
	g := &c.gear
	has := func(name string) bool {
		return slices.ContainsFunc(g.kit, func(it Item) bool { return strings.EqualFold(it.Name, name) })
	}
	add := func(name, category string, qty int) {
		if !has(name) {
			g.kit = append(g.kit, Item{Name: name, Category: category, Quantity: max(qty, 1)})
		}
	}
	for _, k := range c.class.Kit {
		add(k, tbl.gear[k].Category, tbl.gear[k].Quantity)
	}
	if p, ok := tbl.packs[c.class.Pack]; ok {
		g.kit = append(g.kit, Item{Name: p.Name, Category: CatGear, Quantity: 1, Description: p.Description})
	}
	for _, w := range append([]*weaponData{g.main}, c.backupWeapons()...) {
		if w.Ammunition != "" {
			add(w.Ammunition, CatGear, tbl.gear[w.Ammunition].Quantity)
		}
	}
	for _, e := range c.bg.Equipment {
		add(c.toolFor(e.Name), e.Category, e.Quantity)
	}
}

func (c *character) backupWeapons() []*weaponData {
	var out []*weaponData
	for _, b := range c.gear.backups {
		out = append(out, tbl.weapons[b.Name])
	}
	return out
}

// items lists everything carried: weapons, armour and shield first, then
// magic items, kit and potions.
func (g *gear) items() []Item {
	var out []Item
	main := Item{Name: g.main.Name, Category: CatWeapon, Quantity: 1, Equipped: true}
	if g.offhand != nil {
		main.Quantity = 2
	}
	if m := g.mainMagic; m != nil {
		main = magicItem(m, enchantedName(m, g.main.Name), CatWeapon)
		if g.offhand != nil {
			out = append(out, main)
			main = Item{Name: g.main.Name, Category: CatWeapon, Quantity: 1, Equipped: true}
		}
	}
	out = append(out, main)
	if g.staff != nil {
		out = append(out, magicItem(g.staff, g.staff.Name, CatWeapon))
	}
	for _, b := range g.backups {
		if b.Name == g.main.Name && g.mainMagic == nil && g.offhand == nil {
			out[0].Quantity += b.Quantity
			continue
		}
		out = append(out, Item{Name: b.Name, Category: CatWeapon, Quantity: b.Quantity})
	}
	if a := g.armor; a != nil {
		it := Item{Name: a.Name, Category: CatArmor, Quantity: 1, Equipped: true}
		if m := g.armorMagic; m != nil {
			it = magicItem(m, enchantedName(m, a.Name), CatArmor)
		}
		out = append(out, it)
	}
	if g.shield {
		it := Item{Name: g.shieldName, Category: CatShield, Quantity: 1, Equipped: true}
		if m := g.shieldMagic; m != nil {
			it = magicItem(m, m.Name, CatShield)
		}
		out = append(out, it)
	}
	for _, m := range g.worn {
		out = append(out, magicItem(m, m.Name, map[string]string{"staff": CatFocus, "wand": CatFocus}[m.Kind]))
	}
	out = append(out, g.kit...)
	for _, p := range g.potions {
		m := tbl.magicByName[p.Name]
		it := magicItem(m, m.Name, CatConsumable)
		it.Quantity, it.Equipped = p.Quantity, false
		out = append(out, it)
	}
	return out
}

// magicItem is the sheet entry for a magic item; category defaults to
// wondrous.
func magicItem(m *magicData, name, category string) Item {
	if category == "" {
		category = CatWondrous
	}
	return Item{
		Name: name, Category: category, Quantity: 1, Equipped: true, Rarity: m.Rarity,
		RequiresAttunement: m.Attunement, Attuned: m.Attunement, Description: m.Description,
	}
}

// enchantedName names a magic weapon or armour after its base: "Longsword
// +1", "Mithral Half Plate", "Flame Tongue (Longsword)".
func enchantedName(m *magicData, base string) string {
	switch {
	case strings.HasPrefix(m.Name, "Weapon +"), strings.HasPrefix(m.Name, "Armor +"):
		return base + " " + m.Name[strings.IndexByte(m.Name, '+'):]
	case m.Name == "Mithral Armor", m.Name == "Adamantine Armor":
		return strings.TrimSuffix(m.Name, "Armor") + base
	case m.Kind == "staff", len(m.Base) == 1 && m.Base[0] == base, m.Name == "Armor of Invulnerability":
		return m.Name
	}
	return m.Name + " (" + base + ")"
}
