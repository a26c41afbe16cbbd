package imagegen

import (
	"math"
	"math/rand/v2"
	"testing"
)

// reachable counts the open squares reachable from the first open one.
func reachable(m *battleMap) (reached, open int) {
	start := -1
	for i, f := range m.floor {
		if f {
			open++
			if start < 0 {
				start = i
			}
		}
	}
	if start < 0 {
		return 0, 0
	}
	seen := make([]bool, len(m.floor))
	stack := []int{start}
	seen[start] = true
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		reached++
		x, y := i%m.cols, i/m.cols
		for _, n := range [4][2]int{{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}} {
			if m.open(n[0], n[1]) && !seen[n[1]*m.cols+n[0]] {
				seen[n[1]*m.cols+n[0]] = true
				stack = append(stack, n[1]*m.cols+n[0])
			}
		}
	}
	return reached, open
}

func TestDungeonIsConnectedWithDoors(t *testing.T) {
	t.Parallel()
	doors := 0
	for seed := range uint64(40) {
		for _, sz := range [][2]int{{256, 256}, {512, 384}, {2048, 2048}, {64, 64}} {
			m := newBattleMap(sz[0], sz[1])
			m.carveRooms(rand.New(rand.NewPCG(seed, 1)))
			reached, open := reachable(m)
			if open == 0 || reached != open {
				t.Fatalf("dungeon seed %d %v: reached %d of %d open squares", seed, sz, reached, open)
			}
			if share := float64(open) / float64(m.cols*m.rows); share < 0.15 || share > 0.85 {
				t.Errorf("dungeon seed %d %v: %.0f%% open, want 15..85%%", seed, sz, share*100)
			}
			for _, d := range m.doors {
				if !m.open(d.x, d.y) {
					t.Errorf("dungeon seed %d: door at %d,%d is in rock", seed, d.x, d.y)
				}
			}
			doors += len(m.doors)
		}
	}
	if doors == 0 {
		t.Errorf("40 dungeons had no doors at all")
	}
}

func TestCaveIsConnected(t *testing.T) {
	t.Parallel()
	for seed := range uint64(20) {
		m := newBattleMap(512, 512)
		m.carveCave(rand.New(rand.NewPCG(seed, 2)))
		gw, gh := m.cols*m.sub, m.rows*m.sub
		grid := make([]bool, gw*gh)
		open := 0
		for i, v := range m.subFloor {
			grid[i] = v > 0
			if grid[i] {
				open++
			}
		}
		if open < gw*gh/10 {
			t.Errorf("cave seed %d: %d of %d samples open, want at least a tenth", seed, open, gw*gh)
		}
		if largest := keepLargest(grid, gw, gh); largest != open {
			t.Errorf("cave seed %d: largest region %d of %d open samples, want one region", seed, largest, open)
		}
	}
}

func TestWaterThreshold(t *testing.T) {
	t.Parallel()
	n := newNoise(3)
	for _, share := range []float64{0.06, 0.3} {
		level := waterThreshold(share)
		above, total := 0, 0
		for y := range 300 {
			for x := range 300 {
				if n.fbm(float64(x)/9.1, float64(y)/9.1, 3) > level {
					above++
				}
				total++
			}
		}
		if got := float64(above) / float64(total); math.Abs(got-share) > share*0.5 {
			t.Errorf("waterThreshold(%v) leaves %.3f above, want about %v", share, got, share)
		}
	}
}

func TestArmsChargeFollowsClass(t *testing.T) {
	t.Parallel()
	g := shieldGeom{cx: 100, top: 20, a: 60, h: 150}
	tests := []struct {
		class string
		want  int
	}{
		{"Paladin", chCross},
		{"fighter", chSword},
		{"Wizard", chMullet},
		{"ranger", chArrow},
		{"druid", chTree},
		{"artificer", chCog},
		{"Warlock", chEye},
	}
	for _, tc := range tests {
		for seed := range uint64(10) {
			a := newArms(rand.New(rand.NewPCG(seed, 3)), g, "elf", tc.class, "neutral good", tOr)
			found := false
			for _, c := range a.charges {
				found = found || c.kind == tc.want
			}
			if !found {
				t.Errorf("newArms(class %q, seed %d) charges = %+v, want kind %d", tc.class, seed, a.charges, tc.want)
			}
		}
	}
}

func TestArmsTinctures(t *testing.T) {
	t.Parallel()
	g := shieldGeom{cx: 100, top: 20, a: 60, h: 150}
	evil := map[rgb]bool{tSable: true, tSanguine: true, tPurpure: true}
	metal := map[rgb]bool{tOr: true, tArgent: true}
	for seed := range uint64(30) {
		a := newArms(rand.New(rand.NewPCG(seed, 4)), g, "", "rogue", "evil", tOr)
		// The field's colour comes from the alignment; the other tincture
		// is a metal.
		colour := a.tA
		if metal[colour] {
			colour = a.tB
		}
		if metal[colour] && a.ordinary != ordNone {
			colour = a.ordTinct
		}
		if !evil[colour] {
			t.Errorf("newArms(evil, seed %d) colour = %v, want sable, sanguine or purpure", seed, colour)
		}
	}
}

