package rules

import (
	"fmt"
	"strings"
)

// resolveRace maps the race and subrace choices onto the tables. It returns
// a message for a subrace that belongs to another race.
func (r *resolved) resolveRace(text, subText string) string {
	text, subText = collapse(text), collapse(subText)
	switch {
	case text == "":
		r.race = &tbl.races[rng(r.seed, "race").IntN(len(tbl.races))]
		r.raceName = r.race.Name
	default:
		r.findRace(text)
	}
	if r.sub != nil && subText == "" {
		return "" // the race text named the subrace
	}
	msg := r.resolveSubrace(subText)
	if subText == "" && r.raceName != r.race.Name {
		// A race outside the SRD plays by its stand-in's default subrace,
		// whose traits the sheet lists, but is not called by its name.
		r.subName = ""
	}
	return msg
}

// findRace looks text up as a race, an SRD subrace ("High Elf"), a
// non-SRD subrace ("Wood Elf"), a non-SRD race, and finally falls back to
// Human.
func (r *resolved) findRace(text string) {
	for i := range tbl.races {
		rc := &tbl.races[i]
		if matches(text, []string{rc.Name}, rc.Aliases) {
			r.race, r.raceName = rc, rc.Name
			return
		}
	}
	for i := range tbl.races {
		rc := &tbl.races[i]
		for j := range rc.Subraces {
			if sr := &rc.Subraces[j]; matches(text, sr.raceSpellings()) {
				r.race, r.raceName, r.sub, r.subName = rc, rc.Name, sr, sr.Name
				return
			}
		}
		if stand, ok := rc.StandIns[normalize(text)]; ok {
			r.race, r.raceName = rc, rc.Name
			r.sub, r.subName = rc.subrace(stand), titleCase(text)
			r.warnf("subrace %q is not in the SRD 5.1; it is played as a %s", text, stand)
			return
		}
	}
	if stand, ok := tbl.raceStandIns[normalize(text)]; ok {
		r.race = tbl.raceByName(stand)
		r.warnf("race %q is not in the SRD 5.1; it is played with the %s's traits", text, stand)
	} else {
		r.race = tbl.raceByName("Human")
		r.warnf("race %q is not in the SRD 5.1 and no SRD race is close; it is played with the Human's traits", text)
	}
	r.raceName = titleCase(text)
}

func (r *resolved) resolveSubrace(text string) string {
	rc := r.race
	if text == "" {
		switch {
		case len(rc.Subraces) == 0:
		case rc.RandomSubrace:
			r.sub = &rc.Subraces[rng(r.seed, "subrace").IntN(len(rc.Subraces))]
		default:
			r.sub = &rc.Subraces[0]
		}
		if r.sub != nil {
			r.subName = r.sub.Name
		}
		return ""
	}
	for i := range rc.Subraces {
		if sr := &rc.Subraces[i]; matches(text, []string{sr.Name}, sr.Aliases) {
			r.sub, r.subName = sr, sr.Name
			return ""
		}
	}
	if stand, ok := rc.StandIns[normalize(text)]; ok {
		r.sub, r.subName = rc.subrace(stand), titleCase(text)
		r.warnf("subrace %q is not in the SRD 5.1; it is played as a %s", text, stand)
		return ""
	}
	for _, other := range tbl.races {
		if other.Name == rc.Name {
			continue
		}
		for _, sr := range other.Subraces {
			if matches(text, []string{sr.Name}, sr.Aliases) && !sr.isAncestry() {
				return fmt.Sprintf("%q is a %s subrace, not a %s one", text, other.Name, r.raceName)
			}
		}
	}
	r.subName = titleCase(text)
	if len(rc.Subraces) == 0 {
		r.warnf("subrace %q is not in the SRD 5.1, which gives the %s none; the %s's traits apply", text, rc.Name, rc.Name)
		return ""
	}
	r.sub = &rc.Subraces[0]
	if rc.RandomSubrace {
		r.sub = &rc.Subraces[rng(r.seed, "subrace").IntN(len(rc.Subraces))]
	}
	r.warnf("subrace %q is unknown; it is played as a %s", text, r.sub.Name)
	return ""
}

func (s *subraceData) isAncestry() bool { return s.Ancestry != nil }

// raceSpellings are the ways a race choice can name this subrace: "High
// Elf" can, but a bare "Red" cannot name a Dragonborn.
func (s *subraceData) raceSpellings() []string {
	var out []string
	for _, a := range append([]string{s.Name}, s.Aliases...) {
		if strings.Contains(a, " ") {
			out = append(out, a)
		}
	}
	return out
}

func (rc *raceData) subrace(name string) *subraceData {
	for i := range rc.Subraces {
		if rc.Subraces[i].Name == name {
			return &rc.Subraces[i]
		}
	}
	return nil
}

func (t *tables) raceByName(name string) *raceData {
	for i := range t.races {
		if t.races[i].Name == name {
			return &t.races[i]
		}
	}
	return nil
}
