package imagegen

import (
	"context"
	"image"
	"math"
)

// magicWords make an item glow.
var magicWords = []string{"magic", "enchant", "glow", "flam", "fire", "arcane", "holy", "curse", "rune", "frost", "ice", "lightning", "storm", "radiant", "shadow", "necrotic", "blessed", "legendary", "artifact", "artefact", "+1", "+2", "+3"}

// itemPart returns the object's signed distance at a pixel (for the
// outline, shadow and aura) and, when colour is set and the pixel is on the
// object, its colour.
type itemPart func(px, py float64, colour bool) (c rgb, d float64)

// drawItem draws one object, isolated and centred on a plain backdrop,
// its shape chosen by the prompt's item word (see itemKinds); an unknown
// word gets the closest shape and a warning.
func drawItem(ctx context.Context, img *image.RGBA, sc *scene) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	S := min(float64(w), float64(h))
	cx, cy := float64(w)/2, float64(h)/2
	pal := sc.pal
	accent, named := promptColour(sc.prompt)
	if !named {
		accent = pal.accent
	}
	glowColour := accent
	if !named {
		glowColour = pal.glow
	}
	magic := hasAnyWord(sc.prompt, magicWords...) && !sc.rm.has(rmGlow)
	tex := newNoise(sc.seed)

	shape, warning := pickItem(sc.prompt)
	if warning != "" {
		sc.warn("%s", warning)
	}
	part := itemPartFor(shape, cx, cy, S, sc, accent, tex)

	backdrop := mix(pal.bg, pal.floor, 0.55).saturate(0.6)
	ink := pal.ink
	lw := max(1, S/300)
	shOff := S * 0.025
	glowW := S * 0.03
	pix := img.Pix
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		py := float64(y) + 0.5
		for x := range w {
			px := float64(x) + 0.5
			dx, dy := (px-cx)/S, (py-cy)/S
			// Plain studio backdrop: lighter behind the object.
			c := backdrop.scale(1.15 - 0.6*(dx*dx+dy*dy))
			c = c.add(rgb{1, 1, 1}.scale((unit(hash2(x, y, sc.seed)) - 0.5) * 0.02))
			_, sd := part(px-shOff, py-shOff*1.4, false)
			c = c.scale(1 - 0.35*smoothstep(S*0.03, -S*0.01, sd))
			oc, d := part(px, py, true)
			if magic && d > 0 {
				g := glowW / (d + glowW)
				c = c.add(glowColour.scale(0.9 * g * g))
			}
			oc = mix(oc, ink, cover(math.Abs(d)-lw))
			c = mix(c, oc, cover(d-lw))
			put(pix, y*img.Stride+x*4, c)
		}
	}
	return nil
}

// swordPart is a sword lying on the diagonal, tip to the upper right.
func swordPart(cx, cy, S float64, pal palette, gem rgb) itemPart {
	const c45 = math.Sqrt2 / 2
	L, bw, tip := 0.56*S, 0.042*S, 0.11*S
	// The guard sits so the whole sword is centred.
	gx, gy := cx-0.17*S*c45, cy+0.17*S*c45
	steel := hex(0xc9ced6)
	leather := hex(0x5a3a22)
	return func(px, py float64, colour bool) (rgb, float64) {
		// u runs along the blade toward the tip, v across it.
		x, y := px-gx, py-gy
		u := (x - y) * c45
		v := (x + y) * c45
		w := bw * min(1, (L-u)/tip)
		blade := max(math.Abs(v)-w, max(-u, u-L))
		guard := sdBox(u, v, 0.018*S, 0.13*S) - 0.006*S
		grip := sdBox(u+0.095*S, v, 0.075*S, 0.02*S)
		pommel := sdCircle(u+0.19*S, v, 0.034*S)
		d := min(min(blade, guard), min(grip, pommel))
		if !colour || d > 1 {
			return rgb{}, d
		}
		var c rgb
		switch {
		case blade <= 0 && blade <= guard:
			s := v / max(w, 1e-6)
			c = steel.scale(1.08 - 0.22*s)
			if math.Abs(s) < 0.22 && u < 0.72*L {
				c = c.scale(0.72) // fuller
			}
			streak := (s + 0.5) / 0.12
			c = c.add(rgb{1, 1, 1}.scale(0.3 * math.Exp(-streak*streak)))
		case guard <= 0:
			c = pal.metal.scale(1.1 - 0.35*(u/(0.018*S)))
		case grip <= 0:
			c = leather.scale(0.9 - 0.2*v/(0.02*S))
			if math.Sin((u*1.0+v*0.7)/(0.011*S)*math.Pi) > 0.55 {
				c = c.scale(0.65)
			}
		default:
			r := math.Hypot(u+0.19*S, v)
			c = pal.metal.scale(1.15 - 0.4*(u+0.19*S+v)/(0.068*S))
			if r < 0.016*S {
				c = gem.scale(1.2 - 0.5*r/(0.016*S))
			}
		}
		return c, d
	}
}

