package imagegen

import "math"

// treelineLayer is a band of woodland: a ground strip whose skyline is
// crowded with tree silhouettes.
func (cv *sceneCanvas) treelineLayer(base, depth float64, kind int) *sceneLayer {
	l := cv.hillLayer(base, 0.02, depth, 2.7)
	if cv.sc.rm.has(rmTrees) {
		return l
	}
	fw, fh := float64(cv.w), float64(cv.h)
	for x := -fw * 0.02; x < fw*1.02; x += fw * (0.012 + 0.018*cv.hash01(int(x), 1)) {
		xi := min(max(int(x), 0), cv.w-1)
		hgt := fh * (0.07 + 0.07*cv.hash01(int(x), 2))
		l.sprites = append(l.sprites, cv.treeSprite(kind, x, l.top[xi]+fh*0.015, hgt, cv.foliage.scale(0.85), int(x)))
	}
	return l
}

// marshLayer is still, dark water reflecting the sky and the trees, with
// mud banks, reeds and dead trees.
func (cv *sceneCanvas) marshLayer() *sceneLayer {
	fh := float64(cv.h)
	top := cv.ridge(0.64, 0.005, 1, 2, false, 4.2)
	waterline := top
	l := &sceneLayer{top: top, depth: 0.15}
	l.paint = func(x, y int, under float64) rgb {
		px, py := float64(x), float64(y)
		// Hummocks of mud and grass break the water.
		mud := cv.tex.fbm(px/(fh*0.25), py/(fh*0.05), 3) - 0.02*under/fh*10
		if mud > 0.62 {
			return cv.ground.scale(0.8 + 0.3*cv.tex.at(px/(fh*0.02), py/(fh*0.01)))
		}
		return cv.reflect(x, y, waterline[x], cv.water, 0.5)
	}
	if !cv.sc.rm.has(rmTrees) {
		fw := float64(cv.w)
		for _, side := range []float64{0.08, 0.9} {
			x := fw * (side + 0.04*(cv.hash01(int(side*10), 3)-0.5))
			l.sprites = append(l.sprites, cv.treeSprite(treeDead, x, fh*0.93, fh*0.55, cv.foliage.scale(0.5), 77+int(side*10)))
		}
		for k := range 40 {
			x := cv.hash01(k, 11) * fw
			y := top[min(int(x), cv.w-1)] + cv.hash01(k, 12)*(fh-top[min(int(x), cv.w-1)])
			l.sprites = append(l.sprites, cv.reedSprite(x, y, fh*0.03*(0.5+y/fh)))
		}
	}
	return l
}

// reflect is water at (x, y) below waterline: the picture above mirrored,
// rippled, tinted by the water.
func (cv *sceneCanvas) reflect(x, y int, waterline float64, water rgb, tint float64) rgb {
	fh := float64(cv.h)
	d := float64(y) - waterline
	ry := int(waterline - d - 1)
	rx := x + int(3*math.Sin(float64(y)*0.35+cv.tex.at(float64(x)/20, float64(y)/6)*4))
	rx = min(max(rx, 0), cv.w-1)
	var c rgb
	if ry >= 0 && ry < cv.h {
		c = get(cv.img.Pix, ry*cv.img.Stride+rx*4)
	} else {
		c = cv.light.skyTop
	}
	// Undo the ambient light, which lit() applies again.
	a := cv.light.ambient
	c = rgb{c.r / max(a.r, 0.05), c.g / max(a.g, 0.05), c.b / max(a.b, 0.05)}
	c = mix(c, water, tint+0.3*clamp01(d/(fh*0.3)))
	return c.scale(0.8)
}

