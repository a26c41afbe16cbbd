package imagegen

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var (
	examples       = flag.String("examples", "", "write example PNGs (one per type, transform and enhancement) into this directory")
	examplesReadme = flag.Bool("examples-readme", false, "with -examples: write only the README's examples, 256 pixels wide")
)

// readmeExamples are the examples the README shows, at readmeWidth.
var readmeExamples = []string{
	"map_background", "map_background_river_delta", "map_background_town", "map_background_dungeon", "location_visual",
	"character_portrait", "character_portrait_token", "item_illustration_crown", "item_illustration_sword", "magical_effect",
	"environment_scene", "environment_scene_snowy_pass", "transform_noir", "transform_watercolor", "enhance_color_correction",
}

const readmeWidth = 256

// TestWriteExamples writes example pictures for the documentation:
//
//	go test ./shared/imagegen -run TestWriteExamples -examples /tmp/examples
//	go test ./shared/imagegen -run TestWriteExamples -examples docs/examples -examples-readme
func TestWriteExamples(t *testing.T) {
	if *examples == "" {
		t.Skip("set -examples DIR to write example images")
	}
	dir := *examples
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("MkdirAll(%q): %v", dir, err)
	}
	ctx := context.Background()
	e := New()
	write := func(name string, data []byte) {
		t.Helper()
		if *examplesReadme {
			if !slices.Contains(readmeExamples, name) {
				return
			}
			data = scaledPNG(t, data, readmeWidth)
		}
		path := filepath.Join(dir, name+".png")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatalf("WriteFile(%q): %v", path, err)
		}
		t.Logf("wrote %s", path)
	}
	gens := []struct {
		name string
		req  GenerateRequest
	}{
		{"map_background", GenerateRequest{Type: TypeMapBackground, Prompt: "tavern interior", Seed: 1}},
		{"map_background_river_delta", GenerateRequest{Type: TypeMapBackground, Prompt: "river delta", Seed: 2}},
		{"map_background_town", GenerateRequest{Type: TypeMapBackground, Prompt: "a market town", Seed: 4}},
		{"map_background_dungeon", GenerateRequest{Type: TypeMapBackground, Prompt: "a forgotten crypt beneath the chapel", Genre: "fantasy"}},
		{"map_background_flooded_horror", GenerateRequest{Type: TypeMapBackground, Prompt: "a flooded crypt", Genre: "horror", Tone: "dark"}},
		{"map_background_scifi", GenerateRequest{Type: TypeMapBackground, Prompt: "derelict station deck", Genre: "sci-fi"}},
		{"map_background_coast", GenerateRequest{Type: TypeMapBackground, Prompt: "a coastal fishing village with a harbor", Seed: 20}},
		{"location_visual", GenerateRequest{Type: TypeLocationVisual, Prompt: "a castle in the hills at dawn", Seed: 5}},
		{"location_visual_lighthouse", GenerateRequest{Type: TypeLocationVisual, Prompt: "a lighthouse on a stormy coast", Seed: 31}},
		{"character_portrait", GenerateRequest{Type: TypeCharacterPortrait, Prompt: "a stout dwarf fighter", Race: "dwarf", Class: "fighter", Alignment: "lawful good", Seed: 1}},
		{"character_portrait_token", GenerateRequest{Type: TypeCharacterPortrait, Prompt: "a tiefling warlock", Race: "tiefling", Class: "warlock", Alignment: "chaotic evil", Seed: 4, TokenFrame: TokenFrameRound}},
		{"character_portrait_elf_wizard", GenerateRequest{Type: TypeCharacterPortrait, Prompt: "an elf wizard", Race: "elf", Class: "wizard", Alignment: "neutral good", Seed: 2}},
		{"item_illustration", GenerateRequest{Type: TypeItemIllustration, Prompt: "an enchanted sapphire amulet"}},
		{"item_illustration_crown", GenerateRequest{Type: TypeItemIllustration, Prompt: "a golden crown", Seed: 1}},
		{"item_illustration_sword", GenerateRequest{Type: TypeItemIllustration, Prompt: "a flaming longsword"}},
		{"item_illustration_potion", GenerateRequest{Type: TypeItemIllustration, Prompt: "a green potion of healing"}},
		{"environment_scene", GenerateRequest{Type: TypeEnvironmentScene, Prompt: "a misty swamp", Seed: 1}},
		{"environment_scene_snowy_pass", GenerateRequest{Type: TypeEnvironmentScene, Prompt: "a snowy mountain pass", Seed: 2}},
		{"environment_scene_desert", GenerateRequest{Type: TypeEnvironmentScene, Prompt: "desert dunes at dusk", Seed: 3}},
		{"magical_effect", GenerateRequest{Type: TypeMagicalEffect, Prompt: "a violet arcane ward", Genre: "fantasy"}},
	}
	for _, g := range gens {
		g.req.Width, g.req.Height = 768, 768
		if g.req.Type == TypeEnvironmentScene || g.req.Type == TypeLocationVisual {
			g.req.Width, g.req.Height = 1024, 576
		}
		pic, err := e.Generate(ctx, g.req)
		if err != nil {
			t.Fatalf("Generate(%s): %v", g.name, err)
		}
		write(g.name, pic.PNG)
	}

	base, err := e.Generate(ctx, GenerateRequest{Type: TypeEnvironmentScene, Prompt: "a green valley with a river", Width: 768, Height: 512, Seed: 7})
	if err != nil {
		t.Fatalf("Generate(base): %v", err)
	}
	src, err := png.Decode(bytes.NewReader(base.PNG))
	if err != nil {
		t.Fatalf("decode base: %v", err)
	}
	for _, style := range Styles() {
		data, err := e.Transform(ctx, TransformRequest{Source: src, StylePreset: style, Strength: 1})
		if err != nil {
			t.Fatalf("Transform(%s): %v", style, err)
		}
		write("transform_"+style, data)
	}
	data, err := e.Transform(ctx, TransformRequest{Source: src, Genre: "horror", Tone: "dark", Strength: 0.8})
	if err != nil {
		t.Fatalf("Transform(horror): %v", err)
	}
	write("transform_genre_horror", data)

	enhancements := []struct {
		name string
		run  func() (image.Image, error)
	}{
		{"enhance_upscale_x2", func() (image.Image, error) { return e.Upscale(ctx, src, 2) }},
		{"enhance_color_correction", func() (image.Image, error) { return e.ColorCorrect(ctx, squeezed(src)) }},
		{"enhance_style_transfer", func() (image.Image, error) { return e.StyleTransfer(ctx, src, "watercolor", 1) }},
		{"enhance_detail", func() (image.Image, error) { return e.DetailEnhance(ctx, src) }},
		{"enhance_face_fix", func() (image.Image, error) { return e.FaceFix(ctx, src) }},
	}
	for _, en := range enhancements {
		img, err := en.run()
		if err != nil {
			t.Fatalf("%s: %v", en.name, err)
		}
		data, err := EncodePNG(img)
		if err != nil {
			t.Fatalf("EncodePNG(%s): %v", en.name, err)
		}
		write(en.name, data)
	}
}

