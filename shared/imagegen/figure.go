package imagegen

import (
	"context"
	"image"
	"math"
)

// A figure is drawn in "unit" space: u runs left to right and v top to
// bottom, one unit being the short side of the picture; the figure's axis
// is u = 0 and its square spans v = 0..1.

// layer is one part of a figure: a shape and how to colour it. Layers are
// painted back to front, each outlined in ink.
type layer struct {
	u0, v0, u1, v1 float64                    // the shape lies inside this box
	sd             func(u, v float64) float64 // signed distance, in units
	paint          func(u, v, d float64) rgb  // colour where the shape covers
	line           float64                    // outline width, times the default
	// soft, when set, makes the layer a glow: its opacity falls from
	// alpha inside the shape to nothing soft units outside, unoutlined.
	soft, alpha float64
}

// glow builds a soft layer of colour c round a shape.
func glow(u0, v0, u1, v1, soft, alpha float64, c rgb, sd func(u, v float64) float64) layer {
	return layer{u0: u0 - soft, v0: v0 - soft, u1: u1 + soft, v1: v1 + soft, sd: sd,
		paint: func(float64, float64, float64) rgb { return c }, soft: soft, alpha: alpha}
}

// part builds a layer with a default outline.
func part(u0, v0, u1, v1 float64, sd func(u, v float64) float64, paint func(u, v, d float64) rgb) layer {
	return layer{u0: u0, v0: v0, u1: u1, v1: v1, sd: sd, paint: paint, line: 1}
}

// flat paints one colour with soft form shading: lighter toward the upper
// left, darker near the edge.
func flat(c rgb, uc, vc, size float64) func(u, v, d float64) rgb {
	return func(u, v, d float64) rgb { return formShade(c, u, v, d, uc, vc, size) }
}

// formShade lights a colour as a rounded form centred on (uc, vc): light
// comes from the upper left, and the rim darkens.
func formShade(c rgb, u, v, d, uc, vc, size float64) rgb {
	k := 1.02 - 0.28*((u-uc)+(v-vc))/size
	k *= 1 - 0.25*smoothstep(-size*0.18, 0, d)
	return c.scale(k)
}

// canvas maps unit space onto a picture: scale pixels a unit, the unit
// square's top-left corner at (ox, oy).
type canvas struct {
	scale, ox, oy float64
}

func (cv canvas) unit(px, py float64) (float64, float64) {
	return (px - cv.ox) / cv.scale, (py - cv.oy) / cv.scale
}

// renderLayers paints layers over img, which may be transparent: colour is
// composited premultiplied. clip, when set, limits the figure to where it
// is negative (a token's inner disk), anti-aliased.
func renderLayers(ctx context.Context, img *image.RGBA, cv canvas, layers []layer, ink rgb, lw float64, clip func(px, py float64) float64) error {
	pad := 3 * lw / cv.scale
	return forPixels(ctx, img.Rect.Dx(), img.Rect.Dy(), func(x, y int, px, py float64) {
		clipCov := 1.0
		if clip != nil {
			if clipCov = cover(clip(px, py)); clipCov <= 0 {
				return
			}
		}
		u, v := cv.unit(px, py)
		i := y*img.Stride + x*4
		pr, pg, pb, pa := float64(img.Pix[i])/255, float64(img.Pix[i+1])/255, float64(img.Pix[i+2])/255, float64(img.Pix[i+3])/255
		for k := range layers {
			l := &layers[k]
			if u < l.u0-pad || u > l.u1+pad || v < l.v0-pad || v > l.v1+pad {
				continue
			}
			d := l.sd(u, v)
			var a float64
			var c rgb
			if l.soft > 0 {
				if a = l.alpha * (1 - smoothstep(-l.soft*0.3, l.soft, d)); a <= 0 {
					continue
				}
				c = l.paint(u, v, d)
			} else {
				dp := d * cv.scale
				width := lw * l.line
				if a = cover(dp - width); a <= 0 {
					continue
				}
				c = l.paint(u, v, d)
				if width > 0 {
					c = mix(c, ink, cover(math.Abs(dp)-width))
				}
			}
			a *= clipCov
			pr = pr*(1-a) + clamp01(c.r)*a
			pg = pg*(1-a) + clamp01(c.g)*a
			pb = pb*(1-a) + clamp01(c.b)*a
			pa = pa*(1-a) + a
		}
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = to8(pr), to8(pg), to8(pb), to8(pa)
	})
}

