package rules

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The tables below restate the SRD 5.1 for the tests, independently of the
// package's data and code.

var (
	testProf   = [21]int{0, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6}
	testHitDie = map[string]int{
		"Barbarian": 12, "Fighter": 10, "Paladin": 10, "Ranger": 10, "Bard": 8, "Cleric": 8,
		"Druid": 8, "Monk": 8, "Rogue": 8, "Warlock": 8, "Sorcerer": 6, "Wizard": 6,
	}
	testSaves = map[string][2]string{
		"Barbarian": {"Strength", "Constitution"}, "Bard": {"Dexterity", "Charisma"},
		"Cleric": {"Wisdom", "Charisma"}, "Druid": {"Intelligence", "Wisdom"},
		"Fighter": {"Strength", "Constitution"}, "Monk": {"Strength", "Dexterity"},
		"Paladin": {"Wisdom", "Charisma"}, "Ranger": {"Strength", "Dexterity"},
		"Rogue": {"Dexterity", "Intelligence"}, "Sorcerer": {"Constitution", "Charisma"},
		"Warlock": {"Wisdom", "Charisma"}, "Wizard": {"Intelligence", "Wisdom"},
	}
	// Full caster slots by level, as printed in the SRD's class tables.
	testFullSlots = [21]string{"",
		"2", "3", "4/2", "4/3", "4/3/2", "4/3/3", "4/3/3/1", "4/3/3/2", "4/3/3/3/1", "4/3/3/3/2",
		"4/3/3/3/2/1", "4/3/3/3/2/1", "4/3/3/3/2/1/1", "4/3/3/3/2/1/1", "4/3/3/3/2/1/1/1",
		"4/3/3/3/2/1/1/1", "4/3/3/3/2/1/1/1/1", "4/3/3/3/3/1/1/1/1", "4/3/3/3/3/2/1/1/1", "4/3/3/3/3/2/2/1/1",
	}
	testCasting = map[string]struct {
		ability  string
		kind     string // full, half, pact
		cantrips [3]int // at levels 1–3, 4–9, 10–20
	}{
		"Bard": {"Charisma", "full", [3]int{2, 3, 4}}, "Cleric": {"Wisdom", "full", [3]int{3, 4, 5}},
		"Druid": {"Wisdom", "full", [3]int{2, 3, 4}}, "Sorcerer": {"Charisma", "full", [3]int{4, 5, 6}},
		"Wizard": {"Intelligence", "full", [3]int{3, 4, 5}}, "Warlock": {"Charisma", "pact", [3]int{2, 3, 4}},
		"Paladin": {"Charisma", "half", [3]int{}}, "Ranger": {"Wisdom", "half", [3]int{}},
	}
	testKnown = map[string][21]int{
		"Bard":     {0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 15, 16, 18, 19, 19, 20, 22, 22, 22},
		"Sorcerer": {0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 13, 13, 14, 14, 15, 15, 15, 15},
		"Warlock":  {0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15},
		"Ranger":   {0, 0, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11},
	}
	testRaceBonus = map[string]int{ // total racial increase, subrace included
		"Dwarf": 3, "Elf": 3, "Halfling": 3, "Human": 6, "Dragonborn": 3,
		"Gnome": 3, "Half-Elf": 4, "Half-Orc": 3, "Tiefling": 3,
	}
	testASI = map[string][]int{"Fighter": {4, 6, 8, 12, 14, 16, 19}, "Rogue": {4, 8, 10, 12, 16, 19}}
	// Armour: base AC, Dexterity cap (-1 none), Strength needed, type.
	testArmor = map[string]struct {
		base, cap, str int
		kind           string
	}{
		"Padded Armor": {11, -1, 0, "light"}, "Leather Armor": {11, -1, 0, "light"}, "Studded Leather Armor": {12, -1, 0, "light"},
		"Hide Armor": {12, 2, 0, "medium"}, "Chain Shirt": {13, 2, 0, "medium"}, "Scale Mail": {14, 2, 0, "medium"},
		"Breastplate": {14, 2, 0, "medium"}, "Half Plate": {15, 2, 0, "medium"},
		"Ring Mail": {14, 0, 0, "heavy"}, "Chain Mail": {16, 0, 13, "heavy"}, "Splint Armor": {17, 0, 15, "heavy"}, "Plate Armor": {18, 0, 15, "heavy"},
	}
	testClassArmor = map[string][]string{
		"Barbarian": {"light", "medium", "shield"}, "Bard": {"light"}, "Cleric": {"light", "medium", "shield"},
		"Druid": {"light", "medium", "shield"}, "Fighter": {"light", "medium", "heavy", "shield"}, "Monk": {},
		"Paladin": {"light", "medium", "heavy", "shield"}, "Ranger": {"light", "medium", "shield"},
		"Rogue": {"light"}, "Sorcerer": {}, "Warlock": {"light"}, "Wizard": {},
	}
	testSimple  = []string{"Club", "Dagger", "Greatclub", "Handaxe", "Javelin", "Light Hammer", "Mace", "Quarterstaff", "Sickle", "Spear", "Light Crossbow", "Dart", "Shortbow", "Sling"}
	testMartial = []string{"Battleaxe", "Flail", "Glaive", "Greataxe", "Greatsword", "Halberd", "Lance", "Longsword", "Maul", "Morningstar", "Pike", "Rapier", "Scimitar", "Shortsword", "Trident", "War Pick", "Warhammer", "Whip", "Blowgun", "Hand Crossbow", "Heavy Crossbow", "Longbow"}
	testHeavy   = []string{"Glaive", "Greataxe", "Greatsword", "Halberd", "Maul", "Pike", "Heavy Crossbow", "Longbow"}
	testWeapons = map[string][]string{
		"Bard": {"Hand Crossbow", "Longsword", "Rapier", "Shortsword"}, "Rogue": {"Hand Crossbow", "Longsword", "Rapier", "Shortsword"},
		"Monk":     {"Shortsword"},
		"Druid":    {"Club", "Dagger", "Dart", "Javelin", "Mace", "Quarterstaff", "Scimitar", "Sickle", "Sling", "Spear"},
		"Sorcerer": {"Dagger", "Dart", "Sling", "Quarterstaff", "Light Crossbow"}, "Wizard": {"Dagger", "Dart", "Sling", "Quarterstaff", "Light Crossbow"},
	}
	// Magic items: who may attune, and what they add.
	testRestricted = map[string][]string{
		"Holy Avenger": {"Paladin"}, "Staff of the Magi": {"Sorcerer", "Warlock", "Wizard"},
		"Staff of Power": {"Sorcerer", "Warlock", "Wizard"}, "Staff of Healing": {"Bard", "Cleric", "Druid"},
		"Robe of the Archmagi": {"Sorcerer", "Warlock", "Wizard"}, "Staff of the Woodlands": {"Druid"},
		"Staff of Fire": {"Druid", "Sorcerer", "Warlock", "Wizard"}, "Staff of Frost": {"Druid", "Sorcerer", "Warlock", "Wizard"},
		"Staff of Withering": {"Cleric", "Druid", "Warlock"}, "Staff of the Python": {"Cleric", "Druid", "Warlock"},
	}
	testItemAC   = map[string]int{"Ring of Protection": 1, "Cloak of Protection": 1, "Ioun Stone (Protection)": 1, "Staff of Power": 2}
	testItemSave = map[string]int{"Ring of Protection": 1, "Cloak of Protection": 1, "Stone of Good Luck": 1, "Robe of Stars": 1, "Staff of Power": 2}
	testSpellAtk = map[string]int{"Robe of the Archmagi": 2, "Staff of Power": 2, "Staff of the Magi": 2, "Staff of the Woodlands": 2,
		"Wand of the War Mage +1": 1, "Wand of the War Mage +2": 2, "Wand of the War Mage +3": 3}
	testMagicArmor = map[string]struct {
		base  string
		bonus int
	}{
		"Dwarven Plate": {"Plate Armor", 2}, "Efreeti Chain": {"Chain Mail", 3}, "Dragon Scale Mail": {"Scale Mail", 1},
		"Glamoured Studded Leather": {"Studded Leather Armor", 1}, "Armor of Invulnerability": {"Plate Armor", 0},
	}
	testMagicWeapon = map[string]string{
		"Sun Blade": "Longsword", "Dwarven Thrower": "Warhammer", "Oathbow": "Longbow", "Mace of Disruption": "Mace",
		"Mace of Smiting": "Mace", "Hammer of Thunderbolts": "Maul", "Scimitar of Speed": "Scimitar", "Dagger of Venom": "Dagger",
	}
	testWeaponBonus = map[string]int{
		"Sun Blade": 2, "Vorpal Sword": 3, "Defender": 3, "Holy Avenger": 3, "Luck Blade": 1, "Nine Lives Stealer": 2,
		"Dwarven Thrower": 3, "Mace of Smiting": 1, "Hammer of Thunderbolts": 1, "Scimitar of Speed": 2, "Giant Slayer": 1,
		"Dragon Slayer": 1, "Dagger of Venom": 1, "Staff of Power": 2, "Staff of the Magi": 2, "Staff of Striking": 3,
		"Staff of Thunder and Lightning": 2, "Staff of the Woodlands": 2,
	}
	plusRe = regexp.MustCompile(`^(.*) \+(\d)$`)
)

