package image

import (
	"encoding/json"
	"image"
	"image/color"
	"net/http"
	"strings"
	"testing"
)

func TestTokenFrameValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		frame string
		bad   bool
	}{{"", false}, {"round", false}, {"square", true}, {"Round", true}}
	for _, tc := range tests {
		r := GenerateRequest{Type: "character_portrait", Prompt: "a hero", Parameters: Parameters{TokenFrame: tc.frame}}
		msg, bad := r.Valid(t.Context())["parameters.token_frame"]
		if bad != tc.bad {
			t.Errorf("Valid(token_frame %q) = %q (error %v), want error %v", tc.frame, msg, bad, tc.bad)
		}
	}
	st := newStack(t, stackConfig{})
	resp, raw := st.post("/api/v2/image/generate", map[string]any{
		"type": "character_portrait", "prompt": "a hero", "parameters": map[string]any{"token_frame": "hexagon"},
	}, nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("POST token_frame hexagon = %d %.300s, want 400", resp.StatusCode, raw)
	}
	var p problemAnswer
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("problem %.300s: %v", raw, err)
	}
	if len(p.Errors) != 1 || p.Errors[0].Field != "parameters.token_frame" || !strings.Contains(p.Errors[0].Message, `"round"`) {
		t.Errorf("errors = %+v, want one naming parameters.token_frame and \"round\"", p.Errors)
	}
}

func TestOfflinePortraitIsATransparentToken(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{})
	j, _ := st.succeed("/api/v2/image/generate", map[string]any{
		"type": "character_portrait", "prompt": "a stout dwarf", "size": map[string]int{"width": 256, "height": 256},
		"parameters": map[string]any{"seed": 3, "character_race": "Dwarf", "character_class": "Fighter", "alignment": "lawful good", "token_frame": "round"},
	}, nil)
	img, _ := decodeImage(t, j.Result.ImageData)
	alpha := func(x, y int) uint8 { return color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA).A }
	if _, ok := img.(*image.NRGBA); !ok {
		t.Fatalf("portrait decodes as %T, want a PNG with alpha", img)
	}
	if a := alpha(1, 1); a != 0 {
		t.Errorf("corner alpha = %d, want 0", a)
	}
	if a := alpha(128, 128); a != 255 {
		t.Errorf("centre alpha = %d, want 255", a)
	}
	if j.Result.ParametersUsed.TokenFrame != "round" || len(j.Result.Warnings) != 0 || j.Result.Metadata.Grid != nil {
		t.Errorf("result: token_frame %q, warnings %q, grid %v; want round, none, none",
			j.Result.ParametersUsed.TokenFrame, j.Result.Warnings, j.Result.Metadata.Grid)
	}
}

func TestOfflineMapCarriesGridAndWarnings(t *testing.T) {
	t.Parallel()
	st := newStack(t, stackConfig{})
	j, _ := st.succeed("/api/v2/image/generate", map[string]any{
		"type": "map_background", "prompt": "tavern interior", "size": map[string]int{"width": 512, "height": 384},
		"parameters": map[string]any{"seed": 1, "negative_prompt": "dragons"},
	}, nil)
	g := j.Result.Metadata.Grid
	if g == nil {
		t.Fatalf("metadata.grid missing from %+v", j.Result.Metadata)
	}
	img, _ := decodeImage(t, j.Result.ImageData)
	b := img.Bounds()
	if g.SquarePx <= 0 || g.OffsetX+g.Columns*g.SquarePx > b.Dx() || g.OffsetY+g.Rows*g.SquarePx > b.Dy() ||
		b.Dx()-g.Columns*g.SquarePx != 2*g.OffsetX && b.Dx()-g.Columns*g.SquarePx != 2*g.OffsetX+1 || !g.Drawn {
		t.Errorf("grid %+v does not fit the %dx%d image centred", *g, b.Dx(), b.Dy())
	}
	if len(j.Result.Warnings) != 1 || !strings.Contains(j.Result.Warnings[0], "dragons") {
		t.Errorf("warnings = %q, want one about dragons", j.Result.Warnings)
	}
	// A cached answer keeps both.
	again, resp := st.succeed("/api/v2/image/generate", map[string]any{
		"type": "map_background", "prompt": "tavern interior", "size": map[string]int{"width": 512, "height": 384},
		"parameters": map[string]any{"seed": 1, "negative_prompt": "dragons"},
	}, nil)
	if resp.Header.Get("X-Cache") != "HIT" || again.Result.Metadata.Grid == nil || *again.Result.Metadata.Grid != *g || len(again.Result.Warnings) != 1 {
		t.Errorf("repeated request: X-Cache %q, grid %+v, warnings %q; want a hit with the same grid and warning",
			resp.Header.Get("X-Cache"), again.Result.Metadata.Grid, again.Result.Warnings)
	}
}
