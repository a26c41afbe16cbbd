package imagegen

import (
	"context"
	"image"
	"math"
	"math/rand/v2"
)

// Waterside map shapes.
const (
	waterRiver = iota
	waterDelta
	waterCoast
	waterLake
)

// watersideShape picks the shape from the prompt's first water word.
func watersideShape(prompt string) int {
	lower := lowerNorm(prompt)
	// A delta is a river's mouth: "river delta" is a delta.
	for _, w := range []string{"delta", "estuary", "river mouth"} {
		if wholeWordIndex(lower, w) >= 0 {
			return waterDelta
		}
	}
	shape, at := waterRiver, -1
	for _, e := range []struct {
		shape int
		words []string
	}{
		{waterRiver, []string{"river", "stream", "creek", "brook", "ford", "bridge", "riverbank", "waterfall"}},
		{waterDelta, []string{"delta", "estuary", "mouth"}},
		{waterCoast, []string{"coast", "coastline", "coastal", "beach", "shore", "seashore", "harbour", "harbor", "dock", "pier", "wharf", "port", "sea", "ocean", "bay", "cove", "island", "cliff"}},
		{waterLake, []string{"lake", "lagoon", "pond", "loch", "mere"}},
	} {
		for _, w := range e.words {
			if i := wholeWordIndex(lower, w); i >= 0 && (at < 0 || i < at) {
				shape, at = e.shape, i
			}
		}
	}
	return shape
}

// drawWaterside draws a river, a delta, a coast or a lake: water with
// shallows, foam and banks, a bridge or a pier where asked, reeds, boulders
// and trees on the land.
func drawWaterside(ctx context.Context, img *image.RGBA, sc *scene, m *battleMap) error {
	b, named := pickBiomeNamed(sc.prompt)
	if !named {
		b = biomes[5] // open country by the water
	}
	b.pools = 0
	w, h := img.Rect.Dx(), img.Rect.Dy()
	fc := float64(m.cell)
	shape := watersideShape(sc.prompt)
	if sc.rm.has(rmWater) {
		sc.warn("negative_prompt names water, but water is the subject of this map; drew it")
	}
	t := &terrain{w: w, h: h}
	var crossing [][2]float64 // a river's centre line, for a bridge
	switch shape {
	case waterDelta:
		t.water = deltaField(sc.rng, w, h, fc, sc.seed)
	case waterCoast:
		t.water = coastField(sc.rng, w, h, fc, sc.seed)
		t.beach = fc * 1.6
	case waterLake:
		t.water = lakeField(w, h, fc, sc.seed)
	default:
		crossing = wanderingLine(sc.rng, w, h)
		t.water = riverField(w, h, fc, crossing, sc.seed)
	}
	if err := paintGround(ctx, img, sc, m, b, t); err != nil {
		return err
	}
	st := newStamper(img, m, hex(0x1a1612))
	mo := mood(sc.pal)
	if shape == waterCoast {
		if !sc.rm.has(rmRocks) {
			shoreRocks(st, sc.rng, mo, t, m, hasAnyWord(sc.prompt, "rocky", "rock", "rocks", "cliff", "cliffs"))
		}
	} else {
		drawReeds(st, sc.rng, mo, t, m)
	}
	switch {
	case crossing != nil && (hasAnyWord(sc.prompt, "bridge") || (!hasAnyWord(sc.prompt, "ford") && sc.rng.IntN(2) == 0)):
		drawBridge(st, mo, crossing, m, fc*1.7)
	case crossing != nil && hasAnyWord(sc.prompt, "ford"):
		drawFord(st, sc.rng, mo, crossing, m)
	case shape == waterCoast && hasAnyWord(sc.prompt, "harbour", "harbor", "dock", "docks", "pier", "wharf", "port"):
		drawPier(st, mo, t, m)
	}
	var houses []rect
	if hasAnyWord(sc.prompt, "village", "town", "hamlet", "fishing", "houses", "huts", "settlement", "port", "harbour", "harbor") && !sc.rm.has(rmBuildings) {
		houses = shoreVillage(st, sc.rng, mo, t, m)
	}
	var free [][2]float64
	for _, p := range t.freeSpots(sc.rng, m, 1.3) {
		if !nearLots(p, houses, 0.8) {
			free = append(free, p)
		}
	}
	if !sc.rm.has(rmRocks) {
		free = placeRocks(st, sc.rng, mo, free, b.rocks*float64(m.cols*m.rows)/100)
	}
	if !sc.rm.has(rmTrees) {
		b.trees = max(b.trees, 0.3)
		placeTrees(st, sc, mo, b, free)
	}
	return m.overlayGrid(ctx, img, hex(0x1a1612), 0.3)
}

