package rules

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// multiattack is the Hunter's 11th-level choice, by how the ranger fights.
var multiattack = map[bool][2]string{
	true:  {"Volley", "Makes a ranged weapon attack against every creature of choice within 10 feet of a point in range, each with its own attack roll."},
	false: {"Whirlwind Attack", "Makes a melee weapon attack against every creature of choice within 5 feet, each with its own attack roll."},
}

// collectFeatures gathers the racial traits, class and subclass features,
// invocations and fighting styles the character has at its level.
func (c *character) collectFeatures() {
	add := func(fs []featureData, source string) {
		for i := range fs {
			if fs[i].Level <= c.level {
				c.feats = append(c.feats, activeFeature{&fs[i], source, fs[i].Level})
			}
		}
	}
	add(c.race.Traits, c.race.Name)
	if c.sub != nil {
		add(c.sub.Traits, c.sub.Name)
	}
	add(c.class.Features, c.class.Name)
	add(c.class.Subclass.Features, c.class.Subclass.FullName)
	if n := c.class.InvocationsKnown; len(n) > 0 {
		known := 0
		for i := range c.class.Invocations {
			inv := &c.class.Invocations[i]
			if known == n[c.level-1] {
				break
			}
			if inv.Level > c.level {
				continue
			}
			learned := 1
			for learned < c.level && n[learned-1] <= known {
				learned++
			}
			c.feats = append(c.feats, activeFeature{inv, "Eldritch Invocation", max(learned, inv.Level)})
			known++
		}
	}
	if c.hasEffect("fighting_style") {
		c.styles = append(c.styles, c.style(0))
	}
	if c.hasEffect("fighting_style_2") {
		c.styles = append(c.styles, c.style(1))
	}
}

// style returns the build's i-th fighting style, or the first style the
// character does not have yet.
func (c *character) style(i int) *optionData {
	name := ""
	if i < len(c.build.Styles) {
		name = c.build.Styles[i]
	}
	for j := range tbl.styles {
		s := &tbl.styles[j]
		if s.Name == name || name == "" && !slices.Contains(c.styles, s) && s.Name != "Protection" {
			return s
		}
	}
	panic(fmt.Sprintf("rules: unknown fighting style %q", name))
}

func (c *character) has(name string) bool {
	return slices.ContainsFunc(c.feats, func(a activeFeature) bool { return a.f.Name == name })
}

func (c *character) hasEffect(effect string) bool {
	return slices.ContainsFunc(c.feats, func(a activeFeature) bool { return a.f.Effect == effect })
}

func (c *character) hasStyle(effect string) bool {
	return slices.ContainsFunc(c.styles, func(s *optionData) bool { return s.Effect == effect })
}

// sumEffect adds up the level-scaled values of features with an effect.
func (c *character) sumEffect(effect string) int {
	total := 0
	for _, a := range c.feats {
		if a.f.Effect == effect {
			v, _ := a.f.Value.at(c.level)
			total += v
		}
	}
	return total
}

func (c *character) maxEffect(effect string) int {
	best := 0
	for _, a := range c.feats {
		if a.f.Effect == effect {
			v, _ := a.f.Value.at(c.level)
			best = max(best, v)
		}
	}
	return best
}

// unarmored returns the Unarmored Defense kinds the character has.
func (c *character) unarmored() []string {
	var out []string
	for _, a := range c.feats {
		if a.f.Unarmored != "" {
			out = append(out, a.f.Unarmored)
		}
	}
	return out
}

// features renders every feature for the sheet, in level order.
func (c *character) features() []Feature {
	rep := c.placeholders()
	var out []Feature
	for _, a := range c.feats {
		f := Feature{
			Name: rep.Replace(a.f.Name), Level: a.level, Source: a.source,
			Activation:  cmp.Or(a.f.Activation, ActPassive),
			Description: rep.Replace(a.f.Description),
		}
		if s, ok := a.f.Scale.at(c.level); ok {
			f.Description += " " + rep.Replace(s)
		}
		switch a.f.Effect {
		case "fighting_style", "fighting_style_2":
			st := c.styles[0]
			if a.f.Effect == "fighting_style_2" {
				st = c.styles[1]
			}
			f.Name += ": " + st.Name
			f.Description = st.Description
			f.Activation = cmp.Or(st.Activation, ActPassive)
		}
		if a.source == "Eldritch Invocation" {
			f.Name = "Eldritch Invocation: " + f.Name
			f.Source = c.class.Name
		}
		out = append(out, f)
	}
	for _, lvl := range slices.Sorted(maps.Keys(c.asis)) {
		out = append(out, Feature{
			Name: "Ability Score Improvement", Level: lvl, Source: c.class.Name, Activation: ActPassive,
			Description: "Raised " + c.asis[lvl] + ".",
		})
	}
	bf := c.bg.Feature
	out = append(out, Feature{Name: bf.Name, Level: 1, Source: c.bg.Name, Activation: ActPassive, Description: bf.Description})
	for i := range out {
		out[i].Passive = !out[i].InCombat()
	}
	slices.SortStableFunc(out, func(a, b Feature) int { return cmp.Compare(a.Level, b.Level) })
	return out
}