func testMod(score int) int { return score/2 - 5 }

// randomChoices draws choices across every SRD race, subrace, class,
// background and level, with both score methods.
func randomChoices(r *rand.Rand, seed int64) Choices {
	races := []string{"Hill Dwarf", "Dwarf", "High Elf", "Elf", "Lightfoot Halfling", "Halfling", "Human", "Dragonborn", "Gnome", "Rock Gnome", "Half-Elf", "Half-Orc", "Tiefling", ""}
	classes := []string{"Barbarian", "Bard", "Cleric", "Druid", "Fighter", "Monk", "Paladin", "Ranger", "Rogue", "Sorcerer", "Warlock", "Wizard"}
	c := Choices{
		Race: races[r.IntN(len(races))], Class: classes[r.IntN(len(classes))],
		Level: 1 + r.IntN(20), Seed: seed,
	}
	if r.IntN(4) == 0 {
		c.Method = "pointbuy"
	}
	if r.IntN(3) == 0 {
		c.Background = Backgrounds()[r.IntN(len(Backgrounds()))]
	}
	return c
}

func TestInvariantsOfRandomSheets(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	const n = 1500
	for i := range n {
		c := randomChoices(r, int64(i))
		s, err := Build(c)
		if err != nil {
			t.Fatalf("Build(%+v) = %v", c, err)
		}
		for _, p := range sheetProblems(c, s) {
			t.Errorf("Build(%+v): %s", c, p)
		}
		if t.Failed() && i > 50 {
			t.FailNow()
		}
	}
}

