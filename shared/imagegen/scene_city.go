package imagegen

import "math"

// cityBlock is one building of a city seen from afar, in units of the
// city's height: from x0 to x1, top high, crowned by a dome, a spire or a
// roof.
type cityBlock struct {
	x0, x1, top float64
	crown       int
}

// Crowns of a city's buildings.
const (
	crownFlat = iota
	crownDome
	crownSpire
	crownRoof
)

// cityBlocks lays out a city's buildings across -1..1 (units of its
// height), tallest near the middle: domes and minarets in a desert or
// hot land, roofs and spires elsewhere.
func (cv *sceneCanvas) cityBlocks() []cityBlock {
	hot := cv.spec.climate == climateDesert || cv.spec.climate == climateTropical
	var out []cityBlock
	for x, k := -1.0, 0; x < 1; k++ {
		w := 0.09 + 0.1*cv.hash01(k, 91)
		mid := 1 - math.Abs(x+w/2)
		top := 0.2 + 0.45*mid*(0.5+0.5*cv.hash01(k, 92))
		crown := crownFlat
		switch r := cv.hash01(k, 93); {
		case hot && r < 0.3:
			crown = crownDome
		case r < 0.45:
			crown = crownSpire
			w *= 0.6
			top += 0.2
		case !hot && r < 0.8:
			crown = crownRoof
		}
		out = append(out, cityBlock{x0: x, x1: x + w, top: top, crown: crown})
		x += w * (0.8 + 0.3*cv.hash01(k, 94))
	}
	return out
}

// citySprite is a walled city s pixels tall standing at (x, base):
// buildings crowded behind a crenellated wall, windows lit at dusk and
// night; broken, roofless and dark when ruined.
func (cv *sceneCanvas) citySprite(x, base, s float64) sprite {
	blocks := cv.cityBlocks()
	ruined := cv.spec.ruined
	lit := cv.light.windows && !ruined
	wall := cv.stone
	roof := cv.mo(hex(0x7a4a3a))
	glowC := cv.mo(hex(0xffc870))
	seed := cv.sc.seed
	shape := func(u, v float64) (float64, int) {
		d, part := math.Inf(1), partStone
		for i, b := range blocks {
			cu, hw := (b.x0+b.x1)/2, (b.x1-b.x0)/2
			body := sdBox(u-cu, v-b.top/2, hw, b.top/2)
			var crown float64
			switch b.crown {
			case crownDome:
				crown = max(sdCircle(u-cu, v-b.top, hw*0.9), b.top-v)
			case crownSpire:
				crown = sdTriangle(u, v, cu-hw, b.top, cu+hw, b.top, cu, b.top+hw*3)
			case crownRoof:
				crown = sdTriangle(u, v, cu-hw*1.1, b.top, cu+hw*1.1, b.top, cu, b.top+hw*0.9)
			default:
				crown = math.Inf(1)
			}
			if ruined {
				cut := b.top*(0.55+0.35*unit(hash2(i, 7, seed))) + 0.04*math.Sin(u*60+float64(i))
				body, crown = max(body, v-cut), math.Inf(1)
			}
			if crown < d && crown < body {
				d, part = crown, partRoof
			} else if body < d {
				d, part = body, partStone
				if _, win := windowsAt(math.Mod(u-b.x0+10, 0.06)-0.03, math.Mod(v+10, 0.09)-0.045, []float64{0}, []float64{0}, 0.011, 0.018); win && body < -0.02 && v > 0.14 {
					part = partWindow
				}
			}
		}
		crenel := max(sdBox(u, v-0.13, 1.02, 0.015), (math.Mod(u+10.02, 0.04)-0.02)*0.5)
		wallD := min(sdBox(u, v-0.06, 1.02, 0.065), crenel)
		if ruined {
			wallD = max(wallD, -sdTriangle(u, v, -0.45, 0.2, -0.25, 0.2, -0.35, 0.02))
		}
		if wallD < 0.002 {
			return wallD, partShade
		}
		return min(d, wallD), part
	}
	return sprite{x0: x - s*1.1, y0: base - s*1.3, x1: x + s*1.1, y1: base + 2, shade: func(px, py float64) (rgb, float64, float64) {
		u, v := (px-x)/s, (base-py)/s
		d, part := shape(u, v)
		if d*s > 1 {
			return rgb{}, 0, 0
		}
		a := cover(d * s)
		n := cv.tex.fbm(px/(s*0.04), py/(s*0.04), 2)
		switch part {
		case partRoof:
			return roof.scale(0.9 + 0.2*n), a, 0
		case partWindow:
			if lit && unit(hash2(int(px/(s*0.06)), int(py/(s*0.09)), seed)) < 0.55 {
				return glowC, a, 1
			}
			return wall.scale(0.35), a, 0
		case partShade:
			return wall.scale(0.78 * (0.9 + 0.2*n)), a, 0
		}
		return wall.scale(0.95 + 0.2*n), a, 0
	}}
}
