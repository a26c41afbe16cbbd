package imagegen

import (
	"context"
	"image"
	"image/draw"
	"image/png"
	"math"
	"sync"
)

// rowBlock is how many rows a loop runs between context checks.
const rowBlock = 32

// checkRow returns ctx's error on the first row of every block.
func checkRow(ctx context.Context, y int) error {
	if y%rowBlock == 0 {
		return ctx.Err()
	}
	return nil
}

// forPixels calls f for every pixel of a w×h picture, row by row, with the
// pixel's centre, and stops with ctx's error when it is done.
func forPixels(ctx context.Context, w, h int, f func(x, y int, px, py float64)) error {
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		py := float64(y) + 0.5
		for x := range w {
			f(x, y, float64(x)+0.5, py)
		}
	}
	return nil
}

// rgb is a straight colour with channels in 0..1 (sRGB, not linear).
type rgb struct{ r, g, b float64 }

func hex(v uint32) rgb {
	return rgb{float64(v>>16&0xff) / 255, float64(v>>8&0xff) / 255, float64(v&0xff) / 255}
}

func mix(a, b rgb, t float64) rgb {
	return rgb{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t}
}

func (c rgb) scale(k float64) rgb { return rgb{c.r * k, c.g * k, c.b * k} }
func (c rgb) add(o rgb) rgb       { return rgb{c.r + o.r, c.g + o.g, c.b + o.b} }
func (c rgb) lum() float64        { return 0.299*c.r + 0.587*c.g + 0.114*c.b }

// saturate scales the colour's distance from its grey by s.
func (c rgb) saturate(s float64) rgb {
	l := c.lum()
	return rgb{l + (c.r-l)*s, l + (c.g-l)*s, l + (c.b-l)*s}
}

// to8 converts a 0..1 channel to a byte, clamping and rounding.
func to8(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 1:
		return 255
	}
	return uint8(v*255 + 0.5)
}

// put writes an opaque colour at Pix offset i.
func put(pix []uint8, i int, c rgb) {
	pix[i] = to8(c.r)
	pix[i+1] = to8(c.g)
	pix[i+2] = to8(c.b)
	pix[i+3] = 255
}

// get reads the opaque colour at Pix offset i.
func get(pix []uint8, i int) rgb {
	return rgb{float64(pix[i]) / 255, float64(pix[i+1]) / 255, float64(pix[i+2]) / 255}
}

// over blends c over the opaque pixel at Pix offset i with coverage a.
func over(pix []uint8, i int, c rgb, a float64) {
	if a <= 0 {
		return
	}
	if a >= 1 {
		put(pix, i, c)
		return
	}
	put(pix, i, mix(get(pix, i), c, a))
}

func clamp01(v float64) float64 {
	switch {
	case !(v > 0): // also NaN
		return 0
	case v > 1:
		return 1
	}
	return v
}

func smoothstep(e0, e1, x float64) float64 {
	t := clamp01((x - e0) / (e1 - e0))
	return t * t * (3 - 2*t)
}

// cover turns a signed distance in pixels (negative inside) into coverage,
// anti-aliased over one pixel.
func cover(d float64) float64 { return clamp01(0.5 - d) }

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hash2 hashes a lattice point with a seed.
func hash2(x, y int, seed uint64) uint64 {
	return mix64(uint64(int64(x))*0x9e3779b97f4a7c15 ^ uint64(int64(y))*0xc2b2ae3d27d4eb4f ^ seed)
}

// unit maps a hash to 0..1.
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// noise is seeded 2-D value noise on a 256×256 lattice that wraps around.
type noise struct{ v [256 * 256]float32 }

func newNoise(seed uint64) *noise {
	n := new(noise)
	for i := range n.v {
		n.v[i] = float32(unit(mix64(seed + uint64(i)*0x9e3779b97f4a7c15)))
	}
	return n
}

// at returns smooth noise in 0..1 at (x, y), in lattice units.
func (n *noise) at(x, y float64) float64 {
	fx, fy := math.Floor(x), math.Floor(y)
	tx, ty := x-fx, y-fy
	xi, yi := int(fx)&255, int(fy)&255
	x1, y1 := (xi+1)&255, (yi+1)&255
	a := float64(n.v[yi<<8|xi])
	b := float64(n.v[yi<<8|x1])
	c := float64(n.v[y1<<8|xi])
	d := float64(n.v[y1<<8|x1])
	tx = tx * tx * (3 - 2*tx)
	ty = ty * ty * (3 - 2*ty)
	top := a + (b-a)*tx
	bot := c + (d-c)*tx
	return top + (bot-top)*ty
}

// fbm sums octaves of noise, each at twice the frequency and half the
// amplitude of the last, normalised to 0..1.
func (n *noise) fbm(x, y float64, octaves int) float64 {
	sum, amp, norm := 0.0, 1.0, 0.0
	for o := range octaves {
		sum += amp * n.at(x, y)
		norm += amp
		amp *= 0.5
		// Offset each octave so lattice points do not line up.
		x = x*2 + 17.31 + float64(o)
		y = y*2 + 5.77
	}
	return sum / norm
}

// toRGBA copies any image into a new *image.RGBA with its origin at 0,0.
func toRGBA(src image.Image) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
	return dst
}

func clone(src *image.RGBA) *image.RGBA {
	dst := image.NewRGBA(src.Rect)
	copy(dst.Pix, src.Pix)
	return dst
}

// blend moves dst toward src by t (0 keeps dst). Both have the same bounds.
func blend(ctx context.Context, dst, src *image.RGBA, t float64) error {
	if t <= 0 {
		return nil
	}
	if t >= 1 {
		copy(dst.Pix, src.Pix)
		return nil
	}
	k := int32(t*256 + 0.5)
	h, rowLen := dst.Rect.Dy(), dst.Rect.Dx()*4
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		d := dst.Pix[y*dst.Stride : y*dst.Stride+rowLen]
		s := src.Pix[y*src.Stride : y*src.Stride+rowLen]
		for i := range d {
			a := int32(d[i])
			d[i] = uint8(a + ((int32(s[i])-a)*k+128)>>8)
		}
	}
	return nil
}

// bufferPool reuses PNG encoder buffers.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() *png.EncoderBuffer {
	v, _ := b.p.Get().(*png.EncoderBuffer)
	return v
}

func (b *bufferPool) Put(v *png.EncoderBuffer) { b.p.Put(v) }

var _ png.EncoderBufferPool = (*bufferPool)(nil)
