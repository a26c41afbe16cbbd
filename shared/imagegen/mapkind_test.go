package imagegen

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"testing"
)

func TestMapKindFromPrompt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prompt string
		want   string
		named  bool
	}{
		{"tavern interior", mapInterior, true},
		{"The Prancing Pony inn, common room", mapInterior, true},
		{"river delta", mapWater, true},
		{"a rocky coast", mapWater, true},
		{"a dungeon beneath the town", mapDungeon, true},
		{"a town by the river", mapTown, true},
		{"forest clearing", mapWilderness, true},
		{"a misty swamp", mapWilderness, true},
		{"goblin caves", mapCavern, true},
		{"an abandoned mine", mapCavern, true},
		{"a village market square", mapTown, true},
		{"a wooden hut", mapInterior, true},
		{"something strange", mapDungeon, false},
	}
	for _, tc := range tests {
		got, named := mapKind(tc.prompt)
		if got != tc.want || named != tc.named {
			t.Errorf("mapKind(%q) = %s, %v; want %s, %v", tc.prompt, got, named, tc.want, tc.named)
		}
	}
	// A negated word does not pick the kind.
	sc := newScene(GenerateRequest{Prompt: "a crypt with no water"})
	if got, _ := mapKind(sc.prompt); got != mapDungeon {
		t.Errorf("mapKind(%q) = %s, want dungeon", sc.prompt, got)
	}
}

// shares classifies a map's pixels: water (clearly blue), wood (warm
// browns of boards and furniture), foliage (dark greens) and rock (dark
// greys).
func shares(img image.Image) (water, wood, foliage, rock float64) {
	b := img.Bounds()
	n := float64(b.Dx() * b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			r, g, bl := int(c.R), int(c.G), int(c.B)
			switch {
			case bl > r+25 && bl > 80:
				water++
			case r > g+25 && g > bl+15 && r > 90:
				wood++
			case g > r+8 && g > bl+8:
				foliage++
			case max(r, g, bl) < 90 && max(r, g, bl)-min(r, g, bl) < 25:
				rock++
			}
		}
	}
	return water / n, wood / n, foliage / n, rock / n
}

func TestMapKindIsDrawn(t *testing.T) {
	t.Parallel()
	draw := func(prompt string) image.Image {
		return decodePNG(t, generate(t, GenerateRequest{Type: TypeMapBackground, Prompt: prompt, Width: 320, Height: 320, Seed: 7}))
	}
	dungeon := draw("a forgotten crypt")
	delta := draw("river delta")
	tavern := draw("tavern interior")
	forest := draw("forest clearing")
	dw, dwood, _, drock := shares(dungeon)
	rw, _, rf, rrock := shares(delta)
	_, tw, _, _ := shares(tavern)
	_, _, ff, _ := shares(forest)
	if rw < 0.1 || dw > 0.02 {
		t.Errorf("water share: river delta %.2f (want >= 0.10), crypt %.2f (want <= 0.02)", rw, dw)
	}
	if rrock > 0.1 || drock < 0.25 {
		t.Errorf("rock share: river delta %.2f (want <= 0.10), crypt %.2f (want >= 0.25)", rrock, drock)
	}
	if tw < 0.3 || dwood > 0.1 {
		t.Errorf("wood share: tavern %.2f (want >= 0.30: boards, bar, tables), crypt %.2f (want <= 0.10)", tw, dwood)
	}
	if ff < 0.4 || rf < 0.2 {
		t.Errorf("foliage share: forest %.2f (want >= 0.40), delta %.2f (want >= 0.20: banks)", ff, rf)
	}
}

