package imagegen

import (
	"math"
	"slices"
)

func (f *figure) has(g int) bool { return slices.Contains(f.class.gear, g) }

// armed reports whether weapons, staves and instruments are drawn.
func (f *figure) armed() bool { return !f.rm.has(rmWeapons) }

// handU is where the figure's weapon hand is, at its side.
func (f *figure) handU() float64 { return min(f.race.shoulders-0.01, 0.38) }

// torsoSD is the shoulders and chest, running off the bottom.
func (f *figure) torsoSD(u, v float64) float64 {
	r := f.race
	sy, sw, nw := f.shoulderY(), r.shoulders, r.neck*1.8
	return sdPoly(u, v, [][2]float64{
		{-nw, sy}, {nw, sy}, {sw - 0.06, sy + 0.035}, {sw - 0.02, sy + 0.12}, {sw, 3},
		{-sw, 3}, {-(sw - 0.02), sy + 0.12}, {-(sw - 0.06), sy + 0.035},
	}) - 0.025
}

// torso returns the body in its outfit, and what sits on the shoulders.
func (f *figure) torso() []layer {
	r := f.race
	sy, sw := f.shoulderY(), r.shoulders
	ls := []layer{part(-sw-0.03, sy-0.03, sw+0.03, 3, f.torsoSD, f.paintOutfit)}
	switch f.class.outfit {
	case outfitPlate:
		for _, s := range []float64{-1, 1} {
			cu, cv := s*(sw-0.04), sy+0.06
			sd := func(u, v float64) float64 { return max(sdEllipse(u-cu, v-cv, 0.1, 0.08), v-(cv+0.06)) }
			ls = append(ls, part(cu-0.12, cv-0.1, cu+0.12, cv+0.1, sd, func(u, v, d float64) rgb {
				c := f.metalShade(u, v, cu-s*0.02, cv)
				for _, ring := range []float64{-0.022, -0.045} {
					c = mix(c, f.metal.scale(0.45), cover((math.Abs(d-ring)-0.002)/f.px))
				}
				return c
			}))
		}
	case outfitFur:
		sd := func(u, v float64) float64 {
			return sdEllipse(u, v-(sy+0.02), sw*1.06, 0.1) - 0.014*math.Abs(math.Sin(u*70))
		}
		ls = append(ls, part(-sw*1.1, sy-0.1, sw*1.1, sy+0.14, sd, func(u, v, d float64) rgb {
			c := hex(0x7a6248).scale(0.7 + 0.5*f.tex.fbm(u*50, v*140, 3))
			return formShade(c, u, v, d, -0.1, sy-0.02, 0.3)
		}))
	}
	if f.has(gearCloak) {
		ls = append(ls, f.cloak())
	}
	if f.hooded() {
		ls = append(ls, f.hoodBack())
	}
	return ls
}

// metalShade is polished metal: a cylinder lit from the left with a hard
// highlight.
func (f *figure) metalShade(u, v, cu, cv float64) rgb {
	x := u - cu
	c := f.metal.scale(0.65 + 0.45*clamp01(1-x*x*30) + 0.1*clamp01(-(v-cv)*4))
	return c.add(rgb{1, 1, 1}.scale(0.35 * math.Exp(-math.Pow((x+0.04)/0.015, 2))))
}

// paintOutfit colours the torso by the class's outfit, with creases where
// the arms hang beside the chest.
func (f *figure) paintOutfit(u, v, d float64) rgb {
	c := f.outfitColour(u, v, d)
	sy, arm := f.shoulderY(), f.race.shoulders-0.09
	crease := (math.Abs(math.Abs(u)-arm) - 0.002) / f.px
	return mix(c, c.scale(0.55), 0.8*cover(crease)*smoothstep(sy+0.1, sy+0.2, v))
}

