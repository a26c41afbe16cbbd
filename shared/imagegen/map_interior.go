package imagegen

import (
	"context"
	"image"
	"math"
	"math/rand/v2"
)

// Venues an interior map furnishes.
const (
	venueHouse = iota
	venueTavern
	venueTemple
	venueLibrary
	venueHall
	venueShop
)

var venueWords = []struct {
	venue int
	words []string
}{
	{venueTavern, []string{"tavern", "inn", "pub", "alehouse", "taproom", "saloon", "bar", "brothel", "lodge"}},
	{venueTemple, []string{"temple", "chapel", "church", "shrine", "cathedral", "monastery", "abbey", "sanctuary"}},
	{venueLibrary, []string{"library", "study", "archive", "archives", "scriptorium"}},
	{venueHall, []string{"throne", "palace", "castle", "court", "great hall", "hall", "audience", "keep"}},
	{venueShop, []string{"shop", "store", "smithy", "forge", "blacksmith", "warehouse", "market stall", "emporium", "apothecary"}},
	{venueHouse, []string{"house", "home", "cottage", "manor", "mansion", "room", "bedroom", "kitchen", "hut", "cabin"}},
}

func pickVenue(prompt string) int {
	lower := lowerNorm(prompt)
	venue, at := venueHouse, -1
	for _, e := range venueWords {
		for _, w := range e.words {
			if i := wholeWordIndex(lower, w); i >= 0 && (at < 0 || i < at) {
				venue, at = e.venue, i
			}
		}
	}
	return venue
}

// wallSeg is a wall along a grid line, from (x0, y0) to (x1, y1) in
// squares, one of them axis-aligned.
type wallSeg struct {
	x0, y0, x1, y1 float64
	outer          bool
}

// opening is a doorway or window: a square-long gap in a wall centred on
// (x, y), across a wall that runs horizontally or not.
type opening struct {
	x, y       float64
	horizontal bool // the wall runs east-west
	window     bool
}

// building is an interior map's plan in squares.
type building struct {
	outer    rect
	main     rect   // the main room
	back     []rect // the side rooms
	walls    []wallSeg
	openings []opening
}

// planBuilding puts a building a square in from the map's edge: a main room
// and two or three side rooms along its east end, each with a door to the
// main room, a front door on the south wall and windows on the outer walls.
func planBuilding(rng *rand.Rand, m *battleMap) building {
	inset := 1
	if m.cols < 12 || m.rows < 12 {
		inset = 0
	}
	o := rect{inset, inset, m.cols - 2*inset, m.rows - 2*inset - inset}
	b := building{outer: o}
	bw := max(3, o.w*3/10)
	split := o.x + o.w - bw
	b.main = rect{o.x, o.y, split - o.x, o.h}
	n := 2
	if o.h >= 15 {
		n = 3
	}
	y := o.y
	for k := range n {
		h := o.h / n
		if k == n-1 {
			h = o.y + o.h - y
		}
		b.back = append(b.back, rect{split, y, bw, h})
		y += h
	}
	fx0, fy0, fx1, fy1 := float64(o.x), float64(o.y), float64(o.x+o.w), float64(o.y+o.h)
	b.walls = append(b.walls,
		wallSeg{fx0, fy0, fx1, fy0, true}, wallSeg{fx0, fy1, fx1, fy1, true},
		wallSeg{fx0, fy0, fx0, fy1, true}, wallSeg{fx1, fy0, fx1, fy1, true},
		wallSeg{float64(split), fy0, float64(split), fy1, false})
	for _, r := range b.back[1:] {
		b.walls = append(b.walls, wallSeg{float64(r.x), float64(r.y), fx1, float64(r.y), false})
	}
	b.openings = append(b.openings, opening{x: float64(b.main.x+b.main.w/2) + 0.5, y: fy1, horizontal: true})
	for _, r := range b.back {
		b.openings = append(b.openings, opening{x: float64(split), y: float64(r.y+r.h/2) + 0.5})
	}
	for x := o.x + 2; x < split-1; x += 4 {
		b.openings = append(b.openings, opening{x: float64(x) + 0.5, y: fy0, horizontal: true, window: true})
	}
	for yy := o.y + 2; yy < o.y+o.h-1; yy += 4 {
		if yy != o.y+o.h/2 && yy != o.y+o.h/2-1 && yy != o.y+o.h/2+1 {
			b.openings = append(b.openings, opening{x: fx0, y: float64(yy) + 0.5, window: true})
		}
		b.openings = append(b.openings, opening{x: fx1, y: float64(yy) + 0.5, window: true})
	}
	_ = rng
	return b
}

