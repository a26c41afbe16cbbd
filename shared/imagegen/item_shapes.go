package imagegen

import "math"

// Item shapes beyond sword, potion, shield and amulet. Each is centred on
// (cx, cy) and sized by S, the picture's short side; distances are pixels.

var (
	gold    = hex(0xe0b040)
	steel   = hex(0xc4cad2)
	wood    = hex(0x7a5230)
	leather = hex(0x6a4022)
	paper   = hex(0xeadcb8)
)

// metalAt shades metal as a surface lit from the upper left at local
// (x, y) within a part of size r.
func metalAt(c rgb, x, y, r float64) rgb {
	k := 1.1 - 0.35*(x+y)/max(r, 1e-6)
	c = c.scale(k)
	streak := (x - y*0.4) / r
	return c.add(rgb{1, 1, 1}.scale(0.25 * math.Exp(-streak*streak*8)))
}

// diagonal maps a pixel to coordinates along the rising diagonal: u toward
// the upper right, v across.
func diagonal(px, py, cx, cy float64) (float64, float64) {
	const c45 = math.Sqrt2 / 2
	x, y := px-cx, py-cy
	return (x - y) * c45, (x + y) * c45
}

// crownPart is a crown: a jewelled band, five points tipped with pearls,
// a velvet cap within.
func crownPart(cx, cy, S float64, pal palette, gem rgb) itemPart {
	metal := mix(gold, pal.metal, 0.3)
	bw, top, bot := 0.3*S, cy+0.02*S, cy+0.17*S
	velvet := hex(0x7a1a2a)
	return func(px, py float64, colour bool) (rgb, float64) {
		x := px - cx
		curve := 0.035 * S * (1 - (x/bw)*(x/bw))
		band := max(math.Abs(x)-bw, max(top+curve-0.02*S-py, py-(bot+curve)))
		points := math.Inf(1)
		pearls := math.Inf(1)
		for k := -2; k <= 2; k++ {
			px0 := float64(k) * 0.14 * S
			h := 0.27 * S
			if k == -2 || k == 2 {
				h = 0.19 * S
			}
			tip := top - h + curve*0.5
			points = min(points, sdTriangle(px, py, cx+px0-0.065*S, top+0.01*S, cx+px0+0.065*S, top+0.01*S, cx+px0, tip))
			pearls = min(pearls, sdCircle(px-cx-px0, py-tip, 0.028*S))
		}
		cap := max(sdEllipse(x, py-(top-0.02*S), 0.27*S, 0.17*S), py-top)
		d := min(min(band, points), min(pearls, cap))
		if !colour || d > 1 {
			return rgb{}, d
		}
		switch {
		case pearls <= 0:
			return hex(0xf4f0e8).scale(1.1 - 0.5*(px-cx+py)/S*0), d
		case band <= 0:
			c := metalAt(metal, x, py-top, bw*0.5)
			for k := -2; k <= 2; k++ {
				g := sdCircle(x-float64(k)*0.12*S, py-(top+bot)/2-curve, 0.032*S)
				gc := gem
				if k%2 != 0 {
					gc = hex(0x2a8a4a)
				}
				c = mix(c, gc.scale(1.2-0.5*clamp01((x-float64(k)*0.12*S+py-(top+bot)/2)/(0.04*S)+0.5)), cover(g))
				c = mix(c, pal.ink, cover(math.Abs(g)-0.6))
			}
			return c, d
		case points <= 0:
			return metalAt(metal, x, py-top+0.1*S, 0.15*S), d
		}
		return velvet.scale(0.7 + 0.5*clamp01((cy-py)/(0.2*S))), d
	}
}

// ringPart is a ring seen from above and in front, a gem in a setting.
func ringPart(cx, cy, S float64, pal palette, gem rgb) itemPart {
	metal := mix(gold, pal.metal, 0.3)
	ry := cy + 0.1*S
	return func(px, py float64, colour bool) (rgb, float64) {
		outer := sdEllipse(px-cx, py-ry, 0.27*S, 0.2*S)
		inner := sdEllipse(px-cx, py-ry, 0.2*S, 0.13*S)
		band := max(outer, -inner)
		setting := sdBox(px-cx, py-(cy-0.12*S), 0.07*S, 0.05*S) - 0.01*S
		stone := sdEllipse(px-cx, py-(cy-0.17*S), 0.09*S, 0.08*S)
		d := min(min(band, setting), stone)
		if !colour || d > 1 {
			return rgb{}, d
		}
		switch {
		case stone <= 0:
			c := gem.scale(1.25 - 0.6*clamp01((px-cx+py-cy+0.17*S)/(0.12*S)+0.5))
			return c.add(rgb{1, 1, 1}.scale(0.6 * math.Exp(-math.Pow(math.Hypot(px-cx+0.03*S, py-cy+0.2*S)/(0.02*S), 2)))), d
		case setting <= 0:
			return metalAt(metal, px-cx, py-cy+0.12*S, 0.07*S), d
		}
		a := math.Atan2((py-ry)/0.2, (px-cx)/0.27)
		c := metal.scale(0.8 + 0.35*math.Cos(a+2.4))
		return c.add(rgb{1, 1, 1}.scale(0.4 * math.Pow(max(0, math.Cos(a+2.2)), 12))), d
	}
}

