package encounter

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/shared/encounter/encountertest"
)

// testLabel computes the label from encountertest's own copy of the
// tables, typed independently of this package's.
func testLabel(t testing.TB, levels []int, count, base int) (adjusted int, label string) {
	t.Helper()
	return encountertest.Label(levels, count, base)
}

var testXP = encountertest.XP

func party(level, size int) Party { return NewParty(level, size) }

func mustMonster(t testing.TB, name string) Monster {
	t.Helper()
	m, ok := Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%q) found nothing", name)
	}
	return m
}

// TestHandWorked checks cases worked out by hand from the DMG tables.
func TestHandWorked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		party    Party
		groups   [][2]any // monster name, count
		base     int
		mult     float64
		adjusted int
		label    string
	}{
		// 5 × level 17: 10,000 / 19,500 / 29,500 / 44,000. One dragon, ×1.
		{"five level-17 vs an Adult Red Dragon", party(17, 5), [][2]any{{"Adult Red Dragon", 1}}, 18000, 1, 18000, "easy"},
		// 6 × level 1: 150 / 300 / 450 / 600. One monster, party of six: ×0.5.
		{"six level-1 vs a Hill Giant", party(1, 6), [][2]any{{"Hill Giant", 1}}, 1800, 0.5, 900, "deadly"},
		// 4 × level 3: 300 / 600 / 900 / 1,600. Four monsters: ×2.
		{"four level-3 vs four goblins", party(3, 4), [][2]any{{"Goblin", 4}}, 200, 2, 400, "easy"},
		// 2 × level 5: 500 / 1,000 / 1,500 / 2,200. Two monsters ×1.5, small party: ×2.
		{"two level-5 vs two ogres", party(5, 2), [][2]any{{"Ogre", 2}}, 900, 2, 1800, "hard"},
		// 7 × level 10: easy 4,200. Fifteen monsters ×4, large party: ×3.
		{"seven level-10 vs fifteen skeletons", party(10, 7), [][2]any{{"Skeleton", 15}}, 750, 3, 2250, "trivial"},
		// 1 × level 1: 25 / 50 / 75 / 100. One monster, one character: ×1.5.
		{"one level-1 vs a goblin", party(1, 1), [][2]any{{"Goblin", 1}}, 50, 1.5, 75, "hard"},
		// 3 × level 1: 75 / 150 / 225 / 300. Three monsters: ×2.
		{"three level-1 vs two goblins and a wolf", party(1, 3), [][2]any{{"Goblin", 2}, {"Wolf", 1}}, 150, 2, 300, "deadly"},
		// 1 × level 1 vs one kobold: 25 × 1.5 = 37.5, rounded up to 38.
		{"one level-1 vs a kobold", party(1, 1), [][2]any{{"Kobold", 1}}, 25, 1.5, 38, "easy"},
		// Mixed party 1+2+3+4: 275 / 550 / 825 / 1,200. Two bugbears ×1.5.
		{"mixed party vs two bugbears", Party{Levels: []int{1, 2, 3, 4}}, [][2]any{{"Bugbear", 2}}, 400, 1.5, 600, "medium"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var groups []Group
			count := 0
			for _, g := range tc.groups {
				groups = append(groups, Group{Monster: mustMonster(t, g[0].(string)), Count: g[1].(int)})
				count += g[1].(int)
			}
			e := Evaluate(tc.party, groups)
			got := [4]any{e.BaseXP, e.Multiplier, e.AdjustedXP, e.Difficulty}
			want := [4]any{tc.base, tc.mult, tc.adjusted, tc.label}
			if got != want {
				t.Errorf("Evaluate = base %v ×%v = %v %v, want base %v ×%v = %v %v", got[0], got[1], got[2], got[3], want[0], want[1], want[2], want[3])
			}
			if adj, label := testLabel(t, tc.party.Levels, count, tc.base); adj != tc.adjusted || label != tc.label {
				t.Errorf("test tables give %d %s, hand-worked %d %s", adj, label, tc.adjusted, tc.label)
			}
		})
	}
}

