package image

import (
	"bytes"
	"net/http"
	"testing"
)

func TestGenerateOffline(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{})
	fresh := http.Header{"Cache-Control": {"no-cache, no-store"}}
	for _, typ := range []string{"map_background", "character_portrait", "magical_effect"} {
		t.Run(typ, func(t *testing.T) {
			body := map[string]any{
				"type": typ, "prompt": "a flooded crypt", "size": map[string]int{"width": 256, "height": 320},
				"parameters": map[string]any{"seed": 12345}, "theme": map[string]string{"genre": "horror"},
			}
			a, _ := st.succeed("/api/v2/image/generate", body, fresh)
			b, resp := st.succeed("/api/v2/image/generate", body, fresh)
			if got := resp.Header.Get("X-Cache"); got != "MISS" {
				t.Errorf("X-Cache = %q, want MISS (no-cache)", got)
			}
			img, rawA := decodeImage(t, a.Result.ImageData)
			if bb := img.Bounds(); bb.Dx() != 256 || bb.Dy() != 320 {
				t.Errorf("image is %dx%d, want 256x320", bb.Dx(), bb.Dy())
			}
			_, rawB := decodeImage(t, b.Result.ImageData)
			if !bytes.Equal(rawA, rawB) {
				t.Errorf("same seed gave different images")
			}
			if a.Result.ImageID == b.Result.ImageID {
				t.Errorf("two jobs share image id %s", a.Result.ImageID)
			}
			r := a.Result
			if r.Provider != ProviderOffline || r.Model != ProviderOffline || r.Seed != 12345 || r.Cost != 0 || r.MIMEType != "image/png" {
				t.Errorf("result = provider %s model %s seed %d cost %v mime %s; want offline, seed 12345, free PNG",
					r.Provider, r.Model, r.Seed, r.Cost, r.MIMEType)
			}
		})
	}
	if got := st.svc.ProviderState(t.Context()); got != "offline" {
		t.Errorf("ProviderState() = %q, want offline", got)
	}
	rows := st.usageRows("alice")
	if len(rows) != 1 || rows[0].Model != "offline" || rows[0].Requests != 6 || rows[0].Images != 6 || rows[0].CostUSD != 0 {
		t.Errorf("usage = %+v, want 6 free offline requests and images", rows)
	}
}

func TestOfflineSeeds(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{})
	body := func(seed int64) map[string]any {
		return map[string]any{"type": "map_background", "prompt": "a goblin warren", "size": map[string]int{"width": 256, "height": 256}, "parameters": map[string]any{"seed": seed}}
	}
	a, _ := st.succeed("/api/v2/image/generate", body(1), nil)
	b, _ := st.succeed("/api/v2/image/generate", body(2), nil)
	if a.Result.ImageData == b.Result.ImageData {
		t.Errorf("seeds 1 and 2 gave the same image")
	}
	// Without a seed one is picked and reported.
	c, _ := st.succeed("/api/v2/image/generate", map[string]any{"type": "environment_scene", "prompt": "misty hills", "size": map[string]int{"width": 256, "height": 256}}, nil)
	if c.Result.Seed < 0 {
		t.Errorf("picked seed = %d, want a non-negative seed", c.Result.Seed)
	}
}

func TestTransformOffline(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{})
	j, _ := st.succeed("/api/v2/image/transform", map[string]any{
		"type": "environment_scene", "prompt": "noir alley", "source_image": pngB64(t, 200, 150, 3),
		"size": map[string]int{"width": 256, "height": 256}, "strength": 0.5, "parameters": map[string]any{"seed": 8},
	}, nil)
	img, _ := decodeImage(t, j.Result.ImageData)
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Errorf("image is %dx%d, want 256x256", b.Dx(), b.Dy())
	}
	if j.Result.ParentImageID == "" || j.Result.Provider != ProviderOffline || *j.Result.ParametersUsed.Strength != 0.5 {
		t.Errorf("result = parent %q provider %s strength %v; want a parent, offline, 0.5", j.Result.ParentImageID, j.Result.Provider, *j.Result.ParametersUsed.Strength)
	}
}

func TestEnhanceOffline(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{})
	j, _ := st.succeed("/api/v2/image/enhance", map[string]any{
		"image":        pngB64(t, 96, 64, 4),
		"enhancements": []string{"upscale", "face_fix", "style_transfer", "color_correction", "detail_enhancement"},
		"parameters":   map[string]any{"upscale_factor": 3, "style_preset": "sepia"},
	}, nil)
	img, _ := decodeImage(t, j.Result.ImageData)
	if b := img.Bounds(); b.Dx() != 288 || b.Dy() != 192 {
		t.Errorf("image is %dx%d, want 288x192", b.Dx(), b.Dy())
	}
	for _, s := range j.Result.ParametersUsed.Steps {
		if s.Provider != ProviderOffline {
			t.Errorf("step %s ran on %s, want offline", s.Enhancement, s.Provider)
		}
	}
	if len(j.Result.ParametersUsed.Steps) != 5 {
		t.Errorf("steps = %d, want 5", len(j.Result.ParametersUsed.Steps))
	}
}
