package imagegen

import "math"

// Geometry of the head, all in units.

func (f *figure) hy() float64        { return f.race.headY }
func (f *figure) shoulderY() float64 { return f.race.headY + f.race.ry + 0.095 }
func (f *figure) mouthY() float64    { return f.race.headY + 0.115*f.race.ry/0.175 }

// hooded reports whether a hood covers the head. Peoples whose pointed
// ears, horns, tusks or snout tell who they are wear it down.
func (f *figure) hooded() bool {
	r := f.race
	return f.class.head == headHood && !f.rm.has(rmHeadgear) && r.ears == earRound && !r.horns && !r.snout && !r.tusks
}

// headSD is the face and skull: a cranium and a jaw, or a dragon's head.
func (f *figure) headSD(u, v float64) float64 {
	r := f.race
	hy := r.headY
	if r.snout {
		cran := sdEllipse(u, v-(hy-0.03), r.rx, r.ry*0.78)
		muzzle := sdEllipse(u, v-(hy+0.085), r.rx*0.6, r.ry*0.6)
		frills := math.Inf(1)
		for _, s := range []float64{-1, 1} {
			frills = min(frills, sdPoly(u, v, [][2]float64{{s * r.rx * 0.8, hy - 0.05}, {s * r.rx * 1.45, hy + 0.07}, {s * r.rx * 0.65, hy + 0.09}}))
		}
		return smin(smin(cran, muzzle, 0.05), frills, 0.03)
	}
	cran := sdEllipse(u, v-(hy-0.015), r.rx, r.ry*0.92)
	jaw := sdEllipse(u, v-(hy+0.065), r.rx*r.jaw, r.ry*0.62)
	return smin(cran, jaw, 0.04)
}

// neckAndHead returns neck, ears, head, beard, tusks, hair and horns.
func (f *figure) neckAndHead() []layer {
	r := f.race
	hy, sy := r.headY, f.shoulderY()
	var ls []layer
	if f.class.head == headHood && !f.hooded() && !f.rm.has(rmHeadgear) {
		ls = append(ls, f.cowl())
	}
	nw := r.neck
	ls = append(ls, part(-nw, hy, nw, sy+0.03,
		func(u, v float64) float64 { return sdBox(u, v-(hy+sy)/2, nw, (sy-hy)/2) },
		func(u, v, d float64) rgb {
			c := f.skin.scale(0.72 + 0.2*smoothstep(hy+0.15, sy, v))
			if r.snout {
				// Throat plates.
				if math.Mod(v*60, 1) < 0.12 {
					c = c.scale(0.8)
				}
				c = mix(c, hex(0xe8d8a8), 0.3*(1-smoothstep(0, nw*0.7, math.Abs(u))))
			}
			return formShade(c, u, v, d, -nw*0.5, hy+0.1, 0.2)
		}))
	ls = append(ls, f.ears()...)
	ls = append(ls, part(-r.rx*1.5, hy-r.ry-0.01, r.rx*1.5, hy+r.ry+0.02, f.headSD, f.paintHead))
	if f.beard {
		ls = append(ls, f.beardLayer())
	}
	if r.tusks {
		ls = append(ls, f.tusks()...)
	}
	if !f.hooded() {
		ls = append(ls, f.frontHair()...)
	}
	if r.horns {
		ls = append(ls, f.horns()...)
	}
	return ls
}

// paintHead shades the skin as a lit ellipsoid and draws the face on it.
func (f *figure) paintHead(u, v, d float64) rgb {
	r := f.race
	hy := r.headY
	nx, ny := u/r.rx, (v-hy)/r.ry
	nz := math.Sqrt(max(0, 1-0.8*(nx*nx+ny*ny)))
	diffuse := clamp01(-0.45*nx - 0.5*ny + 0.8*nz)
	c := f.skin.scale(0.6 + 0.5*diffuse)
	c = mix(c, f.skin.saturate(1.4).scale(0.7), 0.25*smoothstep(-0.03, 0, d))
	if r.snout {
		c = f.scales(c, u, v)
	}
	if r.marks {
		c = f.markings(c, u, v)
	}
	if f.hooded() {
		c = c.scale(1 - 0.55*smoothstep(hy+0.05, hy-0.12, v))
	}
	if f.style == hairBald && !f.hooded() && !r.snout {
		// A shine on the scalp.
		hx, hh := (u+r.rx*0.35)/(r.rx*0.3), (v-(hy-r.ry*0.7))/(r.ry*0.12)
		c = mix(c, rgb{1, 1, 1}, 0.25*clamp01(1-hx*hx-hh*hh))
	}
	if r.snout {
		c = f.dragonFace(c, u, v)
	} else {
		c = f.face(c, u, v)
	}
	return f.faceMarks(c, u, v)
}