// sheetProblems checks one sheet against the independent computations.
func sheetProblems(c Choices, s Sheet) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	sc := [6]int{s.AbilityScores.Str, s.AbilityScores.Dex, s.AbilityScores.Con, s.AbilityScores.Int, s.AbilityScores.Wis, s.AbilityScores.Cha}
	mods := [6]int{}
	for i, v := range sc {
		mods[i] = testMod(v)
	}
	if s.ProficiencyBonus != testProf[s.Level] {
		bad("proficiency bonus %d, want %d", s.ProficiencyBonus, testProf[s.Level])
	}
	out = append(out, scoreProblems(c, s, sc)...)
	out = append(out, hpProblems(s, mods)...)
	out = append(out, saveProblems(s, mods)...)
	out = append(out, castingProblems(s, mods)...)
	out = append(out, equipmentProblems(s, sc)...)
	out = append(out, acProblems(s, mods)...)
	out = append(out, attackProblems(s, mods)...)
	out = append(out, wornProblems(s)...)
	return out
}

// testTwoHanded are the SRD weapons that take both hands.
var testTwoHanded = []string{"Greatclub", "Glaive", "Greataxe", "Greatsword", "Halberd", "Maul", "Pike", "Light Crossbow", "Heavy Crossbow", "Longbow", "Shortbow"}

