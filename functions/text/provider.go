package text

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/openai"
	"github.com/dndcc/dnd-llm-service/shared/textgen"
)

// newGenerator picks the text provider: OpenAI (or a compatible server)
// when configured, the offline generator otherwise.
func newGenerator(cfg config.Config, logger *slog.Logger, reg prometheus.Registerer) (textgen.Generator, error) {
	if cfg.TextProviderName() == "offline" {
		logger.Info("text provider: offline generator (no OPENAI_API_KEY or OPENAI_BASE_URL)")
		return textgen.NewOffline(cfg.OpenAIModels), nil
	}
	retries := cfg.OpenAIMaxRetries
	if retries == 0 {
		retries = openai.NoRetries
	}
	base := cfg.OpenAIBaseURL
	if base == "" {
		base = "https://api.openai.com/v1"
	}
	c, err := openai.New(openai.Config{
		APIKey: cfg.OpenAIAPIKey.Value(), BaseURL: base, Models: cfg.OpenAIModels,
		RequestTimeout: cfg.OpenAIRequestTimeout.D(), MaxRetries: retries, MaxPaidCalls: cfg.OpenAIMaxCallsPerJob,
		MaxRetryAfter: cfg.ProviderMaxRetryAfter.D(), Logger: logger, Registerer: reg,
	})
	if err != nil {
		return nil, fmt.Errorf("OPENAI settings: %w", err)
	}
	logger.Info("text provider: openai", "base_url", base, "models", cfg.OpenAIModels)
	return textgen.NewOpenAI(c), nil
}
