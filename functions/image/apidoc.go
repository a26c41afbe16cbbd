package image

import (
	"strconv"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
)

// What the API document says of the image types, beyond their fields.

// JobName names the component of a job of an image kind:
// image.generate's is ImageGenerateJob.
func JobName(kind string) string {
	verb := strings.TrimPrefix(kind, "image.")
	return "Image" + strings.ToUpper(verb[:1]) + verb[1:] + "Job"
}

func hintDoc(about string) *apidoc.Schema {
	return apidoc.With(apidoc.MaxLen(maxHintChars), apidoc.Describe(about))
}

func unitDoc() *apidoc.Schema { return apidoc.Between(0, 1) }

func base64Doc(what string) *apidoc.Schema {
	return &apidoc.Schema{ContentEncoding: "base64",
		Description: what + " as base64 (standard or URL alphabet, padding optional), or a data: URL. PNG, JPEG or WebP, at most 10 MiB and " +
			strconv.Itoa(MaxOutputSide) + " pixels a side."}
}

// Doc implements apidoc.Described.
func (GenerateRequest) Doc() apidoc.Type {
	return apidoc.Type{
		Name:     "ImageGenerateRequest",
		About:    "Body of POST /api/v2/image/generate.",
		Required: []string{"type"},
		Fields: map[string]*apidoc.Schema{
			"type": apidoc.With(apidoc.Enum(imagegen.Types()...), apidoc.Describe("What to draw; it shapes the prompt and the offline renderer.")),
			"prompt": apidoc.With(apidoc.MaxLen(MaxPromptChars),
				apidoc.Describe("What the image shows. Required, unless a character_portrait sends character.")),
			"size":       apidoc.Describe("Output size; each side defaults to 512."),
			"parameters": apidoc.Describe("Optional knobs."),
			"theme":      apidoc.Describe("The genre, tone and style of the picture."),
			"priority":   dnd.PriorityDoc(),
		},
		Replace: map[string]*apidoc.Schema{"character": characterDoc()},
	}
}

// characterDoc documents the character a portrait shows.
func characterDoc() *apidoc.Schema {
	return &apidoc.Schema{
		Description: "For a character_portrait: the character to draw, as POST /api/v2/text/character takes it " +
			"(a sheet's content, or just its identity, whose gear is that of the sheet every document about it gets). " +
			"The picture shows its race, class and alignment, and the armour, shield and weapons it has equipped; " +
			"an image model's prompt names them before the appearance. The offline renderer lists in warnings the " +
			"items it cannot draw and the weapons a figure has no hand left for. " +
			"A portrait hint in parameters that names the character otherwise is refused, naming both fields.",
		OneOf: []*apidoc.Schema{apidoc.Comp("CharacterIdentity"), apidoc.Comp("CharacterSheet")},
	}
}

// Doc implements apidoc.Described.
func (Size) Doc() apidoc.Type {
	side := func() *apidoc.Schema {
		step := float64(SideStep)
		return apidoc.With(apidoc.Between(MinSide, MaxSide), &apidoc.Schema{MultipleOf: &step}, apidoc.Default(DefaultSide))
	}
	return apidoc.Type{
		Name:     "ImageSize",
		About:    "An output size in pixels: each side from 256 to 2048 in steps of 64; 0 or left out means the default.",
		Required: []string{},
		Fields:   map[string]*apidoc.Schema{"width": side(), "height": side()},
	}
}

// Doc implements apidoc.Described.
func (Parameters) Doc() apidoc.Type {
	return apidoc.Type{
		Name:     "ImageParameters",
		About:    "Optional knobs of generate and transform.",
		Required: []string{},
		Fields: map[string]*apidoc.Schema{
			"style_preset":    hintDoc("A style such as photographic, anime, watercolor."),
			"seed":            apidoc.With(apidoc.Between(0, maxSeed), apidoc.Describe("Makes the image repeatable; a seeded request is also cached. Image seeds are 0 to 2^32−1, unlike text seeds.")),
			"negative_prompt": apidoc.With(apidoc.MaxLen(maxNegativeChars), apidoc.Describe("What the image must not show.")),
			"character_race":  hintDoc("Portrait hint; a character sent with the request takes its place."),
			"character_class": hintDoc("Portrait hint; a character sent with the request takes its place."),
			"alignment":       hintDoc("Portrait hint; a character sent with the request takes its place."),
			"token_frame": apidoc.With(apidoc.Enum(imagegen.TokenFrameRound),
				apidoc.Describe("round draws a character portrait in a round token frame, transparent outside it, ready for a virtual tabletop.")),
		},
	}
}

// Doc implements apidoc.Described.
func (Theme) Doc() apidoc.Type {
	hint := apidoc.MaxLen(maxHintChars)
	return apidoc.Type{
		Name:     "ImageTheme",
		About:    "The genre, tone and style a picture should have.",
		Required: []string{},
		Fields:   map[string]*apidoc.Schema{"genre": hint, "tone": hint, "style": hint},
	}
}

