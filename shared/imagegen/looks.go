package imagegen

import (
	"context"
	"image"
	"math"
)

// look is a named restyling. apply returns a new image and leaves src alone.
type look struct {
	name    string
	aliases []string // whole words or phrases naming the look in a style
	inText  []string // the unambiguous ones, also trusted in a prompt
	apply   func(ctx context.Context, src *image.RGBA, seed uint64) (*image.RGBA, error)
}

// looks are matched in this order.
var looks = []look{
	{"noir", []string{"noir", "black and white", "monochrome", "grayscale", "greyscale"},
		[]string{"noir", "black and white", "monochrome", "grayscale", "greyscale"}, noirLook},
	{"sepia", []string{"sepia", "old photo", "daguerreotype", "antique"},
		[]string{"sepia", "daguerreotype"}, sepiaLook},
	{"sketch", []string{"sketch", "pencil", "line art", "lineart", "drawing", "charcoal", "graphite"},
		[]string{"pencil sketch", "line art", "lineart", "charcoal drawing", "graphite drawing", "sketch style"}, sketchLook},
	{"pixel-art", []string{"pixel art", "pixel", "pixelated", "8 bit", "16 bit", "retro game"},
		[]string{"pixel art", "pixelated", "8 bit", "16 bit"}, pixelLook},
	{"watercolor", []string{"watercolor", "watercolour", "ink wash", "gouache"},
		[]string{"watercolor", "watercolour", "ink wash", "gouache"}, watercolorLook},
	{"comic", []string{"comic", "comic book", "posterize", "posterized", "cel shaded", "cel shading", "cartoon", "anime", "pop art"},
		[]string{"comic book", "posterized", "cel shaded", "cel shading", "cartoon style", "anime style", "pop art"}, comicLook},
	{"neon", []string{"neon", "neon punk", "synthwave", "vaporwave", "cyberpunk"},
		[]string{"neon punk", "synthwave", "vaporwave", "neon style"}, neonLook},
	{"vintage", []string{"vintage", "retro", "faded", "analog film", "film grain", "polaroid"},
		[]string{"analog film", "film grain", "polaroid", "vintage photo"}, vintageLook},
	{"cinematic", []string{"cinematic", "film still", "teal and orange", "blockbuster"},
		[]string{"cinematic", "film still", "teal and orange"}, cinematicLook},
	{"painterly", []string{"painterly", "painting", "oil painting", "oil", "impressionist"},
		[]string{"painterly", "oil painting", "impressionist"}, painterly},
}

var painterlyLook = look{name: "painterly", apply: painterly}

// Styles lists the names of the looks StyleTransfer and Transform know.
// Genre and tone words (horror, sci-fi, dark, epic, ...) also work as styles.
func Styles() []string {
	out := make([]string, len(looks))
	for i, l := range looks {
		out[i] = l.name
	}
	return out
}

// findLook returns the first look named by a style preset or style, else
// the first named unambiguously in the prompt.
func findLook(preset, style, prompt string) (look, bool) {
	for _, text := range []string{preset, style} {
		if text == "" {
			continue
		}
		for _, l := range looks {
			for _, a := range append([]string{l.name}, l.aliases...) {
				if hasWholeWord(text, a) {
					return l, true
				}
			}
		}
	}
	if prompt != "" {
		for _, l := range looks {
			for _, a := range l.inText {
				if hasWholeWord(prompt, a) {
					return l, true
				}
			}
		}
	}
	return look{}, false
}

// grade is a colour grade keyed by genre or tone words.
type grade struct {
	words []string
	look  look
}

var genreGrades = []grade{
	{[]string{"grimdark", "dark fantasy"}, look{name: "grimdark", apply: grimdarkGrade}},
	{[]string{"cyber", "neon"}, look{name: "cyberpunk", apply: neonLook}},
	{[]string{"steampunk", "clockwork", "victorian"}, look{name: "steampunk", apply: steampunkGrade}},
	{[]string{"sci", "science", "space", "futur"}, look{name: "sci-fi", apply: scifiGrade}},
	{[]string{"post", "apocalyp", "wasteland"}, look{name: "post-apocalyptic", apply: postapocGrade}},
	{[]string{"horror", "gothic", "lovecraft", "undead"}, look{name: "horror", apply: horrorGrade}},
	{[]string{"western", "desert", "frontier"}, look{name: "western", apply: westernGrade}},
	{[]string{"pirate", "nautical", "sea", "ocean"}, look{name: "nautical", apply: cinematicLook}},
	{[]string{"fey", "fairy", "whimsical"}, look{name: "fey", apply: feyGrade}},
	{[]string{"fantasy", "medieval", "myth", "sword"}, look{name: "fantasy", apply: fantasyGrade}},
}

