package encounter

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

//go:embed data/monsters.json data/hints.json
var dataFS embed.FS

// Monster is an SRD 5.1 creature with what an encounter builder needs.
type Monster struct {
	Name   string `json:"name"`
	Plural string `json:"plural,omitempty"` // set where "Name" + "s" is wrong
	CR     string `json:"cr"`               // challenge rating as printed: "0", "1/8", ..., "30"
	XP     int    `json:"-"`                // from CR
	// Type is the creature type: aberration, beast, celestial, construct,
	// dragon, elemental, fey, fiend, giant, humanoid, monstrosity, ooze,
	// plant or undead.
	Type string `json:"type"`
	// Tags are families and roles used to match themes: goblinoid,
	// undead, demon, devil, aberration, lycanthrope, giant, dragon, fey,
	// hag, cultist, bandit, soldier, intrigue, ...
	Tags []string `json:"tags"`
	// Environments are where the creature is usually met: arctic, coast,
	// desert, forest, grassland, hill, mountain, swamp, underdark,
	// underwater, city, ruins, or "any".
	Environments []string `json:"environments"`
	// Speaks is true when the creature can hold a conversation.
	Speaks bool `json:"speaks"`
	// Weapons is what a weapon must be to hurt m fully, from the SRD stat
	// block's resistances and immunities to nonmagical bludgeoning,
	// piercing and slashing: "silvered" (a werewolf, a devil: silvered or
	// magic), "magic", "adamantine" (a golem: magic or adamantine), or ""
	// for any weapon.
	Weapons string `json:"weapons,omitempty"`
	// Water is true for a creature met only in water: it swims and cannot
	// leave it (a shark) or is helpless out of it (an aboleth, a dragon
	// turtle).
	Water bool `json:"water,omitempty"`
	// Size is the SRD size when it is "huge" or "gargantuan" (an adult
	// dragon, a roc): too big for a room. Smaller creatures leave it "".
	Size string `json:"size,omitempty"`
	// Mindless is true for a creature of Intelligence 3 or less in the
	// SRD that is not a beast, ooze or plant (a purple worm, a zombie, a
	// golem); see Monster.Animal.
	Mindless bool `json:"mindless,omitempty"`
	// Max is how many are met together at most (a coven of three hags, a
	// lone lich); 0 means up to MaxCreatures.
	Max int `json:"max,omitempty"`
}

// Huge reports whether m is Huge or Gargantuan: it fits no room, cellar
// or gallery.
func (m Monster) Huge() bool {
	return m.Size != ""
}

// Animal reports whether m has no mind for a person's work (keeping a
// ledger, carrying orders, living in a hut): a beast, an ooze or a plant
// that cannot speak, or a Mindless monster.
func (m Monster) Animal() bool {
	return m.Mindless || !m.Speaks && slices.Contains([]string{"beast", "ooze", "plant"}, m.Type)
}

// most is how many of m Build puts in one encounter at most.
func (m Monster) most() int {
	if m.Max > 0 {
		return min(m.Max, MaxCreatures)
	}
	return MaxCreatures
}

// PluralName is the name for more than one, e.g. "Wolves".
func (m Monster) PluralName() string {
	if m.Plural != "" {
		return m.Plural
	}
	return m.Name + "s"
}

// HasTag reports whether m carries any of tags.
func (m Monster) HasTag(tags ...string) bool {
	for _, t := range tags {
		if slices.Contains(m.Tags, t) {
			return true
		}
	}
	return false
}

// LivesIn reports whether m is met in any of envs; a monster of "any"
// environment lives everywhere.
func (m Monster) LivesIn(envs ...string) bool {
	if slices.Contains(m.Environments, "any") {
		return true
	}
	for _, e := range envs {
		if slices.Contains(m.Environments, e) {
			return true
		}
	}
	return false
}

// crXP lists every challenge rating with the XP a monster of it is worth.
var crXP = []struct {
	cr string
	xp int
}{
	{"0", 10}, {"1/8", 25}, {"1/4", 50}, {"1/2", 100},
	{"1", 200}, {"2", 450}, {"3", 700}, {"4", 1100}, {"5", 1800},
	{"6", 2300}, {"7", 2900}, {"8", 3900}, {"9", 5000}, {"10", 5900},
	{"11", 7200}, {"12", 8400}, {"13", 10000}, {"14", 11500}, {"15", 13000},
	{"16", 15000}, {"17", 18000}, {"18", 20000}, {"19", 22000}, {"20", 25000},
	{"21", 33000}, {"22", 41000}, {"23", 50000}, {"24", 62000}, {"25", 75000},
	{"26", 90000}, {"27", 105000}, {"28", 120000}, {"29", 135000}, {"30", 155000},
}