// face draws eyes, brows, nose and mouth.
func (f *figure) face(c rgb, u, v float64) rgb {
	r := f.race
	hy, px := r.headY, f.px
	ex, ey := r.rx*0.4, hy+0.005
	ew, eh := r.rx*0.2, r.rx*0.085
	if r.ears == earLong {
		eh *= 1.1
	}
	// Cheeks.
	for _, s := range []float64{-1, 1} {
		b := math.Hypot(u-s*r.rx*0.55, v-(hy+0.065))
		c = mix(c, hex(0xd0606a), 0.16*(1-smoothstep(0, 0.035, b)))
	}
	for _, s := range []float64{-1, 1} {
		x, y := u-s*ex, v-ey
		if r.ears == earLong {
			y += s * x * 0.3 // outer corners lifted
		}
		c = f.drawEye(c, x, y, ew, eh, s)
		// Brows: level, or angled down toward the nose when evil.
		inner, outer := ey-eh*2.4, ey-eh*2.9
		if f.evil {
			inner += eh * 1.0
		}
		bw := eh * 0.42
		if r.name == "half-orc" || r.name == "goliath" || r.name == "dwarf" {
			bw *= 1.5
		}
		bro := sdCapsule(u, v, s*ex*0.4, inner, s*(ex+ew*0.95), outer, bw)
		c = mix(c, f.hair.scale(0.7), cover(bro/px))
	}
	c = f.nose(c, u, v)
	return f.mouth(c, u, v)
}

// eye draws one eye at local (x, y), s being the side.
func (f *figure) drawEye(c rgb, x, y, ew, eh, s float64) rgb {
	px := f.px
	e := sdEllipse(x, y, ew, eh)
	if e > 3*px {
		return c
	}
	white := hex(0xf2eee6)
	iris := f.eye
	if f.marks.clouded {
		iris = mix(iris, hex(0xe4e6ea), 0.75) // milky, sightless
	}
	if f.race.solidEyes {
		white = iris.scale(1.1)
	}
	col := white
	if !f.race.solidEyes {
		ic := sdCircle(x+s*ew*0.08, y, eh*1.05)
		col = mix(col, iris.scale(0.7+0.5*clamp01(-y/eh+0.5)), cover(ic/px))
		if !f.marks.clouded {
			col = mix(col, hex(0x101014), cover(sdCircle(x+s*ew*0.08, y, eh*0.45)/px))
		}
	} else {
		col = col.scale(0.85 + 0.3*clamp01(-y/eh))
	}
	// Shade under the upper lid, a glint.
	col = col.scale(1 - 0.3*smoothstep(0, -eh, y))
	col = mix(col, rgb{1, 1, 1}, cover(sdCircle(x+ew*0.2, y+eh*0.35, eh*0.28)/px))
	c = mix(c, col, cover(e/px))
	lid := math.Abs(e) - px*(0.5+1.5*smoothstep(eh*0.2, -eh*0.8, y))
	return mix(c, f.ink, 0.9*cover(lid/px))
}

// nose draws a nose's shadowed side and nostril.
func (f *figure) nose(c rgb, u, v float64) rgb {
	r := f.race
	hy, px := r.headY, f.px
	nr := 0.012
	if r.bigNose {
		nr = 0.02
		// A round, lit nose tip.
		tip := sdCircle(u, v-(hy+0.06), nr)
		c = mix(c, f.skin.scale(1.05), 0.5*cover(tip/px))
	}
	under := sdEllipse(u-0.004, v-(hy+0.079), nr*1.5, 0.006)
	c = c.scale(1 - 0.25*(1-smoothstep(-0.004, 0.006, under)))
	side := sdCapsule(u, v, 0.006, hy+0.02, nr*0.9, hy+0.065, 0.0015)
	c = mix(c, f.skin.scale(0.55), 0.6*cover(side/px))
	nostril := sdArc(u, v, 0, hy+0.062, nr, math.Pi*0.15, math.Pi*0.85, 0.0017)
	return mix(c, f.ink, 0.75*cover(nostril/px))
}

