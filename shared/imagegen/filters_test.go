package imagegen

import (
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"testing"

	xdraw "golang.org/x/image/draw"
)

func xScale(src *image.RGBA, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
	return dst
}

func asRGBA(tb testing.TB, img image.Image) *image.RGBA {
	tb.Helper()
	r, ok := img.(*image.RGBA)
	if !ok {
		tb.Fatalf("got %T, want *image.RGBA", img)
	}
	return r
}

func TestTransformSize(t *testing.T) {
	t.Parallel()
	src := noisyImage(200, 120, 1)
	tests := []struct {
		name         string
		w, h         int
		wantW, wantH int
	}{
		{"source size", 0, 0, 200, 120},
		{"larger", 320, 256, 320, 256},
		{"smaller", 128, 64, 128, 64},
		{"width only", 256, 0, 256, 120},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data, err := New().Transform(context.Background(), TransformRequest{Source: src, Width: tc.w, Height: tc.h, Strength: 0.8, Genre: "horror"})
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			got := decodePNG(t, data).Bounds()
			if want := image.Rect(0, 0, tc.wantW, tc.wantH); got != want {
				t.Errorf("Transform(%dx%d) bounds = %v, want %v", tc.w, tc.h, got, want)
			}
		})
	}
}

func TestTransformStrengthZeroKeepsSource(t *testing.T) {
	t.Parallel()
	src := noisyImage(96, 80, 2)
	data, err := New().Transform(context.Background(), TransformRequest{Source: src, Strength: 0, StylePreset: "neon"})
	if err != nil {
		t.Fatalf("Transform: %v", err)
	}
	if d := maxDiff(toRGBA(decodePNG(t, data)), src); d != 0 {
		t.Errorf("Transform(Strength 0) changed pixels by up to %d, want 0", d)
	}
	// Resized, strength 0 is just the resize.
	data, err = New().Transform(context.Background(), TransformRequest{Source: src, Strength: 0, Width: 192, Height: 160})
	if err != nil {
		t.Fatalf("Transform: %v", err)
	}
	if d := maxDiff(toRGBA(decodePNG(t, data)), xScale(src, 192, 160)); d > 2 {
		t.Errorf("Transform(Strength 0, 2x) differs from a Catmull-Rom resize by %d, want <= 2", d)
	}
}

func TestTransformStrengthScalesChange(t *testing.T) {
	t.Parallel()
	src := noisyImage(128, 128, 3)
	change := func(strength float64) float64 {
		data, err := New().Transform(context.Background(), TransformRequest{Source: src, Strength: strength, StylePreset: "sepia", Seed: 1})
		if err != nil {
			t.Fatalf("Transform: %v", err)
		}
		return meanAbsDiff(toRGBA(decodePNG(t, data)), src)
	}
	half, full := change(0.5), change(1)
	if full < 10 {
		t.Errorf("Transform(sepia, 1) mean change = %.1f, want a visible change (>= 10)", full)
	}
	if math.Abs(half-full/2) > full*0.15 {
		t.Errorf("Transform(sepia, 0.5) mean change = %.1f, want about half of %.1f", half, full)
	}
}

func TestTransformEveryLookAndGrade(t *testing.T) {
	t.Parallel()
	src := noisyImage(96, 96, 4)
	var reqs []TransformRequest
	for _, s := range Styles() {
		reqs = append(reqs, TransformRequest{StylePreset: s})
	}
	for _, g := range genreGrades {
		reqs = append(reqs, TransformRequest{Genre: g.words[0]})
	}
	for _, g := range toneGrades {
		reqs = append(reqs, TransformRequest{Tone: g.words[0]})
	}
	reqs = append(reqs, TransformRequest{Prompt: "as a watercolor"}, TransformRequest{})
	for _, r := range reqs {
		r.Source, r.Strength = src, 1
		data, err := New().Transform(context.Background(), r)
		if err != nil {
			t.Fatalf("Transform(%q %q %q %q): %v", r.StylePreset, r.Genre, r.Tone, r.Prompt, err)
		}
		if d := meanAbsDiff(toRGBA(decodePNG(t, data)), src); d < 1 {
			t.Errorf("Transform(%q %q %q %q) mean change = %.2f, want a visible change", r.StylePreset, r.Genre, r.Tone, r.Prompt, d)
		}
	}
}

