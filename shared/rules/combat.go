package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// armorClass is the Armor Class as worn, and what makes it up.
func (c *character) armorClass() (int, string) {
	g := &c.gear
	dex := c.mod(aDex)
	var parts []string
	part := func(name string, n int) { parts = append(parts, fmt.Sprintf("%s %+d", name, n)) }
	ac := 0
	if a := g.armor; a != nil {
		name := a.Name
		base := a.Base
		if m := g.armorMagic; m != nil {
			name = enchantedName(m, a.Name)
			base += m.AC
		}
		parts = append(parts, fmt.Sprintf("%s %d", name, base))
		ac = base
		if d := armorAC(a, dex) - a.Base; a.DexCap != 0 {
			part("Dex", d)
			ac += d
		}
		if c.hasStyle("armored_ac") {
			part("Defense", 1)
			ac++
		}
	} else {
		ac = c.unarmoredBasis(&parts)
	}
	if g.shield {
		bonus := tbl.shieldBonus
		switch m := g.shieldMagic; {
		case m != nil && m.AC > 0:
			bonus += m.AC
			parts = append(parts, fmt.Sprintf("%s (%+d)", m.Name, bonus))
		case m != nil:
			part(m.Name, bonus) // the magic shield worn, not the plain one it replaced
		default:
			part(g.shieldName, bonus)
		}
		ac += bonus
	}
	for _, m := range append([]*magicData{g.staff}, g.worn...) {
		if m != nil && m.AC != 0 {
			part(m.Name, m.AC)
			ac += m.AC
		}
	}
	return ac, strings.Join(parts, ", ")
}

// unarmoredBasis works out the best unarmoured AC and says what gave it.
func (c *character) unarmoredBasis(parts *[]string) int {
	var robe *magicData
	for _, m := range c.gear.worn {
		if m.BaseAC > 0 {
			robe = m
		}
	}
	ac := c.unarmoredAC(robe)
	dex := c.mod(aDex)
	add := func(s string) { *parts = append(*parts, s) }
	switch {
	case robe != nil && ac == robe.BaseAC+dex:
		add(fmt.Sprintf("%s %d", robe.Name, robe.BaseAC))
	case ac == 13+dex && c.hasUnarmored("draconic"):
		add("Draconic Resilience 13")
	case c.hasUnarmored("con") && ac == 10+dex+c.mod(aCon):
		add("Unarmored Defense 10")
		defer add(fmt.Sprintf("Con %+d", c.mod(aCon)))
	case c.hasUnarmored("wis") && ac == 10+dex+c.mod(aWis) && !c.gear.shield:
		add("Unarmored Defense 10")
		defer add(fmt.Sprintf("Wis %+d", c.mod(aWis)))
	default:
		add("Unarmored 10")
	}
	add(fmt.Sprintf("Dex %+d", dex))
	return ac
}

func (c *character) hasUnarmored(kind string) bool {
	for _, u := range c.unarmored() {
		if u == kind {
			return true
		}
	}
	return false
}

func (c *character) preferredRange() string {
	if c.build.Range == "melee" && c.gear.main.has("reach") {
		return "reach"
	}
	return c.build.Range
}

// attacks lists the ways the character deals damage: wielded weapons, a
// monk's unarmed strike, damaging cantrips and a breath weapon. A ranged
// caster's cantrips come first.
func (c *character) attacks() []Attack {
	g := &c.gear
	weapons := []Attack{c.weaponAttack(g.main, g.mainMagic, true)}
	if g.staff != nil {
		weapons = append(weapons, c.weaponAttack(tbl.weapons[g.staff.WeaponBase], g.staff, false))
	}
	for _, w := range c.backupWeapons() {
		if w != g.main {
			weapons = append(weapons, c.backupAttack(w))
			break
		}
	}
	if c.build.MartialArts {
		weapons = append(weapons, c.unarmedStrike())
	}
	spells, racial := c.cantripAttacks(), c.racialCantripAttacks()
	ranged := c.build.Range == "ranged" && c.casting != nil && len(c.casting.Cantrips) > 0
	if ranged {
		// A ranged caster casts a racial cantrip as one of its own.
		spells, racial = append(spells, racial...), nil
	}
	// The longest reach first, touch spells last.
	slices.SortStableFunc(spells, func(a, b Attack) int { return reach(b.Range) - reach(a.Range) })
	out := slices.Concat(weapons, spells, racial)
	if ranged && len(spells) > 0 {
		out = slices.Concat(spells, weapons)
	}
	if c.has("Breath Weapon") && c.ancestry != nil {
		a := c.ancestry
		out = append(out, Attack{
			Name: "Breath Weapon (" + a.Damage + ")", Kind: KindSaveSpell, Range: a.Area,
			Save:   fmt.Sprintf("DC %d %s, half damage on success", c.breathDC(), abilityNames[abilityIndex(a.Save)]),
			Damage: c.breathDice() + " " + a.Damage, Notes: "once per short or long rest",
		})
	}
	return out
}