// wallAt returns how a point (squares) sits in the walls: 0 off them, 1
// on a wall, 2 in a window's glass, 3 in a doorway.
func (b *building) wallAt(x, y float64) int {
	onWall := false
	for _, w := range b.walls {
		t := 0.16
		if w.outer {
			t = 0.24
		}
		if sdBox(x-(w.x0+w.x1)/2, y-(w.y0+w.y1)/2, (w.x1-w.x0)/2+t, (w.y1-w.y0)/2+t) <= 0 {
			onWall = true
			break
		}
	}
	if !onWall {
		return 0
	}
	for _, o := range b.openings {
		hx, hy := 0.45, 0.3
		if !o.horizontal {
			hx, hy = hy, hx
		}
		if math.Abs(x-o.x) < hx && math.Abs(y-o.y) < hy {
			if o.window {
				if o.horizontal && math.Abs(y-o.y) < 0.07 || !o.horizontal && math.Abs(x-o.x) < 0.07 {
					return 2
				}
				return 1
			}
			return 3
		}
	}
	return 1
}

// drawInterior draws a building from above: its walls, doors and windows,
// floors of boards and flagstones, and the furniture of the venue the
// prompt names: a tavern's bar, hearth and tables; a temple's pews and
// altar; a library's shelves; a hall's pillars and throne; a shop's
// counters; a house's table, beds and fireplace.
func drawInterior(ctx context.Context, img *image.RGBA, sc *scene, m *battleMap) error {
	b := planBuilding(sc.rng, m)
	venue := pickVenue(sc.prompt)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	outside := biomes[5]
	if bb := pickBiome(sc.prompt); bb.name == "snow" || bb.name == "desert" {
		outside = bb
	}
	if err := paintGround(ctx, img, sc, m, outside, &terrain{w: w, h: h}); err != nil {
		return err
	}
	if err := paintFloorsAndWalls(ctx, img, sc, m, &b, venue); err != nil {
		return err
	}
	st := newStamper(img, m, hex(0x1a1410))
	mo := mood(sc.pal)
	fr := &furnisher{st: st, mo: mo, rng: sc.rng, b: &b, seed: sc.seed, noFurniture: sc.rm.has(rmFurniture), noGlow: sc.rm.has(rmGlow)}
	if !sc.rm.has(rmDoors) {
		fr.doors()
	}
	switch venue {
	case venueTavern:
		fr.tavern()
	case venueTemple:
		fr.temple()
	case venueLibrary:
		fr.library()
	case venueHall:
		fr.hall(!sc.rm.has(rmRocks))
	case venueShop:
		fr.shop(hasAnyWord(sc.prompt, "smithy", "forge", "blacksmith"))
	default:
		fr.house()
	}
	fr.backRooms(venue)
	return m.overlayGrid(ctx, img, hex(0x1a1410), 0.22)
}