// axePart is a battleaxe on the diagonal: a wooden haft, a crescent blade.
func axePart(cx, cy, S float64, pal palette) itemPart {
	return func(px, py float64, colour bool) (rgb, float64) {
		u, v := diagonal(px, py, cx, cy)
		haft := sdBox(u+0.05*S, v, 0.36*S, 0.022*S)
		hu := 0.2 * S
		// A fan-shaped blade, its cutting edge an arc.
		fan := sdPoly(u, v, [][2]float64{{hu - 0.045*S, 0.01 * S}, {hu + 0.045*S, 0.01 * S}, {hu + 0.15*S, -0.25 * S}, {hu - 0.15*S, -0.25 * S}})
		blade := max(fan, sdCircle(u-hu, v-0.04*S, 0.27*S))
		spike := sdTriangle(u, v, hu-0.035*S, 0.02*S, hu+0.035*S, 0.02*S, hu, 0.13*S)
		d := min(haft, min(blade, spike))
		if !colour || d > 1 {
			return rgb{}, d
		}
		if blade <= 0 || spike <= 0 {
			c := metalAt(steel.scale(0.82), u-hu, v, 0.2*S)
			return mix(c, rgb{1, 1, 1}, 0.4*smoothstep(-0.02*S, 0, blade)*step(v < -0.15*S)), d
		}
		c := wood.scale(0.9 - 0.3*v/(0.022*S))
		if math.Sin(u/(0.012*S)) > 0.7 && u < -0.25*S {
			c = leather.scale(0.8)
		}
		return c, d
	}
}

// hammerPart is a warhammer, or a flanged mace.
func hammerPart(cx, cy, S float64, pal palette, mace bool) itemPart {
	flanges := newStar(0.13*S, 8, 3.2)
	return func(px, py float64, colour bool) (rgb, float64) {
		u, v := diagonal(px, py, cx, cy)
		haft := sdBox(u+0.05*S, v, 0.34*S, 0.02*S)
		hu := 0.26 * S
		var head float64
		if mace {
			head = min(flanges.sd(u-hu, v), sdCircle(u-hu, v, 0.085*S))
		} else {
			head = sdBox(u-hu, v, 0.08*S, 0.17*S) - 0.01*S
		}
		d := min(haft, head)
		if !colour || d > 1 {
			return rgb{}, d
		}
		if head <= 0 {
			return metalAt(steel, u-hu, v, 0.12*S), d
		}
		c := wood.scale(0.9 - 0.3*v/(0.02*S))
		if u < -0.22*S && math.Sin(u/(0.01*S)) > 0.5 {
			c = leather
		}
		return c, d
	}
}

// bowPart is a recurved bow with its string and an arrow nocked.
func bowPart(cx, cy, S float64) itemPart {
	R := 0.5 * S
	ax := cx + 0.28*S
	a0, a1 := math.Pi*0.72, math.Pi*1.28
	e0x, e0y := ax+R*math.Cos(a0), cy+R*math.Sin(a0)
	e1x, e1y := ax+R*math.Cos(a1), cy+R*math.Sin(a1)
	return func(px, py float64, colour bool) (rgb, float64) {
		limb := sdArc(px, py, ax, cy, R, a0, a1, 0.022*S*(0.5+0.5*clamp01(1-math.Abs(py-cy)/(0.45*S))))
		str := sdSegment(px, py, e0x, e0y, e1x, e1y) - 0.004*S
		shaft := sdBox(px-(cx+0.05*S), py-cy, 0.3*S, 0.008*S)
		head := sdTriangle(px, py, cx+0.33*S, cy-0.035*S, cx+0.33*S, cy+0.035*S, cx+0.42*S, cy)
		fletch := min(sdTriangle(px, py, cx-0.25*S, cy, cx-0.17*S, cy, cx-0.27*S, cy-0.05*S), sdTriangle(px, py, cx-0.25*S, cy, cx-0.17*S, cy, cx-0.27*S, cy+0.05*S))
		d := min(min(limb, str), min(min(shaft, head), fletch))
		if !colour || d > 1 {
			return rgb{}, d
		}
		switch {
		case head <= 0:
			return metalAt(steel, px-cx-0.37*S, py-cy, 0.05*S), d
		case fletch <= 0:
			return hex(0xc83a2a), d
		case shaft <= 0:
			return wood.scale(1.2), d
		case limb <= 0:
			c := wood.scale(1.05 - 0.3*clamp01((px-(ax-R))/(0.03*S)))
			if math.Abs(py-cy) < 0.06*S {
				c = leather
			}
			return c, d
		}
		return hex(0xe8e0c8), d
	}
}

