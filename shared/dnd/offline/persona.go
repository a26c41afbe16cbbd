package offline

import (
	"math/rand/v2"
	"regexp"
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
	// What the prompt says the character is comes first.
	traits = append(p.descriptorLines(e, func(d descriptor) string { return d.trait }), traits...)
	traits = traits[:min(len(traits), 4)]
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
	race := e.oneFrag(rp.Voice)
	class := e.oneFrag(cp.Voice)
	if voicesClash(race, class) {
		fit := slices.DeleteFunc(slices.Clone(cp.Voice), func(v string) bool { return voicesClash(race, e.frag(v)) })
		if len(fit) == 0 {
			race = "a voice of {their} own" // the class's manner of speaking wins over the race's
			race = e.frag(race)
		} else {
			class = e.oneFrag(fit)
		}
	}
	tier := e.oneFrag(tp.Voice)
	switch {
	case silentRe.MatchString(p.ch.Request.Prompt):
		return "Keeps a vow of silence, and answers with nods, gestures and written notes."
	case fewWordsRe.MatchString(p.ch.Request.Prompt):
		return tidy("Says little, in halting words: "+class+".", true)
	case voicesClash(race, tier) || voicesClash(class, tier):
		return tidy("Speaks with "+race+": "+class+". A favourite saying: \""+phrase+"\"", true)
	}
	return tidy("Speaks with "+race+": "+class+", "+tier+". A favourite saying: \""+phrase+"\"", true)
}

// What a prompt says of a character who keeps silent or speaks little.
var (
	silentRe   = regexp.MustCompile(`(?i)\b(vow of silence|mute|never speaks|does not speak|doesn't speak|cannot speak|can't speak)\b`)
	fewWordsRe = regexp.MustCompile(`(?i)\b(barely speaks|rarely speaks|speaks little|few words|taciturn)\b`)
)

// voiceTraits are words that say how fast and how loud a voice is; two
// voices clash when one is fast and the other slow, or one loud and the
// other quiet.
var voiceTraits = map[string][]string{
	"fast": {"fast", "quick", "tumbling", "chatters", "skips"}, "slow": {"slow", "unhurried", "long pauses", "measured"},
	"loud": {"loud", "booming"}, "quiet": {"quiet", "low", "soft", "spare"},
}

func voicesClash(a, b string) bool {
	has := func(s, trait string) bool {
		padded := " " + strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r < 'a' || r > 'z' }), " ") + " "
		return slices.ContainsFunc(voiceTraits[trait], func(w string) bool { return strings.Contains(padded, " "+w+" ") })
	}
	return has(a, "fast") && has(b, "slow") || has(a, "slow") && has(b, "fast") || has(a, "loud") && has(b, "quiet") || has(a, "quiet") && has(b, "loud")
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