// paintFloorsAndWalls paints boards in the main room (flagstones in a
// temple or hall), flagstones in the side rooms, then stone outer walls and
// timber inner ones with glazed windows.
func paintFloorsAndWalls(ctx context.Context, img *image.RGBA, sc *scene, m *battleMap, b *building, venue int) error {
	mo := mood(sc.pal)
	boards, flags := mo(hex(0x9a7048)), mo(hex(0xa8a092))
	stone, timber := mo(hex(0x6a6660)), mo(hex(0x5a3e26))
	glass := mo(hex(0x9ac8e0))
	mainFloor := boards
	mainStyle := planks
	if venue == venueTemple || venue == venueHall {
		mainFloor, mainStyle = flags, flagstones
	}
	fc := float64(m.cell)
	jw := max(1, m.cell/24)
	tex := newNoise(sc.seed ^ 0x666c6f6f72)
	o := b.outer
	for y := range img.Rect.Dy() {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		fy := y - m.oy
		ty := floorDiv(fy, m.cell)
		ly := fy - ty*m.cell
		for x := range img.Rect.Dx() {
			fx := x - m.ox
			tx := floorDiv(fx, m.cell)
			lx := fx - tx*m.cell
			sx, sy := float64(fx)/fc, float64(fy)/fc
			i := y*img.Stride + x*4
			if k := b.wallAt(sx, sy); k > 0 {
				c := stone
				if !isOuterWall(b, sx, sy) {
					c = timber
				}
				c = c.scale(0.9 + 0.2*tex.fbm(sx*3, sy*3, 2))
				switch k {
				case 2:
					c = glass
				case 3:
					c = mainFloor.scale(0.8)
				}
				if k == 1 && math.Mod(sx*2+sy*2+0.5*math.Floor(sy*4), 1) < 0.06 {
					c = c.scale(0.7)
				}
				put(img.Pix, i, c)
				continue
			}
			if !inRects(sx, sy, o) {
				continue
			}
			col, style := mainFloor, mainStyle
			if !inRects(sx, sy, b.main) {
				col, style = flags, flagstones
			}
			n := tex.fbm(sx*1.5, sy*1.5, 3)
			c := col.scale(m.floorTone(tx, ty, lx, ly, jw, sc.seed, style) * (0.88 + 0.24*n))
			put(img.Pix, i, c)
		}
	}
	return nil
}

func isOuterWall(b *building, x, y float64) bool {
	o := b.outer
	return math.Abs(x-float64(o.x)) < 0.3 || math.Abs(x-float64(o.x+o.w)) < 0.3 ||
		math.Abs(y-float64(o.y)) < 0.3 || math.Abs(y-float64(o.y+o.h)) < 0.3
}

// furnisher stamps furniture into a building.
type furnisher struct {
	st          *stamper
	mo          func(rgb) rgb
	rng         *rand.Rand
	b           *building
	seed        uint64
	noFurniture bool
	noGlow      bool
}

// floor returns the main room's open floor, inside its walls.
func (fr *furnisher) floor(r rect) (x0, y0, x1, y1 float64) {
	return float64(r.x) + 0.3, float64(r.y) + 0.3, float64(r.x+r.w) - 0.3, float64(r.y+r.h) - 0.3
}

func (fr *furnisher) glow(x, y, r float64, c rgb, k float64) {
	if !fr.noGlow {
		fr.st.glowAt(x, y, r, c, k)
	}
}

// doors stamps a door slab in each doorway.
func (fr *furnisher) doors() {
	wood := fr.mo(hex(0x7a4a24))
	for _, o := range fr.b.openings {
		if o.window {
			continue
		}
		hx, hy := 0.45, 0.1
		if !o.horizontal {
			hx, hy = hy, hx
		}
		ox, oy := o.x, o.y
		fr.st.flatShape(ox-hx, oy-hy, ox+hx, oy+hy, func(x, y float64) float64 { return sdBox(x-ox, y-oy, hx, hy) }, func(x, y, d float64) rgb {
			return wood.scale(0.9 + 0.2*clamp01(-d*10))
		})
	}
}

