package imagegen

import (
	"context"
	"image"
	"math"
)

// Filters work on *image.RGBA with its origin at 0,0 and premultiplied
// alpha. Colour operations see straight colour; blurs work on the
// premultiplied values, which is what keeps edges of transparent areas
// clean.

// lut is a per-channel lookup table applied to straight colour.
type lut [3][256]uint8

// lutFrom builds a table from per-channel curves over 0..1.
func lutFrom(fr, fg, fb func(float64) float64) *lut {
	var t lut
	for i := range 256 {
		v := float64(i) / 255
		t[0][i] = to8(fr(v))
		t[1][i] = to8(fg(v))
		t[2][i] = to8(fb(v))
	}
	return &t
}

// same builds a table with one curve for all channels.
func same(f func(float64) float64) *lut { return lutFrom(f, f, f) }

// applyLUT maps every pixel's straight colour through t, in place.
func applyLUT(ctx context.Context, img *image.RGBA, t *lut) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for i := 0; i < len(row); i += 4 {
			a := row[i+3]
			switch a {
			case 255:
				row[i], row[i+1], row[i+2] = t[0][row[i]], t[1][row[i+1]], t[2][row[i+2]]
			case 0:
			default:
				for c := range 3 {
					s := unpremul(row[i+c], a)
					row[i+c] = premul(t[c][s], a)
				}
			}
		}
	}
	return nil
}

func unpremul(v, a uint8) uint8 { return uint8(min((uint32(v)*255+uint32(a)/2)/uint32(a), 255)) }
func premul(v, a uint8) uint8   { return uint8((uint32(v)*uint32(a) + 127) / 255) }

// mapColour applies f to every pixel's straight colour, channels in 0..1.
func mapColour(ctx context.Context, img *image.RGBA, f func(c rgb) rgb) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for i := 0; i < len(row); i += 4 {
			a := row[i+3]
			if a == 0 {
				continue
			}
			if a == 255 {
				put(row, i, f(get(row, i)))
				continue
			}
			c := f(rgb{float64(unpremul(row[i], a)) / 255, float64(unpremul(row[i+1], a)) / 255, float64(unpremul(row[i+2], a)) / 255})
			row[i], row[i+1], row[i+2] = premul(to8(c.r), a), premul(to8(c.g), a), premul(to8(c.b), a)
		}
	}
	return nil
}

// boxSizes returns three box radii whose repeated blur approximates a
// Gaussian of the given sigma.
func boxSizes(sigma float64) [3]int {
	wIdeal := math.Sqrt(12*sigma*sigma/3 + 1)
	wl := int(math.Floor(wIdeal))
	if wl%2 == 0 {
		wl--
	}
	wu := wl + 2
	mIdeal := (12*sigma*sigma - 3*float64(wl*wl) - 12*float64(wl) - 9) / (-4*float64(wl) - 4)
	m := int(math.Round(mIdeal))
	var r [3]int
	for i := range r {
		size := wu
		if i < m {
			size = wl
		}
		r[i] = max((size-1)/2, 0)
	}
	return r
}