// mouth draws a smile, a flat line or an evil smirk.
func (f *figure) mouth(c rgb, u, v float64) rgb {
	px := f.px
	my := f.mouthY()
	var m float64
	switch {
	case f.evil:
		m = min(sdCapsule(u, v, -0.032, my+0.002, 0.02, my-0.002, 0.0022),
			sdArc(u, v, 0.02, my-0.012, 0.011, 0, math.Pi*0.5, 0.002))
	case f.good:
		m = sdArc(u, v, 0, my-0.035, 0.04, math.Pi*0.3, math.Pi*0.7, 0.0024)
	default:
		m = sdArc(u, v, 0, my-0.12, 0.12, math.Pi*0.42, math.Pi*0.58, 0.0022)
	}
	// The lower lip catches light; under it, a shadow.
	lip := sdEllipse(u, v-(my+0.014), 0.022, 0.007)
	c = mix(c, f.skin.scale(0.85).add(rgb{0.05, 0, 0}), 0.5*cover(lip/px))
	return mix(c, hex(0x5a2a2a), cover(m/px))
}

// scales draws a dragonborn's scale pattern.
func (f *figure) scales(c rgb, u, v float64) rgb {
	const sz = 0.022
	row := math.Floor(v / sz)
	off := 0.5 * math.Mod(math.Abs(row), 2)
	fx := u/sz + off
	cx := fx - math.Floor(fx) - 0.5
	cy := v/sz - row
	edge := smoothstep(0.16, 0.26, cx*cx+cy*cy*0.9)
	return c.scale(1.05 - 0.25*edge)
}

// markings draws a goliath's dark skin markings.
func (f *figure) markings(c rgb, u, v float64) rgb {
	r := f.race
	hy, px := r.headY, f.px
	d := math.Inf(1)
	for _, s := range []float64{-1, 1} {
		d = min(d, sdCapsule(u, v, s*r.rx*0.25, hy-r.ry*0.55, s*r.rx*0.6, hy-r.ry*0.3, 0.006))
		d = min(d, sdCapsule(u, v, s*r.rx*0.75, hy+0.03, s*r.rx*0.55, hy+0.1, 0.005))
		d = min(d, sdCircle(u-s*r.rx*0.7, v-(hy-0.04), 0.007))
	}
	return mix(c, c.scale(0.45), cover(d/px))
}

// dragonFace draws a dragonborn's eyes, brow ridges, nostrils and mouth.
func (f *figure) dragonFace(c rgb, u, v float64) rgb {
	r := f.race
	hy, px := r.headY, f.px
	for _, s := range []float64{-1, 1} {
		x, y := u-s*r.rx*0.48, v-(hy-0.01)
		ridge := sdEllipse(x, y+0.03, r.rx*0.34, 0.022)
		c = mix(c, c.scale(0.6), 0.6*(1-smoothstep(-0.01, 0.012, ridge)))
		e := sdEllipse(x, y, r.rx*0.2, r.rx*0.13)
		col := f.eye.scale(0.9 + 0.4*clamp01(-y/(r.rx*0.13)))
		col = mix(col, hex(0x101010), cover(sdEllipse(x, y, r.rx*0.035, r.rx*0.12)/px))
		col = mix(col, rgb{1, 1, 1}, cover(sdCircle(x+0.008, y+0.008, 0.005)/px))
		c = mix(c, col, cover(e/px))
		c = mix(c, f.ink, cover((math.Abs(e)-px)/px))
		n := sdEllipse(u-s*0.026, v-(hy+0.118), 0.008, 0.005)
		c = mix(c, hex(0x201010), cover(n/px))
	}
	my := hy + 0.15
	m := sdArc(u, v, 0, my-0.1, 0.11, math.Pi*0.3, math.Pi*0.7, 0.002)
	c = mix(c, hex(0x2a1010), cover(m/px))
	for _, tx := range []float64{-0.04, 0.04} {
		tooth := sdTriangle(u, v, tx-0.006, my-0.004+math.Abs(tx)*0.1, tx+0.006, my-0.004+math.Abs(tx)*0.1, tx, my+0.014)
		c = mix(c, hex(0xf0ead8), cover(tooth/px))
	}
	return c
}

