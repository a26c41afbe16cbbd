package image

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decode JPEG inputs
	_ "image/png"  // decode PNG inputs
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	_ "golang.org/x/image/webp" // decode WebP inputs

	"github.com/dndcc/dnd-llm-service/shared/getimg"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/imagefmt"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
	"github.com/dndcc/dnd-llm-service/shared/imageprompt"
	"github.com/dndcc/dnd-llm-service/shared/imagestore"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

// usageModelPrefix starts the usage model of every GetImg call.
const usageModelPrefix = "getimg/"

// saveTimeout bounds the writes that follow a paid provider answer; they
// run even when the job's context has ended.
const saveTimeout = 10 * time.Second

// Result is the result of an image job.
type Result struct {
	ImageID string `json:"image_id"`
	// ImageData is the image as base64. It is left out under AWS Lambda when
	// the answer would pass LambdaAnswerLimit; URL then serves the bytes.
	ImageData        string `json:"image_data,omitempty"`
	ImageDataOmitted bool   `json:"image_data_omitted,omitempty"`
	// URL fetches the image without a bearer token until URLExpiresAt.
	URL            string         `json:"url"`
	URLExpiresAt   time.Time      `json:"url_expires_at"`
	MIMEType       string         `json:"mime_type"`
	Width          int            `json:"width"`
	Height         int            `json:"height"`
	Seed           int64          `json:"seed"`
	Model          string         `json:"model"`
	Provider       string         `json:"provider"`
	Cost           float64        `json:"cost"`
	ParentImageID  string         `json:"parent_image_id,omitempty"`
	ParametersUsed ParametersUsed `json:"parameters_used"`
	PromptUsed     string         `json:"prompt_used,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	ExpiresAt      time.Time      `json:"expires_at"` // when the stored image is deleted
	Cached         bool           `json:"cached"`
	// Metadata repeats model, prompt and creation time where the first
	// version's callers look for them, with what the renderer knows of the
	// picture.
	Metadata Metadata `json:"metadata"`
	// Warnings say what the renderer could not draw as asked (an unknown
	// item word, race or class; an element it cannot leave out).
	Warnings []string `json:"warnings,omitempty"`
}

// Metadata is the first version's metadata object, plus the battle-map
// grid where the renderer knows it.
type Metadata struct {
	ModelUsed  string    `json:"model_used"`
	PromptUsed string    `json:"prompt_used,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	Grid       *Grid     `json:"grid,omitempty"`
}

// Grid is a battle map's square grid in pixels of the image: Columns×Rows
// squares of SquarePx, the first square's top-left corner at (OffsetX,
// OffsetY). Drawn is false when the negative prompt removed the lines.
type Grid struct {
	Columns  int  `json:"columns"`
	Rows     int  `json:"rows"`
	SquarePx int  `json:"square_px"`
	OffsetX  int  `json:"offset_x"`
	OffsetY  int  `json:"offset_y"`
	Drawn    bool `json:"drawn"`
}

func gridOf(g *imagegen.Grid) *Grid {
	if g == nil {
		return nil
	}
	return &Grid{Columns: g.Columns, Rows: g.Rows, SquarePx: g.SquarePx, OffsetX: g.OffsetX, OffsetY: g.OffsetY, Drawn: g.Drawn}
}

// ParametersUsed are the effective parameters of a job.
type ParametersUsed struct {
	Type           string   `json:"type,omitempty"`
	Width          int      `json:"width,omitempty"`
	Height         int      `json:"height,omitempty"`
	StylePreset    string   `json:"style_preset,omitempty"`
	NegativePrompt string   `json:"negative_prompt,omitempty"`
	TokenFrame     string   `json:"token_frame,omitempty"`
	Theme          *Theme   `json:"theme,omitempty"`
	Strength       *float64 `json:"strength,omitempty"`
	Enhancements   []string `json:"enhancements,omitempty"`
	UpscaleFactor  int      `json:"upscale_factor,omitempty"`
	Steps          []Step   `json:"steps,omitempty"`
}

