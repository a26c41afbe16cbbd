// Package image serves /api/v2/image: generate, transform and enhance
// images through GetImg.AI or the offline engine as queued jobs, and serve
// the stored images by id.
//
// Each provider answer is persisted the moment it arrives, keyed by job and
// step, before anything else happens; a retried job (after a crash, a lost
// lease or a failed later step) reuses it instead of paying again. Only a
// provider call still in flight when the process dies can be paid twice.
package image

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/getimg"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
	"github.com/dndcc/dnd-llm-service/shared/imagestore"
	"github.com/dndcc/dnd-llm-service/shared/provider"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

// MaxBody caps request bodies of the image routes: a 10 MiB image is about
// 13.4 MiB of base64.
const MaxBody = 16 << 20

// QueueName is the queue (and rate-limit group) of image jobs.
const QueueName = "image"

// Job kinds.
const (
	KindGenerate  = "image.generate"
	KindTransform = "image.transform"
	KindEnhance   = "image.enhance"
)

// Providers, as reported in results.
const (
	ProviderGetImg  = "getimg"
	ProviderOffline = "offline"
)

// Defaults for zero Config fields.
const (
	DefaultImageTTL = 24 * time.Hour
	DefaultURLTTL   = time.Hour
	// LambdaAnswerLimit is the largest answer sent under AWS Lambda, whose
	// responses carry at most 6 MB.
	LambdaAnswerLimit = 5_500_000
)

// Config lists the Service's dependencies.
type Config struct {
	Verifier *auth.Verifier
	Submit   *submit.Service
	Queue    *queue.Queue // the image queue: its JobTTL bounds how long checkpoints are kept
	Redis    redis.UniversalClient
	Prefix   string // Redis key prefix
	Cache    *cache.Cache
	Usage    *usage.Store
	Logger   *slog.Logger
	Registry prometheus.Registerer // may be nil
	// GetImg runs generate, transform, upscale and face_fix; nil means the
	// offline engine provides every operation.
	GetImg  *getimg.Client
	Offline *imagegen.Engine // default imagegen.New()
	// GenerateModel is the text-to-image family: stable-diffusion-xl
	// (default) or flux-schnell.
	GenerateModel string
	// SigningKey signs image URLs (SECRET_KEY). When empty a random key is
	// used, and URLs die with the process.
	SigningKey []byte
	ImageTTL   time.Duration // how long stored images live; default 24h
	URLTTL     time.Duration // how long a signed URL is valid; default 1h
	// StoreBudget is the byte budget of stored images; default 1 GiB.
	StoreBudget int64
	// DailyCostQuota is the USD each caller may spend on images a day (UTC);
	// 0 = unlimited.
	DailyCostQuota float64
	// Lambda keeps answers under LambdaAnswerLimit by leaving image_data out
	// when needed.
	Lambda bool
	Now    func() time.Time // default time.Now
}

// Service serves the image routes and runs image jobs.
type Service struct {
	verifier *auth.Verifier
	submit   *submit.Service
	store    *imagestore.Store
	steps    checkpoints
	cache    *cache.Cache
	usage    *usage.Store
	logger   *slog.Logger
	provider imageProvider // nil: offline
	offline  *imagegen.Engine
	model    string
	key      []byte
	urlTTL   time.Duration
	quota    float64
	lambda   bool
	// answerLimit is the largest answer under Lambda (LambdaAnswerLimit).
	answerLimit int
	now         func() time.Time
	metrics     *metrics
}

// imageProvider is what the service needs of GetImg.AI.
type imageProvider interface {
	TextToImage(ctx context.Context, r getimg.TextToImage) (getimg.Image, error)
	ImageToImage(ctx context.Context, r getimg.ImageToImage) (getimg.Image, error)
	Upscale(ctx context.Context, r getimg.Upscale) (getimg.Image, error)
	FaceFix(ctx context.Context, r getimg.FaceFix) (getimg.Image, error)
	State() provider.State
}

var _ imageProvider = (*getimg.Client)(nil)