func TestShieldSDF(t *testing.T) {
	t.Parallel()
	g := shieldGeom{cx: 100, top: 50, a: 40, h: 110}
	tests := []struct {
		x, y   float64
		inside bool
	}{
		{100, 100, true},  // centre
		{100, 158, true},  // just above the point
		{100, 165, false}, // below the point
		{139, 60, true},   // upper right, inside
		{141, 60, false},  // upper right, outside
		{100, 48, false},  // above the top
		{135, 150, false}, // beside the point
		{60.5, 51, true},  // top left corner
		{100, 50.5, true}, // on the top edge
		{100 + 39, 140, false},
	}
	for _, tc := range tests {
		if got := g.sdf(tc.x, tc.y) < 0; got != tc.inside {
			t.Errorf("shield sdf(%v, %v) = %.2f, want inside = %v", tc.x, tc.y, g.sdf(tc.x, tc.y), tc.inside)
		}
	}
}

func TestChargesAreDrawable(t *testing.T) {
	t.Parallel()
	for k := range numCharges {
		inside, outside := 0, 0
		for y := -1.2; y <= 1.2; y += 0.05 {
			for x := -1.2; x <= 1.2; x += 0.05 {
				if chargeSDF(k, x, y) < 0 {
					inside++
				} else {
					outside++
				}
			}
		}
		// Every charge covers some but not all of its box, and stays inside it.
		if inside < 40 || outside < 400 {
			t.Errorf("charge %d covers %d of %d samples", k, inside, inside+outside)
		}
		for _, p := range [][2]float64{{-1.2, -1.2}, {1.2, 1.2}, {0, 1.2}, {1.2, 0}} {
			if chargeSDF(k, p[0], p[1]) < 0 {
				t.Errorf("charge %d reaches %v, outside its unit box", k, p)
			}
		}
	}
}

func TestKeywords(t *testing.T) {
	t.Parallel()
	shapes := []struct {
		prompt string
		want   int
	}{
		{"a flaming longsword", itemSword},
		{"a potion of healing", itemPotion},
		{"a dented shield and a sword", itemShield},
		{"an amulet", itemAmulet},
		{"a mysterious object", itemAmulet},
		{"two rusty daggers", itemDagger},
	}
	for _, tc := range shapes {
		if got := itemShape(tc.prompt); got != tc.want {
			t.Errorf("itemShape(%q) = %d, want %d", tc.prompt, got, tc.want)
		}
	}
	colours := []struct {
		prompt string
		want   rgb
		ok     bool
	}{
		{"a green potion", hex(0x3cc864), true},
		{"ruby and emerald", hex(0xe0342c), true},
		{"an icy blade", rgb{}, false},
		{"frost blade", hex(0x3c7cf0), true},
		{"a plain stick", rgb{}, false},
	}
	for _, tc := range colours {
		got, ok := promptColour(tc.prompt)
		if ok != tc.ok || got != tc.want {
			t.Errorf("promptColour(%q) = %v, %v, want %v, %v", tc.prompt, got, ok, tc.want, tc.ok)
		}
	}
	palettes := []struct{ genre, want string }{
		{"Sci-Fi", "scifi"}, {"cyberpunk", "cyberpunk"}, {"Gothic Horror", "horror"},
		{"steampunk", "steampunk"}, {"post-apocalyptic", "postapoc"}, {"", "fantasy"},
		{"conscience", "fantasy"}, {"high fantasy", "fantasy"}, {"pirates", "nautical"},
	}
	for _, tc := range palettes {
		if got := paletteName(tc.genre); got != tc.want {
			t.Errorf("paletteName(%q) = %q, want %q", tc.genre, got, tc.want)
		}
	}
	looksFound := []struct{ preset, style, prompt, want string }{
		{"noir", "", "", "noir"},
		{"pixel-art", "", "", "pixel-art"},
		{"", "Watercolour", "", "watercolor"},
		{"", "", "in the style of a comic book", "comic"},
		{"", "", "a dwarf drawing his axe by an oil lamp", ""},
		{"", "", "a celestial dragon", ""},
		{"anime", "sepia", "", "comic"},
	}
	for _, tc := range looksFound {
		l, _ := findLook(tc.preset, tc.style, tc.prompt)
		if l.name != tc.want {
			t.Errorf("findLook(%q, %q, %q) = %q, want %q", tc.preset, tc.style, tc.prompt, l.name, tc.want)
		}
	}
}

func TestStarSDF(t *testing.T) {
	t.Parallel()
	hexagon := newStar(1, 6, 2)
	// A regular hexagon of circumradius 1: its vertices lie on the edge and
	// its centre is an apothem, cos 30°, inside.
	if d := hexagon.sd(0, 0); math.Abs(d+math.Cos(math.Pi/6)) > 1e-9 {
		t.Errorf("hexagon sd(centre) = %v, want %v", d, -math.Cos(math.Pi/6))
	}
	if d := hexagon.sd(0, 1); math.Abs(d) > 1e-9 {
		t.Errorf("hexagon sd(vertex) = %v, want 0", d)
	}
	if d := hexagon.sd(0, 2); math.Abs(d-1) > 1e-9 {
		t.Errorf("hexagon sd(0, 2) = %v, want 1", d)
	}
}
