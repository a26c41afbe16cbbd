package imagegen

import (
	"context"
	"image"
	"math"
	"slices"
	"strings"
)

// Map kinds a map_background draws.
const (
	mapDungeon    = "dungeon"
	mapCavern     = "cavern"
	mapInterior   = "interior"
	mapWilderness = "wilderness"
	mapWater      = "water"
	mapTown       = "town"
)

// mapKindWords pick a map's kind: the word that comes first in the prompt
// wins, so "a dungeon beneath the town" is a dungeon and "a town by the
// river" a town.
var mapKindWords = []struct {
	kind  string
	words []string
}{
	{mapDungeon, []string{"dungeon", "crypt", "tomb", "catacomb", "vault", "sewer", "prison", "jail", "labyrinth", "maze", "keep", "fortress", "stronghold", "ruin", "sanctum", "bunker", "station", "ship", "corridor", "hideout", "lair", "complex", "facility"}},
	{mapCavern, []string{"cave", "cavern", "grotto", "underdark", "tunnel", "warren", "burrow", "mine", "den", "chasm", "hollow", "caves"}},
	{mapInterior, []string{"tavern", "inn", "pub", "alehouse", "taproom", "saloon", "interior", "hall", "manor", "mansion", "house", "home", "cottage", "shop", "store", "library", "temple", "chapel", "church", "shrine", "cathedral", "guildhall", "throne", "room", "smithy", "forge", "warehouse", "study", "bedroom", "kitchen", "brothel", "lodge", "monastery", "abbey", "court", "palace", "castle", "hut", "cabin", "barn", "mill"}},
	{mapWater, []string{"river", "stream", "creek", "brook", "delta", "estuary", "ford", "bridge", "coast", "coastline", "coastal", "beach", "shore", "seashore", "harbour", "harbor", "dock", "docks", "pier", "wharf", "port", "lake", "lagoon", "sea", "ocean", "bay", "cove", "island", "waterfall", "riverbank"}},
	{mapTown, []string{"town", "village", "city", "street", "streets", "market", "marketplace", "plaza", "square", "hamlet", "alley", "alleys", "district", "settlement", "slum", "slums", "quarter", "crossroads", "outpost"}},
	{mapWilderness, []string{"forest", "woods", "wood", "woodland", "grove", "clearing", "glade", "field", "fields", "meadow", "plain", "plains", "grassland", "hill", "hills", "road", "camp", "campsite", "wilderness", "wilds", "jungle", "swamp", "marsh", "bog", "fen", "desert", "dunes", "oasis", "tundra", "snow", "snowy", "arctic", "glacier", "mountain", "pass", "valley", "canyon", "steppe", "savanna", "heath", "moor", "orchard", "farm", "battlefield", "ambush", "trail", "outdoors", "wasteland"}},
}

// mapKind returns the kind of map the prompt asks for, and whether a word
// named one. A settlement in open country ("a swamp village", "a row of
// houses in the woods") is a town on that country's ground.
func mapKind(prompt string) (string, bool) {
	lower := strings.ToLower(prompt)
	kind, at := mapDungeon, -1
	for _, k := range mapKindWords {
		for _, w := range k.words {
			if i := wholeWordIndex(lower, w); i >= 0 && (at < 0 || i < at) {
				kind, at = k.kind, i
			}
		}
	}
	if (kind == mapWilderness || kind == mapInterior) && settlement(lower) {
		return mapTown, true
	}
	return kind, at >= 0
}

// settlement reports whether a lower-case prompt names a settlement or
// its many houses.
func settlement(lower string) bool {
	return namesAny(lower, []string{"village", "town", "hamlet", "settlement", "city"}) ||
		slices.ContainsFunc([]string{"houses", "huts", "cottages", "shacks", "hovels", "cabins"}, func(w string) bool { return hasWholeWord(lower, w) })
}

// wholeWordIndex is where word, or its plural, stands as a whole word in
// lower-case text, or -1.
func wholeWordIndex(text, word string) int {
	for _, w := range []string{word, word + "s", word + "es"} {
		for i := 0; ; {
			j := strings.Index(text[i:], w)
			if j < 0 {
				break
			}
			j += i
			end := j + len(w)
			if (j == 0 || !isWordByte(text, j, true)) && (end == len(text) || !isWordByte(text, end, false)) {
				return j
			}
			i = j + 1
		}
	}
	return -1
}

// drawMap draws a battle map of the kind the prompt names, on a square
// grid it reports.
func drawMap(ctx context.Context, img *image.RGBA, sc *scene) error {
	kind, _ := mapKind(sc.prompt)
	m := newBattleMap(img.Rect.Dx(), img.Rect.Dy())
	m.drawGrid = !sc.rm.has(rmGrid)
	sc.grid = &Grid{Columns: m.cols, Rows: m.rows, SquarePx: m.cell, OffsetX: m.ox, OffsetY: m.oy, Drawn: m.drawGrid}
	var err error
	switch kind {
	case mapCavern:
		m.carveCave(sc.rng)
		m.wet = wetness(sc, 0.06)
		m.dropProps(sc)
		err = m.render(ctx, img, sc)
	case mapInterior:
		err = drawInterior(ctx, img, sc, m)
	case mapWilderness:
		err = drawWilderness(ctx, img, sc, m)
	case mapWater:
		err = drawWaterside(ctx, img, sc, m)
	case mapTown:
		err = drawTown(ctx, img, sc, m)
	default:
		m.carveRooms(sc.rng)
		m.wet = wetness(sc, 0)
		m.dropProps(sc)
		err = m.render(ctx, img, sc)
	}
	if err != nil {
		return err
	}
	if !sc.rm.has(rmFrame) {
		return vignette(ctx, img, 0.3)
	}
	return nil
}

