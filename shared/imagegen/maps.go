package imagegen

import (
	"context"
	"image"
	"math"
	"math/rand/v2"
)

// Pixel kinds of a rendered battle map.
const (
	pxRock  = 0
	pxFloor = 1
	pxWater = 2
)

// door is a door on square (x, y). A horizontal door's slab runs east-west,
// across a passage that runs north-south.
type door struct {
	x, y       int
	horizontal bool
}

// prop is a round obstacle: a pillar or a boulder, in square units.
type prop struct {
	x, y, r float64
	pillar  bool
}

// battleMap is a map on a square grid. Floor comes either from floor
// (one flag per square) or, for caverns, from sub (sub×sub samples per
// square, blended into organic walls).
type battleMap struct {
	cols, rows int
	cell       int // pixels per square
	ox, oy     int // pixel position of square (0, 0)
	floor      []bool
	sub        int       // samples per square side in subFloor; 0 when unused
	subFloor   []float64 // (cols*sub)×(rows*sub), 1 is open
	doors      []door
	props      []prop
	wet        float64 // share of the floor under water, roughly
	drawGrid   bool    // draw the grid lines
}

// newBattleMap sizes the grid for a w×h picture: squares of 12..64 pixels,
// about twenty across the short side, centred.
func newBattleMap(w, h int) *battleMap {
	cell := min(max(min(w, h)/20, 12), 64)
	m := &battleMap{cols: w / cell, rows: h / cell, cell: cell}
	m.ox, m.oy = (w-m.cols*cell)/2, (h-m.rows*cell)/2
	m.floor = make([]bool, m.cols*m.rows)
	return m
}

func (m *battleMap) open(x, y int) bool {
	return x >= 0 && y >= 0 && x < m.cols && y < m.rows && m.floor[y*m.cols+x]
}

type rect struct{ x, y, w, h int }

func (r rect) centre() (float64, float64) {
	return float64(r.x) + float64(r.w)/2, float64(r.y) + float64(r.h)/2
}

// wetWords in a prompt flood part of the floor.
var wetWords = []string{"flood", "water", "sewer", "pool", "river", "lake", "swamp", "marsh", "drown", "sunken", "underwater", "cistern"}

// wetness is the share of a dungeon's or cavern's floor under water: more
// when the prompt names water, none when the negative prompt removes it.
func wetness(sc *scene, base float64) float64 {
	switch {
	case sc.rm.has(rmWater):
		return 0
	case hasAnyWord(sc.prompt, wetWords...):
		return 0.3
	}
	return base
}

// carveRooms fills the grid with BSP rooms and corridors.
func (m *battleMap) carveRooms(rng *rand.Rand) {
	const minLeaf, maxLeaf = 6, 11
	var rooms []rect
	roomAt := make([]int, m.cols*m.rows)
	for i := range roomAt {
		roomAt[i] = -1
	}
	corridor := make([]bool, m.cols*m.rows)

	carve := func(x, y int) {
		i := y*m.cols + x
		if !m.floor[i] {
			m.floor[i] = true
			corridor[i] = true
		}
	}
	connect := func(a, b rect) {
		ax, ay := a.x+rng.IntN(a.w), a.y+rng.IntN(a.h)
		bx, by := b.x+rng.IntN(b.w), b.y+rng.IntN(b.h)
		horizontalFirst := rng.IntN(2) == 0
		cx, cy := bx, ay
		if !horizontalFirst {
			cx, cy = ax, by
		}
		line := func(x0, y0, x1, y1 int) {
			dx, dy := sign(x1-x0), sign(y1-y0)
			for x, y := x0, y0; ; x, y = x+dx, y+dy {
				carve(x, y)
				if x == x1 && y == y1 {
					return
				}
			}
		}
		line(ax, ay, cx, cy)
		line(cx, cy, bx, by)
	}
	closest := func(as, bs []int) (rect, rect) {
		best, ba, bb := math.Inf(1), as[0], bs[0]
		for _, a := range as {
			for _, b := range bs {
				ax, ay := rooms[a].centre()
				bx, by := rooms[b].centre()
				if d := math.Hypot(ax-bx, ay-by); d < best {
					best, ba, bb = d, a, b
				}
			}
		}
		return rooms[ba], rooms[bb]
	}

	var split func(r rect, depth int) []int
	split = func(r rect, depth int) []int {
		canX, canY := r.w >= 2*minLeaf, r.h >= 2*minLeaf
		small := r.w <= maxLeaf && r.h <= maxLeaf
		if (!canX && !canY) || (small && depth > 1 && rng.IntN(3) == 0) {
			return []int{m.placeRoom(rng, r, &rooms, roomAt)}
		}
		var a, b rect
		if canX && (!canY || r.w > r.h || (r.w == r.h && rng.IntN(2) == 0)) {
			at := minLeaf + rng.IntN(r.w-2*minLeaf+1)
			a, b = rect{r.x, r.y, at, r.h}, rect{r.x + at, r.y, r.w - at, r.h}
		} else {
			at := minLeaf + rng.IntN(r.h-2*minLeaf+1)
			a, b = rect{r.x, r.y, r.w, at}, rect{r.x, r.y + at, r.w, r.h - at}
		}
		left, right := split(a, depth+1), split(b, depth+1)
		connect(closest(left, right))
		return append(left, right...)
	}
	all := split(rect{0, 0, m.cols, m.rows}, 0)
	// A loop or two makes for better encounters than a pure tree.
	if len(all) >= 4 {
		for range 1 + rng.IntN(2) {
			a := rng.IntN(len(rooms))
			b := (a + 1 + rng.IntN(len(rooms)-1)) % len(rooms)
			connect(rooms[a], rooms[b])
		}
	}
	m.placeDoors(rng, roomAt, corridor)
	m.placeRoomProps(rng, rooms)
}