// Step is one operation of an enhance chain and who ran it.
type Step struct {
	Enhancement string  `json:"enhancement"`
	Provider    string  `json:"provider"`
	Model       string  `json:"model,omitempty"`
	Cost        float64 `json:"cost,omitempty"`
}

// output is what a job's operations produced.
type output struct {
	data     []byte
	seed     int64
	cost     float64
	model    string
	provider string
	prompt   string
	params   ParametersUsed
	parent   string
	grid     *Grid
	warnings []string
}

// run is the queue handler of every image kind.
func (s *Service) run(ctx context.Context, job *queue.Job) (queue.Result, error) {
	var p payload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return queue.Result{}, queue.Permanent(httpapi.Invalid(map[string]string{"body": "the job payload is malformed"}))
	}
	id := imageID(job.ID)
	// A previous attempt may have finished everything but recording the
	// outcome: its image is the result.
	info, err := s.store.Get(ctx, id)
	switch {
	case err == nil:
		return s.finish(ctx, info, nil, p)
	case !errors.Is(err, imagestore.ErrNotFound):
		return queue.Result{}, fmt.Errorf("look up image %s: %w", id, err)
	}

	var out output
	switch job.Kind {
	case KindGenerate:
		out, err = s.runGenerate(ctx, job, p)
	case KindTransform:
		out, err = s.runTransform(ctx, job, p)
	case KindEnhance:
		out, err = s.runEnhance(ctx, job, p)
	default:
		err = queue.Permanent(httpapi.NewProblem(httpapi.CodeInvalidParameters, "No image handler serves job kind "+job.Kind+"."))
	}
	if err != nil {
		return queue.Result{}, err
	}
	return s.keep(ctx, job, p, id, out)
}

// keep stores the finished image, forgets the job's checkpoints, counts the
// request and answers.
func (s *Service) keep(ctx context.Context, job *queue.Job, p payload, id string, out output) (queue.Result, error) {
	// A checkpoint: a job canceled (or handed back) by now keeps nothing.
	// What a provider was paid for is checkpointed already.
	if err := ctx.Err(); err != nil {
		return queue.Result{}, err
	}
	fi, err := imagefmt.Identify(out.data)
	if err != nil {
		return queue.Result{}, queue.Permanent(generationFailed("The image produced could not be read.", err))
	}
	now := s.now().UTC()
	res := Result{
		ImageID: id, MIMEType: fi.MIME, Width: fi.Width, Height: fi.Height,
		Seed: out.seed, Model: out.model, Provider: out.provider, Cost: roundCost(out.cost),
		ParentImageID: out.parent, ParametersUsed: out.params, PromptUsed: out.prompt, CreatedAt: now,
		Metadata: Metadata{Grid: out.grid}, Warnings: out.warnings,
	}
	meta, err := json.Marshal(res)
	if err != nil {
		return queue.Result{}, fmt.Errorf("encode image metadata: %w", err)
	}
	// The provider has been paid: store the image even when the job's
	// context has ended.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	info, created, err := s.store.Put(sctx, imagestore.PutRequest{ID: id, Owner: job.Owner, Data: out.data, Meta: meta, Created: now})
	if errors.Is(err, imagestore.ErrTooLarge) {
		return queue.Result{}, queue.Permanent(generationFailed("The image is larger than the image store allows.", err))
	}
	if err != nil {
		return queue.Result{}, fmt.Errorf("store image %s: %w", id, err)
	}
	if err := s.steps.Clear(sctx, job.ID); err != nil {
		s.logger.Warn("clear image checkpoints", "job_id", job.ID, "error", err.Error())
	}
	if created {
		model := ProviderOffline
		if out.provider == ProviderGetImg {
			model = usageModelPrefix + out.model
		}
		s.record(sctx, usage.Record{Caller: job.Owner, Model: model, Requests: 1, Images: 1})
		return s.finish(ctx, info, out.data, p)
	}
	return s.finish(ctx, info, nil, p)
}

