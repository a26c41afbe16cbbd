package dnd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/rules"
)

// characterView is what a character prompt states about the character:
// its identity and the facts computed from its sheet, so the model's words
// agree with the numbers.
type characterView struct {
	Name       string // empty when the model is to choose one
	Pronouns   string
	Race       string // with the subrace: "Elf (High Elf)"
	Class      string // with the subclass: "Wizard (Evocation)"
	Level      int
	Tier       string // what the level means for the story
	Background string
	Alignment  string
	Echo       IdentityEcho
	Facts      []string // the numbers, one line each
	InCombat   []string // features used in a fight, with how
	Other      []string // features that take an action but are no way to fight
	Passive    []string // features that take no action
	Attacks    []string // "Longsword: melee weapon, 5 ft, +5 to hit, 1d8+3 slashing"
	Ranged     string   // what the character attacks at range with, or ""
	Items      []string // "Chain Mail (armor, worn)"
	Moves      []string // signature moves with their numbers
	Spells     []string // combat spells
	Role       string
	Range      string
	RangeWords string // "in melee", "at range"
	Evil       bool
	Lore       []string // what every document must keep: the god, the trade, the sheet's words
	Described  bool     // the items carry the sheet's descriptions
}

// view states the character for a prompt.
func (c *Character) view() characterView {
	s := c.Sheet
	id := c.Identity()
	v := characterView{
		Name: id.Name, Pronouns: id.Pronouns, Race: withPart(id.Race, id.Subrace), Class: withPart(id.Class, id.Subclass),
		Level: id.Level, Tier: tierWords(id.Level), Background: id.Background, Alignment: id.Alignment,
		Echo: c.echo(), Role: c.Role(), Range: s.PreferredRange, Spells: c.CombatSpells(),
		Evil: strings.HasSuffix(id.Alignment, "evil"),
	}
	v.Lore, v.Described = c.lore(), c.Given != nil
	v.RangeWords = map[string]string{"melee": "in melee", "reach": "at a weapon's reach", "ranged": "at range", "mixed": "both at range and in melee"}[v.Range]
	sheet := c.content()
	v.Facts = sheetFacts(sheet)
	fights := map[string]bool{}
	for _, o := range s.Options() {
		fights[o.Name] = o.Kind == rules.OptionFeature
	}
	for _, f := range s.Features {
		switch {
		case f.Passive:
			v.Passive = append(v.Passive, f.Name)
		case fights[f.Name]:
			v.InCombat = append(v.InCombat, fmt.Sprintf("%s (%s, level %d, %s): %s", f.Name, f.Source, f.Level, f.Activation, f.Description))
		default:
			v.Other = append(v.Other, f.Name)
		}
	}
	for _, a := range sheet.Attacks {
		v.Attacks = append(v.Attacks, a.Name+": "+summary(a))
		if v.Ranged == "" && a.Kind != rules.KindMeleeWeapon && a.Kind != rules.KindMeleeSpell &&
			!strings.HasPrefix(a.Name, "Breath Weapon") && reachFeet(a.Range) > 10 {
			v.Ranged = a.Name
		}
	}
	for _, it := range sheet.Equipment {
		v.Items = append(v.Items, itemLine(it))
	}
	for _, m := range c.Moves() {
		v.Moves = append(v.Moves, fmt.Sprintf("%s (%s, %s): %s", m.Name, m.Kind, m.Activation, m.Summary))
	}
	return v
}

func withPart(whole, part string) string {
	if part == "" || sameWords(part, whole) {
		return whole
	}
	return whole + " (" + part + ")"
}

// tierWords says where a level stands in a character's story.
func tierWords(level int) string {
	switch {
	case level <= 4:
		return "a beginner: local deeds, at the start of the road"
	case level <= 10:
		return "an established adventurer known across a region"
	case level <= 16:
		return "a power of the realm whose deeds shape kingdoms"
	}
	return "a legend whose deeds shape the world and echo on other planes"
}