// placeRoom puts a room inside leaf r, leaving a rock margin, and returns
// its index.
func (m *battleMap) placeRoom(rng *rand.Rand, r rect, rooms *[]rect, roomAt []int) int {
	size := func(n int) int {
		most := max(n-2, 1)
		least := min(3, most)
		s := least + rng.IntN(most-least+1)
		return max(s, least+rng.IntN(most-least+1)) // lean toward larger rooms
	}
	rw, rh := size(r.w), size(r.h)
	room := rect{
		x: r.x + min(1, r.w-rw) + rng.IntN(max(r.w-2-rw, 0)+1),
		y: r.y + min(1, r.h-rh) + rng.IntN(max(r.h-2-rh, 0)+1),
		w: rw, h: rh,
	}
	id := len(*rooms)
	*rooms = append(*rooms, room)
	for y := room.y; y < room.y+room.h; y++ {
		for x := room.x; x < room.x+room.w; x++ {
			m.floor[y*m.cols+x] = true
			roomAt[y*m.cols+x] = id
		}
	}
	return id
}

// placeDoors puts doors where a one-square corridor enters a room.
func (m *battleMap) placeDoors(rng *rand.Rand, roomAt []int, corridor []bool) {
	isDoor := make([]bool, len(m.floor))
	dirs := [4][2]int{{0, -1}, {0, 1}, {-1, 0}, {1, 0}}
	for y := range m.rows {
		for x := range m.cols {
			i := y*m.cols + x
			if !corridor[i] || roomAt[i] >= 0 {
				continue
			}
			for _, d := range dirs {
				nx, ny := x+d[0], y+d[1]
				if !m.open(nx, ny) || roomAt[ny*m.cols+nx] < 0 || !m.open(x-d[0], y-d[1]) {
					continue
				}
				// The two squares beside the doorway must be rock.
				px, py := d[1], d[0]
				if m.open(x+px, y+py) || m.open(x-px, y-py) {
					continue
				}
				if near(isDoor, m.cols, m.rows, x, y) || rng.Float64() > 0.8 {
					continue
				}
				isDoor[i] = true
				m.doors = append(m.doors, door{x: x, y: y, horizontal: d[0] == 0})
				break
			}
		}
	}
}

// near reports whether a flag is set on a square next to (x, y).
func near(flags []bool, cols, rows, x, y int) bool {
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			nx, ny := x+dx, y+dy
			if nx >= 0 && ny >= 0 && nx < cols && ny < rows && flags[ny*cols+nx] {
				return true
			}
		}
	}
	return false
}

