package getimg

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/provider"
)

// TextToImage asks for an image from a prompt. Zero numeric fields and an
// empty OutputFormat are left out so the provider's defaults apply.
type TextToImage struct {
	Model          string  // ModelSDXL (default) or ModelFluxSchnell
	Prompt         string  // required
	NegativePrompt string  // SDXL only; not sent to FLUX
	Width, Height  int     // pixels
	Steps          int     // diffusion steps (about 4 for FLUX)
	Guidance       float64 // SDXL only; not sent to FLUX
	Seed           *int64  // nil lets the provider pick
	OutputFormat   string  // "png", "jpeg" or "webp"
}

// ImageToImage transforms Image (Stable Diffusion XL) guided by a prompt.
type ImageToImage struct {
	Prompt         string // required
	NegativePrompt string
	Image          []byte  // required: PNG, JPEG or WebP bytes
	Strength       float64 // 0–1: how far to move from Image; 0 leaves the provider default
	Width, Height  int
	Steps          int
	Guidance       float64
	Seed           *int64
	OutputFormat   string
}

// Upscale enlarges Image.
type Upscale struct {
	Image []byte // required
	Model string // default ModelRealESRGAN4
	Scale int    // 1–4, default 4
}

// FaceFix restores faces in Image.
type FaceFix struct {
	Image []byte // required
	Model string // default ModelGFPGAN13
}

// Image is a generated or enhanced image.
type Image struct {
	Data     []byte
	MIME     string  // sniffed from Data: image/png, image/jpeg or image/webp
	Seed     int64   // the seed the provider used
	Cost     float64 // US dollars
	Model    string  // the model that produced it
	Endpoint string  // e.g. EndpointSDXLText
}

type sdxlTextBody struct {
	Prompt         string  `json:"prompt"`
	NegativePrompt string  `json:"negative_prompt,omitempty"`
	Width          int     `json:"width,omitempty"`
	Height         int     `json:"height,omitempty"`
	Steps          int     `json:"steps,omitempty"`
	Guidance       float64 `json:"guidance,omitempty"`
	Seed           *int64  `json:"seed,omitempty"`
	OutputFormat   string  `json:"output_format,omitempty"`
	ResponseFormat string  `json:"response_format"`
}

type fluxTextBody struct {
	Prompt         string `json:"prompt"`
	Width          int    `json:"width,omitempty"`
	Height         int    `json:"height,omitempty"`
	Steps          int    `json:"steps,omitempty"`
	Seed           *int64 `json:"seed,omitempty"`
	OutputFormat   string `json:"output_format,omitempty"`
	ResponseFormat string `json:"response_format"`
}

type sdxlImageBody struct {
	sdxlTextBody
	Image    string  `json:"image"`
	Strength float64 `json:"strength,omitempty"`
}

type upscaleBody struct {
	Image          string `json:"image"`
	Model          string `json:"model"`
	Scale          int    `json:"scale"`
	ResponseFormat string `json:"response_format"`
}

type faceFixBody struct {
	Image          string `json:"image"`
	Model          string `json:"model"`
	ResponseFormat string `json:"response_format"`
}

// TextToImage generates an image with POST /v1/{model}/text-to-image.
func (c *Client) TextToImage(ctx context.Context, r TextToImage) (Image, error) {
	if r.Model == "" {
		r.Model = ModelSDXL
	}
	if err := checkCommon(r); err != nil {
		return Image{}, err
	}
	switch r.Model {
	case ModelSDXL:
		return c.call(ctx, EndpointSDXLText, r.Model, sdxlBody(r))
	case ModelFluxSchnell:
		return c.call(ctx, EndpointFluxText, r.Model, fluxTextBody{
			Prompt:         r.Prompt,
			Width:          r.Width,
			Height:         r.Height,
			Steps:          r.Steps,
			Seed:           r.Seed,
			OutputFormat:   r.OutputFormat,
			ResponseFormat: responseFormatBase64,
		})
	default:
		return Image{}, badInput(fmt.Sprintf("unsupported text-to-image model %q", r.Model))
	}
}