// Doc implements apidoc.Described.
func (TransformRequest) Doc() apidoc.Type {
	return apidoc.Type{
		Name:     "ImageTransformRequest",
		About:    "Body of POST /api/v2/image/transform: the fields of a generate request plus the source image.",
		Required: []string{"type", "source_image"},
		Fields: map[string]*apidoc.Schema{
			"type":         apidoc.Enum(imagegen.Types()...),
			"prompt":       apidoc.With(apidoc.MaxLen(MaxPromptChars), apidoc.Describe("What the new image shows. Required, unless a character_portrait sends character.")),
			"size":         apidoc.Describe("Output size; by default the source's, fitted within 2048 pixels."),
			"source_image": base64Doc("The image to transform,"),
			"strength":     apidoc.With(unitDoc(), apidoc.Default(DefaultStrength), apidoc.Describe("How far the result may move from the source.")),
			"priority":     dnd.PriorityDoc(),
		},
		Replace: map[string]*apidoc.Schema{"character": characterDoc()},
	}
}

// Doc implements apidoc.Described.
func (EnhanceRequest) Doc() apidoc.Type {
	n := uint64(len(Enhancements()))
	one := uint64(1)
	return apidoc.Type{
		Name:     "ImageEnhanceRequest",
		About:    "Body of POST /api/v2/image/enhance: apply enhancements to an image, in order.",
		Required: []string{"image", "enhancements"},
		Fields: map[string]*apidoc.Schema{
			"image": base64Doc("The image to enhance,"),
			"enhancements": apidoc.With(apidoc.ItemEnum(Enhancements()...),
				&apidoc.Schema{MinItems: &one, MaxItems: &n, UniqueItems: true},
				apidoc.Describe("The enhancements to apply, each once, in order.")),
			"parameters": apidoc.Describe("Optional knobs."),
			"theme":      apidoc.Describe("Used by style_transfer when no style_preset is given."),
			"priority":   dnd.PriorityDoc(),
		},
	}
}

// Doc implements apidoc.Described.
func (EnhanceParameters) Doc() apidoc.Type {
	return apidoc.Type{
		Name:     "ImageEnhanceParameters",
		About:    "Optional knobs of enhance.",
		Required: []string{},
		Fields: map[string]*apidoc.Schema{
			"upscale_factor": apidoc.With(apidoc.Between(1, MaxUpscaleFactor), apidoc.Default(DefaultUpscaleFactor),
				apidoc.Describe("Used by upscale; each side of the output must stay within 4096 pixels.")),
			"style_preset": hintDoc("The look of style_transfer: noir, watercolor, sepia, a genre or tone word, ..."),
			"strength":     apidoc.With(unitDoc(), apidoc.Default(DefaultStrength), apidoc.Describe("How strongly style_transfer applies.")),
		},
	}
}

// Doc implements apidoc.Described.
func (Result) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "ImageResult",
		About: "The result of an image job.",
		Fields: map[string]*apidoc.Schema{
			"image_id": apidoc.Describe("The stored image: GET /api/v2/image/{image_id} with a bearer token serves it until expires_at."),
			"image_data": {ContentEncoding: "base64",
				Description: "The image as base64. Left out (image_data_omitted) under AWS Lambda when the answer would be too large; url serves it then."},
			"url":        apidoc.Describe("A signed, relative URL that serves the image without a token until url_expires_at."),
			"mime_type":  apidoc.Enum("image/png", "image/jpeg", "image/webp"),
			"provider":   apidoc.Enum(ProviderGetImg, ProviderOffline),
			"cost":       apidoc.Describe("What the provider charged, in US dollars."),
			"expires_at": apidoc.Describe("When the stored image is deleted."),
			"cached":     apidoc.Describe("The result came from the cache."),
			"metadata":   apidoc.Describe("Model, prompt and time where the first version's callers look for them; the grid of a map."),
			"warnings":   apidoc.Describe("What could not be drawn as asked: an unknown item word drawn as the closest kind, a character's item or a scene's element the offline renderer has no shape for, an element the negative prompt names that cannot be removed. Left out when there is none."),
		},
	}
}

// Doc implements apidoc.Described.
func (Metadata) Doc() apidoc.Type {
	return apidoc.Type{Name: "ImageMetadata", Fields: map[string]*apidoc.Schema{
		"grid": apidoc.Describe("The square grid of a battle map, in the image's pixels; left out for other images."),
	}}
}

// Doc implements apidoc.Described.
func (Grid) Doc() apidoc.Type {
	return apidoc.Type{
		Name:  "ImageGrid",
		About: "A battle map's grid: columns × rows squares of square_px pixels, the first one's corner at offset_x, offset_y.",
		Fields: map[string]*apidoc.Schema{
			"drawn": apidoc.Describe("The grid lines are drawn on the image (false when the negative prompt removed them)."),
		},
	}
}

// Doc implements apidoc.Described.
func (ParametersUsed) Doc() apidoc.Type { return apidoc.Type{Name: "ImageParametersUsed"} }

// Doc implements apidoc.Described.
func (Step) Doc() apidoc.Type { return apidoc.Type{Name: "ImageStep"} }