// placeRoomProps adds pillars to some large rooms and rubble to others.
func (m *battleMap) placeRoomProps(rng *rand.Rand, rooms []rect) {
	for _, r := range rooms {
		if r.w >= 6 && r.h >= 6 && rng.IntN(10) < 6 {
			for _, c := range [][2]int{{r.x + 1, r.y + 1}, {r.x + r.w - 2, r.y + 1}, {r.x + 1, r.y + r.h - 2}, {r.x + r.w - 2, r.y + r.h - 2}} {
				m.props = append(m.props, prop{x: float64(c[0]) + 0.5, y: float64(c[1]) + 0.5, r: 0.32, pillar: true})
			}
			continue
		}
		for range rng.IntN(3) {
			m.props = append(m.props, prop{
				x: float64(r.x) + 0.2 + rng.Float64()*(float64(r.w)-0.4),
				y: float64(r.y) + 0.2 + rng.Float64()*(float64(r.h)-0.4),
				r: 0.1 + rng.Float64()*0.12,
			})
		}
	}
}

// carveCave grows caves with a 4-5 cellular automaton on a grid two samples
// per square, keeps the largest connected cave and scatters boulders.
func (m *battleMap) carveCave(rng *rand.Rand) {
	const sub = 2
	gw, gh := m.cols*sub, m.rows*sub
	grid := make([]bool, gw*gh) // true is open
	next := make([]bool, gw*gh)
	border := func(x, y int) bool { return x < 2 || y < 2 || x >= gw-2 || y >= gh-2 }
	openAt := func(g []bool, x, y int) bool {
		return x >= 0 && y >= 0 && x < gw && y < gh && g[y*gw+x]
	}
	for attempt := 0; ; attempt++ {
		for y := range gh {
			for x := range gw {
				grid[y*gw+x] = !border(x, y) && rng.Float64() > 0.45
			}
		}
		for range 5 {
			for y := range gh {
				for x := range gw {
					rock := 0
					for dy := -1; dy <= 1; dy++ {
						for dx := -1; dx <= 1; dx++ {
							if (dx != 0 || dy != 0) && !openAt(grid, x+dx, y+dy) {
								rock++
							}
						}
					}
					v := grid[y*gw+x]
					switch {
					case border(x, y) || rock >= 5:
						v = false
					case rock <= 3:
						v = true
					}
					next[y*gw+x] = v
				}
			}
			grid, next = next, grid
		}
		if keepLargest(grid, gw, gh) >= gw*gh*3/10 || attempt == 4 {
			break
		}
	}
	if count(grid) < gw*gh/10 {
		// Five unlucky draws: fall back to one oval cave.
		for y := range gh {
			for x := range gw {
				dx, dy := float64(x-gw/2)/float64(gw/2-2), float64(y-gh/2)/float64(gh/2-2)
				grid[y*gw+x] = dx*dx+dy*dy < 0.8
			}
		}
	}
	m.sub = sub
	m.subFloor = make([]float64, gw*gh)
	for i, v := range grid {
		if v {
			m.subFloor[i] = 1
		}
	}
	for y := range m.rows {
		for x := range m.cols {
			m.floor[y*m.cols+x] = grid[(y*sub+sub/2)*gw+x*sub+sub/2]
		}
	}
	// Boulders stand where the cave is open all around.
	want := gw * gh / 60
	for range want * 4 {
		if want == 0 {
			break
		}
		x, y := 1+rng.IntN(gw-2), 1+rng.IntN(gh-2)
		clear := true
		for dy := -1; dy <= 1 && clear; dy++ {
			for dx := -1; dx <= 1; dx++ {
				if !grid[(y+dy)*gw+x+dx] {
					clear = false
					break
				}
			}
		}
		if clear {
			m.props = append(m.props, prop{
				x: (float64(x) + 0.5) / sub, y: (float64(y) + 0.5) / sub,
				r: 0.15 + rng.Float64()*0.3,
			})
			want--
		}
	}
}

// keepLargest closes every open region but the largest and returns its size.
func keepLargest(grid []bool, w, h int) int {
	label := make([]int32, len(grid))
	var sizes []int
	stack := make([]int, 0, 64)
	for start, open := range grid {
		if !open || label[start] != 0 {
			continue
		}
		id := int32(len(sizes) + 1)
		size := 0
		label[start] = id
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			size++
			x, y := i%w, i/w
			for _, n := range [4][2]int{{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}} {
				if n[0] < 0 || n[1] < 0 || n[0] >= w || n[1] >= h {
					continue
				}
				j := n[1]*w + n[0]
				if grid[j] && label[j] == 0 {
					label[j] = id
					stack = append(stack, j)
				}
			}
		}
		sizes = append(sizes, size)
	}
	best := 0
	for i, s := range sizes {
		if s > sizes[best] {
			best = i
		}
	}
	if len(sizes) == 0 {
		return 0
	}
	for i, l := range label {
		if l != 0 && int(l) != best+1 {
			grid[i] = false
		}
	}
	return sizes[best]
}

