package getimgtest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
)

type answer struct {
	Image string  `json:"image"`
	Seed  int64   `json:"seed"`
	Cost  float64 `json:"cost"`
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Type    string `json:"type"`
	} `json:"error"`
}

// post sends body to the fake and returns the status, headers and body.
func post(tb testing.TB, s *getimgtest.Server, path, key string, body any) (int, http.Header, []byte) {
	tb.Helper()
	var payload []byte
	switch b := body.(type) {
	case []byte:
		payload = b
	default:
		var err error
		if payload, err = json.Marshal(b); err != nil {
			tb.Fatal(err)
		}
	}
	req, err := http.NewRequestWithContext(tb.Context(), http.MethodPost, s.URL()+path, bytes.NewReader(payload))
	if err != nil {
		tb.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read %s answer: %v", path, err)
	}
	return resp.StatusCode, resp.Header, raw
}

func decodeAnswer(tb testing.TB, raw []byte) (answer, image.Config, string) {
	tb.Helper()
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		tb.Fatalf("answer %s is not JSON: %v", raw, err)
	}
	img, err := base64.StdEncoding.DecodeString(a.Image)
	if err != nil {
		tb.Fatalf("image is not base64: %v", err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		tb.Fatalf("image does not decode: %v", err)
	}
	return a, cfg, format
}

var tinyWebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\r\x00\x00\x00/\x00\x00\x00\x10\a\x10\x11\x11\x88\x88\xfe\a\x00")

func TestDefaultAnswers(t *testing.T) {
	t.Parallel()
	png := getimgtest.EncodePNG(t, getimgtest.Pattern(100, 50, 1))
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name         string
		path         string
		body         map[string]any
		wantFormat   string
		wantW, wantH int
		wantSeed     int64
		wantCost     float64
	}{
		{"sdxl", getimgtest.PathSDXLText, map[string]any{"prompt": "p", "width": 512, "height": 256, "steps": 30, "seed": 77, "response_format": "b64"}, "png", 512, 256, 77, 0.000825},
		{"sdxl defaults", getimgtest.PathSDXLText, map[string]any{"prompt": "p"}, "png", 1024, 1024, 4111221743, 0.0066},
		{"flux jpeg", getimgtest.PathFluxText, map[string]any{"prompt": "p", "width": 256, "height": 256, "output_format": "jpeg", "seed": 1}, "jpeg", 256, 256, 1, 0.000055},
		{"image to image keeps input size", getimgtest.PathSDXLImage, map[string]any{"prompt": "p", "image": b64(png), "strength": 0.5, "seed": 3}, "png", 100, 50, 3, 0.000031},
		{"upscale png", getimgtest.PathUpscale, map[string]any{"image": b64(png), "model": "real-esrgan-4x", "scale": 2}, "png", 200, 100, 0, 0.000004},
		{"upscale webp default scale", getimgtest.PathUpscale, map[string]any{"image": b64(tinyWebP)}, "png", 4, 4, 0, 0},
		{"face fix", getimgtest.PathFaceFix, map[string]any{"image": b64(png), "model": "gfpgan-v1-3"}, "png", 100, 50, 0, 0.000001},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := getimgtest.New(t)
			status, h, raw := post(t, s, tc.path, getimgtest.APIKey, tc.body)
			if status != http.StatusOK {
				t.Fatalf("POST %s = %d %s, want 200", tc.path, status, raw)
			}
			a, cfg, format := decodeAnswer(t, raw)
			if format != tc.wantFormat || cfg.Width != tc.wantW || cfg.Height != tc.wantH {
				t.Errorf("image = %s %dx%d, want %s %dx%d", format, cfg.Width, cfg.Height, tc.wantFormat, tc.wantW, tc.wantH)
			}
			if a.Seed != tc.wantSeed || a.Cost != tc.wantCost {
				t.Errorf("seed, cost = %d, %v; want %d, %v", a.Seed, a.Cost, tc.wantSeed, tc.wantCost)
			}
			if h.Get("X-RateLimit-Limit") != "60" || h.Get("X-RateLimit-Remaining") != "59" || h.Get("X-RateLimit-Reset") == "" {
				t.Errorf("rate-limit headers = %v, want limit 60, remaining 59 and a reset", h)
			}
		})
	}
}

