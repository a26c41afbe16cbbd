package rules

import (
	"cmp"
	"slices"
)

// skillAbility maps each skill to its ability.
var skillAbility = map[string]int{
	"Acrobatics": aDex, "Animal Handling": aWis, "Arcana": aInt, "Athletics": aStr,
	"Deception": aCha, "History": aInt, "Insight": aWis, "Intimidation": aCha,
	"Investigation": aInt, "Medicine": aWis, "Nature": aInt, "Perception": aWis,
	"Performance": aCha, "Persuasion": aCha, "Religion": aInt, "Sleight of Hand": aDex,
	"Stealth": aDex, "Survival": aWis,
}

// allSkills lists the skills in alphabetical order.
var allSkills = func() []string {
	var out []string
	for s := range skillAbility {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}()

// chooseSkills gives proficiency from race, background, class, Skill
// Versatility and Bonus Proficiencies, then picks expertise.
func (c *character) chooseSkills() {
	c.skills = map[string]int{}
	for _, s := range c.race.Skills {
		c.skills[s] = 1
	}
	for _, s := range c.bg.Skills {
		c.skills[s] = 1
	}
	c.picked["class skills"] = c.pickSkills("class skills", c.class.Skills, c.class.SkillCount, false)
	c.picked["versatility"] = c.pickSkills("versatility", allSkills, c.race.SkillChoices, false)
	c.picked["bonus"] = c.pickSkills("bonus", allSkills, c.sumEffect("skills_any"), false)
	c.picked["expertise"] = c.pickSkills("expertise", c.class.Skills, c.maxEffect("expertise"), true)
	if e := c.picked["expertise"]; len(e) < c.maxEffect("expertise") {
		c.picked["expertise"] = append(e, c.pickSkills("expertise more", allSkills, c.maxEffect("expertise")-len(e), true)...)
	}
	c.chooseFavored()
}

// pickSkills chooses n skills from prefs (in preference order) that the
// character lacks, or, for expertise, already has. Skills of high
// abilities and early in the list win; the seed breaks near-ties.
func (c *character) pickSkills(label string, prefs []string, n int, expertise bool) []string {
	if n <= 0 {
		return nil
	}
	r := rng(c.seed, "skills/"+label)
	type cand struct {
		name  string
		score int
	}
	var cands []cand
	for i, s := range prefs {
		want := 0
		if expertise {
			want = 1
		}
		if c.skills[s] != want {
			continue
		}
		cands = append(cands, cand{s, c.scores[skillAbility[s]]*4 - i + r.IntN(9)})
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(b.score, a.score) })
	var out []string
	for _, cd := range cands[:min(n, len(cands))] {
		c.skills[cd.name]++
		out = append(out, cd.name)
	}
	slices.Sort(out)
	return out
}

