package imagegen

import (
	"context"
	"math"
)

// sceneLayer is a band of land seen from the side: everything below top.
type sceneLayer struct {
	top     []float64 // the skyline of the band, per column, in pixels
	depth   float64   // 0 near .. 1 far: how much haze
	paint   func(x, y int, under float64) rgb
	emit    func(x, y int, under float64) float64 // share of the colour that glows (lava, windows), or nil
	sprites []sprite
	holds   bool // the landmark stands on this band
}

// sprite is something standing on a layer: a tree, a rock, a house.
type sprite struct {
	x0, y0, x1, y1 float64 // pixel box
	// shade returns the colour, coverage and glowing share at a pixel.
	shade func(px, py float64) (rgb, float64, float64)
}

// ridge is a skyline: base and amplitude as fractions of the height,
// freq bumps across the picture; ridged makes sharp peaks.
func (cv *sceneCanvas) ridge(base, amp, freq float64, octaves int, ridged bool, salt float64) []float64 {
	fw, fh := float64(cv.w), float64(cv.h)
	out := make([]float64, cv.w)
	off := unit(hash2(int(salt*1000), 5, cv.sc.seed)) * 200
	for x := range cv.w {
		n := cv.tex.fbm(float64(x)/fw*freq+off, salt*31.7, octaves)
		if ridged {
			n = 1 - math.Abs(2*n-1)
		}
		out[x] = fh * (base - amp*(n*1.6-0.3))
	}
	return out
}

// slope is the skyline's rise to the right at column x, for lighting.
func slope(top []float64, x int) float64 {
	a, b := top[max(x-2, 0)], top[min(x+2, len(top)-1)]
	return (a - b) / 4
}

// paintLayer paints a band, lit and hazed for its depth.
func (cv *sceneCanvas) paintLayer(ctx context.Context, l *sceneLayer) error {
	for y := range cv.h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		py := float64(y) + 0.5
		for x := range cv.w {
			under := py - l.top[x]
			if under < -1 {
				continue
			}
			c := cv.lit(l.paint(x, y, under), l.depth)
			if l.emit != nil {
				if e := l.emit(x, y, under); e > 0 {
					c = mix(c, l.paint(x, y, under), e)
				}
			}
			i := y*cv.img.Stride + x*4
			put(cv.img.Pix, i, mix(get(cv.img.Pix, i), c, clamp01(under+0.5)))
		}
	}
	return nil
}

// drawSprite composites a sprite, lit and hazed for depth.
func (cv *sceneCanvas) drawSprite(s sprite, depth float64) {
	eachPixel(cv.img, s.x0, s.y0, s.x1, s.y1, func(i int, px, py float64) {
		c, a, e := s.shade(px, py)
		if a <= 0 {
			return
		}
		lc := cv.lit(c, depth)
		if e > 0 {
			lc = mix(lc, c, e)
		}
		put(cv.img.Pix, i, mix(get(cv.img.Pix, i), lc, a))
	})
}

// layers builds the far, middle and near bands of the scene's landform.
func (cv *sceneCanvas) layers() []*sceneLayer {
	s := cv.spec
	var far, mid, near *sceneLayer
	switch s.land {
	case landMountains:
		far, mid = cv.mountainLayer(0.48, 0.2, 1, 0.3), cv.mountainLayer(0.64, 0.1, 0.55, 1.7)
		near = cv.groundLayer(0.84, 0.04)
		if s.pass {
			near = cv.groundLayer(0.74, 0.01)
		}
	case landDesert:
		far, mid, near = cv.duneLayer(0.6, 0.04, 1, 0.2), cv.duneLayer(0.68, 0.06, 0.5, 1.1), cv.duneLayer(0.8, 0.08, 0.1, 2.3)
	case landCoast:
		// The headland is nearer than the sea it runs into.
		far, mid, near = cv.mountainLayer(0.56, 0.04, 1, 0.4), cv.seaLayer(), cv.headlandLayer()
		near.holds = true
		cv.scatter(near, near)
		return []*sceneLayer{far, mid, near}
	case landSwamp:
		far, mid, near = cv.hillLayer(0.56, 0.03, 1, 0.5), cv.treelineLayer(0.62, 0.55, treeDead), cv.marshLayer()
	case landCity:
		far, mid, near = cv.skylineLayer(0.6, 0.28, 1), cv.skylineLayer(0.72, 0.16, 0.5), cv.groundLayer(0.9, 0.01)
	case landVolcanic:
		far, mid, near = cv.volcanoLayer(), cv.mountainLayer(0.7, 0.06, 0.5, 2.1), cv.lavaLayer()
	case landForest:
		far, mid = cv.hillLayer(0.55, 0.05, 1, 0.5), cv.treelineLayer(0.62, 0.5, cv.treeKind())
		near = cv.groundLayer(0.86, 0.02)
		near.paint = cv.forestFloor(near.paint)
		mid.holds = true
		cv.scatter(mid, near)
		return []*sceneLayer{far, mid, cv.forestEdge(), near}
	default: // hills, and the view out of a cave
		far, mid, near = cv.mountainLayer(0.52, 0.08, 1, 0.6), cv.hillLayer(0.66, 0.06, 0.5, 1.3), cv.groundLayer(0.84, 0.04)
	}
	mid.holds = true
	cv.scatter(mid, near)
	if s.pass {
		return []*sceneLayer{far, mid, near, cv.passSlopes()}
	}
	return []*sceneLayer{far, mid, near}
}