// wornProblems checks what is worn and held: no more than two hands' worth
// of weapons and shield, a speed Boots of Striding and Springing raise to
// 30 feet, and an AC basis that names the shield actually worn.
func wornProblems(s Sheet) []string {
	var out []string
	hands := 0
	var held []string
	for _, it := range s.Equipment {
		if !it.Equipped {
			continue
		}
		switch it.Category {
		case CatWeapon:
			hands++
			if slices.Contains(testTwoHanded, baseWeapon(it.Name)) {
				hands++
			}
			held = append(held, it.Name)
		case CatShield:
			hands++
			held = append(held, it.Name)
			if !strings.Contains(s.ArmorClassBasis, it.Name) {
				out = append(out, fmt.Sprintf("AC basis %q does not name the shield worn, %s", s.ArmorClassBasis, it.Name))
			}
		}
	}
	if hands > 2 {
		out = append(out, fmt.Sprintf("%d hands to hold %q", hands, held))
	}
	if hasItem(s, "Boots of Striding and Springing") && s.Speed < 30 {
		out = append(out, fmt.Sprintf("speed %d in Boots of Striding and Springing, want at least 30", s.Speed))
	}
	return out
}

// scoreProblems checks that racial and subrace bonuses, every ASI and the
// capstone were all added: with the standard array the total is fixed.
func scoreProblems(c Choices, s Sheet, sc [6]int) []string {
	var out []string
	asis := testASI[s.Class]
	if asis == nil {
		asis = []int{4, 8, 12, 16, 19}
	}
	n := 0
	for _, l := range asis {
		if l <= s.Level {
			n++
		}
	}
	capstone := 0
	if s.Class == "Barbarian" && s.Level == 20 {
		capstone = 8
		if !hasFeature(s, "Primal Champion") || sc[0] < 21 || sc[2] < 21 || sc[0] > 24 || sc[2] > 24 {
			out = append(out, fmt.Sprintf("level 20 barbarian without Primal Champion: STR %d CON %d", sc[0], sc[2]))
		}
	}
	total := 0
	for i, v := range sc {
		total += v
		if v > 20 && !(capstone > 0 && (i == 0 || i == 2)) {
			out = append(out, fmt.Sprintf("%s %d is above 20", abilityNames[i], v))
		}
	}
	if c.Method == "" {
		want := 72 + testRaceBonus[s.Race] + 2*n + capstone
		if total != want {
			out = append(out, fmt.Sprintf("ability scores total %d, want %d (array 72, race %s %+d, %d ASIs, capstone %d)",
				total, want, s.Race+" "+s.Subrace, testRaceBonus[s.Race], n, capstone))
		}
	}
	return out
}

func hpProblems(s Sheet, mods [6]int) []string {
	die, con := testHitDie[s.Class], mods[2]
	want := die + con + (s.Level-1)*(die/2+1+con)
	if s.Subrace == "Hill Dwarf" {
		want += s.Level
	}
	if s.Class == "Sorcerer" && s.Subclass == "Draconic Bloodline" {
		want += s.Level
	}
	if s.HitPoints != want || s.HitDice != fmt.Sprintf("%dd%d", s.Level, die) {
		return []string{fmt.Sprintf("hit points %d (%s), want %d (%dd%d)", s.HitPoints, s.HitDice, want, s.Level, die)}
	}
	return nil
}

