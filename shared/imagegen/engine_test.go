package imagegen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"sync"
	"testing"
)

func decodePNG(tb testing.TB, data []byte) image.Image {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("png.Decode: %v", err)
	}
	return img
}

func generate(tb testing.TB, r GenerateRequest) []byte {
	tb.Helper()
	pic, err := New().Generate(context.Background(), r)
	if err != nil {
		tb.Fatalf("Generate(%+v): %v", r, err)
	}
	return pic.PNG
}

// meanColour is the average straight colour of img, channels 0..255.
func meanColour(img image.Image) [3]float64 {
	b := img.Bounds()
	var sum [3]float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			sum[0] += float64(c.R)
			sum[1] += float64(c.G)
			sum[2] += float64(c.B)
		}
	}
	n := float64(b.Dx() * b.Dy())
	return [3]float64{sum[0] / n, sum[1] / n, sum[2] / n}
}

func TestGenerateEveryTypeAndSize(t *testing.T) {
	t.Parallel()
	sizes := [][2]int{{256, 256}, {320, 192}, {192, 320}}
	for _, typ := range Types() {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", typ, sz[0], sz[1]), func(t *testing.T) {
				t.Parallel()
				r := GenerateRequest{Type: typ, Prompt: "test", Width: sz[0], Height: sz[1], Seed: 1}
				img := decodePNG(t, generate(t, r))
				if got := img.Bounds(); got != image.Rect(0, 0, sz[0], sz[1]) {
					t.Errorf("Generate(%s %dx%d) bounds = %v, want %v", typ, sz[0], sz[1], got, image.Rect(0, 0, sz[0], sz[1]))
				}
				// A real picture, not a flat fill.
				if n := distinctColours(img, 50); n < 50 {
					t.Errorf("Generate(%s) has %d distinct colours, want at least 50", typ, n)
				}
			})
		}
	}
}

// distinctColours counts distinct colours, stopping at limit.
func distinctColours(img image.Image, limit int) int {
	seen := map[color.Color]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			seen[img.At(x, y)] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	for _, typ := range Types() {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			r := GenerateRequest{Type: typ, Prompt: "a relic", Width: 256, Height: 256, Seed: 42,
				Genre: "fantasy", Race: "elf", Class: "wizard", Alignment: "neutral good"}
			first := generate(t, r)
			if again := generate(t, r); !bytes.Equal(first, again) {
				t.Errorf("Generate(%s) twice with seed 42 gave different bytes", typ)
			}
			r.Seed = 43
			if other := generate(t, r); bytes.Equal(first, other) {
				t.Errorf("Generate(%s) with seeds 42 and 43 gave the same bytes", typ)
			}
		})
	}
}

func TestGenerateConcurrentIsDeterministic(t *testing.T) {
	t.Parallel()
	e := New()
	r := GenerateRequest{Type: TypeMapBackground, Width: 256, Height: 256, Seed: 9}
	want := generate(t, r)
	var wg sync.WaitGroup
	results := make([][]byte, 4)
	for i := range results {
		wg.Go(func() {
			pic, err := e.Generate(context.Background(), r)
			if err != nil {
				t.Errorf("Generate: %v", err)
			}
			results[i] = pic.PNG
		})
	}
	wg.Wait()
	for i, got := range results {
		if !bytes.Equal(got, want) {
			t.Errorf("concurrent Generate #%d differs from a lone one", i)
		}
	}
}

func TestGenerateRejectsBadRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  GenerateRequest
	}{
		{"unknown type", GenerateRequest{Type: "banner", Width: 256, Height: 256}},
		{"empty type", GenerateRequest{Width: 256, Height: 256}},
		{"too small", GenerateRequest{Type: TypeMapBackground, Width: MinSide - 1, Height: 256}},
		{"too large", GenerateRequest{Type: TypeMapBackground, Width: 256, Height: MaxSide + 1}},
		{"zero", GenerateRequest{Type: TypeMapBackground}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := New().Generate(context.Background(), tc.req)
			if !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("Generate(%+v) error = %v, want ErrInvalidRequest", tc.req, err)
			}
		})
	}
}

func TestGenerateCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, typ := range Types() {
		_, err := New().Generate(ctx, GenerateRequest{Type: typ, Width: 256, Height: 256})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Generate(%s) with a cancelled context: error = %v, want context.Canceled", typ, err)
		}
	}
}

// TestDrawersStopWhenCanceled cancels from inside the draw, so the row
// loops themselves must notice.
func TestDrawersStopWhenCanceled(t *testing.T) {
	t.Parallel()
	for _, typ := range Types() {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			sc := newScene(GenerateRequest{Type: typ, Width: 256, Height: 256})
			err := drawers[typ](ctx, image.NewRGBA(image.Rect(0, 0, 256, 256)), sc)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("drawer %s with a cancelled context: error = %v, want context.Canceled", typ, err)
			}
		})
	}
}