// dropProps and doors the negative prompt removed.
func (m *battleMap) dropProps(sc *scene) {
	if sc.rm.has(rmRocks) {
		m.props = nil
	}
	if sc.rm.has(rmDoors) {
		m.doors = nil
	}
}

// onGridLine reports whether pixel (x, y) lies on a grid line: the left or
// top edge of a square, or the closing right or bottom edge of the grid.
func (m *battleMap) onGridLine(x, y, gw int) bool {
	fx, fy := x-m.ox, y-m.oy
	if fx < 0 || fy < 0 || fx >= m.cols*m.cell+gw || fy >= m.rows*m.cell+gw {
		return false
	}
	return fx%m.cell < gw || fy%m.cell < gw
}

// gridWidth is the width of a grid line for a square of cell pixels.
func gridWidth(cell int) int { return max(1, cell/24) }

// overlayGrid lays the grid over the whole picture in colour c at opacity a.
func (m *battleMap) overlayGrid(ctx context.Context, img *image.RGBA, c rgb, a float64) error {
	if !m.drawGrid {
		return nil
	}
	gw := gridWidth(m.cell)
	for y := range img.Rect.Dy() {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		for x := range img.Rect.Dx() {
			if m.onGridLine(x, y, gw) {
				i := y*img.Stride + x*4
				put(img.Pix, i, mix(get(img.Pix, i), c, a))
			}
		}
	}
	return nil
}

// mood recolours a natural colour the way the theme's palette shifts the
// fantasy one: darker and greyer for horror, cooler for sci-fi.
func mood(pal palette) func(rgb) rgb {
	base := palettes["fantasy"].floor
	ratio := func(a, b float64) float64 { return math.Pow(min(max(a/b, 0.4), 1.4), 0.8) }
	kr, kg, kb := ratio(pal.floor.r, base.r), ratio(pal.floor.g, base.g), ratio(pal.floor.b, base.b)
	return func(c rgb) rgb { return rgb{c.r * kr, c.g * kg, c.b * kb} }
}

// stamper draws shapes on a map in square units: (0, 0) is the grid's
// top-left corner, one unit a square.
type stamper struct {
	img   *image.RGBA
	m     *battleMap
	ink   rgb
	lw    float64 // outline width in pixels
	shade float64 // drop shadow offset in squares, 0 for none
}

func newStamper(img *image.RGBA, m *battleMap, ink rgb) *stamper {
	return &stamper{img: img, m: m, ink: ink, lw: max(1, float64(m.cell)/22), shade: 0.12}
}

// shape fills the shape sd (signed distance in squares) inside the box
// x0..x1, y0..y1 (squares) with paint, outlined, over a soft drop shadow.
func (s *stamper) shape(x0, y0, x1, y1 float64, sd func(x, y float64) float64, paint func(x, y, d float64) rgb) {
	s.draw(x0, y0, x1, y1, sd, paint, true)
}

// flatShape is shape without a shadow: rugs, water, paths.
func (s *stamper) flatShape(x0, y0, x1, y1 float64, sd func(x, y float64) float64, paint func(x, y, d float64) rgb) {
	s.draw(x0, y0, x1, y1, sd, paint, false)
}

func (s *stamper) draw(x0, y0, x1, y1 float64, sd func(x, y float64) float64, paint func(x, y, d float64) rgb, shadow bool) {
	fc := float64(s.m.cell)
	ox, oy := float64(s.m.ox), float64(s.m.oy)
	off := s.shade
	if !shadow {
		off = 0
	}
	pad := (s.lw+2)/fc + off
	eachPixel(s.img, ox+(x0-pad)*fc, oy+(y0-pad)*fc, ox+(x1+pad)*fc, oy+(y1+pad)*fc, func(i int, px, py float64) {
		x, y := (px-ox)/fc, (py-oy)/fc
		c := get(s.img.Pix, i)
		if off > 0 {
			sdw := sd(x-off, y-off) * fc
			c = c.scale(1 - 0.4*smoothstep(fc*0.08, -fc*0.08, sdw))
		}
		d := sd(x, y)
		dp := d * fc
		if a := cover(dp - s.lw); a > 0 {
			col := paint(x, y, d)
			if s.lw > 0 {
				col = mix(col, s.ink, cover(math.Abs(dp)-s.lw*0.6))
			}
			c = mix(c, col, a)
		}
		put(s.img.Pix, i, c)
	})
}

// glowAt brightens the picture round (x, y) (squares) with colour c,
// reaching r squares: firelight, candles.
func (s *stamper) glowAt(x, y, r float64, c rgb, amount float64) {
	fc := float64(s.m.cell)
	ox, oy := float64(s.m.ox), float64(s.m.oy)
	eachPixel(s.img, ox+(x-r)*fc, oy+(y-r)*fc, ox+(x+r)*fc, oy+(y+r)*fc, func(i int, px, py float64) {
		d := math.Hypot((px-ox)/fc-x, (py-oy)/fc-y) / r
		if d >= 1 {
			return
		}
		k := (1 - d) * (1 - d) * amount
		put(s.img.Pix, i, get(s.img.Pix, i).add(c.scale(k)))
	})
}

// lit shades a colour as a round form: lighter toward the upper left of
// (cx, cy), darker at the rim (d is the signed distance, r the size).
func lit(c rgb, x, y, cx, cy, r, d float64) rgb {
	k := 1.05 - 0.3*((x-cx)+(y-cy))/max(r, 1e-6)
	k *= 1 - 0.2*smoothstep(-r*0.25, 0, d)
	return c.scale(k)
}
