// Package encounter does the arithmetic of D&D 5e combat encounters: the
// XP thresholds of a party, the multiplier for the number of monsters, the
// difficulty label the numbers support, and how many of a set of monsters
// make a fight of a given difficulty. It also carries the SRD 5.1 monster
// list (challenge rating, XP, creature type, tags and environments) and maps
// the words of a campaign theme to creatures, terrain, factions and set
// pieces (ThemeHints).
//
// The thresholds and multipliers are the Dungeon Master's Guide's, not the
// SRD's; the monsters are the SRD 5.1's. data/ATTRIBUTION.md credits both.
//
// The package is pure: no I/O beyond its embedded data, no clock, and every
// random choice comes from the *rand.Rand the caller passes in.
package encounter

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Difficulty labels, from weakest to strongest. Trivial is this package's
// name for adjusted XP below the party's easy threshold; the DMG gives that
// range no name.
const (
	Trivial = "trivial"
	Easy    = "easy"
	Medium  = "medium"
	Hard    = "hard"
	Deadly  = "deadly"
)

// labels lists the difficulty labels in increasing order.
var labels = []string{Trivial, Easy, Medium, Hard, Deadly}

// Labels returns the difficulty labels from trivial to deadly.
func Labels() []string { return slices.Clone(labels) }

// MaxCreatures caps the number of monsters of one kind the data may allow
// together (Monster.Max); CrowdLimit caps an encounter's.
const MaxCreatures = 20

// MaxCrowd caps the number of monsters Build puts in one encounter: a
// fight of more is a crowd a table cannot run, and stronger monsters make
// the same difficulty.
const MaxCrowd = 12

// CrowdLimit is the most monsters Build puts in one encounter for p:
// MaxCrowd, and fewer at low level (6 for level-1 characters, two more
// per level), where a crowd's many attacks drop characters with few hit
// points in one round.
func CrowdLimit(p Party) int {
	if len(p.Levels) == 0 {
		return MaxCrowd
	}
	return min(MaxCrowd, 4+2*slices.Max(p.Levels))
}

// DeadlyCeiling bounds what Build and Fits call a deadly encounter: at or
// above the party's deadly threshold and below this many times it. The DMG
// sets no upper bound; past half again the threshold a fight is no longer
// one the label "deadly" warns of, but a massacre. Difficulty still labels
// anything above the threshold deadly.
const DeadlyCeiling = 1.5

// MaxCRAboveLevel bounds the monsters that fight a party: none whose
// challenge rating is more than this above the party's highest level. The
// XP arithmetic halves a lone monster's XP for a big party, so without it
// an Adult Red Dragon is a "hard" fight for seven level-7 characters,
// while its breath alone (18d6, DC 21) can kill every one of them.
const MaxCRAboveLevel = 3

var (
	// ErrUnknownDifficulty is returned for a label outside Labels.
	ErrUnknownDifficulty = errors.New("encounter: unknown difficulty")
	// ErrUnreachable is returned when no number of the offered monsters
	// makes an encounter of the asked difficulty for the party.
	ErrUnreachable = errors.New("encounter: difficulty out of reach")
	// ErrNotOffered is returned by Validate for a pick outside the offer.
	ErrNotOffered = errors.New("encounter: monster was not offered")
	// ErrBadParty is returned for a party with no characters.
	ErrBadParty = errors.New("encounter: party has no characters")
)

// Thresholds are a party's XP thresholds: the adjusted XP at which an
// encounter becomes easy, medium, hard or deadly.
type Thresholds struct {
	Easy, Medium, Hard, Deadly int
}

// Of returns the threshold for label; trivial starts at 0.
func (t Thresholds) Of(label string) (int, error) {
	switch label {
	case Trivial:
		return 0, nil
	case Easy:
		return t.Easy, nil
	case Medium:
		return t.Medium, nil
	case Hard:
		return t.Hard, nil
	case Deadly:
		return t.Deadly, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownDifficulty, label)
}

// thresholdTable holds the DMG's XP thresholds per character level 1–20:
// easy, medium, hard, deadly.
var thresholdTable = [20][4]int{
	{25, 50, 75, 100},
	{50, 100, 150, 200},
	{75, 150, 225, 400},
	{125, 250, 375, 500},
	{250, 500, 750, 1100},
	{300, 600, 900, 1400},
	{350, 750, 1100, 1700},
	{450, 900, 1400, 2100},
	{550, 1100, 1600, 2400},
	{600, 1200, 1900, 2800},
	{800, 1600, 2400, 3600},
	{1000, 2000, 3000, 4500},
	{1100, 2200, 3400, 5100},
	{1250, 2500, 3800, 5700},
	{1400, 2800, 4300, 6400},
	{1600, 3200, 4800, 7200},
	{2000, 3900, 5900, 8800},
	{2100, 4200, 6300, 9500},
	{2400, 4900, 7300, 10900},
	{2800, 5700, 8500, 12700},
}

