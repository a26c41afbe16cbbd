package imagegen

import (
	"context"
	"image"
	"math"
)

// runeStrokes are the strokes runes are made of, in a -1..1 box (x along
// the ring, y outward).
var runeStrokes = [][4]float64{
	{0, -1, 0, 1},       // stave
	{-0.8, -1, 0.8, -1}, // foot
	{-0.8, 1, 0.8, 1},   // head
	{-0.8, -1, 0.8, 1},  // rising
	{-0.8, 1, 0.8, -1},  // falling
	{0, 0, 0.8, 1},      // branch up
	{0, 0, 0.8, -1},     // branch down
	{-0.8, 0, 0.8, 0},   // bar
}

// drawSigil draws a glowing arcane circle: rings, a star polygon, an inner
// polygon and petals, a band of runes, a bright core and motes of light.
func drawSigil(ctx context.Context, img *image.RGBA, sc *scene) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	S := min(float64(w), float64(h))
	cx, cy := float64(w)/2, float64(h)/2
	R := 0.42 * S
	rng := sc.rng
	glowC, ok := promptColour(sc.req.Prompt)
	if !ok {
		glowC = sc.pal.glow
	}
	bg := mix(sc.pal.bg2, rgb{}, 0.4)

	n := 5 + rng.IntN(5)
	step := 2
	if n >= 7 && rng.IntN(2) == 0 {
		step = 3
	}
	rot := -math.Pi/2 + (rng.Float64()-0.5)*0.2
	var segs []segment
	vertex := func(i int, r, off float64) (float64, float64) {
		a := rot + off + 2*math.Pi*float64(i)/float64(n)
		return cx + math.Cos(a)*r, cy + math.Sin(a)*r
	}
	for i := range n {
		x0, y0 := vertex(i, 0.86*R, 0)
		x1, y1 := vertex(i+step, 0.86*R, 0)
		segs = append(segs, newSegment(x0, y0, x1, y1))
		x0, y0 = vertex(i, 0.5*R, math.Pi/float64(n))
		x1, y1 = vertex(i+1, 0.5*R, math.Pi/float64(n))
		segs = append(segs, newSegment(x0, y0, x1, y1))
	}
	petals := float64(n)
	slots := 24 + 8*rng.IntN(3)
	runeMask := make([]uint8, slots)
	for i := range runeMask {
		for runeMask[i] == 0 || bitCount(runeMask[i]) > 3 {
			runeMask[i] = uint8(rng.IntN(256))
		}
	}
	rIn, rOut := 0.89*R, 0.97*R
	rc := (rIn + rOut) / 2
	slotW := 2 * math.Pi / float64(slots)
	hw := slotW / 2 * rc * 0.55
	hh := (rOut - rIn) / 2 * 0.7
	rays := float64(2 * n)

	lw := max(1, S/400)
	gw := S / 90
	glowAt := func(d float64) (sharp, glow float64) {
		g := gw / (max(d, 0) + gw)
		return cover(d - lw), g * g
	}
	pix := img.Pix
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		py := float64(y) + 0.5
		for x := range w {
			px := float64(x) + 0.5
			dx, dy := px-cx, py-cy
			r := math.Hypot(dx, dy)
			th := math.Atan2(dy, dx)
			var sharp, glow float64
			add := func(d, weight float64) {
				s, g := glowAt(d)
				sharp += s * weight
				glow += g * weight
			}
			add(math.Abs(r-R), 1)
			add(math.Abs(r-rIn), 0.8)
			add(math.Abs(r-0.5*R), 0.7)
			add(math.Abs(r-0.16*R), 0.6)
			if r < 0.86*R+20*gw {
				d2 := math.Inf(1)
				for k := range segs {
					d2 = min(d2, segs[k].dist2(px, py))
				}
				add(math.Sqrt(d2), 1)
			}
			if r < 0.5*R+gw*4 {
				rose := 0.5 * R * math.Abs(math.Cos(petals/2*(th-rot)))
				add(math.Abs(r-rose)*0.8, 0.5)
			}
			if r > rIn-gw*3 && r < rOut+gw*3 {
				a := th + math.Pi
				slot := min(int(a/slotW), slots-1)
				tx := (a - (float64(slot)+0.5)*slotW) * rc / hw
				ty := (r - rc) / hh
				dr := math.Inf(1)
				for k, st := range runeStrokes {
					if runeMask[slot]&(1<<k) != 0 {
						dr = min(dr, sdSegment(tx, ty, st[0], st[1], st[2], st[3])*hh)
					}
				}
				add(dr, 0.8)
			}
			core := 0.0
			if r < 0.5*R {
				core = math.Exp(-(r * r) / (0.015 * R * R))
			}
			v := 0.5 + 0.5*math.Cos(rays*(th-rot))
			v2 := v * v
			v4 := v2 * v2
			ray := v4 * v4 * v4 * math.Exp(-r/R) * 0.25
			halo := 0.18 * math.Exp(-r/(0.6*R))
			c := bg.add(glowC.scale(1.3*glow + halo + ray + 0.8*core))
			c = c.add(mix(glowC, rgb{1, 1, 1}, 0.7).scale(0.9*sharp + 0.9*core))
			put(pix, y*img.Stride+x*4, toneMap(c))
		}
	}
	// Motes of light drifting round the circle.
	for range 60 + rng.IntN(80) {
		a := rng.Float64() * 2 * math.Pi
		d := R * (0.15 + 1.15*math.Sqrt(rng.Float64()))
		mx, my := cx+math.Cos(a)*d, cy+math.Sin(a)*d
		s := S * (0.0015 + 0.005*rng.Float64())
		bright := 0.4 + 0.6*rng.Float64()
		eachPixel(img, mx-8*s, my-8*s, mx+8*s, my+8*s, func(i int, px, py float64) {
			dd := math.Hypot(px-mx, py-my)
			g := s / (dd + s)
			c := get(img.Pix, i).add(glowC.scale(bright * g * g * 1.5))
			c = c.add(rgb{1, 1, 1}.scale(bright * cover(dd-s*0.6)))
			put(img.Pix, i, c)
		})
	}
	return nil
}

// toneMap rolls highlights off smoothly instead of clipping them.
func toneMap(c rgb) rgb {
	f := func(v float64) float64 {
		if v <= 0.8 {
			return v
		}
		return 0.8 + 0.2*(1-math.Exp(-(v-0.8)/0.2))
	}
	return rgb{f(c.r), f(c.g), f(c.b)}
}

func bitCount(v uint8) int {
	n := 0
	for ; v != 0; v &= v - 1 {
		n++
	}
	return n
}