func itemBonus(s Sheet, table map[string]int) int {
	n := 0
	for _, it := range s.Equipment {
		n += table[it.Name]
	}
	return n
}

func saveProblems(s Sheet, mods [6]int) []string {
	var out []string
	aura := 0
	if s.Class == "Paladin" && s.Level >= 6 {
		aura = max(1, mods[5])
	}
	items := itemBonus(s, testItemSave)
	for _, it := range s.Equipment {
		if strings.HasPrefix(it.Name, "Luck Blade") {
			items++
		}
	}
	for i, sv := range s.SavingThrows {
		classSaves := testSaves[s.Class]
		prof := slices.Contains(classSaves[:], sv.Ability) ||
			s.Class == "Monk" && s.Level >= 14 || s.Class == "Rogue" && s.Level >= 15 && sv.Ability == "Wisdom"
		want := mods[i] + aura + items
		if prof {
			want += testProf[s.Level]
		}
		if sv.Ability != abilityNames[i] || sv.Proficient != prof || sv.Bonus != want {
			out = append(out, fmt.Sprintf("save %s %+d (proficient %v), want %s %+d (%v)", sv.Ability, sv.Bonus, sv.Proficient, abilityNames[i], want, prof))
		}
	}
	return out
}

func castingProblems(s Sheet, mods [6]int) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	tc, caster := testCasting[s.Class]
	if caster && tc.kind == "half" && s.Level < 2 {
		caster = false
	}
	if !caster {
		if s.Spellcasting != nil {
			bad("a level %d %s has spellcasting", s.Level, s.Class)
		}
		return out
	}
	sp := s.Spellcasting
	if sp == nil {
		bad("a level %d %s has no spellcasting", s.Level, s.Class)
		return out
	}
	a := slices.Index(abilityNames[:], tc.ability)
	prof := testProf[s.Level]
	if want := 8 + prof + mods[a] + 2*btoi(hasItem(s, "Robe of the Archmagi")); sp.SaveDC != want || sp.Ability != tc.ability {
		bad("spell save DC %d (%s), want %d (%s)", sp.SaveDC, sp.Ability, want, tc.ability)
	}
	if want := prof + mods[a] + itemBonus(s, testSpellAtk); sp.AttackBonus != want {
		bad("spell attack %+d, want %+d", sp.AttackBonus, want)
	}
	top, slotProblems := slotProblems(s, tc.kind)
	out = append(out, slotProblems...)
	cantrips := tc.cantrips[btoi(s.Level >= 4)+btoi(s.Level >= 10)]
	if s.Class == "Druid" && s.Subclass == "Land" && s.Level >= 2 {
		cantrips++
	}
	if sp.CantripsKnown != cantrips || len(sp.Cantrips) != cantrips {
		bad("%d cantrips known (%d listed), want %d", sp.CantripsKnown, len(sp.Cantrips), cantrips)
	}
	count := 0
	switch s.Class {
	case "Bard", "Sorcerer", "Warlock", "Ranger":
		count = testKnown[s.Class][s.Level]
		if sp.SpellsKnown != count {
			bad("%d spells known, want %d", sp.SpellsKnown, count)
		}
	case "Paladin":
		count = max(1, mods[a]+s.Level/2)
	default:
		count = max(1, mods[a]+s.Level)
	}
	if sp.SpellsPrepared+sp.SpellsKnown != count {
		bad("%d spells prepared or known, want %d", sp.SpellsPrepared+sp.SpellsKnown, count)
	}
	chosen, secrets, extra := 0, 0, 0
	for _, x := range sp.Spells {
		switch {
		case x.Source == "Mystic Arcanum":
			if x.Level < 6 {
				bad("arcanum spell %s of level %d", x.Name, x.Level)
			}
		case x.Level < 1 || x.Level > top:
			bad("spell %s of level %d, castable up to %d", x.Name, x.Level, top)
		case x.Source == "Additional Magical Secrets":
			extra++
		case x.Source == "Magical Secrets":
			secrets++
			chosen++
		case !x.AlwaysPrepared:
			chosen++
			if x.Source == s.Class && !slices.Contains(tbl.spells[x.Name].Classes, s.Class) {
				bad("%s is not on the %s list", x.Name, s.Class)
			}
		}
	}
	if chosen != count {
		bad("%d spells chosen, want %d", chosen, count)
	}
	if s.Class == "Bard" {
		wantSecrets := 2*btoi(s.Level >= 10) + 2*btoi(s.Level >= 14) + 2*btoi(s.Level >= 18)
		wantExtra := 2 * btoi(s.Level >= 6 && s.Subclass == "Lore")
		if secrets != wantSecrets || extra != wantExtra {
			bad("%d Magical Secrets and %d additional, want %d and %d", secrets, extra, wantSecrets, wantExtra)
		}
	}
	for _, x := range sp.Cantrips {
		if x.Level != 0 {
			bad("cantrip %s has level %d", x.Name, x.Level)
		}
	}
	if s.Class == "Warlock" {
		if !slices.ContainsFunc(sp.Cantrips, func(x Spell) bool { return x.Name == "Eldritch Blast" }) || s.Attacks[0].Name != "Eldritch Blast" {
			bad("warlock without Eldritch Blast as the first attack")
		}
	}
	return out
}