func TestMapGridMetadataMatchesDrawnLines(t *testing.T) {
	t.Parallel()
	sizes := [][2]int{{512, 512}, {768, 512}, {320, 448}, {256, 256}}
	for _, sz := range sizes {
		for _, prompt := range []string{"open fields", "a market town"} {
			t.Run(fmt.Sprintf("%dx%d/%s", sz[0], sz[1], prompt), func(t *testing.T) {
				t.Parallel()
				r := GenerateRequest{Type: TypeMapBackground, Prompt: prompt, Width: sz[0], Height: sz[1], Seed: 2}
				pic, err := New().Generate(t.Context(), r)
				if err != nil {
					t.Fatalf("Generate: %v", err)
				}
				g := pic.Grid
				if g == nil {
					t.Fatalf("Generate(map) Grid = nil, want the grid")
				}
				img := decodePNG(t, pic.PNG)
				w, h := img.Bounds().Dx(), img.Bounds().Dy()
				if g.SquarePx < 12 || g.Columns < 4 || g.Rows < 4 || !g.Drawn {
					t.Fatalf("grid = %+v, want drawn squares of at least 12 px, at least 4 a side", *g)
				}
				if g.OffsetX < 0 || g.OffsetY < 0 || g.OffsetX+g.Columns*g.SquarePx > w || g.OffsetY+g.Rows*g.SquarePx > h ||
					w-(g.OffsetX+g.Columns*g.SquarePx) >= g.SquarePx || h-(g.OffsetY+g.Rows*g.SquarePx) >= g.SquarePx {
					t.Fatalf("grid %+v does not fill the %dx%d picture", *g, w, h)
				}
				on, off := lineContrast(img, g)
				if on > off-8 {
					t.Errorf("mean luminance on the grid's lines %.1f, half a square off them %.1f; want the lines darker by 8", on, off)
				}
				r.NegativePrompt = "no grid"
				plain, err := New().Generate(t.Context(), r)
				if err != nil {
					t.Fatalf("Generate: %v", err)
				}
				if plain.Grid == nil || plain.Grid.Drawn || plain.Grid.Columns != g.Columns || plain.Grid.OffsetX != g.OffsetX {
					t.Fatalf("with negative_prompt grid: Grid = %+v, want the same squares, not drawn", plain.Grid)
				}
				// The same map without lines: darker only where they were.
				pOn, pOff := lineContrast(decodePNG(t, plain.PNG), g)
				if on > pOn-5 || math.Abs(off-pOff) > 1 {
					t.Errorf("luminance on/off the lines: with grid %.1f/%.1f, without %.1f/%.1f; want only the lines to change, by 5", on, off, pOn, pOff)
				}
			})
		}
	}
}

// lineContrast is the mean luminance along the vertical and horizontal
// grid lines of g, and along lines half a square away, leaving out the
// stretches near crossing lines.
func lineContrast(img image.Image, g *Grid) (on, off float64) {
	lum := func(x, y int) float64 {
		c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
		return 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
	}
	margin := g.SquarePx / 6
	clear := func(v, offset int) bool {
		m := (v - offset) % g.SquarePx
		return m > margin && m < g.SquarePx-margin
	}
	var sOn, sOff float64
	n := 0
	for k := 0; k < g.Columns; k++ {
		x := g.OffsetX + k*g.SquarePx
		for y := g.OffsetY; y < g.OffsetY+g.Rows*g.SquarePx; y++ {
			if clear(y, g.OffsetY) {
				sOn += lum(x, y)
				sOff += lum(x+g.SquarePx/2, y)
				n++
			}
		}
	}
	for k := 0; k < g.Rows; k++ {
		y := g.OffsetY + k*g.SquarePx
		for x := g.OffsetX; x < g.OffsetX+g.Columns*g.SquarePx; x++ {
			if clear(x, g.OffsetX) {
				sOn += lum(x, y)
				sOff += lum(x, y+g.SquarePx/2)
				n++
			}
		}
	}
	return sOn / float64(n), sOff / float64(n)
}

func TestMapNegativePromptRemovesElements(t *testing.T) {
	t.Parallel()
	draw := func(prompt, negative string) image.Image {
		return decodePNG(t, generate(t, GenerateRequest{Type: TypeMapBackground, Prompt: prompt, Width: 256, Height: 256, Seed: 4, NegativePrompt: negative}))
	}
	wet, _, _, _ := shares(draw("a flooded crypt", ""))
	dry, _, _, _ := shares(draw("a flooded crypt", "water"))
	if wet < 0.03 || dry > 0.001 {
		t.Errorf("water share of a flooded crypt: %.3f, with negative_prompt water %.3f; want some, then none", wet, dry)
	}
	// Trees and furniture are outlined in ink: count the near-black.
	inked := func(img image.Image) float64 {
		b := img.Bounds()
		n := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				if max(c.R, c.G, c.B) < 45 {
					n++
				}
			}
		}
		return float64(n) / float64(b.Dx()*b.Dy())
	}
	if with, without := inked(draw("a dense forest", "")), inked(draw("a dense forest", "trees")); without > with/3 {
		t.Errorf("inked share of a dense forest: %.3f, with negative_prompt trees %.3f; want a third or less", with, without)
	}
	if with, without := inked(draw("tavern interior", "")), inked(draw("tavern interior", "furniture")); without > with*0.6 {
		t.Errorf("inked share of a tavern: %.3f, with negative_prompt furniture %.3f; want 0.6 of it or less", with, without)
	}
}