// Shapes in unit space.

// sdEllipse approximates the signed distance to an ellipse of radii rx, ry
// centred on the origin; exact on the axes, close enough elsewhere.
func sdEllipse(x, y, rx, ry float64) float64 {
	k0 := math.Hypot(x/rx, y/ry)
	if k0 == 0 {
		return -min(rx, ry)
	}
	k1 := math.Hypot(x/(rx*rx), y/(ry*ry))
	return k0 * (k0 - 1) / k1
}

// sdCapsule is the distance to a segment thickened to radius r.
func sdCapsule(x, y, ax, ay, bx, by, r float64) float64 {
	return sdSegment(x, y, ax, ay, bx, by) - r
}

// sdTaper is a segment from a (radius ra) to b (radius rb), a rounded
// cone.
func sdTaper(x, y, ax, ay, bx, by, ra, rb float64) float64 {
	px, py := x-ax, y-ay
	ex, ey := bx-ax, by-ay
	h := clamp01((px*ex + py*ey) / (ex*ex + ey*ey))
	return math.Hypot(px-ex*h, py-ey*h) - (ra + (rb-ra)*h)
}

// sdArc is the distance to a band of half-width t along the circle of
// radius r round (cx, cy), between angles a0 and a1 (radians, a0 < a1).
func sdArc(x, y, cx, cy, r, a0, a1, t float64) float64 {
	dx, dy := x-cx, y-cy
	a := math.Atan2(dy, dx)
	for a < a0 {
		a += 2 * math.Pi
	}
	if a <= a1 {
		return math.Abs(math.Hypot(dx, dy)-r) - t
	}
	e0x, e0y := cx+r*math.Cos(a0), cy+r*math.Sin(a0)
	e1x, e1y := cx+r*math.Cos(a1), cy+r*math.Sin(a1)
	return min(math.Hypot(x-e0x, y-e0y), math.Hypot(x-e1x, y-e1y)) - t
}

// sdRotBox is a box of half sizes hx, hy centred on (cx, cy), turned by
// angle a.
func sdRotBox(x, y, cx, cy, hx, hy, a float64) float64 {
	s, c := math.Sincos(a)
	dx, dy := x-cx, y-cy
	return sdBox(dx*c+dy*s, -dx*s+dy*c, hx, hy)
}

// sdPoly is the signed distance to a simple polygon.
func sdPoly(x, y float64, pts [][2]float64) float64 {
	d := math.Inf(1)
	inside := false
	for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
		a, b := pts[j], pts[i]
		d = min(d, sdSegment(x, y, a[0], a[1], b[0], b[1]))
		if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
			inside = !inside
		}
	}
	if inside {
		return -d
	}
	return d
}

// boxOf returns the bounding box of points, grown by r.
func boxOf(r float64, pts ...[2]float64) (u0, v0, u1, v1 float64) {
	u0, v0, u1, v1 = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		u0, v0 = min(u0, p[0]), min(v0, p[1])
		u1, v1 = max(u1, p[0]), max(v1, p[1])
	}
	return u0 - r, v0 - r, u1 + r, v1 + r
}

// compositeOver lays colour c with coverage a over the premultiplied pixel
// at Pix offset i.
func compositeOver(pix []uint8, i int, c rgb, a float64) {
	if a <= 0 {
		return
	}
	k := 1 - a
	pix[i] = to8(float64(pix[i])/255*k + clamp01(c.r)*a)
	pix[i+1] = to8(float64(pix[i+1])/255*k + clamp01(c.g)*a)
	pix[i+2] = to8(float64(pix[i+2])/255*k + clamp01(c.b)*a)
	pix[i+3] = to8(float64(pix[i+3])/255*k + a)
}