// slotProblems checks the slots against the SRD tables and returns the
// highest level castable with a slot. Half casters use the full caster
// table at half their level, rounded up.
func slotProblems(s Sheet, kind string) (int, []string) {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	sp := s.Spellcasting
	var slots []string
	arcana := 0
	top := 0
	for _, sl := range sp.Slots {
		switch sl.Kind {
		case SlotSpell:
			slots = append(slots, strconv.Itoa(sl.Count))
			top = sl.Level
		case SlotPact:
			top = sl.Level
			wantCount := map[bool]int{true: 1}[s.Level == 1] + 2*btoi(s.Level >= 2 && s.Level <= 10) + 3*btoi(s.Level >= 11 && s.Level <= 16) + 4*btoi(s.Level >= 17)
			if sl.Count != wantCount || sl.Level != min(5, (s.Level+1)/2) {
				bad("pact slots %d of level %d, want %d of level %d", sl.Count, sl.Level, wantCount, min(5, (s.Level+1)/2))
			}
		case SlotMysticArcanum:
			arcana++
			if sl.Level != 5+arcana || s.Level < 9+2*arcana {
				bad("mystic arcanum of level %d at warlock level %d", sl.Level, s.Level)
			}
		}
	}
	switch kind {
	case "full":
		if strings.Join(slots, "/") != testFullSlots[s.Level] {
			bad("slots %v, want %s", slots, testFullSlots[s.Level])
		}
	case "half":
		if strings.Join(slots, "/") != testFullSlots[(s.Level+1)/2] {
			bad("slots %v, want %s", slots, testFullSlots[(s.Level+1)/2])
		}
	case "pact":
		if want := max(0, min(4, (s.Level-9)/2)); arcana != want {
			bad("%d mystic arcana, want %d", arcana, want)
		}
	}
	return top, out
}

func hasItem(s Sheet, name string) bool {
	return slices.ContainsFunc(s.Equipment, func(it Item) bool { return it.Name == name })
}

// baseWeapon names the weapon a magic weapon is made from.
func baseWeapon(name string) string {
	if m := plusRe.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	if i := strings.LastIndex(name, " ("); i >= 0 && strings.HasSuffix(name, ")") {
		return name[i+2 : len(name)-1]
	}
	if strings.HasPrefix(name, "Staff of") {
		return "Quarterstaff"
	}
	if b, ok := testMagicWeapon[name]; ok {
		return b
	}
	return name
}