// staffPart is a staff (long) or wand (short) on the diagonal, a gem at
// its head.
func staffPart(cx, cy, S float64, gem rgb, length float64) itemPart {
	L := length * S
	thick := 0.022 * S
	if length < 0.4 {
		thick = 0.016 * S
	}
	return func(px, py float64, colour bool) (rgb, float64) {
		u, v := diagonal(px, py, cx, cy)
		shaft := sdTaper(u, v, -L, 0, L*0.8, 0, thick*0.8, thick)
		crystal := (math.Abs(u-L*0.95)*0.6 + math.Abs(v)*1.1) - 0.055*S
		prongs := min(sdArc(u, v, L*0.93, 0, 0.07*S, math.Pi*0.55, math.Pi*0.95, 0.01*S), sdArc(u, v, L*0.93, 0, 0.07*S, math.Pi*1.05, math.Pi*1.45, 0.01*S))
		d := min(min(shaft, crystal), prongs)
		if !colour || d > 1 {
			return rgb{}, d
		}
		switch {
		case crystal <= 0:
			c := gem.scale(1.2 - 0.5*clamp01((u-L*0.95+v)/(0.06*S)+0.5))
			return mix(c, rgb{1, 1, 1}, 0.4*math.Exp(-math.Pow((u-L*0.9)/(0.015*S), 2))), d
		case prongs <= 0:
			return metalAt(gold, u, v, 0.05*S), d
		}
		c := wood.scale(0.95 - 0.3*v/thick)
		if length < 0.4 && u < -L*0.4 && math.Mod(u/(0.03*S)+100, 1) < 0.3 {
			c = gold.scale(0.9)
		}
		return c.scale(0.9 + 0.12*math.Sin(u/(0.006*S)+math.Sin(u/(0.04*S))*2)), d
	}
}

// helmetPart is a nasal helm with cheek guards, horned if asked.
func helmetPart(cx, cy, S float64, pal palette, horned bool) itemPart {
	metal := mix(steel, pal.metal, 0.2)
	return func(px, py float64, colour bool) (rgb, float64) {
		x, y := px-cx, py-cy
		dome := max(sdEllipse(x, y-0.02*S, 0.26*S, 0.3*S), y-0.06*S)
		cheeks := sdBox(math.Abs(x)-0.2*S, y-0.14*S, 0.06*S, 0.14*S) - 0.01*S
		face := max(sdBox(x, y-0.17*S, 0.14*S, 0.12*S), -sdBox(x, y-0.12*S, 0.025*S, 0.14*S))
		shell := max(min(dome, cheeks), -face)
		rim := max(sdBox(x, y-0.05*S, 0.27*S, 0.025*S), shell-0.001)
		horns := math.Inf(1)
		if horned {
			for _, s := range []float64{-1, 1} {
				horns = min(horns, sdBezierTaper(x, y, [2]float64{s * 0.2 * S, -0.05 * S}, [2]float64{s * 0.42 * S, -0.08 * S}, [2]float64{s * 0.4 * S, -0.36 * S}, 0.05*S, 0.008*S))
			}
		}
		d := min(shell, horns)
		if !colour || d > 1 {
			return rgb{}, d
		}
		if horns <= 0 && horns < shell {
			return mix(hex(0xe8dcc0), hex(0x6a5a48), clamp01(math.Abs(x)/(0.42*S))), d
		}
		c := metalAt(metal, x, y+0.1*S, 0.25*S)
		if rim <= 0 {
			c = mix(gold, pal.metal, 0.4).scale(0.9)
		}
		if math.Abs(x) < 0.012*S && y < 0.05*S {
			c = c.scale(1.2) // a raised ridge
		}
		return c, d
	}
}