// sheetFacts are the numbers of a sheet as prompt lines.
func sheetFacts(s Sheet) []string {
	sc, md := s.AbilityScores, s.AbilityModifiers
	facts := []string{
		fmt.Sprintf("Ability scores: Str %d (%+d), Dex %d (%+d), Con %d (%+d), Int %d (%+d), Wis %d (%+d), Cha %d (%+d)",
			sc.Str, md.Str, sc.Dex, md.Dex, sc.Con, md.Con, sc.Int, md.Int, sc.Wis, md.Wis, sc.Cha, md.Cha),
		fmt.Sprintf("Proficiency bonus %+d; %d hit points (%s); Armor Class %d (%s); initiative %+d; speed %d ft; passive Perception %d; size %s",
			s.ProficiencyBonus, s.HitPoints, s.HitDice, s.ArmorClass, s.ArmorClassBasis, s.Initiative, s.Speed, s.PassivePerception, s.Size),
	}
	var saves, skills []string
	for _, v := range s.SavingThrows {
		if v.Proficient {
			saves = append(saves, fmt.Sprintf("%s %+d", v.Ability, v.Bonus))
		}
	}
	for _, v := range s.Skills {
		if v.Proficient {
			skills = append(skills, fmt.Sprintf("%s %+d", v.Name, v.Bonus))
		}
	}
	facts = append(facts, "Proficient saving throws: "+strings.Join(saves, ", "))
	if len(skills) > 0 {
		facts = append(facts, "Proficient skills: "+strings.Join(skills, ", "))
	}
	facts = append(facts, "Languages: "+strings.Join(s.Languages, ", "))
	if len(s.Proficiencies.Armor) > 0 {
		facts = append(facts, "Armour training: "+strings.Join(s.Proficiencies.Armor, ", "))
	}
	facts = append(facts, "Weapon training: "+strings.Join(s.Proficiencies.Weapons, ", "))
	if s.AttacksPerAction > 1 {
		facts = append(facts, fmt.Sprintf("Makes %d weapon attacks with each Attack action", s.AttacksPerAction))
	}
	if c := s.Spellcasting; c != nil {
		facts = append(facts, spellFacts(c)...)
	} else {
		facts = append(facts, "Casts no class spells")
	}
	return facts
}

func spellFacts(c *Spellcasting) []string {
	var slots, cantrips []string
	for _, sl := range c.Slots {
		slots = append(slots, fmt.Sprintf("%d × level %d (%s, back after a %s)", sl.Count, sl.Level, sl.Kind, sl.Recharge))
	}
	for _, sp := range c.Cantrips {
		cantrips = append(cantrips, sp.Name)
	}
	byLevel := map[int][]string{}
	var levels []int
	for _, sp := range c.Spells {
		if !slices.Contains(levels, sp.Level) {
			levels = append(levels, sp.Level)
		}
		byLevel[sp.Level] = append(byLevel[sp.Level], sp.Name)
	}
	slices.Sort(levels)
	var spells []string
	for _, l := range levels {
		spells = append(spells, fmt.Sprintf("level %d: %s", l, strings.Join(byLevel[l], ", ")))
	}
	out := []string{fmt.Sprintf("Spellcasting: %s, spell save DC %d, spell attack %+d; slots: %s",
		c.Ability, c.SaveDC, c.AttackBonus, strings.Join(slots, "; "))}
	if len(cantrips) > 0 {
		out = append(out, "Cantrips: "+strings.Join(cantrips, ", "))
	}
	if len(spells) > 0 {
		out = append(out, "Spells (no others): "+strings.Join(spells, "; "))
	}
	return out
}

func itemLine(it Item) string {
	var tags []string
	tags = append(tags, it.Category)
	if it.Rarity != "common" {
		tags = append(tags, it.Rarity)
	}
	if it.Equipped {
		tags = append(tags, "worn or in hand")
	}
	if it.Attuned {
		tags = append(tags, "attuned")
	}
	line := it.Name
	if it.Quantity > 1 {
		line = fmt.Sprintf("%s ×%d", it.Name, it.Quantity)
	}
	line += " (" + strings.Join(tags, ", ") + ")"
	if it.Description != "" {
		line += ": " + it.Description
	}
	return line
}

// reachFeet is the distance a range starts with, in feet.
func reachFeet(r string) int {
	n := 0
	for _, ch := range r {
		if ch < '0' || ch > '9' {
			break
		}
		n = n*10 + int(ch-'0')
	}
	return n
}
