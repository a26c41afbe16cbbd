package imagegen

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var examples = flag.String("examples", "", "write example PNGs (one per type, transform and enhancement) into this directory")

// TestWriteExamples writes example pictures for the documentation:
//
//	go test ./shared/imagegen -run TestWriteExamples -examples docs/images/offline
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
		{"map_background", GenerateRequest{Type: TypeMapBackground, Prompt: "a forgotten crypt beneath the chapel", Genre: "fantasy"}},
		{"map_background_flooded_horror", GenerateRequest{Type: TypeMapBackground, Prompt: "a flooded crypt", Genre: "horror", Tone: "dark"}},
		{"map_background_scifi", GenerateRequest{Type: TypeMapBackground, Prompt: "derelict station deck", Genre: "sci-fi"}},
		{"location_visual", GenerateRequest{Type: TypeLocationVisual, Prompt: "goblin warrens", Genre: "fantasy"}},
		{"character_portrait", GenerateRequest{Type: TypeCharacterPortrait, Prompt: "a dwarf paladin", Race: "dwarf", Class: "paladin", Alignment: "lawful good"}},
		{"character_portrait_tiefling_warlock", GenerateRequest{Type: TypeCharacterPortrait, Prompt: "a tiefling warlock", Race: "tiefling", Class: "warlock", Alignment: "chaotic neutral", Seed: 7}},
		{"item_illustration", GenerateRequest{Type: TypeItemIllustration, Prompt: "an enchanted sapphire amulet"}},
		{"item_illustration_sword", GenerateRequest{Type: TypeItemIllustration, Prompt: "a flaming longsword"}},
		{"item_illustration_potion", GenerateRequest{Type: TypeItemIllustration, Prompt: "a green potion of healing"}},
		{"environment_scene", GenerateRequest{Type: TypeEnvironmentScene, Prompt: "misty mountains at dawn", Genre: "fantasy", Tone: "epic"}},
		{"environment_scene_horror", GenerateRequest{Type: TypeEnvironmentScene, Prompt: "a haunted moor", Genre: "horror"}},
		{"environment_scene_scifi", GenerateRequest{Type: TypeEnvironmentScene, Prompt: "an alien city", Genre: "sci-fi"}},
		{"magical_effect", GenerateRequest{Type: TypeMagicalEffect, Prompt: "a violet arcane ward", Genre: "fantasy"}},
	}
	for _, g := range gens {
		g.req.Width, g.req.Height = 768, 768
		if g.req.Type == TypeEnvironmentScene {
			g.req.Width, g.req.Height = 1024, 576
		}
		pic, err := e.Generate(ctx, g.req)
		if err != nil {
			t.Fatalf("Generate(%s): %v", g.name, err)
		}
		write(g.name, pic.PNG)
	}

	base, err := e.Generate(ctx, GenerateRequest{Type: TypeEnvironmentScene, Prompt: "a valley", Width: 768, Height: 512})
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