func TestTransformRejects(t *testing.T) {
	t.Parallel()
	e := New()
	if _, err := e.Transform(context.Background(), TransformRequest{}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("Transform(no source) error = %v, want ErrInvalidRequest", err)
	}
	src := noisyImage(64, 64, 1)
	if _, err := e.Transform(context.Background(), TransformRequest{Source: src, Width: MaxSide + 64, Height: 64}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("Transform(too wide) error = %v, want ErrInvalidRequest", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Transform(ctx, TransformRequest{Source: src, Strength: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("Transform(cancelled) error = %v, want context.Canceled", err)
	}
}

func TestTransformSteps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		req  TransformRequest
		want []string
	}{
		{TransformRequest{}, []string{"painterly"}},
		{TransformRequest{StylePreset: "pixel-art", Genre: "Sci-Fi", Tone: "ominous"}, []string{"pixel-art", "sci-fi", "dark"}},
		{TransformRequest{Style: "film noir"}, []string{"noir"}},
		{TransformRequest{Prompt: "a knight drawing his sword in the oil-lit hall"}, []string{"painterly"}},
		{TransformRequest{Prompt: "make it a pencil sketch"}, []string{"sketch"}},
		{TransformRequest{Genre: "dark fantasy"}, []string{"grimdark"}},
		{TransformRequest{Tone: "twilight"}, []string{"painterly"}},
	}
	for _, tc := range tests {
		var got []string
		for _, s := range transformSteps(tc.req) {
			got = append(got, s.name)
		}
		if !equalStrings(got, tc.want) {
			t.Errorf("transformSteps(%+v) = %v, want %v", tc.req, got, tc.want)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func meanAbsDiff(a, b *image.RGBA) float64 {
	sum := 0
	for i := range a.Pix {
		sum += abs(int(a.Pix[i]) - int(b.Pix[i]))
	}
	return float64(sum) / float64(len(a.Pix))
}

func TestUpscale(t *testing.T) {
	t.Parallel()
	e := New()
	src := noisyImage(40, 30, 5)
	tests := []struct {
		factor int
		want   image.Rectangle
	}{
		{1, image.Rect(0, 0, 40, 30)},
		{2, image.Rect(0, 0, 80, 60)},
		{4, image.Rect(0, 0, 160, 120)},
	}
	for _, tc := range tests {
		got, err := e.Upscale(context.Background(), src, tc.factor)
		if err != nil {
			t.Fatalf("Upscale(%d): %v", tc.factor, err)
		}
		if got.Bounds() != tc.want {
			t.Errorf("Upscale(40x30, %d) bounds = %v, want %v", tc.factor, got.Bounds(), tc.want)
		}
	}
	for _, f := range []int{0, -1, MaxFactor + 1} {
		if _, err := e.Upscale(context.Background(), src, f); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("Upscale(factor %d) error = %v, want ErrInvalidRequest", f, err)
		}
	}
	big := image.NewRGBA(image.Rect(0, 0, 2049, 2048))
	if _, err := e.Upscale(context.Background(), big, 2); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("Upscale(2049x2048, 2) error = %v, want ErrInvalidRequest (over MaxPixels)", err)
	}
}

func TestUpscaleKeepsAlphaValid(t *testing.T) {
	t.Parallel()
	src := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 8 {
			src.SetNRGBA(x, y, color.NRGBA{R: 250, G: 30, B: 30, A: 255})
		}
	}
	out, err := New().Upscale(context.Background(), src, 3)
	if err != nil {
		t.Fatalf("Upscale: %v", err)
	}
	img := asRGBA(t, out)
	for i := 0; i < len(img.Pix); i += 4 {
		a := img.Pix[i+3]
		if img.Pix[i] > a || img.Pix[i+1] > a || img.Pix[i+2] > a {
			t.Fatalf("Upscale pixel %v has colour above alpha", img.Pix[i:i+4])
		}
	}
	if a := img.RGBAAt(47, 8).A; a != 0 {
		t.Errorf("Upscale: transparent side alpha = %d, want 0", a)
	}
}

// lowContrast is a gradient squeezed into lo..hi on every channel.
func lowContrast(w, h int, lo, hi uint8) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := lo + uint8(int(hi-lo)*x/(w-1))
			img.SetRGBA(x, y, color.RGBA{R: v, G: v, B: v/2 + 60, A: 255})
		}
	}
	return img
}

