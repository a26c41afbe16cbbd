package imagegen

import (
	"context"
	"image"
	"math"
	"math/rand/v2"
)

// silhouette is a foreground shape standing on the nearest ridge.
type silhouette struct {
	x, base, w, h float64
	kind          int
	segs          [][5]float64 // bare-tree branches: x0, y0, x1, y1, thickness
	seed          uint64
}

const (
	silPine = iota
	silBare
	silSpire
)

// drawLandscape draws a wide atmospheric scene: a graded sky with a sun,
// moon or ringed planet, layered ridges fading into haze, valley mist and
// a foreground of trees or towers.
func drawLandscape(ctx context.Context, img *image.RGBA, sc *scene) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	fw, fh := float64(w), float64(h)
	S := min(fw, fh)
	pal := sc.pal
	rng := sc.rng
	tex := newNoise(sc.seed)
	haze := mix(pal.sky1, pal.sky0, 0.4)

	// Ridges, far to near.
	const layers = 4
	ridge := make([][]float64, layers)
	base := []float64{0.5, 0.6, 0.7, 0.82}
	amp := []float64{0.2, 0.15, 0.1, 0.06}
	freq := []float64{2.2, 3.5, 5, 7}
	fog := []float64{0.62, 0.44, 0.24, 0.05}
	for l := range layers {
		ridge[l] = make([]float64, w)
		off := rng.Float64() * 200
		for x := range w {
			u := float64(x)/fw*freq[l] + off
			n := tex.fbm(u, float64(l)*31.7, 5)
			if l < 2 {
				n = 1 - math.Abs(2*n-1) // ridged: sharp peaks for far mountains
			}
			ridge[l][x] = fh * (base[l] - amp[l]*(n*1.6-0.3))
		}
	}
	layerColour := make([]rgb, layers)
	for l := range layers {
		layerColour[l] = mix(pal.land.scale(0.55+0.15*float64(l)), haze, fog[l])
	}

	// Foreground silhouettes on the nearest ridge, bucketed by column.
	sils := foreground(rng, pal, ridge[layers-1], fw, fh)
	buckets := make([][]int, w)
	for i, s := range sils {
		for x := max(int(s.x-s.w), 0); x < min(int(s.x+s.w)+1, w); x++ {
			buckets[x] = append(buckets[x], i)
		}
	}

	// The sky's light: a sun by day, a moon by night, a planet off-world.
	bx, by := fw*(0.2+0.6*rng.Float64()), fh*(0.14+0.16*rng.Float64())
	br := S * 0.05
	planet := pal.spires && pal.night
	if planet {
		br = S * 0.14
	}
	bodyC := hex(0xfff1c8)
	if pal.night {
		bodyC = hex(0xe8ecf4)
	}
	ringTilt := 0.25 + 0.15*rng.Float64()

	pix := img.Pix
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		py := float64(y) + 0.5
		for x := range w {
			px := float64(x) + 0.5
			i := y*img.Stride + x*4
			var c rgb
			layer := -1
			for l := layers - 1; l >= 0; l-- {
				if py >= ridge[l][x] {
					layer = l
					break
				}
			}
			fgc := -1.0 // coverage of a foreground silhouette
			for _, si := range buckets[x] {
				if cv := sils[si].cover(px, py); cv > fgc {
					fgc = cv
				}
			}
			switch {
			case layer >= 0:
				under := py - ridge[layer][x]
				c = layerColour[layer].scale(0.88 + 0.24*tex.fbm(px/(S*0.04)+float64(layer)*50, py/(S*0.04), 3))
				c = c.scale(1 - 0.25*smoothstep(0, fh*0.3, under))
				if layer < layers-1 {
					c = mix(c, haze, 0.4*smoothstep(0, fh*0.12, under)) // mist in the valleys
				}
				c = mix(c, haze, 0.3*(1-smoothstep(0, 2.5, under))) // soft ridge line
			default:
				c = sky(px, py, fw, fh, pal, tex)
				if pal.night && unit(hash2(x, y, sc.seed)) < 0.0012 {
					c = c.add(rgb{1, 1, 1}.scale(0.5 + 0.5*unit(hash2(y, x, sc.seed))))
				}
				c = celestial(c, px, py, bx, by, br, bodyC, planet, ringTilt, pal, tex)
			}
			if fgc > 0 {
				c = mix(c, mix(pal.land.scale(0.25), haze, 0.04), fgc)
				for _, si := range buckets[x] {
					if s := &sils[si]; s.kind == silSpire {
						c = s.window(c, px, py, pal)
					}
				}
			}
			put(pix, i, c)
		}
	}
	return vignette(ctx, img, 0.25)
}

