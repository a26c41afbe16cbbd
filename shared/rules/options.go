package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Option kinds.
const (
	OptionAttack  = "attack"
	OptionFeature = "feature"
	OptionSpell   = "spell"
)

// Option is something the character can do in a fight, stated from the
// sheet's own numbers so prose about tactics can be built from facts.
type Option struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`       // one of the Option constants
	Activation string `json:"activation"` // action, bonus action, reaction or free
	Summary    string `json:"summary"`    // e.g. "+7 to hit, 1d8+4 piercing, 5 ft"
}

// Options lists what the character can do in a fight, most characteristic
// first: its attacks, the features it uses with an action, bonus action,
// reaction or free choice, then its combat spells from the highest level.
// Passive features (Extra Attack) and rest-time ones (Arcane Recovery) are
// never options.
func (s Sheet) Options() []Option {
	var out []Option
	for _, a := range s.Attacks {
		out = append(out, Option{Name: a.Name, Kind: OptionAttack, Activation: ActAction, Summary: s.attackSummary(a)})
	}
	out = append(out, s.featureOptions()...)
	if sc := s.Spellcasting; sc != nil {
		spells := slices.Clone(sc.Spells)
		// The well-known combat spells first, then from the highest level.
		slices.SortStableFunc(spells, func(a, b Spell) int {
			return cmp.Or(btoi(spellInfo(b.Name).Core)-btoi(spellInfo(a.Name).Core), b.Level-a.Level)
		})
		for _, sp := range spells {
			d := spellInfo(sp.Name)
			act := d.Cast
			if act == "" {
				act = ActAction
			}
			if d.Use == "utility" || (act != ActAction && act != ActBonus && act != ActReact) {
				continue
			}
			out = append(out, Option{
				Name: sp.Name, Kind: OptionSpell, Activation: act,
				Summary: fmt.Sprintf("%s %s spell (%s)", ordinal(sp.Level)+"-level", sp.School, d.Use),
			})
		}
	}
	return out
}

// spellInfo is what the tables know of a spell; a spell they do not know
// (on a sheet a caller edited) is a utility spell with no data.
func spellInfo(name string) spellData {
	if d := tbl.spells[name]; d != nil {
		return *d
	}
	return spellData{Name: name, Use: "utility"}
}

// featureOptions lists the features used in a fight: the class's defining
// moves first (Rage, Action Surge, Sneak Attack), then its other features,
// then racial ones. A feature already listed as an attack (Breath Weapon)
// is left out, and so is one that takes an action but is no way to fight
// (Eldritch Sight, a racial utility cantrip).
func (s Sheet) featureOptions() []Option {
	var groups [3][]Option
	for _, f := range s.Features {
		if !f.InCombat() || tbl.utility[strings.TrimPrefix(f.Name, "Eldritch Invocation: ")] || slices.ContainsFunc(s.Attacks, func(a Attack) bool { return strings.HasPrefix(a.Name, f.Name) }) {
			continue
		}
		g := 1
		switch {
		case tbl.traitSources[f.Source]:
			g = 2
		case isSignature(f.Name):
			g = 0
		}
		groups[g] = append(groups[g], Option{Name: f.Name, Kind: OptionFeature, Activation: f.Activation, Summary: f.Description})
	}
	return slices.Concat(groups[0], groups[1], groups[2])
}

// isSignature reports whether a feature name, as shown on a sheet, is one
// of the moves that define a class ("Multiattack: Volley" matches
// "Multiattack: {multiattack}").
func isSignature(name string) bool {
	if tbl.signature[name] {
		return true
	}
	for n := range tbl.signature {
		if i := strings.IndexByte(n, '{'); i > 0 && strings.HasPrefix(name, n[:i]) {
			return true
		}
	}
	return false
}

// Signature picks up to n options that show the character at its best: its
// first attack, a feature used in a fight, its highest combat spell, then
// the rest in the order Options gives.
func (s Sheet) Signature(n int) []Option {
	all := s.Options()
	var out []Option
	take := func(kind string) {
		for i, o := range all {
			if o.Kind == kind && len(out) < n {
				out = append(out, o)
				all = slices.Delete(all, i, i+1)
				return
			}
		}
	}
	take(OptionAttack)
	take(OptionFeature)
	take(OptionSpell)
	for _, o := range all {
		if len(out) == n {
			break
		}
		out = append(out, o)
	}
	return out
}

func (s Sheet) attackSummary(a Attack) string {
	var parts []string
	if a.Save != "" {
		parts = append(parts, a.Save)
	} else {
		parts = append(parts, fmt.Sprintf("%+d to hit", a.ToHit))
	}
	parts = append(parts, a.Damage, a.Range)
	if a.Kind == KindMeleeWeapon || a.Kind == KindRangedWeapon {
		if s.AttacksPerAction > 1 {
			parts = append(parts, fmt.Sprintf("%d attacks per Attack action", s.AttacksPerAction))
		}
	}
	if a.Notes != "" {
		parts = append(parts, a.Notes)
	}
	return strings.Join(parts, ", ")
}

// ordinal writes 1st, 2nd, 3rd, 4th ….
func ordinal(n int) string {
	switch n {
	case 1:
		return "1st"
	case 2:
		return "2nd"
	case 3:
		return "3rd"
	}
	return fmt.Sprintf("%dth", n)
}