// seaLayer is the sea from the horizon to a beach: swell lines, the sky
// mirrored, foam at the shore.
func (cv *sceneCanvas) seaLayer() *sceneLayer {
	fw, fh := float64(cv.w), float64(cv.h)
	horizon := fh * 0.56
	top := make([]float64, cv.w)
	shore := make([]float64, cv.w)
	for x := range cv.w {
		top[x] = horizon
		shore[x] = fh * (0.84 + 0.04*cv.tex.fbm(float64(x)/fw*3, 6, 3))
	}
	sand := cv.mo(hex(0xd8c498))
	if cv.spec.climate == climateSnow {
		sand = cv.snow
	}
	return &sceneLayer{top: top, depth: 0.3, paint: func(x, y int, under float64) rgb {
		py := float64(y)
		if py > shore[x] {
			n := cv.tex.fbm(float64(x)/(fh*0.03), py/(fh*0.01), 2)
			return sand.scale(0.8 + 0.3*n)
		}
		t := clamp01(under / (shore[x] - horizon))
		c := cv.reflect(x, y, horizon, cv.water, 0.45+0.2*t)
		// Swell: lines that widen toward the viewer.
		swell := math.Sin(math.Pow(t, 0.5)*90 + cv.tex.at(float64(x)/(fw*0.05), py/(fh*0.02))*3)
		c = c.scale(0.92 + 0.12*swell)
		foam := smoothstep(fh*0.02, 0, shore[x]-py)
		return mix(c, rgb{0.92, 0.95, 0.96}, 0.7*foam)
	}}
}

// headlandLayer is a cliff-edged headland running out from one side.
func (cv *sceneCanvas) headlandLayer() *sceneLayer {
	fw, fh := float64(cv.w), float64(cv.h)
	left := cv.hash01(3, 3) < 0.5
	top := make([]float64, cv.w)
	for x := range cv.w {
		u := float64(x) / fw
		if !left {
			u = 1 - u
		}
		v := 0.44 + 0.3*smoothstep(0.2, 0.42, u) + 0.02*cv.tex.fbm(u*10, 5, 3)
		if u > 0.42 {
			v = 2 // no land: open sea
		}
		top[x] = fh * v
	}
	return &sceneLayer{top: top, depth: 0.2, paint: func(x, y int, under float64) rgb {
		light, n := cv.rockLight(x, y, under, top, 7.7)
		c := cv.rock.scale(light * (0.75 + 0.35*n))
		if under < fh*0.02 {
			c = cv.ground.scale(0.9 + 0.2*n) // turf on the cliff top
		}
		return c
	}}
}

// skylineLayer is a row of buildings: towers, domes and spires, windows
// lit at dusk and night.
func (cv *sceneCanvas) skylineLayer(base, amp, depth float64) *sceneLayer {
	fw, fh := float64(cv.w), float64(cv.h)
	top := make([]float64, cv.w)
	type bld struct{ x0, x1, top float64 }
	var blds []bld
	for x := 0.0; x < fw; {
		bw := fw * (0.03 + 0.05*cv.hash01(int(x), int(base*100)))
		ht := fh * amp * (0.25 + 0.75*math.Pow(cv.hash01(int(x), 7+int(depth*10)), 1.5))
		blds = append(blds, bld{x, x + bw, fh*base - ht})
		x += bw
	}
	ruined := cv.spec.ruined
	for i, b := range blds {
		cx := (b.x0 + b.x1) / 2
		spire := cv.hash01(int(b.x0), 9) < 0.25 && !ruined
		stump := fh * amp * 0.6 * cv.hash01(i, 19) // how much of a ruin has fallen
		for x := max(int(b.x0), 0); x < min(int(b.x1), cv.w); x++ {
			t := b.top
			if spire {
				t -= max(0, (b.x1-b.x0)*1.5-math.Abs(float64(x)-cx)*3)
			}
			if ruined {
				// Broken off: a jagged top, lower on one side.
				jag := fh * 0.06 * cv.tex.fbm(float64(x)/(fw*0.015), float64(i), 3)
				t = min(t+stump+jag+(float64(x)-b.x0)*0.3*(cv.hash01(i, 23)-0.5), fh*base)
			}
			top[x] = t
		}
	}
	lit := cv.light.windows && !ruined
	wall := mix(cv.stone.scale(0.55), cv.rock, 0.3)
	tint := make([]float64, cv.w)
	for i, b := range blds {
		for x := max(int(b.x0), 0); x < min(int(b.x1), cv.w); x++ {
			tint[x] = 0.75 + 0.35*cv.hash01(i, 13)
			if x-int(b.x0) < 2 {
				tint[x] *= 1.15 // the lit corner of each building
			}
		}
	}
	l := &sceneLayer{top: top, depth: depth}
	l.paint = func(x, y int, under float64) rgb {
		if win, on := cv.window(x, y, depth); win && under > 3 {
			if lit && on {
				return cv.mo(hex(0xffc870))
			}
			return wall.scale(0.45 * tint[x])
		}
		return wall.scale(tint[x] * (0.95 + 0.1*cv.tex.at(float64(x)/4, float64(y)/4)))
	}
	l.emit = func(x, y int, under float64) float64 {
		if win, on := cv.window(x, y, depth); win && lit && on && under > 3 {
			return 1
		}
		return 0
	}
	return l
}