// Budget sums the XP thresholds of every character in the party. Levels
// outside 1–20 count as the nearest of 1 or 20.
func Budget(partyLevels []int) Thresholds {
	var t Thresholds
	for _, l := range partyLevels {
		row := thresholdTable[min(max(l, 1), 20)-1]
		t.Easy += row[0]
		t.Medium += row[1]
		t.Hard += row[2]
		t.Deadly += row[3]
	}
	return t
}

// multiplierSteps are the DMG's encounter multipliers in order; the party
// size moves an encounter one step along this list.
var multiplierSteps = []float64{0.5, 1, 1.5, 2, 2.5, 3, 4, 5}

// Multiplier returns the factor applied to the monsters' total XP: ×1 for
// one monster, ×1.5 for two, ×2 for 3–6, ×2.5 for 7–10, ×3 for 11–14 and ×4
// for 15 or more, one step up for a party of fewer than three characters
// and one step down (to ×0.5) for six or more. It returns 0 for no monsters.
func Multiplier(monsters, partySize int) float64 {
	if monsters <= 0 {
		return 0
	}
	i := 1
	switch {
	case monsters == 1:
		i = 1
	case monsters == 2:
		i = 2
	case monsters <= 6:
		i = 3
	case monsters <= 10:
		i = 4
	case monsters <= 14:
		i = 5
	default:
		i = 6
	}
	switch {
	case partySize < 3:
		i++
	case partySize >= 6:
		i--
	}
	return multiplierSteps[i]
}

// MultiplierAllowed reports whether m is the multiplier for some party size
// with this many monsters (the three steps a party size can select).
func MultiplierAllowed(monsters int, m float64) bool {
	for _, size := range []int{1, 4, 6} {
		if Multiplier(monsters, size) == m {
			return true
		}
	}
	return false
}

// Adjust applies the multiplier to the monsters' total XP, rounding halves
// up (base XP times 1.5 or 2.5 can end in .5).
func Adjust(baseXP int, multiplier float64) int {
	return int(math.Floor(float64(baseXP)*multiplier + 0.5))
}

// Difficulty names the band adjusted XP falls in: the highest threshold it
// reaches, or trivial below easy.
func Difficulty(adjustedXP int, t Thresholds) string {
	switch {
	case adjustedXP >= t.Deadly:
		return Deadly
	case adjustedXP >= t.Hard:
		return Hard
	case adjustedXP >= t.Medium:
		return Medium
	case adjustedXP >= t.Easy:
		return Easy
	}
	return Trivial
}

// Party is the player characters an encounter is built for.
type Party struct {
	Levels []int // one entry per character, each 1–20
}

// NewParty returns size characters of the same level.
func NewParty(level, size int) Party {
	p := Party{Levels: make([]int, max(size, 0))}
	for i := range p.Levels {
		p.Levels[i] = level
	}
	return p
}

// Size is the number of characters.
func (p Party) Size() int { return len(p.Levels) }

// Group is a number of one kind of monster.
type Group struct {
	Monster Monster
	Count   int
}

// Encounter is a set of monsters with the numbers that label it.
type Encounter struct {
	Groups     []Group
	BaseXP     int     // sum of count × XP
	Multiplier float64 // for the total count and the party size
	AdjustedXP int     // BaseXP × Multiplier, halves rounded up
	Thresholds Thresholds
	Difficulty string // Difficulty(AdjustedXP, Thresholds)
}

// Count is the number of monsters.
func (e Encounter) Count() int {
	n := 0
	for _, g := range e.Groups {
		n += g.Count
	}
	return n
}

// Evaluate computes the XP, multiplier and difficulty of groups against p.
func Evaluate(p Party, groups []Group) Encounter {
	e := Encounter{Groups: slices.Clone(groups), Thresholds: Budget(p.Levels)}
	for _, g := range groups {
		e.BaseXP += g.Count * g.Monster.XP
	}
	e.Multiplier = Multiplier(e.Count(), p.Size())
	e.AdjustedXP = Adjust(e.BaseXP, e.Multiplier)
	e.Difficulty = Difficulty(e.AdjustedXP, e.Thresholds)
	return e
}