// ears returns the ears, drawn behind the head so it covers their roots.
func (f *figure) ears() []layer {
	r := f.race
	if r.ears < 0 || f.hooded() {
		return nil
	}
	hy := r.headY
	var ls []layer
	for _, s := range []float64{-1, 1} {
		var pts [][2]float64
		switch r.ears {
		case earLong:
			pts = [][2]float64{{s * r.rx * 0.8, hy - 0.03}, {s * (r.rx + 0.13), hy - 0.13}, {s * (r.rx + 0.03), hy + 0.05}, {s * r.rx * 0.8, hy + 0.06}}
		case earPointed:
			pts = [][2]float64{{s * r.rx * 0.8, hy - 0.03}, {s * (r.rx + 0.06), hy - 0.07}, {s * (r.rx + 0.028), hy + 0.05}, {s * r.rx * 0.8, hy + 0.06}}
		default:
			pts = nil
		}
		ear := func(u, v float64) float64 {
			if pts == nil {
				return sdEllipse(u-s*r.rx*0.97, v-(hy+0.02), 0.026, 0.043)
			}
			return sdPoly(u, v, pts) - 0.008
		}
		cu := s * (r.rx + 0.02)
		u0, v0, u1, v1 := min(cu-0.1, s*r.rx*0.7), hy-0.16, max(cu+0.1, s*r.rx*0.7), hy+0.08
		ls = append(ls, part(u0, v0, u1, v1, ear, func(u, v, d float64) rgb {
			c := formShade(f.skin.scale(0.92), u, v, d, cu, hy, 0.08)
			// The inner ear is darker.
			return c.scale(1 - 0.3*smoothstep(0, -0.014, d)*(1-smoothstep(-0.03, -0.05, d)))
		}))
	}
	return ls
}

// tusks returns a half-orc's lower tusks.
func (f *figure) tusks() []layer {
	my := f.mouthY()
	var ls []layer
	for _, s := range []float64{-1, 1} {
		x0 := s * 0.03
		sd := func(u, v float64) float64 {
			return sdTriangle(u, v, x0-0.011, my+0.016, x0+0.011, my+0.016, x0+s*0.01, my-0.035) - 0.002
		}
		ls = append(ls, part(x0-0.03, my-0.05, x0+0.03, my+0.03, sd, flat(hex(0xf0e6cc), x0, my, 0.04)))
	}
	return ls
}

// horns returns a tiefling's curved horns.
func (f *figure) horns() []layer {
	r := f.race
	hy := r.headY
	return mirroredCurves([2]float64{r.rx * 0.5, hy - r.ry*0.72}, [2]float64{r.rx * 1.25, hy - r.ry*1.05}, [2]float64{r.rx * 1.0, hy - r.ry*1.6}, 0.03, 0.005,
		func(p1 [2]float64, s float64) func(u, v, d float64) rgb {
			return func(u, v, d float64) rgb {
				t := clamp01((hy - r.ry*0.72 - v) / (r.ry * 0.9))
				c := mix(hex(0x3a2a2a), hex(0xc8b89a), t*0.7)
				if math.Mod((v-hy)*90+u*30, 1) < 0.25 {
					c = c.scale(0.8)
				}
				return formShade(c, u, v, d, p1[0]-s*0.02, p1[1], 0.06)
			}
		})
}

// mirroredCurves returns a pair of tapered curves, the right one through
// p0, p1 and p2 and the left its mirror image, painted by paint(p1, side).
func mirroredCurves(p0, p1, p2 [2]float64, r0, r2 float64, paint func(p1 [2]float64, s float64) func(u, v, d float64) rgb) []layer {
	var ls []layer
	for _, s := range []float64{-1, 1} {
		q0, q1, q2 := [2]float64{s * p0[0], p0[1]}, [2]float64{s * p1[0], p1[1]}, [2]float64{s * p2[0], p2[1]}
		sd := func(u, v float64) float64 { return sdBezierTaper(u, v, q0, q1, q2, r0, r2) }
		u0, v0, u1, v1 := boxOf(r0+0.01, q0, q1, q2)
		ls = append(ls, part(u0, v0, u1, v1, sd, paint(q1, s)))
	}
	return ls
}

// sdBezierTaper is a quadratic curve p0-p1-p2 thickened from r0 to r2,
// drawn as eight tapered segments.
func sdBezierTaper(u, v float64, p0, p1, p2 [2]float64, r0, r2 float64) float64 {
	const n = 8
	at := func(t float64) (float64, float64) {
		a, b, c := (1-t)*(1-t), 2*t*(1-t), t*t
		return a*p0[0] + b*p1[0] + c*p2[0], a*p0[1] + b*p1[1] + c*p2[1]
	}
	d := math.Inf(1)
	x0, y0 := at(0)
	for i := 1; i <= n; i++ {
		t0, t1 := float64(i-1)/n, float64(i)/n
		x1, y1 := at(t1)
		d = min(d, sdTaper(u, v, x0, y0, x1, y1, r0+(r2-r0)*t0, r0+(r2-r0)*t1))
		x0, y0 = x1, y1
	}
	return d
}

