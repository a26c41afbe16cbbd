package image

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/getimg"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
)

// Group declares the image endpoint group.
var Group = group.Def{
	Name:     "image",
	Function: "image",
	About:    "Portraits, maps and image transforms through GetImg.AI (or the offline renderer).",
	Tags:     []apidoc.Tag{{Name: "image", Description: "Portraits, maps and other images; transforms and enhancements; stored images."}},
	Queues: []group.Queue{{
		Name: QueueName, FailureCode: httpapi.CodeImageGenerationFailed,
		Settings: func(c config.Config) group.QueueSettings {
			return group.QueueSettings{RateLimit: c.ImageRateLimit, Workers: c.ImageWorkers, MaxInFlight: c.ImageMaxInFlight}
		},
	}},
	New: newGroup,
}

func newGroup(d group.Deps) (group.Parts, error) {
	gc, err := newGetImg(d.Config, d.Logger, d.Registry)
	if err != nil {
		return group.Parts{}, err
	}
	cfg := d.Config
	s := New(Config{
		Verifier: d.Verifier, Submit: d.Submit, Queue: d.Queue(QueueName), Redis: d.Redis, Prefix: cfg.RedisKeyPrefix,
		Cache: d.Cache, Usage: d.Usage, Logger: d.Logger, Registry: d.Registry,
		GetImg: gc, Offline: imagegen.New(), GenerateModel: cfg.GetImgGenerateModel,
		SigningKey: d.SigningKey, ImageTTL: cfg.ImageTTL.D(), URLTTL: cfg.ImageURLTTL.D(),
		StoreBudget: cfg.ImageStoreBudget, DailyCostQuota: cfg.ImageDailyCostQuota,
		Lambda: d.Lambda,
	})
	var jobs []group.Job
	for _, kind := range []string{KindGenerate, KindTransform, KindEnhance} {
		jobs = append(jobs, group.Job{Kind: kind, Queue: QueueName, Handler: s.Handlers()[kind], Result: "ImageResult", Schema: JobName(kind)})
	}
	return group.Parts{
		Routes:   s.routes(),
		Jobs:     jobs,
		Messages: s.messages(),
		Health:   []group.Component{{Name: "getimg", State: s.ProviderState}},
		Types:    []any{GenerateRequest{}, TransformRequest{}, EnhanceRequest{}, Result{}},
		Schemas: []apidoc.Component{
			{Name: "HubImagePayload", Derive: &apidoc.Derive{
				From: "ImageGenerateRequest", Drop: []string{"type"}, Required: []string{"prompt"},
				About: "Payload of the Message Hub's portrait and map messages: the body of POST /api/v2/image/generate without type, which the message type sets (character_portrait or map_background).",
			}},
		},
	}, nil
}

// newGetImg returns the GetImg client when images go to GetImg, or nil for
// the offline renderer.
func newGetImg(cfg config.Config, logger *slog.Logger, reg prometheus.Registerer) (*getimg.Client, error) {
	if cfg.ImageProviderName() == "offline" {
		logger.Info("image provider: offline renderer (no GETIMG_API_KEY or GETIMG_BASE_URL)")
		return nil, nil
	}
	key := cfg.GetImgAPIKey.Value()
	if key == "" {
		key = "none" // a keyless proxy named by GETIMG_BASE_URL
	}
	gc, err := getimg.New(getimg.Config{
		APIKey: key, BaseURL: cfg.GetImgBaseURL,
		RequestTimeout: cfg.GetImgRequestTimeout.D(), MaxRetryAfter: cfg.ProviderMaxRetryAfter.D(),
		Logger: logger, Registerer: reg,
	})
	if err != nil {
		return nil, fmt.Errorf("GETIMG settings: %w", err)
	}
	logger.Info("image provider: getimg", "model", cfg.GetImgGenerateModel)
	return gc, nil
}