// potionPart is a round-bellied flask with a cork, half full of liquid.
func potionPart(cx, cy, S float64, sc *scene, liquid rgb, tex *noise) itemPart {
	r := 0.24 * S
	bodyY := cy + 0.12*S
	gt := 0.014 * S
	level := bodyY - 0.02*S - sc.rng.Float64()*0.1*S
	glass := hex(0xdfe9ef)
	cork := hex(0x9a6a3a)
	type bubble struct{ x, y, r float64 }
	var bubbles []bubble
	for range 6 + sc.rng.IntN(8) {
		a, d := sc.rng.Float64()*2*math.Pi, sc.rng.Float64()*0.75*r
		b := bubble{cx + math.Cos(a)*d, bodyY + math.Abs(math.Sin(a))*d, (0.008 + 0.02*sc.rng.Float64()) * S}
		if b.y-b.r > level {
			bubbles = append(bubbles, b)
		}
	}
	backdrop := mix(sc.pal.bg, sc.pal.floor, 0.55).saturate(0.6)
	return func(px, py float64, colour bool) (rgb, float64) {
		body := sdCircle(px-cx, py-bodyY, r)
		neck := sdBox(px-cx, py-(cy-0.17*S), 0.065*S, 0.11*S)
		lip := sdBox(px-cx, py-(cy-0.28*S), 0.085*S, 0.02*S) - 0.005*S
		flask := smin(smin(body, neck, 0.05*S), lip, 0.01*S)
		corkD := sdBox(px-cx, py-(cy-0.33*S), 0.055*S, 0.04*S) - 0.005*S
		d := min(flask, corkD)
		if !colour || d > 1 {
			return rgb{}, d
		}
		if corkD < flask && corkD <= 0 {
			return cork.scale(0.85 + 0.3*tex.fbm(px/(0.01*S), py/(0.03*S), 2) - 0.2*(px-cx)/(0.06*S)), d
		}
		// Through the glass: the backdrop, lightly tinted.
		c := mix(backdrop.scale(1.1), glass, 0.3)
		if flask < -gt && py > level {
			depth := (py - level) / (bodyY + r - level)
			c = liquid.scale(1.25 - 0.55*depth)
			core := math.Hypot(px-cx, py-bodyY) / r
			c = c.add(liquid.scale(0.35 * max(0, 1-core)))
			if py-level < 0.008*S {
				c = mix(c, rgb{1, 1, 1}, 0.45) // meniscus
			}
			for _, b := range bubbles {
				bd := math.Hypot(px-b.x, py-b.y) - b.r
				c = mix(c, c.scale(1.5), cover(math.Abs(bd)-0.003*S))
			}
		}
		// Rim of the glass and a highlight on the upper left.
		c = mix(c, rgb{1, 1, 1}, 0.45*smoothstep(-gt, 0, flask))
		hx, hy := (px-(cx-0.13*S))/(0.028*S), (py-(bodyY-0.07*S))/(0.09*S)
		if hx*hx+hy*hy < 1 {
			c = mix(c, rgb{1, 1, 1}, 0.55*(1-hx*hx-hy*hy))
		}
		return c, d
	}
}

