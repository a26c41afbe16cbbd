package offline

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/dnd"
)

// personality writes traits, ideals, bonds, flaws, mannerisms and a voice
// that reflect the class, race, background, level and alignment: a level
// 1 elf wizard and a level 20 half-orc barbarian share almost nothing.
func (p *person) personality(r *rand.Rand) *dnd.PersonalityDraft {
	e := p.expander(r)
	cp, rp := p.classPersona(), p.racePersona()
	tp := p.t.persona.Tiers[p.tier()-1]
	bg, ok := p.t.personality.Backgrounds[p.bgKey()]
	if !ok {
		bg = p.t.personality.Generic
	}
	ap := p.t.persona.Alignments[p.moral]
	classTraits := cp.Traits
	if p.moral == "evil" && len(cp.DarkTraits) > 0 {
		classTraits = cp.DarkTraits
	}
	traits := []string{e.one(classTraits), e.one(rp.Traits)}
	switch {
	case p.moral == "evil":
		traits = append(traits, e.one(ap.Traits))
	default:
		traits = append(traits, e.one(bg.Traits))
	}
	if r.IntN(3) > 0 {
		traits = append(traits, e.one(tp.Traits))
	}
	bonds := []string{e.one(cp.Bonds)}
	if p.moral == "evil" && r.IntN(2) == 0 {
		bonds = append(bonds, e.one(ap.Bonds))
	} else {
		bonds = append(bonds, e.one(bg.Bonds))
	}
	flaws := []string{e.one(cp.Flaws)}
	switch {
	case p.moral == "evil":
		flaws = append(flaws, e.one(ap.Flaws))
	case len(tp.Flaws) > 0 && r.IntN(3) == 0:
		flaws = append(flaws, e.one(tp.Flaws))
	default:
		flaws = append(flaws, e.one(bg.Flaws))
	}
	return &dnd.PersonalityDraft{
		Character:  p.echo(),
		Traits:     distinct(traits),
		Ideals:     p.ideals(r, e, slices.Concat(cp.Ideals, bg.Ideals)),
		Bonds:      distinct(bonds),
		Flaws:      distinct(flaws),
		Mannerisms: distinct([]string{e.one(cp.Mannerisms), e.one(rp.Mannerisms)}),
		Voice:      p.voice(e),
	}
}

// ideals picks one or two ideals the alignment would hold: an evil
// character's first ideal is an evil one, a good character's never is.
func (p *person) ideals(r *rand.Rand, e *expander, all []ideal) []string {
	axes := strings.Fields(p.s.Alignment)
	if p.s.Alignment == "unaligned" {
		axes = []string{"neutral"}
	}
	var moral, fit []string
	for _, i := range all {
		switch {
		case i.Tag == p.moral:
			moral = append(moral, i.Text)
		case slices.Contains(axes, i.Tag) || i.Tag == "any" && p.moral != "evil":
			fit = append(fit, i.Text)
		}
	}
	out := e.some(moral, 1)
	if len(out) == 0 || r.IntN(10) < 5 {
		// A second ideal, named by another word ("Craft." once).
		for _, i := range r.Perm(len(fit)) {
			if len(out) < 2 && !slices.ContainsFunc(out, func(o string) bool { return idealWord(o) == idealWord(fit[i]) }) {
				out = append(out, e.must(fit[i]))
				break
			}
		}
	}
	return distinct(out)
}

// idealWord is the word an ideal is named by: "Craft" in "Craft. A perfect
// swindle is a work of art."
func idealWord(s string) string {
	w, _, _ := strings.Cut(s, ".")
	return w
}

// voice says how the character talks, from race, class and level.
func (p *person) voice(e *expander) string {
	cp, rp := p.classPersona(), p.racePersona()
	tp := p.t.persona.Tiers[p.tier()-1]
	phrase := e.oneFrag(append(slices.Clone(cp.Catchphrases), e.pickFrag("catchphrase")))
	return tidy("Speaks with "+e.oneFrag(rp.Voice)+": "+e.oneFrag(cp.Voice)+", "+e.oneFrag(tp.Voice)+
		". A favourite saying: \""+phrase+"\"", true)
}

// distinct drops repeated entries, keeping the first.
func distinct(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return nonNil(out)
}
