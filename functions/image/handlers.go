package image

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/cache"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/imagegen"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// payload is what an image job runs: the validated request with defaults
// applied and the input image decoded.
type payload struct {
	Type           string `json:"type,omitempty"`
	Prompt         string `json:"prompt,omitempty"`
	Width          int    `json:"width,omitempty"`
	Height         int    `json:"height,omitempty"`
	StylePreset    string `json:"style_preset,omitempty"`
	NegativePrompt string `json:"negative_prompt,omitempty"`
	Seed           *int64 `json:"seed,omitempty"`
	Theme          Theme  `json:"theme"`
	Race           string `json:"race,omitempty"`
	Class          string `json:"class,omitempty"`
	Alignment      string `json:"alignment,omitempty"`
	Character      string `json:"character,omitempty"` // the character a portrait shows, described for an image model
	Pronouns       string `json:"pronouns,omitempty"`  // the portrait's character's
	// Equipment is what the portrait's character wears and carries.
	Equipment     []imagegen.Item `json:"equipment,omitempty"`
	TokenFrame    string          `json:"token_frame,omitempty"`
	Strength      float64         `json:"strength,omitempty"`
	Enhancements  []string        `json:"enhancements,omitempty"`
	UpscaleFactor int             `json:"upscale_factor,omitempty"`
	Source        []byte          `json:"source,omitempty"`
	SourceSHA256  string          `json:"source_sha256,omitempty"`

	// CacheKey, when set, receives the result unless NoStore.
	CacheKey string `json:"cache_key,omitempty"`
	NoStore  bool   `json:"no_store,omitempty"`
}

func (s *Service) generate(w http.ResponseWriter, r *http.Request) error {
	req, err := httpapi.Decode[GenerateRequest](r)
	if err != nil {
		return err
	}
	p := generatePayload(req)
	p.Width, p.Height = req.size()
	return s.enqueue(w, r, KindGenerate, req.Priority, p, p.Seed != nil)
}

// generatePayload is the job of a generate request. A portrait's character
// fills the race, class and alignment hints it leaves empty.
func generatePayload(req GenerateRequest) payload {
	who := req.sitter()
	return payload{
		Type: req.Type, Prompt: req.Prompt, StylePreset: req.Parameters.StylePreset,
		NegativePrompt: req.Parameters.NegativePrompt, Seed: req.Parameters.Seed, Theme: req.Theme,
		Race: cmp.Or(req.Parameters.CharacterRace, who.race), Class: cmp.Or(req.Parameters.CharacterClass, who.class),
		Alignment: cmp.Or(req.Parameters.Alignment, who.alignment), Pronouns: who.pronouns, Equipment: who.equipment,
		Character: who.describe, TokenFrame: req.Parameters.TokenFrame,
	}
}

func (s *Service) transform(w http.ResponseWriter, r *http.Request) error {
	var req TransformRequest
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		return err
	}
	errs, src := req.validate()
	if len(errs) > 0 {
		return httpapi.Invalid(errs)
	}
	p := generatePayload(req.GenerateRequest)
	p.Width, p.Height = req.size(src)
	p.Strength = req.strength()
	p.Source, p.SourceSHA256 = src.data, digest(src.data)
	return s.enqueue(w, r, KindTransform, req.Priority, p, p.Seed != nil)
}

func (s *Service) enhance(w http.ResponseWriter, r *http.Request) error {
	var req EnhanceRequest
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		return err
	}
	errs, src := req.validate()
	if len(errs) > 0 {
		return httpapi.Invalid(errs)
	}
	p := payload{
		Enhancements: req.Enhancements, Theme: req.Theme, StylePreset: req.Parameters.StylePreset,
		Source: src.data, SourceSHA256: digest(src.data),
	}
	for _, e := range req.Enhancements {
		switch e {
		case EnhanceUpscale:
			p.UpscaleFactor = req.factor()
		case EnhanceStyleTransfer:
			p.Strength = req.strength()
		}
	}
	// Enhancements are deterministic: the source digest makes the key.
	return s.enqueue(w, r, KindEnhance, req.Priority, p, true)
}

// enqueue submits p under the sync/async contract. The canonical request
// (with the caller, the provider and, for inputs, the source digest instead
// of its bytes) de-duplicates live jobs; it is also the cache key when
// cacheable (a seeded or deterministic request).
func (s *Service) enqueue(w http.ResponseWriter, r *http.Request, kind, priority string, p payload, cacheable bool) error {
	c, _ := auth.FromContext(r.Context())
	req, err := s.request(c.Subject, kind, priority, p, cacheable, submit.NoStore(r.Header.Get("Cache-Control")))
	if err != nil {
		return err
	}
	return s.submit.Handle(w, r, req)
}

// request builds the submission of payload p for owner.
func (s *Service) request(owner, kind, priority string, p payload, cacheable, noStore bool) (submit.Request, error) {
	key, err := s.cacheKey(owner, kind, p)
	if err != nil {
		return submit.Request{}, err
	}
	req := submit.Request{Queue: QueueName, Kind: kind, Priority: priority, Canonical: key, Quota: s.checkQuota}
	if cacheable && s.cache != nil {
		req.CacheKey = key
		p.CacheKey = key
		p.NoStore = noStore
	}
	if req.Payload, err = json.Marshal(p); err != nil {
		return submit.Request{}, fmt.Errorf("encode %s payload: %w", kind, err)
	}
	return req, nil
}

// cacheKey hashes everything that shapes the output. Images belong to their
// caller, so the caller is part of the key.
func (s *Service) cacheKey(owner, kind string, p payload) (string, error) {
	p.Source, p.CacheKey, p.NoStore = nil, "", false
	return cache.Key("image", struct {
		Owner    string  `json:"owner"`
		Kind     string  `json:"kind"`
		Provider string  `json:"provider"`
		Model    string  `json:"model"`
		Request  payload `json:"request"`
	}{owner, kind, s.providerName(), s.modelFor(kind), p})
}

// modelFor is the model family a kind's key depends on.
func (s *Service) modelFor(kind string) string {
	if s.provider == nil {
		return ProviderOffline
	}
	if kind == KindGenerate {
		return s.model
	}
	return ""
}

// checkQuota refuses a caller whose image spending today has reached the
// daily quota, until midnight UTC.
func (s *Service) checkQuota(ctx context.Context, owner string) error {
	if s.quota <= 0 || s.usage == nil {
		return nil
	}
	spent, err := s.spentToday(ctx, owner)
	if err != nil {
		return submit.Unavailable(err)
	}
	if spent < s.quota {
		return nil
	}
	p := httpapi.NewProblem(httpapi.CodeQuotaExceeded,
		fmt.Sprintf("The daily image budget of $%.2f is spent; it resets at midnight UTC.", s.quota))
	p.RetryAfter = s.usage.UntilMidnight()
	return p
}

// spentToday sums the caller's image costs today (UTC).
func (s *Service) spentToday(ctx context.Context, owner string) (float64, error) {
	now := s.now()
	rows, _, err := s.usage.Query(ctx, []string{owner}, now, now)
	if err != nil {
		return 0, fmt.Errorf("image spending of %s: %w", owner, err)
	}
	var spent float64
	for _, row := range rows {
		if strings.HasPrefix(row.Model, usageModelPrefix) {
			spent += row.CostUSD
		}
	}
	return spent, nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