// riverField is a river along line, two to three squares wide.
func riverField(w, h int, fc float64, line [][2]float64, seed uint64) *field {
	f := polylineField(w, h, max(2, int(fc)/4), [][][2]float64{line}, []float64{fc * 1.3})
	wobble(f, fc, seed, 0.35)
	return f
}

// deltaField is a river entering at the top and splitting into channels
// that fan out to the sea along the bottom.
func deltaField(rng *rand.Rand, w, h int, fc float64, seed uint64) *field {
	fw, fh := float64(w), float64(h)
	split := [2]float64{fw * (0.4 + 0.2*rng.Float64()), fh * (0.3 + 0.08*rng.Float64())}
	lines := [][][2]float64{{{split[0] + fw*0.05, -fh * 0.05}, {split[0] - fw*0.03, fh * 0.15}, split}}
	halves := []float64{fc * 1.4}
	n := 3 + rng.IntN(3)
	for k := range n {
		end := [2]float64{fw * (0.05 + 0.9*(float64(k)+0.5)/float64(n)), fh * 1.05}
		mid := [2]float64{(split[0]+end[0])/2 + fw*0.06*(rng.Float64()-0.5), (split[1] + end[1]) / 2}
		lines = append(lines, [][2]float64{split, mid, end})
		halves = append(halves, fc*(0.55+0.4*rng.Float64()))
	}
	f := polylineField(w, h, max(2, int(fc)/4), lines, halves)
	// The sea along the bottom.
	sea := newNoise(seed ^ 0x736561)
	for by := range f.h {
		for bx := range f.w {
			px, py := (float64(bx)+0.5)*float64(f.blk), (float64(by)+0.5)*float64(f.blk)
			line := fh*0.84 + fc*1.5*(sea.fbm(px/(fc*6), 3, 3)-0.5)
			f.v[by*f.w+bx] = min(f.v[by*f.w+bx], line-py)
		}
	}
	wobble(f, fc, seed, 0.3)
	return f
}

// coastField is the sea along one side of the map, with a ragged shore.
func coastField(rng *rand.Rand, w, h int, fc float64, seed uint64) *field {
	blk := max(2, int(fc)/4)
	fw, fh := (w+blk-1)/blk, (h+blk-1)/blk
	f := &field{w: fw, h: fh, blk: blk, v: make([]float64, fw*fh)}
	side := rng.IntN(4)
	n := newNoise(seed ^ 0x636f617374)
	reach := 0.35 + 0.12*rng.Float64()
	for by := range fh {
		for bx := range fw {
			px, py := (float64(bx)+0.5)*float64(blk), (float64(by)+0.5)*float64(blk)
			var across, along, span float64
			switch side {
			case 0: // sea at the bottom
				across, along, span = float64(h)-py, px, float64(h)
			case 1: // top
				across, along, span = py, px, float64(h)
			case 2: // left
				across, along, span = px, py, float64(w)
			default: // right
				across, along, span = float64(w)-px, py, float64(w)
			}
			shore := span*reach + fc*3*(n.fbm(along/(fc*7), 7, 4)-0.5)
			f.v[by*fw+bx] = across - shore
		}
	}
	return f
}

// lakeField is a ragged lake in the middle of the map.
func lakeField(w, h int, fc float64, seed uint64) *field {
	blk := max(2, int(fc)/4)
	fw, fh := (w+blk-1)/blk, (h+blk-1)/blk
	f := &field{w: fw, h: fh, blk: blk, v: make([]float64, fw*fh)}
	n := newNoise(seed ^ 0x6c616b65)
	rx, ry := float64(w)*0.3, float64(h)*0.27
	for by := range fh {
		for bx := range fw {
			px, py := (float64(bx)+0.5)*float64(blk), (float64(by)+0.5)*float64(blk)
			dx, dy := (px-float64(w)/2)/rx, (py-float64(h)/2)/ry
			a := math.Atan2(dy, dx)
			r := 1 + 0.25*(n.fbm(math.Cos(a)*2+5, math.Sin(a)*2+5, 3)-0.5)*2
			f.v[by*fw+bx] = (math.Hypot(dx, dy) - r) * min(rx, ry)
		}
	}
	return f
}

// wobble roughens a shore field with noise, by up to amount squares.
func wobble(f *field, fc float64, seed uint64, amount float64) {
	n := newNoise(seed ^ 0x776f62)
	for by := range f.h {
		for bx := range f.w {
			px, py := (float64(bx)+0.5)*float64(f.blk), (float64(by)+0.5)*float64(f.blk)
			f.v[by*f.w+bx] += fc * amount * 2 * (n.fbm(px/(fc*3), py/(fc*3), 3) - 0.5)
		}
	}
}

