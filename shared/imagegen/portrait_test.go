package imagegen

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
)

func alphaAt(img image.Image, x, y int) uint8 {
	return color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA).A
}

// opaqueShare is the share of fully opaque pixels in r.
func opaqueShare(img image.Image, r image.Rectangle) float64 {
	n, total := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if alphaAt(img, x, y) == 255 {
				n++
			}
			total++
		}
	}
	return float64(n) / float64(total)
}

// meanOpaqueLum is the mean luminance, 0..255, of the opaque pixels.
func meanOpaqueLum(img image.Image) float64 {
	b := img.Bounds()
	sum, n := 0.0, 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c.A == 255 {
				sum += 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
				n++
			}
		}
	}
	return sum / float64(max(n, 1))
}

func TestPortraitIsAFigureOnTransparency(t *testing.T) {
	t.Parallel()
	tests := []struct{ race, class, alignment, style string }{
		{"dwarf", "fighter", "lawful good", ""},
		{"elf", "wizard", "neutral good", ""},
		{"half-orc", "barbarian", "chaotic neutral", ""},
		{"tiefling", "warlock", "chaotic evil", "noir"},
		{"dragonborn", "paladin", "lawful good", "watercolor"},
		{"halfling", "rogue", "neutral", "sketch"},
	}
	for _, tc := range tests {
		t.Run(tc.race+"_"+tc.class, func(t *testing.T) {
			t.Parallel()
			const w, h = 256, 320
			img := decodePNG(t, generate(t, GenerateRequest{Type: TypeCharacterPortrait, Prompt: "a hero", Width: w, Height: h, Seed: 3,
				Race: tc.race, Class: tc.class, Alignment: tc.alignment, StylePreset: tc.style}))
			if _, ok := img.(*image.NRGBA); !ok {
				t.Fatalf("portrait decodes as %T, want *image.NRGBA (a PNG with an alpha channel)", img)
			}
			for _, c := range []image.Point{{0, 0}, {w - 8, 0}, {0, 40}, {w - 8, 40}} {
				if s := opaqueShare(img, image.Rect(c.X, c.Y, c.X+8, c.Y+8)); s != 0 || alphaAt(img, c.X, c.Y) != 0 {
					t.Errorf("corner %v: opaque share %.2f, alpha %d; want fully transparent", c, s, alphaAt(img, c.X, c.Y))
				}
			}
			// The face: the head's centre in the figure's unit square,
			// shrunk for a small people.
			rc, _ := pickRace(tc.race, "")
			cv := portraitCanvas(w, h, float64(min(w, h)), rc.scale())
			fx, fy := w/2, int(cv.oy+rc.headY*cv.scale)
			if s := opaqueShare(img, image.Rect(fx-10, fy-10, fx+10, fy+10)); s < 0.99 {
				t.Errorf("face at (%d, %d): opaque share %.2f, want opaque", fx, fy, s)
			}
			// The body runs off the bottom; the figure covers a good part.
			if s := opaqueShare(img, image.Rect(w/2-20, h-20, w/2+20, h)); s < 0.99 {
				t.Errorf("chest at the bottom: opaque share %.2f, want opaque", s)
			}
			if s := opaqueShare(img, img.Bounds()); s < 0.2 || s > 0.8 {
				t.Errorf("figure covers %.2f of the picture, want 0.2..0.8", s)
			}
		})
	}
}

func TestPortraitRoundTokenFrame(t *testing.T) {
	t.Parallel()
	const side = 256
	r := GenerateRequest{Type: TypeCharacterPortrait, Prompt: "a cleric", Width: side, Height: side, Seed: 5, Race: "human", Class: "cleric"}
	bare := decodePNG(t, generate(t, r))
	r.TokenFrame = TokenFrameRound
	framed := decodePNG(t, generate(t, r))
	c := float64(side) / 2
	R := 0.49 * side
	var ringOpaque, ringTotal int
	for y := range side {
		for x := range side {
			d := math.Hypot(float64(x)+0.5-c, float64(y)+0.5-c)
			a := alphaAt(framed, x, y)
			switch {
			case d > R+1.5 && a != 0:
				t.Fatalf("framed portrait: pixel (%d, %d) outside the frame has alpha %d, want 0", x, y, a)
			case d < R-1.5:
				ringTotal++
				if a == 255 {
					ringOpaque++
				}
			}
		}
	}
	if ringOpaque != ringTotal {
		t.Errorf("framed portrait: %d of %d pixels inside the frame opaque, want all (the token's disk)", ringOpaque, ringTotal)
	}
	// The bare figure leaves the sides of the disk transparent.
	if s := opaqueShare(bare, image.Rect(int(c-0.8*R), int(c-0.3*R), int(c-0.7*R), int(c-0.2*R))); s != 0 {
		t.Errorf("bare portrait: beside the head opaque share %.2f, want 0", s)
	}
}

