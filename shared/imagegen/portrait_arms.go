package imagegen

import "math"

// mailColour is a mail shirt: rows of small rings, lit on their upper
// rims, over the torso; a cleric's stole or a paladin's tabard over it, a
// leather belt, and the clothes showing at the collar.
func (f *figure) mailColour(u, v, d float64) rgb {
	sy, px := f.shoulderY(), f.px
	const ring = 0.017
	row := math.Floor((v - sy) / ring)
	x := u/ring + 0.5*math.Mod(row+100, 2)
	fx, fy := x-math.Floor(x)-0.5, (v-sy)/ring-row-0.5
	r := math.Hypot(fx, fy*1.25)
	c := formShade(f.metal.scale(0.6), u, v, d, -0.1, sy+0.15, 0.5)
	c = mix(c, f.metal.scale(1.1), 0.75*smoothstep(0.16, 0.04, math.Abs(r-0.34))*clamp01(0.6-fy))
	c = mix(c, f.metal.scale(0.28), smoothstep(0.2, 0.1, r))
	switch {
	case f.has(gearTabard):
		tab := max(math.Abs(u)-0.12, sy+0.06-v)
		t := formShade(f.cloth, u, v, tab, 0, sy+0.2, 0.3)
		t = mix(t, f.trim, cover((math.Abs(tab+0.012)-0.004)/px))
		c = mix(c, t, cover(tab/px))
	case f.class.name == "cleric":
		for _, s := range []float64{-1, 1} {
			stole := math.Abs(u-s*0.085) - 0.028
			c = mix(c, formShade(f.trim, u, v, -0.02, -0.1, sy, 0.5), cover(stole/px))
		}
	}
	if collar := v - (sy + 0.025) + 0.2*math.Abs(u); collar < 0 && math.Abs(u) < 0.1 {
		c = formShade(f.cloth, u, v, collar, 0, sy, 0.1)
	}
	belt := math.Abs(v-(sy+0.4)) - 0.022
	c = mix(c, formShade(f.leather, u, v, belt, 0, sy+0.4, 0.3), cover(belt/px))
	buckle := sdBox(u, v-(sy+0.4), 0.026, 0.02)
	return mix(c, f.trim, cover((math.Abs(buckle)-0.005)/px))
}

// spear is a spear held upright at the side, its leaf-shaped head above
// the figure's head.
func (f *figure) spear() []layer {
	x := f.handU()
	top := min(0.06, f.race.headY-f.race.ry-0.14)
	shaft := func(u, v float64) float64 { return sdCapsule(u, v, x, top+0.1, x+0.008, 1.3, 0.011) }
	head := func(u, v float64) float64 {
		return min(sdTaper(u, v, x, top+0.12, x, top-0.06, 0.026, 0.002), sdBox(u-x, v-(top+0.125), 0.02, 0.008))
	}
	return []layer{
		part(x-0.03, top+0.08, x+0.03, 1.3, shaft, func(u, v, d float64) rgb {
			return formShade(hex(0x7a5430), u, v, d, x-0.01, v, 0.03)
		}),
		part(x-0.04, top-0.08, x+0.04, top+0.14, head, func(u, v, d float64) rgb { return f.metalShade(u, v, x, top) }),
		f.fist(x+0.004, 0.8),
	}
}

// hammer is a warhammer held at the side: a square head and a back spike
// on a haft.
func (f *figure) hammer() []layer {
	x := f.handU()
	hv := 0.5
	haft := func(u, v float64) float64 { return sdCapsule(u, v, x, hv, x, 0.92, 0.011) }
	head := func(u, v float64) float64 {
		block := sdBox(u-x-0.025, v-hv, 0.055, 0.042) - 0.005
		spike := sdTriangle(u, v, x-0.03, hv-0.026, x-0.03, hv+0.026, x-0.095, hv)
		return min(block, spike)
	}
	return []layer{
		part(x-0.02, hv, x+0.02, 0.94, haft, flat(hex(0x5a4030), x, 0.7, 0.3)),
		part(x-0.11, hv-0.06, x+0.1, hv+0.06, head, func(u, v, d float64) rgb { return f.metalShade(u, v, x+0.02, hv) }),
		f.fist(x, 0.8),
	}
}

// axe is a battleaxe held at the side, its bearded blade turned out.
func (f *figure) axe() []layer {
	x := f.handU()
	hv := 0.5
	haft := func(u, v float64) float64 { return sdCapsule(u, v, x, hv-0.04, x, 0.92, 0.011) }
	blade := func(u, v float64) float64 {
		edge := sdCircle(u-(x+0.02), v-hv, 0.075)
		return max(edge, max(x+0.005-u, math.Abs(v-hv)-(0.02+0.9*(u-x))))
	}
	return []layer{
		part(x-0.02, hv-0.05, x+0.02, 0.94, haft, flat(hex(0x5a4030), x, 0.7, 0.3)),
		part(x-0.01, hv-0.09, x+0.11, hv+0.09, blade, func(u, v, d float64) rgb {
			c := f.metalShade(u, v, x+0.04, hv)
			return mix(c, f.metal.scale(1.3), smoothstep(-0.012, -0.002, d)*step(u > x+0.05))
		}),
		f.fist(x, 0.8),
	}
}
