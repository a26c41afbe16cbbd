package imagegen

import (
	"context"
	"fmt"
	"hash/fnv"
	"image"
	"math"
)

// Enhancements return a new *image.RGBA with its origin at 0,0 and never
// change src.

// Upscale enlarges src by factor (1..MaxFactor) with the Catmull-Rom kernel,
// then restores edge crispness with an unsharp mask. Factor 1 returns a
// copy. The result may hold at most MaxPixels pixels.
func (e *Engine) Upscale(ctx context.Context, src image.Image, factor int) (image.Image, error) {
	if err := checkSource(ctx, src); err != nil {
		return nil, fmt.Errorf("upscale: %w", err)
	}
	if factor < 1 || factor > MaxFactor {
		return nil, fmt.Errorf("upscale: factor %d outside 1..%d: %w", factor, MaxFactor, ErrInvalidRequest)
	}
	b := src.Bounds()
	w, h := b.Dx()*factor, b.Dy()*factor
	if w*h > MaxPixels {
		return nil, fmt.Errorf("upscale: %dx%d result is over %d pixels: %w", w, h, MaxPixels, ErrInvalidRequest)
	}
	img := toRGBA(src)
	if factor == 1 {
		return img, nil
	}
	out, err := resize(ctx, img, w, h)
	if err != nil {
		return nil, fmt.Errorf("upscale: %w", err)
	}
	if err := unsharp(ctx, out, 0.5*float64(factor), 0.5, 2); err != nil {
		return nil, fmt.Errorf("upscale: sharpen: %w", err)
	}
	return out, nil
}

// ColorCorrect applies auto levels: each channel is stretched so that its
// darkest and brightest 0.5% clip, which also removes most colour casts,
// then a partial grey-world white balance evens out what is left. Channels
// with almost no range (flat areas) are left alone.
func (e *Engine) ColorCorrect(ctx context.Context, src image.Image) (image.Image, error) {
	if err := checkSource(ctx, src); err != nil {
		return nil, fmt.Errorf("color correct: %w", err)
	}
	img := toRGBA(src)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	var hist [3][256]int
	total := 0
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return nil, fmt.Errorf("color correct: %w", err)
		}
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for i := 0; i < len(row); i += 4 {
			a := row[i+3]
			if a < 128 {
				continue // mostly transparent pixels say little about colour
			}
			for c := range 3 {
				hist[c][unpremul(row[i+c], a)]++
			}
			total++
		}
	}
	if total == 0 {
		return img, nil
	}
	var curves [3]func(float64) float64
	var means [3]float64
	for c := range 3 {
		lo, hi := percentile(&hist[c], total, 0.005), percentile(&hist[c], total, 0.995)
		curves[c] = func(v float64) float64 { return v }
		if hi-lo >= 8 {
			flo, fhi := float64(lo)/255, float64(hi)/255
			curves[c] = func(v float64) float64 { return (v - flo) / (fhi - flo) }
		}
		sum := 0.0
		for v, n := range hist[c] {
			sum += clamp01(curves[c](float64(v)/255)) * float64(n)
		}
		means[c] = sum / float64(total)
	}
	grey := (means[0] + means[1] + means[2]) / 3
	var fs [3]func(float64) float64
	for c := range 3 {
		gain := 1.0
		if means[c] > 0.02 {
			// Half of the grey-world correction, bounded.
			gain = min(max(1+0.5*(grey/means[c]-1), 0.8), 1.25)
		}
		curve := curves[c]
		fs[c] = func(v float64) float64 { return curve(v) * gain }
	}
	if err := applyLUT(ctx, img, lutFrom(fs[0], fs[1], fs[2])); err != nil {
		return nil, fmt.Errorf("color correct: %w", err)
	}
	return img, nil
}

// percentile returns the smallest value with at least q of the counts at
// or below it.
func percentile(hist *[256]int, total int, q float64) int {
	want := int(math.Ceil(q * float64(total)))
	sum := 0
	for v, n := range hist {
		sum += n
		if sum >= max(want, 1) {
			return v
		}
	}
	return 255
}

