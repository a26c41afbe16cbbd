// Package imagegen is the offline image engine: it draws images without any
// model or network, for when no image provider is configured or reachable.
//
// Generate draws a procedural picture for each image type: a gridded battle
// map whose kind (dungeon, cavern, building interior, wilderness, river or
// coast, town, a swamp village on stilts) the prompt picks
// (map_background), a scene whose terrain, weather (sandstorms among it),
// time of day, settlement (a city standing in other land, houses on
// stilts) and ruin follow the prompt, with a landmark (location_visual) or
// without (environment_scene), naming in warnings the scene words it does
// not draw, a character bust on a
// transparent background whose build, face, clothes and gear follow race,
// class, alignment and the armour, shield and weapons the character has
// equipped, optionally in a round token frame (character_portrait), an
// isolated item on a plain backdrop
// (item_illustration) and a glowing sigil (magical_effect). Colours follow
// the theme's genre and tone; a negative prompt removes the elements listed
// in Removable. Generate reports a map's grid and warns about what it could
// not draw as asked. Transform
// grades and stylises an existing image; Upscale, ColorCorrect, StyleTransfer,
// DetailEnhance and FaceFix are classical image filters.
//
// Every operation is deterministic: the same request gives byte-identical
// PNG output on the same architecture (floating-point fusing may differ
// between amd64 and arm64 builds). Long loops check the context every few
// rows and stop with its error.
package imagegen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"image/png"
	"math/rand/v2"
	"strconv"
)

// Image types Generate draws.
const (
	TypeCharacterPortrait = "character_portrait"
	TypeItemIllustration  = "item_illustration"
	TypeLocationVisual    = "location_visual"
	TypeMapBackground     = "map_background"
	TypeEnvironmentScene  = "environment_scene"
	TypeMagicalEffect     = "magical_effect"
)

// Types lists the image types Generate draws.
func Types() []string {
	return []string{
		TypeCharacterPortrait, TypeItemIllustration, TypeLocationVisual,
		TypeMapBackground, TypeEnvironmentScene, TypeMagicalEffect,
	}
}

// Size limits, in pixels. The HTTP API is stricter (256–2048); these bound
// memory for every caller.
const (
	MinSide   = 64
	MaxSide   = 4096
	MaxPixels = 4096 * 4096 // largest output of any operation
	MaxFactor = 4           // largest Upscale factor
)

// ErrInvalidRequest is wrapped by every error caused by the request itself
// (unknown type, size out of range, missing source, bad factor), so callers
// can answer 400 instead of 500.
var ErrInvalidRequest = errors.New("invalid image request")

// Engine draws and filters images offline. It holds no per-request state and
// is safe for concurrent use.
type Engine struct{}

// New returns an Engine.
func New() *Engine { return &Engine{} }

// GenerateRequest describes one image to draw.
type GenerateRequest struct {
	Type          string // one of Types()
	Prompt        string // picks item shapes, colours and looks by keyword
	Width, Height int    // MinSide..MaxSide
	Seed          int64  // same request and seed, same picture
	Genre         string // theme: colours (fantasy, horror, sci-fi, cyberpunk, steampunk, ...)
	Tone          string // theme: light, dark, mysterious, epic, ...
	Style         string // theme style; a known look (noir, sepia, sketch, ...) is applied
	StylePreset   string // as Style, checked first
	Race          string // portrait: build, face and palette
	Class         string // portrait: clothes and gear
	Alignment     string // portrait: palette (evil is darker)
	Pronouns      string // portrait: "she/her" draws no beard unless the prompt asks for one
	// Equipment is what a portrait's character wears and carries (a
	// sheet's equipped items): its armour, shield and weapons replace the
	// class's. Items the renderer cannot draw are named in the warnings.
	Equipment []Item
	// Character is a portrait's character described (who they are, how
	// they look): marks on the face it names (one eye, blind, a scar) are
	// drawn as the prompt's are.
	Character string
	// NegativePrompt lists, comma-separated, elements to leave out; see
	// Removable for what the offline renderer can remove.
	NegativePrompt string
	// TokenFrame is TokenFrameRound for a round token frame round a
	// portrait, or empty for the bare figure.
	TokenFrame string
}

// TokenFrameRound puts a portrait in a round token frame; outside the frame
// the picture is transparent.
const TokenFrameRound = "round"