// filler replaces the {names} in feature text with a character's numbers
// and choices.
type filler map[string]string

// Replace fills every known {name} in s and leaves other text alone.
func (f filler) Replace(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		j := strings.IndexByte(s[max(i, 0):], '}')
		if i < 0 || j < 0 {
			break
		}
		j += i
		b.WriteString(s[:i])
		if v, ok := f[s[i:j+1]]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i : j+1])
		}
		s = s[j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// placeholders gives the values of the {names} feature text uses.
func (c *character) placeholders() filler {
	lvl, cha, wis := c.level, c.mod(aCha), c.mod(aWis)
	n := func(v int) string { return strconv.Itoa(v) }
	pairs := []string{
		"{level}", n(lvl), "{prof}", n(c.prof),
		"{str}", n(c.mod(aStr)), "{dex}", n(c.mod(aDex)), "{con}", n(c.mod(aCon)),
		"{int}", n(c.mod(aInt)), "{wis}", n(wis), "{cha}", n(cha),
		"{cha_min1}", n(max(1, cha)), "{cha_plus1}", n(max(1, 1+cha)),
		"{cha_dc}", n(8 + c.prof + cha), "{ki_dc}", n(8 + c.prof + wis),
		"{lay_on_hands}", n(5 * lvl), "{preserve_life}", n(5 * lvl), "{wholeness}", n(3 * lvl),
		"{slow_fall}", n(5 * lvl), "{deflect}", n(c.mod(aDex) + lvl), "{sneak}", fmt.Sprintf("%dd6", (lvl+1)/2),
		"{recovery}", n((lvl + 1) / 2), "{spellbook}", n(6 + 2*(lvl-1)),
		"{dark_blessing}", n(max(1, cha+lvl)), "{dex_feet}", n(max(0, c.mod(aDex))),
		"{versatility}", joinAnd(c.picked["versatility"]), "{bonus_skills}", joinAnd(c.picked["bonus"]),
		"{expertise}", joinAnd(c.picked["expertise"]), "{flex}", joinAnd(c.flexNames()),
		"{metamagic}", c.metamagic(), "{invocations_known}", c.invocationCount(),
		"{favored_enemy}", joinAnd(c.picked["favored"]), "{terrain}", joinAnd(c.picked["terrain"]),
		"{cantrip}", strings.Join(c.picked["racial cantrip"], ""),
		"{multiattack}", multiattack[c.build.Range == "ranged"][0],
		"{multiattack_text}", multiattack[c.build.Range == "ranged"][1],
	}
	if c.casting != nil {
		pairs = append(pairs, "{spell_dc}", n(c.casting.SaveDC))
	}
	if a := c.ancestry; a != nil {
		pairs = append(pairs, "{dragon}", a.Dragon, "{damage}", a.Damage, "{breath}", "a "+a.Area,
			"{breath_damage}", c.breathDice(), "{breath_dc}", n(c.breathDC()),
			"{breath_save}", abilityNames[abilityIndex(a.Save)])
	}
	f := filler{}
	for i := 0; i+1 < len(pairs); i += 2 {
		f[pairs[i]] = pairs[i+1]
	}
	return f
}

func (c *character) flexNames() []string {
	var out []string
	for _, a := range c.flex {
		out = append(out, abilityNames[a])
	}
	return out
}

func (c *character) metamagic() string {
	var out []string
	for _, m := range tbl.metamagic {
		if m.Level <= c.level {
			out = append(out, m.Description)
		}
	}
	return strings.Join(out, "; ")
}

func (c *character) invocationCount() string {
	if n := c.class.InvocationsKnown; len(n) > 0 {
		return strconv.Itoa(n[c.level-1])
	}
	return "0"
}

// breathDice is the Dragonborn breath weapon's damage at the level.
func (c *character) breathDice() string {
	switch {
	case c.level >= 16:
		return "5d6"
	case c.level >= 11:
		return "4d6"
	case c.level >= 6:
		return "3d6"
	}
	return "2d6"
}

func (c *character) breathDC() int { return 8 + c.mod(aCon) + c.prof }

// joinAnd lists words as "a", "a and b" or "a, b and c".
func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
