package imagegen

import (
	"math"
	"math/rand/v2"
)

// treeSprite is a tree standing at (x, base), hgt pixels tall.
func (cv *sceneCanvas) treeSprite(kind int, x, base, hgt float64, leaf rgb, salt int) sprite {
	bark := mix(leaf, hex(0x3a2a1e), 0.6)
	snowy := cv.spec.climate == climateSnow
	seed := hash2(salt, int(x), cv.sc.seed)
	switch kind {
	case treePine:
		w := hgt * 0.32
		return sprite{x0: x - w, y0: base - hgt, x1: x + w, y1: base, shade: func(px, py float64) (rgb, float64, float64) {
			f := (base - py) / hgt
			if f < 0 || f > 1 {
				return rgb{}, 0, 0
			}
			if f < 0.12 {
				return bark, cover(math.Abs(px-x) - w*0.08), 0
			}
			tier := f*4 - math.Floor(f*4)
			half := w * (1 - f) * (0.55 + 0.45*(1-tier))
			a := cover(math.Abs(px-x) - half)
			c := leaf.scale(0.85 + 0.3*clamp01((x-px)/w+0.5))
			if snowy && tier > 0.65 {
				c = mix(c, cv.snow, 0.75)
			}
			return c, a, 0
		}}
	case treeDead:
		rng := rand.New(rand.NewPCG(seed, 3))
		segs := branches(rng, x, base, hgt*1.1, hgt*0.9)
		return deadTreeSprite(segs, cv.spec.climate == climateMarsh, bark.scale(0.7), mix(leaf, hex(0x7a8a5a), 0.5), hgt, seed)
	case treeCactus:
		return sprite{x0: x - hgt*0.4, y0: base - hgt, x1: x + hgt*0.4, y1: base, shade: func(px, py float64) (rgb, float64, float64) {
			d := sdCapsule(px, py, x, base, x, base-hgt*0.9, hgt*0.08)
			d = min(d, sdCapsule(px, py, x-hgt*0.25, base-hgt*0.35, x-hgt*0.25, base-hgt*0.65, hgt*0.06))
			d = min(d, sdCapsule(px, py, x-hgt*0.25, base-hgt*0.35, x, base-hgt*0.35, hgt*0.06))
			d = min(d, sdCapsule(px, py, x+hgt*0.22, base-hgt*0.45, x+hgt*0.22, base-hgt*0.7, hgt*0.06))
			d = min(d, sdCapsule(px, py, x+hgt*0.22, base-hgt*0.45, x, base-hgt*0.45, hgt*0.06))
			return leaf.scale(1.2), cover(d), 0
		}}
	}
	// A broad tree: a trunk and a crown of lumps.
	r := hgt * 0.32
	cy := base - hgt + r
	ph := unit(seed) * 6
	return sprite{x0: x - r*1.4, y0: base - hgt - 2, x1: x + r*1.4, y1: base, shade: func(px, py float64) (rgb, float64, float64) {
		trunk := sdBox(px-x, py-(base-hgt*0.3), hgt*0.035, hgt*0.3)
		a := math.Atan2(py-cy, px-x)
		crown := math.Hypot((px-x)/1.15, py-cy) - r*(0.9+0.12*math.Sin(a*6+ph)+0.06*math.Sin(a*11+ph))
		if crown < 0.5 {
			k := 0.8 + 0.4*clamp01((x-px)/r*0.5+(cy-py)/r*0.5+0.5)
			return leaf.scale(k * (0.92 + 0.12*math.Sin(px*0.4+ph)*math.Sin(py*0.4))), cover(crown), 0
		}
		return bark, cover(trunk), 0
	}}
}

// reedSprite is a clump of reeds.
func (cv *sceneCanvas) reedSprite(x, y, hgt float64) sprite {
	col := mix(cv.foliage, cv.ground, 0.4).scale(0.9)
	ph := x * 0.37
	return sprite{x0: x - hgt*0.5, y0: y - hgt, x1: x + hgt*0.5, y1: y + 1, shade: func(px, py float64) (rgb, float64, float64) {
		best := math.Inf(1)
		for k := -2; k <= 2; k++ {
			tx := x + float64(k)*hgt*0.12 + hgt*0.25*math.Sin(ph+float64(k))
			best = min(best, sdTaper(px, py, x+float64(k)*hgt*0.05, y, tx, y-hgt*(0.7+0.3*math.Cos(ph*float64(k))), max(1, hgt*0.035), 0.4))
		}
		return col, cover(best), 0
	}}
}

// rockSprite is a boulder half sunk in the ground.
func (cv *sceneCanvas) rockSprite(x, y, r float64) sprite {
	ph := x * 0.11
	return sprite{x0: x - r*1.5, y0: y - r*1.2, x1: x + r*1.5, y1: y + 1, shade: func(px, py float64) (rgb, float64, float64) {
		if py > y {
			return rgb{}, 0, 0
		}
		a := math.Atan2(py-y, px-x)
		d := math.Hypot((px-x)/1.4, py-y) - r*(1+0.1*math.Sin(a*5+ph))
		k := 0.7 + 0.5*clamp01((x-px)/r*0.5+(y-r*0.6-py)/r*0.5+0.5)
		return cv.rock.scale(k), cover(d), 0
	}}
}