// baseArmor names the armour a magic armour is made from, and its bonus.
func baseArmor(name string) (string, int) {
	if m := plusRe.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[2])
		return m[1], n
	}
	if m, ok := testMagicArmor[name]; ok {
		return m.base, m.bonus
	}
	for _, p := range []string{"Mithral ", "Adamantine "} {
		if b, ok := strings.CutPrefix(name, p); ok {
			return b, 0
		}
	}
	if b, ok := strings.CutPrefix(name, "Armor of Resistance ("); ok {
		return strings.TrimSuffix(b, ")"), 0
	}
	return name, 0
}

// equipmentProblems checks that every weapon, armour and shield can be
// used, and that attunement respects the limit and the restrictions.
func equipmentProblems(s Sheet, sc [6]int) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	raceWeapons := map[string][]string{"Dwarf": {"Battleaxe", "Handaxe", "Light Hammer", "Warhammer"}}
	if s.Subrace == "High Elf" {
		raceWeapons["Elf"] = []string{"Longsword", "Shortsword", "Shortbow", "Longbow"}
	}
	attuned := 0
	for _, it := range s.Equipment {
		if it.Attuned {
			attuned++
			if !it.RequiresAttunement {
				bad("%s is attuned but needs no attunement", it.Name)
			}
		}
		for item, classes := range testRestricted {
			if (it.Name == item || strings.HasPrefix(it.Name, item+" (")) && !slices.Contains(classes, s.Class) {
				bad("%s carries %s, which only %v can use", s.Class, it.Name, classes)
			}
		}
		if strings.HasPrefix(it.Name, "Dwarven Thrower") && s.Race != "Dwarf" {
			bad("a %s carries a Dwarven Thrower", s.Race)
		}
		if strings.HasPrefix(it.Name, "Wand of") && it.RequiresAttunement && s.Spellcasting == nil && !strings.HasPrefix(it.Name, "Wand of Fear") {
			bad("a non-caster carries %s", it.Name)
		}
		switch it.Category {
		case CatWeapon:
			w := baseWeapon(it.Name)
			prof := s.Class != "Sorcerer" && s.Class != "Wizard" && s.Class != "Druid" && slices.Contains(testSimple, w) ||
				slices.Contains([]string{"Barbarian", "Fighter", "Paladin", "Ranger"}, s.Class) && slices.Contains(testMartial, w) ||
				slices.Contains(testWeapons[s.Class], w) || slices.Contains(raceWeapons[s.Race], w)
			if !prof {
				bad("a %s %s is not proficient with %s (%s)", s.Race, s.Class, it.Name, w)
			}
			if s.Size == "Small" && slices.Contains(testHeavy, w) {
				bad("a Small %s wields heavy %s", s.Race, it.Name)
			}
		case CatArmor:
			base, _ := baseArmor(it.Name)
			a, ok := testArmor[base]
			types := testClassArmor[s.Class]
			if s.Class == "Cleric" && s.Subclass == "Life" {
				types = append(slices.Clone(types), "heavy")
			}
			switch {
			case !ok:
				bad("unknown armour %s", it.Name)
			case !slices.Contains(types, a.kind):
				bad("a %s wears %s (%s) without proficiency", s.Class, it.Name, a.kind)
			case a.str > sc[0] && !strings.HasPrefix(it.Name, "Mithral"):
				bad("STR %d wears %s (needs %d)", sc[0], it.Name, a.str)
			case s.Class == "Druid" && !slices.Contains([]string{"Padded Armor", "Leather Armor", "Hide Armor"}, base):
				bad("a druid wears metal %s", it.Name)
			}
		case CatShield:
			if !slices.Contains(testClassArmor[s.Class], "shield") {
				bad("a %s carries a shield without proficiency", s.Class)
			}
		}
	}
	if attuned > 3 {
		bad("%d items attuned", attuned)
	}
	return out
}