func count(flags []bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// render paints the map: floor texture and grid, shadowed and hatched walls,
// water, doors and props.
func (m *battleMap) render(ctx context.Context, img *image.RGBA, sc *scene) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	mask, err := m.pixelMask(ctx, w, h, sc.seed)
	if err != nil {
		return err
	}
	// Coarse fields: rock shadow falling on the floor, and how near the
	// floor each bit of rock is (for wall bands and hatching).
	blk := max(2, m.cell/4)
	rockF := blockAverage(mask, w, h, blk, func(v uint8) float64 {
		if v == pxRock {
			return 1
		}
		return 0
	})
	shadow := rockF.blurred(1, 2)
	floorF := rockF.inverted().blurred(3, 2)

	pal := sc.pal
	grainAmount := pal.grainAmount
	if sc.rm.has(rmGrain) {
		grainAmount = 0
	}
	tex := newNoise(sc.seed ^ 0x7465787475726500)
	cell := m.cell
	fc := float64(cell)
	lw := max(1, cell/12) // wall outline
	gw := gridWidth(cell)
	jw := max(1, cell/24) // stone joints
	sh := fc * 0.18       // shadow offset
	hatchSp := max(3, cell/7)
	hatchW := max(1.0, fc/36)
	pix := img.Pix
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		fy := y - m.oy
		ty := floorDiv(fy, cell)
		ly := fy - ty*cell
		for x := range w {
			i := y*img.Stride + x*4
			k := mask[y*w+x]
			fx := x - m.ox
			tx := floorDiv(fx, cell)
			lx := fx - tx*cell
			if k == pxRock {
				put(pix, i, m.rockColour(x, y, floorF.at(float64(x), float64(y)), tex, sc.seed, &pal, hatchSp, hatchW))
				continue
			}
			n := tex.fbm(float64(x)/(fc*0.6), float64(y)/(fc*0.6), 3)
			var c rgb
			if k == pxWater {
				c = pal.water.scale(0.8 + 0.35*tex.fbm(float64(x)/(fc*0.5)+40, float64(y)/(fc*0.25), 2))
				if rockOrFloorNear(mask, w, h, x, y, 2*lw) {
					c = mix(c, rgb{0.9, 0.95, 1}, 0.35) // foam at the shore
				}
			} else {
				c = pal.floor.scale(m.floorTone(tx, ty, lx, ly, jw, sc.seed, pal.floorStyle) * (0.86 + 0.28*n))
			}
			c = c.add(rgb{1, 1, 1}.scale((unit(hash2(x, y, sc.seed)) - 0.5) * grainAmount))
			c = c.scale(1 - 0.6*shadow.at(float64(x)-sh, float64(y)-sh))
			if m.drawGrid && m.onGridLine(x, y, gw) {
				c = mix(c, pal.grid, 0.45)
			}
			if rockNear(mask, w, h, x, y, lw) {
				c = pal.ink
			}
			put(pix, i, c)
		}
	}
	for _, p := range m.props {
		m.drawProp(img, p, &pal)
	}
	for _, d := range m.doors {
		m.drawDoor(img, d, &pal)
	}
	return nil
}

// pixelMask decides, per pixel, rock, floor or water.
func (m *battleMap) pixelMask(ctx context.Context, w, h int, seed uint64) ([]uint8, error) {
	mask := make([]uint8, w*h)
	edge := newNoise(seed ^ 0x65646765)
	wet := newNoise(seed ^ 0x776574)
	fc := float64(m.cell)
	waterAt := waterThreshold(m.wet)
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return nil, err
		}
		ty := floorDiv(y-m.oy, m.cell)
		for x := range w {
			var open bool
			if m.sub > 0 {
				open = m.subOpen(x, y)+0.55*(edge.fbm(float64(x)/(fc*0.7), float64(y)/(fc*0.7), 2)-0.5) > 0.5
			} else {
				open = m.open(floorDiv(x-m.ox, m.cell), ty)
			}
			if !open {
				continue
			}
			mask[y*w+x] = pxFloor
			if m.wet > 0 && wet.fbm(float64(x)/(fc*3), float64(y)/(fc*3), 3) > waterAt {
				mask[y*w+x] = pxWater
			}
		}
	}
	return mask, nil
}