// box stamps a rectangle of furniture with a lit top.
func (fr *furnisher) box(cx, cy, hx, hy float64, c rgb, detail func(x, y float64, c rgb) rgb) {
	fr.st.shape(cx-hx, cy-hy, cx+hx, cy+hy, func(x, y float64) float64 { return sdBox(x-cx, y-cy, hx, hy) - 0.03 }, func(x, y, d float64) rgb {
		col := lit(c, x, y, cx, cy, max(hx, hy)*1.5, d)
		if detail != nil {
			col = detail(x, y, col)
		}
		return col
	})
}

// disc stamps a round piece: a table top, a stool, a pillar.
func (fr *furnisher) disc(cx, cy, r float64, c rgb) {
	fr.st.shape(cx-r, cy-r, cx+r, cy+r, func(x, y float64) float64 { return sdCircle(x-cx, y-cy, r) }, func(x, y, d float64) rgb {
		return lit(c, x, y, cx, cy, r, d)
	})
}

// roundTable stamps a round table with chairs round it and a candle.
func (fr *furnisher) roundTable(cx, cy float64) {
	wood, chair := fr.mo(hex(0x8a5a32)), fr.mo(hex(0x6a4426))
	for k := range 4 {
		a := float64(k)*math.Pi/2 + math.Pi/4
		fr.box(cx+math.Cos(a)*0.85, cy+math.Sin(a)*0.85, 0.2, 0.2, chair, nil)
	}
	fr.disc(cx, cy, 0.6, wood)
	fr.disc(cx+0.15, cy-0.1, 0.07, hex(0xf0e8d0))
	fr.glow(cx+0.15, cy-0.1, 1.2, hex(0xffc070), 0.25)
}

// longTable stamps a trestle table with a bench on each side.
func (fr *furnisher) longTable(cx, cy float64) {
	wood, bench := fr.mo(hex(0x8a5a32)), fr.mo(hex(0x6a4426))
	fr.box(cx, cy-0.75, 1.2, 0.16, bench, nil)
	fr.box(cx, cy+0.75, 1.2, 0.16, bench, nil)
	fr.box(cx, cy, 1.3, 0.45, wood, func(x, y float64, c rgb) rgb {
		if math.Mod(y*6+100, 1) < 0.1 {
			return c.scale(0.8)
		}
		return c
	})
	for _, dx := range []float64{-0.7, 0.1, 0.8} {
		fr.disc(cx+dx, cy-0.1+0.2*float64(int(dx*10)%2), 0.12, fr.mo(hex(0xb0b0a8)))
	}
}

// hearth stamps a stone fireplace against the west wall at height y, its
// fire glowing into the room.
func (fr *furnisher) hearth(x, y float64) {
	stone := fr.mo(hex(0x7a7670))
	fr.box(x+0.45, y, 0.45, 1.3, stone, func(px, py float64, c rgb) rgb {
		if px > x+0.2 && math.Abs(py-y) < 0.7 {
			return mix(hex(0x2a1a10), hex(0xff8a2a), clamp01(1-math.Hypot(px-x-0.6, py-y)/0.6))
		}
		return c
	})
	fr.glow(x+1, y, 3.5, hex(0xff8030), 0.35)
}

// shelf stamps a shelf of books (or bottles) from (x0, y0) to (x1, y1).
func (fr *furnisher) shelf(x0, y0, x1, y1 float64, bottles bool) {
	cx, cy, hx, hy := (x0+x1)/2, (y0+y1)/2, (x1-x0)/2, (y1-y0)/2
	wood := fr.mo(hex(0x5a3a20))
	spines := []uint32{0x8a2a2a, 0x2a4a8a, 0x2a6a3a, 0x8a6a2a, 0x5a2a6a, 0x3a3a3a}
	fr.box(cx, cy, hx, hy, wood, func(x, y float64, c rgb) rgb {
		along := x
		if hy > hx {
			along = y
		}
		k := int(math.Floor(along * 7))
		if bottles {
			if math.Mod(along*4+100, 1) < 0.5 && math.Abs(y-cy)+math.Abs(x-cx) > 0 {
				return fr.mo(hex([]uint32{0x3a8a4a, 0x8a3a2a, 0x6a4a2a}[(k%3+3)%3])).scale(1.1)
			}
			return c
		}
		return fr.mo(hex(spines[(k%len(spines)+len(spines))%len(spines)])).scale(0.8 + 0.3*unit(hash2(k, 1, fr.seed)))
	})
}