// finish builds the job's answer from the stored image: its bytes (data,
// or read from the store when nil), a fresh signed URL, and the cache entry.
func (s *Service) finish(ctx context.Context, info imagestore.Info, data []byte, p payload) (queue.Result, error) {
	var res Result
	if err := json.Unmarshal(info.Meta, &res); err != nil {
		return queue.Result{}, queue.Permanent(generationFailed("The stored image has no readable metadata.", err))
	}
	if data == nil {
		var err error
		if data, err = s.store.Data(ctx, info.ID); err != nil {
			return queue.Result{}, fmt.Errorf("read image %s: %w", info.ID, err)
		}
	}
	now := s.now()
	res.URL, res.URLExpiresAt = s.signedURL(info.ID, now)
	res.ExpiresAt = now.Add(info.TTL).UTC().Truncate(time.Second)
	res.Metadata.ModelUsed, res.Metadata.PromptUsed, res.Metadata.CreatedAt = res.Model, res.PromptUsed, res.CreatedAt
	res.ImageData = base64.StdEncoding.EncodeToString(data)
	b, err := json.Marshal(res)
	if err != nil {
		return queue.Result{}, fmt.Errorf("encode image result: %w", err)
	}
	if s.lambda && len(b)+jobEnvelope > s.answerLimit {
		res.ImageData, res.ImageDataOmitted = "", true
		if b, err = json.Marshal(res); err != nil {
			return queue.Result{}, fmt.Errorf("encode image result: %w", err)
		}
	}
	// A checkpoint: the result of a job that ended by now is not cached.
	if err := ctx.Err(); err != nil {
		return queue.Result{}, err
	}
	var undo func(context.Context)
	if p.CacheKey != "" && !p.NoStore && s.cache != nil {
		res.Cached = true // as a cache hit answers it
		hit, err := json.Marshal(res)
		if err == nil {
			err = s.cache.Set(ctx, p.CacheKey, hit, s.cacheTTL(info.TTL))
		}
		if err != nil {
			s.logger.Warn("cache image result", "image_id", info.ID, "error", err.Error())
		}
		undo = func(ctx context.Context) {
			if err := s.cache.Delete(ctx, p.CacheKey); err != nil {
				s.logger.Warn("take a canceled job's image out of the cache", "image_id", info.ID, "error", err.Error())
			}
		}
	}
	return queue.Result{Value: b, Event: map[string]any{"image_id": info.ID, "url": res.URL}, Undo: undo}, nil
}

// jobEnvelope bounds what a job answer adds around its result.
const jobEnvelope = 4 << 10

// cacheTTL keeps a cached answer while its signed URL still has at least
// half its validity and its image at least half its life.
func (s *Service) cacheTTL(left time.Duration) time.Duration {
	return max(min(s.urlTTL, left)/2, time.Second)
}

func (s *Service) runGenerate(ctx context.Context, job *queue.Job, p payload) (output, error) {
	params := ParametersUsed{
		Type: p.Type, Width: p.Width, Height: p.Height, StylePreset: p.StylePreset,
		NegativePrompt: p.NegativePrompt, TokenFrame: p.TokenFrame, Theme: themeOf(p.Theme),
	}
	if s.provider == nil {
		return s.generateOffline(ctx, p, params)
	}
	built := s.prompt(p)
	params.NegativePrompt = built.NegativePrompt
	img, err := s.paid(ctx, job, 0, func(ctx context.Context) (getimg.Image, error) {
		return s.provider.TextToImage(ctx, getimg.TextToImage{
			Model: s.model, Prompt: built.Prompt, NegativePrompt: built.NegativePrompt,
			Width: p.Width, Height: p.Height, Seed: p.Seed,
		})
	})
	if err != nil {
		return output{}, err
	}
	if s.model == getimg.ModelFluxSchnell {
		params.NegativePrompt = "" // FLUX takes none
	}
	var warnings []string
	if params.TokenFrame != "" {
		params.TokenFrame = ""
		warnings = append(warnings, "parameters.token_frame: only the offline renderer draws a token frame; the image has none")
	}
	return output{data: img.Data, seed: img.Seed, cost: img.Cost, model: img.Model, provider: ProviderGetImg, prompt: built.Prompt, params: params, warnings: warnings}, nil
}