// fbmQuantiles are measured upper quantiles of three-octave fbm: the
// share of samples above a level, and the level.
var fbmQuantiles = [][2]float64{{0, 1}, {0.03, 0.756}, {0.06, 0.718}, {0.1, 0.683}, {0.2, 0.623}, {0.3, 0.577}, {0.5, 0.5}, {1, 0}}

// waterThreshold is the fbm level above which about share of the floor lies.
func waterThreshold(share float64) float64 {
	for i := 1; i < len(fbmQuantiles); i++ {
		a, b := fbmQuantiles[i-1], fbmQuantiles[i]
		if share <= b[0] {
			return a[1] + (b[1]-a[1])*(share-a[0])/(b[0]-a[0])
		}
	}
	return 0
}

// subOpen samples the cavern grid bilinearly at a pixel.
func (m *battleMap) subOpen(x, y int) float64 {
	step := float64(m.cell) / float64(m.sub)
	gx := (float64(x-m.ox)+0.5)/step - 0.5
	gy := (float64(y-m.oy)+0.5)/step - 0.5
	gw, gh := m.cols*m.sub, m.rows*m.sub
	x0, y0 := int(math.Floor(gx)), int(math.Floor(gy))
	tx, ty := gx-float64(x0), gy-float64(y0)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= gw || y >= gh {
			return 0
		}
		return m.subFloor[y*gw+x]
	}
	top := at(x0, y0) + (at(x0+1, y0)-at(x0, y0))*tx
	bot := at(x0, y0+1) + (at(x0+1, y0+1)-at(x0, y0+1))*tx
	return top + (bot-top)*ty
}

// floorTone is the brightness factor of the floor pattern at a pixel of
// square (tx, ty), at (lx, ly) inside it.
func (m *battleMap) floorTone(tx, ty, lx, ly, jw int, seed uint64, style floorStyle) float64 {
	cell := m.cell
	switch style {
	case panels:
		t := 0.95 + 0.07*unit(hash2(tx, ty, seed))
		bevel := max(1, cell/16)
		switch {
		case lx < bevel || ly < bevel:
			t *= 1.12
		case lx >= cell-bevel || ly >= cell-bevel:
			t *= 0.82
		}
		in := float64(cell) * 0.16
		rx, ry := float64(lx)+0.5, float64(ly)+0.5
		for _, c := range [4][2]float64{{in, in}, {float64(cell) - in, in}, {in, float64(cell) - in}, {float64(cell) - in, float64(cell) - in}} {
			if math.Hypot(rx-c[0], ry-c[1]) < max(1, float64(cell)*0.045) {
				t *= 0.6
			}
		}
		return t
	case planks:
		boards := 3
		bh := max(1, cell/boards)
		row := ty*boards + min(ly/bh, boards-1)
		seg := floorDiv(tx+row%2, 2)
		t := 0.88 + 0.2*unit(hash2(seg, row, seed))
		if ly%bh < jw || ((tx+row)%2 == 0 && lx < jw) {
			t *= 0.7
		}
		return t
	default:
		half := cell / 2
		sx, sy := tx*2, ty*2
		if lx >= half {
			sx++
		}
		if ly >= half {
			sy++
		}
		t := 0.9 + 0.16*unit(hash2(sx, sy, seed))
		if abs(lx-half) < jw || abs(ly-half) < jw {
			t *= 0.8
		}
		return t
	}
}

