package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Ability indexes into a [6]int of scores.
const (
	aStr = iota
	aDex
	aCon
	aInt
	aWis
	aCha
)

var (
	abilityKeys  = [6]string{"str", "dex", "con", "int", "wis", "cha"}
	abilityNames = [6]string{"Strength", "Dexterity", "Constitution", "Intelligence", "Wisdom", "Charisma"}
	// standardArray is the SRD's standard set of scores.
	standardArray = [6]int{15, 14, 13, 12, 10, 8}
	// pointBuys are spreads that each cost exactly 27 points under the SRD's
	// point-buy costs.
	pointBuys = [][6]int{
		{15, 14, 13, 12, 10, 8}, {15, 15, 15, 8, 8, 8}, {15, 15, 13, 10, 10, 8},
		{14, 14, 14, 12, 10, 8}, {15, 15, 14, 10, 8, 8}, {15, 13, 13, 12, 12, 8},
		{15, 14, 14, 10, 10, 8},
	}
)

func abilityIndex(key string) int {
	i := slices.Index(abilityKeys[:], key)
	if i < 0 {
		panic(fmt.Sprintf("rules: unknown ability %q", key))
	}
	return i
}

// mod is an ability modifier.
func mod(score int) int { return score/2 - 5 }

// ProficiencyBonus is the proficiency bonus at a character level: +2 at
// 1–4 rising by 1 every four levels to +6 at 17–20.
func ProficiencyBonus(level int) int {
	level = min(max(level, 1), MaxLevel)
	return 2 + (level-1)/4
}

// Build computes the sheet for c. The same Choices always give the same
// Sheet. A choice that cannot be used is an *InputError naming its field.
func Build(c Choices) (Sheet, error) {
	r, errs := resolve(c)
	if len(errs) > 0 {
		return Sheet{}, errs[0]
	}
	ch := newCharacter(r)
	return ch.sheet(), nil
}

// character is a resolved choice set being worked out into a sheet.
type character struct {
	*resolved
	prof     int
	scores   [6]int
	asis     map[int]string // level → what the improvement raised
	flex     []int          // Half-Elf +1 bonuses
	ancestry *ancestryData  // Dragonborn or Draconic Bloodline dragon
	feats    []activeFeature
	styles   []*optionData
	skills   map[string]int // 1 proficient, 2 expertise
	picked   map[string][]string
	gear     gear
	casting  *Spellcasting
}

// activeFeature is a data feature the character has, with where it came from.
type activeFeature struct {
	f      *featureData
	source string
	level  int
}

func newCharacter(r *resolved) *character {
	c := &character{resolved: r, prof: ProficiencyBonus(r.level), picked: map[string][]string{}}
	c.abilityScores()
	c.collectFeatures()
	c.chooseAncestry()
	c.chooseSkills()
	c.chooseGear()
	c.chooseMagicItems()
	c.spellcasting()
	c.chooseRacialCantrip()
	return c
}

func (c *character) mod(a int) int { return mod(c.scores[a]) }

// abilityScores places the array by the build's priorities, then adds
// racial bonuses, ability score improvements and capstones.
func (c *character) abilityScores() {
	arr := standardArray
	if c.pointBuy {
		arr = pointBuys[rng(c.seed, "pointbuy").IntN(len(pointBuys))]
	}
	prio := c.priority()
	for i, a := range prio {
		c.scores[a] = arr[i]
	}
	for k, v := range c.race.Bonuses {
		c.scores[abilityIndex(k)] += v
	}
	if c.sub != nil {
		for k, v := range c.sub.Bonuses {
			c.scores[abilityIndex(k)] += v
		}
	}
	for _, a := range prio {
		if len(c.flex) == c.race.Flex {
			break
		}
		if c.race.Bonuses[abilityKeys[a]] == 0 {
			c.scores[a]++
			c.flex = append(c.flex, a)
		}
	}
	c.asis = map[int]string{}
	for _, lvl := range c.class.ASILevels {
		if lvl > c.level {
			continue
		}
		var raised []int
		for range 2 {
			for _, a := range prio {
				if c.scores[a] < 20 {
					c.scores[a]++
					raised = append(raised, a)
					break
				}
			}
		}
		c.asis[lvl] = describeRaise(raised)
	}
	for _, f := range c.class.Features {
		if f.Effect == "ability" && f.Level <= c.level {
			for k, v := range f.Abilities {
				a := abilityIndex(k)
				c.scores[a] = min(c.scores[a]+v, f.AbilityMax)
			}
		}
	}
}

