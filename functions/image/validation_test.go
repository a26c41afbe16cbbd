package image

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

func TestValidation(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{getimg: true})
	src := pngB64(t, 64, 64, 1)
	gen := func(edit func(m map[string]any)) map[string]any {
		m := map[string]any{"type": "item_illustration", "prompt": "a sword", "size": map[string]int{"width": 256, "height": 256}}
		edit(m)
		return m
	}
	tr := func(edit func(m map[string]any)) map[string]any {
		m := map[string]any{"type": "item_illustration", "prompt": "a sword", "source_image": src}
		edit(m)
		return m
	}
	enh := func(edit func(m map[string]any)) map[string]any {
		m := map[string]any{"image": src, "enhancements": []string{"upscale"}}
		edit(m)
		return m
	}
	zip := base64.StdEncoding.EncodeToString([]byte("PK\x03\x04\x14\x00\x00\x00\x08\x00 not an image"))
	tests := []struct {
		name       string
		path       string
		body       any
		wantStatus int
		wantFields []string
	}{
		{"empty body", "generate", []byte(""), 400, []string{"body"}},
		{"not JSON", "generate", []byte("{"), 400, []string{"body"}},
		{"missing type and prompt", "generate", map[string]any{}, 400, []string{"prompt", "type"}},
		{"bad type", "generate", gen(func(m map[string]any) { m["type"] = "selfie" }), 400, []string{"type"}},
		{"long prompt", "generate", gen(func(m map[string]any) { m["prompt"] = strings.Repeat("é", 2001) }), 400, []string{"prompt"}},
		{"size not a multiple of 64", "generate", gen(func(m map[string]any) { m["size"] = map[string]int{"width": 300, "height": 256} }), 400, []string{"size.width"}},
		{"size too large", "generate", gen(func(m map[string]any) { m["size"] = map[string]int{"width": 512, "height": 4096} }), 400, []string{"size.height"}},
		{"size too small", "generate", gen(func(m map[string]any) { m["size"] = map[string]int{"width": 128, "height": 192} }), 400, []string{"size.height", "size.width"}},
		{"size of the wrong type", "generate", gen(func(m map[string]any) { m["size"] = map[string]any{"width": "big"} }), 400, []string{"size.width"}},
		{"negative seed", "generate", gen(func(m map[string]any) { m["parameters"] = map[string]any{"seed": -1} }), 400, []string{"parameters.seed"}},
		{"bad priority", "generate", gen(func(m map[string]any) { m["priority"] = "asap" }), 400, []string{"priority"}},
		{"missing source", "transform", tr(func(m map[string]any) { delete(m, "source_image") }), 400, []string{"source_image"}},
		{"invalid base64", "transform", tr(func(m map[string]any) { m["source_image"] = "not*base64!" }), 400, []string{"source_image"}},
		{"a zip", "transform", tr(func(m map[string]any) { m["source_image"] = zip }), 400, []string{"source_image"}},
		{"PNG header claiming 100000x100000", "transform", tr(func(m map[string]any) { m["source_image"] = servicetest.PNGHeaderB64(100000, 100000) }), 400, []string{"source_image"}},
		{"image over 10 MiB", "transform", tr(func(m map[string]any) {
			m["source_image"] = base64.StdEncoding.EncodeToString(append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 11<<20)...))
		}), 400, []string{"source_image"}},
		{"strength above 1", "transform", tr(func(m map[string]any) { m["strength"] = 1.5 }), 400, []string{"strength"}},
		{"strength below 0", "transform", tr(func(m map[string]any) { m["strength"] = -0.1 }), 400, []string{"strength"}},
		{"missing image", "enhance", enh(func(m map[string]any) { delete(m, "image") }), 400, []string{"image"}},
		{"no enhancements", "enhance", enh(func(m map[string]any) { m["enhancements"] = []string{} }), 400, []string{"enhancements"}},
		{"unknown enhancement", "enhance", enh(func(m map[string]any) { m["enhancements"] = []string{"upscale", "sparkle"} }), 400, []string{"enhancements[1]"}},
		{"repeated enhancement", "enhance", enh(func(m map[string]any) { m["enhancements"] = []string{"upscale", "upscale"} }), 400, []string{"enhancements[1]"}},
		{"upscale_factor 5", "enhance", enh(func(m map[string]any) { m["parameters"] = map[string]any{"upscale_factor": 5} }), 400, []string{"parameters.upscale_factor"}},
		{"upscale_factor not an integer", "enhance", enh(func(m map[string]any) { m["parameters"] = map[string]any{"upscale_factor": 2.5} }), 400, []string{"parameters.upscale_factor"}},
		{"output over 4096 px", "enhance", enh(func(m map[string]any) {
			m["image"] = servicetest.PNGHeaderB64(2048, 2048)
			m["parameters"] = map[string]any{"upscale_factor": 4}
		}), 400, []string{"parameters.upscale_factor"}},
		{"default factor output over 4096 px", "enhance", enh(func(m map[string]any) { m["image"] = servicetest.PNGHeaderB64(2100, 1000) }), 400, []string{"parameters.upscale_factor"}},
		{"body over 16 MiB", "enhance", []byte(`{"image":"` + strings.Repeat("A", MaxBody) + `"}`), 413, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, raw := st.post("/api/v2/image/"+tc.path, tc.body, nil)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("POST %s = %d %.300s, want %d", tc.path, resp.StatusCode, raw, tc.wantStatus)
			}
			var p problemAnswer
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatalf("problem %.300s: %v", raw, err)
			}
			if tc.wantStatus == 413 {
				if p.Code != httpapi.CodePayloadTooLarge {
					t.Errorf("code = %s, want %s", p.Code, httpapi.CodePayloadTooLarge)
				}
				return
			}
			var fields []string
			for _, f := range p.Errors {
				fields = append(fields, f.Field)
				if f.Message == "" {
					t.Errorf("field %s has no message", f.Field)
				}
			}
			if diff := cmp.Diff(tc.wantFields, fields); diff != "" {
				t.Errorf("fields of %s (-want +got):\n%s", raw, diff)
			}
			want := httpapi.CodeInvalidParameters
			if tc.name == "empty body" || tc.name == "not JSON" {
				want = httpapi.CodeInvalidJSON
			}
			if p.Code != want {
				t.Errorf("code = %s, want %s", p.Code, want)
			}
		})
	}
	if n := st.jobKeys(); n != 0 {
		t.Errorf("%d jobs were queued by invalid requests, want 0", n)
	}
	if n := len(st.fake.Requests()); n != 0 {
		t.Errorf("%d provider calls, want 0", n)
	}
}

func TestValidationMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  EnhanceRequest
		want map[string]string
	}{
		{
			name: "output too large names the sizes",
			req:  EnhanceRequest{Image: servicetest.PNGHeaderB64(2048, 1024), Enhancements: []string{"upscale"}, Parameters: EnhanceParameters{UpscaleFactor: ptr(4)}},
			want: map[string]string{"parameters.upscale_factor": "upscaling the 2048x1024 image by 4 would give 8192x4096 pixels; each side of the output must be at most 4096"},
		},
		{
			name: "large image without upscale is fine",
			req:  EnhanceRequest{Image: servicetest.PNGHeaderB64(4096, 4096), Enhancements: []string{"color_correction"}},
			want: map[string]string{},
		},
		{
			name: "huge header",
			req:  EnhanceRequest{Image: servicetest.PNGHeaderB64(100000, 100000), Enhancements: []string{"color_correction"}},
			want: map[string]string{"image": "image is 100000x100000 pixels; each side must be at most 4096"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tc.req.Valid(t.Context())); diff != "" {
				t.Errorf("Valid() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFitSide(t *testing.T) {
	t.Parallel()
	tests := []struct{ w, h, wantW, wantH int }{
		{512, 512, 512, 512},
		{300, 200, 320, 256},
		{64, 64, 256, 256},
		{4096, 2048, 2048, 1024},
		{4000, 100, 2048, 256},
		{1000, 1000, 1024, 1024},
	}
	for _, tc := range tests {
		if w, h := fitSide(tc.w, tc.h); w != tc.wantW || h != tc.wantH {
			t.Errorf("fitSide(%d, %d) = %d, %d; want %d, %d", tc.w, tc.h, w, h, tc.wantW, tc.wantH)
		}
	}
}

// The routes need a token.
func TestPostNeedsToken(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{})
	resp, _ := st.do(http.MethodPost, "/api/v2/image/generate", "", []byte(`{}`), nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST without token = %d, want 401", resp.StatusCode)
	}
}