// rockColour shades rock by how near the floor it is (p, 0..1): a wall
// band next to the floor, then hatching (or plating), then deep rock.
func (m *battleMap) rockColour(x, y int, p float64, tex *noise, seed uint64, pal *palette, hatchSp int, hatchW float64) rgb {
	fc := float64(m.cell)
	n := tex.fbm(float64(x)/(fc*0.8)+91, float64(y)/(fc*0.8), 3)
	c := mix(pal.wallDeep, pal.wall, smoothstep(0.05, 0.55, p)).scale(0.8 + 0.4*n)
	if !pal.hatch {
		// Metal walls: plates, and an accent glow along the floor's edge.
		hs := max(4, m.cell/2)
		if floorDiv(x-m.ox, hs)%2 == floorDiv(y-m.oy, hs)%2 {
			c = c.scale(1.08)
		}
		return mix(c, pal.accent, 0.3*smoothstep(0.45, 0.8, p))
	}
	if p > 0.55 || p < 0.06 {
		return c
	}
	// Hatching in patches of one half square, each at its own angle.
	hs := max(4, m.cell/2)
	hx, hy := floorDiv(x-m.ox, hs), floorDiv(y-m.oy, hs)
	hh := hash2(hx, hy, seed^0x6861746368)
	if p < 0.08+0.25*unit(hh) {
		return c
	}
	angle := float64(hh%3)*math.Pi/3 + (unit(mix64(hh))-0.5)*0.4
	d := float64(x)*math.Cos(angle) + float64(y)*math.Sin(angle)
	if math.Mod(d+1e6, float64(hatchSp)) < hatchW {
		return mix(c, pal.ink, 0.75)
	}
	return c
}

// drawProp draws a pillar or boulder with a drop shadow.
func (m *battleMap) drawProp(img *image.RGBA, p prop, pal *palette) {
	fc := float64(m.cell)
	cx, cy, r := float64(m.ox)+p.x*fc, float64(m.oy)+p.y*fc, p.r*fc
	base := pal.wall.scale(1.25)
	if !p.pillar {
		base = mix(pal.wall, pal.floor, 0.35)
	}
	lw := max(1, fc/20)
	off := r * 0.3
	eachPixel(img, cx-r-2, cy-r-2, cx+r+off+2, cy+r+off+2, func(i int, px, py float64) {
		pixel := get(img.Pix, i)
		// Shadow, down and to the right.
		sd := math.Hypot(px-cx-off, py-cy-off) - r
		pixel = pixel.scale(1 - 0.45*smoothstep(r*0.25, -r*0.25, sd))
		dx, dy := px-cx, py-cy
		d := math.Hypot(dx, dy) - r
		cov := cover(d)
		if cov > 0 {
			light := 0.8 - 0.35*(dx+dy)/(r*1.414)
			body := base.scale(light)
			if !p.pillar {
				body = body.scale(0.9 + 0.2*unit(hash2(int(px/3), int(py/3), 7)))
			}
			body = mix(body, pal.ink, cover(math.Abs(d+lw/2)-lw/2))
			pixel = mix(pixel, body, cov)
		}
		put(img.Pix, i, pixel)
	})
}

// drawDoor draws a wooden door slab across its square.
func (m *battleMap) drawDoor(img *image.RGBA, d door, pal *palette) {
	fc := float64(m.cell)
	x0, y0 := float64(m.ox+d.x*m.cell), float64(m.oy+d.y*m.cell)
	hw, hh := fc*0.42, fc*0.14 // half sizes of the slab
	if !d.horizontal {
		hw, hh = hh, hw
	}
	cx, cy := x0+fc/2, y0+fc/2
	lw := max(1, fc/20)
	eachPixel(img, cx-hw-1, cy-hh-1, cx+hw+1, cy+hh+1, func(i int, px, py float64) {
		d := sdBox(px-cx, py-cy, hw, hh)
		cov := cover(d)
		if cov <= 0 {
			return
		}
		// Planks run along the slab.
		along := py - cy
		if !(hw > hh) {
			along = px - cx
		}
		c := pal.door
		if math.Mod(math.Abs(along)+fc, fc*0.09) < 1 {
			c = c.scale(0.75)
		}
		c = mix(c, pal.ink, cover(math.Abs(d+lw/2)-lw/2))
		over(img.Pix, i, c, cov)
	})
}

// rockNear reports whether rock lies r pixels from (x, y) along an axis.
func rockNear(mask []uint8, w, h, x, y, r int) bool {
	for _, p := range [4][2]int{{x - r, y}, {x + r, y}, {x, y - r}, {x, y + r}} {
		if p[0] >= 0 && p[1] >= 0 && p[0] < w && p[1] < h && mask[p[1]*w+p[0]] == pxRock {
			return true
		}
	}
	return false
}