func (c *character) priority() []int {
	var out []int
	for _, k := range c.build.Priority {
		out = append(out, abilityIndex(k))
	}
	return out
}

// describeRaise turns the abilities an improvement raised into "Strength +2"
// or "Strength +1, Constitution +1"; empty when all were already at 20.
func describeRaise(raised []int) string {
	switch {
	case len(raised) == 0:
		return ""
	case len(raised) == 2 && raised[0] == raised[1]:
		return abilityNames[raised[0]] + " +2"
	}
	var parts []string
	for _, a := range raised {
		parts = append(parts, abilityNames[a]+" +1")
	}
	return strings.Join(parts, ", ")
}

// hitPoints is the die's maximum plus Constitution at level 1, then the
// die's average rounded up plus Constitution per level, plus any per-level
// bonus (Dwarven Toughness, Draconic Resilience).
func (c *character) hitPoints() int {
	die, con := c.class.HitDie, c.mod(aCon)
	hp := die + con + (c.level-1)*(die/2+1+con)
	return hp + c.level*c.sumEffect("hp_per_level")
}

// chooseAncestry picks the dragon of a Dragonborn or a Draconic Bloodline
// sorcerer. A Dragonborn sorcerer's bloodline is their own ancestry.
func (c *character) chooseAncestry() {
	if c.sub != nil && c.sub.Ancestry != nil {
		c.ancestry = c.sub.Ancestry
		return
	}
	if c.has("Dragon Ancestor") {
		all := tbl.raceByName("Dragonborn").Subraces
		c.ancestry = all[rng(c.seed, "ancestry").IntN(len(all))].Ancestry
	}
}

func (c *character) sheet() Sheet {
	s := Sheet{
		Name: c.name, Pronouns: c.pronouns,
		Race: c.raceName, Subrace: c.subName, Class: c.className, Subclass: c.subclass,
		Level: c.level, Background: c.bgName, Alignment: c.alignment, Size: c.race.Size,
		AbilityScores:    scoresOf(c.scores, func(v int) int { return v }),
		AbilityModifiers: scoresOf(c.scores, mod),
		ProficiencyBonus: c.prof,
		HitPoints:        c.hitPoints(),
		HitDice:          fmt.Sprintf("%dd%d", c.level, c.class.HitDie),
		Speed:            c.speed(),
		Languages:        c.languages(),
		Proficiencies:    c.proficiencies(),
		AttacksPerAction: max(1, c.maxEffect("attacks")),
		PreferredRange:   c.preferredRange(),
		Spellcasting:     c.casting,
		Rules:            RulesVersion,
		Warnings:         slices.Clone(c.warnings),
	}
	s.ArmorClass, s.ArmorClassBasis = c.armorClass()
	s.SavingThrows = c.saves()
	s.Skills = c.skillList()
	s.Initiative = c.checkBonus(aDex, false)
	for _, sk := range s.Skills {
		if sk.Name == "Perception" {
			s.PassivePerception = 10 + sk.Bonus
		}
	}
	s.Attacks = c.attacks()
	s.Features = c.features()
	s.Equipment = c.gear.items()
	return s
}

func scoresOf(v [6]int, f func(int) int) Scores {
	return Scores{Str: f(v[aStr]), Dex: f(v[aDex]), Con: f(v[aCon]), Int: f(v[aInt]), Wis: f(v[aWis]), Cha: f(v[aCha])}
}