// bookPart is a closed tome: a leather cover, corner guards, an emblem and
// a clasp, the pages' edge showing.
func bookPart(cx, cy, S float64, pal palette, accent rgb) itemPart {
	cover := mix(accent, leather, 0.55)
	return func(px, py float64, colour bool) (rgb, float64) {
		x, y := px-cx, py-cy
		body := sdBox(x, y, 0.24*S, 0.31*S) - 0.015*S
		pages := sdBox(x-0.245*S, y, 0.012*S, 0.29*S)
		d := min(body, pages)
		if !colour || d > 1 {
			return rgb{}, d
		}
		if pages < body {
			if math.Mod(y/(0.006*S)+100, 2) < 1 {
				return paper.scale(0.85), d
			}
			return paper, d
		}
		c := cover.scale(1.05 - 0.3*(x+y)/(0.5*S))
		if x < -0.17*S {
			c = cover.scale(0.7) // the spine
			if math.Mod(y/(0.08*S)+100, 1) < 0.15 {
				c = c.scale(0.6)
			}
		}
		for _, corner := range [][2]float64{{0.24, -0.31}, {0.24, 0.31}} {
			if math.Abs(x-corner[0]*S)+math.Abs(y-corner[1]*S) < 0.09*S {
				c = metalAt(gold, x, y, 0.1*S)
			}
		}
		emb := mullet.sd(x/(0.09*S), -y/(0.09*S)) * 0.09 * S
		c = mix(c, metalAt(gold, x, y, 0.09*S), 1-clamp01(emb+0.5))
		ring := math.Abs(math.Hypot(x, y)-0.12*S) - 0.008*S
		c = mix(c, gold.scale(0.9), 1-clamp01(ring+0.5))
		if math.Abs(y) < 0.03*S && x > 0.18*S {
			c = metalAt(gold, x, y, 0.05*S)
		}
		return c, d
	}
}

// scrollPart is an unrolled scroll: parchment with lines of writing between
// two rollers, sealed in wax.
func scrollPart(cx, cy, S float64, wax rgb) itemPart {
	return func(px, py float64, colour bool) (rgb, float64) {
		x, y := px-cx, py-cy
		sheet := sdBox(x, y, 0.22*S, 0.27*S)
		rollT := sdCapsule(x, y, -0.26*S, -0.29*S, 0.26*S, -0.29*S, 0.045*S)
		rollB := sdCapsule(x, y, -0.26*S, 0.29*S, 0.26*S, 0.29*S, 0.045*S)
		seal := sdCircle(x-0.12*S, y-0.19*S, 0.05*S)
		d := min(min(sheet, rollT), min(rollB, seal))
		if !colour || d > 1 {
			return rgb{}, d
		}
		switch {
		case rollT <= 0 || rollB <= 0:
			ry := y + 0.29*S
			if rollB <= 0 {
				ry = y - 0.29*S
			}
			return paper.scale(1.05 - 0.45*math.Abs(ry)/(0.045*S)), d
		case seal <= 0:
			return wax.saturate(1.2).scale(0.9 - 0.4*(x-0.12*S+y-0.19*S)/(0.1*S)), d
		}
		c := paper.scale(0.95 + 0.08*math.Sin(x/(0.05*S))*math.Sin(y/(0.07*S)))
		line := math.Mod(y/(0.045*S)+100, 1)
		if line < 0.22 && math.Abs(x) < 0.17*S && y < 0.12*S && math.Sin(x/(0.01*S)+y) > -0.3 {
			c = hex(0x3a2a1a)
		}
		return c, d
	}
}

// keyPart is an old key on the diagonal: a ring bow, a shaft and a toothed
// bit.
func keyPart(cx, cy, S float64, pal palette) itemPart {
	metal := mix(gold, pal.metal, 0.5)
	return func(px, py float64, colour bool) (rgb, float64) {
		u, v := diagonal(px, py, cx, cy)
		bow := math.Abs(math.Hypot(u+0.28*S, v)-0.1*S) - 0.028*S
		shaft := sdBox(u+0.02*S, v, 0.22*S, 0.022*S)
		bit := min(sdBox(u-0.17*S, v-0.07*S, 0.025*S, 0.05*S), sdBox(u-0.1*S, v-0.06*S, 0.02*S, 0.04*S))
		d := min(bow, min(shaft, bit))
		if !colour || d > 1 {
			return rgb{}, d
		}
		return metalAt(metal, u, v, 0.15*S), d
	}
}