// rug lays a patterned rug, flat on the floor.
func (fr *furnisher) rug(cx, cy, hx, hy float64, c rgb) {
	fr.st.flatShape(cx-hx, cy-hy, cx+hx, cy+hy, func(x, y float64) float64 { return sdBox(x-cx, y-cy, hx, hy) }, func(x, y, d float64) rgb {
		if d > -0.15 {
			return c.scale(0.6)
		}
		if math.Mod(math.Abs(x-cx)+math.Abs(y-cy), 0.5) < 0.12 {
			return mix(c, hex(0xd8b060), 0.5)
		}
		return c
	})
}

// tavern: a bar with stools and kegs, a hearth, round and long tables.
func (fr *furnisher) tavern() {
	x0, y0, x1, y1 := fr.floor(fr.b.main)
	cy := (y0 + y1) / 2
	fr.hearth(x0-0.05, cy)
	if fr.noFurniture {
		return
	}
	bx := x1 - 2.2
	barLen := (y1 - y0) * 0.55
	wood := fr.mo(hex(0x6a4020))
	for y := y0 + 0.5; y < y0+barLen; y += 1.1 {
		drawBarrel(fr.st, fr.mo, x1-0.45, y, 0.35)
	}
	fr.shelf(x1-0.25, y0+barLen+0.3, x1, y1-2, true)
	fr.box(bx, y0+barLen/2, 0.35, barLen/2, wood, nil)
	fr.box(bx-1.2, y0+barLen-0.35+0.0, 1.55, 0.35, wood, nil)
	for y := y0 + 0.7; y < y0+barLen-0.7; y += 1.0 {
		fr.disc(bx-0.85, y, 0.22, fr.mo(hex(0x5a3a20)))
	}
	fr.rug(x0+2.2, cy, 1.1, 1.6, fr.mo(hex(0x7a2a2a)))
	k := 0
	for ty := y0 + 1.8; ty < y1-1.2; ty += 3 {
		for tx := x0 + 3.6; tx < bx-2.2; tx += 3.2 {
			if ty > y0+barLen-1.5 && tx > bx-4 {
				continue
			}
			if k%3 == 2 {
				fr.longTable(tx, ty)
			} else {
				fr.roundTable(tx, ty)
			}
			k++
		}
	}
}

// temple: an altar on a dais, pews either side of a carpeted aisle,
// pillars and candles.
func (fr *furnisher) temple() {
	x0, y0, x1, y1 := fr.floor(fr.b.main)
	cx := (x0 + x1) / 2
	gold := fr.mo(hex(0xd0a848))
	fr.st.flatShape(x0, y0, x1, y0+2.2, func(x, y float64) float64 { return sdBox(x-cx, y-(y0+1.1), (x1-x0)/2, 1.1) }, func(x, y, d float64) rgb {
		return fr.mo(hex(0xc8c0b0)).scale(0.95 + 0.1*unit(hash2(int(x*2), int(y*2), 3)))
	})
	fr.rug(cx, (y0+2.2+y1)/2, 0.7, (y1-y0-2.2)/2, fr.mo(hex(0x8a1a1a)))
	if !fr.noFurniture {
		fr.box(cx, y0+1, 1.2, 0.45, fr.mo(hex(0xe8e4dc)), nil)
		fr.disc(cx, y0+1, 0.22, gold)
		for y := y0 + 3.2; y < y1-1.5; y += 1.5 {
			fr.box((x0+cx-1.2)/2+0.2, y, (cx-1.2-x0)/2-0.5, 0.25, fr.mo(hex(0x6a4426)), nil)
			fr.box((x1+cx+1.2)/2-0.2, y, (x1-cx-1.2)/2-0.5, 0.25, fr.mo(hex(0x6a4426)), nil)
		}
	}
	for _, x := range []float64{cx - 1.6, cx + 1.6} {
		fr.disc(x, y0+0.6, 0.12, hex(0xf0e8d0))
		fr.glow(x, y0+0.6, 1.8, hex(0xffc070), 0.35)
	}
	for y := y0 + 2.5; y < y1-1; y += 3 {
		fr.disc(x0+0.6, y, 0.4, fr.mo(hex(0x9a968e)))
		fr.disc(x1-0.6, y, 0.4, fr.mo(hex(0x9a968e)))
	}
}

