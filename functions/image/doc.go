package image

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"sync"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
)

func ptr[T any](v T) *T { return &v }

// samplePNG is a small PNG for the transform and enhance examples: a
// 64×64 gradient, encoded as base64.
var samplePNG = sync.OnceValue(func() string {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			img.Set(x, y, color.NRGBA{R: uint8(60 + 2*x), G: uint8(40 + y), B: uint8(90 + x + y), A: 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img) // a bytes.Buffer does not fail
	return base64.StdEncoding.EncodeToString(buf.Bytes())
})

func generateExamples() []apidoc.Example {
	return []apidoc.Example{
		{Name: "portrait", Summary: "A character portrait", Value: GenerateRequest{
			Type:   imagegen.TypeCharacterPortrait,
			Prompt: "A stern dwarf cleric with a braided red beard",
			Size:   &Size{Width: 512, Height: 512},
			Parameters: Parameters{
				Seed: ptr[int64](1234), CharacterRace: "Dwarf", CharacterClass: "Cleric", Alignment: "lawful good",
			},
			Theme: Theme{Genre: "fantasy", Tone: "heroic"},
		}},
		{Name: "map", Summary: "A map background", Value: GenerateRequest{
			Type:   imagegen.TypeMapBackground,
			Prompt: "A river delta with three villages and a ruined tower",
			Size:   &Size{Width: 768, Height: 512},
		}},
	}
}

func transformExamples() []apidoc.Example {
	return []apidoc.Example{
		{Name: "watercolor", Summary: "Repaint an image", Value: TransformRequest{
			GenerateRequest: GenerateRequest{
				Type: imagegen.TypeCharacterPortrait, Prompt: "The same hero as a watercolor painting",
				Parameters: Parameters{Seed: ptr[int64](99)},
			},
			SourceImage: samplePNG(),
			Strength:    ptr(0.5),
		}},
	}
}

func enhanceExamples() []apidoc.Example {
	return []apidoc.Example{
		{Name: "upscale", Summary: "Upscale and correct colors", Value: EnhanceRequest{
			Image:        samplePNG(),
			Enhancements: []string{EnhanceUpscale, EnhanceColorCorrection},
			Parameters:   EnhanceParameters{UpscaleFactor: ptr(2)},
		}},
		{Name: "style", Summary: "Give an image a sepia look", Value: EnhanceRequest{
			Image:        samplePNG(),
			Enhancements: []string{EnhanceStyleTransfer},
			Parameters:   EnhanceParameters{StylePreset: "sepia", Strength: ptr(0.7)},
		}},
	}
}

// messages are the Message Hub message types of image jobs: image.generate
// (the job kind's name) takes the body of POST /api/v2/image/generate;
// generate_image (prompt, style) makes an environment scene; portrait and
// map take the REST generate shape with the type set. Transforms and
// enhancements carry images larger than an envelope: REST only.
func (s *Service) messages() []group.Message {
	b := s.HubBuilders()
	return []group.Message{
		{Type: KindGenerate, Summary: "Any image: the body of POST /api/v2/image/generate", Build: b[KindGenerate],
			Payload: generateExamples()[1].Value},
		{Type: "generate_image", Summary: "An environment scene (the first version's message)", Build: b["generate_image"],
			Payload: legacyPayload{Prompt: "A misty harbor at dawn", Style: "watercolor"}},
		{Type: "portrait", Summary: "A character portrait: the body of POST /api/v2/image/generate, type set for you", Build: b["portrait"],
			Payload: typedPayload{Prompt: "A cheerful halfling bard", Parameters: Parameters{Seed: ptr[int64](5)}}},
		{Type: "map", Summary: "A map background: the body of POST /api/v2/image/generate, type set for you", Build: b["map"],
			Payload: typedPayload{Prompt: "A mountain pass with a hidden monastery"}},
	}
}