func TestPortraitFollowsRaceClassAlignment(t *testing.T) {
	t.Parallel()
	races := []struct{ hint, prompt, want string }{
		{"Dwarf", "", "dwarf"},
		{"", "a grizzled dwarf fighter", "dwarf"},
		{"half-elf", "", "half-elf"},
		{"Half-Orc", "", "half-orc"},
		{"wood_elf", "", "elf"},
		{"", "a tiefling warlock", "tiefling"},
		{"", "a wandering sellsword", "human"},
	}
	for _, tc := range races {
		if got, _ := pickRace(tc.hint, tc.prompt); got.name != tc.want {
			t.Errorf("pickRace(%q, %q) = %s, want %s", tc.hint, tc.prompt, got.name, tc.want)
		}
	}
	classes := []struct{ hint, prompt, want string }{
		{"Wizard", "", "wizard"}, {"", "an elven rogue", "rogue"}, {"Cleric", "", "cleric"}, {"paladin", "", "paladin"},
		{"", "a sellsword", "adventurer"},
	}
	for _, tc := range classes {
		if got, _ := pickClass(tc.hint, tc.prompt); got.name != tc.want {
			t.Errorf("pickClass(%q, %q) = %s, want %s", tc.hint, tc.prompt, got.name, tc.want)
		}
	}
	// Race features and silhouettes.
	dwarf, _ := pickRace("dwarf", "")
	elf, _ := pickRace("elf", "")
	orc, _ := pickRace("half-orc", "")
	tief, _ := pickRace("tiefling", "")
	if dwarf.beard < 1 || elf.ears != earLong || !orc.tusks || !tief.horns || dwarf.shoulders <= elf.shoulders {
		t.Errorf("race features: dwarf beard %v, elf ears %d, orc tusks %v, tiefling horns %v, shoulders dwarf %v elf %v",
			dwarf.beard, elf.ears, orc.tusks, tief.horns, dwarf.shoulders, elf.shoulders)
	}
	width := func(race string) int {
		img := decodePNG(t, generate(t, GenerateRequest{Type: TypeCharacterPortrait, Prompt: "a monk", Width: 256, Height: 256, Seed: 1, Race: race, Class: "monk"}))
		n := 0
		for x := range 256 {
			if alphaAt(img, x, 245) == 255 {
				n++
			}
		}
		return n
	}
	if wd, we := width("dwarf"), width("elf"); wd <= we+20 {
		t.Errorf("opaque width at the chest: dwarf %d, elf %d px; want the dwarf broader by 20", wd, we)
	}
	lum := func(alignment string) float64 {
		return meanOpaqueLum(decodePNG(t, generate(t, GenerateRequest{Type: TypeCharacterPortrait, Prompt: "a wizard", Width: 256, Height: 256, Seed: 2, Race: "human", Class: "wizard", Alignment: alignment})))
	}
	if evil, good := lum("lawful evil"), lum("lawful good"); evil > good-10 {
		t.Errorf("mean luminance of the figure: evil %.1f, good %.1f; want evil darker by 10", evil, good)
	}
}

func TestPortraitWarnsAboutUnknownHints(t *testing.T) {
	t.Parallel()
	pic, err := New().Generate(t.Context(), GenerateRequest{Type: TypeCharacterPortrait, Prompt: "a hero", Width: 128, Height: 128, Race: "warforged", Class: "gunslinger"})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	joined := strings.Join(pic.Warnings, "\n")
	for _, want := range []string{`character_race "warforged"`, "drew a human", `character_class "gunslinger"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings = %q, want one containing %q", pic.Warnings, want)
		}
	}
	known, err := New().Generate(t.Context(), GenerateRequest{Type: TypeCharacterPortrait, Prompt: "a hero", Width: 128, Height: 128, Race: "Elf", Class: "Ranger"})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if len(known.Warnings) != 0 {
		t.Errorf("warnings for elf ranger = %q, want none", known.Warnings)
	}
}

func TestTokenFrameOnlyFramesPortraits(t *testing.T) {
	t.Parallel()
	pic, err := New().Generate(t.Context(), GenerateRequest{Type: TypeItemIllustration, Prompt: "a crown", Width: 128, Height: 128, TokenFrame: TokenFrameRound})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if len(pic.Warnings) != 1 || !strings.Contains(pic.Warnings[0], "token_frame") {
		t.Errorf("warnings for a framed item = %q, want one about token_frame", pic.Warnings)
	}
	if a := alphaAt(decodePNG(t, pic.PNG), 0, 0); a != 255 {
		t.Errorf("framed item corner alpha = %d, want an opaque picture", a)
	}
}

func TestGenerateRejectsUnknownTokenFrame(t *testing.T) {
	t.Parallel()
	_, err := New().Generate(t.Context(), GenerateRequest{Type: TypeCharacterPortrait, Prompt: "x", Width: 128, Height: 128, TokenFrame: "square"})
	if err == nil || !strings.Contains(err.Error(), "token frame") {
		t.Errorf("Generate(token frame square) error = %v, want an invalid request naming the token frame", err)
	}
}