// acProblems recomputes Armor Class from what is worn.
func acProblems(s Sheet, mods [6]int) []string {
	dex := mods[1]
	var armor string
	bonus, shield := 0, 0
	items := itemBonus(s, testItemAC)
	for _, it := range s.Equipment {
		if !it.Equipped {
			continue
		}
		switch it.Category {
		case CatArmor:
			armor, bonus = baseArmor(it.Name)
		case CatShield:
			shield = 2
			if m := plusRe.FindStringSubmatch(it.Name); m != nil {
				n, _ := strconv.Atoi(m[2])
				shield += n
			}
		}
	}
	want := 0
	if a, ok := testArmor[armor]; ok {
		want = a.base + bonus
		switch {
		case a.cap < 0:
			want += dex
		case a.cap > 0:
			want += min(dex, a.cap)
		}
		if hasFeature(s, "Fighting Style: Defense") || hasFeature(s, "Additional Fighting Style: Defense") {
			want++
		}
	} else {
		want = 10 + dex
		if s.Class == "Barbarian" {
			want = max(want, 10+dex+mods[2])
		}
		if s.Class == "Monk" && shield == 0 {
			want = max(want, 10+dex+mods[4])
		}
		if s.Class == "Sorcerer" && s.Subclass == "Draconic Bloodline" {
			want = max(want, 13+dex)
		}
		if hasItem(s, "Robe of the Archmagi") {
			want = max(want, 15+dex)
		}
		if hasItem(s, "Bracers of Defense") && shield == 0 {
			want += 2
		}
	}
	want += shield + items
	if s.ArmorClass != want {
		return []string{fmt.Sprintf("AC %d [%s], want %d from %q", s.ArmorClass, s.ArmorClassBasis, want, armor)}
	}
	return nil
}

// attackProblems checks that each weapon attack uses the right ability and
// range, and that passive features never show as options.
func attackProblems(s Sheet, mods [6]int) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	prof := testProf[s.Level]
	for _, a := range s.Attacks {
		if a.Kind != KindMeleeWeapon && a.Kind != KindRangedWeapon || a.Name == "Unarmed Strike" {
			continue
		}
		base := baseWeapon(strings.TrimSuffix(a.Name, " (thrown)"))
		w := tbl.weapons[base]
		if w == nil {
			bad("attack %s: unknown weapon %s", a.Name, base)
			continue
		}
		ranged := w.Type == "ranged" || strings.HasSuffix(a.Name, " (thrown)")
		if ranged != (a.Kind == KindRangedWeapon) {
			bad("attack %s is %s", a.Name, a.Kind)
		}
		ability := mods[0]
		switch {
		case w.Type == "ranged":
			ability = mods[1]
		case w.has("finesse") || s.Class == "Monk" && (base == "Shortsword" || w.Group == "simple" && !w.has("two-handed") && !w.has("heavy")):
			ability = max(mods[0], mods[1])
		}
		magic := 0
		if m := plusRe.FindStringSubmatch(a.Name); m != nil {
			magic, _ = strconv.Atoi(m[2])
		}
		name, _, _ := strings.Cut(a.Name, " (")
		magic += testWeaponBonus[name]
		archery := 0
		if ranged && hasFeature(s, "Fighting Style: Archery") || ranged && hasFeature(s, "Additional Fighting Style: Archery") {
			archery = 2
		}
		if want := ability + prof + magic + archery; a.ToHit != want {
			bad("attack %s %+d, want %+d", a.Name, a.ToHit, want)
		}
		if s.Class == "Warlock" && ranged {
			bad("a warlock's ranged option is %s", a.Name)
		}
	}
	for _, o := range s.Options() {
		for _, f := range s.Features {
			if f.Name == o.Name && f.Passive {
				bad("passive feature %s offered as an option", f.Name)
			}
		}
		if slices.Contains([]string{"Extra Attack", "Arcane Recovery", "Unarmored Defense", "Jack of All Trades"}, o.Name) {
			bad("%s offered as an option", o.Name)
		}
	}
	return out
}
