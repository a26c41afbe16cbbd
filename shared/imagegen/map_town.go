package imagegen

import (
	"context"
	"image"
	"math"
	"math/rand/v2"
)

// townPlan is the street plan of a town map, in squares.
type townPlan struct {
	streets []rect // cobbled, grid-aligned
	plaza   rect
	lots    []rect // building footprints
}

// planTown lays a main street, a cross street and, in a city, a second
// street; a plaza where the first two cross; and building lots along the
// streets, fewer in a village.
func planTown(rng *rand.Rand, m *battleMap, city, village bool) townPlan {
	var p townPlan
	mainY := m.rows*2/5 + rng.IntN(3) - 1
	crossX := m.cols/2 + rng.IntN(3) - 1
	p.streets = append(p.streets, rect{0, mainY, m.cols, 3}, rect{crossX, 0, 2, m.rows})
	if city && m.rows >= 16 {
		p.streets = append(p.streets, rect{0, mainY + 3 + (m.rows-mainY-3)/2, m.cols, 2})
	}
	p.plaza = rect{crossX - 2, mainY - 2, 6, 7}
	onStreet := func(r rect) bool {
		for _, s := range append(p.streets, p.plaza) {
			if r.x < s.x+s.w && s.x < r.x+r.w && r.y < s.y+s.h && s.y < r.y+r.h {
				return true
			}
		}
		return false
	}
	used := make([]bool, m.cols*m.rows)
	free := func(r rect) bool {
		if r.x < 0 || r.y < 0 || r.x+r.w > m.cols || r.y+r.h > m.rows || onStreet(r) {
			return false
		}
		for y := r.y - 1; y < r.y+r.h+1; y++ {
			for x := r.x - 1; x < r.x+r.w+1; x++ {
				if x >= 0 && y >= 0 && x < m.cols && y < m.rows && used[y*m.cols+x] {
					return false
				}
			}
		}
		return true
	}
	keep := 0.9
	if village {
		keep = 0.5
	}
	// Lots face the streets: walk each street's sides.
	for _, s := range p.streets {
		horizontal := s.w > s.h
		for along := 0; along < max(m.cols, m.rows); along++ {
			for _, before := range []bool{true, false} {
				w, d := 3+rng.IntN(3), 3+rng.IntN(2)
				var r rect
				switch {
				case horizontal && before:
					r = rect{along, s.y - d, w, d}
				case horizontal:
					r = rect{along, s.y + s.h, w, d}
				case before:
					r = rect{s.x - d, along, d, w}
				default:
					r = rect{s.x + s.w, along, d, w}
				}
				if rng.Float64() < keep && free(r) {
					p.lots = append(p.lots, r)
					for y := r.y; y < r.y+r.h; y++ {
						for x := r.x; x < r.x+r.w; x++ {
							used[y*m.cols+x] = true
						}
					}
				}
			}
		}
	}
	return p
}

// inRects reports whether (x, y) in squares lies inside one of rs.
func inRects(x, y float64, rs ...rect) bool {
	for _, r := range rs {
		if x >= float64(r.x) && y >= float64(r.y) && x < float64(r.x+r.w) && y < float64(r.y+r.h) {
			return true
		}
	}
	return false
}