// Build chooses how many of each offered monster (at least one of each,
// no more of one than its Max, at most CrowdLimit in all) make an encounter of the asked difficulty
// for the party (a deadly one stays under DeadlyCeiling times the deadly
// threshold). Among the counts whose label is the asked one it prefers
// adjusted XP near a point drawn inside the band (near the threshold for
// deadly), so the same request can give different but equally valid fights.
// It returns ErrUnreachable, with the reason, when no count works: one of
// each is already too strong, or CrowdLimit of them are still too weak, or a
// monster outclasses the party (Outclasses).
func Build(p Party, difficulty string, offered []Monster, r *rand.Rand) (Encounter, error) {
	if p.Size() == 0 {
		return Encounter{}, ErrBadParty
	}
	if !slices.Contains(labels, difficulty) {
		return Encounter{}, fmt.Errorf("%w: %q", ErrUnknownDifficulty, difficulty)
	}
	if len(offered) == 0 || len(offered) > 3 {
		return Encounter{}, fmt.Errorf("encounter: build needs one to three kinds of monster, got %d", len(offered))
	}
	for _, m := range offered {
		if Outclasses(p, m) {
			return Encounter{}, fmt.Errorf("%w: %s (CR %s) is more than %d above the party's level", ErrUnreachable, m.Name, m.CR, MaxCRAboveLevel)
		}
	}
	t := Budget(p.Levels)
	target := bandTarget(t, difficulty, r.Float64())
	type option struct {
		counts []int
		score  float64
	}
	var opts []option
	bestScore := math.Inf(1)
	eachCounts(len(offered), CrowdLimit(p), func(counts []int) {
		base, n := 0, 0
		for i, c := range counts {
			if c > offered[i].most() {
				return
			}
			base += c * offered[i].XP
			n += c
		}
		adj := Adjust(base, Multiplier(n, p.Size()))
		if !InBand(adj, t, difficulty) {
			return
		}
		score := math.Abs(math.Log(float64(max(adj, 1))/target)) + 0.01*float64(n)
		if score > bestScore+0.05 {
			return
		}
		bestScore = min(bestScore, score)
		opts = append(opts, option{slices.Clone(counts), score})
	})
	opts = slices.DeleteFunc(opts, func(o option) bool { return o.score > bestScore+0.05 })
	if len(opts) == 0 {
		return Encounter{}, unreachable(p, difficulty, offered, t)
	}
	chosen := opts[r.IntN(len(opts))]
	groups := make([]Group, len(offered))
	for i, m := range offered {
		groups[i] = Group{Monster: m, Count: chosen.counts[i]}
	}
	return Evaluate(p, groups), nil
}

// bandTarget is the adjusted XP Build aims for: a point u of the way
// across the middle of the band, or up to a quarter above the deadly
// threshold.
func bandTarget(t Thresholds, difficulty string, u float64) float64 {
	lo, _ := t.Of(difficulty)
	var hi int
	switch difficulty {
	case Trivial:
		hi = t.Easy
	case Easy:
		hi = t.Medium
	case Medium:
		hi = t.Hard
	case Hard:
		hi = t.Deadly
	case Deadly:
		return float64(t.Deadly) * (1 + 0.25*u)
	}
	return float64(lo) + float64(hi-lo)*(0.2+0.6*u)
}

// eachCounts calls fn with every vector of k counts, each at least 1, whose
// sum is at most total. fn must not keep the slice.
func eachCounts(k, total int, fn func([]int)) {
	counts := make([]int, k)
	var rec func(i, left int)
	rec = func(i, left int) {
		if i == k {
			fn(counts)
			return
		}
		for n := 1; n <= left-(k-i-1); n++ {
			counts[i] = n
			rec(i+1, left-n)
		}
	}
	rec(0, total)
}