// drawReeds stamps clumps of reeds in the shallows.
func drawReeds(st *stamper, rng *rand.Rand, mo func(rgb) rgb, t *terrain, m *battleMap) {
	if t.water == nil {
		return
	}
	fc := float64(m.cell)
	green, tip := mo(hex(0x4f6e2c)), mo(hex(0x8a7a3a))
	old := st.lw
	st.lw = 0
	defer func() { st.lw = old }()
	for k := 0; k < m.cols*m.rows/2; k++ {
		x, y := rng.Float64()*float64(t.w), rng.Float64()*float64(t.h)
		d := t.water.at(x, y)
		if d > fc*0.15 || d < -fc*0.6 {
			continue
		}
		sx, sy := (x-float64(m.ox))/fc, (y-float64(m.oy))/fc
		for j := range 7 {
			a := -math.Pi/2 + (rng.Float64()-0.5)*2.2
			l := 0.2 + 0.2*rng.Float64()
			bx, by := sx+0.05*float64(j%3-1), sy
			ex, ey := bx+math.Cos(a)*l, by+math.Sin(a)*l
			sd := func(px, py float64) float64 { return sdTaper(px, py, bx, by, ex, ey, 0.035, 0.01) }
			st.shape(bx-0.5, by-0.5, bx+0.5, by+0.5, sd, func(px, py, d float64) rgb {
				return mix(green, tip, clamp01(math.Hypot(px-bx, py-by)/l))
			})
		}
	}
}

// shoreRocks scatters boulders along a coast's waterline, many on a rocky
// one.
func shoreRocks(st *stamper, rng *rand.Rand, mo func(rgb) rgb, t *terrain, m *battleMap, rocky bool) {
	fc := float64(m.cell)
	stone := mo(hex(0x7a7670))
	n := m.cols * m.rows / 25
	if rocky {
		n *= 4
	}
	for placed, tries := 0, 0; placed < n && tries < n*40; tries++ {
		x, y := rng.Float64()*float64(t.w), rng.Float64()*float64(t.h)
		if d := t.water.at(x, y); d < -fc*1.2 || d > fc*0.4 {
			continue
		}
		drawBoulder(st, (x-float64(m.ox))/fc, (y-float64(m.oy))/fc, 0.2+0.4*rng.Float64(), stone, rng.Uint64())
		placed++
	}
}

// drawBridge stamps a plank bridge across the river's centre line, at the
// point nearest the middle of the map.
func drawBridge(st *stamper, mo func(rgb) rgb, line [][2]float64, m *battleMap, span float64) {
	fc := float64(m.cell)
	mid := len(line) / 2
	a, b := line[mid-1], line[mid+1]
	cx, cy := (line[mid][0]-float64(m.ox))/fc, (line[mid][1]-float64(m.oy))/fc
	along := math.Atan2(b[1]-a[1], b[0]-a[0])
	half := span/fc + 1.2
	wood := mo(hex(0x8a6238))
	sd := func(px, py float64) float64 { return sdRotBox(px, py, cx, cy, 0.75, half, along) }
	s, c := math.Sincos(along)
	st.shape(cx-half-1, cy-half-1, cx+half+1, cy+half+1, sd, func(px, py, d float64) rgb {
		acrossBoard := -(px-cx)*s + (py-cy)*c
		k := 0.9 + 0.15*unit(hash2(int(math.Floor(acrossBoard*4)), 1, 9))
		col := wood.scale(k)
		if math.Mod(acrossBoard*4+100, 1) < 0.1 {
			col = col.scale(0.6)
		}
		rail := math.Abs((px-cx)*c+(py-cy)*s) - 0.62
		return mix(col, wood.scale(0.6), smoothstep(-0.05, 0.05, rail))
	})
}

// drawFord stamps stepping stones across the river.
func drawFord(st *stamper, rng *rand.Rand, mo func(rgb) rgb, line [][2]float64, m *battleMap) {
	fc := float64(m.cell)
	mid := len(line) / 2
	a, b := line[mid-1], line[mid+1]
	cx, cy := (line[mid][0]-float64(m.ox))/fc, (line[mid][1]-float64(m.oy))/fc
	nx, ny := -(b[1] - a[1]), b[0]-a[0]
	l := math.Hypot(nx, ny)
	nx, ny = nx/l, ny/l
	for k := -3; k <= 3; k++ {
		drawBoulder(st, cx+nx*float64(k)*0.7+0.1*rng.NormFloat64(), cy+ny*float64(k)*0.7+0.1*rng.NormFloat64(), 0.28, mo(hex(0x8a8a84)), uint64(k+10))
	}
}