// TestReadmeShowsTheExamples keeps the README and readmeExamples in step.
func TestReadmeShowsTheExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skipf("no README: %v", err)
	}
	for _, name := range readmeExamples {
		ref := "docs/examples/" + name + ".png"
		if !strings.Contains(string(readme), ref) {
			t.Errorf("README.md does not show %s", ref)
		}
		if _, err := os.Stat(filepath.Join("../..", ref)); err != nil {
			t.Errorf("README example %s: %v", ref, err)
		}
	}
}

// scaledPNG scales a PNG to width pixels wide, keeping its shape and its
// alpha channel.
func scaledPNG(tb testing.TB, data []byte, width int) []byte {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("decode: %v", err)
	}
	b := img.Bounds()
	h := max(1, b.Dy()*width/b.Dx())
	small, err := resize(context.Background(), toRGBA(img), width, h)
	if err != nil {
		tb.Fatalf("resize: %v", err)
	}
	out, err := EncodePNG(small)
	if err != nil {
		tb.Fatalf("encode: %v", err)
	}
	return out
}

// squeezed squeezes an image's values into 90..170, with a blue cast,
// for the colour correction example.
func squeezed(src image.Image) image.Image {
	img := toRGBA(src)
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i] = uint8(90 + int(img.Pix[i])*70/255)
		img.Pix[i+1] = uint8(95 + int(img.Pix[i+1])*70/255)
		img.Pix[i+2] = uint8(110 + int(img.Pix[i+2])*70/255)
	}
	return img
}