// generateOffline draws the image with the offline engine, keeping the
// grid and warnings it reports.
func (s *Service) generateOffline(ctx context.Context, p payload, params ParametersUsed) (output, error) {
	seed := seedOf(p.Seed)
	pic, err := offlineOp(ctx, s, "generate", func() (imagegen.Picture, error) {
		return s.offline.Generate(ctx, imagegen.GenerateRequest{
			Type: p.Type, Prompt: p.Prompt, Width: p.Width, Height: p.Height, Seed: seed,
			Genre: p.Theme.Genre, Tone: p.Theme.Tone, Style: p.Theme.Style, StylePreset: p.StylePreset,
			Race: p.Race, Class: p.Class, Alignment: p.Alignment, Pronouns: p.Pronouns, Equipment: p.Equipment,
			Character: p.Character, NegativePrompt: p.NegativePrompt, TokenFrame: p.TokenFrame,
		})
	})
	if err != nil {
		return output{}, err
	}
	// What the drawer read: the character described, then the prompt.
	prompt := p.Prompt
	if p.Character != "" {
		prompt = strings.TrimRight(p.Character+", "+p.Prompt, ", ")
	}
	return output{data: pic.PNG, seed: seed, model: ProviderOffline, provider: ProviderOffline, prompt: prompt,
		params: params, grid: gridOf(pic.Grid), warnings: pic.Warnings}, nil
}

func (s *Service) runTransform(ctx context.Context, job *queue.Job, p payload) (output, error) {
	parent, err := s.storeSource(ctx, job, p)
	if err != nil {
		return output{}, err
	}
	strength := p.Strength
	params := ParametersUsed{
		Type: p.Type, Width: p.Width, Height: p.Height, StylePreset: p.StylePreset,
		NegativePrompt: p.NegativePrompt, Theme: themeOf(p.Theme), Strength: &strength,
	}
	if s.provider == nil {
		src, err := decodeSource(p.Source)
		if err != nil {
			return output{}, err
		}
		seed := seedOf(p.Seed)
		data, err := offlineOp(ctx, s, "transform", func() ([]byte, error) {
			return s.offline.Transform(ctx, imagegen.TransformRequest{
				Source: src, Prompt: p.Prompt, Strength: p.Strength, Genre: p.Theme.Genre, Tone: p.Theme.Tone,
				Style: p.Theme.Style, StylePreset: p.StylePreset, Seed: seed, Width: p.Width, Height: p.Height,
			})
		})
		if err != nil {
			return output{}, err
		}
		return output{data: data, seed: seed, model: ProviderOffline, provider: ProviderOffline, prompt: p.Prompt, params: params, parent: parent}, nil
	}
	built := s.prompt(p)
	params.NegativePrompt = built.NegativePrompt
	img, err := s.paid(ctx, job, 0, func(ctx context.Context) (getimg.Image, error) {
		return s.provider.ImageToImage(ctx, getimg.ImageToImage{
			Prompt: built.Prompt, NegativePrompt: built.NegativePrompt, Image: p.Source,
			Strength: p.Strength, Width: p.Width, Height: p.Height, Seed: p.Seed,
		})
	})
	if err != nil {
		return output{}, err
	}
	return output{data: img.Data, seed: img.Seed, cost: img.Cost, model: img.Model, provider: ProviderGetImg, prompt: built.Prompt, params: params, parent: parent}, nil
}