// backupAttack is the second weapon's attack. A thrown weapon carried as the
// ranged option is shown thrown, without what only melee hits add.
func (c *character) backupAttack(w *weaponData) Attack {
	if w.Type != "melee" || !w.has("thrown") {
		return c.weaponAttack(w, nil, false)
	}
	a := c.weaponAbility(w)
	hit, dmg := c.mod(a)+c.prof, c.mod(a)
	if c.hasStyle("ranged_attack") {
		hit += 2
	}
	return Attack{
		Name: w.Name + " (thrown)", Kind: KindRangedWeapon, Range: w.Range + " ft", ToHit: hit,
		Damage: damage(w.Damage, dmg, w.DamageType, nil),
	}
}

// martialArtsDie is the monk's unarmed damage die at the level.
func (c *character) martialArtsDie() int {
	switch {
	case c.level >= 17:
		return 10
	case c.level >= 11:
		return 8
	case c.level >= 5:
		return 6
	}
	return 4
}

// monkWeapon reports whether a monk's Martial Arts covers a weapon:
// shortswords and simple melee weapons that are neither two-handed nor heavy.
func (c *character) monkWeapon(w *weaponData) bool {
	return c.build.MartialArts && (w.Name == "Shortsword" ||
		w.Group == "simple" && w.Type == "melee" && !w.has("two-handed") && !w.has("heavy"))
}

// weaponAbility is the ability a weapon attack uses: Dexterity for ranged
// weapons, the better of Strength and Dexterity for finesse and monk
// weapons, Strength otherwise.
func (c *character) weaponAbility(w *weaponData) int {
	switch {
	case w.Type == "ranged":
		return aDex
	case w.has("finesse") || c.monkWeapon(w):
		if c.scores[aDex] > c.scores[aStr] {
			return aDex
		}
	}
	return aStr
}

func (c *character) weaponAttack(w *weaponData, m *magicData, main bool) Attack {
	a := c.weaponAbility(w)
	hit := c.mod(a) + c.prof
	dmg := c.mod(a)
	die := w.Damage
	if c.monkWeapon(w) && dieSize(die) < c.martialArtsDie() {
		die = "1d" + strconv.Itoa(c.martialArtsDie())
	}
	dtype := w.DamageType
	var extras, notes []string
	if m != nil {
		hit += m.Attack
		dmg += m.Damage
		if m.DamageType != "" {
			dtype = m.DamageType
		}
		if m.Extra != "" {
			extras = append(extras, m.Extra)
		}
		if m.Note != "" {
			notes = append(notes, m.Note)
		}
	}
	oneHanded := !w.has("two-handed") && c.gear.offhand == nil
	switch {
	case w.Type == "ranged":
		if c.hasStyle("ranged_attack") {
			hit += 2
		}
		if c.isBow(w) {
			dmg += c.bowDamage()
		}
	default:
		if c.hasStyle("dueling") && oneHanded {
			dmg += 2
		}
		if e := c.meleeExtra(); e != "" {
			extras = append(extras, e)
		}
	}
	at := Attack{Name: w.Name, Kind: KindMeleeWeapon, Range: "5 ft", ToHit: hit}
	if m != nil {
		at.Name = enchantedName(m, w.Name)
	}
	if w.has("reach") {
		at.Range = "10 ft"
	}
	switch {
	case w.Type == "ranged":
		at.Kind, at.Range = KindRangedWeapon, w.Range+" ft"
		if w.has("loading") {
			notes = append(notes, "loading: one shot per action")
		}
	case w.has("thrown"):
		at.Range += " or thrown " + w.Range + " ft"
	}
	at.Damage = damage(die, dmg, dtype, extras)
	if main {
		notes = append(notes, c.mainNotes(w, die, dmg, dtype, extras)...)
	}
	at.Notes = strings.Join(notes, "; ")
	return at
}

// mainNotes adds the versatile two-handed damage and the off-hand attack.
func (c *character) mainNotes(w *weaponData, die string, dmg int, dtype string, extras []string) []string {
	var notes []string
	if w.Versatile != "" && dieSize(w.Versatile) > dieSize(die) && !c.gear.shield && c.gear.offhand == nil {
		two := dmg
		if c.hasStyle("dueling") {
			two -= 2
		}
		notes = append(notes, "two-handed: "+damage(w.Versatile, two, dtype, extras))
	}
	if c.gear.offhand != nil {
		off := 0
		if c.hasStyle("offhand_mod") {
			off = c.mod(c.weaponAbility(w))
		}
		var extra []string // the second weapon is plain, but Improved Divine Smite still applies
		if e := c.meleeExtra(); e != "" {
			extra = append(extra, e)
		}
		notes = append(notes, "off-hand attack as a bonus action: "+damage(w.Damage, off, w.DamageType, extra))
	}
	return notes
}

func (c *character) isBow(w *weaponData) bool {
	for _, b := range tbl.weaponGroups["bow"] {
		if b == w.Name {
			return true
		}
	}
	return false
}