// library: shelves along the walls and in rows, reading tables with
// candles.
func (fr *furnisher) library() {
	x0, y0, x1, y1 := fr.floor(fr.b.main)
	if fr.noFurniture {
		return
	}
	fr.shelf(x0, y0, x1, y0+0.45, false)
	fr.shelf(x0, y0+0.6, x0+0.45, y1-1.5, false)
	mid := (x0 + x1) / 2
	for y := y0 + 2.2; y < y1-1.5; y += 2.5 {
		fr.shelf(x0+1.5, y, mid-0.5, y+0.5, false)
	}
	for y := y0 + 2.5; y < y1-1.5; y += 3.2 {
		fr.longTable((mid+x1)/2, y)
		fr.glow((mid+x1)/2, y, 1.5, hex(0xffc070), 0.3)
	}
}

// hall: two rows of pillars, a carpet to a throne on a dais, braziers.
func (fr *furnisher) hall(pillars bool) {
	x0, y0, x1, y1 := fr.floor(fr.b.main)
	cx := (x0 + x1) / 2
	fr.st.flatShape(cx-2.5, y0, cx+2.5, y0+2, func(x, y float64) float64 { return sdBox(x-cx, y-(y0+1), 2.5, 1) }, func(x, y, d float64) rgb {
		return fr.mo(hex(0xb8b0a0))
	})
	fr.rug(cx, (y0+y1)/2+0.8, 0.9, (y1-y0)/2-0.8, fr.mo(hex(0x9a1a1a)))
	if !fr.noFurniture {
		gold := fr.mo(hex(0xd0a040))
		fr.box(cx, y0+0.9, 0.6, 0.55, gold, func(x, y float64, c rgb) rgb {
			if y > y0+0.75 && math.Abs(x-cx) < 0.4 {
				return fr.mo(hex(0x8a1a2a))
			}
			return c
		})
	}
	for _, x := range []float64{cx - 3, cx + 3} {
		fr.disc(x, y0+1, 0.3, fr.mo(hex(0x5a4a3a)))
		fr.glow(x, y0+1, 2.2, hex(0xff9a40), 0.4)
	}
	if !pillars {
		return
	}
	for y := y0 + 3; y < y1-1; y += 2.5 {
		fr.disc(cx-2.6, y, 0.45, fr.mo(hex(0xa8a298)))
		fr.disc(cx+2.6, y, 0.45, fr.mo(hex(0xa8a298)))
	}
}

// shop: a counter across the room, shelves of goods along the walls,
// crates; a forge and anvil in a smithy.
func (fr *furnisher) shop(smithy bool) {
	x0, y0, x1, y1 := fr.floor(fr.b.main)
	if smithy {
		fr.hearth(x0-0.05, y0+2.5)
		if !fr.noFurniture {
			fr.box(x0+2.8, y0+2.5, 0.5, 0.25, fr.mo(hex(0x3a3a40)), nil)
		}
	}
	if fr.noFurniture {
		return
	}
	fr.shelf(x0+0.6, y0, x1, y0+0.45, true)
	fr.box((x0+x1)/2, (y0+y1)/2, (x1-x0)/3, 0.35, fr.mo(hex(0x6a4020)), nil)
	for k := range 6 {
		drawCrate(fr.st, fr.mo, x0+0.6+float64(k%2)*0.8, y1-0.6-float64(k/2)*0.8, 0.35)
	}
}