// rockOrFloorNear reports whether anything but water lies r pixels from
// (x, y) along an axis.
func rockOrFloorNear(mask []uint8, w, h, x, y, r int) bool {
	for _, p := range [4][2]int{{x - r, y}, {x + r, y}, {x, y - r}, {x, y + r}} {
		if p[0] >= 0 && p[1] >= 0 && p[0] < w && p[1] < h && mask[p[1]*w+p[0]] != pxWater {
			return true
		}
	}
	return false
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// field is a coarse grid of values laid over the picture, blk pixels a cell.
type field struct {
	w, h, blk int
	v         []float64
}

// blockAverage averages f over each blk×blk block of the mask.
func blockAverage(mask []uint8, w, h, blk int, f func(uint8) float64) *field {
	fw, fh := (w+blk-1)/blk, (h+blk-1)/blk
	out := &field{w: fw, h: fh, blk: blk, v: make([]float64, fw*fh)}
	n := make([]float64, fw*fh)
	var lut [256]float64
	for i := range lut {
		lut[i] = f(uint8(i))
	}
	for y := range h {
		row := (y / blk) * fw
		for x := range w {
			out.v[row+x/blk] += lut[mask[y*w+x]]
			n[row+x/blk]++
		}
	}
	for i := range out.v {
		out.v[i] /= n[i]
	}
	return out
}

func (f *field) inverted() *field {
	out := &field{w: f.w, h: f.h, blk: f.blk, v: make([]float64, len(f.v))}
	for i, v := range f.v {
		out.v[i] = 1 - v
	}
	return out
}

// blurred returns the field box-blurred passes times with radius r.
func (f *field) blurred(r, passes int) *field {
	cur := append([]float64(nil), f.v...)
	tmp := make([]float64, len(cur))
	for range passes {
		for y := range f.h {
			for x := range f.w {
				s := 0.0
				for k := -r; k <= r; k++ {
					s += cur[y*f.w+min(max(x+k, 0), f.w-1)]
				}
				tmp[y*f.w+x] = s / float64(2*r+1)
			}
		}
		for y := range f.h {
			for x := range f.w {
				s := 0.0
				for k := -r; k <= r; k++ {
					s += tmp[min(max(y+k, 0), f.h-1)*f.w+x]
				}
				cur[y*f.w+x] = s / float64(2*r+1)
			}
		}
	}
	return &field{w: f.w, h: f.h, blk: f.blk, v: cur}
}

// at samples the field bilinearly at pixel (x, y).
func (f *field) at(x, y float64) float64 {
	gx := (x+0.5)/float64(f.blk) - 0.5
	gy := (y+0.5)/float64(f.blk) - 0.5
	gx = min(max(gx, 0), float64(f.w-1))
	gy = min(max(gy, 0), float64(f.h-1))
	x0, y0 := int(gx), int(gy)
	x1, y1 := min(x0+1, f.w-1), min(y0+1, f.h-1)
	tx, ty := gx-float64(x0), gy-float64(y0)
	a, b := f.v[y0*f.w+x0], f.v[y0*f.w+x1]
	c, d := f.v[y1*f.w+x0], f.v[y1*f.w+x1]
	top := a + (b-a)*tx
	return top + (c+(d-c)*tx-top)*ty
}

// eachPixel calls f for every pixel whose centre lies in the box, clipped
// to the image, with the Pix offset and the pixel centre.
func eachPixel(img *image.RGBA, x0, y0, x1, y1 float64, f func(i int, px, py float64)) {
	b := img.Rect
	ix0, iy0 := max(int(math.Floor(x0)), b.Min.X), max(int(math.Floor(y0)), b.Min.Y)
	ix1, iy1 := min(int(math.Ceil(x1)), b.Max.X), min(int(math.Ceil(y1)), b.Max.Y)
	for y := iy0; y < iy1; y++ {
		for x := ix0; x < ix1; x++ {
			f(img.PixOffset(x, y), float64(x)+0.5, float64(y)+0.5)
		}
	}
}

// sdBox is the signed distance from (x, y) to a box of half sizes hx, hy
// centred on the origin.
func sdBox(x, y, hx, hy float64) float64 {
	dx, dy := math.Abs(x)-hx, math.Abs(y)-hy
	out := math.Hypot(max(dx, 0), max(dy, 0))
	return out + min(max(dx, dy), 0)
}