func TestBudget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		levels []int
		want   Thresholds
	}{
		{nil, Thresholds{}},
		{[]int{1}, Thresholds{25, 50, 75, 100}},
		{[]int{17, 17, 17, 17, 17}, Thresholds{10000, 19500, 29500, 44000}},
		{[]int{1, 2, 3, 4}, Thresholds{275, 550, 825, 1200}},
		{[]int{0, 25}, Thresholds{25 + 2800, 50 + 5700, 75 + 8500, 100 + 12700}}, // clamped to 1 and 20
	}
	for _, tc := range tests {
		if got := Budget(tc.levels); got != tc.want {
			t.Errorf("Budget(%v) = %+v, want %+v", tc.levels, got, tc.want)
		}
	}
	for level := 1; level <= 20; level++ {
		want := encountertest.Thresholds([]int{level})
		if got := Budget([]int{level}); got != (Thresholds{want[0], want[1], want[2], want[3]}) {
			t.Errorf("Budget([%d]) = %+v, want %v", level, got, want)
		}
	}
}

func TestMultiplier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		monsters, size int
		want           float64
	}{
		{0, 4, 0},
		{1, 4, 1}, {2, 4, 1.5}, {3, 4, 2}, {6, 4, 2}, {7, 4, 2.5}, {10, 4, 2.5}, {11, 4, 3}, {14, 4, 3}, {15, 4, 4}, {40, 4, 4},
		{1, 2, 1.5}, {2, 1, 2}, {6, 2, 2.5}, {15, 2, 5},
		{1, 6, 0.5}, {2, 6, 1}, {3, 8, 1.5}, {15, 10, 3},
		{1, 3, 1}, {1, 5, 1},
	}
	for _, tc := range tests {
		if got := Multiplier(tc.monsters, tc.size); got != tc.want {
			t.Errorf("Multiplier(%d, %d) = %v, want %v", tc.monsters, tc.size, got, tc.want)
		}
	}
	if !MultiplierAllowed(1, 0.5) || !MultiplierAllowed(4, 2.5) || MultiplierAllowed(4, 4) || MultiplierAllowed(1, 2) {
		t.Errorf("MultiplierAllowed disagrees with the ladder")
	}
}

func TestDifficulty(t *testing.T) {
	t.Parallel()
	th := Thresholds{100, 200, 300, 400}
	for _, tc := range []struct {
		xp   int
		want string
	}{{0, "trivial"}, {99, "trivial"}, {100, "easy"}, {199, "easy"}, {200, "medium"}, {300, "hard"}, {399, "hard"}, {400, "deadly"}, {1 << 30, "deadly"}} {
		if got := Difficulty(tc.xp, th); got != tc.want {
			t.Errorf("Difficulty(%d, %+v) = %q, want %q", tc.xp, th, got, tc.want)
		}
	}
}

