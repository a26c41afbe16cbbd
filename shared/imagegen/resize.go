package imagegen

import (
	"context"
	"image"
	"math"

	xdraw "golang.org/x/image/draw"
)

// taps are the source samples, and their weights, behind one destination
// column or row.
type taps struct {
	first int       // first source index
	w     []float32 // weights of first, first+1, ...; they sum to 1
}

// kernelTaps computes Catmull-Rom weights for resampling n source samples
// to m, widening the kernel when shrinking so every source sample counts
// (the same scheme as golang.org/x/image/draw's Kernel.Scale).
func kernelTaps(n, m int) []taps {
	k := xdraw.CatmullRom
	scale := float64(n) / float64(m)
	half, argScale := k.Support, 1.0
	if scale > 1 {
		half *= scale
		argScale = 1 / scale
	}
	out := make([]taps, m)
	for i := range out {
		centre := (float64(i)+0.5)*scale - 0.5
		lo := max(int(math.Floor(centre-half)), 0)
		hi := min(int(math.Ceil(centre+half)), n-1)
		ws := make([]float32, 0, hi-lo+1)
		total := 0.0
		vals := make([]float64, 0, hi-lo+1)
		for j := lo; j <= hi; j++ {
			t := math.Abs((centre - float64(j)) * argScale)
			v := 0.0
			if t < k.Support {
				v = k.At(t)
			}
			vals = append(vals, v)
			total += v
		}
		for _, v := range vals {
			ws = append(ws, float32(v/total))
		}
		out[i] = taps{first: lo, w: ws}
	}
	return out
}

// resize returns src resampled to w×h with the Catmull-Rom kernel, in two
// separable passes that keep only the few horizontally resampled rows the
// current output row needs. src must have its origin at 0,0. A same-size
// resize returns src itself.
func resize(ctx context.Context, src *image.RGBA, w, h int) (*image.RGBA, error) {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	if sw == w && sh == h {
		return src, nil
	}
	xt, yt := kernelTaps(sw, w), kernelTaps(sh, h)
	ring := 0
	for _, t := range yt {
		ring = max(ring, len(t.w))
	}
	rows := make([][]float32, ring) // horizontally resampled source rows
	rowOf := make([]int, ring)
	for i := range rowOf {
		rows[i] = make([]float32, w*4)
		rowOf[i] = -1
	}
	hrow := func(sy int) []float32 {
		slot := sy % ring
		if rowOf[slot] == sy {
			return rows[slot]
		}
		out := rows[slot]
		line := src.Pix[sy*src.Stride : sy*src.Stride+sw*4]
		for x, t := range xt {
			var r, g, b, a float32
			p := t.first * 4
			for _, wt := range t.w {
				r += wt * float32(line[p])
				g += wt * float32(line[p+1])
				b += wt * float32(line[p+2])
				a += wt * float32(line[p+3])
				p += 4
			}
			out[x*4], out[x*4+1], out[x*4+2], out[x*4+3] = r, g, b, a
		}
		rowOf[slot] = sy
		return out
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	acc := make([]float32, w*4)
	for y, t := range yt {
		if err := checkRow(ctx, y); err != nil {
			return nil, err
		}
		clear(acc)
		for k, wt := range t.w {
			row := hrow(t.first + k)
			for i, v := range row {
				acc[i] += wt * v
			}
		}
		out := dst.Pix[y*dst.Stride : y*dst.Stride+w*4]
		for i := 0; i < len(acc); i += 4 {
			a := clampByte(acc[i+3])
			out[i+3] = a
			// Premultiplied colour never exceeds alpha.
			out[i] = min(clampByte(acc[i]), a)
			out[i+1] = min(clampByte(acc[i+1]), a)
			out[i+2] = min(clampByte(acc[i+2]), a)
		}
	}
	return dst, nil
}

func clampByte(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}