// drawTown draws a town from above: cobbled streets and a plaza with a well
// or fountain, houses with gabled roofs along them, yards with trees, and a
// river under bridges when the prompt names water.
func drawTown(ctx context.Context, img *image.RGBA, sc *scene, m *battleMap) error {
	city := hasAnyWord(sc.prompt, "city", "capital", "metropolis", "district", "quarter", "slum", "slums")
	village := hasAnyWord(sc.prompt, "village", "hamlet", "outpost", "settlement")
	plan := planTown(sc.rng, m, city, village)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	fc := float64(m.cell)
	t := &terrain{w: w, h: h}
	if hasAnyWord(sc.prompt, "river", "canal", "stream", "creek") && !sc.rm.has(rmWater) {
		line := wanderingLine(sc.rng, w, h)
		t.water = riverField(w, h, fc, line, sc.seed)
	}
	b := biomes[0]
	b.ground0, b.ground1 = 0x5f7a3a, 0x7a8448
	land := pickBiome(sc.prompt)
	if land.name == "snow" || land.name == "desert" || land.name == "swamp" {
		b = land
	}
	// A swamp village stands in its water on stilts, its streets
	// boardwalks.
	stilts := b.name == "swamp" || hasAnyWord(sc.prompt, "stilt", "stilts", "stilted")
	if b.name == "swamp" && t.water == nil && !sc.rm.has(rmWater) {
		t.water = noiseWater(w, h, fc, sc.seed, 0.65)
	}
	if err := paintGround(ctx, img, sc, m, b, t); err != nil {
		return err
	}
	if err := paintStreets(ctx, img, sc, m, plan, t, stilts); err != nil {
		return err
	}
	st := newStamper(img, m, hex(0x1a1612))
	mo := mood(sc.pal)
	if !stilts {
		drawPlazaFeature(st, sc, mo, plan.plaza)
	}
	for i, lot := range plan.lots {
		switch {
		case t.water != nil && lotInWater(t, m, lot) && stilts:
			drawDeck(st, mo, lot)
		case t.water != nil && lotInWater(t, m, lot):
			continue
		case stilts:
			drawDeck(st, mo, lot)
		}
		drawHouse(st, sc.rng, mo, lot, hash2(i, lot.x, sc.seed), city)
	}
	free := t.freeSpots(sc.rng, m, 1.4)
	var yard [][2]float64
	for _, p := range free {
		if !inRects(p[0], p[1], plan.streets...) && !inRects(p[0], p[1], plan.plaza) && !nearLots(p, plan.lots, 0.7) {
			yard = append(yard, p)
		}
	}
	if !sc.rm.has(rmRocks) {
		yard = placeBarrels(st, sc.rng, mo, yard, m.cols*m.rows/60)
	}
	if !sc.rm.has(rmTrees) {
		b.trees = 0.35
		placeTrees(st, sc, mo, b, yard)
	}
	return m.overlayGrid(ctx, img, hex(0x1a1612), 0.3)
}

// drawDeck stamps the plank platform a stilt house stands on, a little
// wider than the house, with the tops of its posts at the corners.
func drawDeck(st *stamper, mo func(rgb) rgb, lot rect) {
	x0, y0 := float64(lot.x)-0.25, float64(lot.y)-0.25
	x1, y1 := float64(lot.x+lot.w)+0.25, float64(lot.y+lot.h)+0.25
	cx, cy, hw, hh := (x0+x1)/2, (y0+y1)/2, (x1-x0)/2, (y1-y0)/2
	plank := mo(hex(0x8a6238))
	st.shape(x0, y0, x1, y1, func(x, y float64) float64 { return sdBox(x-cx, y-cy, hw, hh) }, func(x, y, d float64) rgb {
		c := plank.scale(0.9 + 0.15*math.Sin(math.Floor(x*3)*7.1))
		if math.Mod(x*3+100, 1) < 0.1 {
			c = c.scale(0.6)
		}
		for _, p := range [][2]float64{{x0 + 0.15, y0 + 0.15}, {x1 - 0.15, y0 + 0.15}, {x0 + 0.15, y1 - 0.15}, {x1 - 0.15, y1 - 0.15}} {
			if math.Hypot(x-p[0], y-p[1]) < 0.12 {
				c = mo(hex(0x3a2a1a))
			}
		}
		return c
	})
}

func nearLots(p [2]float64, lots []rect, margin float64) bool {
	for _, l := range lots {
		if p[0] > float64(l.x)-margin && p[1] > float64(l.y)-margin && p[0] < float64(l.x+l.w)+margin && p[1] < float64(l.y+l.h)+margin {
			return true
		}
	}
	return false
}

func lotInWater(t *terrain, m *battleMap, r rect) bool {
	fc := float64(m.cell)
	for y := r.y; y <= r.y+r.h; y++ {
		for x := r.x; x <= r.x+r.w; x++ {
			if t.water.at(float64(m.ox)+float64(x)*fc, float64(m.oy)+float64(y)*fc) < fc*0.3 {
				return true
			}
		}
	}
	return false
}