// gaussBlur returns img blurred by a Gaussian of sigma pixels (three box
// blurs).
func gaussBlur(ctx context.Context, img *image.RGBA, sigma float64) (*image.RGBA, error) {
	out := clone(img)
	if sigma <= 0 {
		return out, nil
	}
	tmp := image.NewRGBA(img.Rect)
	for _, r := range boxSizes(sigma) {
		if r == 0 {
			continue
		}
		if err := boxBlur(ctx, out, tmp, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// boxBlur blurs img in place with a (2r+1)² box, edges extended; tmp is
// scratch space of the same size.
func boxBlur(ctx context.Context, img, tmp *image.RGBA, r int) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	n := uint32(2*r + 1)
	// Horizontal pass into tmp.
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		src := img.Pix[y*img.Stride : y*img.Stride+w*4]
		dst := tmp.Pix[y*tmp.Stride : y*tmp.Stride+w*4]
		for c := range 4 {
			var sum uint32
			for k := -r; k <= r; k++ {
				sum += uint32(src[min(max(k, 0), w-1)*4+c])
			}
			for x := range w {
				dst[x*4+c] = uint8((sum + n/2) / n)
				sum += uint32(src[min(x+r+1, w-1)*4+c])
				sum -= uint32(src[max(x-r, 0)*4+c])
			}
		}
	}
	// Vertical pass back into img, a row at a time with column sums.
	sums := make([]uint32, w*4)
	row := func(y int) []uint8 {
		y = min(max(y, 0), h-1)
		return tmp.Pix[y*tmp.Stride : y*tmp.Stride+w*4]
	}
	for k := -r; k <= r; k++ {
		for i, v := range row(k) {
			sums[i] += uint32(v)
		}
	}
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		dst := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for i, s := range sums {
			dst[i] = uint8((s + n/2) / n)
		}
		add, sub := row(y+r+1), row(y-r)
		for i := range sums {
			sums[i] += uint32(add[i])
			sums[i] -= uint32(sub[i])
		}
	}
	return nil
}

// boxBlurPlane blurs a single-channel plane in place with a (2r+1)² box.
func boxBlurPlane(ctx context.Context, p []float32, w, h, r int) error {
	tmp := make([]float32, len(p))
	n := float32(2*r + 1)
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		src := p[y*w : y*w+w]
		var sum float64
		for k := -r; k <= r; k++ {
			sum += float64(src[min(max(k, 0), w-1)])
		}
		for x := range w {
			tmp[y*w+x] = float32(sum) / n
			sum += float64(src[min(x+r+1, w-1)]) - float64(src[max(x-r, 0)])
		}
	}
	sums := make([]float64, w)
	for k := -r; k <= r; k++ {
		yy := min(max(k, 0), h-1)
		for x := range w {
			sums[x] += float64(tmp[yy*w+x])
		}
	}
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		add, sub := min(y+r+1, h-1)*w, max(y-r, 0)*w
		for x := range w {
			p[y*w+x] = float32(sums[x]) / n
			sums[x] += float64(tmp[add+x]) - float64(tmp[sub+x])
		}
	}
	return nil
}

// unsharp sharpens img in place: img + amount·(img − blur(img, sigma)),
// skipping differences below threshold (0..255) so flat noise stays flat.
func unsharp(ctx context.Context, img *image.RGBA, sigma, amount float64, threshold int) error {
	blur, err := gaussBlur(ctx, img, sigma)
	if err != nil {
		return err
	}
	k := int32(amount * 256)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		brow := blur.Pix[y*blur.Stride : y*blur.Stride+w*4]
		for i := 0; i < len(row); i += 4 {
			a := int32(row[i+3])
			for c := range 3 {
				v := int32(row[i+c])
				d := v - int32(brow[i+c])
				if d < int32(threshold) && d > -int32(threshold) {
					continue
				}
				row[i+c] = uint8(min(max(v+(d*k)/256, 0), a))
			}
		}
	}
	return nil
}

// luma returns the luminance plane of img, 0..255, from premultiplied values.
func luma(img *image.RGBA) []float32 {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := make([]float32, w*h)
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for x := range w {
			out[y*w+x] = 0.299*float32(row[x*4]) + 0.587*float32(row[x*4+1]) + 0.114*float32(row[x*4+2])
		}
	}
	return out
}

// sobel returns the gradient magnitude of a plane, 0.. about 1.
func sobel(ctx context.Context, p []float32, w, h int) ([]float32, error) {
	out := make([]float32, w*h)
	at := func(x, y int) float32 { return p[min(max(y, 0), h-1)*w+min(max(x, 0), w-1)] }
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return nil, err
		}
		for x := range w {
			gx := at(x+1, y-1) + 2*at(x+1, y) + at(x+1, y+1) - at(x-1, y-1) - 2*at(x-1, y) - at(x-1, y+1)
			gy := at(x-1, y+1) + 2*at(x, y+1) + at(x+1, y+1) - at(x-1, y-1) - 2*at(x, y-1) - at(x+1, y-1)
			out[y*w+x] = float32(math.Sqrt(float64(gx*gx+gy*gy))) / (4 * 255)
		}
	}
	return out, nil
}