func TestFaceFixReturnsSameImage(t *testing.T) {
	t.Parallel()
	s := getimgtest.New(t)
	_, _, raw := post(t, s, getimgtest.PathFaceFix, getimgtest.APIKey, map[string]any{"image": base64.StdEncoding.EncodeToString(tinyWebP)})
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	if a.Image != base64.StdEncoding.EncodeToString(tinyWebP) {
		t.Errorf("face-fix image = %q, want the input back", a.Image)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		path, key  string
		body       any
		wantStatus int
		wantCode   string
		wantType   string
	}{
		{"missing key", getimgtest.PathSDXLText, "", map[string]any{"prompt": "p"}, 401, "invalid_api_key", "authentication_error"},
		{"wrong key", getimgtest.PathSDXLText, "nope", map[string]any{"prompt": "p"}, 401, "invalid_api_key", "authentication_error"},
		{"unknown endpoint", "/v1/dall-e/text-to-image", getimgtest.APIKey, map[string]any{"prompt": "p"}, 404, "not_found", "not_found_error"},
		{"bad json", getimgtest.PathSDXLText, getimgtest.APIKey, []byte("{"), 400, "invalid_json", "invalid_request_error"},
		{"field flux lacks", getimgtest.PathFluxText, getimgtest.APIKey, map[string]any{"prompt": "p", "negative_prompt": "n"}, 400, "invalid_parameter", "invalid_request_error"},
		{"no prompt", getimgtest.PathSDXLText, getimgtest.APIKey, map[string]any{"width": 512}, 400, "invalid_parameter", "invalid_request_error"},
		{"width too large", getimgtest.PathSDXLText, getimgtest.APIKey, map[string]any{"prompt": "p", "width": 4096}, 400, "invalid_parameter", "invalid_request_error"},
		{"bad output format", getimgtest.PathSDXLText, getimgtest.APIKey, map[string]any{"prompt": "p", "output_format": "gif"}, 400, "invalid_parameter", "invalid_request_error"},
		{"url answers unsupported", getimgtest.PathSDXLText, getimgtest.APIKey, map[string]any{"prompt": "p", "response_format": "url"}, 400, "unsupported_parameter", "invalid_request_error"},
		{"strength out of range", getimgtest.PathSDXLImage, getimgtest.APIKey, map[string]any{"prompt": "p", "image": base64.StdEncoding.EncodeToString(tinyWebP), "strength": 2}, 400, "invalid_parameter", "invalid_request_error"},
		{"image not base64", getimgtest.PathUpscale, getimgtest.APIKey, map[string]any{"image": "***"}, 400, "invalid_parameter", "invalid_request_error"},
		{"image not an image", getimgtest.PathUpscale, getimgtest.APIKey, map[string]any{"image": base64.StdEncoding.EncodeToString([]byte("PK\x03\x04"))}, 400, "invalid_parameter", "invalid_request_error"},
		{"scale out of range", getimgtest.PathUpscale, getimgtest.APIKey, map[string]any{"image": base64.StdEncoding.EncodeToString(tinyWebP), "scale": 8}, 400, "invalid_parameter", "invalid_request_error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := getimgtest.New(t)
			status, h, raw := post(t, s, tc.path, tc.key, tc.body)
			if status != tc.wantStatus {
				t.Fatalf("POST %s = %d, want %d", tc.path, status, tc.wantStatus)
			}
			var e errorBody
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatalf("error body %s is not JSON: %v", raw, err)
			}
			if e.Error.Code != tc.wantCode || e.Error.Type != tc.wantType || e.Error.Message == "" {
				t.Errorf("error = %+v, want code %q type %q and a message", e.Error, tc.wantCode, tc.wantType)
			}
			if h.Get("X-RateLimit-Remaining") == "" {
				t.Errorf("error answer has no X-RateLimit-Remaining")
			}
			if n := s.Calls(tc.path); n != 1 {
				t.Errorf("Calls(%s) = %d, want 1", tc.path, n)
			}
		})
	}
}

func TestWithAPIKey(t *testing.T) {
	t.Parallel()
	s := getimgtest.New(t, getimgtest.WithAPIKey("other"))
	if status, _, _ := post(t, s, getimgtest.PathSDXLText, getimgtest.APIKey, map[string]any{"prompt": "p", "width": 64, "height": 64}); status != 401 {
		t.Errorf("default key status = %d, want 401", status)
	}
	if status, _, _ := post(t, s, getimgtest.PathSDXLText, "other", map[string]any{"prompt": "p", "width": 64, "height": 64}); status != 200 {
		t.Errorf("configured key status = %d, want 200", status)
	}
}