// unreachable explains why Build found no count.
func unreachable(p Party, difficulty string, offered []Monster, t Thresholds) error {
	names := make([]string, len(offered))
	one := make([]Group, len(offered))
	for i, m := range offered {
		names[i] = m.Name
		one[i] = Group{Monster: m, Count: 1}
	}
	least := Evaluate(p, one)
	lo, _ := t.Of(difficulty)
	if overCeiling(least.AdjustedXP, t) {
		return fmt.Errorf("%w: one each of %s is already %d adjusted XP, over %g times this party's deadly threshold of %d",
			ErrUnreachable, strings.Join(names, ", "), least.AdjustedXP, DeadlyCeiling, t.Deadly)
	}
	if idx(least.Difficulty) > idx(difficulty) {
		return fmt.Errorf("%w: one each of %s is already %d adjusted XP, %s for this party (%s starts at %d)",
			ErrUnreachable, strings.Join(names, ", "), least.AdjustedXP, least.Difficulty, difficulty, lo)
	}
	return fmt.Errorf("%w: as many of %s as are met together cannot make a %s encounter for this party (%s starts at %d adjusted XP)",
		ErrUnreachable, strings.Join(names, ", "), difficulty, difficulty, lo)
}

func idx(label string) int { return slices.Index(labels, label) }

// InBand reports whether adjusted XP makes an encounter of the difficulty
// as Build means it: the label, and under DeadlyCeiling for deadly.
func InBand(adjustedXP int, t Thresholds, difficulty string) bool {
	if difficulty == Deadly && overCeiling(adjustedXP, t) {
		return false
	}
	return Difficulty(adjustedXP, t) == difficulty
}

// overCeiling reports adjusted XP at or past DeadlyCeiling times the
// deadly threshold.
func overCeiling(adjustedXP int, t Thresholds) bool {
	return float64(adjustedXP) >= DeadlyCeiling*float64(t.Deadly)
}

// Fits reports whether some number of m alone (1 to its Max, or to
// CrowdLimit) makes an encounter of the difficulty for p, as Build
// means it, and m is no more than MaxCRAboveLevel above the party.
func Fits(p Party, difficulty string, m Monster) bool {
	if Outclasses(p, m) {
		return false
	}
	t := Budget(p.Levels)
	for n := 1; n <= min(m.most(), CrowdLimit(p)); n++ {
		adj := Adjust(n*m.XP, Multiplier(n, p.Size()))
		if InBand(adj, t, difficulty) {
			return true
		}
		if idx(Difficulty(adj, t)) > idx(difficulty) || overCeiling(adj, t) {
			return false
		}
	}
	return false
}

// Outclasses reports whether m's challenge rating is more than
// MaxCRAboveLevel above the highest level in p: too strong to fight it,
// whatever its XP says.
func Outclasses(p Party, m Monster) bool {
	cr, err := strconv.Atoi(m.CR) // fractions are below every level
	return err == nil && len(p.Levels) > 0 && cr > slices.Max(p.Levels)+MaxCRAboveLevel
}

// Validate accepts a model's pick only if it names one of the offered
// monsters (case and surrounding space aside).
func Validate(pick string, offered []string) error {
	p := strings.TrimSpace(pick)
	for _, o := range offered {
		if strings.EqualFold(p, strings.TrimSpace(o)) {
			return nil
		}
	}
	return fmt.Errorf("%w: %q is not one of %s", ErrNotOffered, pick, strings.Join(offered, ", "))
}

// BossBand is the range of challenge ratings a campaign's villain may have
// for a party whose highest level is level: from half the level less one
// (a Werewolf is no villain for level-20 characters) to MaxCRAboveLevel
// above it, one more for every ten levels (a Giant Shark, CR 5, is no
// villain for level-1 characters; a Mummy Lord, CR 15, is one for level
// 11). The villain fights with its followers, so the band sits higher than
// a lone monster's.
func BossBand(level int) (lo, hi float64) {
	return max(0, float64(level)/2-1), float64(level + MaxCRAboveLevel + level/10)
}

// BossFits reports whether m's challenge rating is in the BossBand of p's
// highest level.
func BossFits(p Party, m Monster) bool {
	return BossDistance(p, m) == 0
}

// BossDistance is how far m's challenge rating is outside the BossBand of
// p's highest level, 0 inside it.
func BossDistance(p Party, m Monster) float64 {
	if len(p.Levels) == 0 {
		return 0
	}
	lo, hi := BossBand(slices.Max(p.Levels))
	cr := CRValue(m.CR)
	return max(lo-cr, cr-hi, 0)
}

// CRValue is a challenge rating as a number: 0.125 for "1/8".
func CRValue(cr string) float64 {
	if num, den, ok := strings.Cut(cr, "/"); ok {
		n, _ := strconv.Atoi(num)
		d, _ := strconv.Atoi(den)
		if d == 0 {
			return 0
		}
		return float64(n) / float64(d)
	}
	n, _ := strconv.Atoi(cr)
	return float64(n)
}