// outfitColour is the outfit's colour at a point of the torso.
func (f *figure) outfitColour(u, v, d float64) rgb {
	r := f.race
	sy, px := f.shoulderY(), f.px
	base := formShade(f.cloth, u, v, d, -0.1, sy+0.15, 0.5)
	folds := 1 - 0.1*smoothstep(0.5, 1, math.Sin(u*38+f.tex.at(u*10, v*6)*4))
	vee := math.Abs(u) - (v-sy+0.01)*0.45
	switch f.class.outfit {
	case outfitRobe, outfitVestment:
		c := base.scale(folds)
		if f.class.name == "wizard" && !f.evil {
			c = f.starry(c, u, v)
		}
		if f.class.outfit == outfitVestment {
			for _, s := range []float64{-1, 1} {
				stole := math.Abs(u-s*0.085) - 0.028
				c = mix(c, formShade(f.trim, u, v, -0.02, -0.1, sy, 0.5), cover(stole/px))
			}
		}
		if vee < 0 && v < sy+0.14 {
			c = formShade(f.cloth2, u, v, vee, 0, sy, 0.2)
		}
		return mix(c, f.trim, cover((math.Abs(vee)-0.008)/px)*step(v < sy+0.145))
	case outfitPlate:
		return f.plateColour(u, v)
	case outfitMail:
		return f.mailColour(u, v, d)
	case outfitLeather:
		c := mix(base, f.leather, 0.4).scale(folds)
		for _, s := range []float64{-1, 1} {
			if math.Abs(u-s*0.13) < 0.003 && math.Mod(v, 0.022) < 0.012 {
				c = c.scale(1.4)
			}
		}
		strap := math.Abs((u+r.shoulders*0.7)*0.55-(v-sy)*0.83) - 0.025
		c = mix(c, formShade(f.leather.scale(0.8), u, v, strap, 0, sy, 0.4), cover(strap/px))
		buckle := sdBox(u-0.0, v-(sy+0.2), 0.025, 0.02)
		return mix(c, f.trim, cover((math.Abs(buckle)-0.005)/px))
	case outfitFur:
		c := formShade(f.skin, u, v, d, -0.1, sy+0.15, 0.45)
		for _, s := range []float64{-1, 1} {
			pec := sdArc(u, v, s*0.1, sy+0.08, 0.09, math.Pi*0.25, math.Pi*0.75, 0.002)
			c = mix(c, f.skin.scale(0.6), 0.6*cover(pec/px))
		}
		strap := math.Abs((u-r.shoulders*0.6)*0.55+(v-sy)*0.83) - 0.028
		return mix(c, formShade(f.leather, u, v, strap, 0, sy, 0.4), cover(strap/px))
	case outfitGi:
		c := base.scale(folds)
		wrap := (u + 0.02) - (v-sy)*0.55
		if vee < 0 && v < sy+0.14 {
			c = formShade(f.skin, u, v, vee, 0, sy, 0.2)
		}
		c = mix(c, c.scale(0.6), cover((math.Abs(wrap)-0.003)/px)*step(v > sy+0.2))
		if v > sy+0.36 {
			c = formShade(hex(0x3a2a20), u, v, -0.02, 0, sy+0.4, 0.3)
		}
		return c
	case outfitDoublet:
		c := base
		if math.Abs(u) > r.shoulders-0.11 && math.Mod(u*30+10, 1) < 0.5 {
			c = formShade(f.trim, u, v, d, -0.1, sy+0.15, 0.5)
		}
		for b := sy + 0.08; b < sy+0.5; b += 0.055 {
			c = mix(c, f.trim, cover(sdCircle(u, v-b, 0.009)/px))
		}
		collar := math.Abs(v-(sy+0.01)) - 0.018
		return mix(c, f.cloth2, cover(collar/px)*step(math.Abs(u) < 0.12))
	case outfitApron:
		c := formShade(f.cloth2, u, v, d, -0.1, sy+0.15, 0.5)
		apron := max(math.Abs(u)-0.17, sy+0.1-v)
		a := formShade(f.leather, u, v, apron, 0, sy+0.3, 0.4)
		a = mix(a, f.trim, cover(chargeSDF(chCog, u/0.06, (v-(sy+0.25))/0.06)*0.06/px))
		c = mix(c, a, cover(apron/px))
		for _, s := range []float64{-1, 1} {
			strap := max(math.Abs(u-s*0.12)-0.014, v-(sy+0.12))
			c = mix(c, f.leather, cover(strap/px))
		}
		return c
	}
	// A traveller's tunic with a laced collar.
	c := base.scale(folds)
	if vee < 0 && v < sy+0.14 {
		c = formShade(f.skin, u, v, vee, 0, sy, 0.2)
	}
	for l := sy + 0.03; l < sy+0.14; l += 0.03 {
		lace := sdSegment(u, v, -(l-sy)*0.55, l, (l-sy+0.03)*0.55, l+0.03)
		c = mix(c, f.leather, cover((lace-0.002)/px))
	}
	return mix(c, f.cloth.scale(0.6), cover((math.Abs(vee)-0.003)/px)*step(v < sy+0.145))
}

