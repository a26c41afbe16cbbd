package image

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/usage"
)

func generateBody(seed int64) map[string]any {
	return map[string]any{
		"type":       "character_portrait",
		"prompt":     "a grizzled veteran with a scar",
		"size":       map[string]int{"width": 256, "height": 256},
		"parameters": map[string]any{"seed": seed, "style_preset": "fantasy-art", "character_race": "dwarf", "character_class": "cleric"},
		"theme":      map[string]string{"genre": "dark fantasy", "tone": "grim"},
	}
}

func TestGenerateGetImg(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{getimg: true})
	j, resp := st.succeed("/api/v2/image/generate", generateBody(7), nil)
	if got := resp.Header.Get("X-Cache"); got != "MISS" {
		t.Errorf("X-Cache = %q, want MISS", got)
	}
	r := j.Result
	img, _ := decodeImage(t, r.ImageData)
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Errorf("image is %dx%d, want 256x256", b.Dx(), b.Dy())
	}
	want := Result{
		ImageID: r.ImageID, MIMEType: "image/png", Width: 256, Height: 256, Seed: 7,
		Model: "stable-diffusion-xl", Provider: ProviderGetImg, Cost: 0.000413,
		PromptUsed: r.PromptUsed,
	}
	got := Result{
		ImageID: r.ImageID, MIMEType: r.MIMEType, Width: r.Width, Height: r.Height, Seed: r.Seed,
		Model: r.Model, Provider: r.Provider, Cost: r.Cost, PromptUsed: r.PromptUsed, ParentImageID: r.ParentImageID,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if !imageIDPattern.MatchString(r.ImageID) || !strings.HasPrefix(r.URL, "/api/v2/image/"+r.ImageID+"?") {
		t.Errorf("image_id, url = %q, %q; want an id and its signed URL", r.ImageID, r.URL)
	}
	if !strings.HasPrefix(r.PromptUsed, "head and shoulders portrait of a dwarf cleric, a grizzled veteran") {
		t.Errorf("prompt_used = %q, want the portrait framing", r.PromptUsed)
	}
	if r.Metadata.ModelUsed != r.Model || r.Metadata.PromptUsed != r.PromptUsed || r.CreatedAt.IsZero() {
		t.Errorf("metadata = %+v, want model, prompt and created_at", r.Metadata)
	}
	if n := st.fake.Calls(getimgtest.PathSDXLText); n != 1 {
		t.Errorf("text-to-image calls = %d, want 1", n)
	}
	sent := st.fake.Requests()[0].Body
	if sent["width"] != json.Number("256") || sent["seed"] != json.Number("7") || sent["prompt"] != r.PromptUsed ||
		!strings.Contains(sent["negative_prompt"].(string), "extra fingers") {
		t.Errorf("GetImg request = %v, want the built prompt, a default negative prompt, width 256, seed 7", sent)
	}
	wantRows := []usage.Row{{Date: usage.Day(time.Now()), Caller: "alice", Model: "getimg/stable-diffusion-xl", Requests: 1, Images: 1, CostUSD: 0.000413}}
	if diff := cmp.Diff(wantRows, st.usageRows("alice")); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
}

func TestGenerateFlux(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{getimg: true})
	st.svc.model = "flux-schnell"
	j, _ := st.succeed("/api/v2/image/generate", generateBody(3), nil)
	if j.Result.Model != "flux-schnell" || j.Result.ParametersUsed.NegativePrompt != "" {
		t.Errorf("model, negative prompt = %q, %q; want flux-schnell and none", j.Result.Model, j.Result.ParametersUsed.NegativePrompt)
	}
	if n := st.fake.Calls(getimgtest.PathFluxText); n != 1 {
		t.Errorf("flux calls = %d, want 1", n)
	}
}

func TestProviderFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        stackConfig
		script     []getimgtest.Reply
		wantStatus int
		wantCode   string
		wantCalls  int
		wantState  string
		check      func(t *testing.T, st *stack, j jobAnswer)
	}{
		{
			name:       "429 with Retry-After pauses the workers then succeeds",
			cfg:        stackConfig{getimg: true, inlineRetryMax: time.Millisecond},
			script:     []getimgtest.Reply{getimgtest.ErrorReply(http.StatusTooManyRequests, "rate_limit", "Too many requests.")},
			wantStatus: http.StatusOK, wantCalls: 2, wantState: "ok",
			check: func(t *testing.T, st *stack, _ jobAnswer) {
				if n := st.counter("llm_queue_jobs_total", map[string]string{"kind": KindGenerate, "outcome": "backpressure"}); n != 1 {
					t.Errorf("back-pressure hand-backs = %v, want 1", n)
				}
			},
		},
		{
			name:       "402 fails the job with QUOTA_EXCEEDED",
			cfg:        stackConfig{getimg: true},
			script:     []getimgtest.Reply{getimgtest.ErrorReply(http.StatusPaymentRequired, "insufficient_balance", "Top up your balance.")},
			wantStatus: http.StatusTooManyRequests, wantCode: httpapi.CodeQuotaExceeded, wantCalls: 1, wantState: "no_balance",
		},
		{
			name:       "401 fails without retry",
			cfg:        stackConfig{getimg: true},
			script:     []getimgtest.Reply{getimgtest.ErrorReply(http.StatusUnauthorized, "invalid_api_key", "Invalid key.")},
			wantStatus: http.StatusBadGateway, wantCode: httpapi.CodeProviderRejected, wantCalls: 1, wantState: "unauthorized",
		},
		{
			name:       "400 fails with a safe message",
			cfg:        stackConfig{getimg: true},
			script:     []getimgtest.Reply{getimgtest.ErrorReply(http.StatusBadRequest, "invalid_parameter", "secret internal detail")},
			wantStatus: http.StatusBadGateway, wantCode: httpapi.CodeProviderRejected, wantCalls: 1, wantState: "ok",
		},
		{
			name:       "500 then success",
			cfg:        stackConfig{getimg: true},
			script:     []getimgtest.Reply{getimgtest.ErrorReply(http.StatusInternalServerError, "internal_error", "boom")},
			wantStatus: http.StatusOK, wantCalls: 2, wantState: "ok",
			check: func(t *testing.T, _ *stack, j jobAnswer) {
				if j.Attempts != 1 {
					t.Errorf("attempts = %d, want 1 (retried inside the call)", j.Attempts)
				}
			},
		},
		{
			name:       "slow answer beyond the timeout is retried",
			cfg:        stackConfig{getimg: true, requestTimeout: 300 * time.Millisecond, maxRetries: -1},
			script:     []getimgtest.Reply{{Delay: time.Minute}},
			wantStatus: http.StatusOK, wantCalls: 2, wantState: "ok",
			check: func(t *testing.T, _ *stack, j jobAnswer) {
				if j.Attempts != 2 {
					t.Errorf("attempts = %d, want 2 (the job was retried)", j.Attempts)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := newStack(t, tc.cfg)
			st.fake.Push(getimgtest.PathSDXLText, tc.script...)
			resp, raw := st.post("/api/v2/image/generate", generateBody(11), nil)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("POST generate = %d %s, want %d", resp.StatusCode, raw, tc.wantStatus)
			}
			var j jobAnswer
			if tc.wantCode != "" {
				var p problemAnswer
				if err := json.Unmarshal(raw, &p); err != nil {
					t.Fatal(err)
				}
				if p.Code != tc.wantCode || p.Job == nil || p.Job.Status != "failed" {
					t.Errorf("problem = %s, want code %s with the failed job", raw, tc.wantCode)
				}
				if strings.Contains(string(raw), "secret internal detail") {
					t.Errorf("problem %s leaks the provider's message", raw)
				}
			} else if err := json.Unmarshal(raw, &j); err != nil || j.Status != "succeeded" {
				t.Fatalf("answer = %s, want a succeeded job", raw)
			}
			if n := st.fake.Calls(getimgtest.PathSDXLText); n != tc.wantCalls {
				t.Errorf("provider calls = %d, want %d", n, tc.wantCalls)
			}
			if got := st.svc.ProviderState(t.Context()); got != tc.wantState {
				t.Errorf("ProviderState() = %q, want %q", got, tc.wantState)
			}
			if tc.check != nil {
				tc.check(t, st, j)
			}
		})
	}
}