func (c *character) bowDamage() int {
	n := 0
	for _, m := range c.gear.worn {
		n += m.BowDamage
	}
	return n
}

// meleeExtra is damage every melee weapon hit adds (Improved Divine Smite).
func (c *character) meleeExtra() string {
	for _, f := range c.feats {
		if f.f.Effect == "melee_extra" {
			return f.f.Extra
		}
	}
	return ""
}

func (c *character) unarmedStrike() Attack {
	a := aStr
	if c.scores[aDex] > c.scores[aStr] {
		a = aDex
	}
	notes := "one more as a bonus action after taking the Attack action"
	if c.level >= 6 {
		notes += "; counts as magical"
	}
	return Attack{
		Name: "Unarmed Strike", Kind: KindMeleeWeapon, Range: "5 ft", ToHit: c.mod(a) + c.prof,
		Damage: damage("1d"+strconv.Itoa(c.martialArtsDie()), c.mod(a), "bludgeoning", nil), Notes: notes,
	}
}

// cantripAttacks lists the class's damaging cantrips, scaled for the
// level.
func (c *character) cantripAttacks() []Attack {
	var out []Attack
	if c.casting == nil {
		return nil
	}
	for _, sp := range c.casting.Cantrips {
		if d := tbl.spells[sp.Name]; d.Damage != "" {
			out = append(out, c.cantripAttack(d, c.casting.AttackBonus, c.casting.SaveDC))
		}
	}
	return out
}

// racialCantripAttacks lists a damaging racial cantrip (a High Elf's
// wizard cantrip), cast with the race's ability.
func (c *character) racialCantripAttacks() []Attack {
	if c.sub == nil || c.sub.Cantrip == nil {
		return nil
	}
	a := abilityIndex(c.sub.Cantrip.Ability)
	var out []Attack
	for _, name := range c.picked["racial cantrip"] {
		if d := tbl.spells[name]; d != nil && d.Damage != "" {
			out = append(out, c.cantripAttack(d, c.prof+c.mod(a)+c.gear.spellAttack, 8+c.prof+c.mod(a)+c.gear.spellDC))
		}
	}
	return out
}

// cantripAttack is a damaging cantrip's attack with the given spell attack
// bonus and save DC.
func (c *character) cantripAttack(d *spellData, attack, dc int) Attack {
	dice := 1 + btoi(c.level >= 5) + btoi(c.level >= 11) + btoi(c.level >= 17)
	die, dtype, _ := strings.Cut(d.Damage, " ")
	n, notes := dice, []string{}
	if d.Beams {
		n = 1
		if dice > 1 {
			notes = append(notes, fmt.Sprintf("%d beams, each with its own attack roll", dice))
		}
	}
	die = strconv.Itoa(n) + die[strings.IndexByte(die, 'd'):]
	at := Attack{Name: d.Name, Kind: KindRangedSpell, Range: d.Range, ToHit: attack,
		Damage: damage(die, c.cantripBonus(d, dtype), dtype, nil)}
	switch {
	case d.Save != "":
		on := "no damage on success"
		if c.has("Potent Cantrip") {
			on = "half damage on success"
		}
		at.Kind, at.ToHit = KindSaveSpell, 0
		at.Save = fmt.Sprintf("DC %d %s, %s", dc, abilityNames[abilityIndex(d.Save)], on)
	case d.Melee:
		at.Kind = KindMeleeSpell
	}
	if d.Note != "" {
		notes = append(notes, d.Note)
	}
	at.Notes = strings.Join(notes, "; ")
	return at
}

// cantripBonus is what features add to a cantrip's damage: Agonizing
// Blast, Empowered Evocation and Elemental Affinity.
func (c *character) cantripBonus(d *spellData, dtype string) int {
	b := 0
	if d.Name == "Eldritch Blast" && c.hasEffect("agonizing") {
		b += c.mod(aCha)
	}
	if c.hasEffect("empowered_evocation") && d.School == "evocation" {
		b += c.mod(aInt)
	}
	if c.hasEffect("elemental_affinity") && c.ancestry != nil && dtype == c.ancestry.Damage {
		b += c.mod(aCha)
	}
	return b
}

// damage writes "1d8+3 slashing plus 1d6 cold".
func damage(die string, bonus int, dtype string, extras []string) string {
	s := die
	if bonus != 0 {
		s += fmt.Sprintf("%+d", bonus)
	}
	s += " " + dtype
	for _, e := range extras {
		s += " plus " + e
	}
	return s
}

// reach is the distance in feet a range starts with; 0 for touch.
func reach(r string) int {
	end := strings.IndexFunc(r, func(c rune) bool { return c < '0' || c > '9' })
	if end < 0 {
		end = len(r)
	}
	n, _ := strconv.Atoi(r[:end])
	return n
}

// dieSize is N in "1dN".
func dieSize(die string) int {
	_, n, _ := strings.Cut(die, "d")
	v, _ := strconv.Atoi(n)
	return v
}