// plateColour is plate armour: a breastplate with a ridge, lames below,
// a gorget, and a paladin's tabard.
func (f *figure) plateColour(u, v float64) rgb {
	sy, px := f.shoulderY(), f.px
	c := f.metalShade(u, v, -0.02, sy+0.2)
	c = mix(c, f.metal.scale(0.5), cover((math.Abs(u)-0.0025)/px)*step(v > sy+0.04))
	if v > sy+0.28 && math.Mod(v-sy-0.28, 0.055) < 0.004 {
		c = c.scale(0.55)
	}
	gorget := math.Abs(v-(sy+0.02)) - 0.02
	c = mix(c, f.metal.scale(0.8), cover(gorget/px))
	if f.has(gearTabard) {
		tab := max(math.Abs(u)-0.12, sy+0.06-v)
		t := formShade(f.cloth, u, v, tab, 0, sy+0.2, 0.3)
		t = mix(t, f.trim, cover((math.Abs(tab+0.012)-0.004)/px))
		emb := chargeSDF(chCross, u/0.07, (v-(sy+0.2))/0.07) * 0.07
		t = mix(t, f.trim, cover(emb/px))
		c = mix(c, t, cover(tab/px))
	}
	return c
}

func step(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// starry scatters small stars and moons over a wizard's robe.
func (f *figure) starry(c rgb, u, v float64) rgb {
	const cell = 0.075
	gx, gy := math.Floor(u/cell), math.Floor(v/cell)
	h := hash2(int(gx), int(gy), f.seed)
	if unit(h) > 0.55 {
		return c
	}
	cx := (gx + 0.3 + 0.4*unit(mix64(h))) * cell
	cy := (gy + 0.3 + 0.4*unit(mix64(h+1))) * cell
	d := mullet.sd((u-cx)/0.013, -(v-cy)/0.013) * 0.013
	return mix(c, f.trim.scale(1.1), cover(d/f.px))
}

// cloak returns a cloak over the shoulders, clasped at the collar.
func (f *figure) cloak() layer {
	r := f.race
	sy, sw := f.shoulderY(), r.shoulders
	col := mix(f.cloth, hex(0x4a3a2a), 0.35)
	if f.class.name != "ranger" {
		col = mix(f.cloth2, hex(0x5a4630), 0.6)
	}
	sd := func(u, v float64) float64 {
		body := f.torsoSD(u, v) - 0.012
		open := sdPoly(u, v, [][2]float64{{-0.09, sy - 0.02}, {0.09, sy - 0.02}, {sw * 0.55, 3}, {-sw * 0.55, 3}})
		return max(body, -open)
	}
	return part(-sw-0.05, sy-0.05, sw+0.05, 3, sd, func(u, v, d float64) rgb {
		c := formShade(col, u, v, d, -0.1, sy+0.1, 0.5)
		c = c.scale(1 - 0.12*smoothstep(0.6, 1, math.Sin(u*30)))
		clasp := sdCircle(u+0.08, v-(sy+0.02), 0.018)
		return mix(c, formShade(f.trim, u, v, clasp, -0.085, sy+0.015, 0.03), cover(clasp/f.px))
	})
}

// hoodColour is a hood's cloth: the cloak's when there is one.
func (f *figure) hoodColour() rgb {
	if f.has(gearCloak) {
		return mix(f.cloth, hex(0x4a3a2a), 0.35)
	}
	return mix(f.cloth, f.leather, 0.2)
}

// hoodBack is the hood's crown behind the head and its cowl.
func (f *figure) hoodBack() layer {
	r := f.race
	hy, sy := r.headY, f.shoulderY()
	col := f.hoodColour()
	sd := func(u, v float64) float64 {
		crown := sdEllipse(u, v-(hy-0.02), r.rx*1.45, r.ry*1.25)
		cowl := sdEllipse(u, v-(sy+0.01), r.shoulders*0.7, 0.09)
		return smin(crown, cowl, 0.06)
	}
	return part(-r.shoulders, hy-r.ry*1.3, r.shoulders, sy+0.12, sd, func(u, v, d float64) rgb {
		return formShade(col, u, v, d, -0.06, hy-0.05, 0.35)
	})
}

// hoodFront is the hood's rim framing the face.
func (f *figure) hoodFront() layer {
	r := f.race
	hy, sy := r.headY, f.shoulderY()
	col := f.hoodColour()
	sd := func(u, v float64) float64 {
		outer := smin(sdEllipse(u, v-(hy-0.02), r.rx*1.42, r.ry*1.22), sdEllipse(u, v-(sy+0.01), r.shoulders*0.68, 0.085), 0.06)
		opening := sdEllipse(u, v-(hy+0.045), r.rx*0.9, r.ry*1.02)
		return max(outer, -opening)
	}
	return part(-r.shoulders, hy-r.ry*1.3, r.shoulders, sy+0.12, sd, func(u, v, d float64) rgb {
		c := formShade(col.scale(1.1), u, v, d, -0.06, hy-0.08, 0.35)
		return c.scale(0.8 + 0.2*clamp01((math.Abs(u)-r.rx*0.6)*6))
	})
}

// cowl is a hood worn down, bunched round the neck.
func (f *figure) cowl() layer {
	r := f.race
	sy := f.shoulderY()
	col := f.hoodColour()
	sd := func(u, v float64) float64 { return sdEllipse(u, v-(sy+0.0), r.shoulders*0.62, 0.07) }
	return part(-r.shoulders, sy-0.08, r.shoulders, sy+0.08, sd, func(u, v, d float64) rgb {
		c := formShade(col, u, v, d, -0.05, sy-0.03, 0.2)
		return c.scale(1 - 0.15*smoothstep(0.5, 1, math.Sin(u*60)))
	})
}

// headgear returns the hat, hood rim, beret, leaf circlet or goggles.
func (f *figure) headgear() []layer {
	if f.rm.has(rmHeadgear) {
		return nil
	}
	r := f.race
	hy := r.headY
	switch f.class.head {
	case headHood:
		if f.hooded() {
			return []layer{f.hoodFront()}
		}
	case headWizardHat:
		return f.wizardHat()
	case headBeret:
		return f.beret()
	case headLeaves:
		var ls []layer
		for i := range 9 {
			a := math.Pi * (1.1 + 0.8*float64(i)/8)
			cu, cv := math.Cos(a)*r.rx*1.02, hy-0.02+math.Sin(a)*r.ry*0.9
			rot := a + math.Pi/2 + 0.4*(unit(hash2(i, 7, f.seed))-0.5)
			col := mix(hex(0x3a7a2a), hex(0x8ab03a), unit(hash2(i, 3, f.seed)))
			sd := func(u, v float64) float64 {
				s, c := math.Sincos(rot)
				x, y := (u-cu)*c+(v-cv)*s, -(u-cu)*s+(v-cv)*c
				return sdEllipse(x, y, 0.032, 0.014)
			}
			ls = append(ls, part(cu-0.04, cv-0.04, cu+0.04, cv+0.04, sd, flat(col, cu, cv, 0.04)))
		}
		return ls
	case headGoggles:
		gy := hy - r.ry*0.45
		var ls []layer
		strap := func(u, v float64) float64 { return max(math.Abs(v-gy)-0.013, f.headSD(u, v)-0.006) }
		ls = append(ls, part(-r.rx*1.1, gy-0.02, r.rx*1.1, gy+0.02, strap, flat(f.leather, 0, gy, 0.1)))
		for _, s := range []float64{-1, 1} {
			cu := s * r.rx * 0.42
			lens := func(u, v float64) float64 { return sdCircle(u-cu, v-gy, 0.037) }
			ls = append(ls, part(cu-0.04, gy-0.04, cu+0.04, gy+0.04, lens, func(u, v, d float64) rgb {
				if d > -0.01 {
					return formShade(hex(0xc08a3e), u, v, d, cu, gy, 0.04)
				}
				c := mix(hex(0x2a6a7a), hex(0xa0f0f0), clamp01(-(u-cu+v-gy)*12+0.3))
				return c
			}))
		}
		return ls
	}
	return nil
}

// wizardHat is a wide brim and a bent cone.
func (f *figure) wizardHat() []layer {
	r := f.race
	hy := r.headY
	b := hy - r.ry*0.62
	col := f.cloth.scale(0.95)
	cone := func(u, v float64) float64 {
		return sdPoly(u, v, [][2]float64{{-r.rx * 0.92, b}, {r.rx * 0.92, b}, {r.rx * 0.45, b - 0.17}, {r.rx * 1.35, b - 0.3}, {-r.rx * 0.15, b - 0.2}}) - 0.006
	}
	brim := func(u, v float64) float64 { return sdEllipse(u, v-b, r.rx*2.0, 0.036) }
	return []layer{
		part(-r.rx, b-0.32, r.rx*1.5, b+0.01, cone, func(u, v, d float64) rgb {
			c := formShade(col, u, v, d, -0.02, b-0.12, 0.2)
			if !f.evil {
				c = f.starry(c, u, v)
			}
			band := math.Abs(v-(b-0.028)) - 0.014
			return mix(c, f.trim, cover(band/f.px))
		}),
		part(-r.rx*2.05, b-0.04, r.rx*2.05, b+0.04, brim, flat(col, -0.05, b-0.01, 0.15)),
	}
}

// beret is a bard's cap with a long feather.
func (f *figure) beret() []layer {
	r := f.race
	hy := r.headY
	cv := hy - r.ry*0.78
	capSD := func(u, v float64) float64 {
		s, c := math.Sincos(-0.18)
		x, y := (u-0.03)*c+(v-cv)*s, -(u-0.03)*s+(v-cv)*c
		return smin(sdEllipse(x, y-0.01, r.rx*1.3, 0.035), sdEllipse(x+0.01, y+0.02, r.rx*1.0, 0.05), 0.03)
	}
	p0 := [2]float64{r.rx * 0.5, cv - 0.02}
	p1 := [2]float64{r.rx * 1.4, cv - 0.12}
	p2 := [2]float64{r.rx * 2.1, cv - 0.1}
	feather := func(u, v float64) float64 { return sdBezierTaper(u, v, p0, p1, p2, 0.022, 0.004) }
	u0, v0, u1, v1 := boxOf(0.03, p0, p1, p2)
	return []layer{
		part(u0, v0, u1, v1, feather, func(u, v, d float64) rgb {
			c := formShade(hex(0xf0ece0), u, v, d, p1[0], p1[1], 0.1)
			if math.Sin((u+v)*400) > 0.6 {
				c = c.scale(0.85)
			}
			return c
		}),
		part(-r.rx*1.3, cv-0.08, r.rx*1.4, cv+0.08, capSD, flat(f.cloth.scale(1.1), -0.02, cv-0.02, 0.15)),
	}
}

// backGear returns what is carried behind the shoulders.
func (f *figure) backGear() []layer {
	if !f.armed() {
		return nil
	}
	r := f.race
	sy, sw := f.shoulderY(), r.shoulders
	var ls []layer
	if f.has(gearBow) {
		// Arrow fletchings over the right shoulder.
		for i, du := range []float64{0, 0.03, 0.06} {
			x0, y0 := sw*0.45+du, sy-0.08+float64(i%2)*0.02
			sd := func(u, v float64) float64 {
				shaft := sdCapsule(u, v, x0, y0, x0+0.05, y0+0.15, 0.005)
				vane := sdTriangle(u, v, x0-0.012, y0+0.01, x0+0.014, y0-0.008, x0+0.012, y0+0.05)
				return min(shaft, vane)
			}
			col := []uint32{0xd0d0c8, 0xb03a2a, 0xd0d0c8}[i]
			ls = append(ls, part(x0-0.03, y0-0.03, x0+0.07, y0+0.2, sd, flat(hex(col), x0, y0, 0.05)))
		}
	}
	if f.has(gearGreataxe) {
		top := [2]float64{sw * 0.55, sy - 0.34}
		bot := [2]float64{sw * 0.95, 1.1}
		ang := math.Atan2(bot[0]-top[0], bot[1]-top[1])
		haft := func(u, v float64) float64 { return sdCapsule(u, v, top[0], top[1], bot[0], bot[1], 0.014) }
		ls = append(ls, part(top[0]-0.03, top[1]-0.03, bot[0]+0.03, bot[1], haft, flat(hex(0x6a4426), top[0], top[1]+0.3, 0.4)))
		head := func(u, v float64) float64 {
			s, c := math.Sincos(ang)
			x, y := (u-top[0]-0.01)*c-(v-top[1]-0.07)*s, (u-top[0]-0.01)*s+(v-top[1]-0.07)*c
			const k = 0.17
			return chargeSDF(chAxe, x/k, y/k) * k
		}
		ls = append(ls, part(top[0]-0.2, top[1]-0.2, top[0]+0.2, top[1]+0.25, head, func(u, v, d float64) rgb {
			return f.metalShade(u, v, top[0]-0.05, top[1])
		}))
	}
	return ls
}

// frontGear returns what the figure holds before it.
func (f *figure) frontGear() []layer {
	var ls []layer
	if f.has(gearHolySymbol) {
		ls = append(ls, f.holySymbol()...)
	}
	if f.has(gearBeads) {
		ls = append(ls, f.beads()...)
	}
	if f.has(gearOrb) && !f.rm.has(rmGlow) {
		ls = append(ls, f.orbInHand()...)
	}
	if !f.armed() {
		if f.has(gearShield) && !f.rm.has(rmShield) {
			ls = append(ls, f.shield())
		}
		return ls
	}
	switch {
	case f.has(gearStaff):
		ls = append(ls, f.staff()...)
	case f.has(gearSpear):
		ls = append(ls, f.spear()...)
	case f.has(gearSword):
		ls = append(ls, f.sword()...)
	case f.has(gearHammer):
		ls = append(ls, f.hammer()...)
	case f.has(gearAxe):
		ls = append(ls, f.axe()...)
	case f.has(gearDaggers):
		ls = append(ls, f.daggers()...)
	case f.has(gearMace):
		ls = append(ls, f.mace()...)
	case f.has(gearLute):
		ls = append(ls, f.lute()...)
	}
	if f.has(gearBow) {
		ls = append(ls, f.bow()...)
	}
	if f.has(gearShield) && !f.rm.has(rmShield) {
		ls = append(ls, f.shield())
	}
	return ls
}

// fist is a closed hand at (cu, cv), gauntleted when in plate.
func (f *figure) fist(cu, cv float64) layer {
	col := f.skin
	if f.class.outfit == outfitPlate || f.class.outfit == outfitMail {
		col = f.metal.scale(0.9)
	}
	sd := func(u, v float64) float64 { return sdBox(u-cu, v-cv, 0.026, 0.03) - 0.012 }
	return part(cu-0.05, cv-0.05, cu+0.05, cv+0.05, sd, func(u, v, d float64) rgb {
		c := formShade(col, u, v, d, cu-0.01, cv-0.01, 0.05)
		for _, k := range []float64{-0.018, 0, 0.018} {
			if math.Abs(v-cv-k) < 0.0018 && u-cu > -0.01 {
				c = c.scale(0.6)
			}
		}
		return c
	})
}

// staff is a tall staff held at the side, crowned by a glowing orb or a
// leafy knot.
func (f *figure) staff() []layer {
	x := f.handU()
	hy := f.race.headY
	top := min(0.1, hy-f.race.ry-0.12)
	shaft := func(u, v float64) float64 { return sdCapsule(u, v, x, top+0.04, x+0.01, 1.3, 0.014) }
	wood := hex(0x7a5430)
	ls := []layer{part(x-0.03, top, x+0.04, 1.3, shaft, func(u, v, d float64) rgb {
		c := formShade(wood, u, v, d, x-0.01, v, 0.03)
		return c.scale(0.9 + 0.15*math.Sin(v*180+math.Sin(v*30)*3))
	})}
	if f.class.name == "druid" {
		for i := range 6 {
			a := float64(i) * math.Pi / 3
			cu, cv := x+math.Cos(a)*0.035, top+0.03+math.Sin(a)*0.03
			leaf := func(u, v float64) float64 { return sdEllipse(u-cu, v-cv, 0.024, 0.014) }
			ls = append(ls, part(cu-0.03, cv-0.03, cu+0.03, cv+0.03, leaf, flat(mix(hex(0x3a7a2a), hex(0x9ac04a), float64(i%3)/2), cu, cv, 0.03)))
		}
	} else if !f.rm.has(rmGlow) {
		orb := func(u, v float64) float64 { return sdCircle(u-x, v-top, 0.04) }
		ls = append(ls, glow(x-0.05, top-0.05, x+0.05, top+0.05, 0.07, 0.55, f.orb, orb))
		ls = append(ls, part(x-0.05, top-0.05, x+0.05, top+0.05, orb, func(u, v, d float64) rgb {
			c := mix(f.orb.scale(1.3), rgb{1, 1, 1}, 0.6*clamp01(1-math.Hypot(u-x+0.012, v-top+0.012)/0.02))
			return c.scale(0.8 + 0.2*clamp01(-d/0.02))
		}))
		prongs := func(u, v float64) float64 {
			return min(sdArc(u, v, x, top, 0.05, math.Pi*0.2, math.Pi*0.45, 0.006), sdArc(u, v, x, top, 0.05, math.Pi*0.55, math.Pi*0.8, 0.006))
		}
		ls = append(ls, part(x-0.06, top-0.01, x+0.06, top+0.06, prongs, flat(wood, x, top, 0.05)))
	}
	return append(ls, f.fist(x+0.005, 0.8))
}

// sword is a longsword held upright at the side.
func (f *figure) sword() []layer {
	x := f.handU()
	tip, guard := 0.12, 0.7
	steel := f.metal.scale(1.05)
	blade := func(u, v float64) float64 {
		return sdPoly(u, v, [][2]float64{{x - 0.02, guard}, {x + 0.02, guard}, {x + 0.02, tip + 0.07}, {x, tip}, {x - 0.02, tip + 0.07}})
	}
	cross := func(u, v float64) float64 { return sdBox(u-x, v-guard-0.008, 0.07, 0.01) - 0.005 }
	pommel := func(u, v float64) float64 { return sdCircle(u-x, v-guard-0.11, 0.018) }
	return []layer{
		part(x-0.03, tip, x+0.03, guard, blade, func(u, v, d float64) rgb {
			c := steel.scale(1.15 - 0.35*clamp01((u-x+0.02)/0.04))
			if math.Abs(u-x) < 0.004 && v > tip+0.08 {
				c = c.scale(0.7)
			}
			return c
		}),
		part(x-0.09, guard-0.02, x+0.09, guard+0.03, cross, flat(f.trim, x-0.02, guard, 0.08)),
		part(x-0.03, guard+0.08, x+0.03, guard+0.14, pommel, flat(f.trim, x-0.01, guard+0.1, 0.03)),
		f.fist(x, guard+0.055),
	}
}

// daggers are two daggers held low, blades up and out.
func (f *figure) daggers() []layer {
	var ls []layer
	x := f.handU()
	for _, s := range []float64{-1, 1} {
		if s < 0 && f.has(gearShield) && !f.rm.has(rmShield) {
			continue // the other hand bears the shield
		}
		hu, hv := s*x, 0.88
		tu, tv := s*(x+0.06), 0.6
		blade := func(u, v float64) float64 {
			return sdTaper(u, v, hu, hv-0.04, tu, tv, 0.017, 0.002)
		}
		cross := func(u, v float64) float64 { return sdCapsule(u, v, hu-0.035, hv-0.04, hu+0.035, hv-0.043, 0.007) }
		ls = append(ls,
			part(min(hu, tu)-0.03, tv-0.02, max(hu, tu)+0.03, hv, blade, func(u, v, d float64) rgb {
				return f.metal.scale(1.2 - 0.4*clamp01((u-tu)*s*20+0.5))
			}),
			part(hu-0.05, hv-0.06, hu+0.05, hv-0.02, cross, flat(f.trim.scale(0.8), hu, hv-0.045, 0.04)),
			f.fist(hu, hv))
	}
	return ls
}

// mace is a flanged mace held at the side.
func (f *figure) mace() []layer {
	x := f.handU()
	hv := 0.52
	flanges := newStar(0.052, 7, 3.5)
	haft := func(u, v float64) float64 { return sdCapsule(u, v, x, hv, x, 0.9, 0.011) }
	head := func(u, v float64) float64 { return min(flanges.sd(u-x, v-hv), sdCircle(u-x, v-hv, 0.034)) }
	return []layer{
		part(x-0.02, hv, x+0.02, 0.92, haft, flat(hex(0x5a4030), x, 0.7, 0.3)),
		part(x-0.06, hv-0.06, x+0.06, hv+0.06, head, func(u, v, d float64) rgb { return f.metalShade(u, v, x, hv) }),
		f.fist(x, 0.79),
	}
}

// lute is a lute held across the body.
func (f *figure) lute() []layer {
	r := f.race
	bu, bv := -r.shoulders*0.45, 0.98
	nu, nv := -r.shoulders*1.05, 0.5
	wood := hex(0xb0703a)
	neck := func(u, v float64) float64 { return sdCapsule(u, v, bu, bv, nu, nv, 0.014) }
	peg := func(u, v float64) float64 { return sdCapsule(u, v, nu, nv, nu-0.03, nv-0.05, 0.018) }
	body := func(u, v float64) float64 {
		return smin(sdEllipse(u-bu, v-bv, 0.15, 0.13), sdEllipse(u-(bu-0.07), v-(bv-0.1), 0.09, 0.08), 0.05)
	}
	return []layer{
		part(nu-0.02, nv-0.02, bu+0.02, bv, neck, flat(hex(0x4a2a18), nu, nv, 0.3)),
		part(nu-0.06, nv-0.08, nu+0.02, nv+0.02, peg, flat(hex(0x4a2a18), nu, nv, 0.05)),
		part(bu-0.2, bv-0.2, bu+0.17, bv+0.15, body, func(u, v, d float64) rgb {
			c := formShade(wood, u, v, d, bu-0.04, bv-0.06, 0.18)
			c = mix(c, hex(0x1a100a), cover(sdCircle(u-(bu-0.03), v-(bv-0.04), 0.028)/f.px))
			for k := -1.5; k <= 1.5; k++ {
				line := sdSegment(u, v, bu+k*0.006, bv+0.06, nu+k*0.004, nv)
				c = mix(c, hex(0xe8e0c8), 0.8*cover((line-0.0008)/f.px))
			}
			return c
		}),
	}
}

// bow is a longbow held at the other side, string toward the body.
func (f *figure) bow() []layer {
	x := -f.handU()
	cu, cv, R := x+0.4, 0.66, 0.44
	a0, a1 := math.Pi*0.8, math.Pi*1.2
	limb := func(u, v float64) float64 {
		return sdArc(u, v, cu, cv, R, a0, a1, 0.011)
	}
	e0u, e0v := cu+R*math.Cos(a0), cv+R*math.Sin(a0)
	e1u, e1v := cu+R*math.Cos(a1), cv+R*math.Sin(a1)
	str := func(u, v float64) float64 { return sdSegment(u, v, e0u, e0v, e1u, e1v) - 0.002 }
	return []layer{
		{u0: e0u - 0.01, v0: e1v - 0.01, u1: e0u + 0.01, v1: e0v + 0.01, sd: str, paint: flat(hex(0xe8e0c8), e0u, cv, 0.3), line: 0.3},
		part(cu-R-0.02, e1v-0.02, e0u+0.02, e0v+0.02, limb, flat(hex(0x7a4a26), cu-R, cv-0.1, 0.3)),
		f.fist(cu-R, cv),
	}
}

// shield is a heraldic heater shield on the other arm.
func (f *figure) shield() layer {
	r := f.race
	cv := f.canvas
	su, top, a, h := -r.shoulders*0.62, f.shoulderY()+0.1, 0.15, 0.36
	g := shieldGeom{cx: cv.ox + su*cv.scale, top: cv.oy + top*cv.scale, a: a * cv.scale, h: h * cv.scale}
	ar := newArms(f.rng, g, f.race.name, f.class.name, alignmentWords(f), f.metal)
	return layer{u0: su - a - 0.02, v0: top - 0.02, u1: su + a + 0.02, v1: top + h + 0.02,
		sd: func(u, v float64) float64 {
			return g.sdf(cv.ox+u*cv.scale, cv.oy+v*cv.scale) / cv.scale
		},
		paint: func(u, v, _ float64) rgb {
			c, _ := ar.shade(cv.ox+u*cv.scale, cv.oy+v*cv.scale, f.tex)
			return c
		},
	}
}

func alignmentWords(f *figure) string {
	switch {
	case f.evil:
		return "evil"
	case f.good:
		return "good"
	}
	return "neutral"
}

// holySymbol is a sun pendant on a chain.
func (f *figure) holySymbol() []layer {
	sy := f.shoulderY()
	cy := sy + 0.17
	chain := func(u, v float64) float64 {
		return min(sdCapsule(u, v, -0.055, sy-0.005, 0, cy-0.05, 0.003), sdCapsule(u, v, 0.055, sy-0.005, 0, cy-0.05, 0.003))
	}
	sym := func(u, v float64) float64 { return chargeSDF(chSun, u/0.055, (v-cy)/0.055) * 0.055 }
	gold := hex(0xe0b840)
	ls := []layer{{u0: -0.07, v0: sy - 0.02, u1: 0.07, v1: cy, sd: chain, paint: flat(gold, 0, sy, 0.1), line: 0.3}}
	if !f.rm.has(rmGlow) {
		ls = append(ls, glow(-0.06, cy-0.06, 0.06, cy+0.06, 0.06, 0.5, f.orb, sym))
	}
	return append(ls, part(-0.06, cy-0.06, 0.06, cy+0.06, sym, flat(gold, -0.015, cy-0.015, 0.06)))
}

// beads is a string of prayer beads.
func (f *figure) beads() []layer {
	sy := f.shoulderY()
	var ls []layer
	for a := 0.2; a <= math.Pi-0.2; a += 0.16 {
		cu, cv := math.Cos(a)*0.12, sy+0.03+math.Sin(a)*0.16
		rad := 0.011
		if math.Abs(a-math.Pi/2) < 0.08 {
			rad = 0.02
		}
		bead := func(u, v float64) float64 { return sdCircle(u-cu, v-cv, rad) }
		ls = append(ls, part(cu-0.03, cv-0.03, cu+0.03, cv+0.03, bead, flat(hex(0x6a3a1a), cu, cv, 0.02)))
	}
	return ls
}

// orbInHand is a ball of magic floating over an open hand.
func (f *figure) orbInHand() []layer {
	x := f.handU() - 0.04
	cv := 0.72
	orb := func(u, v float64) float64 { return sdCircle(u-x, v-cv, 0.045) }
	palm := func(u, v float64) float64 { return sdEllipse(u-x, v-(cv+0.085), 0.05, 0.022) }
	return []layer{
		glow(x-0.05, cv-0.05, x+0.05, cv+0.05, 0.1, 0.6, f.orb, orb),
		part(x-0.06, cv+0.05, x+0.06, cv+0.12, palm, flat(f.skin, x-0.01, cv+0.08, 0.05)),
		{u0: x - 0.05, v0: cv - 0.05, u1: x + 0.05, v1: cv + 0.05, sd: orb, line: 0, paint: func(u, v, d float64) rgb {
			swirl := 0.5 + 0.5*math.Sin(math.Atan2(v-cv, u-x)*3+math.Hypot(u-x, v-cv)*120)
			c := mix(f.orb, rgb{1, 1, 1}, 0.5*swirl*clamp01(-d/0.03))
			return c.scale(1.2)
		}},
	}
}