// house: a fireplace, a table with chairs and a rug.
func (fr *furnisher) house() {
	x0, y0, x1, y1 := fr.floor(fr.b.main)
	cy := (y0 + y1) / 2
	fr.hearth(x0-0.05, cy)
	fr.rug(x0+2.5, cy, 1.2, 1.8, fr.mo(hex(0x3a5a7a)))
	if !fr.noFurniture {
		fr.longTable((x0+x1)/2+1, y0+2.5)
		fr.shelf(x1-0.45, y0+0.5, x1, y1-2, false)
		fr.roundTable((x0+x1)/2+1, y1-2.5)
	}
}

// backRooms furnishes the side rooms: a kitchen and a store room in a
// tavern or shop, bedrooms in a house, a vestry in a temple.
func (fr *furnisher) backRooms(venue int) {
	if fr.noFurniture {
		return
	}
	for k, r := range fr.b.back {
		x0, y0, x1, y1 := fr.floor(r)
		switch {
		case k == 0 && (venue == venueTavern || venue == venueHouse):
			fr.box((x0+x1)/2, y0+0.3, (x1-x0)/2-0.1, 0.3, fr.mo(hex(0x7a6a58)), nil)
			fr.disc(x0+0.9, y0+1.6, 0.45, fr.mo(hex(0x2a2a2a)))
			fr.glow(x0+0.9, y0+1.6, 1.5, hex(0xff8030), 0.3)
		case venue == venueHouse || venue == venueTemple:
			fr.bed(x1-0.8, y0+1.2)
			drawCrate(fr.st, fr.mo, x0+0.5, y1-0.5, 0.35)
		case k == len(fr.b.back)-1:
			fr.stairs(x0, y0, x1, y1)
		default:
			for y := y0 + 0.5; y < y1-0.3; y += 0.8 {
				for x := x0 + 0.5; x < x1-0.3; x += 0.8 {
					if fr.rng.IntN(3) > 0 {
						drawBarrel(fr.st, fr.mo, x, y, 0.33)
					}
				}
			}
		}
	}
}

// bed stamps a bed with a pillow and a blanket, head to the north.
func (fr *furnisher) bed(cx, cy float64) {
	blanket := fr.mo(hex(0x6a3a5a))
	fr.box(cx, cy, 0.55, 1.0, fr.mo(hex(0x6a4426)), func(x, y float64, c rgb) rgb {
		switch {
		case y < cy-0.55:
			return hex(0xf0ece0)
		case math.Abs(x-cx) < 0.45:
			return blanket.scale(0.9 + 0.15*math.Sin(y*12))
		}
		return c
	})
}

// stairs stamps a flight of steps going down, darker toward the bottom.
func (fr *furnisher) stairs(x0, y0, x1, y1 float64) {
	cx, cy := (x0+x1)/2, (y0+y1)/2
	hx, hy := min((x1-x0)/2-0.2, 1.0), min((y1-y0)/2-0.3, 1.8)
	stone := fr.mo(hex(0x9a9288))
	fr.st.flatShape(cx-hx, cy-hy, cx+hx, cy+hy, func(x, y float64) float64 { return sdBox(x-cx, y-cy, hx, hy) }, func(x, y, d float64) rgb {
		t := (y - (cy - hy)) / (2 * hy)
		c := stone.scale(1.1 - 0.7*t)
		if math.Mod((y-cy+hy)*3, 1) < 0.12 {
			c = c.scale(0.6)
		}
		return c
	})
}
