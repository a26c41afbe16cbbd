package imagegen

import (
	"context"
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Tree kinds on outdoor maps.
const (
	treeBroad = iota
	treePine
	treeDead
	treeJungle
	treeCactus
)

// biome is how open ground looks on an outdoor map.
type biome struct {
	name           string
	words          []string
	ground0        uint32 // ground, two tones
	ground1        uint32
	path           uint32
	trees          float64 // chance a tree stands on a free spot, 0..1
	tree           int
	rocks          float64 // boulders per hundred squares
	pools          float64 // share of the ground under standing water
	water          uint32
	bank           uint32
	ripples, sheen bool // desert ripples, snow sparkle
}

var biomes = []biome{
	{name: "forest", words: []string{"forest", "woods", "wood", "woodland", "grove", "glade", "clearing", "orchard"}, ground0: 0x4f6e34, ground1: 0x6f8c42, path: 0x8a7050, trees: 0.55, tree: treeBroad, rocks: 1.2, water: 0x3f6f7a, bank: 0x7a6a48},
	{name: "swamp", words: []string{"swamp", "marsh", "bog", "fen", "mire", "bayou", "wetland"}, ground0: 0x4a5432, ground1: 0x5e6238, path: 0x6a5a3a, trees: 0.28, tree: treeDead, rocks: 0.3, pools: 0.32, water: 0x3a4a36, bank: 0x5a5030},
	{name: "desert", words: []string{"desert", "dune", "dunes", "sand", "oasis", "wasteland", "badlands", "savanna", "steppe", "canyon"}, ground0: 0xd2b074, ground1: 0xe2c890, path: 0xb8925a, trees: 0.04, tree: treeCactus, rocks: 2.2, water: 0x3f8fa0, bank: 0xc8b080, ripples: true},
	{name: "snow", words: []string{"snow", "snowy", "arctic", "tundra", "glacier", "frozen", "winter", "ice", "icy", "frost"}, ground0: 0xdfe7ef, ground1: 0xf4f7fa, path: 0xb8c2cc, trees: 0.3, tree: treePine, rocks: 1.0, water: 0x6f9fc0, bank: 0xc8d4de, sheen: true},
	{name: "jungle", words: []string{"jungle", "rainforest", "tropical"}, ground0: 0x3a5a26, ground1: 0x4f7a2e, path: 0x7a6040, trees: 0.8, tree: treeJungle, rocks: 0.6, pools: 0.04, water: 0x3a6a5a, bank: 0x6a5a38},
	{name: "plains", words: []string{"field", "fields", "meadow", "plain", "plains", "grassland", "hill", "hills", "road", "farm", "heath", "moor", "battlefield", "valley", "trail", "pass", "mountain"}, ground0: 0x6e8a40, ground1: 0x8ea450, path: 0x9a8058, trees: 0.12, tree: treeBroad, rocks: 1.6, water: 0x4f7f9a, bank: 0x8a7a50},
}

// pickBiome returns the biome the prompt names first, forest when none.
func pickBiome(prompt string) biome {
	b, _ := pickBiomeNamed(prompt)
	return b
}

// pickBiomeNamed is pickBiome, and whether a word named the biome.
func pickBiomeNamed(prompt string) (biome, bool) {
	best, at := biomes[0], -1
	lower := lowerNorm(prompt)
	for _, b := range biomes {
		for _, w := range b.words {
			if i := wholeWordIndex(lower, w); i >= 0 && (at < 0 || i < at) {
				best, at = b, i
			}
		}
	}
	if best.name == "plains" && hasAnyWord(prompt, "mountain", "pass") {
		best.rocks = 4
	}
	return best, at >= 0
}

// terrain is what lies at each pixel of an outdoor map before objects are
// stamped on it.
type terrain struct {
	w, h  int
	water *field  // signed distance to the shore in pixels, negative in water; nil when dry
	path  *field  // distance to a road's centre line in pixels; nil when none
	beach float64 // width of a sand beach along the water, pixels
}

// drawWilderness draws open country: ground of the biome the prompt names,
// a winding trail, pools in a swamp, boulders, bushes and trees, and a
// camp when one is asked for.
func drawWilderness(ctx context.Context, img *image.RGBA, sc *scene, m *battleMap) error {
	b := pickBiome(sc.prompt)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	t := &terrain{w: w, h: h}
	fc := float64(m.cell)
	if !hasAnyWord(sc.prompt, "pathless", "trackless") {
		t.path = polylineField(w, h, max(2, m.cell/4), [][][2]float64{wanderingLine(sc.rng, w, h)}, nil)
	}
	pools := b.pools
	if hasAnyWord(sc.prompt, wetWords...) || hasAnyWord(sc.prompt, "oasis", "pond") {
		pools = max(pools, 0.12)
	}
	if pools > 0 && !sc.rm.has(rmWater) {
		t.water = noiseWater(w, h, fc, sc.seed, pools)
	}
	if err := paintGround(ctx, img, sc, m, b, t); err != nil {
		return err
	}
	st := newStamper(img, m, hex(0x1a1612))
	mo := mood(sc.pal)
	free := t.freeSpots(sc.rng, m, 1.2)
	if !sc.rm.has(rmRocks) {
		free = placeRocks(st, sc.rng, mo, free, b.rocks*float64(m.cols*m.rows)/100)
	}
	if hasAnyWord(sc.prompt, "camp", "campsite", "campfire", "bivouac") {
		free = drawCamp(st, sc.rng, mo, free, m)
	}
	if !sc.rm.has(rmTrees) {
		if hasAnyWord(sc.prompt, "clearing", "glade") {
			free = outside(free, float64(m.cols)/2, float64(m.rows)/2, float64(min(m.cols, m.rows))/4)
		}
		placeTrees(st, sc, mo, b, free)
	}
	return m.overlayGrid(ctx, img, hex(0x1a1612), 0.35)
}

// outside returns the spots farther than r squares from (x, y).
func outside(spots [][2]float64, x, y, r float64) [][2]float64 {
	var out [][2]float64
	for _, p := range spots {
		if math.Hypot(p[0]-x, p[1]-y) > r {
			out = append(out, p)
		}
	}
	return out
}

// lowerNorm lower-cases text and turns hyphens and underscores into
// spaces.
func lowerNorm(s string) string {
	return strings.ToLower(strings.NewReplacer("-", " ", "_", " ").Replace(s))
}

// wanderingLine is a gently winding line across the picture, edge to
// opposite edge, in pixels.
func wanderingLine(rng *rand.Rand, w, h int) [][2]float64 {
	fw, fh := float64(w), float64(h)
	vertical := rng.IntN(2) == 0
	a0, a1 := 0.25+0.5*rng.Float64(), 0.25+0.5*rng.Float64()
	ph, amp := rng.Float64()*6, 0.08+0.06*rng.Float64()
	var pts [][2]float64
	for i := 0; i <= 40; i++ {
		t := float64(i)/40*1.2 - 0.1
		across := a0 + (a1-a0)*t + amp*math.Sin(t*5+ph)
		if vertical {
			pts = append(pts, [2]float64{across * fw, t * fh})
		} else {
			pts = append(pts, [2]float64{t * fw, across * fh})
		}
	}
	return pts
}

// polylineField is, at every pixel, the least over the lines of the
// distance to the line minus its half width (halves[i], or 0), sampled
// every blk pixels.
func polylineField(w, h, blk int, lines [][][2]float64, halves []float64) *field {
	fw, fh := (w+blk-1)/blk, (h+blk-1)/blk
	f := &field{w: fw, h: fh, blk: blk, v: make([]float64, fw*fh)}
	var segs []segment
	var segHalf []float64
	for li, line := range lines {
		hw := 0.0
		if halves != nil {
			hw = halves[li]
		}
		for i := 1; i < len(line); i++ {
			segs = append(segs, newSegment(line[i-1][0], line[i-1][1], line[i][0], line[i][1]))
			segHalf = append(segHalf, hw)
		}
	}
	for by := range fh {
		for bx := range fw {
			px, py := (float64(bx)+0.5)*float64(blk), (float64(by)+0.5)*float64(blk)
			best := math.Inf(1)
			for k := range segs {
				best = min(best, math.Sqrt(segs[k].dist2(px, py))-segHalf[k])
			}
			f.v[by*fw+bx] = best
		}
	}
	return f
}

// noiseWater is pools covering about share of the ground: a signed
// distance in pixels, negative under water.
func noiseWater(w, h int, fc float64, seed uint64, share float64) *field {
	blk := max(2, int(fc)/4)
	n := newNoise(seed ^ 0x706f6f6c)
	level := waterThreshold(share)
	fw, fh := (w+blk-1)/blk, (h+blk-1)/blk
	f := &field{w: fw, h: fh, blk: blk, v: make([]float64, fw*fh)}
	for by := range fh {
		for bx := range fw {
			px, py := (float64(bx)+0.5)*float64(blk), (float64(by)+0.5)*float64(blk)
			// Scaled so one unit of noise is about four squares of shore.
			f.v[by*fw+bx] = (level - n.fbm(px/(fc*4), py/(fc*4), 3)) * fc * 12
		}
	}
	return f
}

// paintGround paints ground, road and water of an outdoor map.
func paintGround(ctx context.Context, img *image.RGBA, sc *scene, m *battleMap, b biome, t *terrain) error {
	mo := mood(sc.pal)
	g0, g1 := mo(hex(b.ground0)), mo(hex(b.ground1))
	pathC, bankC, waterC := mo(hex(b.path)), mo(hex(b.bank)), mo(hex(b.water))
	fc := float64(m.cell)
	tex := newNoise(sc.seed ^ 0x67726e64)
	grain := 0.05
	if sc.rm.has(rmGrain) {
		grain = 0
	}
	for y := range t.h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		for x := range t.w {
			fx, fy := float64(x), float64(y)
			n := tex.fbm(fx/(fc*3), fy/(fc*3), 4)
			c := mix(g0, g1, smoothstep(0.3, 0.7, n))
			fine := tex.fbm(fx/(fc*0.25)+50, fy/(fc*0.25), 2)
			c = c.scale(0.9 + 0.2*fine)
			if b.ripples {
				c = c.scale(0.95 + 0.07*math.Sin((fx+fy*0.35)/fc*5+tex.at(fx/fc, fy/fc)*6))
			}
			if b.sheen && unit(hash2(x, y, sc.seed)) < 0.004 {
				c = c.add(rgb{0.25, 0.25, 0.25})
			}
			c = c.add(rgb{1, 1, 1}.scale((unit(hash2(x, y, sc.seed))*2 - 1) * grain))
			if t.path != nil {
				d := t.path.at(fx, fy) - fc*(0.55+0.2*tex.at(fx/(fc*2), fy/(fc*2)))
				edge := smoothstep(fc*0.2, -fc*0.1, d)
				ruts := 1 - 0.08*smoothstep(0.6, 0.9, math.Sin(t.path.at(fx, fy)/fc*9))
				c = mix(c, pathC.scale((0.9+0.15*fine)*ruts), edge)
			}
			if t.water != nil {
				d := t.water.at(fx, fy)
				if t.beach > 0 && d > 0 && d < t.beach*1.3 {
					sand := mo(hex(0xd8c498)).scale(0.92 + 0.12*fine)
					c = mix(c, sand, smoothstep(t.beach*1.3, t.beach*0.8, d))
				}
				c = waterColour(c, d, fc, waterC, bankC, tex, fx, fy)
				if t.beach > 0 && d < 0 && d > -fc*4 {
					// Lines of surf parallel to the shore.
					wave := math.Sin(-d/fc*2.2 + tex.at(fx/(fc*2), fy/(fc*2))*3)
					c = mix(c, rgb{0.85, 0.92, 0.95}, 0.25*smoothstep(0.85, 1, wave)*(1+d/(fc*4)))
				}
			}
			put(img.Pix, y*img.Stride+x*4, c)
		}
	}
	return nil
}