// runEnhance applies the enhancements in order. Upscale and face fix go to
// GetImg when it is configured, each answer checkpointed; the others always
// run locally.
func (s *Service) runEnhance(ctx context.Context, job *queue.Job, p payload) (output, error) {
	parent, err := s.storeSource(ctx, job, p)
	if err != nil {
		return output{}, err
	}
	out := output{model: ProviderOffline, provider: ProviderOffline, parent: parent}
	out.params = ParametersUsed{Enhancements: p.Enhancements, UpscaleFactor: p.UpscaleFactor, StylePreset: p.StylePreset, Theme: themeOf(p.Theme)}
	if slices.Contains(p.Enhancements, EnhanceStyleTransfer) {
		strength := p.Strength
		out.params.Strength = &strength
	}
	cur := &picture{data: p.Source}
	for i, e := range p.Enhancements {
		// A checkpoint between steps: a job that ended runs no more of them.
		if err := ctx.Err(); err != nil {
			return output{}, err
		}
		step := Step{Enhancement: e, Provider: ProviderOffline}
		remote := s.provider != nil && (e == EnhanceUpscale || e == EnhanceFaceFix)
		if remote {
			in, err := cur.bytes()
			if err != nil {
				return output{}, err
			}
			img, err := s.paid(ctx, job, i, func(ctx context.Context) (getimg.Image, error) {
				if e == EnhanceUpscale {
					return s.provider.Upscale(ctx, getimg.Upscale{Image: in, Scale: p.UpscaleFactor})
				}
				return s.provider.FaceFix(ctx, getimg.FaceFix{Image: in})
			})
			if err != nil {
				return output{}, err
			}
			cur = &picture{data: img.Data}
			step = Step{Enhancement: e, Provider: ProviderGetImg, Model: img.Model, Cost: roundCost(img.Cost)}
			out.cost += img.Cost
			out.model, out.provider = img.Model, ProviderGetImg
		} else {
			src, err := cur.image()
			if err != nil {
				return output{}, err
			}
			res, err := offlineOp(ctx, s, e, func() (image.Image, error) {
				return s.enhanceLocally(ctx, e, src, p)
			})
			if err != nil {
				return output{}, err
			}
			cur = &picture{img: res}
		}
		out.params.Steps = append(out.params.Steps, step)
	}
	if out.data, err = cur.bytes(); err != nil {
		return output{}, err
	}
	return out, nil
}

func (s *Service) enhanceLocally(ctx context.Context, e string, src image.Image, p payload) (image.Image, error) {
	switch e {
	case EnhanceUpscale:
		return s.offline.Upscale(ctx, src, p.UpscaleFactor)
	case EnhanceFaceFix:
		return s.offline.FaceFix(ctx, src)
	case EnhanceStyleTransfer:
		return s.offline.StyleTransfer(ctx, src, styleOf(p), p.Strength)
	case EnhanceColorCorrection:
		return s.offline.ColorCorrect(ctx, src)
	case EnhanceDetailEnhancement:
		return s.offline.DetailEnhance(ctx, src)
	}
	return nil, queue.Permanent(httpapi.Invalid(map[string]string{"enhancements": "unknown enhancement " + e}))
}

// styleOf picks the look of style_transfer: the preset, else the theme's
// style, genre or tone.
func styleOf(p payload) string {
	for _, v := range []string{p.StylePreset, p.Theme.Style, p.Theme.Genre, p.Theme.Tone} {
		if v != "" {
			return v
		}
	}
	return ""
}