// TestEvaluateMatchesOwnTables compares Evaluate with the test's tables on
// random parties and groups.
func TestEvaluateMatchesOwnTables(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	ms := Monsters()
	for range 5000 {
		size := 1 + r.IntN(10)
		levels := make([]int, size)
		for i := range levels {
			levels[i] = 1 + r.IntN(20)
		}
		var groups []Group
		count, base := 0, 0
		for range 1 + r.IntN(3) {
			m := ms[r.IntN(len(ms))]
			n := 1 + r.IntN(12)
			groups = append(groups, Group{Monster: m, Count: n})
			count += n
			base += n * testXP[m.CR]
		}
		e := Evaluate(Party{Levels: levels}, groups)
		adj, label := testLabel(t, levels, count, base)
		if e.BaseXP != base || e.AdjustedXP != adj || e.Difficulty != label {
			t.Fatalf("Evaluate(%v, %v) = %d/%d %s, want %d/%d %s", levels, groups, e.BaseXP, e.AdjustedXP, e.Difficulty, base, adj, label)
		}
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	offers := [][]string{{"Goblin"}, {"Goblin", "Bugbear"}, {"Skeleton", "Zombie", "Ghoul"}, {"Ogre"}, {"Adult Red Dragon", "Kobold"}, {"Vampire Spawn"}}
	built := 0
	for level := 1; level <= 20; level++ {
		for size := 1; size <= 8; size++ {
			p := party(level, size)
			for _, diff := range []string{"easy", "medium", "hard", "deadly"} {
				for _, names := range offers {
					var offered []Monster
					for _, n := range names {
						offered = append(offered, mustMonster(t, n))
					}
					e, err := Build(p, diff, offered, r)
					if errors.Is(err, ErrUnreachable) {
						continue
					}
					if err != nil {
						t.Fatalf("Build(L%d×%d, %s, %v) error: %v", level, size, diff, names, err)
					}
					built++
					count, base := 0, 0
					for i, g := range e.Groups {
						if g.Monster.Name != names[i] || g.Count < 1 || (g.Monster.Max > 0 && g.Count > g.Monster.Max) {
							t.Fatalf("Build(%v) groups = %+v", names, e.Groups)
						}
						count += g.Count
						base += g.Count * testXP[g.Monster.CR]
					}
					adj, label := testLabel(t, p.Levels, count, base)
					if label != diff || e.Difficulty != diff || e.AdjustedXP != adj || count > MaxCreatures || (diff == "deadly" && float64(adj) >= 1.5*float64(e.Thresholds.Deadly) || count > CrowdLimit(p)) {
						t.Fatalf("Build(L%d×%d, %s, %v) = %d creatures, %d adjusted XP %q; test tables say %d %q",
							level, size, diff, names, count, e.AdjustedXP, e.Difficulty, adj, label)
					}
				}
			}
		}
	}
	if built < 1200 { // fewer since crowds are capped and deadly stops at 1.5 × the threshold
		t.Errorf("only %d encounters built; the offers should reach most bands", built)
	}
}

func TestBuildRefuses(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	giant := mustMonster(t, "Hill Giant")
	goblin := mustMonster(t, "Goblin")
	tests := []struct {
		name    string
		party   Party
		diff    string
		offered []Monster
		want    error
	}{
		{"hill giant is deadly for six level-1s", party(1, 6), "easy", []Monster{giant}, ErrUnreachable},
		{"hill giant is deadly for six level-1s (medium)", party(1, 6), "medium", []Monster{giant}, ErrUnreachable},
		{"goblins cannot trouble eight level-20s", party(20, 8), "easy", []Monster{goblin}, ErrUnreachable},
		// 18,000 XP × 0.5 = 9,000, fifteen times the deadly 600: a massacre, not an encounter.
		{"an adult red dragon is beyond deadly for six level-1s", party(1, 6), "deadly", []Monster{mustMonster(t, "Adult Red Dragon")}, ErrUnreachable},
		{"unknown label", party(1, 4), "brutal", []Monster{goblin}, ErrUnknownDifficulty},
		// Hags come in covens of three at most: 3 × 700 × 1.5 (ten characters) = 3,150, under the easy 6,000.
		{"a coven is too small for ten level-10s", party(10, 10), "easy", []Monster{mustMonster(t, "Green Hag")}, ErrUnreachable},
		{"empty party", Party{}, "easy", []Monster{goblin}, ErrBadParty},
	}
	for _, tc := range tests {
		if _, err := Build(tc.party, tc.diff, tc.offered, r); !errors.Is(err, tc.want) {
			t.Errorf("%s: Build error = %v, want %v", tc.name, err, tc.want)
		}
	}
	// By XP alone one Hill Giant (1,800 × 0.5 = 900) is deadly for six
	// level-1s, but its greatclub (3d8+5, twice a round) kills one a hit:
	// CR 5 is more than MaxCRAboveLevel above level 1. For level 2 it may.
	if _, err := Build(party(1, 6), "deadly", []Monster{giant}, r); !errors.Is(err, ErrUnreachable) {
		t.Errorf("Build(six level-1s, deadly, Hill Giant) error = %v, want %v", err, ErrUnreachable)
	}
	if _, err := Build(party(2, 6), "hard", []Monster{giant}, r); err != nil {
		t.Errorf("Build(six level-2s, hard, Hill Giant) error = %v, want one giant", err)
	}
	if _, err := Build(party(1, 4), "easy", nil, r); err == nil {
		t.Errorf("Build with nothing offered succeeded")
	}
}

func TestFitsAndCandidates(t *testing.T) {
	t.Parallel()
	six := party(1, 6)
	if Fits(six, "medium", mustMonster(t, "Hill Giant")) {
		t.Errorf("Fits(six level-1s, medium, Hill Giant) = true, want false")
	}
	if !Fits(six, "medium", mustMonster(t, "Goblin")) {
		t.Errorf("Fits(six level-1s, medium, Goblin) = false, want true")
	}
	// Hobgoblins (100 XP) jump from easy (two: 200) to hard (three: 450).
	got := Candidates(six, "medium", []string{"goblinoid"}, []string{"forest"})
	var names []string
	for _, m := range got {
		names = append(names, m.Name)
	}
	if diff := cmp.Diff([]string{"Goblin", "Bugbear"}, names); diff != "" {
		t.Errorf("Candidates(six level-1s, medium, goblinoid, forest) mismatch (-want +got):\n%s", diff)
	}
}

// TestFitsRefusesWhatOutclassesTheParty: a lone monster far above the
// party's level is never offered, though a big party halves its XP.
func TestFitsRefusesWhatOutclassesTheParty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		level, size int
		difficulty  string
		monster     string
		fits        bool
	}{
		{7, 7, "hard", "Adult Red Dragon", false}, // CR 17: 9,000 adjusted XP is "hard" for seven level-7s
		{13, 7, "hard", "Ancient Red Dragon", false},
		{8, 6, "deadly", "Ancient Blue Dragon", false},
		{14, 7, "hard", "Adult Red Dragon", true}, // CR 17 is level 14 + 3
		{2, 4, "hard", "Werewolf", true},          // CR 3
		{1, 4, "deadly", "Werewolf", false},       // 700 adjusted XP is past 1.5 × 400
		{1, 8, "hard", "Troll", false},            // CR 5
	}
	for _, tc := range tests {
		p := party(tc.level, tc.size)
		m := mustMonster(t, tc.monster)
		if got := Fits(p, tc.difficulty, m); got != tc.fits {
			adj := Adjust(m.XP, Multiplier(1, tc.size))
			t.Errorf("Fits(%d level-%ds, %s, %s CR %s; one alone is %d adjusted XP, %s) = %v, want %v",
				tc.size, tc.level, tc.difficulty, m.Name, m.CR, adj, Difficulty(adj, Budget(p.Levels)), got, tc.fits)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	offered := []string{"Goblin", "Adult Red Dragon"}
	for _, ok := range []string{"Goblin", " goblin ", "ADULT RED DRAGON"} {
		if err := Validate(ok, offered); err != nil {
			t.Errorf("Validate(%q, %v) = %v, want nil", ok, offered, err)
		}
	}
	for _, bad := range []string{"Beholder", "", "Goblins", "Red Dragon", "Goblin, Adult Red Dragon"} {
		if err := Validate(bad, offered); !errors.Is(err, ErrNotOffered) {
			t.Errorf("Validate(%q, %v) = %v, want ErrNotOffered", bad, offered, err)
		}
	}
	if err := Validate("Goblin", nil); !errors.Is(err, ErrNotOffered) {
		t.Errorf("Validate with nothing offered = %v, want ErrNotOffered", err)
	}
}

func TestTraps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		level    int
		severity string
		want     string
	}{{1, "setback", "1d10"}, {4, "deadly", "4d10"}, {5, "dangerous", "4d10"}, {11, "deadly", "18d10"}, {20, "deadly", "24d10"}, {17, "setback", "10d10"}} {
		if got, err := TrapDamage(tc.level, tc.severity); err != nil || got != tc.want {
			t.Errorf("TrapDamage(%d, %q) = %q, %v; want %q", tc.level, tc.severity, got, err, tc.want)
		}
	}
	if lo, hi, err := TrapDC("dangerous"); lo != 12 || hi != 15 || err != nil {
		t.Errorf("TrapDC(dangerous) = %d, %d, %v; want 12, 15", lo, hi, err)
	}
	if _, err := TrapDamage(3, "nasty"); err == nil {
		t.Errorf("TrapDamage accepted an unknown severity")
	}
	if !TrapDamageAllowed("deadly", "10d10") || TrapDamageAllowed("setback", "24d10") {
		t.Errorf("TrapDamageAllowed disagrees with the table")
	}
}

func BenchmarkBuildThreeKinds(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	offered := []Monster{mustMonster(b, "Skeleton"), mustMonster(b, "Zombie"), mustMonster(b, "Ghoul")}
	p := party(5, 4)
	for b.Loop() {
		if _, err := Build(p, "hard", offered, r); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBossBand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		level   int
		monster string
		fits    bool
	}{
		{20, "Werewolf", false}, {1, "Giant Shark", false}, {12, "Pit Fiend", false}, {6, "Efreeti", false},
		{3, "Werewolf", true}, {11, "Mummy Lord", true}, {17, "Lich", true}, {20, "Tarrasque", false}, {1, "Goblin", true},
		{20, "Ancient Red Dragon", true}, {9, "Young Blue Dragon", true},
	}
	for _, tc := range tests {
		if got := BossFits(party(tc.level, 4), mustMonster(t, tc.monster)); got != tc.fits {
			lo, hi := BossBand(tc.level)
			t.Errorf("BossFits(level %d, %s) = %v, want %v (band %g–%g)", tc.level, tc.monster, got, tc.fits, lo, hi)
		}
	}
}