// window reports whether (x, y) is a window of a skyline, and whether it is
// lit.
func (cv *sceneCanvas) window(x, y int, depth float64) (bool, bool) {
	sz := max(2, int(float64(cv.h)*0.01*(1.4-depth)))
	if (x/sz)%3 != 1 || (y/sz)%3 != 1 {
		return false, false
	}
	return true, cv.hash01(x/sz, y/sz) < 0.4
}

// volcanoLayer is a volcano's cone with a glowing crater and a plume.
func (cv *sceneCanvas) volcanoLayer() *sceneLayer {
	fw, fh := float64(cv.w), float64(cv.h)
	vx := fw * (0.35 + 0.3*cv.hash01(8, 8))
	top := cv.ridge(0.6, 0.04, 2, 3, true, 0.9)
	for x := range cv.w {
		d := math.Abs(float64(x)-vx) / (fw * 0.3)
		cone := fh * (0.22 + 0.38*d*d*0.5 + 0.3*d)
		crater := fh * 0.03 * clamp01(1-math.Abs(float64(x)-vx)/(fw*0.04))
		top[x] = min(top[x], cone+crater)
	}
	l := &sceneLayer{top: top, depth: 0.8}
	if !cv.sc.rm.has(rmMist) {
		l.sprites = append(l.sprites, cv.plumeSprite(vx, top[min(max(int(vx), 0), cv.w-1)]))
	}
	lava := cv.water
	l.paint = func(x, y int, under float64) rgb {
		n := cv.tex.fbm(float64(x)/(fh*0.04), float64(y)/(fh*0.02), 3)
		c := cv.rock.scale(0.8 + 0.4*n)
		if flow := math.Abs(float64(x) - vx - fw*0.03*math.Sin(float64(y)/fh*20)); flow < fw*0.006*(1+under/fh*4) {
			return lava
		}
		return c
	}
	l.emit = func(x, y int, under float64) float64 {
		if flow := math.Abs(float64(x) - vx - fw*0.03*math.Sin(float64(y)/fh*20)); flow < fw*0.006*(1+under/fh*4) {
			return 1
		}
		return 0
	}
	return l
}

// lavaLayer is scorched near ground split by a river of lava.
func (cv *sceneCanvas) lavaLayer() *sceneLayer {
	l := cv.groundLayer(0.82, 0.03)
	fw, fh := float64(cv.w), float64(cv.h)
	inLava := func(x, y int, under float64) bool {
		px := float64(x)
		c := fw*0.55 + fw*0.15*math.Sin(float64(y)/fh*9+1)
		return math.Abs(px-c) < fw*0.03*(1+under/fh*6)
	}
	inner := l.paint
	l.paint = func(x, y int, under float64) rgb {
		if inLava(x, y, under) {
			return mix(cv.water, hex(0xffe08a), 0.3*cv.tex.fbm(float64(x)/(fh*0.02), float64(y)/(fh*0.02), 2))
		}
		return inner(x, y, under)
	}
	l.emit = func(x, y int, under float64) float64 {
		if inLava(x, y, under) {
			return 1
		}
		return 0
	}
	return l
}

