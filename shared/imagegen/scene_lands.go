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
	return &sceneLayer{top: top, depth: 0.45, paint: func(x, y int, under float64) rgb {
		n := cv.tex.fbm(float64(x)/(fh*0.04), float64(y)/(fh*0.02), 3)
		c := cv.rock.scale(0.75 + 0.35*n)
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
	for _, b := range blds {
		cx := (b.x0 + b.x1) / 2
		spire := cv.hash01(int(b.x0), 9) < 0.25
		for x := max(int(b.x0), 0); x < min(int(b.x1), cv.w); x++ {
			t := b.top
			if spire {
				t -= max(0, (b.x1-b.x0)*1.5-math.Abs(float64(x)-cx)*3)
			}
			top[x] = t
		}
	}
	lit := cv.light.windows
	wall := mix(cv.stone.scale(0.55), cv.rock, 0.3)
	l := &sceneLayer{top: top, depth: depth}
	l.paint = func(x, y int, under float64) rgb {
		if win, _ := cv.window(x, y, depth); win {
			if lit {
				return cv.mo(hex(0xffc870))
			}
			return wall.scale(0.5)
		}
		return wall.scale(0.85 + 0.2*cv.hash01(x/int(max(1, fw/60)), 3))
	}
	l.emit = func(x, y int, under float64) float64 {
		if win, on := cv.window(x, y, depth); win && lit && on {
			return 1
		}
		return 0
	}
	return l
}

// window reports whether (x, y) is a window of a skyline, and whether it is
// lit.
func (cv *sceneCanvas) window(x, y int, depth float64) (bool, bool) {
	sz := max(2, int(float64(cv.h)*0.012*(1.4-depth)))
	if (x/sz)%2 == 0 || (y/sz)%3 == 0 {
		return false, false
	}
	return true, cv.hash01(x/sz, y/sz) < 0.35
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