// orbPart is a glass orb swirling with light on a claw stand.
func orbPart(cx, cy, S float64, pal palette, glowC rgb, tex *noise) itemPart {
	oy := cy - 0.05*S
	r := 0.25 * S
	return func(px, py float64, colour bool) (rgb, float64) {
		x, y := px-cx, py-oy
		orb := sdCircle(x, y, r)
		stand := sdPoly(px, py, [][2]float64{{cx - 0.1*S, oy + 0.2*S}, {cx + 0.1*S, oy + 0.2*S}, {cx + 0.17*S, cy + 0.3*S}, {cx - 0.17*S, cy + 0.3*S}})
		d := min(orb, stand)
		if !colour || d > 1 {
			return rgb{}, d
		}
		if orb > stand {
			return metalAt(mix(gold, pal.metal, 0.4), x, y-0.3*S, 0.12*S), d
		}
		rr := math.Hypot(x, y) / r
		swirl := tex.fbm(x/(0.1*S)+math.Sin(rr*6)*0.8, y/(0.1*S), 3)
		c := mix(glowC.scale(0.35), glowC.scale(1.3), smoothstep(0.35, 0.7, swirl)*(1-rr*0.6))
		c = c.add(rgb{1, 1, 1}.scale(0.5 * math.Exp(-math.Pow(math.Hypot(x+0.09*S, y+0.1*S)/(0.05*S), 2))))
		return mix(c, c.scale(0.5), smoothstep(0.75, 1, rr)), d
	}
}

// cloakPart is a hooded cloak hung from its clasp.
func cloakPart(cx, cy, S float64, pal palette, cloth rgb) itemPart {
	cloth = mix(cloth, hex(0x2a4a2a), 0.4)
	return func(px, py float64, colour bool) (rgb, float64) {
		x, y := px-cx, py-cy
		hem := 0.33*S + 0.015*S*math.Sin(x/(0.03*S))
		body := sdPoly(px, py, [][2]float64{{cx - 0.12*S, cy - 0.26*S}, {cx + 0.12*S, cy - 0.26*S}, {cx + 0.34*S, cy + hem}, {cx - 0.34*S, cy + hem}})
		hood := sdEllipse(x, y+0.27*S, 0.17*S, 0.12*S)
		clasp := sdCircle(x, y+0.2*S, 0.035*S)
		d := min(min(body, hood), clasp)
		if !colour || d > 1 {
			return rgb{}, d
		}
		if clasp <= 0 {
			return metalAt(gold, x, y+0.2*S, 0.04*S), d
		}
		folds := 0.85 + 0.2*math.Sin(x/(0.035*S)*(1+0.3*y/S))
		c := cloth.scale(folds * (1.05 - 0.25*(y+0.3*S)/(0.6*S)))
		if hood < body {
			c = cloth.scale(0.8 + 0.3*clamp01(-y/(0.4*S)))
		}
		return c, d
	}
}

// bagPart is a leather pouch gathered by a drawstring.
func bagPart(cx, cy, S float64, accent rgb) itemPart {
	hide := mix(leather, accent, 0.15).scale(1.2)
	return func(px, py float64, colour bool) (rgb, float64) {
		x, y := px-cx, py-cy
		body := smin(sdCircle(x, y-0.1*S, 0.26*S), sdBox(x, y+0.12*S, 0.09*S, 0.1*S), 0.08*S)
		ruffle := sdEllipse(x, y+0.25*S, 0.15*S, 0.06*S) - 0.01*S*math.Abs(math.Sin(x/(0.02*S)))
		tie := min(sdCapsule(x, y, 0.02*S, -0.13*S, 0.14*S, -0.02*S, 0.008*S), sdCapsule(x, y, 0.02*S, -0.13*S, 0.1*S, 0.03*S, 0.008*S))
		d := min(min(body, ruffle), tie)
		if !colour || d > 1 {
			return rgb{}, d
		}
		if tie <= 0 && tie < body {
			return hex(0xd8c8a0), d
		}
		c := hide.scale(1.05 - 0.35*(x+y)/(0.4*S))
		if math.Abs(y+0.13*S) < 0.012*S {
			c = hex(0xd8c8a0) // the drawstring
		}
		if math.Abs(math.Hypot(x, y-0.1*S)-0.2*S) < 0.004*S && math.Mod(math.Atan2(y-0.1*S, x)*20, 1) < 0.5 {
			c = c.scale(0.6) // stitching
		}
		return c, d
	}
}