func TestTransformGetImg(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{getimg: true})
	src := pngB64(t, 300, 200, 1)
	j, _ := st.succeed("/api/v2/image/transform", map[string]any{
		"type": "location_visual", "prompt": "a ruined watchtower", "source_image": src,
		"parameters": map[string]any{"seed": 5},
	}, nil)
	r := j.Result
	// No size: the source's, rounded to multiples of 64 within 256..2048.
	if r.Width != 320 || r.Height != 256 || r.Provider != ProviderGetImg || r.ParentImageID == "" {
		t.Errorf("result = %dx%d by %s, parent %q; want 320x256 by getimg with a parent", r.Width, r.Height, r.Provider, r.ParentImageID)
	}
	if r.ParametersUsed.Strength == nil || *r.ParametersUsed.Strength != DefaultStrength {
		t.Errorf("parameters_used.strength = %v, want %v", r.ParametersUsed.Strength, DefaultStrength)
	}
	sent := st.fake.Requests()[0].Body
	if sent["image"] != src || sent["strength"] != json.Number("0.8") {
		t.Errorf("GetImg request image/strength = %.20v/%v, want the source and 0.8", sent["image"], sent["strength"])
	}
	// The parent is the stored source, readable by its owner.
	resp, raw := st.do(http.MethodGet, "/api/v2/image/"+r.ParentImageID, st.token("alice"), nil, nil)
	if resp.StatusCode != http.StatusOK || base64.StdEncoding.EncodeToString(raw) != src {
		t.Errorf("GET parent = %d (%d bytes), want 200 with the source bytes", resp.StatusCode, len(raw))
	}
}

func TestEnhanceChainGetImg(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{getimg: true})
	j, _ := st.succeed("/api/v2/image/enhance", map[string]any{
		"image":        pngB64(t, 128, 96, 2),
		"enhancements": []string{"upscale", "color_correction", "face_fix", "detail_enhancement"},
		"parameters":   map[string]any{"upscale_factor": 2},
	}, nil)
	r := j.Result
	img, _ := decodeImage(t, r.ImageData)
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 192 || r.Width != 256 || r.Height != 192 {
		t.Errorf("image = %dx%d (reported %dx%d), want 256x192", b.Dx(), b.Dy(), r.Width, r.Height)
	}
	wantSteps := []Step{
		{Enhancement: "upscale", Provider: ProviderGetImg, Model: "real-esrgan-4x", Cost: r.ParametersUsed.Steps[0].Cost},
		{Enhancement: "color_correction", Provider: ProviderOffline},
		{Enhancement: "face_fix", Provider: ProviderGetImg, Model: "gfpgan-v1-3", Cost: r.ParametersUsed.Steps[2].Cost},
		{Enhancement: "detail_enhancement", Provider: ProviderOffline},
	}
	if diff := cmp.Diff(wantSteps, r.ParametersUsed.Steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if r.Provider != ProviderGetImg || r.ParentImageID == "" || r.ParametersUsed.UpscaleFactor != 2 {
		t.Errorf("provider %q parent %q factor %d, want getimg, a parent and 2", r.Provider, r.ParentImageID, r.ParametersUsed.UpscaleFactor)
	}
	if up, ff := st.fake.Calls(getimgtest.PathUpscale), st.fake.Calls(getimgtest.PathFaceFix); up != 1 || ff != 1 {
		t.Errorf("upscale, face-fix calls = %d, %d; want 1, 1", up, ff)
	}
	if sent := st.fake.Requests()[0].Body; sent["scale"] != json.Number("2") {
		t.Errorf("upscale scale = %v, want 2", sent["scale"])
	}
	// Face fix received the colour-corrected upscale, not the source.
	ffIn, err := base64.StdEncoding.DecodeString(st.fake.Requests()[1].Body["image"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, _ := decodeImage(t, base64.StdEncoding.EncodeToString(ffIn)); cfg.Bounds().Dx() != 256 {
		t.Errorf("face-fix input is %d wide, want the 256-wide upscale", cfg.Bounds().Dx())
	}
}

func TestCacheHit(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{getimg: true})
	first, _ := st.succeed("/api/v2/image/generate", generateBody(42), nil)
	second, resp := st.succeed("/api/v2/image/generate", generateBody(42), nil)
	if got := resp.Header.Get("X-Cache"); got != "HIT" {
		t.Errorf("repeated X-Cache = %q, want HIT", got)
	}
	if !second.Result.Cached || second.Result.ImageID != first.Result.ImageID || second.Result.ImageData != first.Result.ImageData {
		t.Errorf("cached answer = cached %v id %s, want cached true and the first image %s", second.Result.Cached, second.Result.ImageID, first.Result.ImageID)
	}
	if n := st.fake.Calls(getimgtest.PathSDXLText); n != 1 {
		t.Errorf("provider calls = %d, want 1", n)
	}
	// The cached URL still serves the image without a token.
	if resp, _ := st.do(http.MethodGet, second.Result.URL, "", nil, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("GET cached url = %d, want 200", resp.StatusCode)
	}
	// Another caller does not share alice's cache.
	b, _ := json.Marshal(generateBody(42))
	resp, raw := st.do(http.MethodPost, "/api/v2/image/generate?wait=20", st.token("bob"), b, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Cache") != "MISS" {
		t.Errorf("bob's request = %d X-Cache %q %s, want 200 MISS", resp.StatusCode, resp.Header.Get("X-Cache"), raw)
	}
}

func TestCacheControl(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{getimg: true})
	noStore := http.Header{"Cache-Control": {"no-store"}}
	st.succeed("/api/v2/image/generate", generateBody(9), noStore)
	_, resp := st.succeed("/api/v2/image/generate", generateBody(9), nil)
	if got := resp.Header.Get("X-Cache"); got != "MISS" {
		t.Errorf("after no-store, X-Cache = %q, want MISS", got)
	}
	// Unseeded requests are never cached: each asks for a new picture.
	body := generateBody(0)
	delete(body["parameters"].(map[string]any), "seed")
	st.succeed("/api/v2/image/generate", body, nil)
	_, resp = st.succeed("/api/v2/image/generate", body, nil)
	if got := resp.Header.Get("X-Cache"); got != "MISS" {
		t.Errorf("unseeded repeat X-Cache = %q, want MISS", got)
	}
	if n := st.fake.Calls(getimgtest.PathSDXLText); n != 4 {
		t.Errorf("provider calls = %d, want 4", n)
	}
}