// treeKind is the tree of the climate.
func (cv *sceneCanvas) treeKind() int {
	switch cv.spec.climate {
	case climateSnow:
		return treePine
	case climateMarsh, climateAsh:
		return treeDead
	case climateDesert:
		return treeCactus
	case climateTropical:
		return treeJungle
	}
	if cv.sc.pal.deadTrees {
		return treeDead
	}
	return treeBroad
}

// mountainLayer is a range of peaks: rock faces lit from the left, snow
// above a snow line (or all over, streaked with rock, in a cold land).
func (cv *sceneCanvas) mountainLayer(base, amp, depth, salt float64) *sceneLayer {
	top := cv.ridge(base, amp, 2.4+salt, 5, true, salt)
	fh := float64(cv.h)
	snowLine := fh * (base - amp*0.55)
	allSnow := cv.spec.climate == climateSnow
	if cv.spec.climate == climateDesert || cv.spec.climate == climateAsh || cv.spec.climate == climateTropical {
		snowLine = -1
	}
	rock := cv.rock
	if depth < 0.9 && !allSnow {
		rock = mix(cv.rock, cv.ground, 0.35)
		snowLine = -1 // only the far peaks are capped
	}
	snowAt := func(x, y int, n float64) bool {
		if allSnow {
			return cv.gully(x, y, salt) < 0.5
		}
		return float64(y) < snowLine+fh*0.04*(n-0.5)*4 && cv.gully(x, y, salt) < 0.6
	}
	l := &sceneLayer{top: top, depth: depth, paint: func(x, y int, under float64) rgb {
		light, n := cv.rockLight(x, y, under, top, salt)
		c := rock.scale(light * (0.85 + 0.3*n))
		if snowAt(x, y, n) {
			c = cv.snow.scale(0.72 + 0.3*light)
		}
		return c.scale(1 - 0.2*smoothstep(0, fh*0.3, under))
	}}
	if allSnow || snowLine >= 0 {
		l.emit = func(x, y int, under float64) float64 {
			if _, n := cv.rockLight(x, y, under, top, salt); snowAt(x, y, n) {
				return snowGlow
			}
			return 0
		}
	}
	return l
}

// snowGlow is the share of its own colour snow keeps under the light and
// haze of dusk, night or distance: snow still reads white.
const snowGlow = 0.55

// rockLight is how lit a rock face is at (x, y): faces turned left catch
// the light, the skyline's slope counts near the top. It also returns the
// face's noise.
func (cv *sceneCanvas) rockLight(x, y int, under float64, top []float64, salt float64) (float64, float64) {
	fh := float64(cv.h)
	s := fh * 0.07
	px, py := float64(x)/s+salt*40, float64(y)/(s*1.6)
	n := cv.tex.fbm(px, py, 4)
	gx := cv.tex.fbm(px-0.15, py, 4) - cv.tex.fbm(px+0.15, py, 4)
	light := 0.9 + 3.5*gx
	light += clamp01(slope(top, x)*1.5+0.3) * 0.35 * math.Exp(-under/(fh*0.05))
	return min(max(light, 0.5), 1.3), n
}

// gully is high where rock shows through snow: streaks running down.
func (cv *sceneCanvas) gully(x, y int, salt float64) float64 {
	fh := float64(cv.h)
	g := cv.tex.fbm(float64(x)/(fh*0.025)+salt*17, float64(y)/(fh*0.12), 3)
	return smoothstep(0.58, 0.66, g)
}

// hillLayer is rolling hills under grass (or the climate's ground).
func (cv *sceneCanvas) hillLayer(base, amp, depth, salt float64) *sceneLayer {
	top := cv.ridge(base, amp, 1.6+salt, 4, false, salt)
	fh := float64(cv.h)
	return &sceneLayer{top: top, depth: depth, paint: func(x, y int, under float64) rgb {
		n := cv.tex.fbm(float64(x)/(fh*0.1)+salt*70, float64(y)/(fh*0.03), 3)
		lightK := 0.9 + 0.3*clamp01(slope(top, x)*2+0.4)
		return cv.ground.scale(lightK * (0.85 + 0.25*n) * (1 - 0.15*smoothstep(0, fh*0.2, under)))
	}}
}

