package imagegen

import "math"

// Signed distance functions: negative inside, in the units of the input.
// The star and triangle follow Inigo Quilez's 2-D distance functions.

func sdCircle(x, y, r float64) float64 { return math.Hypot(x, y) - r }

// sdSegment is the distance from (x, y) to the segment a–b.
func sdSegment(x, y, ax, ay, bx, by float64) float64 {
	px, py := x-ax, y-ay
	ex, ey := bx-ax, by-ay
	h := clamp01((px*ex + py*ey) / (ex*ex + ey*ey))
	return math.Hypot(px-ex*h, py-ey*h)
}

// star is a star of n points reaching radius r, pointing down (+y); m in
// 2..n sets how deep the points are cut (2 makes a regular polygon). Its
// trigonometry is worked out once, so sd is cheap per pixel.
type star struct {
	r, an, acx, acy, ecx, ecy, lim float64
}

func newStar(r float64, n int, m float64) star {
	an := math.Pi / float64(n)
	en := math.Pi / m
	s := star{r: r, an: an, acx: math.Cos(an), acy: math.Sin(an), ecx: math.Cos(en), ecy: math.Sin(en)}
	s.lim = r * s.acy / s.ecy
	return s
}

// sd is the signed distance from (x, y) to the star.
func (s star) sd(x, y float64) float64 {
	a := math.Atan2(x, y)
	bn := a - 2*s.an*math.Floor(a/(2*s.an)) - s.an
	l := math.Hypot(x, y)
	sin, cos := math.Sincos(bn)
	px, py := l*cos-s.r*s.acx, l*math.Abs(sin)-s.r*s.acy
	k := min(max(-(px*s.ecx+py*s.ecy), 0), s.lim)
	px += s.ecx * k
	py += s.ecy * k
	d := math.Hypot(px, py)
	if px < 0 {
		return -d
	}
	return d
}

// segment is a line segment with its direction worked out once.
type segment struct{ ax, ay, ex, ey, inv float64 }

func newSegment(ax, ay, bx, by float64) segment {
	ex, ey := bx-ax, by-ay
	return segment{ax, ay, ex, ey, 1 / (ex*ex + ey*ey)}
}

// dist2 is the squared distance from (x, y) to the segment.
func (s *segment) dist2(x, y float64) float64 {
	px, py := x-s.ax, y-s.ay
	h := clamp01((px*s.ex + py*s.ey) * s.inv)
	dx, dy := px-s.ex*h, py-s.ey*h
	return dx*dx + dy*dy
}

// sdTriangle is the signed distance to the triangle p0 p1 p2.
func sdTriangle(x, y, x0, y0, x1, y1, x2, y2 float64) float64 {
	e0x, e0y := x1-x0, y1-y0
	e1x, e1y := x2-x1, y2-y1
	e2x, e2y := x0-x2, y0-y2
	v0x, v0y := x-x0, y-y0
	v1x, v1y := x-x1, y-y1
	v2x, v2y := x-x2, y-y2
	edge := func(vx, vy, ex, ey float64) float64 {
		h := clamp01((vx*ex + vy*ey) / (ex*ex + ey*ey))
		qx, qy := vx-ex*h, vy-ey*h
		return qx*qx + qy*qy
	}
	s := 1.0
	if e0x*e2y-e0y*e2x < 0 {
		s = -1
	}
	d := min(min(edge(v0x, v0y, e0x, e0y), edge(v1x, v1y, e1x, e1y)), edge(v2x, v2y, e2x, e2y))
	side := min(min(s*(v0x*e0y-v0y*e0x), s*(v1x*e1y-v1y*e1x)), s*(v2x*e2y-v2y*e2x))
	if side < 0 {
		return math.Sqrt(d)
	}
	return -math.Sqrt(d)
}