// waterColour paints water at signed shore distance d (pixels): a bank,
// foam at the edge, shallows, then deep water with ripples.
func waterColour(c rgb, d, fc float64, water, bank rgb, tex *noise, fx, fy float64) rgb {
	switch {
	case d > fc*0.5:
		return c
	case d > 0:
		return mix(c, bank.scale(0.9+0.2*tex.at(fx/(fc*0.3), fy/(fc*0.3))), smoothstep(fc*0.5, fc*0.1, d))
	}
	depth := smoothstep(0, fc*2.5, -d)
	wc := mix(water.scale(1.35).add(rgb{0.02, 0.06, 0.05}), water.scale(0.75), depth)
	wc = wc.scale(0.92 + 0.16*tex.fbm(fx/(fc*0.8)+80, fy/(fc*0.35), 2))
	foam := smoothstep(-fc*0.18, -fc*0.02, d)
	wc = mix(wc, rgb{0.88, 0.93, 0.95}, 0.55*foam)
	return mix(bank, wc, smoothstep(0, -fc*0.06, d))
}

// freeSpots lists jittered spots, in squares, on open ground: off the
// road and out of the water.
func (t *terrain) freeSpots(rng *rand.Rand, m *battleMap, spacing float64) [][2]float64 {
	fc := float64(m.cell)
	var out [][2]float64
	x0, y0 := -float64(m.ox)/fc, -float64(m.oy)/fc
	x1, y1 := float64(t.w-m.ox)/fc, float64(t.h-m.oy)/fc
	for y := y0; y < y1; y += spacing {
		for x := x0; x < x1; x += spacing {
			p := [2]float64{x + rng.Float64()*spacing, y + rng.Float64()*spacing}
			px, py := float64(m.ox)+p[0]*fc, float64(m.oy)+p[1]*fc
			if px < 0 || py < 0 || px >= float64(t.w) || py >= float64(t.h) {
				continue
			}
			if t.path != nil && t.path.at(px, py) < fc*1.3 {
				continue
			}
			if t.water != nil && t.water.at(px, py) < fc*0.8 {
				continue
			}
			out = append(out, p)
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// placeRocks stamps about n boulders on free spots and returns the spots
// left.
func placeRocks(st *stamper, rng *rand.Rand, mo func(rgb) rgb, free [][2]float64, n float64) [][2]float64 {
	count := int(n + rng.Float64())
	stone := mo(hex(0x8a8580))
	for k := 0; k < count && len(free) > 0; k++ {
		p := free[len(free)-1]
		free = free[:len(free)-1]
		drawBoulder(st, p[0], p[1], 0.25+0.35*rng.Float64(), stone, rng.Uint64())
	}
	return free
}

// drawBoulder stamps a lumpy stone of radius r squares at (x, y).
func drawBoulder(st *stamper, x, y, r float64, stone rgb, seed uint64) {
	ph := unit(seed) * 6
	lobes := 5 + float64(seed%3)
	sd := func(px, py float64) float64 {
		a := math.Atan2(py-y, px-x)
		return math.Hypot(px-x, py-y) - r*(1+0.15*math.Sin(a*lobes+ph)+0.08*math.Sin(a*3+ph*2))
	}
	st.shape(x-r*1.3, y-r*1.3, x+r*1.3, y+r*1.3, sd, func(px, py, d float64) rgb {
		c := lit(stone, px, py, x, y, r, d)
		if math.Sin((px-py)*14+ph) > 0.92 {
			c = c.scale(0.8)
		}
		return c
	})
}

// placeTrees stamps trees on free spots by the biome's density, in
// clumps, lower trees over upper ones.
func placeTrees(st *stamper, sc *scene, mo func(rgb) rgb, b biome, free [][2]float64) {
	clump := newNoise(sc.seed ^ 0x636c756d70)
	var trees [][3]float64
	for _, p := range free {
		density := b.trees * 2 * clump.fbm(p[0]/5, p[1]/5, 2)
		if sc.rng.Float64() < density*density*1.6 {
			trees = append(trees, [3]float64{p[0], p[1], 0.55 + 0.6*sc.rng.Float64()})
		}
	}
	slices.SortFunc(trees, func(a, b [3]float64) int {
		switch {
		case a[1] < b[1]:
			return -1
		case a[1] > b[1]:
			return 1
		}
		return 0
	})
	for i, t := range trees {
		drawTree(st, b.tree, t[0], t[1], t[2], mo, hash2(i, int(t[1]*100), sc.seed))
	}
}

// drawTree stamps one tree seen from above.
func drawTree(st *stamper, kind int, x, y, r float64, mo func(rgb) rgb, seed uint64) {
	ph := unit(seed) * 6
	old := st.shade
	st.shade = r * 0.35
	defer func() { st.shade = old }()
	switch kind {
	case treePine:
		pts := 8.0
		sd := func(px, py float64) float64 {
			a := math.Atan2(py-y, px-x)
			return math.Hypot(px-x, py-y) - r*0.8*(0.72+0.28*math.Abs(math.Cos(a*pts/2+ph)))
		}
		green := mo(hex(0x2f4f3a))
		snowy := mo(hex(0xeef2f6))
		st.shape(x-r, y-r, x+r, y+r, sd, func(px, py, d float64) rgb {
			a := math.Atan2(py-y, px-x)
			// Each bough is lit on its upper-left side.
			bough := math.Sin(a*pts/2 + ph)
			c := lit(green, px, py, x, y, r, d).scale(0.9 + 0.15*bough)
			patch := math.Sin(px*9+ph)*math.Sin(py*7-ph) + 0.6*math.Sin((px-py)*5+ph*2)
			if patch > 0.5 && d < -r*0.08 {
				c = mix(c, snowy, 0.65*smoothstep(0.5, 0.9, patch))
			}
			return c
		})
	case treeDead:
		bark := mo(hex(0x4a3a2a))
		sd := func(px, py float64) float64 {
			d := sdCircle(px-x, py-y, r*0.14)
			for k := range 5 {
				a := ph + float64(k)*1.3
				d = min(d, sdTaper(px, py, x, y, x+math.Cos(a)*r, y+math.Sin(a)*r, r*0.08, r*0.02))
			}
			return d
		}
		st.shape(x-r, y-r, x+r, y+r, sd, func(px, py, d float64) rgb { return bark.scale(0.9) })
	case treeCactus:
		green := mo(hex(0x5a8a4a))
		sd := func(px, py float64) float64 {
			return min(sdBox(px-x, py-y, r*0.14, r*0.5), sdBox(px-x, py-y-r*0.05, r*0.42, r*0.12)) - r*0.08
		}
		st.shape(x-r, y-r, x+r, y+r, sd, func(px, py, d float64) rgb { return lit(green, px, py, x, y, r*0.5, d) })
	default:
		green := mo(hex(0x3f6a2c))
		if kind == treeJungle {
			green = mo(hex(0x2f6a26))
		}
		green = green.scale(0.85 + 0.3*unit(mix64(seed)))
		sd := func(px, py float64) float64 {
			a := math.Atan2(py-y, px-x)
			return math.Hypot(px-x, py-y) - r*(0.9+0.1*math.Sin(a*7+ph)+0.05*math.Sin(a*13+ph))
		}
		st.shape(x-r*1.1, y-r*1.1, x+r*1.1, y+r*1.1, sd, func(px, py, d float64) rgb {
			c := lit(green, px, py, x, y, r, d)
			// Clumps of leaves catch the light.
			lx, ly := px-x+r*0.3, py-y+r*0.3
			clumpy := math.Sin(lx*11+ph) * math.Sin(ly*11-ph)
			return c.scale(0.92 + 0.14*clumpy)
		})
	}
}

// drawCamp stamps a campfire ringed with stones and tents round it, near
// the middle, and returns the free spots away from it.
func drawCamp(st *stamper, rng *rand.Rand, mo func(rgb) rgb, free [][2]float64, m *battleMap) [][2]float64 {
	cx, cy := float64(m.cols)/2+float64(rng.IntN(3)-1), float64(m.rows)/2+float64(rng.IntN(3)-1)
	for k := range 8 {
		a := float64(k) * math.Pi / 4
		drawBoulder(st, cx+math.Cos(a)*0.55, cy+math.Sin(a)*0.55, 0.13, mo(hex(0x7a7570)), uint64(k))
	}
	st.glowAt(cx, cy, 3, hex(0xff9a3a), 0.45)
	fire := func(px, py float64) float64 { return sdCircle(px-cx, py-cy, 0.3) }
	st.flatShape(cx-0.4, cy-0.4, cx+0.4, cy+0.4, fire, func(px, py, d float64) rgb {
		return mix(hex(0xffe08a), hex(0xd0401a), clamp01(math.Hypot(px-cx, py-cy)/0.3))
	})
	canvasC := mo(hex(0xcab894))
	for k := range 3 {
		a := rng.Float64()*0.6 + float64(k)*2.1
		tx, ty := cx+math.Cos(a)*2.6, cy+math.Sin(a)*2.6
		drawTent(st, tx, ty, a, canvasC)
	}
	return outside(free, cx, cy, 4.2)
}

// drawTent stamps a ridge tent facing angle a: two canvas slopes.
func drawTent(st *stamper, x, y, a float64, c rgb) {
	s, co := math.Sincos(a)
	sd := func(px, py float64) float64 { return sdRotBox(px, py, x, y, 0.8, 1.0, a) }
	st.shape(x-1.4, y-1.4, x+1.4, y+1.4, sd, func(px, py, d float64) rgb {
		across := (px-x)*co + (py-y)*s
		k := 1.08
		if across > 0 {
			k = 0.82
		}
		cc := c.scale(k)
		if math.Abs(across) < 0.04 {
			cc = cc.scale(0.7)
		}
		return cc
	})
}