func channelRange(img *image.RGBA, c int) (lo, hi uint8) {
	lo = 255
	for i := c; i < len(img.Pix); i += 4 {
		lo, hi = min(lo, img.Pix[i]), max(hi, img.Pix[i])
	}
	return lo, hi
}

func TestColorCorrectStretchesHistogram(t *testing.T) {
	t.Parallel()
	src := lowContrast(200, 20, 100, 150)
	out, err := New().ColorCorrect(context.Background(), src)
	if err != nil {
		t.Fatalf("ColorCorrect: %v", err)
	}
	img := asRGBA(t, out)
	for c := range 3 {
		lo, hi := channelRange(img, c)
		if int(hi)-int(lo) < 220 {
			t.Errorf("ColorCorrect channel %d range = %d..%d, want at least 220 wide", c, lo, hi)
		}
	}
	// The source is untouched.
	if lo, hi := channelRange(src, 0); lo != 100 || hi != 150 {
		t.Errorf("ColorCorrect changed its source: range %d..%d", lo, hi)
	}
}

func TestColorCorrectLeavesFlatImage(t *testing.T) {
	t.Parallel()
	src := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < len(src.Pix); i += 4 {
		copy(src.Pix[i:], []uint8{120, 120, 120, 255})
	}
	out, err := New().ColorCorrect(context.Background(), src)
	if err != nil {
		t.Fatalf("ColorCorrect: %v", err)
	}
	if d := maxDiff(asRGBA(t, out), src); d > 1 {
		t.Errorf("ColorCorrect(flat grey) changed pixels by %d, want <= 1", d)
	}
}

func TestStyleTransfer(t *testing.T) {
	t.Parallel()
	e := New()
	src := noisyImage(96, 64, 6)
	out, err := e.StyleTransfer(context.Background(), src, "noir", 0)
	if err != nil {
		t.Fatalf("StyleTransfer: %v", err)
	}
	if d := maxDiff(asRGBA(t, out), src); d != 0 {
		t.Errorf("StyleTransfer(strength 0) changed pixels by %d, want 0", d)
	}
	for _, style := range []string{"noir", "watercolor", "horror", "epic", "no such style", ""} {
		out, err := e.StyleTransfer(context.Background(), src, style, 1)
		if err != nil {
			t.Fatalf("StyleTransfer(%q): %v", style, err)
		}
		if out.Bounds() != src.Bounds() {
			t.Errorf("StyleTransfer(%q) bounds = %v, want %v", style, out.Bounds(), src.Bounds())
		}
		if d := meanAbsDiff(asRGBA(t, out), src); d < 1 {
			t.Errorf("StyleTransfer(%q) mean change = %.2f, want a visible change", style, d)
		}
	}
	out, _ = e.StyleTransfer(context.Background(), src, "noir", 1)
	if s := saturation(out); s > 0.01 {
		t.Errorf("StyleTransfer(noir) saturation = %.3f, want grey", s)
	}
}

// edgeEnergy is the mean squared difference between horizontal neighbours:
// it grows as the same steps get steeper.
func edgeEnergy(img *image.RGBA) float64 {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	sum := 0
	for y := range h {
		for x := 1; x < w; x++ {
			d := int(img.Pix[img.PixOffset(x, y)]) - int(img.Pix[img.PixOffset(x-1, y)])
			sum += d * d
		}
	}
	return float64(sum) / float64((w-1)*h)
}

func TestDetailEnhanceSharpens(t *testing.T) {
	t.Parallel()
	// Random grey blocks, softened.
	blocks := image.NewRGBA(image.Rect(0, 0, 128, 128))
	for y := range 128 {
		for x := range 128 {
			v := uint8(40 + unit(hash2(x/8, y/8, 7))*170)
			blocks.SetRGBA(x, y, color.RGBA{R: v, G: v, B: v, A: 255})
		}
	}
	blurred, err := gaussBlur(context.Background(), blocks, 1.5)
	if err != nil {
		t.Fatalf("gaussBlur: %v", err)
	}
	out, err := New().DetailEnhance(context.Background(), blurred)
	if err != nil {
		t.Fatalf("DetailEnhance: %v", err)
	}
	before, after := edgeEnergy(blurred), edgeEnergy(asRGBA(t, out))
	if after < before*1.2 {
		t.Errorf("DetailEnhance edge energy %.2f -> %.2f, want at least 20%% more", before, after)
	}
}