func TestScriptedRepliesInOrder(t *testing.T) {
	t.Parallel()
	s := getimgtest.New(t)
	img := getimgtest.EncodePNG(t, getimgtest.Pattern(64, 64, 0))
	s.Push(getimgtest.PathFluxText,
		getimgtest.ErrorReply(http.StatusTooManyRequests, "rate_limit", "slow down"),
		getimgtest.Reply{Status: 502, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html>bad gateway</html>")},
		getimgtest.Success(img, 9, 0.5),
	)
	body := map[string]any{"prompt": "p", "width": 64, "height": 64}

	status, h, raw := post(t, s, getimgtest.PathFluxText, getimgtest.APIKey, body)
	var e errorBody
	json.Unmarshal(raw, &e)
	if status != 429 || h.Get("Retry-After") != "1" || h.Get("X-RateLimit-Remaining") != "0" || e.Error.Code != "rate_limit" || e.Error.Type != "rate_limit_error" {
		t.Errorf("first = %d %v %s, want 429 with Retry-After 1, remaining 0 and code rate_limit", status, h, raw)
	}
	status, h, raw = post(t, s, getimgtest.PathFluxText, getimgtest.APIKey, body)
	if status != 502 || h.Get("Content-Type") != "text/html" || !strings.HasPrefix(string(raw), "<html>") {
		t.Errorf("second = %d %v %s, want the HTML 502", status, h, raw)
	}
	status, _, raw = post(t, s, getimgtest.PathFluxText, getimgtest.APIKey, body)
	a, _, _ := decodeAnswer(t, raw)
	if status != 200 || a.Seed != 9 || a.Cost != 0.5 {
		t.Errorf("third = %d seed %d cost %v, want 200 seed 9 cost 0.5", status, a.Seed, a.Cost)
	}
	status, _, raw = post(t, s, getimgtest.PathFluxText, getimgtest.APIKey, body)
	if a, _, _ := decodeAnswer(t, raw); status != 200 || a.Seed == 9 {
		t.Errorf("fourth = %d seed %d, want a generated answer", status, a.Seed)
	}
	if n := s.Calls(getimgtest.PathFluxText); n != 4 {
		t.Errorf("Calls = %d, want 4", n)
	}
	if n := s.Calls(getimgtest.PathSDXLText); n != 0 {
		t.Errorf("Calls(sdxl) = %d, want 0", n)
	}
	reqs := s.Requests()
	if len(reqs) != 4 {
		t.Fatalf("Requests() = %d, want 4", len(reqs))
	}
	want := getimgtest.Recorded{Path: getimgtest.PathFluxText, Body: map[string]any{"prompt": "p", "width": json.Number("64"), "height": json.Number("64")}}
	got := reqs[0]
	if auth := got.Header.Get("Authorization"); auth != "Bearer "+getimgtest.APIKey {
		t.Errorf("recorded Authorization = %q", auth)
	}
	got.Header = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Requests()[0] (-want +got):\n%s", diff)
	}
}

func TestScriptWaitsForAuth(t *testing.T) {
	t.Parallel()
	s := getimgtest.New(t)
	s.Push(getimgtest.PathSDXLText, getimgtest.ErrorReply(500, "internal_error", "boom"))
	if status, _, _ := post(t, s, getimgtest.PathSDXLText, "", map[string]any{"prompt": "p"}); status != 401 {
		t.Errorf("unauthenticated status = %d, want 401", status)
	}
	if status, _, _ := post(t, s, getimgtest.PathSDXLText, getimgtest.APIKey, map[string]any{"prompt": "p"}); status != 500 {
		t.Errorf("authenticated status = %d, want the scripted 500", status)
	}
}

func TestResetMidBody(t *testing.T) {
	t.Parallel()
	s := getimgtest.New(t)
	r := getimgtest.Success(getimgtest.EncodePNG(t, getimgtest.Pattern(64, 64, 0)), 1, 0.1)
	r.ResetMidBody = true
	s.Push(getimgtest.PathSDXLText, r)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL()+getimgtest.PathSDXLText, strings.NewReader(`{"prompt":"p"}`))
	req.Header.Set("Authorization", "Bearer "+getimgtest.APIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Length") != strconv.Itoa(len(r.Body)) || resp.Header.Get("X-RateLimit-Limit") != "60" {
		t.Errorf("status %d headers %v, want 200 with the full Content-Length and rate-limit headers", resp.StatusCode, resp.Header)
	}
	got, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read body = %d bytes, %v; want io.ErrUnexpectedEOF", len(got), err)
	}
	if len(got) != len(r.Body)/2 {
		t.Errorf("read %d bytes before the reset, want %d", len(got), len(r.Body)/2)
	}
}

func TestDelayEndsWhenClientGivesUp(t *testing.T) {
	t.Parallel()
	s := getimgtest.New(t)
	s.Push(getimgtest.PathSDXLText, getimgtest.Reply{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+getimgtest.PathSDXLText, strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+getimgtest.APIKey)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Do error = %v, want context.DeadlineExceeded", err)
	}
	// The test's cleanup closes the server, which waits for the delayed
	// handler: it must return now that the client is gone.
}