// XPForCR returns the XP of one monster of challenge rating cr ("1/4",
// "17"). A CR 0 monster is worth 10 XP (the SRD's 0 XP for creatures
// without attacks is not used).
func XPForCR(cr string) (int, bool) {
	for _, c := range crXP {
		if c.cr == cr {
			return c.xp, true
		}
	}
	return 0, false
}

// ChallengeRatings lists the challenge ratings in increasing order.
func ChallengeRatings() []string {
	out := make([]string, len(crXP))
	for i, c := range crXP {
		out[i] = c.cr
	}
	return out
}

// CRRank orders challenge ratings: 0 for "0", 1 for "1/8", ... It returns
// -1 for an unknown rating.
func CRRank(cr string) int {
	return slices.IndexFunc(crXP, func(c struct {
		cr string
		xp int
	}) bool {
		return c.cr == cr
	})
}

// monsterIndex maps lower-case names and plurals to positions in the list.
var monsterIndex = sync.OnceValue(func() map[string]int {
	idx := map[string]int{}
	for i, m := range monsters() {
		idx[strings.ToLower(m.Name)] = i
		if _, ok := idx[strings.ToLower(m.PluralName())]; !ok {
			idx[strings.ToLower(m.PluralName())] = i
		}
	}
	return idx
})

var loadMonsters = sync.OnceValues(func() ([]Monster, error) {
	b, err := dataFS.ReadFile("data/monsters.json")
	if err != nil {
		return nil, fmt.Errorf("read monsters: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var ms []Monster
	if err := dec.Decode(&ms); err != nil {
		return nil, fmt.Errorf("parse monsters: %w", err)
	}
	seen := map[string]bool{}
	for i := range ms {
		m := &ms[i]
		xp, ok := XPForCR(m.CR)
		if !ok || m.Name == "" || m.Type == "" || len(m.Tags) == 0 || len(m.Environments) == 0 {
			return nil, fmt.Errorf("monster %q: bad challenge rating or missing type, tags or environments", m.Name)
		}
		key := strings.ToLower(m.Name)
		if seen[key] {
			return nil, fmt.Errorf("monster %q listed twice", m.Name)
		}
		seen[key] = true
		m.XP = xp
	}
	return ms, nil
})

// monsters returns the embedded list; the data is checked by the package
// tests, so a failure here is a broken build.
func monsters() []Monster {
	ms, err := loadMonsters()
	if err != nil {
		panic(err)
	}
	return ms
}

// Monsters returns the SRD monster list, ordered as in the data file.
func Monsters() []Monster {
	ms := monsters()
	out := make([]Monster, len(ms))
	for i, m := range ms {
		out[i] = m.clone()
	}
	return out
}

func (m Monster) clone() Monster {
	m.Tags = slices.Clone(m.Tags)
	m.Environments = slices.Clone(m.Environments)
	return m
}

// Select returns the monsters keep accepts, in data order.
func Select(keep func(Monster) bool) []Monster {
	var out []Monster
	for _, m := range monsters() {
		if keep(m) {
			out = append(out, m.clone())
		}
	}
	return out
}

// Lookup finds a monster by name or plural, ignoring case and surrounding
// space.
func Lookup(name string) (Monster, bool) {
	i, ok := monsterIndex()[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return Monster{}, false
	}
	return monsters()[i].clone(), true
}

// Candidates returns the monsters that can make an encounter of the
// difficulty for p on their own (Fits), carry any of tags (all monsters
// when tags is empty) and live in any of envs (anywhere when envs is
// empty), in data order.
func Candidates(p Party, difficulty string, tags, envs []string) []Monster {
	var out []Monster
	for _, m := range monsters() {
		if len(tags) > 0 && !m.HasTag(tags...) {
			continue
		}
		if len(envs) > 0 && !m.LivesIn(envs...) {
			continue
		}
		if Fits(p, difficulty, m) {
			out = append(out, m.clone())
		}
	}
	return out
}