// paintHair colours hair with strands and a sheen.
func (f *figure) paintHair(u, v, d float64) rgb {
	hy := f.race.headY
	c := f.hair.scale(0.75 + 0.35*clamp01(0.6-(u+v-hy)*2.5))
	strand := 0.5 + 0.5*math.Sin((u*1.3+math.Sin(v*20)*0.02)*260+f.tex.at(u*40, v*40)*6)
	c = c.scale(0.88 + 0.18*strand)
	return c.scale(1 - 0.25*smoothstep(-0.02, 0, d))
}

// backHair returns long hair falling behind the head, a halo, and a
// dragonborn's swept-back horns.
func (f *figure) backHair() []layer {
	r := f.race
	hy := r.headY
	var ls []layer
	if r.halo && !f.rm.has(rmGlow) {
		ring := func(u, v float64) float64 { return math.Abs(math.Hypot(u, (v-(hy-0.07))*1.0)-r.rx*1.55) - 0.01 }
		ls = append(ls, glow(-0.3, hy-0.35, 0.3, hy+0.2, 0.05, 0.7, hex(0xfff0b0), ring))
		ls = append(ls, layer{u0: -0.3, v0: hy - 0.35, u1: 0.3, v1: hy + 0.2, sd: ring, paint: flat(hex(0xffe890), 0, hy-0.2, 0.2), line: 0.5})
	}
	if r.snout {
		ls = append(ls, mirroredCurves([2]float64{r.rx * 0.45, hy - r.ry*0.5}, [2]float64{r.rx * 0.9, hy - r.ry*1.1}, [2]float64{r.rx * 1.35, hy - r.ry*1.35}, 0.03, 0.006,
			func(p1 [2]float64, _ float64) func(u, v, d float64) rgb {
				return flat(hex(0xd8ccb0), p1[0], p1[1], 0.1)
			})...)
	}
	if f.style != hairLong || f.hooded() {
		return ls
	}
	w := r.rx * 1.2
	phase := float64(f.seed%97) / 9
	sd := func(u, v float64) float64 {
		top := sdEllipse(u, v-(hy-0.01), w, r.ry*1.02)
		t := clamp01((v - hy) / 0.3)
		half := w * (1 - 0.18*t)
		bottom := hy + 0.3 - 0.03*(u/w)*(u/w) + 0.012*math.Sin(u*70+phase)
		fall := max(math.Abs(u)-half, max(hy-v, v-bottom))
		return smin(top, fall, 0.04)
	}
	ls = append(ls, part(-w-0.02, hy-r.ry-0.05, w+0.02, hy+0.33, sd, func(u, v, d float64) rgb {
		return f.paintHair(u, v, d).scale(0.78)
	}))
	return ls
}

// frontHair returns the hair over the forehead and temples.
func (f *figure) frontHair() []layer {
	r := f.race
	hy := r.headY
	if f.style == hairBald || r.snout {
		return nil
	}
	var ls []layer
	sideTo := hy - 0.015
	if r.ears == earLong {
		sideTo = hy - 0.06
	}
	if f.style == hairLong && r.ears != earLong {
		sideTo = hy + 0.06
	}
	capW, capH, fringe := r.rx*1.07, r.ry*0.93, r.ry*0.42
	bumps := 0.0
	switch f.style {
	case hairTopknot, hairMohawk:
		capW, capH, fringe = r.rx*1.03, r.ry*0.92, r.ry*0.55
	case hairCurly:
		bumps = 0.012
	}
	phase := float64(f.seed%100) / 10
	sd := func(u, v float64) float64 {
		dy := v - (hy - 0.035)
		cp := sdEllipse(u, dy, capW, capH)
		if bumps > 0 {
			cp -= bumps * math.Abs(math.Sin(math.Atan2(dy, u)*9))
		}
		edge := v - (hy - fringe + 0.018*math.Sin(u*55+phase) + bumps*math.Abs(math.Sin(u*60)))
		sides := max(r.rx*0.8-math.Abs(u), v-sideTo)
		return max(cp, min(edge, sides))
	}
	ls = append(ls, part(-capW-0.02, hy-r.ry-0.05, capW+0.02, sideTo+0.02, sd, f.paintHair))
	switch f.style {
	case hairTopknot:
		knot := func(u, v float64) float64 { return sdCircle(u, v-(hy-r.ry-0.045), 0.045) }
		ls = append(ls, part(-0.06, hy-r.ry-0.1, 0.06, hy-r.ry, knot, f.paintHair))
	case hairMohawk:
		crest := func(u, v float64) float64 {
			return sdEllipse(u, v-(hy-r.ry*0.95), 0.03, 0.085) - 0.008*math.Abs(math.Sin(v*120))
		}
		ls = append(ls, part(-0.05, hy-r.ry-0.1, 0.05, hy-r.ry*0.5, crest, f.paintHair))
	case hairBraids:
		ls = append(ls, f.braids()...)
	}
	return ls
}