// StyleTransfer restyles src with a named look (see Styles), or the grade
// of a genre or tone word (horror, sci-fi, dark, epic, ...); an unknown or
// empty style gives the painterly look. strength (0..1) blends the result
// with the source.
func (e *Engine) StyleTransfer(ctx context.Context, src image.Image, style string, strength float64) (image.Image, error) {
	if err := checkSource(ctx, src); err != nil {
		return nil, fmt.Errorf("style transfer: %w", err)
	}
	lk, ok := findLook(style, "", "")
	if !ok {
		lk, ok = findGrade(genreGrades, style)
	}
	if !ok {
		lk, ok = findGrade(toneGrades, style)
	}
	if !ok {
		lk = painterlyLook
	}
	img := toRGBA(src)
	strength = clamp01(strength)
	if strength == 0 {
		return img, nil
	}
	h := fnv.New64a()
	h.Write([]byte(style))
	styled, err := lk.apply(ctx, img, mix64(h.Sum64()))
	if err != nil {
		return nil, fmt.Errorf("style transfer %s: %w", lk.name, err)
	}
	if err := blend(ctx, img, styled, strength); err != nil {
		return nil, fmt.Errorf("style transfer %s: %w", lk.name, err)
	}
	return img, nil
}

// DetailEnhance brings out detail: a broad, gentle unsharp mask for local
// contrast ("clarity"), then a fine one for edges.
func (e *Engine) DetailEnhance(ctx context.Context, src image.Image) (image.Image, error) {
	if err := checkSource(ctx, src); err != nil {
		return nil, fmt.Errorf("detail enhance: %w", err)
	}
	img := toRGBA(src)
	broad := min(max(side(img)/64, 2), 20)
	if err := unsharp(ctx, img, broad, 0.35, 0); err != nil {
		return nil, fmt.Errorf("detail enhance: %w", err)
	}
	if err := unsharp(ctx, img, 1, 0.7, 1); err != nil {
		return nil, fmt.Errorf("detail enhance: %w", err)
	}
	return img, nil
}

// FaceFix is the offline stand-in for face restoration. It is not face
// restoration: it finds no faces and invents no features. It smooths noise
// with an edge-preserving (bilateral) filter over the whole image, then
// sharpens gently, which tidies small, noisy portraits.
func (e *Engine) FaceFix(ctx context.Context, src image.Image) (image.Image, error) {
	if err := checkSource(ctx, src); err != nil {
		return nil, fmt.Errorf("face fix: %w", err)
	}
	img := toRGBA(src)
	out, err := bilateral(ctx, img, 2, 1.5, 18)
	if err != nil {
		return nil, fmt.Errorf("face fix: %w", err)
	}
	if err := unsharp(ctx, out, 1, 0.4, 3); err != nil {
		return nil, fmt.Errorf("face fix: %w", err)
	}
	return out, nil
}

// bilateral smooths img over a (2r+1)² window, weighting neighbours by
// distance (sigmaS pixels) and by luminance difference (sigmaR, 0..255), so
// edges survive.
func bilateral(ctx context.Context, img *image.RGBA, r int, sigmaS, sigmaR float64) (*image.RGBA, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	l := luma(img)
	var rangeW [256]float32
	for d := range rangeW {
		rangeW[d] = float32(math.Exp(-float64(d*d) / (2 * sigmaR * sigmaR)))
	}
	n := 2*r + 1
	spaceW := make([]float32, n*n)
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			spaceW[(dy+r)*n+dx+r] = float32(math.Exp(-float64(dx*dx+dy*dy) / (2 * sigmaS * sigmaS)))
		}
	}
	out := image.NewRGBA(img.Rect)
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return nil, err
		}
		for x := range w {
			centre := l[y*w+x]
			var sum [4]float32
			var total float32
			for dy := -r; dy <= r; dy++ {
				yy := min(max(y+dy, 0), h-1)
				for dx := -r; dx <= r; dx++ {
					xx := min(max(x+dx, 0), w-1)
					d := int(math.Abs(float64(l[yy*w+xx] - centre)))
					wt := spaceW[(dy+r)*n+dx+r] * rangeW[min(d, 255)]
					p := img.Pix[yy*img.Stride+xx*4:]
					sum[0] += wt * float32(p[0])
					sum[1] += wt * float32(p[1])
					sum[2] += wt * float32(p[2])
					sum[3] += wt * float32(p[3])
					total += wt
				}
			}
			q := out.Pix[y*out.Stride+x*4:]
			a := clampByte(sum[3] / total)
			q[3] = a
			for c := range 3 {
				q[c] = min(clampByte(sum[c]/total), a)
			}
		}
	}
	return out, nil
}

// checkSource fails on a done context or an unusable source image.
func checkSource(ctx context.Context, src image.Image) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if src == nil || src.Bounds().Empty() {
		return fmt.Errorf("no source image: %w", ErrInvalidRequest)
	}
	b := src.Bounds()
	if b.Dx()*b.Dy() > MaxPixels {
		return fmt.Errorf("source %dx%d is over %d pixels: %w", b.Dx(), b.Dy(), MaxPixels, ErrInvalidRequest)
	}
	return nil
}