var toneGrades = []grade{
	{[]string{"dark", "grim", "gritty", "bleak", "sinister", "ominous", "somber", "sombre"}, look{name: "dark", apply: darkTone}},
	{[]string{"light", "cheer", "hopeful", "playful", "bright", "happy", "comedic"}, look{name: "light", apply: lightTone}},
	{[]string{"myster", "eerie", "dream", "ethereal", "arcane"}, look{name: "mysterious", apply: mysteriousTone}},
	{[]string{"epic", "heroic", "grand", "triumph"}, look{name: "epic", apply: epicTone}},
}

// findGrade returns the grade whose word starts a word of text.
func findGrade(table []grade, text string) (look, bool) {
	if text == "" {
		return look{}, false
	}
	for _, g := range table {
		if hasAnyWord(text, g.words...) {
			return g.look, true
		}
	}
	return look{}, false
}

// contrast is an S-curve through mid-grey; k > 1 adds contrast.
func contrast(k float64) func(float64) float64 {
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	lo, hi := sig(-k*2), sig(k*2)
	return func(v float64) float64 { return (sig(k*4*(v-0.5)) - lo) / (hi - lo) }
}

func gamma(g float64) func(float64) float64 {
	return func(v float64) float64 { return math.Pow(v, g) }
}

// graded clones src and runs the steps on the clone.
func graded(ctx context.Context, src *image.RGBA, steps ...func(*image.RGBA) error) (*image.RGBA, error) {
	out := clone(src)
	for _, s := range steps {
		if err := s(out); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func side(img *image.RGBA) float64 {
	return float64(min(img.Rect.Dx(), img.Rect.Dy()))
}

func noirLook(ctx context.Context, src *image.RGBA, seed uint64) (*image.RGBA, error) {
	curve := contrast(1.5)
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				l := curve(0.45*c.r + 0.42*c.g + 0.13*c.b) // a red filter, as on film
				return rgb{l, l, l}
			})
		},
		func(m *image.RGBA) error { return vignette(ctx, m, 0.5) },
		func(m *image.RGBA) error { return grain(ctx, m, 0.06, seed) })
}

func sepiaTone(c rgb) rgb {
	return rgb{
		0.393*c.r + 0.769*c.g + 0.189*c.b,
		0.349*c.r + 0.686*c.g + 0.168*c.b,
		0.272*c.r + 0.534*c.g + 0.131*c.b,
	}
}

func sepiaLook(ctx context.Context, src *image.RGBA, seed uint64) (*image.RGBA, error) {
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				s := sepiaTone(c)
				return rgb{0.05 + 0.9*s.r, 0.05 + 0.9*s.g, 0.05 + 0.9*s.b}
			})
		},
		func(m *image.RGBA) error { return vignette(ctx, m, 0.35) },
		func(m *image.RGBA) error { return grain(ctx, m, 0.03, seed) })
}

func vintageLook(ctx context.Context, src *image.RGBA, seed uint64) (*image.RGBA, error) {
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				c = c.saturate(0.7)
				l := c.lum()
				c = rgb{c.r*1.05 + 0.03*l, c.g*1.0 + 0.02*l, c.b*0.88 + 0.06*(1-l)}
				return rgb{0.08 + 0.84*c.r, 0.08 + 0.84*c.g, 0.08 + 0.84*c.b}
			})
		},
		func(m *image.RGBA) error { return vignette(ctx, m, 0.4) },
		func(m *image.RGBA) error { return grain(ctx, m, 0.05, seed) })
}

func neonLook(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	curve := contrast(1.3)
	shadow, high := rgb{0.3, 0.05, 0.5}, rgb{0.1, 0.95, 1}
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				c = c.saturate(1.6)
				l := c.lum()
				c = mix(c, shadow, 0.4*(1-l)*(1-l))
				c = mix(c, high, 0.2*l*l)
				return rgb{curve(c.r), curve(c.g), curve(c.b)}
			})
		},
		func(m *image.RGBA) error { return bloom(ctx, m, 0.7, side(m)/70, 0.6) })
}

func comicLook(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	out := clone(src)
	if err := mapColour(ctx, out, func(c rgb) rgb { return c.saturate(1.25) }); err != nil {
		return nil, err
	}
	if err := applyLUT(ctx, out, same(func(v float64) float64 { return math.Round(v*4) / 4 })); err != nil {
		return nil, err
	}
	soft, err := gaussBlur(ctx, src, max(1, side(src)/400))
	if err != nil {
		return nil, err
	}
	if err := inkEdges(ctx, out, soft, 0.12, 0.3, 1); err != nil {
		return nil, err
	}
	return out, nil
}

