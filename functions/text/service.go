package text

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/submit"
	"github.com/dndcc/dnd-llm-service/shared/textgen"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

// Config lists the text group's dependencies.
type Config struct {
	Submit          *submit.Service
	Generator       textgen.Generator
	Cache           *cache.Cache
	Usage           *usage.Store
	Prices          usage.Prices
	CacheTTL        time.Duration // default 24h
	DailyTokenQuota int64         // tokens per caller per UTC day; 0 = unlimited
	Logger          *slog.Logger
	Registry        prometheus.Registerer // may be nil
}

// Service is the text endpoint group and its job handlers.
type Service struct {
	cfg  Config
	cost *prometheus.CounterVec
}

// New returns the text group.
func New(c Config) *Service {
	if c.CacheTTL <= 0 {
		c.CacheTTL = 24 * time.Hour
	}
	if c.Prices == nil {
		c.Prices = usage.DefaultPrices
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: c, cost: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "llm_text_cost_dollars_total", Help: "Estimated OpenAI cost of text generation in USD, by model.",
	}, []string{"model"})}
	if c.Registry != nil {
		c.Registry.MustRegister(s.cost)
	}
	return s
}

// Kinds are the job kinds this group runs.
var Kinds = dnd.TextKinds()

// Handlers returns the queue handlers of the text kinds.
func (s *Service) Handlers() map[string]queue.Handler {
	h := map[string]queue.Handler{}
	for _, k := range Kinds {
		h[k] = queue.HandlerFunc(s.run)
	}
	return h
}

// ProviderState is the text provider's health word.
func (s *Service) ProviderState(context.Context) string { return string(s.cfg.Generator.State()) }

// payload is a text job's payload.
type payload struct {
	Kind     string          `json:"kind"`
	Request  json.RawMessage `json:"request"`
	CacheKey string          `json:"cache_key"`
	NoStore  bool            `json:"no_store,omitempty"`
}

// Result is a text job's result.
type Result struct {
	Type          string          `json:"type"`
	Content       json.RawMessage `json:"content"`
	Model         string          `json:"model"`
	ModelUsed     string          `json:"model_used"`
	Provider      string          `json:"provider"`
	Usage         textgen.Usage   `json:"usage"`
	Cached        bool            `json:"cached"`
	RequestID     string          `json:"request_id,omitempty"`
	Seed          *int64          `json:"seed,omitempty"`
	Fallback      bool            `json:"fallback"`
	PromptVersion string          `json:"prompt_version"`
	ProviderCalls int             `json:"provider_calls"`
	// Warnings say what of the request could not be used as asked.
	Warnings []string `json:"warnings,omitempty"`
}

// prepare checks the model a valid request names, normalises the request
// and builds its submission.
func (s *Service) prepare(req dnd.TextRequest, noStore bool) (submit.Request, error) {
	if err := s.checkModel(req.ModelOptions()); err != nil {
		return submit.Request{}, err
	}
	return s.Request(req.Normalized(), noStore)
}

// checkModel refuses a model name outside the configured chain.
func (s *Service) checkModel(m dnd.ModelOptions) error {
	if m.Name == "" || slices.Contains(s.cfg.Generator.Models(), m.Name) {
		return nil
	}
	return httpapi.Invalid(map[string]string{
		"model.name": "must be one of " + strings.Join(s.cfg.Generator.Models(), ", "),
	})
}

// Request builds the submission of a normalised, valid request.
func (s *Service) Request(req dnd.TextRequest, noStore bool) (submit.Request, error) {
	kind := req.Kind()
	chain := s.cfg.Generator.Models()
	if i := slices.Index(chain, req.ModelOptions().Name); i > 0 {
		chain = chain[i:]
	}
	reqJSON, err := json.Marshal(req)
	if err != nil {
		return submit.Request{}, fmt.Errorf("text request: %w", err)
	}
	// The priority does not change the result: the canonical request leaves
	// it out.
	canonical, err := req.Canonical()
	if err != nil {
		return submit.Request{}, fmt.Errorf("text request: %w", err)
	}
	// Everything that decides a text result.
	key := cache.Hash("text", kind, s.cfg.Generator.Provider(), strings.Join(chain, ","),
		s.cfg.Generator.Revision(), dnd.SchemaVersion, string(canonical))
	p, err := json.Marshal(payload{Kind: kind, Request: reqJSON, CacheKey: key, NoStore: noStore})
	if err != nil {
		return submit.Request{}, fmt.Errorf("text request: %w", err)
	}
	return submit.Request{
		Queue: "text", Kind: kind, Priority: req.PriorityName(), Payload: p,
		Canonical: key, CacheKey: key, Quota: s.quota,
	}, nil
}

// quota refuses a caller who spent the daily token quota.
func (s *Service) quota(ctx context.Context, owner string) error {
	if s.cfg.DailyTokenQuota <= 0 || s.cfg.Usage == nil {
		return nil
	}
	t, err := s.cfg.Usage.Today(ctx, owner)
	if err != nil {
		return submit.Unavailable(err)
	}
	if t.TotalTokens >= s.cfg.DailyTokenQuota {
		p := httpapi.NewProblem(httpapi.CodeQuotaExceeded,
			fmt.Sprintf("The daily text quota of %d tokens is spent; it resets at midnight UTC.", s.cfg.DailyTokenQuota))
		p.RetryAfter = s.cfg.Usage.UntilMidnight()
		return p
	}
	return nil
}