// ImageToImage transforms an image with POST
// /v1/stable-diffusion-xl/image-to-image.
func (c *Client) ImageToImage(ctx context.Context, r ImageToImage) (Image, error) {
	text := r.textPart()
	if err := checkCommon(text); err != nil {
		return Image{}, err
	}
	if len(r.Image) == 0 {
		return Image{}, badInput("an input image is required")
	}
	if r.Strength < 0 || r.Strength > 1 {
		return Image{}, badInput("strength must be between 0 and 1")
	}
	return c.call(ctx, EndpointSDXLImage, ModelSDXL, sdxlImageBody{
		sdxlTextBody: sdxlBody(text),
		Image:        base64.StdEncoding.EncodeToString(r.Image),
		Strength:     r.Strength,
	})
}

// textPart is the prompt and output settings of r, as the SDXL
// text-to-image request they would make on their own.
func (r ImageToImage) textPart() TextToImage {
	return TextToImage{
		Model: ModelSDXL, Prompt: r.Prompt, NegativePrompt: r.NegativePrompt,
		Width: r.Width, Height: r.Height, Steps: r.Steps, Guidance: r.Guidance,
		Seed: r.Seed, OutputFormat: r.OutputFormat,
	}
}

// sdxlBody is the SDXL body of r, which both SDXL endpoints take.
func sdxlBody(r TextToImage) sdxlTextBody {
	return sdxlTextBody{
		Prompt:         r.Prompt,
		NegativePrompt: r.NegativePrompt,
		Width:          r.Width,
		Height:         r.Height,
		Steps:          r.Steps,
		Guidance:       r.Guidance,
		Seed:           r.Seed,
		OutputFormat:   r.OutputFormat,
		ResponseFormat: responseFormatBase64,
	}
}

// Upscale enlarges an image with POST /v1/enhancements/upscale.
func (c *Client) Upscale(ctx context.Context, r Upscale) (Image, error) {
	if len(r.Image) == 0 {
		return Image{}, badInput("an input image is required")
	}
	if r.Model == "" {
		r.Model = ModelRealESRGAN4
	}
	if r.Scale == 0 {
		r.Scale = defaultUpscaleScale
	}
	if r.Scale < 1 || r.Scale > maxUpscaleScale {
		return Image{}, badInput(fmt.Sprintf("upscale factor must be between 1 and %d", maxUpscaleScale))
	}
	return c.call(ctx, EndpointUpscale, r.Model, upscaleBody{
		Image:          base64.StdEncoding.EncodeToString(r.Image),
		Model:          r.Model,
		Scale:          r.Scale,
		ResponseFormat: responseFormatBase64,
	})
}

// FaceFix restores faces with POST /v1/enhancements/face-fix.
func (c *Client) FaceFix(ctx context.Context, r FaceFix) (Image, error) {
	if len(r.Image) == 0 {
		return Image{}, badInput("an input image is required")
	}
	if r.Model == "" {
		r.Model = ModelGFPGAN13
	}
	return c.call(ctx, EndpointFaceFix, r.Model, faceFixBody{
		Image:          base64.StdEncoding.EncodeToString(r.Image),
		Model:          r.Model,
		ResponseFormat: responseFormatBase64,
	})
}

// checkCommon checks the prompt and output settings every generation takes.
func checkCommon(r TextToImage) error {
	switch {
	case strings.TrimSpace(r.Prompt) == "":
		return badInput("a prompt is required")
	case r.Width < 0 || r.Height < 0:
		return badInput("width and height must not be negative")
	case r.Steps < 0:
		return badInput("steps must not be negative")
	case r.Guidance < 0:
		return badInput("guidance must not be negative")
	}
	switch r.OutputFormat {
	case "", "png", "jpeg", "webp":
		return nil
	}
	return badInput("output format must be png, jpeg or webp")
}

// badInput refuses a request before it is sent.
func badInput(msg string) *provider.Error {
	return &provider.Error{Provider: Name, Kind: provider.BadRequest, Message: msg}
}