// paintStreets lays cobbles on streets and plaza, planks where a street
// crosses water or everywhere when boardwalk is set.
func paintStreets(ctx context.Context, img *image.RGBA, sc *scene, m *battleMap, p townPlan, t *terrain, boardwalk bool) error {
	mo := mood(sc.pal)
	stone := mo(hex(0x9a938a))
	mortar := mo(hex(0x5a544c))
	plank := mo(hex(0x8a6238))
	fc := float64(m.cell)
	all := append(p.streets[:len(p.streets):len(p.streets)], p.plaza)
	for y := range img.Rect.Dy() {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		for x := range img.Rect.Dx() {
			sx, sy := (float64(x)-float64(m.ox))/fc, (float64(y)-float64(m.oy))/fc
			if !inRects(sx, sy, all...) {
				continue
			}
			i := y*img.Stride + x*4
			if boardwalk || t.water != nil && t.water.at(float64(x), float64(y)) < fc*0.2 {
				k := 0.9 + 0.15*unit(hash2(int(math.Floor(sx*3)), 3, sc.seed))
				c := plank.scale(k)
				if math.Mod(sx*3+100, 1) < 0.1 {
					c = c.scale(0.6)
				}
				put(img.Pix, i, c)
				continue
			}
			// Cobbles: staggered rows of stones, a third of a square.
			row := math.Floor(sy * 3)
			cx := sx*3 + 0.5*math.Mod(row, 2)
			col := math.Floor(cx)
			lx, ly := cx-col, sy*3-row
			k := 0.85 + 0.25*unit(hash2(int(col), int(row), sc.seed))
			c := stone.scale(k * (1.05 - 0.2*(lx+ly)/2))
			edge := min(min(lx, 1-lx), min(ly, 1-ly))
			c = mix(mortar, c, smoothstep(0.03, 0.1, edge))
			put(img.Pix, i, c)
		}
	}
	return nil
}

// drawPlazaFeature stamps a fountain in a city, else a well; and market
// stalls when the prompt names a market.
func drawPlazaFeature(st *stamper, sc *scene, mo func(rgb) rgb, pl rect) {
	cx, cy := float64(pl.x)+float64(pl.w)/2, float64(pl.y)+float64(pl.h)/2
	stone := mo(hex(0xa8a298))
	water := mo(hex(0x3f7f9a))
	r := 0.7
	if hasAnyWord(sc.prompt, "city", "capital", "fountain") {
		r = 1.2
	}
	st.shape(cx-r-0.2, cy-r-0.2, cx+r+0.2, cy+r+0.2, func(x, y float64) float64 { return sdCircle(x-cx, y-cy, r) }, func(x, y, d float64) rgb {
		if d < -0.22 {
			return water.scale(0.8 + 0.3*clamp01(-(x-cx+y-cy)/r))
		}
		return lit(stone, x, y, cx, cy, r, d)
	})
	if hasAnyWord(sc.prompt, "market", "marketplace", "bazaar", "fair") && !sc.rm.has(rmFurniture) {
		stripes := []uint32{0xc03a2a, 0x2a6ab0, 0xd0a030, 0x3a8a3a}
		for k, off := range [][2]float64{{-2.2, -2.2}, {2.2, -2.2}, {-2.2, 2.2}, {2.2, 2.2}} {
			x, y := cx+off[0], cy+off[1]
			a := mo(hex(stripes[k%len(stripes)]))
			st.shape(x-0.8, y-0.6, x+0.8, y+0.6, func(px, py float64) float64 { return sdBox(px-x, py-y, 0.75, 0.5) }, func(px, py, d float64) rgb {
				if math.Mod((px-x+2)*3, 1) < 0.5 {
					return a
				}
				return hex(0xf0e8d8)
			})
		}
	}
}

// roofColours are clay, slate, thatch and shingle.
var roofColours = []uint32{0xa0523a, 0x5a6270, 0xb89a5a, 0x7a5a3a, 0x8a3a2a}

