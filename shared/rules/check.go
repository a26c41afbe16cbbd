package rules

import (
	"errors"
	"fmt"
	"slices"
)

// check verifies that the data files agree with each other: every name one
// table uses is defined in another, and every table has the length the
// code indexes.
func (t *tables) check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, c := range t.classes {
		t.checkClass(&c, bad)
	}
	for _, r := range t.races {
		for _, f := range r.Traits {
			t.checkFeature(r.Name, f, bad)
		}
		for _, s := range r.Subraces {
			for _, f := range s.Traits {
				t.checkFeature(s.Name, f, bad)
			}
		}
		for _, s := range r.Skills {
			if _, ok := skillAbility[s]; !ok {
				bad("race %s: unknown skill %q", r.Name, s)
			}
		}
		for _, stand := range r.StandIns {
			if r.subrace(stand) == nil {
				bad("race %s: stand-in subrace %q", r.Name, stand)
			}
		}
	}
	for k, v := range t.raceStandIns {
		if t.raceByName(v) == nil {
			bad("race stand-in %q: unknown race %q", k, v)
		}
	}
	for k, v := range t.classStandIns {
		if t.classByName(v) == nil {
			bad("class stand-in %q: unknown class %q", k, v)
		}
	}
	for _, b := range t.backgrounds {
		for _, s := range b.Skills {
			if _, ok := skillAbility[s]; !ok {
				bad("background %s: unknown skill %q", b.Name, s)
			}
		}
	}
	for _, m := range t.magic {
		t.checkMagic(&m, bad)
	}
	for _, s := range t.spellList {
		for _, cl := range s.Classes {
			if t.classByName(cl) == nil {
				bad("spell %s: unknown class %q", s.Name, cl)
			}
		}
	}
	return errors.Join(errs...)
}

func (t *tables) checkClass(c *classData, bad func(string, ...any)) {
	if len(c.InvocationsKnown) > 0 && len(c.InvocationsKnown) != MaxLevel {
		bad("class %s: invocations_known needs %d entries", c.Name, MaxLevel)
	}
	for _, s := range c.Skills {
		if _, ok := skillAbility[s]; !ok {
			bad("class %s: unknown skill %q", c.Name, s)
		}
	}
	for _, b := range c.Builds {
		if len(b.Priority) != 6 {
			bad("class %s build %s: priority needs all six abilities", c.Name, b.Name)
		}
		for _, w := range slices.Concat(b.Main, b.MainSmall) {
			if t.weapons[w] == nil {
				bad("class %s build %s: unknown weapon %q", c.Name, b.Name, w)
			}
		}
		for _, it := range slices.Concat(b.Backup, b.BackupSmall) {
			if t.weapons[it.Name] == nil {
				bad("class %s build %s: unknown weapon %q", c.Name, b.Name, it.Name)
			}
		}
		for _, s := range b.Styles {
			if !slices.ContainsFunc(t.styles, func(o optionData) bool { return o.Name == s }) {
				bad("class %s build %s: unknown fighting style %q", c.Name, b.Name, s)
			}
		}
	}
	for _, k := range c.Kit {
		if _, ok := t.gear[k]; !ok {
			bad("class %s: unknown kit item %q", c.Name, k)
		}
	}
	if _, ok := t.packs[c.Pack]; !ok {
		bad("class %s: unknown pack %q", c.Name, c.Pack)
	}
	if sc := c.Spellcasting; sc != nil {
		if len(sc.Cantrips) != MaxLevel || len(sc.Known) != 0 && len(sc.Known) != MaxLevel {
			bad("class %s: spellcasting tables need %d entries", c.Name, MaxLevel)
		}
		for _, n := range sc.AlwaysCantrips {
			if t.spells[n] == nil {
				bad("class %s: unknown cantrip %q", c.Name, n)
			}
		}
	}
	for _, lv := range c.Subclass.Spells {
		for _, n := range lv.value {
			if t.spells[n] == nil {
				bad("subclass %s: unknown spell %q", c.Subclass.Name, n)
			}
		}
	}
	for _, names := range c.Subclass.Expanded {
		for _, n := range names {
			if t.spells[n] == nil {
				bad("subclass %s: unknown spell %q", c.Subclass.Name, n)
			}
		}
	}
	for _, f := range slices.Concat(c.Features, c.Subclass.Features, c.Invocations) {
		t.checkFeature(c.Name, f, bad)
	}
}

var knownEffects = []string{
	"", "ability", "attacks", "speed_no_heavy", "speed_unarmored", "expertise", "skills_any", "cantrips",
	"hp_per_level", "all_saves", "save", "half_prof_all", "half_prof_physical", "save_aura", "armor_heavy",
	"melee_extra", "fighting_style", "fighting_style_2", "agonizing", "empowered_evocation",
	"elemental_affinity", "language", "magical_secrets", "extra_secrets",
}

var knownActivations = []string{"", ActAction, ActBonus, ActReact, ActFree, ActRest, ActSpecial}

func (t *tables) checkFeature(owner string, f featureData, bad func(string, ...any)) {
	if !slices.Contains(knownEffects, f.Effect) {
		bad("%s feature %s: unknown effect %q", owner, f.Name, f.Effect)
	}
	if !slices.Contains(knownActivations, f.Activation) {
		bad("%s feature %s: unknown activation %q", owner, f.Name, f.Activation)
	}
	if f.Level < 1 || f.Level > MaxLevel {
		bad("%s feature %s: level %d", owner, f.Name, f.Level)
	}
}

func (t *tables) checkMagic(m *magicData, bad func(string, ...any)) {
	if !slices.Contains([]string{"common", "uncommon", "rare", "very rare", "legendary"}, m.Rarity) {
		bad("magic item %s: rarity %q", m.Name, m.Rarity)
	}
	for _, cl := range m.Classes {
		if t.classByName(cl) == nil {
			bad("magic item %s: unknown class %q", m.Name, cl)
		}
	}
	for _, r := range m.Races {
		if t.raceByName(r) == nil {
			bad("magic item %s: unknown race %q", m.Name, r)
		}
	}
	for _, b := range m.Base {
		known := b == "any" || t.weapons[b] != nil || t.weaponGroups[b] != nil ||
			slices.Contains([]string{"light", "medium", "heavy"}, b) ||
			slices.ContainsFunc(t.armor, func(a armorData) bool { return a.Name == b })
		if !known {
			bad("magic item %s: unknown base %q", m.Name, b)
		}
	}
	if m.WeaponBase != "" && t.weapons[m.WeaponBase] == nil {
		bad("magic item %s: unknown weapon %q", m.Name, m.WeaponBase)
	}
}
