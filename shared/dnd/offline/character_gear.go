package offline

import (
	"math/rand/v2"
	"slices"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// itemNames are the names of the items the character carries.
func (p *person) itemNames() []string {
	out := make([]string, len(p.s.Equipment))
	for i, it := range p.s.Equipment {
		out[i] = it.Name
	}
	return out
}

// keepToGear keeps a personality to the gear the sheet lists: a trait,
// ideal, bond, flaw or mannerism that calls a sword the character's own
// ("My old sergeant's sword hangs at my hip") when the sheet lists no
// sword gives way to another of its kind.
func (p *person) keepToGear(r *rand.Rand, d *dnd.PersonalityDraft) {
	items := p.itemNames()
	fits := func(s string) bool { return dnd.GearNotCarried(s, items) == "" }
	e := p.expander(r)
	bg, ok := p.t.personality.Backgrounds[p.bgKey()]
	if !ok {
		bg = p.t.personality.Generic
	}
	cp, rp := p.classPersona(), p.racePersona()
	fix := func(list, pool []string) []string {
		out := slices.DeleteFunc(slices.Clone(list), func(s string) bool { return !fits(s) })
		for _, i := range r.Perm(len(pool)) {
			if len(out) >= len(list) {
				break
			}
			if c := e.must(pool[i]); fits(c) && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
		return nonNil(out)
	}
	d.Traits = fix(d.Traits, slices.Concat(cp.Traits, rp.Traits, bg.Traits))
	d.Bonds = fix(d.Bonds, slices.Concat(cp.Bonds, bg.Bonds))
	d.Flaws = fix(d.Flaws, slices.Concat(cp.Flaws, bg.Flaws))
	d.Mannerisms = slices.DeleteFunc(d.Mannerisms, func(s string) bool { return !fits(s) })
	if !slices.ContainsFunc(d.Ideals, func(s string) bool { return !fits(s) }) {
		return
	}
	pool := slices.DeleteFunc(slices.Concat(cp.Ideals, bg.Ideals), func(i ideal) bool { return !fits(i.Text) })
	d.Ideals = p.ideals(r, e, pool)
}