// inkEdges darkens dst where ref has strong edges, by up to amount.
func inkEdges(ctx context.Context, dst, ref *image.RGBA, lo, hi, amount float64) error {
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	mag, err := sobel(ctx, luma(ref), w, h)
	if err != nil {
		return err
	}
	for y := range h {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+w*4]
		for x := range w {
			k := 1 - amount*smoothstep(lo, hi, float64(mag[y*w+x]))
			for c := range 3 {
				row[x*4+c] = uint8(float64(row[x*4+c])*k + 0.5)
			}
		}
	}
	return nil
}

func painterly(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	r := min(max(int(side(src)/100)&^1, 2), 14)
	out, err := kuwahara(ctx, src, r)
	if err != nil {
		return nil, err
	}
	if err := mapColour(ctx, out, func(c rgb) rgb { return c.saturate(1.12) }); err != nil {
		return nil, err
	}
	return out, unsharp(ctx, out, 1, 0.4, 2)
}

func watercolorLook(ctx context.Context, src *image.RGBA, seed uint64) (*image.RGBA, error) {
	r := min(max(int(side(src)/160)&^1, 2), 10)
	out, err := kuwahara(ctx, src, r)
	if err != nil {
		return nil, err
	}
	if err := mapColour(ctx, out, func(c rgb) rgb {
		c = c.saturate(0.85)
		return rgb{0.1 + 0.9*math.Pow(c.r, 0.85), 0.1 + 0.9*math.Pow(c.g, 0.85), 0.1 + 0.9*math.Pow(c.b, 0.85)}
	}); err != nil {
		return nil, err
	}
	// Pigment pools at the edges of washes; the paper shows through.
	if err := inkEdges(ctx, out, out, 0.05, 0.3, 0.3); err != nil {
		return nil, err
	}
	paper := newNoise(seed)
	w, h := out.Rect.Dx(), out.Rect.Dy()
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return nil, err
		}
		row := out.Pix[y*out.Stride : y*out.Stride+w*4]
		for x := range w {
			k := 0.93 + 0.09*paper.fbm(float64(x)/6, float64(y)/6, 3)
			for c := range 3 {
				row[x*4+c] = uint8(min(float64(row[x*4+c])*k, float64(row[x*4+3])) + 0.5)
			}
		}
	}
	return out, nil
}

func sketchLook(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	gray := luma(src)
	inv := make([]float32, len(gray))
	for i, v := range gray {
		inv[i] = 255 - v
	}
	for _, r := range boxSizes(max(1.5, side(src)/160)) {
		if r > 0 {
			if err := boxBlurPlane(ctx, inv, w, h, r); err != nil {
				return nil, err
			}
		}
	}
	paper := rgb{0.97, 0.95, 0.9}
	out := image.NewRGBA(src.Rect)
	for y := range h {
		if err := checkRow(ctx, y); err != nil {
			return nil, err
		}
		for x := range w {
			i := y*w + x
			// Colour dodge of the grey by its blurred negative: pencil lines.
			v := min(1, float64(gray[i])/max(1, 255-float64(inv[i])))
			// Keep a little of the tone so flat areas are shaded, not blank.
			v = math.Pow(v, 1.6) * (0.7 + 0.3*float64(gray[i])/255)
			j := y*out.Stride + x*4
			a := src.Pix[y*src.Stride+x*4+3]
			c := paper.scale(v)
			out.Pix[j], out.Pix[j+1], out.Pix[j+2], out.Pix[j+3] = premul(to8(c.r), a), premul(to8(c.g), a), premul(to8(c.b), a), a
		}
	}
	return out, nil
}

func pixelLook(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	blk := max(2, int(side(src)/96))
	out := image.NewRGBA(src.Rect)
	for by := 0; by < h; by += blk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for bx := 0; bx < w; bx += blk {
			var sum [4]int
			n := 0
			for y := by; y < min(by+blk, h); y++ {
				for x := bx; x < min(bx+blk, w); x++ {
					p := src.Pix[y*src.Stride+x*4:]
					for c := range 4 {
						sum[c] += int(p[c])
					}
					n++
				}
			}
			for y := by; y < min(by+blk, h); y++ {
				for x := bx; x < min(bx+blk, w); x++ {
					p := out.Pix[y*out.Stride+x*4:]
					for c := range 4 {
						p[c] = uint8((sum[c] + n/2) / n)
					}
				}
			}
		}
	}
	if err := mapColour(ctx, out, func(c rgb) rgb { return c.saturate(1.2) }); err != nil {
		return nil, err
	}
	return out, applyLUT(ctx, out, same(func(v float64) float64 { return math.Round(v*5) / 5 }))
}

func cinematicLook(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	curve := contrast(1.2)
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				l := c.lum()
				c = c.add(rgb{-0.05, 0.02, 0.07}.scale(1 - l)).add(rgb{0.07, 0.02, -0.06}.scale(l))
				c = c.saturate(1.1)
				return rgb{curve(c.r), curve(c.g), curve(c.b)}
			})
		},
		func(m *image.RGBA) error { return vignette(ctx, m, 0.3) })
}