// Picture is a generated image and what the engine knows about it.
type Picture struct {
	PNG []byte
	// Grid is the square grid of a battle map (map_background), nil for
	// other types. It is reported even when the negative prompt removed the
	// drawn lines, so a virtual tabletop can lay its own.
	Grid *Grid
	// Warnings say, in words meant for the caller, what was not drawn as
	// asked: an unknown item word, race or class, an element that cannot be
	// removed.
	Warnings []string
}

// Grid is a battle map's square grid in output pixels: Columns×Rows squares
// of SquarePx pixels, the first one's top-left corner at (OffsetX, OffsetY).
// A line of the grid runs along the left and top edge of each square and
// along the right and bottom edge of the last ones, where they fall inside
// the picture.
type Grid struct {
	Columns, Rows    int
	SquarePx         int
	OffsetX, OffsetY int
	Drawn            bool // the lines are drawn (false when the negative prompt removed them)
}

// Generate draws the requested image and returns it as PNG bytes of exactly
// Width×Height pixels, with its grid and warnings.
func (e *Engine) Generate(ctx context.Context, r GenerateRequest) (Picture, error) {
	if err := ctx.Err(); err != nil {
		return Picture{}, fmt.Errorf("generate %s: %w", r.Type, err)
	}
	if err := checkSize(r.Width, r.Height); err != nil {
		return Picture{}, fmt.Errorf("generate %s: %w", r.Type, err)
	}
	render, ok := drawers[r.Type]
	if !ok {
		return Picture{}, fmt.Errorf("generate: unknown type %q: %w", r.Type, ErrInvalidRequest)
	}
	if r.TokenFrame != "" && r.TokenFrame != TokenFrameRound {
		return Picture{}, fmt.Errorf("generate: unknown token frame %q: %w", r.TokenFrame, ErrInvalidRequest)
	}
	sc := newScene(r)
	if r.TokenFrame != "" && r.Type != TypeCharacterPortrait {
		sc.warn("token_frame frames a character_portrait only; this %s has none", r.Type)
	}
	img := image.NewRGBA(image.Rect(0, 0, r.Width, r.Height))
	if err := render(ctx, img, sc); err != nil {
		return Picture{}, fmt.Errorf("generate %s: %w", r.Type, err)
	}
	if lk, ok := findLook(r.StylePreset, r.Style, sc.prompt); ok {
		if err := applyLook(ctx, img, lk, sc.seed); err != nil {
			return Picture{}, fmt.Errorf("generate %s: look %s: %w", r.Type, lk.name, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return Picture{}, fmt.Errorf("generate %s: %w", r.Type, err)
	}
	data, err := EncodePNG(img)
	if err != nil {
		return Picture{}, fmt.Errorf("generate %s: %w", r.Type, err)
	}
	sc.warnings = append(sc.warnings, sc.rm.unmet()...)
	return Picture{PNG: data, Grid: sc.grid, Warnings: sc.warnings}, nil
}

// applyLook lays a look over a generated picture at generatedLookStrength,
// keeping its alpha channel: a transparent background stays transparent.
func applyLook(ctx context.Context, img *image.RGBA, lk look, seed uint64) error {
	alpha := alphaPlane(img)
	styled, err := lk.apply(ctx, img, seed)
	if err != nil {
		return err
	}
	if err := blend(ctx, img, styled, generatedLookStrength); err != nil {
		return err
	}
	if alpha != nil {
		restoreAlpha(img, alpha)
	}
	return nil
}

// alphaPlane returns a copy of img's alpha channel, or nil when img is
// opaque.
func alphaPlane(img *image.RGBA) []uint8 {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	var out []uint8
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for x := range w {
			if row[x*4+3] != 255 && out == nil {
				out = make([]uint8, w*h)
				for i := range out {
					out[i] = 255
				}
			}
			if out != nil {
				out[y*w+x] = row[x*4+3]
			}
		}
	}
	return out
}

// restoreAlpha sets img's alpha channel back to alpha and keeps every colour
// channel within it, as premultiplied colour must be.
func restoreAlpha(img *image.RGBA, alpha []uint8) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for x := range w {
			a := alpha[y*w+x]
			row[x*4+3] = a
			for c := range 3 {
				row[x*4+c] = min(row[x*4+c], a)
			}
		}
	}
}

// generatedLookStrength is how strongly a look named by the style or prompt
// is laid over a generated picture, so its structure stays readable.
const generatedLookStrength = 0.75

// drawers maps each image type to the function that draws it.
var drawers = map[string]func(context.Context, *image.RGBA, *scene) error{
	TypeCharacterPortrait: drawPortrait,
	TypeItemIllustration:  drawItem,
	TypeLocationVisual:    drawLocation,
	TypeMapBackground:     drawMap,
	TypeEnvironmentScene:  drawEnvironment,
	TypeMagicalEffect:     drawSigil,
}