// groundLayer is the near ground: the climate's ground with a worn trail.
func (cv *sceneCanvas) groundLayer(base, amp float64) *sceneLayer {
	top := cv.ridge(base, amp, 1.5, 3, false, 3.1)
	fw, fh := float64(cv.w), float64(cv.h)
	pathX := fw * (0.35 + 0.3*unit(hash2(1, 2, cv.sc.seed)))
	l := &sceneLayer{top: top, depth: 0.05, paint: func(x, y int, under float64) rgb {
		px, py := float64(x), float64(y)
		n := cv.tex.fbm(px/(fh*0.03), py/(fh*0.015), 3)
		c := cv.ground.scale(0.8 + 0.35*n)
		// A trail widening toward the viewer.
		t := clamp01(under / (fh - top[x] + 1))
		if math.Abs(px-pathX-fw*0.1*math.Sin(t*3)) < fw*(0.01+0.08*t) {
			c = mix(c, mix(cv.ground, hex(0x8a7050), 0.6).scale(0.9+0.2*n), 0.8)
		}
		return c.scale(0.85 + 0.15*(1-t))
	}}
	if cv.spec.climate == climateSnow {
		l.emit = func(int, int, float64) float64 { return snowGlow * 0.8 }
	}
	return l
}

// passSlopes are a pass's walls: steep slopes either side, nearest of
// all, leaving the trail between them open.
func (cv *sceneCanvas) passSlopes() *sceneLayer {
	fw, fh := float64(cv.w), float64(cv.h)
	top := make([]float64, cv.w)
	for x := range cv.w {
		u := float64(x) / fw
		v := 2.0
		switch {
		case u < 0.42:
			v = 0.38 + 0.5*(u/0.42) + 0.05*cv.tex.fbm(u*12, 3, 3)
		case u > 0.58:
			v = 0.34 + 0.54*((1-u)/0.42) + 0.05*cv.tex.fbm(u*12, 4, 3)
		}
		top[x] = fh * v
	}
	allSnow := cv.spec.climate == climateSnow
	l := &sceneLayer{top: top, depth: 0.02, paint: func(x, y int, under float64) rgb {
		light, n := cv.rockLight(x, y, under, top, 5.5)
		c := cv.rock.scale(light * (0.8 + 0.35*n))
		if allSnow && cv.gully(x, y, 5.5) < 0.5 {
			c = cv.snow.scale(0.7 + 0.32*light)
		}
		return c
	}}
	if allSnow {
		l.emit = func(x, y int, _ float64) float64 {
			if cv.gully(x, y, 5.5) < 0.5 {
				return snowGlow
			}
			return 0
		}
	}
	return l
}

// duneLayer is a band of dunes: smooth swells with sharp crests, the
// windward faces lit and the lee faces in shadow just under each crest.
func (cv *sceneCanvas) duneLayer(base, amp, depth, salt float64) *sceneLayer {
	fw, fh := float64(cv.w), float64(cv.h)
	top := make([]float64, cv.w)
	ph := unit(hash2(int(salt*10), 9, cv.sc.seed)) * 6
	for x := range cv.w {
		u := float64(x) / fw * (1.5 + salt)
		w := u + 0.25*math.Sin(u*1.7+ph)
		saw := w - math.Floor(w)
		// A long windward rise to a sharp crest, then a short slip face.
		profile := math.Pow(saw/0.78, 1.4)
		if saw > 0.78 {
			profile = 0.5 + 0.5*math.Cos((saw-0.78)/0.22*math.Pi)
		}
		top[x] = fh * (base - amp*(profile+0.3*cv.tex.fbm(u, salt, 2)))
	}
	return &sceneLayer{top: top, depth: depth, paint: func(x, y int, under float64) rgb {
		sl := slope(top, x)
		crest := math.Exp(-under / (fh * 0.06))
		k := 1 + 0.25*clamp01(sl*2)*crest - 0.35*clamp01(-sl*2)*crest
		rip := 0.97 + 0.05*math.Sin(float64(y)/fh*260+float64(x)/fw*14+cv.tex.at(float64(x)/fw*20, float64(y)/fh*20)*3)
		return cv.ground.scale(k * rip * (1 - 0.12*smoothstep(0, fh*0.2, under)))
	}}
}

// hash01 is a stable pseudo-random number in 0..1 for (a, b).
func (cv *sceneCanvas) hash01(a, b int) float64 { return unit(hash2(a, b, cv.sc.seed)) }