// paid runs a billed provider call as step number step of job, at most once:
// an answer checkpointed by an earlier attempt is reused, and a new answer
// is recorded (usage, then checkpoint) before anything else happens.
func (s *Service) paid(ctx context.Context, job *queue.Job, step int, call func(context.Context) (getimg.Image, error)) (getimg.Image, error) {
	img, ok, err := s.steps.Load(ctx, job.ID, step)
	if err != nil {
		return getimg.Image{}, fmt.Errorf("load checkpoint %d of %s: %w", step, job.ID, err)
	}
	if ok {
		return img, nil
	}
	img, err = call(ctx)
	if err != nil {
		return getimg.Image{}, err // *provider.Error, classified by the queue
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	s.record(sctx, usage.Record{Caller: job.Owner, Model: usageModelPrefix + img.Model, CostUSD: img.Cost})
	if err := s.steps.Save(sctx, job.ID, step, img); err != nil {
		return getimg.Image{}, fmt.Errorf("checkpoint step %d of %s: %w", step, job.ID, err)
	}
	return img, nil
}

// record adds usage; a failure is logged, never fatal to a paid job.
func (s *Service) record(ctx context.Context, r usage.Record) {
	if s.usage == nil {
		return
	}
	if err := s.usage.Add(ctx, r); err != nil {
		s.logger.Warn("record image usage", "caller", r.Caller, "model", r.Model, "error", err.Error())
	}
}

// storeSource keeps the input image so results can name it as their
// parent. Its id depends on the owner and the bytes, so a retry or a
// repeated input finds the same image.
func (s *Service) storeSource(ctx context.Context, job *queue.Job, p payload) (string, error) {
	id := sourceID(job.Owner, p.SourceSHA256)
	meta, _ := json.Marshal(map[string]string{"role": "source", "job_id": job.ID})
	_, _, err := s.store.Put(ctx, imagestore.PutRequest{ID: id, Owner: job.Owner, Data: p.Source, Meta: meta, Created: s.now()})
	switch {
	case errors.Is(err, imagestore.ErrTooLarge):
		return "", queue.Permanent(httpapi.Invalid(map[string]string{"image": "is larger than the image store allows"}))
	case err != nil:
		return "", fmt.Errorf("store source image: %w", err)
	}
	return id, nil
}

// offlineOp times an offline operation and classifies its failure: a
// request the engine refuses can never succeed.
func offlineOp[T any](ctx context.Context, s *Service, op string, f func() (T, error)) (T, error) {
	start := time.Now()
	v, err := f()
	s.metrics.observeOffline(op, err, time.Since(start))
	if err == nil {
		return v, nil
	}
	var zero T
	if ctx.Err() == nil && errors.Is(err, imagegen.ErrInvalidRequest) {
		p := httpapi.NewProblem(httpapi.CodeInvalidParameters, "The offline renderer cannot draw this request.")
		p.Err = err
		return zero, queue.Permanent(p)
	}
	return zero, fmt.Errorf("offline %s: %w", op, err)
}

func (s *Service) prompt(p payload) imageprompt.Output {
	return imageprompt.Build(imageprompt.Input{
		Type: p.Type, Prompt: p.Prompt, StylePreset: p.StylePreset, NegativePrompt: p.NegativePrompt,
		Theme: imageprompt.Theme{Genre: p.Theme.Genre, Tone: p.Theme.Tone, Style: p.Theme.Style},
		Race:  p.Race, Class: p.Class, Alignment: p.Alignment, Character: p.Character,
	})
}

// picture is an image held as bytes, pixels or both, converted on demand.
type picture struct {
	data []byte
	img  image.Image
}

func (c *picture) image() (image.Image, error) {
	if c.img == nil {
		img, err := decodeSource(c.data)
		if err != nil {
			return nil, err
		}
		c.img = img
	}
	return c.img, nil
}

func (c *picture) bytes() ([]byte, error) {
	if c.data == nil {
		b, err := imagegen.EncodePNG(c.img)
		if err != nil {
			return nil, fmt.Errorf("encode image: %w", err)
		}
		c.data = b
	}
	return c.data, nil
}

func decodeSource(b []byte) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		p := httpapi.NewProblem(httpapi.CodeInvalidParameters, "The image could not be decoded.")
		p.Err = err
		return nil, queue.Permanent(p)
	}
	return img, nil
}

func generationFailed(detail string, err error) *httpapi.Problem {
	p := httpapi.NewProblem(httpapi.CodeImageGenerationFailed, detail)
	p.Err = err
	return p
}

// imageID names the image a job produces; a retried job finds it again.
func imageID(jobID string) string { return "img_" + digest([]byte("image\x00" + jobID))[:32] }

// sourceID names a caller's input image.
func sourceID(owner, sha string) string {
	return "img_" + digest([]byte("source\x00" + owner + "\x00" + sha))[:32]
}

func seedOf(seed *int64) int64 {
	if seed != nil {
		return *seed
	}
	return rand.Int64N(1 << 31)
}

func themeOf(t Theme) *Theme {
	if t == (Theme{}) {
		return nil
	}
	return &t
}

func roundCost(c float64) float64 { return float64(int64(c*1e6+0.5)) / 1e6 }