func TestDailyCostQuota(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{getimg: true, quota: 0.0004})
	st.succeed("/api/v2/image/generate", generateBody(1), nil) // costs 0.000413
	resp, raw := st.post("/api/v2/image/generate", generateBody(2), nil)
	var p problemAnswer
	json.Unmarshal(raw, &p)
	if resp.StatusCode != http.StatusTooManyRequests || p.Code != httpapi.CodeQuotaExceeded || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over quota = %d %s Retry-After %q, want 429 QUOTA_EXCEEDED with Retry-After", resp.StatusCode, raw, resp.Header.Get("Retry-After"))
	}
	if n := st.fake.Calls(getimgtest.PathSDXLText); n != 1 {
		t.Errorf("provider calls = %d, want 1", n)
	}
	// Another caller still has budget, and text spending does not count.
	if err := st.usage.Add(t.Context(), usage.Record{Caller: "bob", Model: "gpt-4o", Requests: 1, CostUSD: 5}); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(generateBody(3))
	if resp, raw := st.do(http.MethodPost, "/api/v2/image/generate?wait=20", st.token("bob"), b, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("bob = %d %s, want 200", resp.StatusCode, raw)
	}
}

func TestLambdaLeavesLargeImageDataOut(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{getimg: true, lambda: true})
	st.svc.answerLimit = 1 // every answer with image data passes it
	j, _ := st.succeed("/api/v2/image/generate", generateBody(4), nil)
	if j.Result.ImageData != "" || !j.Result.ImageDataOmitted || j.Result.URL == "" {
		t.Errorf("image_data %d bytes, omitted %v, url %q; want it left out and a url", len(j.Result.ImageData), j.Result.ImageDataOmitted, j.Result.URL)
	}
	if resp, raw := st.do(http.MethodGet, j.Result.URL, "", nil, nil); resp.StatusCode != http.StatusOK || len(raw) == 0 {
		t.Errorf("GET url = %d, want 200 with the bytes", resp.StatusCode)
	}
}