// chooseFavored picks a ranger's favoured enemies and terrains.
func (c *character) chooseFavored() {
	if !c.has("Favored Enemy") {
		return
	}
	enemies := 1 + btoi(c.level >= 6) + btoi(c.level >= 14)
	terrains := 1 + btoi(c.level >= 6) + btoi(c.level >= 10)
	r := rng(c.seed, "favored")
	for _, i := range r.Perm(len(tbl.favoredEnemies))[:enemies] {
		c.picked["favored"] = append(c.picked["favored"], tbl.favoredEnemies[i].Name)
		if l := tbl.favoredEnemies[i].Language; l != "" {
			c.picked["favored languages"] = append(c.picked["favored languages"], l)
		}
	}
	for _, i := range r.Perm(len(tbl.terrains))[:terrains] {
		c.picked["terrain"] = append(c.picked["terrain"], tbl.terrains[i])
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkBonus is the modifier for an ability check with the ability, when
// proficiency does not apply: Jack of All Trades, Remarkable Athlete and
// item bonuses.
func (c *character) checkBonus(a int, proficient bool) int {
	b := c.mod(a) + c.gear.check
	if proficient {
		return b
	}
	switch {
	case c.hasEffect("half_prof_all"):
		b += c.prof / 2
	case c.hasEffect("half_prof_physical") && (a == aStr || a == aDex || a == aCon):
		b += (c.prof + 1) / 2
	}
	return b
}

func (c *character) skillList() []Skill {
	var out []Skill
	for _, name := range allSkills {
		a := skillAbility[name]
		lvl := c.skills[name]
		sk := Skill{Name: name, Ability: abilityKeys[a], Proficient: lvl > 0, Expertise: lvl > 1}
		sk.Bonus = c.checkBonus(a, lvl > 0) + lvl*c.prof
		out = append(out, sk)
	}
	return out
}

// saves lists the six saving throws: class proficiencies plus Diamond Soul
// and Slippery Mind, with Aura of Protection and item bonuses.
func (c *character) saves() []Save {
	aura := 0
	if c.hasEffect("save_aura") {
		aura = max(1, c.mod(aCha))
	}
	var out []Save
	for a := range abilityKeys {
		prof := slices.Contains(c.class.Saves, abilityKeys[a]) || c.hasEffect("all_saves")
		for _, f := range c.feats {
			prof = prof || f.f.Effect == "save" && f.f.Save == abilityKeys[a]
		}
		b := c.mod(a) + aura + c.gear.save
		if prof {
			b += c.prof
		}
		out = append(out, Save{Ability: abilityNames[a], Bonus: b, Proficient: prof})
	}
	return out
}

// languages lists the race's, the class's and the background's languages;
// free choices come from the standard languages, then the exotic ones.
func (c *character) languages() []string {
	var out []string
	add := func(l string) {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	for _, l := range c.race.Languages {
		add(l)
	}
	for _, l := range c.class.Languages {
		add(l)
	}
	for _, f := range c.feats {
		if f.f.Language != "" {
			add(f.f.Language)
		}
	}
	for _, l := range c.picked["favored languages"] {
		add(l)
	}
	free := c.race.ExtraLanguages + c.bg.Languages
	if c.sub != nil {
		free += c.sub.ExtraLanguages
	}
	r := rng(c.seed, "languages")
	for _, pool := range [][]string{tbl.stdLanguages, tbl.exoticLang} {
		for _, i := range r.Perm(len(pool)) {
			if free > 0 && !slices.Contains(out, pool[i]) {
				add(pool[i])
				free--
			}
		}
	}
	return out
}

func (c *character) proficiencies() Proficiencies {
	var p Proficiencies
	for _, a := range c.armorTypes() {
		p.Armor = append(p.Armor, map[string]string{"light": "light armor", "medium": "medium armor", "heavy": "heavy armor", "shield": "shields"}[a])
	}
	for _, w := range c.class.Weapons {
		switch w {
		case "simple", "martial":
			p.Weapons = append(p.Weapons, w+" weapons")
		default:
			p.Weapons = append(p.Weapons, w)
		}
	}
	more := c.race.Weapons
	if c.sub != nil {
		more = append(slices.Clone(more), c.sub.Weapons...)
	}
	for _, w := range more {
		if !c.classWeapon(w) && !slices.Contains(p.Weapons, w) {
			p.Weapons = append(p.Weapons, w)
		}
	}
	tools := slices.Concat(c.class.Tools, c.race.Tools, c.bg.Tools)
	if c.sub != nil {
		tools = append(tools, c.sub.Tools...)
	}
	for _, t := range tools {
		if t = c.toolFor(t); !slices.Contains(p.Tools, t) {
			p.Tools = append(p.Tools, t)
		}
	}
	p.Armor, p.Weapons, p.Tools = nonNil(p.Armor), nonNil(p.Weapons), nonNil(p.Tools)
	return p
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// speed is the race's walking speed, or the one an item sets when that is
// higher (Boots of Striding and Springing), plus Fast Movement (no heavy
// armour) and Unarmored Movement (no armour, no shield).
func (c *character) speed() int {
	s := c.race.Speed
	for _, m := range c.gear.worn {
		s = max(s, m.WalkSpeed) // "your walking speed becomes 30 feet, unless your walking speed is higher"
	}
	if c.gear.armor == nil || c.gear.armor.Type != "heavy" {
		s += c.maxEffect("speed_no_heavy")
	}
	if c.gear.armor == nil && !c.gear.shield {
		s += c.maxEffect("speed_unarmored")
	}
	return s
}