// drawLandmark stands the location's landmark on the middle band.
func (cv *sceneCanvas) drawLandmark(l *sceneLayer) {
	fw, fh := float64(cv.w), float64(cv.h)
	mx := fw * (0.42 + 0.22*cv.hash01(4, 4))
	if cv.spec.land == landCoast {
		// On the headland, a third of the way in from the map's edge.
		x0, x1 := -1, -1
		for x := range cv.w {
			if l.top[x] < fh {
				if x0 < 0 {
					x0 = x
				}
				x1 = x
			}
		}
		if x0 >= 0 {
			mx = float64(x0) + 0.35*float64(x1-x0)
			if x0 > 0 {
				mx = float64(x1) - 0.35*float64(x1-x0)
			}
		}
	}
	xi := min(max(int(mx), 0), cv.w-1)
	base := l.top[xi] + fh*0.02
	S := fh * 0.36
	if cv.spec.landmark == markVillage {
		for k := range 6 {
			hx := mx + (cv.hash01(k, 41)-0.5)*fw*0.4
			hb := l.top[min(max(int(hx), 0), cv.w-1)] + fh*0.015
			cv.drawSprite(cv.houseSprite(hx, hb, S*(0.18+0.08*cv.hash01(k, 42)), k), l.depth)
		}
		return
	}
	if cv.spec.landmark == markCity {
		cv.drawSprite(cv.citySprite(fw*0.5, base, S*1.1), l.depth)
		return
	}
	cv.drawSprite(cv.buildingSprite(cv.spec.landmark, mx, base, S), l.depth)
}

// houseSprite is a cottage: walls, a pitched roof, a lit window; on
// stilts over water in a marsh; roofless and dark when ruined.
func (cv *sceneCanvas) houseSprite(x, base, s float64, salt int) sprite {
	wall := cv.stone.scale(0.95)
	roof := cv.mo(hex(roofColours[salt%len(roofColours)])).scale(0.9)
	ruined := cv.spec.ruined
	lit := cv.light.windows && !ruined
	lift := 0.0 // the floor's height above the ground, in units of s
	if cv.spec.stilts {
		lift = 0.45
		wall = cv.mo(hex(0x7a5a3a)) // planks
	}
	post := mix(cv.mo(hex(0x4a3424)), cv.light.haze, 0.2)
	return sprite{x0: x - s*0.7, y0: base - s*(1.3+lift), x1: x + s*0.7, y1: base + 1, shade: func(px, py float64) (rgb, float64, float64) {
		u, v := (px-x)/s, (base-py)/s-lift
		body := sdBox(u, v-0.3, 0.5, 0.3)
		rf := sdTriangle(u, v, -0.62, 0.58, 0.62, 0.58, 0, 1.05)
		chim := sdBox(u-0.3, v-0.85, 0.06, 0.15)
		if ruined {
			body = max(body, v-0.45-0.12*math.Sin(u*9+float64(salt)))
			rf, chim = math.Inf(1), math.Inf(1)
		}
		stilts := math.Inf(1)
		for _, sx := range []float64{-0.42, -0.14, 0.14, 0.42} {
			stilts = min(stilts, sdBox(u-sx, v+lift/2, 0.035, lift/2+0.02))
		}
		if lift > 0 && stilts < min(body, min(rf, chim)) {
			return post, cover(stilts * s), 0
		}
		d := min(min(body, rf), chim) * s
		if d > 1 {
			return rgb{}, 0, 0
		}
		switch {
		case rf*s < 0.5 || chim*s < 0.5:
			k := 1.1
			if u > 0 {
				k = 0.8
			}
			return roof.scale(k), cover(d), 0
		case sdBox(u+0.2, v-0.32, 0.08, 0.08) < 0:
			if lit {
				return cv.mo(hex(0xffc870)), cover(d), 1
			}
			return wall.scale(0.4), cover(d), 0
		}
		k := 1.0
		if u > 0.2 {
			k = 0.85
		}
		return wall.scale(k), cover(d), 0
	}}
}