// drawPier stamps a wooden pier from the shore out over the sea: from the
// map's middle toward the nearest water, two squares past the shore.
func drawPier(st *stamper, mo func(rgb) rgb, t *terrain, m *battleMap) {
	fc := float64(m.cell)
	cx, cy := float64(m.cols)/2, float64(m.rows)/2
	bestD, dir := math.Inf(1), [2]float64{0, 1}
	for _, d := range [][2]float64{{0, 1}, {0, -1}, {1, 0}, {-1, 0}} {
		px := float64(m.ox) + (cx+d[0]*float64(m.cols)*0.45)*fc
		py := float64(m.oy) + (cy+d[1]*float64(m.rows)*0.45)*fc
		if v := t.water.at(px, py); v < bestD {
			bestD, dir = v, d
		}
	}
	var start float64
	for start = 0; start < float64(max(m.cols, m.rows)); start += 0.25 {
		px := float64(m.ox) + (cx+dir[0]*start)*fc
		py := float64(m.oy) + (cy+dir[1]*start)*fc
		if t.water.at(px, py) < fc*0.3 {
			break
		}
	}
	drawPierAt(st, mo, cx+dir[0]*(start-1.5), cy+dir[1]*(start-1.5), dir, 7.5)
}

// drawPierAt stamps a plank pier from (x0, y0), squares, length squares
// along dir.
func drawPierAt(st *stamper, mo func(rgb) rgb, x0, y0 float64, dir [2]float64, length float64) {
	x1, y1 := x0+dir[0]*length, y0+dir[1]*length
	wood := mo(hex(0x8a6238))
	mx, my := (x0+x1)/2, (y0+y1)/2
	ang := math.Atan2(dir[1], dir[0])
	boxSD := func(px, py float64) float64 { return sdRotBox(px, py, mx, my, length/2, 0.8, ang) }
	st.shape(min(x0, x1)-1, min(y0, y1)-1, max(x0, x1)+1, max(y0, y1)+1, boxSD, func(px, py, d float64) rgb {
		along := (px-x0)*dir[0] + (py-y0)*dir[1]
		col := wood.scale(0.9 + 0.15*unit(hash2(int(math.Floor(along*3)), 2, 7)))
		if math.Mod(along*3+100, 1) < 0.1 {
			col = col.scale(0.6)
		}
		return col
	})
}

// shoreVillage stamps a few houses on the land near the water, and a pier
// from the nearest house out over the water.
func shoreVillage(st *stamper, rng *rand.Rand, mo func(rgb) rgb, t *terrain, m *battleMap) []rect {
	fc := float64(m.cell)
	var placed []rect
	var pierFrom [2]float64
	for tries := 0; tries < 400 && len(placed) < 5; tries++ {
		w, h := 3+rng.IntN(2), 2+rng.IntN(2)
		r := rect{rng.IntN(max(1, m.cols-w)), rng.IntN(max(1, m.rows-h)), w, h}
		ok := true
		for y := r.y - 1; y <= r.y+r.h+1 && ok; y++ {
			for x := r.x - 1; x <= r.x+r.w+1; x++ {
				d := t.water.at(float64(m.ox)+float64(x)*fc, float64(m.oy)+float64(y)*fc)
				if d < fc*0.8 {
					ok = false
					break
				}
			}
		}
		cx, cy := float64(m.ox)+(float64(r.x)+float64(r.w)/2)*fc, float64(m.oy)+(float64(r.y)+float64(r.h)/2)*fc
		if !ok || t.water.at(cx, cy) > fc*4.5 || nearLots([2]float64{float64(r.x) + float64(r.w)/2, float64(r.y) + float64(r.h)/2}, placed, 2.5) {
			continue
		}
		placed = append(placed, r)
		drawHouse(st, rng, mo, r, rng.Uint64(), false)
		if len(placed) == 1 {
			pierFrom = [2]float64{float64(r.x) + float64(r.w)/2, float64(r.y) + float64(r.h)/2}
		}
	}
	if len(placed) == 0 {
		return nil
	}
	// Walk from the first house down the water's slope to the shore.
	x, y := pierFrom[0], pierFrom[1]
	for range 200 {
		px, py := float64(m.ox)+x*fc, float64(m.oy)+y*fc
		d := t.water.at(px, py)
		if d < fc*0.4 {
			break
		}
		gx := t.water.at(px+fc*0.3, py) - t.water.at(px-fc*0.3, py)
		gy := t.water.at(px, py+fc*0.3) - t.water.at(px, py-fc*0.3)
		l := math.Hypot(gx, gy) + 1e-9
		x, y = x-gx/l*0.25, y-gy/l*0.25
	}
	px, py := float64(m.ox)+x*fc, float64(m.oy)+y*fc
	gx := t.water.at(px+fc*0.3, py) - t.water.at(px-fc*0.3, py)
	gy := t.water.at(px, py+fc*0.3) - t.water.at(px, py-fc*0.3)
	l := math.Hypot(gx, gy) + 1e-9
	dir := [2]float64{-gx / l, -gy / l}
	drawPierAt(st, mo, x-dir[0], y-dir[1], dir, 4.5)
	return placed
}