// braids are two plaits hanging from the temples over the shoulders, each
// bound at its end.
func (f *figure) braids() []layer {
	r := f.race
	hy, sy := r.headY, f.shoulderY()
	var ls []layer
	for _, s := range []float64{-1, 1} {
		x0, y0 := s*r.rx*0.92, hy-0.01
		x1, y1 := s*r.rx*1.08, sy+0.16
		plait := func(u, v float64) float64 { return sdTaper(u, v, x0, y0, x1, y1, 0.034, 0.022) }
		ls = append(ls, part(min(x0, x1)-0.05, y0-0.04, max(x0, x1)+0.05, y1+0.04, plait, func(u, v, d float64) rgb {
			c := f.paintHair(u, v, d)
			t := (v - y0) / (y1 - y0)
			// Crossing strands: a lit band every plait, a shadow between.
			return c.scale(0.8 + 0.35*smoothstep(0.2, 0.8, math.Abs(math.Sin(t*28+s*(u-x0)*40))))
		}))
		cx, cy := x1, y1-0.005
		band := func(u, v float64) float64 { return sdBox(u-cx, v-cy, 0.025, 0.012) - 0.003 }
		ls = append(ls, part(cx-0.04, cy-0.03, cx+0.04, cy+0.03, band, flat(f.trim, cx, cy, 0.03)))
	}
	return ls
}

// beardLayer is a beard and moustache: long and clasped on a dwarf, close
// on anyone else.
func (f *figure) beardLayer() layer {
	r := f.race
	hy, my := r.headY, f.mouthY()
	long := r.name == "dwarf"
	length := 0.1
	if long {
		length = 0.3
	}
	sd := func(u, v float64) float64 {
		body := sdEllipse(u, v-(hy+0.1+length*0.45), r.rx*0.98, 0.08+length*0.55)
		if !long {
			body = max(body, f.headSD(u, v)-0.014)
		}
		burns := math.Inf(1)
		for _, s := range []float64{-1, 1} {
			burns = min(burns, sdCapsule(u, v, s*r.rx*0.92, hy-0.03, s*r.rx*0.8, hy+0.1, 0.025))
		}
		b := smin(body, burns, 0.03)
		top := hy + 0.095 - 0.12*(u/r.rx)*(u/r.rx)
		b = max(b, top-v)
		if long {
			// A fork at the tip.
			b = max(b, -sdTriangle(u, v, -0.02, hy+0.1+length+0.1, 0.02, hy+0.1+length+0.1, 0, hy+0.1+length-0.04))
		}
		b = max(b, -sdEllipse(u, v-(my+0.004), 0.026, 0.009))
		stache := math.Inf(1)
		for _, s := range []float64{-1, 1} {
			stache = min(stache, sdTaper(u, v, s*0.004, hy+0.085, s*0.05, my+0.02, 0.014, 0.006))
		}
		return min(b, stache)
	}
	return part(-r.rx*1.1, hy-0.06, r.rx*1.1, hy+0.2+length+0.1, sd, func(u, v, d float64) rgb {
		c := f.paintHair(u, v, d)
		if long {
			for _, cv := range []float64{hy + 0.1 + length*0.7, hy + 0.1 + length*0.85} {
				if math.Abs(v-cv) < 0.012 && math.Abs(u) < 0.05 {
					c = formShade(f.trim, u, v, -0.01, -0.02, cv-0.01, 0.05)
				}
			}
		}
		return c
	})
}