// buildingSprite is a landmark s pixels tall standing at (x, base).
func (cv *sceneCanvas) buildingSprite(kind string, x, base, s float64) sprite {
	ruined := cv.spec.ruined
	roof := cv.mo(hex(0x5a3a4a))
	lit := cv.light.windows && !ruined // no one lights a ruin's windows
	glowC := cv.mo(hex(0xffc870))
	shape := landmarkShape(kind, ruined, cv.sc.seed)
	return sprite{x0: x - s*0.9, y0: base - s*1.3, x1: x + s*0.9, y1: base + 2, shade: func(px, py float64) (rgb, float64, float64) {
		u, v := (px-x)/s, (base-py)/s
		d, part, cu := shape(u, v)
		if d*s > 1 {
			return rgb{}, 0, 0
		}
		a := cover(d * s)
		// Light from the left: each part's right side is in shade.
		k := 1.05 - 0.35*smoothstep(-0.02, 0.04, u-cu)
		switch part {
		case partRoof:
			return roof.scale(k), a, 0
		case partWindow:
			if lit {
				return glowC, a, 1
			}
			return cv.stone.scale(0.3), a, 0
		case partDark:
			return hex(0x141210), a, 0
		case partLamp:
			return cv.mo(hex(0xfff0b0)), a, 1
		case partStripe:
			return cv.mo(hex(0xb03a2a)).scale(k), a, 0
		case partShade:
			k *= 0.72
		}
		n := cv.tex.fbm(px/(s*0.05), py/(s*0.05), 2)
		return cv.stone.scale(k * (0.85 + 0.25*n)), a, 0
	}}
}

// Parts of a landmark, for colouring.
const (
	partStone = iota
	partRoof
	partWindow
	partDark
	partLamp
	partStripe
	partShade
)

// branches grows a bare tree as line segments.
func branches(rng *rand.Rand, x, y, h, fh float64) [][5]float64 {
	var segs [][5]float64
	var grow func(x, y, angle, length, thick float64, depth int)
	grow = func(x, y, angle, length, thick float64, depth int) {
		x1, y1 := x+math.Cos(angle)*length, y+math.Sin(angle)*length
		segs = append(segs, [5]float64{x, y, x1, y1, thick})
		if depth == 0 {
			return
		}
		for range 2 + rng.IntN(2) {
			grow(x1, y1, angle+(rng.Float64()-0.5)*1.4, length*(0.55+0.2*rng.Float64()), thick*0.6, depth-1)
		}
	}
	grow(x, y, -math.Pi/2+(rng.Float64()-0.5)*0.2, h*0.45, max(1, fh*0.006), 3)
	return segs
}

// deadTreeSprite is a bare tree drawn from its branch segments, with moss
// hanging from the branch tips in a marsh. The branches are rasterised
// once, each over its own box, so the sprite costs little however many
// branches it has.
func deadTreeSprite(segs [][5]float64, moss bool, bark, mossC rgb, hgt float64, seed uint64) sprite {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, sg := range segs {
		x0, x1 = min(x0, sg[0]-sg[4], sg[2]-sg[4]), max(x1, sg[0]+sg[4], sg[2]+sg[4])
		y0, y1 = min(y0, sg[1]-sg[4], sg[3]-sg[4]), max(y1, sg[1]+sg[4], sg[3]+sg[4]+hgt*0.12)
	}
	ix0, iy0 := int(math.Floor(x0))-2, int(math.Floor(y0))-2
	w, h := int(math.Ceil(x1))+2-ix0, int(math.Ceil(y1))+2-iy0
	wood := make([]float32, w*h)
	hang := make([]float32, w*h)
	stamp := func(mask []float32, bx0, by0, bx1, by1 float64, sd func(px, py float64) float64) {
		for y := max(int(by0)-iy0-1, 0); y < min(int(by1)-iy0+2, h); y++ {
			for x := max(int(bx0)-ix0-1, 0); x < min(int(bx1)-ix0+2, w); x++ {
				if a := float32(cover(sd(float64(x+ix0)+0.5, float64(y+iy0)+0.5))); a > mask[y*w+x] {
					mask[y*w+x] = a
				}
			}
		}
	}
	for _, sg := range segs {
		stamp(wood, min(sg[0], sg[2])-sg[4], min(sg[1], sg[3])-sg[4], max(sg[0], sg[2])+sg[4], max(sg[1], sg[3])+sg[4], func(px, py float64) float64 {
			return sdSegment(px, py, sg[0], sg[1], sg[2], sg[3]) - sg[4]
		})
	}
	if moss {
		for _, sg := range segs[1:] {
			l := hgt * 0.12 * unit(hash2(int(sg[2]), 1, seed))
			stamp(hang, sg[2]-1.5, sg[3], sg[2]+1.5, sg[3]+l, func(px, py float64) float64 {
				return sdSegment(px, py, sg[2], sg[3], sg[2], sg[3]+l) - 0.7
			})
		}
	}
	return sprite{x0: float64(ix0), y0: float64(iy0), x1: float64(ix0 + w), y1: float64(iy0 + h), shade: func(px, py float64) (rgb, float64, float64) {
		x, y := int(px)-ix0, int(py)-iy0
		if x < 0 || y < 0 || x >= w || y >= h {
			return rgb{}, 0, 0
		}
		if a := float64(wood[y*w+x]); a > 0 {
			return bark, a, 0
		}
		return mossC, 0.8 * float64(hang[y*w+x]), 0
	}}
}