func TestGenerateFollowsTheme(t *testing.T) {
	t.Parallel()
	lum := func(g, tone string) float64 {
		m := meanColour(decodePNG(t, generate(t, GenerateRequest{Type: TypeMapBackground, Width: 256, Height: 256, Seed: 5, Genre: g, Tone: tone})))
		return 0.299*m[0] + 0.587*m[1] + 0.114*m[2]
	}
	dark, light := lum("horror", "dark"), lum("fantasy", "lighthearted")
	if dark >= light {
		t.Errorf("mean luminance horror/dark = %.1f, fantasy/lighthearted = %.1f, want horror darker", dark, light)
	}
	sci := meanColour(decodePNG(t, generate(t, GenerateRequest{Type: TypeMapBackground, Width: 256, Height: 256, Seed: 5, Genre: "sci-fi"})))
	fan := meanColour(decodePNG(t, generate(t, GenerateRequest{Type: TypeMapBackground, Width: 256, Height: 256, Seed: 5, Genre: "fantasy"})))
	if sci[2]-sci[0] <= fan[2]-fan[0] {
		t.Errorf("sci-fi blue-red = %.1f, fantasy = %.1f, want sci-fi cooler", sci[2]-sci[0], fan[2]-fan[0])
	}
}

func TestGenerateAppliesNamedLook(t *testing.T) {
	t.Parallel()
	plain := saturation(decodePNG(t, generate(t, GenerateRequest{Type: TypeEnvironmentScene, Width: 256, Height: 256})))
	noir := saturation(decodePNG(t, generate(t, GenerateRequest{Type: TypeEnvironmentScene, Width: 256, Height: 256, StylePreset: "noir"})))
	// Noir at generatedLookStrength leaves a quarter of the colour.
	if noir > plain*0.3 {
		t.Errorf("mean saturation with StylePreset noir = %.3f, without = %.3f, want at most 30%%", noir, plain)
	}
}

// saturation is the mean (max-min)/255 over the pixels.
func saturation(img image.Image) float64 {
	b := img.Bounds()
	sum := 0.0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			hi := max(c.R, c.G, c.B)
			lo := min(c.R, c.G, c.B)
			sum += float64(hi-lo) / 255
		}
	}
	return sum / float64(b.Dx()*b.Dy())
}

func TestEncodePNG(t *testing.T) {
	t.Parallel()
	src := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	src.Set(1, 1, color.NRGBA{R: 10, G: 20, B: 30, A: 40})
	data, err := EncodePNG(src)
	if err != nil {
		t.Fatalf("EncodePNG: %v", err)
	}
	got := decodePNG(t, data)
	if c := color.NRGBAModel.Convert(got.At(1, 1)); c != (color.NRGBA{R: 10, G: 20, B: 30, A: 40}) {
		t.Errorf("EncodePNG round trip pixel = %v, want %v", c, color.NRGBA{R: 10, G: 20, B: 30, A: 40})
	}
}

func TestResizeMatchesXImageCatmullRom(t *testing.T) {
	t.Parallel()
	src := noisyImage(64, 48, 3)
	tests := []struct{ w, h int }{{128, 96}, {100, 70}, {32, 24}, {20, 60}}
	for _, tc := range tests {
		got, err := resize(context.Background(), src, tc.w, tc.h)
		if err != nil {
			t.Fatalf("resize: %v", err)
		}
		want := xScale(src, tc.w, tc.h)
		if d := maxDiff(got, want); d > 2 {
			t.Errorf("resize(64x48 -> %dx%d) differs from x/image/draw.CatmullRom by %d, want <= 2", tc.w, tc.h, d)
		}
	}
}

func TestResizeSameSizeIsIdentity(t *testing.T) {
	t.Parallel()
	src := noisyImage(16, 16, 1)
	got, err := resize(context.Background(), src, 16, 16)
	if err != nil {
		t.Fatalf("resize: %v", err)
	}
	if d := maxDiff(got, src); d != 0 {
		t.Errorf("resize to the same size changed pixels by %d", d)
	}
}

// noisyImage is a smooth gradient with seeded noise, fully opaque.
func noisyImage(w, h int, seed uint64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			n := int(unit(hash2(x, y, seed))*60) - 30
			img.Pix[i] = uint8(min(max(x*255/w+n, 0), 255))
			img.Pix[i+1] = uint8(min(max(y*255/h+n, 0), 255))
			img.Pix[i+2] = uint8(min(max(128+n, 0), 255))
			img.Pix[i+3] = 255
		}
	}
	return img
}

func maxDiff(a, b *image.RGBA) int {
	if a.Rect != b.Rect {
		return math.MaxInt
	}
	d := 0
	for i := range a.Pix {
		d = max(d, abs(int(a.Pix[i])-int(b.Pix[i])))
	}
	return d
}

// BenchmarkGenerate draws one picture of each type at the API's default
// size, with prompts that pick the costlier kinds.
func BenchmarkGenerate(b *testing.B) {
	reqs := []GenerateRequest{
		{Type: TypeCharacterPortrait, Prompt: "a dwarf fighter", Race: "dwarf", Class: "fighter", TokenFrame: TokenFrameRound},
		{Type: TypeMapBackground, Prompt: "tavern interior"},
		{Type: TypeMapBackground, Prompt: "dense forest"},
		{Type: TypeLocationVisual, Prompt: "a castle in a forest in the rain"},
		{Type: TypeEnvironmentScene, Prompt: "a misty swamp"},
		{Type: TypeItemIllustration, Prompt: "a golden crown"},
		{Type: TypeMagicalEffect, Prompt: "a violet ward"},
	}
	for _, r := range reqs {
		r.Width, r.Height = 512, 512
		b.Run(r.Type+"/"+r.Prompt, func(b *testing.B) {
			for b.Loop() {
				if _, err := New().Generate(context.Background(), r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