// drawHouse stamps a house on its lot: a gabled roof along its long side,
// ridge and tiles, and a chimney.
func drawHouse(st *stamper, rng *rand.Rand, mo func(rgb) rgb, lot rect, seed uint64, city bool) {
	x0, y0 := float64(lot.x)+0.1, float64(lot.y)+0.1
	x1, y1 := float64(lot.x+lot.w)-0.1, float64(lot.y+lot.h)-0.1
	cx, cy := (x0+x1)/2, (y0+y1)/2
	hw, hh := (x1-x0)/2, (y1-y0)/2
	roof := mo(hex(roofColours[seed%uint64(len(roofColours))]))
	if city && seed%3 == 0 {
		roof = mo(hex(0x5a6270))
	}
	alongX := hw >= hh
	old := st.shade
	st.shade = 0.3
	defer func() { st.shade = old }()
	sd := func(x, y float64) float64 { return sdBox(x-cx, y-cy, hw, hh) }
	st.shape(x0, y0, x1, y1, sd, func(x, y, d float64) rgb {
		across, along := y-cy, x-cx
		half := hh
		if !alongX {
			across, along, half = x-cx, y-cy, hw
		}
		k := 1.1 // the slope facing up-left is lit
		if across > 0 {
			k = 0.75
		}
		c := roof.scale(k)
		// Courses of tiles parallel to the ridge, staggered joints.
		course := math.Floor(math.Abs(across) * 5)
		if math.Mod(math.Abs(across)*5, 1) < 0.12 {
			c = c.scale(0.75)
		}
		if math.Mod(along*4+course*0.5+100, 1) < 0.08 {
			c = c.scale(0.85)
		}
		if math.Abs(across) < 0.07 {
			c = roof.scale(0.55) // ridge
		}
		return c.scale(1 - 0.15*smoothstep(half*0.6, half, math.Abs(across)))
	})
	// A chimney on one slope.
	chx, chy := cx+hw*0.5*(rng.Float64()-0.5), cy-hh*0.5
	if !alongX {
		chx, chy = cx-hw*0.5, cy+hh*0.5*(rng.Float64()-0.5)
	}
	brick := mo(hex(0x8a5a48))
	st.shape(chx-0.3, chy-0.3, chx+0.3, chy+0.3, func(x, y float64) float64 { return sdBox(x-chx, y-chy, 0.2, 0.2) }, func(x, y, d float64) rgb {
		if d < -0.08 {
			return hex(0x201a18)
		}
		return brick
	})
}

// placeBarrels stamps barrels and crates on up to n spots and returns the
// spots left.
func placeBarrels(st *stamper, rng *rand.Rand, mo func(rgb) rgb, free [][2]float64, n int) [][2]float64 {
	for k := 0; k < n && len(free) > 0; k++ {
		p := free[len(free)-1]
		free = free[:len(free)-1]
		if rng.IntN(2) == 0 {
			drawBarrel(st, mo, p[0], p[1], 0.32)
		} else {
			drawCrate(st, mo, p[0], p[1], 0.32)
		}
	}
	return free
}

// drawBarrel stamps a barrel seen from above: a lid in staves, two hoops.
func drawBarrel(st *stamper, mo func(rgb) rgb, x, y, r float64) {
	wood := mo(hex(0x8a5a30))
	st.shape(x-r, y-r, x+r, y+r, func(px, py float64) float64 { return sdCircle(px-x, py-y, r) }, func(px, py, d float64) rgb {
		c := lit(wood, px, py, x, y, r, d)
		if math.Mod((px-x)*12+100, 1) < 0.12 {
			c = c.scale(0.75)
		}
		if math.Abs(d+r*0.15) < r*0.06 {
			c = mo(hex(0x5a5a5a))
		}
		return c
	})
}

// drawCrate stamps a wooden crate: a square of boards with a cross brace.
func drawCrate(st *stamper, mo func(rgb) rgb, x, y, r float64) {
	wood := mo(hex(0xa07a48))
	st.shape(x-r, y-r, x+r, y+r, func(px, py float64) float64 { return sdBox(px-x, py-y, r*0.9, r*0.9) }, func(px, py, d float64) rgb {
		c := lit(wood, px, py, x, y, r, d)
		lx, ly := px-x, py-y
		if math.Abs(math.Abs(lx)-math.Abs(ly)) < r*0.12 || d > -r*0.15 {
			c = c.scale(0.72)
		}
		return c
	})
}