// kuwahara returns img painted with the Kuwahara filter: each pixel takes
// the mean colour of whichever of its four (r+1)² quadrants varies least,
// which flattens texture into strokes but keeps edges. r must be even.
func kuwahara(ctx context.Context, img *image.RGBA, r int) (*image.RGBA, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	k := r / 2
	// Quadrant means are box means centred k pixels away, on both axes.
	mean := clone(img)
	if err := boxBlur(ctx, mean, image.NewRGBA(img.Rect), k); err != nil {
		return nil, err
	}
	l := luma(img)
	sq := make([]float32, len(l))
	for i, v := range l {
		sq[i] = v * v
	}
	if err := boxBlurPlane(ctx, sq, w, h, k); err != nil {
		return nil, err
	}
	ml := luma(mean)
	out := image.NewRGBA(img.Rect)
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return nil, err
		}
		for x := range w {
			best, bestVar := 0, float32(math.MaxFloat32)
			for _, q := range [4][2]int{{-k, -k}, {k, -k}, {-k, k}, {k, k}} {
				qx, qy := min(max(x+q[0], 0), w-1), min(max(y+q[1], 0), h-1)
				j := qy*w + qx
				v := sq[j] - ml[j]*ml[j]
				if v < bestVar {
					best, bestVar = j, v
				}
			}
			si := (best/w)*mean.Stride + (best%w)*4
			copy(out.Pix[y*out.Stride+x*4:y*out.Stride+x*4+4], mean.Pix[si:si+4])
		}
	}
	return out, nil
}

// vignette darkens img toward its corners, in place.
func vignette(ctx context.Context, img *image.RGBA, amount float64) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	cx, cy := float64(w)/2, float64(h)/2
	inv := 1 / (cx*cx + cy*cy)
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		dy := float64(y) + 0.5 - cy
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for x := range w {
			dx := float64(x) + 0.5 - cx
			t := (dx*dx + dy*dy) * inv
			k := 1 - amount*t*t*(3-2*t) // smooth toward the corners
			for c := range 3 {
				row[x*4+c] = uint8(float64(row[x*4+c])*k + 0.5)
			}
		}
	}
	return nil
}

// grain adds seeded monochrome noise of the given amplitude (0..1), in place.
func grain(ctx context.Context, img *image.RGBA, amount float64, seed uint64) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	amp := amount * 255
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return err
		}
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for x := range w {
			a := int(row[x*4+3])
			if a == 0 {
				continue
			}
			n := int((unit(hash2(x, y, seed)) - 0.5) * amp * float64(a) / 255)
			for c := range 3 {
				row[x*4+c] = uint8(min(max(int(row[x*4+c])+n, 0), a))
			}
		}
	}
	return nil
}

// bloom adds a blurred copy of the bright parts of img back onto it.
func bloom(ctx context.Context, img *image.RGBA, threshold, sigma, amount float64) error {
	bright := clone(img)
	t := threshold * 255
	for i := 0; i < len(bright.Pix); i += 4 {
		l := 0.299*float64(bright.Pix[i]) + 0.587*float64(bright.Pix[i+1]) + 0.114*float64(bright.Pix[i+2])
		if l < t {
			bright.Pix[i], bright.Pix[i+1], bright.Pix[i+2] = 0, 0, 0
		}
	}
	glow, err := gaussBlur(ctx, bright, sigma)
	if err != nil {
		return err
	}
	for i := 0; i < len(img.Pix); i += 4 {
		a := int(img.Pix[i+3])
		for c := range 3 {
			img.Pix[i+c] = uint8(min(int(img.Pix[i+c])+int(float64(glow.Pix[i+c])*amount), a))
		}
	}
	return ctx.Err()
}