// New returns a Service.
func New(c Config) *Service {
	if c.ImageTTL <= 0 {
		c.ImageTTL = DefaultImageTTL
	}
	if c.URLTTL <= 0 {
		c.URLTTL = DefaultURLTTL
	}
	if c.GenerateModel == "" {
		c.GenerateModel = getimg.ModelSDXL
	}
	if c.Offline == nil {
		c.Offline = imagegen.New()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	// Checkpoints live as long as the queue keeps its jobs.
	checkpointTTL := defaultCheckpointTTL
	if c.Queue != nil {
		checkpointTTL = c.Queue.Config().JobTTL
	}
	key := c.SigningKey
	if len(key) == 0 {
		key = make([]byte, 32)
		rand.Read(key)
	}
	s := &Service{
		verifier: c.Verifier, submit: c.Submit,
		store: imagestore.New(c.Redis, imagestore.Config{
			Prefix: c.Prefix, TTL: c.ImageTTL, Budget: c.StoreBudget, Registry: c.Registry,
		}),
		steps: &redisCheckpoints{rdb: c.Redis, prefix: c.Prefix, ttl: checkpointTTL},
		cache: c.Cache, usage: c.Usage, logger: c.Logger,
		offline: c.Offline, model: c.GenerateModel, key: key,
		urlTTL: c.URLTTL, quota: c.DailyCostQuota, lambda: c.Lambda, answerLimit: LambdaAnswerLimit, now: c.Now,
		metrics: newMetrics(c.Registry),
	}
	if c.GetImg != nil {
		s.provider = c.GetImg
	}
	return s
}

// routes are the image routes. The POST routes need a bearer token and cap
// the body at MaxBody; GET of an image takes a signed URL or the bearer
// token of the image's owner or an admin.
func (s *Service) routes() []group.Route {
	post := func(path string, h httpapi.HandlerFunc, doc apidoc.Operation) group.Route {
		return group.Route{Method: http.MethodPost, Path: path, Auth: group.Bearer, MaxBody: MaxBody, Handler: h, Doc: doc}
	}
	return []group.Route{
		post("/api/v2/image/generate", s.generate, apidoc.Operation{
			ID: "imageGenerate", Summary: "Generate an image",
			Description: "Draws a portrait, item, location, map, scene or effect. The result carries the image as base64 and a signed URL." +
				" Seeded requests are cached." + submit.DocDescription,
			Params:    submit.DocParams(),
			Body:      &apidoc.Body{Schema: "ImageGenerateRequest", Description: "What to draw.", Examples: generateExamples()},
			Responses: submit.DocResponses(JobName(KindGenerate), httpapi.CodeImageGenerationFailed),
		}),
		post("/api/v2/image/transform", s.transform, apidoc.Operation{
			ID: "imageTransform", Summary: "Transform an image",
			Description: "Repaints `source_image` after the prompt; `strength` says how far it may move." + submit.DocDescription,
			Params:      submit.DocParams(),
			Body:        &apidoc.Body{Schema: "ImageTransformRequest", Description: "The source image and what to make of it.", Examples: transformExamples()},
			Responses:   submit.DocResponses(JobName(KindTransform), httpapi.CodeImageGenerationFailed),
		}),
		post("/api/v2/image/enhance", s.enhance, apidoc.Operation{
			ID: "imageEnhance", Summary: "Enhance an image",
			Description: "Applies upscale, face_fix, style_transfer, color_correction and detail_enhancement, in the order given. Enhancements are cached." + submit.DocDescription,
			Params:      submit.DocParams(),
			Body:        &apidoc.Body{Schema: "ImageEnhanceRequest", Description: "The image and the enhancements.", Examples: enhanceExamples()},
			Responses:   submit.DocResponses(JobName(KindEnhance), httpapi.CodeImageGenerationFailed),
		}),
		{Method: http.MethodGet, Path: "/api/v2/image/{image_id}", Auth: group.Own, Handler: s.serveImage,
			Doc: serveImageDoc(), Sample: group.Sample{Path: "/api/v2/image/img_00000000000000000000000000000000", Status: http.StatusNotFound}},
	}
}

func serveImageDoc() apidoc.Operation {
	hdr := func(name, desc string) apidoc.Header {
		return apidoc.Header{Name: name, Description: desc, Required: true, Schema: apidoc.Str()}
	}
	etag := hdr("ETag", "The SHA-256 of the bytes.")
	return apidoc.Operation{
		ID: "imageGet", Summary: "Fetch a stored image",
		Description: "Serves the image's bytes. Use the signed `url` of an image result (no token needed until it expires), " +
			"or send the bearer token of the image's owner or an admin. Anyone else gets the same 404 as for a missing image.",
		Security: apidoc.BearerOrNone,
		Params: []apidoc.Param{
			{Name: "image_id", In: "path", Description: "The image id from an image result.", Schema: &apidoc.Schema{Type: "string", Pattern: imageIDPattern.String()}},
			{Name: "exp", In: "query", Description: "Expiry of a signed URL (unix seconds).", Schema: apidoc.Int(0)},
			{Name: "sig", In: "query", Description: "Signature of a signed URL.", Schema: apidoc.Str()},
			{Name: "If-None-Match", In: "header", Description: "An ETag from an earlier answer.", Schema: apidoc.Str()},
		},
		Responses: map[int]apidoc.Response{
			200: {Description: "The image.", Headers: []apidoc.Header{
				etag,
				hdr("Cache-Control", "private, max-age=<seconds the image (and the URL) remain valid>"),
				hdr("Last-Modified", "When the image was made."),
				hdr("Content-Disposition", `inline; filename="<image_id>.<ext>"`),
			}, Content: []apidoc.Content{{MediaType: "image/png"}, {MediaType: "image/jpeg"}, {MediaType: "image/webp"}}},
			304: {Description: "Not modified: If-None-Match matched the ETag.", Headers: []apidoc.Header{etag}, NoContent: true},
			401: apidoc.Ref("Unauthorized"),
			403: {Description: "The signed URL expired or its signature is invalid (and no bearer token was sent): FORBIDDEN.", Content: []apidoc.Content{apidoc.Problem("Problem")}},
			404: apidoc.Ref("NotFound"),
			503: apidoc.Ref("Unavailable"),
		},
	}
}

// Handlers returns the job handlers by kind, for the queue runner.
func (s *Service) Handlers() map[string]queue.Handler {
	h := queue.HandlerFunc(s.run)
	return map[string]queue.Handler{KindGenerate: h, KindTransform: h, KindEnhance: h}
}

// ProviderState reports GetImg's health from recent calls, or "offline"
// when the offline engine serves images. It never calls the provider.
func (s *Service) ProviderState(context.Context) string {
	if s.provider == nil {
		return string(provider.StateOffline)
	}
	return string(s.provider.State())
}

// providerName names the provider that runs new jobs: getimg or offline.
func (s *Service) providerName() string {
	if s.provider == nil {
		return ProviderOffline
	}
	return ProviderGetImg
}

// metrics are the llm_image_* series of the service; nil records nothing.
type metrics struct {
	offline *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		return nil
	}
	m := &metrics{
		offline: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "llm_image_offline_duration_seconds",
			Help:    "Duration of offline image operations, by operation and outcome.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation", "outcome"}),
	}
	reg.MustRegister(m.offline)
	return m
}

func (m *metrics) observeOffline(op string, err error, d time.Duration) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.offline.WithLabelValues(op, outcome).Observe(d.Seconds())
}