func fantasyGrade(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	curve := contrast(1.15)
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				c = rgb{c.r*1.05 + 0.01, c.g * 1.0, c.b * 0.92}.saturate(1.12)
				return rgb{curve(c.r), curve(c.g), curve(c.b)}
			})
		},
		func(m *image.RGBA) error { return bloom(ctx, m, 0.75, side(m)/100, 0.25) })
}

func grimdarkGrade(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	curve := contrast(1.35)
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				c = c.saturate(0.55).scale(0.9)
				return rgb{curve(c.r), curve(c.g), curve(c.b)}
			})
		},
		func(m *image.RGBA) error { return vignette(ctx, m, 0.45) })
}

func horrorGrade(ctx context.Context, src *image.RGBA, seed uint64) (*image.RGBA, error) {
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				c = c.saturate(0.45)
				return rgb{math.Pow(c.r*0.92, 1.2), math.Pow(c.g, 1.2), math.Pow(c.b*0.96, 1.2)}
			})
		},
		func(m *image.RGBA) error { return vignette(ctx, m, 0.5) },
		func(m *image.RGBA) error { return grain(ctx, m, 0.05, seed) })
}

func scifiGrade(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	curve := contrast(1.15)
	return graded(ctx, src, func(m *image.RGBA) error {
		return mapColour(ctx, m, func(c rgb) rgb {
			c = rgb{c.r * 0.9, c.g * 1.0, c.b*1.1 + 0.02}
			return rgb{curve(c.r), curve(c.g), curve(c.b)}
		})
	})
}

func steampunkGrade(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	curve := contrast(1.15)
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				c = mix(c, sepiaTone(c), 0.55)
				return rgb{curve(c.r), curve(c.g), curve(c.b)}
			})
		},
		func(m *image.RGBA) error { return vignette(ctx, m, 0.35) })
}

func postapocGrade(ctx context.Context, src *image.RGBA, seed uint64) (*image.RGBA, error) {
	curve := contrast(1.1)
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				c = c.saturate(0.6)
				c = rgb{c.r * 1.06, c.g, c.b * 0.84}
				return rgb{curve(c.r), curve(c.g), curve(c.b)}
			})
		},
		func(m *image.RGBA) error { return grain(ctx, m, 0.04, seed) })
}

func westernGrade(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	return graded(ctx, src, func(m *image.RGBA) error {
		return mapColour(ctx, m, func(c rgb) rgb {
			c = c.saturate(0.8)
			return rgb{math.Pow(c.r*1.06, 0.9), math.Pow(c.g, 0.92), math.Pow(c.b*0.84, 0.95)}
		})
	})
}

func feyGrade(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				c = c.saturate(1.3)
				return rgb{0.05 + 0.95*c.r*1.03, 0.05 + 0.95*c.g, 0.05 + 0.95*c.b*1.07}
			})
		},
		func(m *image.RGBA) error { return bloom(ctx, m, 0.65, side(m)/90, 0.4) })
}

func darkTone(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				c = c.saturate(0.85)
				return rgb{math.Pow(c.r, 1.25), math.Pow(c.g, 1.25), math.Pow(c.b, 1.25)}
			})
		},
		func(m *image.RGBA) error { return vignette(ctx, m, 0.35) })
}

func lightTone(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	return graded(ctx, src, func(m *image.RGBA) error {
		return mapColour(ctx, m, func(c rgb) rgb {
			c = c.saturate(1.1)
			return rgb{math.Pow(c.r, 0.85), math.Pow(c.g, 0.85), math.Pow(c.b, 0.85)}
		})
	})
}

func mysteriousTone(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	tint := rgb{0.35, 0.3, 0.7}
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				c = mix(c, tint.scale(c.lum()*1.5), 0.2)
				return rgb{0.04 + 0.92*c.r, 0.04 + 0.92*c.g, 0.04 + 0.92*c.b}
			})
		},
		func(m *image.RGBA) error { return bloom(ctx, m, 0.55, side(m)/120, 0.3) })
}

func epicTone(ctx context.Context, src *image.RGBA, _ uint64) (*image.RGBA, error) {
	curve := contrast(1.3)
	return graded(ctx, src,
		func(m *image.RGBA) error {
			return mapColour(ctx, m, func(c rgb) rgb {
				l := c.lum()
				c = c.saturate(1.15).add(rgb{0.05, 0.025, -0.02}.scale(l))
				return rgb{curve(c.r), curve(c.g), curve(c.b)}
			})
		},
		func(m *image.RGBA) error { return bloom(ctx, m, 0.7, side(m)/80, 0.3) })
}