func TestFaceFixSmoothsNoiseKeepsEdges(t *testing.T) {
	t.Parallel()
	// Two flat halves with noise: the noise should fade, the edge stay.
	src := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			base := 60
			if x >= 32 {
				base = 190
			}
			v := uint8(base + int(unit(hash2(x, y, 11))*16) - 8)
			src.SetRGBA(x, y, color.RGBA{R: v, G: v, B: v, A: 255})
		}
	}
	out, err := New().FaceFix(context.Background(), src)
	if err != nil {
		t.Fatalf("FaceFix: %v", err)
	}
	img := asRGBA(t, out)
	noise := func(m *image.RGBA) float64 {
		sum := 0
		for y := range 64 {
			for x := 4; x < 28; x++ {
				sum += abs(int(m.Pix[m.PixOffset(x, y)]) - int(m.Pix[m.PixOffset(x-1, y)]))
			}
		}
		return float64(sum) / (64 * 24)
	}
	if before, after := noise(src), noise(img); after > before*0.7 {
		t.Errorf("FaceFix noise %.2f -> %.2f, want at least 30%% less", before, after)
	}
	if l, r := img.RGBAAt(29, 30).R, img.RGBAAt(34, 30).R; int(r)-int(l) < 100 {
		t.Errorf("FaceFix edge step = %d -> %d, want it kept (>= 100)", l, r)
	}
}

func TestEnhancementsCanceledAndRejectEmpty(t *testing.T) {
	t.Parallel()
	e := New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := noisyImage(64, 64, 8)
	ops := map[string]func(context.Context, image.Image) (image.Image, error){
		"upscale": func(ctx context.Context, s image.Image) (image.Image, error) { return e.Upscale(ctx, s, 2) },
		"color":   e.ColorCorrect,
		"style": func(ctx context.Context, s image.Image) (image.Image, error) {
			return e.StyleTransfer(ctx, s, "sketch", 1)
		},
		"detail":    e.DetailEnhance,
		"face":      e.FaceFix,
		"upscale 1": func(ctx context.Context, s image.Image) (image.Image, error) { return e.Upscale(ctx, s, 1) },
	}
	for name, op := range ops {
		if _, err := op(ctx, src); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: error = %v, want context.Canceled", name, err)
		}
		if _, err := op(context.Background(), nil); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s(nil) error = %v, want ErrInvalidRequest", name, err)
		}
		if _, err := op(context.Background(), image.NewRGBA(image.Rectangle{})); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s(empty) error = %v, want ErrInvalidRequest", name, err)
		}
	}
}

func TestFiltersStopWhenCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := noisyImage(64, 64, 9)
	for _, l := range looks {
		if _, err := l.apply(ctx, src, 1); !errors.Is(err, context.Canceled) {
			t.Errorf("look %s with a cancelled context: error = %v, want context.Canceled", l.name, err)
		}
	}
	if _, err := resize(ctx, src, 128, 128); !errors.Is(err, context.Canceled) {
		t.Errorf("resize with a cancelled context: error = %v, want context.Canceled", err)
	}
}

func TestNonZeroOriginSource(t *testing.T) {
	t.Parallel()
	full := noisyImage(80, 80, 10)
	sub := full.SubImage(image.Rect(10, 20, 74, 84)).(*image.RGBA)
	out, err := New().Upscale(context.Background(), sub, 2)
	if err != nil {
		t.Fatalf("Upscale: %v", err)
	}
	if want := image.Rect(0, 0, 128, 120); out.Bounds() != want {
		t.Errorf("Upscale(sub image) bounds = %v, want %v", out.Bounds(), want)
	}
}

func TestBoxSizesApproximateSigma(t *testing.T) {
	t.Parallel()
	for _, sigma := range []float64{0.8, 1, 2.5, 6, 15} {
		var variance float64
		for _, r := range boxSizes(sigma) {
			n := float64(2*r + 1)
			variance += (n*n - 1) / 12
		}
		if got := math.Sqrt(variance); math.Abs(got-sigma) > 0.5 {
			t.Errorf("boxSizes(%v) give sigma %.2f, want within 0.5", sigma, got)
		}
	}
}