// amuletPart is a medallion: a metal ring, filigree petals and a faceted
// gem, hung from a bail.
func amuletPart(cx, cy, S float64, sc *scene, gem rgb) itemPart {
	metal := sc.pal.metal
	R0, band := 0.33*S, 0.055*S
	Rg := 0.16 * S
	n := []int{6, 8, 10, 12}[sc.rng.IntN(4)]
	petals := []int{5, 6, 8, 12}[sc.rng.IntN(4)]
	rot := sc.rng.Float64() * math.Pi
	light := -3 * math.Pi / 4
	bailY := cy - R0 - 0.035*S
	outer, inner := newStar(Rg, n, 2), newStar(0.55*Rg, n, 2)
	return func(px, py float64, colour bool) (rgb, float64) {
		dx, dy := px-cx, py-cy
		r := math.Hypot(dx, dy)
		ring := math.Abs(r-(R0-band/2)) - band/2
		bail := math.Abs(math.Hypot(px-cx, py-bailY)-0.03*S) - 0.011*S
		d := min(ring, bail)
		if r > R0-band {
			// Outside the ring's inner edge only the ring and bail matter.
			if !colour || d > 1 {
				return rgb{}, d
			}
		}
		th := math.Atan2(dy, dx)
		var petal, gemD float64 = math.Inf(1), math.Inf(1)
		if r < R0 {
			petal = r - (Rg + (R0-band-Rg)*0.95*math.Pow(math.Abs(math.Cos(float64(petals)*(th-rot)/2)), 0.6))
			gemD = outer.sd(dx, dy)
			d = min(d, min(petal, gemD))
		}
		if !colour || d > 1 {
			return rgb{}, d
		}
		facing := math.Cos(th - light)
		var c rgb
		switch {
		case gemD <= 0:
			table := inner.sd(dx, dy)
			sector := math.Floor((th + math.Pi/float64(n)) / (2 * math.Pi / float64(n)))
			fa := sector * 2 * math.Pi / float64(n)
			if table <= 0 {
				c = gem.scale(1.15 + 0.15*((dx+dy)/Rg))
			} else {
				c = gem.scale(0.55 + 0.45*math.Cos(fa-light))
				edge := math.Abs(math.Remainder(th+math.Pi/float64(n), 2*math.Pi/float64(n))) * r
				c = mix(c, gem.scale(0.35), cover(edge-0.6))
			}
			c = mix(c, gem.scale(0.4), cover(math.Abs(table)-0.7))
			// A sparkle on the upper left of the table.
			sx, sy := dx+0.28*Rg, dy+0.28*Rg
			q := 0.012 * S
			spark := 0.5 * q * q / (8*math.Abs(sx*sy) + sx*sx + sy*sy + 0.3*q*q)
			c = c.add(rgb{1, 1, 1}.scale(min(spark, 1.2)))
		case ring <= 0 || bail <= 0:
			t := (r - (R0 - band)) / band
			if bail <= 0 {
				t = 0.5
			}
			c = metal.scale(0.8 + 0.35*facing*(2*t-1))
			c = c.add(rgb{1, 1, 1}.scale(0.4 * math.Pow(max(0, facing*(2*t-1)), 6)))
		default:
			c = metal.scale(0.62 + 0.2*facing*(r-Rg)/(R0-Rg))
			c = mix(c, metal.scale(0.35), cover(math.Abs(petal+0.012*S)-0.5))
		}
		return c, d
	}
}

// smin is a smooth minimum: a union of two distances blended over k.
func smin(a, b, k float64) float64 {
	h := clamp01(0.5 + 0.5*(b-a)/k)
	return b + (a-b)*h - k*h*(1-h)
}