// run is the queue handler of every text kind.
// The provider's answer is waited for with this frame on the job's stack:
// decoding the job and recording the outcome happen in helpers.
func (s *Service) run(ctx context.Context, job *queue.Job) (queue.Result, error) {
	p, req, err := decodeJob(job)
	if err != nil {
		return queue.Result{}, err
	}
	out, genErr := s.cfg.Generator.Generate(ctx, req)
	return s.finish(ctx, job, p, req, &out, genErr)
}

// decodeJob reads a text job's payload and its request.
func decodeJob(job *queue.Job) (*payload, dnd.TextRequest, error) {
	p := new(payload)
	if err := json.Unmarshal(job.Payload, p); err != nil {
		return nil, nil, queue.Permanent(fmt.Errorf("text job %s: bad payload: %w", job.ID, err))
	}
	req, err := dnd.DecodeTextRequest(p.Kind, p.Request)
	if err != nil {
		return nil, nil, queue.Permanent(fmt.Errorf("text job %s: %w", job.ID, err))
	}
	return p, req, nil
}

// finish stores a job's usage and, when it succeeded, its result (cached
// unless the request said no-store), and returns the result.
func (s *Service) finish(ctx context.Context, job *queue.Job, p *payload, req dnd.TextRequest, out *textgen.Output, genErr error) (queue.Result, error) {
	if genErr == nil && ctx.Err() != nil {
		// The job was canceled (or is handed back) as the answer came: it
		// is neither kept nor cached, though its tokens count.
		genErr = ctx.Err()
	}
	records := s.usage(job, *out, genErr == nil)
	if genErr != nil {
		s.store(context.WithoutCancel(ctx), job, records, "", nil)
		return queue.Result{}, genErr
	}
	res := Result{
		Type: req.ContentType(), Content: out.Content, Model: out.Model, ModelUsed: out.Model, Provider: out.Provider,
		Usage: out.Usage, RequestID: job.RequestID, Seed: out.Seed, PromptVersion: dnd.PromptVersion,
		ProviderCalls: out.ProviderCalls, Warnings: out.Warnings,
	}
	chain := s.cfg.Generator.Models()
	start := req.ModelOptions().Name
	if start == "" && len(chain) > 0 {
		start = chain[0]
	}
	res.Fallback = out.Provider == "openai" && out.Model != start
	b, err := json.Marshal(res)
	if err != nil {
		return queue.Result{}, queue.Permanent(fmt.Errorf("text job %s: encode result: %w", job.ID, err))
	}
	var cacheKey string
	var hit []byte // the result as a cache hit answers it
	if !p.NoStore && s.cfg.Cache != nil {
		res.Cached = true
		if hit, err = json.Marshal(res); err != nil {
			return queue.Result{}, queue.Permanent(fmt.Errorf("text job %s: encode result: %w", job.ID, err))
		}
		cacheKey = p.CacheKey
	}
	s.store(context.WithoutCancel(ctx), job, records, cacheKey, hit)
	return queue.Result{Value: b, Event: map[string]any{
		"model_used":  out.Model,
		"token_usage": out.Usage,
	}, Undo: s.uncache(job, cacheKey)}, nil
}

// uncache returns what takes a job's result back out of the cache when the
// job does not end succeeded (queue.Result.Undo), or nil when it cached
// nothing.
func (s *Service) uncache(job *queue.Job, cacheKey string) func(context.Context) {
	if cacheKey == "" {
		return nil
	}
	return func(ctx context.Context) {
		if err := s.cfg.Cache.Delete(ctx, cacheKey); err != nil {
			s.cfg.Logger.Warn("take a canceled job's result out of the cache", "job_id", job.ID, "error", err.Error())
		}
	}
}

// usage returns a job's provider calls as usage records of its caller, and
// counts their cost. Tokens billed by failed attempts count too.
func (s *Service) usage(job *queue.Job, out textgen.Output, ok bool) []usage.Record {
	calls := out.Calls
	if len(calls) == 0 && ok {
		calls = []textgen.Call{{Model: out.Model, Usage: out.Usage}}
	}
	var rs []usage.Record
	for i, c := range calls {
		var reqs int64
		if ok && i == len(calls)-1 {
			reqs = 1
		}
		cost := s.cfg.Prices.Cost(c.Model, int64(c.Usage.PromptTokens), int64(c.Usage.CompletionTokens))
		if cost > 0 {
			s.cost.WithLabelValues(c.Model).Add(cost)
		}
		if reqs == 0 && c.Usage.TotalTokens == 0 {
			continue
		}
		rs = append(rs, usage.Record{
			Caller: job.Owner, Model: c.Model, Requests: reqs,
			PromptTokens: int64(c.Usage.PromptTokens), CompletionTokens: int64(c.Usage.CompletionTokens), CostUSD: cost,
		})
	}
	return rs
}

// store writes a job's usage and, when cacheKey is set, the answer to a
// cache hit, in one round trip. A failure loses only what it failed to write:
// the job's result stands.
func (s *Service) store(ctx context.Context, job *queue.Job, records []usage.Record, cacheKey string, result []byte) {
	cache := s.cfg.Cache
	if cacheKey == "" {
		cache = nil
	}
	var err error
	switch {
	case s.cfg.Usage != nil:
		err = s.cfg.Usage.AddWith(ctx, records, func(p redis.Pipeliner) {
			if cache != nil {
				cache.SetIn(ctx, p, cacheKey, result, s.cfg.CacheTTL)
			}
		})
	case cache != nil:
		err = cache.Set(ctx, cacheKey, result, s.cfg.CacheTTL)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		s.cfg.Logger.Warn("usage and cache write failed; usage not recorded, result not cached",
			"job_id", job.ID, "kind", job.Kind, "error", err.Error())
	}
}
