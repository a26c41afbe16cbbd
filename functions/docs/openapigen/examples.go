package openapigen

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/getkin/kin-openapi/openapi3"

	imageapi "github.com/dndcc/dnd-llm-service/functions/image"
	queueapi "github.com/dndcc/dnd-llm-service/functions/queue"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/hub"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
)

// example is one named request example. Values are the request types
// themselves, so an example cannot name a field the handler does not read.
type example struct {
	name    string
	summary string
	value   any
}

func ptr[T any](v T) *T { return &v }

// samplePNG is a small PNG for the transform and enhance examples: a
// 64×64 gradient, encoded as base64.
func samplePNG() (string, error) {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			img.Set(x, y, color.NRGBA{R: uint8(60 + 2*x), G: uint8(40 + y), B: uint8(90 + x + y), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("sample image: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

func characterExamples() []example {
	return []example{
		{"personality", "A dwarf cleric's personality", dnd.CharacterRequest{
			Type: dnd.TypePersonality,
			Parameters: dnd.CharacterParams{
				CharacterClass: "Cleric", CharacterRace: "Dwarf", CharacterLevel: 3,
				Alignment: "lawful good", Background: "Acolyte",
			},
			Theme: dnd.Theme{Genre: "fantasy", Tone: "heroic"},
			Seed:  ptr[int64](42),
		}},
		{"backstory", "An elf rogue's backstory, in a hurry", dnd.CharacterRequest{
			Type:       dnd.TypeBackstory,
			Parameters: dnd.CharacterParams{CharacterClass: "Rogue", CharacterRace: "Elf", CharacterLevel: 5, Background: "Criminal"},
			Theme:      dnd.Theme{Genre: "gothic", Tone: "dark", Style: "terse"},
			Model:      dnd.ModelOptions{Temperature: ptr(0.9), MaxTokens: ptr(1200)},
			Prompt:     "She grew up in the sewers under the capital.",
			Priority:   dnd.PriorityHigh,
		}},
	}
}

func campaignExamples() []example {
	return []example{
		{"quest", "A quest for a level 4 party", dnd.CampaignRequest{
			Type:       dnd.TypeQuest,
			Parameters: dnd.CampaignParams{CampaignTheme: "a haunted river delta", PartyLevel: 4, PartySize: 4, Duration: "one session"},
			Theme:      dnd.Theme{Genre: "horror", Tone: "tense"},
			Seed:       ptr[int64](7),
		}},
		{"plot", "A campaign plot", dnd.CampaignRequest{
			Type:       dnd.TypePlot,
			Parameters: dnd.CampaignParams{CampaignTheme: "the fall of a dragon cult", PartyLevel: 8, PartySize: 5, Duration: "ten sessions"},
		}},
	}
}

func themeExamples() []example {
	return []example{
		{"noir", "Re-theme a paragraph as noir", dnd.ThemeRequest{
			Content: "Thorin Ironfist strode into the tavern at Millbrook, his axe on his back, and ordered an ale for everyone.",
			Theme:   dnd.Theme{Genre: "noir", Tone: "gritty"},
			Parameters: dnd.ThemeParams{
				Strength: ptr(0.6), PreserveKeyElements: ptr(true),
			},
		}},
	}
}

func generateExamples() []example {
	return []example{
		{"portrait", "A character portrait", imageapi.GenerateRequest{
			Type:   imagegen.TypeCharacterPortrait,
			Prompt: "A stern dwarf cleric with a braided red beard",
			Size:   &imageapi.Size{Width: 512, Height: 512},
			Parameters: imageapi.Parameters{
				Seed: ptr[int64](1234), CharacterRace: "Dwarf", CharacterClass: "Cleric", Alignment: "lawful good",
			},
			Theme: imageapi.Theme{Genre: "fantasy", Tone: "heroic"},
		}},
		{"map", "A map background", imageapi.GenerateRequest{
			Type:   imagegen.TypeMapBackground,
			Prompt: "A river delta with three villages and a ruined tower",
			Size:   &imageapi.Size{Width: 768, Height: 512},
		}},
	}
}

func transformExamples(src string) []example {
	return []example{
		{"watercolor", "Repaint an image", imageapi.TransformRequest{
			GenerateRequest: imageapi.GenerateRequest{
				Type: imagegen.TypeCharacterPortrait, Prompt: "The same hero as a watercolor painting",
				Parameters: imageapi.Parameters{Seed: ptr[int64](99)},
			},
			SourceImage: src,
			Strength:    ptr(0.5),
		}},
	}
}

func enhanceExamples(src string) []example {
	return []example{
		{"upscale", "Upscale and correct colors", imageapi.EnhanceRequest{
			Image:        src,
			Enhancements: []string{imageapi.EnhanceUpscale, imageapi.EnhanceColorCorrection},
			Parameters:   imageapi.EnhanceParameters{UpscaleFactor: ptr(2)},
		}},
		{"style", "Give an image a sepia look", imageapi.EnhanceRequest{
			Image:        src,
			Enhancements: []string{imageapi.EnhanceStyleTransfer},
			Parameters:   imageapi.EnhanceParameters{StylePreset: "sepia", Strength: ptr(0.7)},
		}},
	}
}

func prioritizeExamples() []example {
	return []example{
		{"high", "Move a queued job up", queueapi.PrioritizeRequest{JobID: "text_5f1c2a9b3d4e6f7081920a1b", Priority: string(dnd.PriorityHigh)}},
	}
}

// hubExamples has one envelope per message type.
func hubExamples() ([]example, error) {
	type msg struct {
		typ, summary string
		payload      any
	}
	msgs := []msg{
		{"generate_text", "Free-form text (the first version's message)", dnd.FreeformRequest{
			Prompt: "Describe the smell of the Yawning Portal tavern in two sentences.", Context: "Waterdeep, winter",
		}},
		{"character_content", "Character content: the body of POST /api/v2/text/character", characterExamples()[0].value},
		{"campaign_content", "Campaign content: the body of POST /api/v2/text/campaign", campaignExamples()[0].value},
		{"theme", "Re-theme text: the body of POST /api/v2/text/theme", themeExamples()[0].value},
		{"generate_image", "An environment scene (the first version's message)", hubImagePayload{
			Prompt: "A misty harbor at dawn", Style: "watercolor",
		}},
		{"portrait", "A character portrait: the body of POST /api/v2/image/generate, type set for you", imageapi.GenerateRequest{
			Prompt: "A cheerful halfling bard", Parameters: imageapi.Parameters{Seed: ptr[int64](5)},
		}},
		{"map", "A map background: the body of POST /api/v2/image/generate, type set for you", imageapi.GenerateRequest{
			Prompt: "A mountain pass with a hidden monastery",
		}},
	}
	out := make([]example, 0, len(msgs))
	for _, m := range msgs {
		p, err := json.Marshal(m.payload)
		if err != nil {
			return nil, fmt.Errorf("hub example %s: %w", m.typ, err)
		}
		out = append(out, example{m.typ, m.summary, hub.Envelope{
			Source: "character-service", Destination: "llm-service", MessageType: m.typ,
			CorrelationID: "corr-" + m.typ, Payload: p, Timestamp: "2026-01-31T12:00:00.000Z",
			ReplyTo: "character-service",
		}})
	}
	return out, nil
}

// hubImagePayload is the payload of the first version's generate_image
// message.
type hubImagePayload struct {
	Prompt   string `json:"prompt"`
	Style    string `json:"style,omitempty"`
	Priority string `json:"priority,omitempty"`
}

// mediaExamples encodes examples for a media type.
func mediaExamples(xs []example) (openapi3.Examples, error) {
	out := openapi3.Examples{}
	for _, x := range xs {
		b, err := json.Marshal(x.value)
		if err != nil {
			return nil, fmt.Errorf("example %s: %w", x.name, err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("example %s: %w", x.name, err)
		}
		out[x.name] = &openapi3.ExampleRef{Value: &openapi3.Example{Summary: x.summary, Value: v}}
	}
	return out, nil
}