// sky is the sky colour at a pixel: a gradient with streaks of cloud.
func sky(px, py, fw, fh float64, pal palette, tex *noise) rgb {
	t := math.Pow(clamp01(py/(fh*0.62)), 0.8)
	c := mix(pal.sky0, pal.sky1, t)
	cloud := tex.fbm(px/(fw*0.25)+300, py/(fh*0.05), 4)
	return mix(c, mix(pal.sky1, rgb{1, 1, 1}, 0.3), 0.45*smoothstep(0.55, 0.75, cloud)*(1-t*0.5))
}

// celestial adds the sun, moon or ringed planet and its glow.
func celestial(c rgb, px, py, bx, by, br float64, body rgb, planet bool, tilt float64, pal palette, tex *noise) rgb {
	d := math.Hypot(px-bx, py-by) - br
	g := br / (max(d, 0) + br)
	c = c.add(body.scale(0.35 * g * g))
	if planet {
		// Rings: an ellipse band in front of (below) and behind the disk.
		rx, ry := (px-bx)/(br*2.1), (py-by)/(br*2.1*tilt)
		re := math.Hypot(rx, ry)
		inRing := re > 0.72 && re < 1
		front := py > by
		bands := 0.75 + 0.25*math.Sin((py-by)/br*9+4*tex.at(px/br, py/br))
		disk := mix(pal.accent, body, 0.4).scale(bands * (1.05 - 0.5*clamp01((px-bx+py-by)/(2*br)+0.5)))
		if inRing && !front {
			c = mix(c, body.scale(0.8), 0.5)
		}
		c = mix(c, disk, cover(d))
		if inRing && front {
			c = mix(c, body.scale(0.85), 0.6)
		}
		return c
	}
	face := body
	if pal.night {
		face = body.scale(0.85 + 0.2*tex.fbm(px/(br*0.4), py/(br*0.4), 3))
	}
	return mix(c, face, cover(d))
}

// foreground places pines, bare trees or towers along the ridge line.
func foreground(rng *rand.Rand, pal palette, ridge []float64, fw, fh float64) []silhouette {
	kind := silPine
	switch {
	case pal.spires:
		kind = silSpire
	case pal.deadTrees:
		kind = silBare
	}
	var out []silhouette
	for x := rng.Float64() * fw * 0.05; x < fw; x += fw * (0.015 + 0.05*rng.Float64()) {
		if rng.IntN(4) == 0 {
			x += fw * 0.08 // a clearing
		}
		xi := min(int(x), len(ridge)-1)
		s := silhouette{x: x, base: ridge[xi] + fh*0.01, kind: kind, seed: rng.Uint64()}
		switch kind {
		case silSpire:
			s.w, s.h = fw*(0.008+0.012*rng.Float64()), fh*(0.08+0.2*rng.Float64())
		case silBare:
			s.h = fh * (0.1 + 0.12*rng.Float64())
			s.w = s.h * 0.6
			s.segs = branches(rng, s.x, s.base, s.h, fh)
		default:
			s.h = fh * (0.06 + 0.12*rng.Float64())
			s.w = s.h * 0.22
		}
		out = append(out, s)
	}
	return out
}

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

// cover is how much of the pixel the silhouette covers.
func (s *silhouette) cover(px, py float64) float64 {
	switch s.kind {
	case silSpire:
		top := s.base - s.h
		body := sdBox(px-s.x, py-(top+s.base)/2, s.w*0.5, s.h/2)
		roof := sdTriangle(px, py, s.x-s.w*0.5, top, s.x+s.w*0.5, top, s.x, top-s.w*1.5)
		mast := sdBox(px-s.x, py-(top-s.w*2.5), 0.6, s.w*1.2)
		return cover(min(body, min(roof, mast)))
	case silBare:
		d := math.Inf(1)
		for _, sg := range s.segs {
			d = min(d, sdSegment(px, py, sg[0], sg[1], sg[2], sg[3])-sg[4])
		}
		return cover(d)
	default:
		f := (s.base - py) / s.h
		if f < 0 || f > 1 {
			return 0
		}
		trunk := 0.0
		if f < 0.15 {
			trunk = cover(math.Abs(px-s.x) - s.w*0.12)
		}
		// Tiers of boughs, each wider at its foot.
		tier := f*5 - math.Floor(f*5)
		half := s.w * (1 - f) * (0.6 + 0.4*(1-tier))
		return max(trunk, cover(math.Abs(px-s.x)-half))
	}
}

// window lights some windows of a tower.
func (s *silhouette) window(c rgb, px, py float64, pal palette) rgb {
	ww := max(1, s.w*0.25)
	col, row := int(math.Floor((px-s.x+s.w*0.5)/ww)), int(math.Floor((s.base-py)/(ww*1.8)))
	if col%2 == 1 && row%2 == 1 && row > 0 && float64(row)*ww*1.8 < s.h-ww*2 && (px-s.x+s.w*0.5) < s.w-ww*0.5 {
		if unit(hash2(col, row, s.seed)) < 0.45 {
			return mix(c, mix(pal.glow, pal.accent, unit(hash2(row, col, s.seed))), 0.85)
		}
	}
	return c
}