// scene is what every drawer needs: the request, a seeded generator and the
// themed palette; drawers leave the grid and warnings in it.
type scene struct {
	req    GenerateRequest
	prompt string // the prompt without its negated phrases ("no grid")
	seed   uint64
	rng    *rand.Rand
	pal    palette
	rm     *removals

	grid     *Grid
	warnings []string
}

func newScene(r GenerateRequest) *scene {
	seed := requestSeed(r)
	prompt, negated := splitNegations(r.Prompt)
	return &scene{
		req:    r,
		prompt: prompt,
		seed:   seed,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		pal:    themePalette(r.Genre, r.Tone),
		rm:     parseRemovals(r.NegativePrompt, negated),
	}
}

// warn adds a warning for the caller.
func (sc *scene) warn(format string, args ...any) {
	sc.warnings = append(sc.warnings, fmt.Sprintf(format, args...))
}

// requestSeed folds every field that shapes the picture into one seed, so
// a different prompt or theme also gives a different picture. The negative
// prompt and the token frame are left out: they remove or add elements of
// the same picture.
func requestSeed(r GenerateRequest) uint64 {
	h := fnv.New64a()
	for _, s := range []string{r.Type, r.Prompt, r.Genre, r.Tone, r.Style, r.StylePreset, r.Race, r.Class, r.Alignment, strconv.FormatInt(r.Seed, 10)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return mix64(h.Sum64())
}

// TransformRequest describes a restyling of an existing image.
type TransformRequest struct {
	Source        image.Image
	Prompt        string  // a look named here (noir, watercolor, ...) is used when the style names none
	Strength      float64 // 0 keeps the source, 1 is the full look; clamped to 0..1
	Genre         string
	Tone          string
	Style         string
	StylePreset   string
	Seed          int64 // film grain and other noise
	Width, Height int   // output size; 0 keeps the source's
}

// Transform grades and stylises r.Source by the named look, the genre and
// the tone (painterly when none is named), blends the result with the source
// by r.Strength and returns PNG bytes at the requested size. Resizing uses
// the Catmull-Rom kernel.
func (e *Engine) Transform(ctx context.Context, r TransformRequest) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	if r.Source == nil || r.Source.Bounds().Empty() {
		return nil, fmt.Errorf("transform: no source image: %w", ErrInvalidRequest)
	}
	b := r.Source.Bounds()
	w, h := r.Width, r.Height
	if w == 0 {
		w = b.Dx()
	}
	if h == 0 {
		h = b.Dy()
	}
	if err := checkSize(w, h); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	src, err := resize(ctx, toRGBA(r.Source), w, h)
	if err != nil {
		return nil, fmt.Errorf("transform: resize: %w", err)
	}
	strength := clamp01(r.Strength)
	if strength == 0 {
		return EncodePNG(src)
	}
	seed := mix64(uint64(r.Seed) ^ 0x5851f42d4c957f2d)
	styled := src
	for _, st := range transformSteps(r) {
		styled, err = st.apply(ctx, styled, seed)
		if err != nil {
			return nil, fmt.Errorf("transform: %s: %w", st.name, err)
		}
	}
	out := clone(src)
	if err := blend(ctx, out, styled, strength); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	return EncodePNG(out)
}

// transformSteps picks the looks a transform applies, in order: a named
// look, then the genre grade, then the tone grade; painterly when the
// request names none of them.
func transformSteps(r TransformRequest) []look {
	var steps []look
	if lk, ok := findLook(r.StylePreset, r.Style, r.Prompt); ok {
		steps = append(steps, lk)
	}
	if g, ok := findGrade(genreGrades, r.Genre); ok {
		steps = append(steps, g)
	}
	if t, ok := findGrade(toneGrades, r.Tone); ok {
		steps = append(steps, t)
	}
	if len(steps) == 0 {
		steps = append(steps, painterlyLook)
	}
	return steps
}

func checkSize(w, h int) error {
	if w < MinSide || w > MaxSide || h < MinSide || h > MaxSide {
		return fmt.Errorf("size %dx%d outside %d..%d: %w", w, h, MinSide, MaxSide, ErrInvalidRequest)
	}
	return nil
}

// pngEncoder favours speed: generated pictures are large and noisy, where
// better compression costs far more time than it saves bytes.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &bufferPool{}}

// EncodePNG encodes img as PNG.
func EncodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}