// scatter stands trees and rocks on the middle and near bands.
func (cv *sceneCanvas) scatter(mid, near *sceneLayer) {
	fw, fh := float64(cv.w), float64(cv.h)
	kind := cv.treeKind()
	if cv.spec.land == landDesert || cv.spec.land == landCity || cv.spec.land == landVolcanic {
		kind = -1
	}
	if cv.sc.rm.has(rmTrees) || cv.spec.land == landSwamp || cv.spec.land == landCoast {
		kind = -1
	}
	if kind >= 0 && cv.spec.land != landForest {
		for k := range 24 {
			x := cv.hash01(k, 21) * fw
			if cv.tex.fbm(x/fw*4, 2, 2) < 0.45 {
				continue
			}
			y := mid.top[min(int(x), cv.w-1)] + fh*0.01
			mid.sprites = append(mid.sprites, cv.treeSprite(kind, x, y, fh*(0.04+0.03*cv.hash01(k, 22)), cv.foliage, k))
		}
	}
	if kind >= 0 {
		for _, side := range []float64{0.03, 0.95} {
			if cv.spec.land != landForest && cv.hash01(int(side*100), 5) < 0.5 {
				continue
			}
			x := fw * side
			near.sprites = append(near.sprites, cv.treeSprite(kind, x, fh*1.02, fh*0.62, cv.foliage.scale(0.6), int(side*100)))
		}
	}
	if cv.sc.rm.has(rmRocks) {
		return
	}
	for k := range 5 {
		x := cv.hash01(k, 31) * fw
		xi := min(int(x), cv.w-1)
		y := near.top[xi] + (fh-near.top[xi])*(0.2+0.6*cv.hash01(k, 32))
		near.sprites = append(near.sprites, cv.rockSprite(x, y, fh*0.025*(0.6+y/fh)))
	}
}

// plumeSprite is a column of smoke rising from (x, y), widening as it
// climbs and drifting to the side, lit red at its foot.
func (cv *sceneCanvas) plumeSprite(x, y float64) sprite {
	fw, fh := float64(cv.w), float64(cv.h)
	smoke := hex(0x3a3434)
	return sprite{x0: x - fw*0.35, y0: 0, x1: x + fw*0.35, y1: y + 2, shade: func(px, py float64) (rgb, float64, float64) {
		t := (y - py) / y // 0 at the crater, 1 at the top of the picture
		cx := x + fw*0.12*t*t
		half := fw * (0.025 + 0.2*t)
		n := cv.tex.fbm(px/(fw*0.06), py/(fh*0.06), 4)
		d := math.Abs(px-cx)/half - (0.7 + 0.6*n)
		a := clamp01(-d*3) * (0.95 - 0.3*t)
		c := mix(hex(0xd0602a), smoke.scale(0.7+0.5*n), smoothstep(0, 0.25, t))
		return c, a, 0.6 * (1 - smoothstep(0, 0.2, t))
	}}
}

// forestEdge is a band of tall trees nearer than the treeline, open in
// the middle where a landmark stands.
func (cv *sceneCanvas) forestEdge() *sceneLayer {
	l := cv.hillLayer(0.78, 0.02, 0.25, 3.9)
	l.paint = cv.forestFloor(l.paint)
	if cv.sc.rm.has(rmTrees) {
		return l
	}
	fw, fh := float64(cv.w), float64(cv.h)
	kind := cv.treeKind()
	for x := fw * 0.01; x < fw; x += fw * (0.05 + 0.05*cv.hash01(int(x), 81)) {
		if cv.spec.landmark != markNone && x > fw*0.3 && x < fw*0.72 {
			continue
		}
		hgt := fh * (0.22 + 0.14*cv.hash01(int(x), 82))
		leaf := cv.foliage.scale(0.8 + 0.3*cv.hash01(int(x), 83))
		l.sprites = append(l.sprites, cv.treeSprite(kind, x, l.top[min(int(x), cv.w-1)]+fh*0.02, hgt, leaf, int(x)+500))
	}
	return l
}

// forestFloor darkens ground under the trees and dapples it with ferns.
func (cv *sceneCanvas) forestFloor(inner func(x, y int, under float64) rgb) func(x, y int, under float64) rgb {
	fh := float64(cv.h)
	return func(x, y int, under float64) rgb {
		c := inner(x, y, under)
		fern := cv.tex.fbm(float64(x)/(fh*0.012), float64(y)/(fh*0.006), 2)
		return mix(c.scale(0.75), cv.foliage.scale(1.2), 0.35*smoothstep(0.5, 0.7, fern))
	}
}
